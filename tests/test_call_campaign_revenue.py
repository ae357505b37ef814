from odoo import Command
from odoo.tests import tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestCampaignRevenue(CallCampaignCase):
    """Opportunities, pipeline, won revenue and conversion of a campaign,
    against figures computed by hand on five leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        partners = cls.env["res.partner"].create(
            [{"name": f"Buyer {i}", "phone": f"+48 606 100 {i:03d}"} for i in range(5)]
        )
        cls.leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {i}",
                    "partner_id": partner.id,
                    "type": "opportunity" if i < 4 else "lead",
                    "expected_revenue": amount,
                }
                for i, (partner, amount) in enumerate(
                    zip(partners, (1000, 2500, 4000, 700, 9999), strict=True)
                )
            ]
        )
        cls.revenue = cls.env["call.campaign"].create(
            {
                "name": "Revenue",
                "state": "running",
                "agent_ids": [Command.set((cls.agent | cls.agent2).ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        cls.lead_members = cls.env["call.campaign.member"].create(
            [
                {
                    "campaign_id": cls.revenue.id,
                    "partner_id": lead.partner_id.id,
                    "lead_id": lead.id,
                    "user_id": user.id,
                }
                for lead, user in zip(
                    cls.leads,
                    (cls.agent, cls.agent, cls.agent2, cls.agent2, cls.agent),
                    strict=True,
                )
            ]
        )
        # Deal 0 won (agent), Deal 2 won (agent2), Deal 3 lost, Deal 1 open;
        # Deal 4 is a lead, not an opportunity
        (cls.leads[0] | cls.leads[2]).write({"stage_id": won_stage.id})
        cls.leads[3].action_set_lost()

    @users("cc_manager")
    def test_figures_computed_by_hand(self):
        campaign = self.revenue.with_env(self.env)
        self.assertRecordValues(
            campaign,
            [
                {
                    "opportunity_count": 4,
                    "won_count": 2,
                    "pipeline_amount": 2500.0,  # Deal 1
                    "won_amount": 5000.0,  # Deal 0 + Deal 2
                    "conversion_rate": 50.0,
                }
            ],
        )
        # the pivot behind it: by agent
        action = campaign.action_view_revenue()
        groups = self.env["call.campaign.member"].read_group(
            action["domain"],
            ["lead_revenue:sum", "lead_won_revenue:sum", "lead_won_count:sum"],
            ["user_id"],
        )
        by_agent = {g["user_id"][0]: g for g in groups}
        self.assertEqual(by_agent[self.agent.id]["lead_won_revenue"], 1000.0)
        self.assertEqual(by_agent[self.agent.id]["lead_won_count"], 1)
        self.assertEqual(by_agent[self.agent.id]["user_id_count"], 2)  # Deals 0 and 1
        self.assertEqual(by_agent[self.agent2.id]["lead_won_revenue"], 4000.0)
        self.assertEqual(by_agent[self.agent2.id]["lead_won_count"], 1)

    def test_figures_follow_the_leads(self):
        def figures():
            self.revenue.invalidate_recordset()
            return self.revenue

        self.leads[1].expected_revenue = 3000
        self.assertEqual(figures().pipeline_amount, 3000.0)
        self.leads[3].action_unarchive()
        self.assertEqual(self.lead_members[3].lead_outcome, "open")
        self.assertEqual(figures().pipeline_amount, 3700.0)
        self.leads[4].convert_opportunity(self.leads[4].partner_id)
        self.assertEqual(figures().opportunity_count, 5)
