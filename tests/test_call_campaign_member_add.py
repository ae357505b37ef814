from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestMemberAddWizard(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_partners = cls.env["res.partner"].create(
            [
                {"name": f"Prospect {i}", "phone": f"+48 603 400 {i:03d}"}
                for i in range(6)
            ]
        )
        cls.env["phone.blacklist"]._add([cls.new_partners[5].phone_sanitized])

    def _wizard(self, **values):
        form = Form(self.env["call.campaign.member.add"])
        form.campaign_id = self.campaign
        for key, value in values.items():
            setattr(form, key, value)
        return form.save()

    @users("cc_manager")
    def test_add_from_contacts_skips_duplicates_and_blacklisted(self):
        ids = (self.new_partners | self.partners[:2]).ids
        wizard = self._wizard(domain=str([("id", "in", ids)]))
        wizard.user_ids = self.agent | self.agent2
        wizard.action_add()
        self.assertEqual(wizard.added_count, 5)
        self.assertEqual(wizard.duplicate_count, 2)
        self.assertEqual(wizard.blacklisted_count, 1)
        added = self.campaign.member_ids.filtered(
            lambda m: m.partner_id in self.new_partners
        )
        self.assertEqual(added.partner_id, self.new_partners[:5])
        self.assertEqual(set(added.mapped("status_id").ids), {self.st_call.id})
        self.assertEqual(len(added.filtered(lambda m: m.user_id == self.agent)), 3)
        self.assertEqual(len(added.filtered(lambda m: m.user_id == self.agent2)), 2)

    @users("cc_manager")
    def test_add_from_leads(self):
        # set-up: the manager also reads the sales team's leads
        self.manager.groups_id |= self.env.ref(
            "sales_team.group_sale_salesman_all_leads"
        )
        leads = self.su_env["crm.lead"].create(
            [
                {"name": "With contact", "partner_id": self.new_partners[0].id},
                {"name": "Without contact", "contact_name": "Nobody"},
                {"name": "Same contact", "partner_id": self.new_partners[0].id},
            ]
        )
        wizard = self._wizard(
            res_model="crm.lead", domain=str([("id", "in", leads.ids)])
        )
        wizard.action_add()
        self.assertEqual(wizard.added_count, 1)
        self.assertEqual(wizard.no_contact_count, 1)
        self.assertEqual(
            wizard.duplicate_count, 1, "the second lead of a contact is counted"
        )
        member = self.campaign.member_ids.filtered(
            lambda m: m.partner_id == self.new_partners[0]
        )
        self.assertIn(member.lead_id, leads[0] | leads[2], "one of its leads")

    @users("cc_agent")
    def test_add_to_campaign_action_from_contact_list(self):
        """An agent adds contacts to a campaign they work in."""
        action = self.new_partners[:2].with_env(self.env).action_add_to_call_campaign()
        wizard = (
            self.env["call.campaign.member.add"]
            .with_context(**action["context"])
            .create({"campaign_id": self.campaign.id})
        )
        wizard.action_add()
        self.assertEqual(wizard.added_count, 2)
        added = self.campaign.member_ids.filtered(
            lambda m: m.partner_id in self.new_partners[:2]
        )
        self.assertEqual(len(added), 2)
        self.assertFalse(added.user_id)

    @users("cc_manager")
    def test_refusals(self):
        wizard = self._wizard(domain="[('id', '=', 0)]")
        wizard.user_ids = self.outsider
        with self.assertRaisesRegex(UserError, "is not an agent of the campaign"):
            wizard.action_add()
        wizard.user_ids = False
        wizard.status_id = self.st_elsewhere
        wizard.domain = str([("id", "=", self.new_partners[0].id)])
        with self.assertRaisesRegex(UserError, "not offered by the campaign"):
            wizard.action_add()
        self.assertFalse(
            self.campaign.member_ids.filtered(
                lambda m: m.partner_id == self.new_partners[0]
            )
        )
        wizard.status_id = False
        wizard.domain = "[('id', '=', "
        with self.assertRaisesRegex(UserError, "filter is not valid"):
            wizard.action_add()
        self.campaign.with_env(self.env).action_done()
        wizard.domain = "[]"
        with self.assertRaisesRegex(UserError, "is done"):
            wizard.action_add()
