from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MEMBER_MODEL = "call.campaign.member"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    call_member_id = fields.Many2one(
        MEMBER_MODEL,
        string="Call Campaign Member",
        compute="_compute_call_member_id",
        store=True,
        index="btree_not_null",
        help="Set on the pending phone call of a campaign member.",
    )
    call_campaign_id = fields.Many2one(
        related="call_member_id.campaign_id", store=True, string="Call Campaign"
    )
    call_status_id = fields.Many2one(
        related="call_member_id.status_id", store=True, string="Call Status"
    )
    call_partner_id = fields.Many2one(
        related="call_member_id.partner_id", string="Customer"
    )
    call_next_date = fields.Datetime(
        related="call_member_id.next_call_date", string="Call At"
    )

    def init(self):
        # one pending call per member, whatever writes it (two cron workers
        # included): the database refuses the second one
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS mail_activity_call_member_pending_uniq
               ON mail_activity (call_member_id) WHERE call_member_id IS NOT NULL AND active"""
        )

    @api.depends("res_model", "res_id", "activity_type_id.category")
    def _compute_call_member_id(self):
        for activity in self:
            is_call = (
                activity.res_model == MEMBER_MODEL
                and activity.activity_type_id.category == "phonecall"
            )
            activity.call_member_id = activity.res_id if is_call else False

    @api.model_create_multi
    def create(self, vals_list):
        self._check_one_pending_call(vals_list)
        return super().create(vals_list)

    @api.model
    def _check_one_pending_call(self, vals_list):
        """Clear message before the unique index refuses a second pending call
        (the index stays the guarantee, e.g. for concurrent transactions)."""
        context = self.env.context
        member_model_id = self.env["ir.model"]._get_id(MEMBER_MODEL)
        wanted = []
        for vals in vals_list:
            model_id = vals.get("res_model_id") or context.get("default_res_model_id")
            model = vals.get("res_model") or context.get("default_res_model")
            if model_id == member_model_id or model == MEMBER_MODEL:
                res_id = vals.get("res_id") or context.get("default_res_id")
                type_id = vals.get("activity_type_id") or context.get(
                    "default_activity_type_id"
                )
                if res_id and type_id and vals.get("active", True):
                    wanted.append((res_id, type_id))
        if not wanted:
            return
        phone_types = set(
            self.env["mail.activity.type"]
            .browse({type_id for _res_id, type_id in wanted})
            .filtered(lambda t: t.category == "phonecall")
            .ids
        )
        member_ids = [res_id for res_id, type_id in wanted if type_id in phone_types]
        if not member_ids:
            return
        taken = {
            member.id
            for [member] in self.sudo()._read_group(
                [("call_member_id", "in", member_ids)], ["call_member_id"]
            )
        }
        seen = set()
        for member_id in member_ids:
            if member_id in taken or member_id in seen:
                raise ValidationError(
                    _(
                        "%s already has a pending call: reschedule it instead of "
                        "planning another one.",
                        self.env[MEMBER_MODEL].sudo().browse(member_id).display_name,
                    )
                )
            seen.add(member_id)

    def action_log_call_campaign(self):
        """“Log a call” from a pending call: the agent records the result."""
        self.ensure_one()
        return self.call_member_id._action_log_call(
            {"active_model": MEMBER_MODEL, "active_ids": self.call_member_id.ids}
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        """A call of a campaign member marked done from Odoo's activity widget
        counts as a contact with that customer."""
        members = self.call_member_id.sudo()
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if members:
            members._on_call_done(feedback)
        return result
