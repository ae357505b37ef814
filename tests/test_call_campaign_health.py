from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestCampaignHealth(CallCampaignCase):
    """List penetration and what is left to call, against figures computed
    by hand on six members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.health = cls.env["call.campaign"].create(
            {
                "name": "Health",
                "state": "running",
                "agent_ids": [Command.set(cls.agent.ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Health {i}", "phone": f"+48 605 100 {i:03d}", "tz": "UTC"}
                for i in range(6)
            ]
        )
        cls.health_members = cls.env["call.campaign.member"].create(
            [{"campaign_id": cls.health.id, "partner_id": p.id} for p in partners]
        )

    def report(self, member, outcome, duration):
        """The agent reports a call of the member (reserved to them)."""
        force_member_state(
            member,
            {
                "reserved_user_id": self.agent.id,
                "reserved_until": fields.Datetime.now() + timedelta(minutes=5),
            },
        )
        member.with_env(self.env).register_call_outcome(outcome, duration=duration)
        member.with_env(self.env).action_release_reservation()

    def test_the_cron_counts_running_campaigns(self):
        self.campaign.write({"state": "paused", "health_date": "2026-01-01 00:00:00"})
        counted = self.env["call.campaign"]._cron_refresh_health()
        self.assertIn(self.health.id, counted)
        self.assertNotIn(self.campaign.id, counted)
        self.assertEqual(self.health.callable_now_count, 6)
        self.assertEqual(
            fields.Datetime.to_string(self.campaign.health_date), "2026-01-01 00:00:00"
        )

    @users("cc_agent")
    @freeze_time("2026-12-01 11:00:00")
    def test_figures_computed_by_hand(self):
        m1, m2, m3, m4, m5, m6 = self.health_members.with_env(self.env)
        # m1: no answer, then answered: attempted twice, reached
        self.report(m1, "no_answer", 60)
        force_member_state(m1, {"next_call_date": False, "status_id": self.st_call.id})
        self.report(m1, "answered", 120)
        # m2: busy, retried at 11:30: attempted, not reached, callable today
        self.report(m2, "busy", 0)
        # m3: ran out of attempts; m5: not before next week; m6: wrong numbers
        force_member_state(
            m3, {"status_id": self.st_unreachable.id, "attempt_count": 3}
        )
        force_member_state(
            m5,
            {
                "next_call_date": fields.Datetime.now() + timedelta(days=7),
                "state": "scheduled",
            },
        )
        m6.partner_id.sudo().call_number_ids._mark_invalid(fields.Datetime.now())
        campaign = self.health.with_env(self.env)
        figures = campaign.with_user(self.manager).action_refresh_health()
        self.assertEqual(figures[0]["callable_now_count"], 2)
        self.assertEqual(campaign.health_date, fields.Datetime.now())
        self.assertRecordValues(
            campaign,
            [
                {
                    "member_count": 6,
                    "attempted_count": 3,  # m1, m2, m3
                    "attempt_total": 6,  # 2 + 1 + 3
                    "reached_count": 1,  # m1
                    "exhausted_count": 1,  # m3
                    "penetration_rate": 50.0,
                    "attempts_per_reach": 2.0,
                    "callable_now_count": 2,  # m1, m4
                    "callable_today_count": 3,  # m1, m2 (11:30), m4
                    # talk time of the answered call: the no-answer's 60 s
                    # were ring time, never handle time
                    "average_handle_time": 2.0,
                    # 5 open members x 2 attempts each x 120 s
                    "agent_hours_left": 1200 / 3600,
                }
            ],
        )
        attempts = self.env["call.interaction"].search(
            campaign.action_view_attempts()["domain"]
        )
        self.assertEqual(
            sorted(attempts.mapped("attempt_result")),
            ["not_reached", "not_reached", "reached"],
        )
        self.assertEqual(m4.with_env(self.env).explain_queue()["callable"], True)
        # agents read the figures; counting them is a manager's
        with self.assertRaisesRegex(UserError, "Only a call manager"):
            campaign.action_refresh_health()

    @users("cc_manager")
    def test_query_count_does_not_grow_with_the_members(self):
        campaign = self.health.with_env(self.env)
        campaign.action_refresh_health()  # caches of access rights, not of data
        self.env.invalidate_all()
        with self.assertQueryCount(HEALTH_QUERIES):
            campaign.action_refresh_health()
        self.assertEqual(campaign.callable_now_count, 6)
        # set-up of volume (not a user's action): 99,994 more members
        cr = self.env.cr
        cr.execute(
            """INSERT INTO res_partner (name, complete_name, active, type, is_company)
               SELECT 'Bulk ' || i, 'Bulk ' || i, true, 'contact', false
                 FROM generate_series(1, 99994) i RETURNING id"""
        )
        partner_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id,
                   behavior, state, active, priority, attempt_count)
               SELECT %s, p, %s, 'to_call', 'queued', true, '0', p %% 3
                 FROM unnest(%s) p""",
            [self.health.id, self.st_call.id, partner_ids],
        )
        cr.execute("ANALYZE call_campaign_member")
        self.env.invalidate_all()
        with self.assertQueryCount(HEALTH_QUERIES):
            campaign.action_refresh_health()
        self.assertEqual(campaign.callable_now_count, 100000)
        self.assertEqual(campaign.member_count, 100000)


# counting a campaign's health (as a manager): the ids and the access
# checked, the members' attempts, the callable ones, the handle time, the
# user's day, the snapshot written and read back
HEALTH_QUERIES = 8
