from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CallCampaignMemberForward(models.TransientModel):
    """Seed 000: hand customers to another agent and/or campaign, always with
    a status update. All or nothing."""

    _name = "call.campaign.member.forward"
    _description = "Forward Call Campaign Members"

    def _default_member_ids(self):
        return self.env["call.campaign.member"]._from_active_context()

    member_ids = fields.Many2many(
        "call.campaign.member",
        string="Members",
        default=_default_member_ids,
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
    reason_id = fields.Many2one(
        "call.status.reason", domain="[('status_id', '=', status_id)]"
    )
    next_call_date = fields.Datetime("Follow-up Date")
    date_required = fields.Boolean(related="status_id.date_required")
    note = fields.Text()

    @api.depends("member_ids")
    def _compute_member_count(self):
        for wizard in self:
            wizard.member_count = len(wizard.member_ids)
            campaigns = wizard.member_ids.campaign_id
            wizard.source_campaign_id = campaigns if len(campaigns) == 1 else False

    @api.depends("member_ids", "campaign_id")
    def _compute_allowed(self):
        for wizard in self:
            campaigns = wizard.campaign_id or wizard.member_ids.campaign_id
            users = campaigns[:1].agent_ids
            for campaign in campaigns[1:]:
                users &= campaign.agent_ids
            wizard.allowed_user_ids = users
            wizard.allowed_status_ids = campaigns._offered_statuses()

    @api.onchange("status_id")
    def _onchange_status_id(self):
        if self.reason_id.status_id != self.status_id:
            self.reason_id = False

    def action_forward(self):
        self.ensure_one()
        members = self.member_ids
        if not members:
            raise UserError(_("Choose the members to forward."))
        if not self.status_id:
            raise UserError(
                _("A forward always carries a status update: choose a status.")
            )
        target_campaign = self.campaign_id
        moving = members.filtered(
            lambda m: target_campaign and m.campaign_id != target_campaign
        )
        if not self.user_id and not moving:
            raise UserError(_("Choose the agent or the campaign to forward to."))
        self._check_targets(moving)
        members.check_access("write")
        # the members may leave the agent's record rules on the way: the
        # access was checked above, the history still names the agent
        members = members.sudo()
        moving = moving.sudo()
        previous = {m.id: (m.user_id, m.campaign_id) for m in members}
        with self.env.cr.savepoint():
            if moving:
                moving.with_context(
                    call_campaign_forward=True, call_campaign_no_history=True
                ).write(
                    {
                        "campaign_id": target_campaign.id,
                        "stage_id": target_campaign.stage_ids[:1].id,
                        "reserved_user_id": False,
                        "reserved_until": False,
                    }
                )
            if self.user_id:
                members.with_context(call_campaign_no_history=True).write(
                    {"user_id": self.user_id.id}
                )
            members._set_status(
                self.status_id,
                self.next_call_date,
                reason=self.reason_id,
                note=self.note,
                kind="forward",
                assign_to=self.user_id,
                member_vals={
                    member.id: {
                        "from_user_id": previous[member.id][0].id,
                        "to_user_id": member.user_id.id,
                        "from_campaign_id": previous[member.id][1].id,
                        "to_campaign_id": member.campaign_id.id,
                    }
                    for member in members
                },
            )
        if (
            self.member_ids.with_user(self.env.user)._filtered_access("read")
            != self.member_ids
        ):
            # handed to a colleague the agent no longer sees: the screen
            # behind must not reload them
            return {"type": "ir.actions.act_window_close", "infos": {"noReload": True}}
        return {"type": "ir.actions.act_window_close"}

    def _check_targets(self, moving):
        """What the status service cannot see: the move and the new agent."""
        target_campaign = self.campaign_id
        if moving:
            if target_campaign.state == "done":
                raise UserError(
                    _(
                        "The campaign “%s” is done: nobody can be forwarded to it.",
                        target_campaign.name,
                    )
                )
            already = (
                self.env["call.campaign.member"]
                .sudo()
                .with_context(active_test=False)
                .search(
                    [
                        ("campaign_id", "=", target_campaign.id),
                        ("partner_id", "in", moving.partner_id.ids),
                    ],
                    limit=1,
                )
            )
            if already:
                raise UserError(
                    _(
                        "%(contact)s is already a member of the campaign “%(campaign)s”.",
                        contact=already.partner_id.display_name,
                        campaign=target_campaign.name,
                    )
                )
        if self.user_id:
            for campaign in target_campaign or self.member_ids.campaign_id:
                if self.user_id not in campaign.agent_ids:
                    raise UserError(
                        _(
                            "%(user)s is not an agent of the campaign “%(campaign)s”.",
                            user=self.user_id.name,
                            campaign=campaign.name,
                        )
                    )
