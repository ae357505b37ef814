from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignAccess(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.members[0].user_id = cls.agent
        cls.members[1].user_id = cls.agent2
        cls.other_campaign = cls.env["call.campaign"].create(
            {"name": "Not mine", "agent_ids": [(6, 0, cls.agent2.ids)]}
        )
        cls.other_campaign.status_ids |= cls.st_recall
        cls.other_member = cls.env["call.campaign.member"].create(
            {"campaign_id": cls.other_campaign.id, "partner_id": cls.partners[0].id}
        )

    def test_agent_sees_own_and_unassigned_members_of_own_campaigns(self):
        visible = self.env["call.campaign.member"].with_user(self.agent).search([])
        self.assertIn(self.members[0], visible)
        self.assertIn(self.members[2], visible, "unassigned member")
        self.assertNotIn(self.members[1], visible, "another agent's member")
        self.assertNotIn(self.other_member, visible, "campaign the agent is not in")
        campaigns = self.env["call.campaign"].with_user(self.agent).search([])
        self.assertIn(self.campaign, campaigns)
        self.assertNotIn(self.other_campaign, campaigns)
        with self.assertRaises(AccessError):
            self.members[1].with_user(self.agent).set_status(self.st_recall)

    def test_manager_sees_everything(self):
        visible = self.env["call.campaign.member"].with_user(self.manager).search([])
        self.assertIn(self.members[1], visible)
        self.assertIn(self.other_member, visible)

    def test_history_is_read_only_for_everyone(self):
        interaction = self.members[0].with_user(self.agent).set_status(self.st_recall)
        self.assertEqual(interaction.create_uid, self.agent)
        for user in (self.agent, self.manager):
            with self.assertRaises(AccessError):
                interaction.with_user(user).write({"note": "rewritten"})
            with self.assertRaises(AccessError):
                interaction.with_user(user).unlink()
        with self.assertRaises(AccessError):
            interaction.sudo().unlink()
        self.assertTrue(interaction.exists())

    def test_agent_cannot_see_history_of_other_campaigns(self):
        self.other_member.set_status(self.st_recall)
        history = self.env["call.interaction"].with_user(self.agent).search([])
        self.assertFalse(
            history.filtered(lambda i: i.campaign_id == self.other_campaign)
        )
        self.assertTrue(history.filtered(lambda i: i.campaign_id == self.campaign))

    def test_manager_configures_statuses_agent_cannot(self):
        status = (
            self.env["call.status"]
            .with_user(self.manager)
            .create({"name": "By manager"})
        )
        status.with_user(self.manager).write({"color": 3})
        self.env["call.status.reason"].with_user(self.manager).create(
            {"name": "R", "status_id": status.id}
        )
        with self.assertRaises(AccessError):
            self.env["call.status"].with_user(self.agent).create({"name": "By agent"})
        with self.assertRaises(AccessError):
            status.with_user(self.agent).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.agent).write({"name": "Renamed"})

    def test_multi_company(self):
        company2 = self.env["res.company"].create({"name": "Other Co"})
        # a campaign's agents belong to its company (Odoo's company check)
        self.agent.company_ids |= company2
        foreign = self.env["call.campaign"].create(
            {
                "name": "Foreign",
                "company_id": company2.id,
                "agent_ids": [(6, 0, self.agent.ids)],
            }
        )
        self.assertNotIn(
            foreign, self.env["call.campaign"].with_user(self.manager).search([])
        )
