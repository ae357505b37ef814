from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_agent = cls.env.ref("call_campaign.group_call_agent")
        cls.group_manager = cls.env.ref("call_campaign.group_call_manager")
        cls.root_menu = cls.env.ref("call_campaign.call_campaign_menu_root")
        cls.agent = new_test_user(
            cls.env, login="cc_sec_agent", groups="call_campaign.group_call_agent"
        )
        cls.plain_user = new_test_user(
            cls.env, login="cc_sec_plain", groups="base.group_user"
        )

    def test_manager_implies_agent(self):
        self.assertIn(self.group_agent, self.group_manager.implied_ids)
        manager = new_test_user(
            self.env, login="cc_sec_manager", groups="call_campaign.group_call_manager"
        )
        self.assertTrue(manager.has_group("call_campaign.group_call_agent"))
        self.assertFalse(self.agent.has_group("call_campaign.group_call_manager"))

    def test_admin_is_manager(self):
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "call_campaign.group_call_manager"
            )
        )

    def test_app_menu_visible_to_agents_only(self):
        Menu = self.env["ir.ui.menu"]
        self.assertIn(self.root_menu.id, Menu.with_user(self.agent)._visible_menu_ids())
        self.assertNotIn(
            self.root_menu.id, Menu.with_user(self.plain_user)._visible_menu_ids()
        )
