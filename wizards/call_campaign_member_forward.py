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
    member_summary = fields.Char(
        "Forwarding", compute="_compute_member_count", help="Who is forwarded."
    )
    taken_campaign_ids = fields.Many2many(
        "call.campaign",
        compute="_compute_member_count",
        help="Campaigns the customers already belong to: not offered.",
    )
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
        domain="[('state', 'in', ('draft', 'running', 'paused')), "
        "('id', 'not in', taken_campaign_ids)]",
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
        Member = self.env["call.campaign.member"].sudo()
        for wizard in self:
            members = wizard.member_ids
            wizard.member_count = len(members)
            campaigns = members.campaign_id
            wizard.source_campaign_id = campaigns if len(campaigns) == 1 else False
            names = members[:3].partner_id.mapped("display_name")
            wizard.member_summary = (
                ", ".join(names)
                if len(members) <= 3
                else self.env._(
                    "%(names)s and %(count)s more",
                    names=", ".join(names),
                    count=len(members) - 3,
                )
            )
            # the forward refuses a campaign a customer is already in
            wizard.taken_campaign_ids = Member.search(
                [("partner_id", "in", members.partner_id.ids)]
            ).campaign_id

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
        """Forward, then say so (and where the agent lands next)."""
        # the names are read first: the agent may not read them afterwards
        message = self.sudo()._forward_message()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Forwarded"),
                "message": message,
                "type": "success",
                "sticky": False,
                "next": self._forward(),
            },
        }

    def _forward_message(self):
        target = self.user_id.name or self.campaign_id.name
        if self.user_id and self.campaign_id:
            target = self.env._(
                "%(agent)s in %(campaign)s",
                agent=self.user_id.name,
                campaign=self.campaign_id.name,
            )
        return self.env._(
            "%(who)s forwarded to %(target)s with the status %(status)s.",
            who=self.member_summary,
            target=target or self.env._("the campaign's pool"),
            status=self.status_id.name,
        )

    def _forward(self):
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
