import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..models import call_campaign_wallboard as wallboard
from .test_call_campaign_governor import GovernorSetup


@tagged("call_campaign", "post_install", "-at_install")
class TestWallboard(GovernorSetup, TransactionCase):
    """Issue 24: one snapshot per tick for every open wallboard, pushed on
    the company's channel; the agents' time per day, one definition."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpGovernor()
        cls.agents.write({"tz": "UTC"})
        cls.cron = cls.env.ref("call_campaign.ir_cron_push_wallboard")

    def snapshot(self, user=None):
        return self.env["call.campaign"].with_user(user or self.manager).get_wallboard()

    def agent_row(self, snapshot, agent):
        (row,) = [r for r in snapshot["agents"] if r["user_id"] == agent.id]
        return row

    def test_a_change_triggers_one_push_for_every_viewer(self):
        # a new transaction (what a test shares with the one before is not)
        self.env.cr.precommit.clear()

        def triggers():
            return self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.cron.id)]
            )

        before = triggers()
        agent = self.agents[0]
        agent.with_user(agent).set_call_agent_state("ready")
        self.assertEqual(triggers(), before + 1)
        agent.with_user(agent).set_call_agent_state(
            "paused", self.env.ref("call_campaign.call_pause_reason_break").id
        )
        self.assertEqual(triggers(), before + 1, "one run for the transaction")
        self.env["bus.bus"].search([]).unlink()
        self.env["call.campaign"]._cron_push_wallboard()
        # the bus writes its messages when the transaction commits
        self.env.cr.precommit.run()
        messages = self.env["bus.bus"].search(
            [("message", "like", "call_campaign/wallboard")]
        )
        self.assertEqual(len(messages), 1, "one snapshot, whoever watches")
        self.assertIn(
            f'"res.company",{self.campaign.company_id.id},"call_campaign_wallboard"',
            messages.channel,
        )
        row = self.agent_row(self.snapshot(), agent)
        self.assertEqual(row["state"], "paused")
        self.assertEqual(
            (row["reason_id"], row["reason"]),
            (self.env.ref("call_campaign.call_pause_reason_break").id, "Break"),
        )

    def test_the_floor_as_the_manager_sees_it(self):
        # the database's clock is not frozen: real time, in a zone where it is
        # about one in the afternoon (no day ends during the test)
        base = fields.Datetime.now()
        offset = 13 - base.hour
        offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
        zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        self.agents.write({"tz": zone})
        self.campaign.company_id.partner_id.tz = zone
        first, second = self.agents
        with freeze_time(base - timedelta(hours=2)):
            first.with_user(first).set_call_agent_state("ready")
            second.with_user(second).set_call_agent_state("ready")
        with freeze_time(base - timedelta(hours=1)):
            member = self.members[0]
            member.with_user(self.dialer).register_call_outcome(
                "answered", duration=600, ring_seconds=10
            )
            member.call_ids.user_id = first
            first._set_call_agent_state("on_call")
        snapshot = self.snapshot()
        row = self.agent_row(snapshot, first)
        self.assertEqual(
            (row["state"], row["calls_today"], row["talk_seconds_today"]),
            ("on_call", 1, 600),
        )
        (campaign,) = [c for c in snapshot["campaigns"] if c["id"] == self.campaign.id]
        self.assertEqual((campaign["ready"], campaign["on_call"]), (1, 1))
        self.assertEqual(campaign["answered_today"], 1)
        self.assertEqual(campaign["average_handle_seconds"], 600)
        # an hour ready, an hour on a call with 10 minutes of talk
        # a view over the log: what this transaction wrote is flushed first
        self.env.flush_all()
        day = self.env["call.agent.day"].search([("user_id", "=", first.id)])
        self.assertAlmostEqual(day.logged_in_hours, 2.0, delta=0.05)
        self.assertAlmostEqual(day.talk_hours, 600 / 3600, places=3)
        self.assertAlmostEqual(day.occupancy, 100 * 600 / 7200, delta=0.3)
        self.assertEqual(day.call_count, 1)
        self.assertAlmostEqual(row["occupancy"], day.occupancy, places=3)
        with self.assertRaises(UserError) as caught:
            self.snapshot(first)
        self.assertEqual(caught.exception.context.get("error_key"), "not_manager")
        # agents see their own days only
        self.assertFalse(
            self.env["call.agent.day"]
            .with_user(second)
            .search([("user_id", "=", first.id)])
        )

    def test_a_tick_sends_what_changed(self):
        """The bus sends each message to every viewer: a tick sends the
        agents whose row changed, the whole floor every 30th tick."""
        Campaign = self.env["call.campaign"]
        first = self.snapshot()
        agent = self.agents[0]
        agent.with_user(agent).set_call_agent_state("ready")
        second = self.snapshot()
        delta = Campaign._wallboard_delta(first, second)
        self.assertTrue(delta["delta"])
        self.assertEqual([row["user_id"] for row in delta["agents"]], [agent.id])
        self.assertEqual(delta["campaigns"], second["campaigns"])
        self.assertEqual(delta["removed"], [])
        gone = dict(
            second, agents=[r for r in second["agents"] if r["user_id"] != agent.id]
        )
        self.assertEqual(Campaign._wallboard_delta(second, gone)["removed"], [agent.id])
        company = self.campaign.company_id
        wallboard._last_snapshot.pop((self.env.cr.dbname, company.id), None)

        def pushed():
            self.env["bus.bus"].search([]).unlink()
            Campaign._cron_push_wallboard()
            self.env.cr.precommit.run()
            (message,) = self.env["bus.bus"].search(
                [("message", "like", "call_campaign/wallboard")]
            )
            return json.loads(message.message)["payload"]

        with freeze_time(fields.Datetime.now()):
            self.assertNotIn("delta", pushed(), "the first tick sends the whole floor")
            self.assertEqual(pushed()["agents"], [], "nothing changed since")
            for _i in range(wallboard.WALLBOARD_FULL_TICKS - 2):
                pushed()
            self.assertNotIn("delta", pushed(), "every 30th tick whole again")
