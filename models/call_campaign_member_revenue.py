"""What the campaign's calls earned: the member's opportunity (its lead of
type opportunity), open, won or lost, and its expected revenue; the campaign
sums them and the revenue pivot groups them by agent and status."""

from odoo import api, fields, models


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    lead_outcome = fields.Selection(
        [("open", "Open"), ("won", "Won"), ("lost", "Lost")],
        string="Opportunity",
        compute="_compute_lead_revenue",
        store=True,
        help="Where the member's opportunity stands (empty: no opportunity).",
    )
    lead_revenue = fields.Float(
        "Expected Revenue",
        compute="_compute_lead_revenue",
        store=True,
        help="The expected revenue of the member's opportunity.",
    )
    lead_won_revenue = fields.Float(
        "Won Revenue",
        compute="_compute_lead_revenue",
        store=True,
        help="The expected revenue of the member's opportunity once won.",
    )
    lead_won_count = fields.Integer(
        "Won",
        compute="_compute_lead_revenue",
        store=True,
        help="1 when the member's opportunity is won: summed, the won "
        "opportunities of an agent or a status.",
    )

    @api.depends(
        "lead_id.type",
        "lead_id.active",
        "lead_id.stage_id.is_won",
        "lead_id.expected_revenue",
    )
    def _compute_lead_revenue(self):
        for member in self:
            lead = member.lead_id.with_context(active_test=False)
            if lead.type != "opportunity":
                outcome = False
            elif lead.stage_id.is_won:
                outcome = "won"
            elif not lead.active:
                outcome = "lost"
            else:
                outcome = "open"
            member.lead_outcome = outcome
            member.lead_revenue = lead.expected_revenue if outcome else 0.0
            member.lead_won_revenue = lead.expected_revenue if outcome == "won" else 0.0
            member.lead_won_count = 1 if outcome == "won" else 0
