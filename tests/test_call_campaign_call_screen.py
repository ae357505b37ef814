from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestCallScreen(CallCampaignCase):
    """Working a call from Log a Call: manual attempts, quick call-back dates,
    Save & Next, Skip."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.status_ids |= cls.st_no_answer | cls.st_busy

    def _screen(self, member):
        return Form(
            self.env["call.campaign.member.log"].with_context(
                active_model="call.campaign.member", active_ids=member.ids
            )
        )

    @users("cc_agent")
    def test_skip_releases_with_history(self):
        Member = self.env["call.campaign.member"]
        member = Member.next_for_agent(self.campaign.ids)
        self.assertEqual(member.reserved_user_id, self.agent)
        member.action_skip("Wrong moment")
        self.assertFalse(member.reserved_user_id)
        skipped = member.interaction_ids.filtered(lambda i: i.kind == "skipped")
        self.assertEqual(skipped.note, "Wrong moment")
        with self.assertRaisesRegex(UserError, "not reserved to you"):
            member.action_skip()

    @users("cc_agent")
    def test_manual_attempt_needs_no_result(self):
        member = self.env["call.campaign.member"].next_for_agent(self.campaign.ids)
        with self._screen(member) as screen:
            screen.outcome = "no_answer"
        screen.record.action_log()
        self.assertEqual(member.attempt_count, 1)
        self.assertEqual(member.status_id, self.st_no_answer, "the retry rules apply")
        outcome = member.interaction_ids.filtered(lambda i: i.kind == "outcome")
        self.assertEqual(outcome.outcome, "no_answer")
        hidden = self.env["call.campaign.member.log"].browse().allowed_status_ids
        self.assertNotIn(self.st_no_answer, hidden, "hidden statuses stay hidden")

    @users("cc_agent")
    def test_quick_call_back_date(self):
        member = self.env["call.campaign.member"].next_for_agent(self.campaign.ids)
        with self._screen(member) as screen:
            screen.status_id = self.st_recall
            screen.quick_date = "tomorrow"
            self.assertTrue(screen.next_call_date)
        screen.record.action_log()
        self.assertEqual(member.state, "scheduled")

    @users("cc_agent")
    def test_save_and_next_opens_the_next_member(self):
        Member = self.env["call.campaign.member"]
        first = Member.next_for_agent(self.campaign.ids)
        with self._screen(first) as screen:
            screen.status_id = self.st_not_interested
        action = screen.record.action_save_and_next()
        self.assertEqual(first.state, "closed")
        self.assertEqual(action["res_model"], "call.campaign.member.log")
        following = Member.browse(action["context"]["active_ids"])
        self.assertNotEqual(following, first)
        self.assertEqual(following.reserved_user_id, self.agent, "reserved to me")

    @users("cc_agent")
    def test_history_is_a_timeline_newest_first(self):
        member = self.env["call.campaign.member"].next_for_agent(self.campaign.ids)
        member.register_call_outcome("no_answer")
        with self._screen(member) as screen:
            screen.note = "Second try"
        history = screen.record.interaction_ids
        self.assertEqual(history.mapped("kind"), ["outcome", "added"])
        arch = self.env["call.campaign.member.log"].get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertRegex(
            arch, r'name="interaction_ids"[^>]*mode="kanban"', "one event per row"
        )

    @users("cc_agent")
    def test_closing_the_screen_releases_the_customer(self):
        member = self.env["call.campaign.member"].next_for_agent(self.campaign.ids)
        history = len(member.interaction_ids)
        with self._screen(member) as screen:
            self.assertTrue(screen.reserved_to_me)
            self.assertEqual(screen.reserved_until, member.reserved_until)
        screen.record.action_close()
        self.assertFalse(member.reserved_user_id, "back in the queue")
        self.assertEqual(len(member.interaction_ids), history, "not history")

    @users("cc_agent")
    def test_skip_from_the_screen_moves_on(self):
        Member = self.env["call.campaign.member"]
        first = Member.next_for_agent(self.campaign.ids)
        with self._screen(first) as screen:
            screen.note = "Busy line, try later"
        action = screen.record.action_skip()
        self.assertFalse(first.reserved_user_id)
        self.assertEqual(first.attempt_count, 0, "a skip is not a call")
        self.assertNotEqual(Member.browse(action["context"]["active_ids"]), first)


@tagged("call_campaign", "post_install", "-at_install")
class TestAgentScripts(CallCampaignCase):
    """Campaign and result scripts, filled in with Odoo's template engine for
    the agent on the call screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.script = (
            '<p>Hello <t t-out="object.partner_id.name"/>, '
            'this is <t t-out="object.user_id.name"/>.</p>'
        )
        cls.st_not_interested.script = (
            '<p>Ask <t t-out="object.partner_id.name"/> what would change it.</p>'
        )
        cls.members[0].write({"user_id": cls.agent.id})

    @users("cc_agent")
    def test_scripts_filled_in_for_the_agent(self):
        member = self.members[0].with_env(self.env)
        self.assertIn("Hello Customer 0", member.script_html)
        self.assertIn(self.agent.name, member.script_html)
        with Form(
            self.env["call.campaign.member.log"].with_context(
                active_model="call.campaign.member", active_ids=member.ids
            )
        ) as screen:
            self.assertIn("Hello Customer 0", screen.script_html)
            self.assertFalse(screen.status_script_html)
            screen.status_id = self.st_not_interested
            self.assertIn("Ask Customer 0", screen.status_script_html)

    @users("cc_agent")
    def test_a_script_that_cannot_be_filled_in_is_a_notice(self):
        self.campaign.sudo().script = '<p><t t-out="object.no_such_field"/></p>'
        member = self.members[0].with_env(self.env)
        with mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            self.assertIn("could not be shown", member.script_html)

    def test_agents_who_may_not_edit_templates_read_their_script(self):
        """The member form and the call screen show the script to agents
        outside the Mail Template Editor group, dates in the agent's format
        and time zone, an empty value as its default or the field's name."""
        editor = self.env.ref("mail.group_mail_template_editor")
        self.env.ref("base.group_user").implied_ids -= editor
        editor.users -= self.agent
        self.agent.tz = "America/Sao_Paulo"  # UTC-3
        self.campaign.script = (
            '<p>Hello <t t-out="object.partner_id.name">there</t>, '
            'this is <t t-out="object.user_id.name">your agent</t> from '
            '<t t-out="object.partner_id.parent_id.name">our company</t>. '
            'We spoke last on <t t-out="object.last_call_date"/>. '
            'Your job: <t t-out="object.partner_id.function"/>.</p>'
        )
        self.members[0].sudo().last_call_date = "2026-12-02 17:03:51"
        member = self.members[0].with_user(self.agent)
        self.assertFalse(self.agent.has_group("mail.group_mail_template_editor"))
        script = member.script_html
        self.assertNotIn("could not be shown", script)
        self.assertIn(f"Hello Customer 0, this is {self.agent.name}", script)
        self.assertIn("from our company.", script)
        self.assertIn("We spoke last on 12/02/2026 14:03:51.", script)
        self.assertIn("Your job: [Contact › Job Position].", script)
        # an empty date reads as its default, not as nothing
        self.members[0].sudo().last_call_date = False
        self.campaign.script = (
            '<p>We spoke last on <t t-out="object.last_call_date">(first call)</t>, '
            'next on <t t-out="object.next_call_date"/>.</p>'
        )
        member.invalidate_recordset(["script_html"])
        self.assertIn(
            "We spoke last on (first call), next on [Follow-up Date].",
            member.script_html,
        )
        self.campaign.script = (
            '<p>Hello <t t-out="object.partner_id.name">there</t>, '
            'this is <t t-out="object.user_id.name">your agent</t> from '
            '<t t-out="object.partner_id.parent_id.name">our company</t>. '
            'We spoke last on <t t-out="object.last_call_date"/>. '
            'Your job: <t t-out="object.partner_id.function"/>.</p>'
        )
        member.invalidate_recordset(["script_html"])
        self.members[0].sudo().last_call_date = "2026-12-02 17:03:51"
        script = member.script_html
        with Form(
            self.env["call.campaign.member.log"]
            .with_user(self.agent)
            .with_context(active_model="call.campaign.member", active_ids=member.ids)
        ) as screen:
            self.assertEqual(screen.script_html, script, "the same on the call screen")

    def test_expressions_in_a_script_are_for_template_editors(self):
        editor = self.env.ref("mail.group_mail_template_editor")
        self.env.ref("base.group_user").implied_ids -= editor
        editor.users -= self.manager
        campaign = self.campaign.with_user(self.manager)
        with self.assertRaises(AccessError):
            campaign.script = '<p><t t-out="user.sudo().password"/></p>'
        with self.assertRaises(AccessError):
            self.st_not_interested.with_user(
                self.manager
            ).script = '<p><t t-out="object.sudo().partner_id.name"/></p>'
        campaign.script = '<p>Hello <t t-out="object.partner_id.name">there</t></p>'
        self.assertIn("t-out", campaign.script)

    @users("cc_manager")
    def test_the_script_editor_offers_the_placeholder_picker(self):
        for model in ("call.campaign", "call.status"):
            arch = self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertRegex(
                arch,
                r'name="script"[^>]*dynamic_placeholder_model_reference_field',
                model,
            )
            record = self.env[model].new({})
            self.assertEqual(record.script_model, "call.campaign.member")


@tagged("call_campaign", "post_install", "-at_install")
class TestOpeningTheApp(CallCampaignCase):
    @users("cc_agent")
    def test_members_across_campaigns_by_campaign(self):
        """The members of every campaign are grouped by campaign (each has its
        own stages); one campaign's members by its stages."""
        Member = self.env["call.campaign.member"]
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action"
        )
        self.assertIn("'search_default_group_campaign': 1", action["context"])
        groups = Member.web_read_group([], ["campaign_id"], ["campaign_id"])
        self.assertEqual(groups["length"], 1, "the agent's one campaign")
        own = self.campaign.with_env(self.env).action_view_members()["context"]
        self.assertNotIn("search_default_group_campaign", own)
        self.assertEqual(own["default_campaign_id"], self.campaign.id)

    @users("cc_agent")
    def test_numbers_dial_from_the_lists(self):
        """Members' lists and cards give click-to-dial numbers."""
        Member = self.env["call.campaign.member"]
        for view_type in ("list", "kanban"):
            arch = Member.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertRegex(arch, r'name="phone"[^>]*widget="phone"', view_type)
