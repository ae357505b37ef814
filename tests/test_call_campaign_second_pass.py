"""What a new user met on the agent's and the manager's screens (issue 25),
each checked where the rule lives."""

import re
from ast import literal_eval
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from ..models import call_campaign_add_request as add_request
from ..models import call_campaign_audience as audience_module
from ..models.call_campaign_figures import HEALTH_FIELDS
from ..wizards import call_campaign_member_add as add_wizard
from .common import CallCampaignCase, force_member_state
from .test_call_campaign_audience import AudienceCaseMixin


@tagged("call_campaign", "post_install", "-at_install")
class TestSecondPass(CallCampaignCase):
    @users("cc_manager")
    def test_status_actions_offer_only_actions_meant_for_statuses(self):
        """The status form's picker, as the manager opens it: no scheduled
        job's action, no menu action such as Next Call."""
        domain = self.env["call.status"]._fields["action_ids"].domain
        offered = self.env["ir.actions.server"].search(literal_eval(domain))
        self.assertTrue(offered, "the shipped status actions")
        self.assertFalse(offered.filtered(lambda a: a.usage != "ir_actions_server"))
        next_call = self.env.ref("call_campaign.call_campaign_member_action_next_call")
        self.assertNotIn(next_call, offered)
        crons = (
            self.env["ir.cron"].sudo().search([("id", "!=", 0)]).ir_actions_server_id
        )
        self.assertFalse(offered & crons)

    @users("cc_agent")
    @freeze_time("2026-12-02 22:30:00")  # 23:30 in Warsaw, the agent's zone
    def test_a_follow_up_in_an_hour_is_not_painted_overdue(self):
        """My Calls paints a member red when it is overdue: the queue's own
        ``due``, not a comparison of dates in two time zones."""
        member = self.members[0].with_env(self.env)
        force_member_state(
            self.su_env["call.campaign.member"].browse(member.id),
            {
                "status_id": self.st_follow.id,
                "state": "scheduled",
                "user_id": self.agent.id,
                "next_call_date": fields.Datetime.now() + timedelta(hours=1),
            },
        )
        member.invalidate_recordset(["due"])
        self.assertNotEqual(member.due, "overdue")
        arch = member.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn("decoration-danger=\"due == 'overdue'\"", arch)
        with freeze_time("2026-12-03 00:00:00"):
            member.invalidate_recordset(["due"])
            self.assertEqual(member.due, "overdue")

    @users("cc_agent")
    def test_the_campaigns_button_counts_what_it_lists(self):
        partner = self.partners[0].with_env(self.env)
        self.su_env["call.campaign.member"].browse(self.members[0].id).action_archive()
        partner.invalidate_recordset(["call_member_count"])
        action = partner.action_view_call_members()
        listed = (
            self.env["call.campaign.member"]
            .with_context(**action["context"])
            .search(action["domain"])
        )
        self.assertEqual(partner.call_member_count, 1, "the archived membership")
        self.assertEqual(partner.call_member_count, len(listed))

    def test_agents_start_their_day_on_my_day(self):
        my_day = self.env.ref("call_campaign.call_campaign_member_action_my_day").id
        self.assertEqual(self.agent.action_id.id, my_day)
        self.assertFalse(self.manager.action_id, "a manager keeps Odoo's default")
        user = self.env["res.users"].create({"name": "Later Agent", "login": "later"})
        self.assertFalse(user.action_id)
        user.groups_id += self.env.ref("call_campaign.group_call_agent")
        self.assertEqual(user.action_id.id, my_day, "an agent from now on")
        chosen = self.env.ref("base.action_res_users").id
        user.action_id = chosen
        user.groups_id += self.env.ref("call_campaign.group_call_dialer")
        self.assertEqual(user.action_id.id, chosen, "their own choice stays")

    @users("cc_agent")
    def test_the_forward_names_the_customer_and_offers_new_campaigns(self):
        other = self.su_env["call.campaign"].create(
            {"name": "Other", "agent_ids": [(4, self.agent2.id)], "state": "running"}
        )
        fresh = self.su_env["call.campaign"].create(
            {"name": "Fresh", "agent_ids": [(4, self.agent2.id)], "state": "running"}
        )
        self.su_env["call.campaign.member"].create(
            {"campaign_id": other.id, "partner_id": self.partners[0].id}
        )
        member = self.members[0].with_env(self.env)
        wizard = (
            self.env["call.campaign.member.forward"]
            .with_context(active_model=member._name, active_ids=member.ids)
            .create({"status_id": self.st_call.id, "user_id": self.agent2.id})
        )
        self.assertEqual(wizard.member_summary, "Customer 0")
        self.assertIn(other, wizard.sudo().taken_campaign_ids)
        self.assertNotIn(fresh, wizard.sudo().taken_campaign_ids)
        self.assertIn(
            "('id', 'not in', taken_campaign_ids)",
            wizard._fields["campaign_id"].domain,
        )
        arch = wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertRegex(
            arch,
            r"o_call_forward_closes\"[^>]*invisible=\"status_behavior not in "
            r"\('closed', 'do_not_call'\)\"",
        )
        notice = wizard.action_forward()
        self.assertEqual(notice["params"]["title"], "Forwarded")
        self.assertIn("Customer 0 forwarded to", notice["params"]["message"])

    def test_every_campaign_figure_says_what_it_counts(self):
        Campaign = self.env["call.campaign"]
        figures = [
            field
            for field in Campaign._fields.values()
            if field.compute
            in ("_compute_figures", "_compute_revenue", "_compute_interaction_count")
            or field.name in HEALTH_FIELDS
        ]
        self.assertGreater(len(figures), 20)
        for field in figures:
            self.assertTrue(field.help, f"{field.name} has no help")

    @users("cc_manager")
    def test_a_new_campaign_is_counted_from_its_first_members(self):
        campaign = self.env["call.campaign"].create(
            {"name": "Fresh", "agent_ids": [(4, self.agent.id)], "state": "running"}
        )
        self.assertFalse(campaign.health_date)
        self.env["call.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": self.partners[0].id}
        )
        self.assertTrue(campaign.health_date, "counted when the first member came")
        self.assertEqual(campaign.callable_now_count, 1)
        other = self.env["call.campaign"].create(
            {"name": "Wizard", "agent_ids": [(4, self.agent.id)], "state": "running"}
        )
        other._add_members_from(self.partners[1:])
        self.assertEqual(other.callable_now_count, 4)
        self.assertTrue(other.health_date)

    @users("cc_agent")
    def test_the_call_screen_layout(self):
        """One number-to-dial line (the contact's other numbers only when
        different), Save & Next for Do not call too (confirmed), the reason
        only for results that have reasons."""
        arch = self.env["call.campaign.member.log"].get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertIn('string="Number to dial"', arch)
        self.assertIn("phone == dial_number", arch)
        self.assertIn("mobile == dial_number", arch)
        self.assertRegex(
            arch, r'name="reason_id"[^>]*invisible="not status_reason_ids"'
        )
        save_and_next = re.findall(r"<button[^>]*action_save_and_next[^>]*>", arch)
        self.assertEqual(len(save_and_next), 2)
        self.assertTrue(
            any(
                "confirm=" in button and "status_behavior != 'do_not_call'" in button
                for button in save_and_next
            )
        )

    @users("cc_agent")
    def test_reached_or_not_both_on_screen_one_chosen(self):
        """The Not reached badges and the results stay on screen whichever
        is chosen (nothing moves under the pointer); choosing one clears the
        other, and RPC callers cannot send both."""
        self.campaign.sudo().status_ids |= self.st_no_answer
        arch = self.env["call.campaign.member.log"].get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertRegex(arch, r'name="outcome"[^>]*invisible="member_count &gt; 1"')
        self.assertNotRegex(arch, r'name="status_id"[^>]*invisible=')
        member = self.members[0].with_env(self.env)
        with Form(
            self.env["call.campaign.member.log"].with_context(
                active_model="call.campaign.member", active_ids=member.ids
            )
        ) as screen:
            screen.status_id = self.st_interested
            screen.outcome = "no_answer"
            self.assertFalse(screen.status_id)
            screen.status_id = self.st_interested
            self.assertFalse(screen.outcome)
        with self.assertRaisesRegex(UserError, "not both"):
            member.log_call(status=self.st_interested, outcome="no_answer")
        self.assertFalse(member.interaction_ids.filtered(lambda i: i.kind == "call"))

    @users("cc_agent")
    def test_calendar_calls_last_their_handle_time(self):
        """The calendar shows a call as long as the campaign's calls take
        (at least 5 minutes), not as a one-hour meeting."""
        arch = self.env["mail.activity"].get_view(
            self.env.ref("call_campaign.mail_activity_view_calendar_call").id,
            "calendar",
        )["arch"]
        self.assertIn('date_delay="call_duration_hours"', arch)
        member = self.members[0].with_env(self.env)
        member.set_status(
            self.st_follow, next_call_date=fields.Datetime.now() + timedelta(days=1)
        )
        call = self.env["mail.activity"].search([("call_member_id", "=", member.id)])
        self.assertEqual(len(call), 1)
        self.assertAlmostEqual(call.call_duration_hours, 5 / 60)
        self.campaign.sudo().average_handle_time = 12.0
        call.invalidate_recordset(["call_duration_hours"])
        self.assertAlmostEqual(call.call_duration_hours, 12 / 60)


