from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcCaseMixin

MEMBER = "call.campaign.member"
NOW = datetime(2026, 12, 3, 12, 0, 0)


class GovernorSetup:
    @classmethod
    def setUpGovernor(cls):
        cls.manager = new_test_user(
            cls.env, login="gov_manager", groups="call_campaign.group_call_manager"
        )
        cls.dialer = new_test_user(
            cls.env, login="gov_dialer", groups="call_campaign.group_call_dialer"
        )
        cls.agents = cls.env["res.users"].browse(
            [
                new_test_user(
                    cls.env,
                    login=f"gov_agent{i}",
                    groups="call_campaign.group_call_agent",
                ).id
                for i in range(2)
            ]
        )
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "Governed",
                "state": "running",
                "agent_ids": [Command.set((cls.agents | cls.dialer).ids)],
                "max_abandon_rate": 10.0,
            }
        )
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Governed {i}", "phone": f"+48 601 700 {i:03d}"}
                for i in range(6)
            ]
        )
        cls.members = cls.env[MEMBER].create(
            [{"campaign_id": cls.campaign.id, "partner_id": p.id} for p in partners]
        )

    def place_calls(self, outcomes, when):
        """Calls of the campaign dialled at ``when`` (set-up, as superuser)."""
        self.env["call.campaign.call"].create(
            [
                {
                    "member_id": self.members[i % len(self.members)].id,
                    "state": "ended",
                    "outcome": outcome,
                    "dial_date": when,
                    "end_date": when,
                }
                for i, outcome in enumerate(outcomes)
            ]
        )


