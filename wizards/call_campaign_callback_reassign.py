from odoo import api, fields, models

from ..models.public_method import public_method


class CallCampaignCallbackReassign(models.TransientModel):
    """Managers hand an absent agent's pending callbacks to colleagues in
    turn. Collects the input; the members' ``reassign_callbacks`` checks and
    does the rest, all or nothing."""

    _name = "call.campaign.callback.reassign"
    _description = "Reassign Callbacks"
    _inherit = ["call.guard.mixin"]
    # what the user fills in
    _call_user_write_fields = frozenset(
        {
            "campaign_id",
            "member_ids",
            "only_overdue",
            "user_id",
            "user_ids",
        }
    )

    def _default_member_ids(self):
        Member = self.env["call.campaign.member"]
        return Member._from_active_context().filtered_domain(Member._callback_domain())

    member_ids = fields.Many2many(
        "call.campaign.member",
        string="Selected Callbacks",
        default=lambda self: self._default_member_ids(),
        help="The callbacks chosen on the members list; empty: the agent's.",
    )
    campaign_id = fields.Many2one(
        "call.campaign", help="Only the callbacks of this campaign; empty: all."
    )
    user_id = fields.Many2one(
        "res.users",
        string="From Agent",
        domain="[('share', '=', False)]",
        help="The agent whose callbacks are handed over.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="To Agents",
        compute="_compute_user_ids",
        store=True,
        readonly=False,
        domain="[('share', '=', False)]",
        help="They get the callbacks in turn, by follow-up date; one with no room "
        "under the campaign's callbacks per agent is skipped.",
    )
    only_overdue = fields.Boolean(
        help="Only the callbacks whose follow-up date has passed."
    )
    callback_count = fields.Integer(
        "Callbacks to Reassign", compute="_compute_callback_count"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.depends("campaign_id", "user_id", "member_ids")
    def _compute_user_ids(self):
        for wizard in self:
            campaigns = wizard.campaign_id or wizard.member_ids.campaign_id
            wizard.user_ids = (
                campaigns.agent_ids - wizard.user_id - wizard.member_ids.user_id
            )

    @api.depends("campaign_id", "user_id", "member_ids", "only_overdue")
    def _compute_callback_count(self):
        for wizard in self:
            wizard.callback_count = len(wizard._get_callbacks())

    def _get_callbacks(self):
        """The pending callbacks the input names: the selected ones, else the
        agent's (in the campaign), the overdue ones only when asked."""
        self.ensure_one()
        Member = self.env["call.campaign.member"]
        if self.member_ids:
            domain = [("id", "in", self.member_ids._origin.ids)]
        elif self.user_id:
            domain = [("user_id", "=", self.user_id.id)] + (
                [("campaign_id", "=", self.campaign_id.id)] if self.campaign_id else []
            )
        else:
            return Member
        if self.only_overdue:
            domain += Member._due_domain("overdue")
        return Member.search(domain + Member._callback_domain())

    @public_method(one=True)
    def action_reassign(self):
        given = self._get_callbacks().reassign_callbacks(self.user_ids.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Callbacks reassigned"),
                "message": ", ".join(
                    self.env._(
                        "%(agent)s: %(count)s",
                        agent=share["name"],
                        count=len(share["member_ids"]),
                    )
                    for share in given
                ),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
