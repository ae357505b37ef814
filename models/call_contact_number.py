from odoo import api, fields, models
from odoo.exceptions import UserError
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

    _sql_constraints = [
        (
            "partner_number_uniq",
            "UNIQUE(partner_id, number)",
            "A contact has each number once.",
        ),
    ]

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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("source", "other") != "other" or vals.get("invalid")
            for vals in vals_list
        ):
            raise UserError(self._refused_message())
        records = super().create(vals_list)
        records.partner_id._update_call_undialable()
        return records

    def write(self, vals):
        if not self.env.su and (
            {"source", "invalid", "invalid_date"} & set(vals)
            or (
                {"number", "partner_id"} & set(vals)
                and any(record.source != "other" for record in self)
            )
        ):
            raise UserError(self._refused_message())
        partners = self.partner_id
        if "number" in vals:
            # a new number is not known to be wrong
            vals = dict(vals, invalid=False, invalid_date=False)
        res = super().write(vals)
        (partners | self.partner_id)._update_call_undialable()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_contact_fields(self):
        if not self.env.su and any(record.source != "other" for record in self):
            raise UserError(self._refused_message())

    def unlink(self):
        partners = self.partner_id
        res = super().unlink()
        partners.exists()._update_call_undialable()
        return res

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
