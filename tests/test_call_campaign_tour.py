from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import TestCursor
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignTours(HttpCase):
    """The agent's day and the manager's set-up, in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="tour_agent",
            name="Tour Agent",
            groups="call_campaign.group_call_agent,base.group_partner_manager",
        )
        cls.colleague = new_test_user(
            cls.env,
            login="tour_colleague",
            name="Tour Colleague",
            groups="call_campaign.group_call_agent",
        )
        cls.manager = new_test_user(
            cls.env,
            login="tour_manager",
            name="Tour Manager",
            groups="call_campaign.group_call_manager",
        )
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "Tour Campaign",
                "state": "running",
                "agent_ids": [(6, 0, (cls.agent | cls.colleague).ids)],
                "default_status_id": cls.env.ref("call_campaign.call_status_call").id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Customer", "phone": "+48 601 777 001"}
        )
        cls.member = cls.env["call.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.customer.id,
                "priority": "3",
            }
        )

    def test_agent_day(self):
        self.start_tour("/odoo", "call_campaign_agent_tour", login="tour_agent")
        self.member.invalidate_recordset()
        self.assertEqual(self.member.user_id, self.colleague)
        self.assertEqual(
            self.member.interaction_ids.filtered(lambda i: i.kind == "call").reason_id,
            self.env.ref("call_campaign.call_status_reason_callback_asked"),
        )
        self.assertIn("forward", self.member.interaction_ids.mapped("kind"))

    def test_forward_from_the_form_ends_on_my_calls(self):
        self.start_tour(
            f"/odoo/call.campaign.member/{self.member.id}",
            "call_campaign_forward_form_tour",
            login="tour_agent",
        )
        self.member.invalidate_recordset()
        self.assertEqual(self.member.user_id, self.colleague)

    def test_mark_done_opens_log_a_call(self):
        recall = self.env["call.status"].create(
            {
                "name": "Recall tomorrow",
                "behavior": "to_call",
                "schedule_call": True,
                "delay_days": 1,
            }
        )
        self.campaign.status_ids |= recall
        self.member.with_user(self.agent).set_status(recall)
        self.start_tour(
            f"/odoo/call.campaign.member/{self.member.id}",
            "call_campaign_mark_done_tour",
            login="tour_agent",
        )
        self.member.invalidate_recordset()
        self.assertFalse(self.member.result_pending, "nothing was marked done")
        self.assertTrue(self.member.call_activity_ids, "the call is still planned")

    def test_calendar_popover_opens_the_call_screen(self):
        follow_up = self.env.ref("call_campaign.call_status_follow_up")
        self.member.with_user(self.agent).set_status(
            follow_up, fields.Datetime.now() + timedelta(minutes=5)
        )
        self.assertTrue(self.member.call_activity_ids, "a call is planned")
        action = self.env.ref("call_campaign.mail_activity_action_call")
        self.start_tour(
            f"/odoo/action-{action.id}?view_type=calendar",
            "call_campaign_calendar_tour",
            login="tour_agent",
        )

    def test_call_screen_in_three_actions(self):
        """The agent's day through the call screen (see the tour): three
        actions from "My day" to the next customer, then the other ways a
        call ends."""
        no_answer = self.env.ref("call_campaign.call_status_no_answer")
        follow_up = self.env.ref("call_campaign.call_status_follow_up")
        self.campaign.status_ids |= no_answer
        partners = self.env["res.partner"].create(
            [
                {"name": f"Screen Customer {i}", "phone": f"+48 601 888 00{i}"}
                for i in range(1, 6)
            ]
        )
        self.member.action_archive()  # the customer of the other tours
        members = self.env["call.campaign.member"].create(
            [{"campaign_id": self.campaign.id, "partner_id": p.id} for p in partners]
        )
        # set-up: the first customer once said no with a reason; the call
        # screen's history shows the reason
        self.env["call.interaction"]._create_timeline_events(
            [
                {
                    "kind": "status_change",
                    "campaign_id": self.campaign.id,
                    "member_id": members[0].id,
                    "partner_id": partners[0].id,
                    "status_id": self.env.ref(
                        "call_campaign.call_status_not_interested"
                    ).id,
                    "reason_id": self.env.ref(
                        "call_campaign.call_status_reason_price"
                    ).id,
                }
            ]
        )
        self.start_tour(
            "/odoo/action-call_campaign.call_campaign_member_action_my_day",
            "call_campaign_call_screen_tour",
            login="tour_agent",
        )
        members.invalidate_recordset()
        self.assertEqual(
            members[0].status_id,
            self.env.ref("call_campaign.call_status_not_interested"),
        )
        self.assertEqual(members[1].status_id, no_answer)
        self.assertEqual(members[1].attempt_count, 1)
        self.assertEqual(members[2].status_id, follow_up)
        self.assertEqual(members[2].user_id, self.agent, "a callback is mine")
        self.assertGreater(members[2].next_call_date, members[2].last_call_date)
        skipped = members[3].interaction_ids.filtered(lambda i: i.kind == "skipped")
        self.assertEqual(skipped.note, "Asked us to call after lunch")
        self.assertEqual(members[3].user_id, self.colleague, "then forwarded")
        self.assertEqual(
            members[3].interaction_ids.mapped("kind").count("forward"),
            1,
            "the two forwards cancelled wrote nothing",
        )
        self.assertFalse(members[4].reserved_user_id, "the cross handed it back")
        self.assertEqual(
            members[4].interaction_ids.mapped("kind"), ["added"], "not history"
        )

    def test_manager_status_in_campaign(self):
        self.start_tour(
            "/odoo/action-call_campaign.call_status_action",
            "call_campaign_manager_tour",
            login="tour_manager",
        )
        status = self.env["call.status"].search([("name", "=", "Wants a quote")])
        self.assertEqual(status.result, "success")
        self.assertIn(status, self.campaign.status_ids)

    def test_manager_campaign_and_dashboard(self):
        """A manager sets a campaign up from scratch and watches the calls
        per agent move on its dashboard."""
        self.env["res.partner"].create(
            [
                {"name": f"Spring Lead {i}", "phone": f"+48 601 999 00{i}"}
                for i in (1, 2, 3)
            ]
        )
        self.manager.groups_id |= self.env.ref("base.group_partner_manager")
        # set-up: a draft campaign beside the running one (no Next Call on it)
        self.env["call.campaign"].create({"name": "Draft Campaign"})
        self.start_tour(
            "/odoo/action-call_campaign.call_campaign_action",
            "call_campaign_manager_campaign_tour",
            login="tour_manager",
        )
        campaign = self.env["call.campaign"].search([("name", "=", "Spring Offers")])
        self.assertIn("calling about your order", campaign.script)
        self.assertEqual(campaign.state, "running")
        self.assertEqual(
            campaign.member_ids.partner_id.mapped("name"),
            ["Spring Lead 1", "Spring Lead 2", "Spring Lead 3"],
        )
        Member = self.env["call.campaign.member"].with_user(self.agent)
        for _call in range(2):
            Member.next_for_agent(campaign).register_call_outcome("no_answer")
        # the first customer's opportunity, won
        member = campaign.member_ids[0]
        member.write(
            {
                "lead_id": self.env["crm.lead"]
                .create(
                    {
                        "name": "Spring order",
                        "type": "opportunity",
                        "partner_id": member.partner_id.id,
                        "expected_revenue": 1500,
                    }
                )
                .id
            }
        )
        member.user_id = self.agent
        member.lead_id.stage_id = self.env["crm.stage"].search(
            [("is_won", "=", True)], limit=1
        )
        self.start_tour(
            f"/odoo/action-call_campaign.call_campaign_action/{campaign.id}",
            "call_campaign_manager_dashboard_tour",
            login="tour_manager",
        )


@tagged("call_campaign", "post_install", "-at_install")
class TestCallPopsUp(WebsocketCase):
    """An answered call reaches the agent's browser over Odoo's bus.

    Tests run in one transaction that is never committed, and the bus
    announces notifications after a commit: as Odoo's own websocket tests do
    (``WebsocketCase.trigger_notification_dispatching``), the websockets
    listening to the channels a request notified are woken when that
    request "commits"; everything else is the production path (the dialer's
    JSON-RPC report, ``_bus_send``, the websocket, the agent's service)."""

    def setUp(self):
        super().setUp()
        original = TestCursor.commit

        def commit(cr):
            channels = list(cr.postcommit.data.get("bus.bus.channels", ()))
            original(cr)
            for channel in channels:
                for ws in list(dispatch._channels_to_ws.get(hashable(channel), ())):
                    ws.trigger_notification_dispatching()

        self.startPatcher(patch.object(TestCursor, "commit", commit))

    def test_an_answered_call_pops_the_agents_screen(self):
        """The dialer's report over JSON-RPC opens the agent's call screen;
        the agent pauses and resumes from My day."""
        agent = new_test_user(
            self.env,
            login="popup_agent",
            name="Popup Agent",
            groups="call_campaign.group_call_agent",
        )
        dialer = new_test_user(
            self.env, login="popup_dialer", groups="call_campaign.group_call_dialer"
        )
        campaign = self.env["call.campaign"].create(
            {
                "name": "Popup Campaign",
                "state": "running",
                "agent_ids": [(6, 0, (agent | dialer).ids)],
                "default_status_id": self.env.ref("call_campaign.call_status_call").id,
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Popup Customer", "phone": "+48 601 777 002"}
        )
        member = self.env["call.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": customer.id}
        )
        member._write_workflow(
            {
                "reserved_user_id": agent.id,
                "reserved_until": fields.Datetime.now() + timedelta(minutes=15),
            }
        )
        self.start_tour(
            "/odoo", "call_campaign_popup_tour", login="popup_agent", timeout=120
        )
        logs = self.env["call.agent.state.log"].search(
            [("user_id", "=", agent.id)], order="id"
        )
        self.assertEqual(logs.mapped("state")[:2], ["paused", "ready"])
        self.assertEqual(
            self.env["call.campaign.call"]
            .search([("member_id", "=", member.id)])
            .outcome,
            "answered",
        )


@tagged("call_campaign", "post_install", "-at_install")
class TestWallboardLive(WebsocketCase):
    """The supervisor's wallboard follows an agent's state live.

    When a request triggered the wallboard job, the job runs as it commits,
    on its own cursor, as Odoo's cron runner does on the trigger's
    notification (no cron thread runs in tests). The rest is the production
    path: the agent's JSON-RPC, the trigger, the job's one snapshot on the
    company's channel, the bus, the websocket, the wallboard."""

    def setUp(self):
        super().setUp()
        original = TestCursor.commit
        registry = self.registry
        cron = self.env.ref("call_campaign.ir_cron_push_wallboard")

        def commit(cr):
            original(cr)
            if cr.readonly:
                return
            cr.execute(
                "DELETE FROM ir_cron_trigger WHERE cron_id = %s RETURNING id", [cron.id]
            )
            if not cr.fetchall():
                return
            with registry.cursor() as cron_cr:
                env = api.Environment(cron_cr, SUPERUSER_ID, {})
                env["call.campaign"]._cron_push_wallboard()
                channels = list(cron_cr.postcommit.data.get("bus.bus.channels", ()))
            # test cursors do not notify the bus: the websockets are woken
            # as Odoo's websocket tests do
            for channel in channels:
                for ws in list(dispatch._channels_to_ws.get(hashable(channel), ())):
                    ws.trigger_notification_dispatching()

        self.startPatcher(patch.object(TestCursor, "commit", commit))

    def test_the_wallboard_follows_an_agent(self):
        manager = new_test_user(
            self.env,
            login="wb_manager",
            groups="call_campaign.group_call_manager,base.group_user",
        )
        agent = new_test_user(
            self.env,
            login="wb_agent",
            name="Wallboard Agent",
            groups="call_campaign.group_call_agent",
        )
        campaign = self.env["call.campaign"].create(
            {
                "name": "Wallboard Campaign",
                "state": "running",
                "agent_ids": [(6, 0, agent.ids)],
                "company_id": manager.company_id.id,
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Wallboard Customer", "phone": "+48 601 777 003"}
        )
        self.env["call.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": customer.id}
        )
        self.start_tour("/odoo", "call_campaign_wallboard_tour", login="wb_manager")
        self.assertEqual(
            self.env["call.agent.state.log"]
            .search([("user_id", "=", agent.id)], order="id")
            .mapped("state"),
            ["paused", "ready", "on_call"],
        )
