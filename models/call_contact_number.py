from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .public_method import public_method

# the contact's own numbers, kept in step with its phone and mobile
PARTNER_NUMBER_FIELDS = ("phone", "mobile")


class CallContactNumber(models.Model):
    """A number a contact can be called on: its phone and mobile (kept in step
    with the contact) and any other number added to it. A number found wrong
    on a call is marked invalid for every campaign; the dialled number of a
    member is the first good one (``call.campaign.member.dial_number``)."""

    _name = "call.contact.number"
    _description = "Contact Number for Calls"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = frozenset({"number", "label", "sequence"})
    _call_user_create_fields = _call_user_write_fields | {"partner_id"}
    _order = "partner_id, sequence, id"
    _rec_name = "number"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade"
    )
    number = fields.Char(required=True)
    number_sanitized = fields.Char(
        compute="_compute_number_sanitized", store=True, index="btree_not_null"
    )
    label = fields.Char(help="Whose or which line it is: office, assistant...")
    source = fields.Selection(
        [("phone", "Phone"), ("mobile", "Mobile"), ("other", "Other")],
        required=True,
        default="other",
        readonly=True,
        help="Phone and mobile follow the contact's fields; other numbers are "
        "added here.",
    )
    sequence = fields.Integer(default=10)
    invalid = fields.Boolean(
        "Wrong Number",
        readonly=True,
        help="Reported wrong or invalid on a call: not dialled any more.",
    )
    invalid_date = fields.Datetime("Wrong Since", readonly=True)
    blacklisted = fields.Boolean(
        compute="_compute_blacklisted", help="On the phone blacklist: never dialled."
    )

    @api.depends("number", "partner_id.country_id")
    def _compute_number_sanitized(self):
        for record in self:
            record.number_sanitized = (
                record.partner_id._phone_format(
                    number=record.number, raise_exception=False
                )
                if record.number
                else False
            )

    def _compute_blacklisted(self):
        listed = set(
            self.env["phone.blacklist"]
            .sudo()
            .search(
                [("number", "in", [n for n in self.mapped("number_sanitized") if n])]
            )
            .mapped("number")
        )
        for record in self:
            record.blacklisted = record.number_sanitized in listed

    @api.constrains("partner_id", "number_sanitized")
    def _check_number_once(self):
        """A contact has each number once, however it is written: a wrong
        number typed again in another format stays wrong."""
        self.flush_model(["partner_id", "number", "number_sanitized"])
        self.env.cr.execute(
            """SELECT n.number FROM call_contact_number n
                WHERE n.partner_id IN %s AND EXISTS (
                      SELECT 1 FROM call_contact_number o
                       WHERE o.partner_id = n.partner_id AND o.id != n.id
                         AND COALESCE(o.number_sanitized, o.number)
                             = COALESCE(n.number_sanitized, n.number))
                LIMIT 1""",
            [tuple(self.partner_id.ids)],
        )
        row = self.env.cr.fetchone()
        if row:
            raise ValidationError(
                self.env._("%s is already a number of this contact.", row[0])
            )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        if not self.env.su:
            partners = self.env["res.partner"].browse(
                {vals.get("partner_id") for vals in vals_list}
            )
            partners.check_access("write")
            for vals in vals_list:
                if vals.get("number"):
                    # a number the phone library refuses is refused here
                    partners.browse(vals.get("partner_id"))._phone_format(
                        number=vals["number"], raise_exception=True
                    )
        records = super().create(vals_list)
        records.partner_id._update_call_undialable()
        return records

    def write(self, vals):
        self._call_guard_write(vals)
        if not self.env.su:
            if "number" in vals and any(record.source != "other" for record in self):
                raise UserError(self._refused_message())
            self.partner_id.check_access("write")
            if vals.get("number"):
                for partner in self.partner_id:
                    partner._phone_format(number=vals["number"], raise_exception=True)
        partners = self.partner_id
        before = {record.id: record.number_sanitized for record in self}
        res = super().write(vals)
        # another number is not known to be wrong (the same one, typed
        # otherwise, stays wrong)
        changed = self.filtered(
            lambda r: r.invalid and r.number_sanitized != before[r.id]
        )
        if changed:
            super(CallContactNumber, changed).write(
                {"invalid": False, "invalid_date": False}
            )
        (partners | self.partner_id)._update_call_undialable()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_contact_fields(self):
        if self.env.su:
            return
        if any(record.source != "other" for record in self):
            raise UserError(self._refused_message())
        self.partner_id.check_access("write")

    def unlink(self):
        partners = self.partner_id
        res = super().unlink()
        partners.exists()._update_call_undialable()
        return res

    @api.model
    def _call_refused_message(self, fname):
        return self._refused_message()

    def _refused_message(self):
        return self.env._(
            "A contact's phone and mobile change on the contact itself, and a "
            "number is marked wrong only by a call's outcome (a call manager "
            "restores it)."
        )

    @public_method()
    def action_mark_valid(self):
        """A call manager restores numbers marked wrong by mistake."""
        if not self:
            raise UserError(self.env._("Choose the numbers to restore."))
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise UserError(
                self.env._("Only a call manager can restore a wrong number.")
            )
        self.sudo().write({"invalid": False, "invalid_date": False})
        return self.ids

    def _mark_invalid(self, date):
        """Wrong on a call: not dialled any more, in any campaign."""
        self.sudo().write({"invalid": True, "invalid_date": date})

    @api.model
    def _refresh_blacklisted(self, numbers):
        """Numbers joined or left the phone blacklist: their contacts may have
        no number left to dial, or one again."""
        if not numbers:
            return
        self.flush_model(["number_sanitized"])
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM call_contact_number WHERE number_sanitized IN %s",
            [tuple(numbers)],
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env["res.partner"].browse(partner_ids)._update_call_undialable()
        # the numbers to dial read the blacklist
        self.invalidate_model(["blacklisted"])
        self.env["call.campaign.member"].invalidate_model(
            ["dial_number", "dial_number_label"]
        )

    @api.model
    def _undialable_sql(self):
        """SQL true for a contact ``p`` that has numbers and none it may be
        called on (all wrong or blacklisted). A contact without any number is
        not undialable: the agent may find one."""
        return SQL(
            """EXISTS (SELECT 1 FROM call_contact_number n WHERE n.partner_id = p.id)
               AND NOT EXISTS (
                   SELECT 1 FROM call_contact_number n
                    WHERE n.partner_id = p.id AND NOT COALESCE(n.invalid, false)
                      AND NOT EXISTS (
                          SELECT 1 FROM phone_blacklist bl
                           WHERE bl.active
                             AND bl.number = COALESCE(n.number_sanitized, n.number)))"""
        )
