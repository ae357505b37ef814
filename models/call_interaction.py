from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .call_status import OUTCOMES

KINDS = [
    ("added", "Added to campaign"),
    ("status_change", "Status changed"),
    ("forward", "Forwarded"),
    ("assigned", "Assigned"),
    ("unassigned", "Unassigned"),
    ("call", "Call logged"),
    ("scheduled", "Call scheduled"),
    ("outcome", "Dialer outcome"),
    ("stage_change", "Stage changed"),
    ("released", "Callback released"),
    ("note", "Note"),
]


class CallInteraction(models.Model):
    """One event of a member's history. Written by the member's services only,
    never edited nor deleted: the history cannot be lost."""

    _name = "call.interaction"
    _description = "Call Interaction"
    _order = "date desc, id desc"
    _rec_name = "kind"

    kind = fields.Selection(KINDS, required=True, default="note", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    member_id = fields.Many2one("call.campaign.member", index=True, ondelete="restrict")
    campaign_id = fields.Many2one(
        "call.campaign",
        required=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, ondelete="restrict"
    )
    lead_id = fields.Many2one("crm.lead", index="btree_not_null")
    user_id = fields.Many2one(
        "res.users", string="Agent", default=lambda self: self.env.user, index=True
    )
    status_id = fields.Many2one("call.status", ondelete="restrict")
    previous_status_id = fields.Many2one("call.status", ondelete="restrict")
    result = fields.Selection(related="status_id.result", store=True, string="Result")
    reason_id = fields.Many2one("call.status.reason", ondelete="restrict")
    stage_id = fields.Many2one("call.campaign.stage", ondelete="set null")
    previous_stage_id = fields.Many2one("call.campaign.stage", ondelete="set null")
    note = fields.Text()
    next_call_date = fields.Datetime("Follow-up Date")
    from_user_id = fields.Many2one("res.users", string="From Agent")
    to_user_id = fields.Many2one("res.users", string="To Agent")
    from_campaign_id = fields.Many2one("call.campaign")
    to_campaign_id = fields.Many2one("call.campaign")
    outcome = fields.Selection(OUTCOMES)
    duration = fields.Integer("Duration (seconds)")
    company_id = fields.Many2one(
        "res.company", related="campaign_id.company_id", store=True, index=True
    )

    _sql_constraints = [
        (
            "duration_positive",
            "CHECK(duration >= 0)",
            "A call duration cannot be negative.",
        ),
    ]

    def init(self):
        # the customer timeline reads a partner's newest events first
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_interaction_partner_date_idx
               ON call_interaction (partner_id, date DESC, id DESC)"""
        )

    @api.depends("kind", "status_id", "member_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for interaction in self:
            parts = [kinds.get(interaction.kind, "")]
            if interaction.status_id:
                parts.append(interaction.status_id.name)
            interaction.display_name = " – ".join(p for p in parts if p)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("The call history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(_("The call history cannot be deleted."))