@tagged("call_campaign", "post_install", "-at_install")
class TestAbandonGovernor(GovernorSetup, TransactionCase):
    """Issue 24: abandon rates over the regulators' windows, hand-computed
    with calls at the windows' edges, and the dial plan that follows them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpGovernor()

    def rates(self, user):
        campaign = self.campaign.with_user(user)
        campaign.invalidate_recordset(["abandon_rate_24h", "abandon_rate_30d"])
        return campaign.abandon_rate_24h, campaign.abandon_rate_30d

    def plan(self):
        (row,) = [
            r
            for r in self.env["call.campaign"].with_user(self.dialer).get_dial_plan()
            if r["id"] == self.campaign.id
        ]
        return row

    def test_rates_over_both_windows(self):
        with freeze_time(NOW):
            edge_24h = NOW - timedelta(hours=24)
            edge_30d = NOW - timedelta(days=30)
            self.place_calls(["answered"] * 3, NOW - timedelta(hours=1))
            self.place_calls(["dropped"], edge_24h + timedelta(minutes=1))
            # just outside the 24 hours, inside the 30 days
            self.place_calls(["dropped"], edge_24h - timedelta(minutes=1))
            self.place_calls(["answered"], edge_30d + timedelta(minutes=1))
            # outside both, and calls that were never live
            self.place_calls(["dropped"], edge_30d - timedelta(minutes=1))
            self.place_calls(["no_answer", "busy", "voicemail"], NOW)
            # 24 h: 1 dropped of 3 answered + 1 dropped; 30 days: 2 of 4 + 2
            self.assertEqual(self.rates(self.manager), (25.0, 33.33))
            plan = self.plan()
            self.assertEqual(plan["abandon_rate_24h"], 25.0)
            self.assertEqual(plan["abandon_rate_30d"], 33.33)

    def test_dial_plan_follows_the_limit(self):
        self.env["res.users"].browse(self.agents.ids)._set_call_agent_state("ready")
        with freeze_time(NOW):
            # the last hour: 10 answered of 30 dialled, 1 dropped
            self.place_calls(
                ["answered"] * 10 + ["no_answer"] * 20, NOW - timedelta(minutes=30)
            )
            plan = self.plan()
            self.assertEqual(plan["ready_agents"], 2)
            self.assertEqual(plan["dial_ratio"], 3.0)
            self.assertEqual(plan["lines"], 6)
            self.assertFalse(plan["progressive_only"])
            self.place_calls(["dropped"], NOW - timedelta(minutes=20))
            # 1 of 11: 9.09%, under the 10% limit
            plan = self.plan()
            self.assertFalse(plan["progressive_only"], plan)
            self.assertEqual(plan["abandon_rate_24h"], 9.09)
            self.place_calls(["dropped"], NOW - timedelta(minutes=10))
            plan = self.plan()
            self.assertEqual(
                (plan["progressive_only"], plan["dial_ratio"], plan["lines"]),
                (True, 1.0, 2),
            )
            self.assertEqual(plan["reason"], "abandon_rate_24h")
            # a dialling call takes a line
            self.place_calls(["answered"], NOW)
            self.env["call.campaign.call"].search([], limit=1).state = "dialing"
            self.assertEqual(self.plan()["lines"], 1)
        with freeze_time(NOW + timedelta(hours=25)):
            # the day's window is clean, the month's is not
            plan = self.plan()
            self.assertEqual(plan["abandon_rate_24h"], 0.0)
            self.assertEqual(plan["reason"], "abandon_rate_30d")
            self.campaign.max_abandon_rate = 20.0
            plan = self.plan()
            # 2 dropped of 11 answered + 2 in the month is under 20%; no call
            # in the last hour gives no answer rate: one line per ready agent
            self.assertEqual(plan["abandon_rate_30d"], 15.38)
            self.assertEqual(
                (plan["reason"], plan["progressive_only"], plan["dial_ratio"]),
                ("no_answer_rate", True, 1.0),
            )

    def test_over_the_limit_is_flagged_and_paused_if_asked(self):
        member = self.members[0]
        self.campaign.abandon_pause = False
        for _i in range(2):
            member.with_user(self.dialer).register_call_outcome("answered")
        self.assertFalse(self.campaign.abandon_limit_date)
        self.members[1].with_user(self.dialer).register_call_outcome("dropped")
        self.assertTrue(self.campaign.abandon_limit_date, "1 of 3: over 10%")
        self.assertEqual(self.campaign.state, "running", "not paused unless asked")
        self.assertIn("abandon rate", self.campaign.message_ids[0].body)
        self.assertTrue(self.members[1].last_dropped_date)
        self.campaign.max_abandon_rate = 50.0
        member.with_user(self.dialer).register_call_outcome("answered")
        self.assertFalse(self.campaign.abandon_limit_date, "back below")
        self.campaign.write({"max_abandon_rate": 10.0, "abandon_pause": True})
        self.members[2].with_user(self.dialer).register_call_outcome("dropped")
        self.assertEqual(self.campaign.state, "paused")

    def test_only_dialers_and_managers_plan(self):
        with self.assertRaises(UserError) as caught:
            self.env["call.campaign"].with_user(self.agents[0]).get_dial_plan()
        self.assertEqual(caught.exception.context.get("error_key"), "not_dialer")
        self.assertTrue(
            self.env["call.campaign"].with_user(self.manager).get_dial_plan()
        )
        with self.assertRaises(UserError):
            self.campaign.with_user(self.manager).write(
                {"abandon_limit_date": fields.Datetime.now()}
            )


@tagged("call_campaign", "post_install", "-at_install")
class TestPredictiveReservation(GovernorSetup, RpcCaseMixin, HttpCase):
    """``reserve_numbers`` over JSON-RPC as the dialer: never a customer
    dropped within the recall hours; they still go to an agent who waits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpGovernor()

    def result(self, answer):
        self.assertNotIn("error", answer, answer.get("error"))
        return answer["result"]

    def test_dropped_customers_wait_for_an_agent(self):
        now = fields.Datetime.now()
        recent, old = self.members[:2]
        recent.sudo()._write_workflow({"last_dropped_date": now - timedelta(hours=71)})
        old.sudo()._write_workflow({"last_dropped_date": now - timedelta(hours=73)})
        reserved = self.result(
            self.rpc(
                self.dialer, "call.campaign", "reserve_numbers", self.campaign.ids, 10
            )
        )
        given = [row["member_id"] for row in reserved]
        self.assertNotIn(recent.id, given, "dropped 71 hours ago")
        self.assertIn(old.id, given, "dropped 73 hours ago")
        self.assertEqual(sorted(given), sorted((self.members - recent).ids))
        self.env.invalidate_all()
        calls = self.env["call.campaign.call"].search(
            [("call_uid", "in", [row["call_uid"] for row in reserved])]
        )
        self.assertEqual(set(calls.mapped("state")), {"dialing"})
        self.assertEqual(set(calls.member_id.reserved_user_id.ids), {self.dialer.id})
        self.assertEqual(
            {row["number"] for row in reserved if row["member_id"] == old.id},
            {old.partner_id.phone},
        )
        # nothing left for a second dialer request, the dropped one included
        self.assertEqual(
            self.result(
                self.rpc(
                    self.dialer,
                    "call.campaign",
                    "reserve_numbers",
                    self.campaign.ids,
                    10,
                )
            ),
            [],
        )
        self.assertFalse(
            self.result(
                self.rpc(
                    self.dialer, MEMBER, "next_number_for_agent", self.campaign.ids
                )
            )["member_id"],
            "the dialer alone does not get them either",
        )
        # an agent waits: progressive
        self.result(
            self.rpc(self.agents[0], "res.users", "set_call_agent_state", "ready")
        )
        given = self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "next_number_for_agent",
                self.campaign.ids,
                agent_id=self.agents[0].id,
            )
        )
        self.assertEqual(given["member_id"], recent.id)
        # the reported outcome completes the dialling call
        row = reserved[0]
        self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                [row["member_id"]],
                "no_answer",
                call_uid=row["call_uid"],
            )
        )
        self.env.invalidate_all()
        call = self.env["call.campaign.call"].search(
            [("call_uid", "=", row["call_uid"])]
        )
        self.assertRecordValues(call, [{"state": "ended", "outcome": "no_answer"}])

    def test_a_dropped_customer_is_next_for_a_ready_agent(self):
        self.members[1:].sudo().write({"active": False})
        self.members[0].sudo()._write_workflow(
            {"last_dropped_date": fields.Datetime.now() - timedelta(hours=1)}
        )
        member = self.result(
            self.rpc(self.agents[0], MEMBER, "next_for_agent", self.campaign.ids)
        )
        self.assertEqual(member, self.members[0].id)

    def test_only_dialers_reserve(self):
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.agents[0], "call.campaign", "reserve_numbers", self.campaign.ids, 5
            )
        self.assertEqual(answer["error"]["data"]["context"]["error_key"], "not_dialer")
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer, "call.campaign", "reserve_numbers", self.campaign.ids, 0
            )
        self.assertEqual(
            answer["error"]["data"]["context"]["error_key"], "bad_argument"
        )
        self.campaign.state = "paused"
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer, "call.campaign", "reserve_numbers", self.campaign.ids, 5
            )
        self.assertEqual(answer["error"]["data"]["context"]["error_key"], "not_running")
