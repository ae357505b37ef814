from odoo import api, fields, models

from ..models.public_method import public_method


class CallCampaignMemberForward(models.TransientModel):
    """Seed 000: hand customers to another agent and/or campaign, always with
    a status update. Collects the input; the members' ``_forward`` checks and
    does the rest, all or nothing."""

    _name = "call.campaign.member.forward"
    _description = "Forward Call Campaign Members"
    _inherit = ["call.guard.mixin"]
    # what the user fills in
    _call_user_write_fields = frozenset(
        {
            "campaign_id",
            "member_ids",
            "next_call_date",
            "note",
            "reason_id",
            "status_id",
            "user_id",
        }
    )

    def _default_member_ids(self):
        return self.env["call.campaign.member"]._from_active_context()

    member_ids = fields.Many2many(
        "call.campaign.member",
        string="Members",
        default=lambda self: self._default_member_ids(),
        required=True,
    )
    member_count = fields.Integer(compute="_compute_member_count")
    source_campaign_id = fields.Many2one(
        "call.campaign", compute="_compute_member_count", string="Current Campaign"
    )
    user_id = fields.Many2one(
        "res.users",
        string="To Agent",
        domain="[('id', 'in', allowed_user_ids)]",
    )
    campaign_id = fields.Many2one(
        "call.campaign",
        string="To Campaign",
        domain="[('state', 'in', ('draft', 'running', 'paused'))]",
    )
    allowed_user_ids = fields.Many2many("res.users", compute="_compute_allowed")
    allowed_status_ids = fields.Many2many("call.status", compute="_compute_allowed")
    status_id = fields.Many2one(
        "call.status", domain="[('id', 'in', allowed_status_ids)]"
    )
    status_behavior = fields.Selection(related="status_id.behavior")
    reason_id = fields.Many2one(
        "call.status.reason", domain="[('status_id', '=', status_id)]"
    )
    next_call_date = fields.Datetime("Follow-up Date")
    date_required = fields.Boolean(related="status_id.date_required")
    note = fields.Text()

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.depends("member_ids")
    def _compute_member_count(self):
        for wizard in self:
            wizard.member_count = len(wizard.member_ids)
            campaigns = wizard.member_ids.campaign_id
            wizard.source_campaign_id = campaigns if len(campaigns) == 1 else False

    @api.depends("member_ids", "campaign_id")
    def _compute_allowed(self):
        for wizard in self:
            # an agent may forward to a campaign they do not work in
            campaigns = (wizard.campaign_id or wizard.member_ids.campaign_id).sudo()
            users = campaigns[:1].agent_ids
            for campaign in campaigns[1:]:
                users &= campaign.agent_ids
            wizard.allowed_user_ids = users
            wizard.allowed_status_ids = campaigns._offered_statuses()

    @api.onchange("status_id")
    def _onchange_status_id(self):
        if self.reason_id.status_id != self.status_id:
            self.reason_id = False

    @public_method(one=True)
    def action_forward(self):
        self.member_ids._forward(
            self.user_id,
            self.campaign_id,
            self.status_id,
            self.next_call_date,
            reason=self.reason_id,
            note=self.note,
        )
        if (
            self.member_ids.with_user(self.env.user)._filtered_access("read")
            != self.member_ids
        ):
            # handed to a colleague the agent no longer sees: no screen may
            # read them again, so the agent lands on their own calls
            return self.env["ir.actions.act_window"]._for_xml_id(
                "call_campaign.call_campaign_member_action_my_calls"
            ) | {"target": "main"}
        return {"type": "ir.actions.act_window_close"}