@tagged("call_campaign", "post_install", "-at_install")
class TestAddingInTheBackground(AudienceCaseMixin, CallCampaignCase):
    """A big filter is added by a job, not in the web request: the wizard
    returns at once, the campaign shows the progress, the counts come in its
    chatter; the wizard reads filters as the audience does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_audience()
        cls.bulk = cls.env["res.partner"].create(
            [{"name": f"Bulk {i}", "phone": f"+48 602 400 {i:03d}"} for i in range(5)]
        )

    def _wizard(self, domain):
        return (
            self.env["call.campaign.member.add"]
            .with_user(self.manager)
            .create(
                {
                    "campaign_id": self.campaign.id,
                    "res_model": "res.partner",
                    "domain": domain,
                }
            )
        )

    def test_a_big_filter_is_added_by_the_job(self):
        wizard = self._wizard("[('name', '=like', 'Bulk %')]")
        with (
            patch.object(add_wizard, "ADD_INLINE_LIMIT", 3),
            patch.object(add_request, "ADD_BATCH", 2),
        ):
            wizard.action_add()
            self.assertEqual(wizard.state, "queued")
            self.assertEqual(wizard.queued_count, 5)
            self.assertFalse(
                self.campaign.member_ids.filtered(lambda m: m.partner_id in self.bulk),
                "nothing added in the request",
            )
            cron = self.env.ref("call_campaign.ir_cron_add_members")
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
            )
            campaign = self.campaign.with_user(self.manager)
            self.assertIn("0 of 5", campaign.add_progress)
            request = self.env["call.campaign.add.request"].search(
                [("campaign_id", "=", self.campaign.id)]
            )
            request._add_batch()
            campaign.invalidate_recordset(["add_progress"])
            self.assertIn("2 of 5", campaign.add_progress)
            self.env["call.campaign.add.request"]._cron_add_members()
            self.env["call.campaign.add.request"]._cron_add_members()  # twice: safe
        self.assertEqual(request.state, "done")
        self.assertEqual(
            (request.added_count, request.duplicate_count, request.done_count),
            (5, 0, 5),
        )
        added = self.campaign.member_ids.filtered(lambda m: m.partner_id in self.bulk)
        self.assertEqual(len(added), 5)
        self.assertEqual(added.create_uid, self.manager, "added as the manager")
        campaign.invalidate_recordset(["add_progress"])
        self.assertFalse(campaign.add_progress)
        message = self.campaign.message_ids[:1]
        self.assertIn("Members added: 5", message.body)
        self.assertIn(self.manager.partner_id, message.partner_ids)

    def test_the_wizard_reads_filters_as_the_audience_does(self):
        wizard = self._wizard(
            "[('name', '=like', 'Bulk %'), "
            "('create_date', '>=', context_today() - relativedelta(days=1))]"
        )
        wizard.action_add()
        self.assertEqual((wizard.state, wizard.added_count), ("done", 5))
        with self.assertRaisesRegex(UserError, "filter is not valid"):
            self._wizard("[('name', '=', object.name)]").action_add()

    def test_a_big_audience_is_updated_by_its_job(self):
        with patch.object(audience_module, "ADD_INLINE_LIMIT", 3):
            notice = self.audience.with_user(self.manager).action_sync_audience()
        self.assertEqual(notice["params"]["type"], "info")
        self.assertIn("in the background", notice["params"]["message"])
        self.assertFalse(self.audience.member_ids, "nothing joined in the request")
        cron = self.env.ref("call_campaign.ir_cron_sync_audiences")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    @users("cc_manager")
    def test_the_members_button_keeps_its_count_while_the_form_is_edited(self):
        with Form(self.env["call.campaign"].browse(self.campaign.id)) as form:
            self.assertEqual(form.member_count, 5)
            form.audience_model = "res.partner"
            form.audience_domain = "[('name', '=like', 'Customer %')]"
            self.assertEqual(form.member_count, 5, "not 0 while editing")
            form.audience_model = False
