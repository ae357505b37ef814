from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    call_campaign_call_count = fields.Integer(
        "Calls",
        compute="_compute_call_campaign_stats",
        help="Calls logged in the campaign of the context.",
    )
    call_campaign_success_count = fields.Integer(
        "Successes", compute="_compute_call_campaign_stats"
    )
    call_campaign_member_count = fields.Integer(
        "Assigned Members", compute="_compute_call_campaign_stats"
    )

    @api.depends_context("call_campaign_id")
    def _compute_call_campaign_stats(self):
        """Per-agent figures of one campaign (the dashboard's agents list)."""
        campaign_id = self.env.context.get("call_campaign_id")
        calls, successes, members = {}, {}, {}
        if campaign_id:
            Interaction = self.env["call.interaction"]
            domain = [
                ("campaign_id", "=", campaign_id),
                ("user_id", "in", self.ids),
                ("kind", "in", ("call", "outcome")),
            ]
            calls = dict(Interaction._read_group(domain, ["user_id"], ["__count"]))
            successes = dict(
                Interaction._read_group(
                    domain + [("result", "=", "success")], ["user_id"], ["__count"]
                )
            )
            members = dict(
                self.env["call.campaign.member"]._read_group(
                    [("campaign_id", "=", campaign_id), ("user_id", "in", self.ids)],
                    ["user_id"],
                    ["__count"],
                )
            )
        for user in self:
            user.call_campaign_call_count = calls.get(user, 0)
            user.call_campaign_success_count = successes.get(user, 0)
            user.call_campaign_member_count = members.get(user, 0)
