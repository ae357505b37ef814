from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged, users

from .common import CallCampaignCase, local_date

# a Tuesday, 19:00 UTC: 20:00 in Warsaw (closed), 16:00 in São Paulo (open)
TUESDAY_EVENING = datetime(2026, 11, 24, 19, 0, 0)


@tagged("call_campaign", "post_install", "-at_install")
class TestScheduledCalls(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_type = cls.env.ref("call_campaign.mail_activity_type_call")
        cls.st_cyclic = cls.env["call.status"].create(
            {
                "name": "Monthly check",
                "behavior": "to_call",
                "schedule_call": True,
                "cyclic": True,
                "delay_days": 7,
            }
        )
        cls.campaign.status_ids |= cls.st_cyclic

    def _pending(self, member):
        """The member's pending calls, whoever may see them, in the test's
        environment (to act on them as the test's user)."""
        return (
            self.su_env["mail.activity"]
            .search([("call_member_id", "=", member.id)])
            .with_env(self.env)
        )

    @users("cc_agent")
    def test_status_schedules_then_moves_the_same_call(self):
        self.member.user_id = self.agent
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall)
        first = self._pending(member)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.activity_type_id, self.call_type)
        self.assertEqual(first.user_id, self.agent)
        self.assertEqual(member.call_activity_ids, first, "the agent sees the call")
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        member.set_status(self.st_recall, next_call_date=date)
        second = self._pending(member)
        self.assertEqual(second, first, "the call is moved, not duplicated")
        self.assertEqual(second.date_deadline, local_date(member, date))
        member.set_status(self.st_follow, next_call_date=date + timedelta(days=1))
        self.assertEqual(len(self._pending(member)), 1)
        self.assertEqual(
            self._pending(member).date_deadline,
            local_date(member, date + timedelta(days=1)),
        )

    @users("cc_agent")
    def test_unassigned_member_call_goes_to_campaign_responsible(self):
        self.member.with_env(self.env).set_status(self.st_recall)
        self.assertEqual(self._pending(self.member).user_id, self.manager)

    @users("cc_agent")
    def test_closed_and_do_not_call_cancel_the_call(self):
        members = self.members[:2].with_env(self.env)
        members.set_status(self.st_recall)
        self.assertEqual(len(self._pending(members[0]) | self._pending(members[1])), 2)
        members[0].set_status(self.st_interested)
        members[1].set_status(self.st_dnc)
        self.assertFalse(self._pending(members[0]))
        self.assertFalse(self._pending(members[1]))

    def test_reassignment_moves_the_call(self):
        # the agent plans a call, the manager reassigns the member
        self.member.with_user(self.manager).user_id = self.agent
        self.member.with_user(self.agent).set_status(self.st_recall)
        self.assertEqual(self._pending(self.member).user_id, self.agent)
        self.member.with_user(self.manager).user_id = self.agent2
        self.assertEqual(self._pending(self.member).user_id, self.agent2)

    def test_one_pending_call_is_enforced(self):
        """The guarantee below any user's refusal (code running as
        superuser, e.g. another module): never a second pending call."""
        self.member.with_user(self.agent).set_status(self.st_recall)
        with self.assertRaisesRegex(ValidationError, "already has a pending call"):
            self.env["mail.activity"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id(
                        "call.campaign.member"
                    ),
                    "res_id": self.member.id,
                    "activity_type_id": self.call_type.id,
                    "user_id": self.agent.id,
                }
            )

    @users("cc_agent")
    def test_done_from_activity_widget_is_a_contact(self):
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall)
        self._pending(member).action_feedback(feedback="Spoke with the buyer")
        self.assertEqual(member.attempt_count, 1)
        self.assertTrue(member.last_call_date)
        call = member.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertEqual(
            call.note, "Marked done without a result. Spoke with the buyer"
        )
        self.assertTrue(member.result_pending, "the result is still to log")
        self.assertFalse(self._pending(member), "not cyclic: no next call")
        member.set_status(self.st_interested)
        self.assertFalse(member.result_pending, "logging the result clears it")
        done = (
            self.su_env["mail.activity"]
            .with_context(active_test=False)
            .search([("call_member_id", "=", self.member.id), ("active", "=", False)])
        )
        self.assertEqual(len(done), 1, "the done call is kept for reporting")

    @users("cc_agent")
    def test_cyclic_status_loops_three_contacts(self):
        member = self.member.with_env(self.env)
        start = datetime(2026, 11, 2, 10, 0, 0)
        with freeze_time(start):
            member.set_status(self.st_cyclic)
        dates = []
        for contact in range(3):
            contact_time = start + timedelta(days=7 * contact + 7, hours=1)
            with freeze_time(contact_time):
                self._pending(member).action_feedback(feedback=f"contact {contact}")
                dates.append(member.next_call_date)
                self.assertEqual(
                    member.next_call_date, contact_time + timedelta(days=7)
                )
                self.assertEqual(
                    self._pending(member).date_deadline,
                    (contact_time + timedelta(days=7)).date(),
                )
        self.assertEqual(member.attempt_count, 3)
        self.assertEqual(
            [b - a for a, b in zip(dates, dates[1:], strict=False)],
            [timedelta(days=7)] * 2,
        )


@tagged("call_campaign", "post_install", "-at_install")
class TestCallingHours(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Mon-Fri 9-18",
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 18,
                            "day_period": "morning",
                        },
                    )
                    for day in range(5)
                ],
            }
        )
        cls.campaign.calling_calendar_id = cls.calendar
        cls.warsaw, cls.sao_paulo = cls.members[0], cls.members[1]
        cls.warsaw.partner_id.tz = "Europe/Warsaw"
        cls.sao_paulo.partner_id.tz = "America/Sao_Paulo"
        cls.st_next_day = cls.env["call.status"].create(
            {
                "name": "Tomorrow",
                "behavior": "to_call",
                "schedule_call": True,
                "delay_days": 1,
            }
        )
        cls.campaign.status_ids |= cls.st_next_day

    @users("cc_agent")
    def test_openings_depend_on_the_customer_time_zone(self):
        campaign = self.campaign.with_env(self.env)
        self.assertEqual(
            campaign._next_calling_slot(TUESDAY_EVENING, "Europe/Warsaw"),
            datetime(2026, 11, 25, 8, 0, 0),
        )
        self.assertEqual(
            campaign._next_calling_slot(TUESDAY_EVENING, "America/Sao_Paulo"),
            TUESDAY_EVENING,
        )

    @users("cc_agent")
    def test_delay_date_is_moved_to_the_next_opening(self):
        with freeze_time(TUESDAY_EVENING):
            (self.warsaw | self.sao_paulo).with_env(self.env).set_status(
                self.st_next_day
            )
        # Wednesday 19:00 UTC: Warsaw is closed until Thursday 09:00 local
        self.assertEqual(self.warsaw.next_call_date, datetime(2026, 11, 26, 8, 0, 0))
        self.assertEqual(
            self.sao_paulo.next_call_date, datetime(2026, 11, 25, 19, 0, 0)
        )

    @users("cc_agent")
    def test_explicit_date_outside_hours_is_refused(self):
        warsaw = self.warsaw.with_env(self.env)
        sao_paulo = self.sao_paulo.with_env(self.env)
        with freeze_time(TUESDAY_EVENING - timedelta(days=1)):
            with self.assertRaisesRegex(
                UserError, "Next allowed time: 2026-11-25 09:00"
            ):
                warsaw.set_status(self.st_recall, next_call_date=TUESDAY_EVENING)
            sao_paulo.set_status(self.st_recall, next_call_date=TUESDAY_EVENING)
            self.assertEqual(sao_paulo.next_call_date, TUESDAY_EVENING)
        self.assertEqual(warsaw.status_id, self.st_call)

    @users("cc_agent")
    def test_weekend_is_skipped(self):
        saturday = datetime(2026, 11, 28, 12, 0, 0)
        self.assertEqual(
            self.campaign.with_env(self.env)._next_calling_slot(
                saturday, "Europe/Warsaw"
            ),
            datetime(2026, 11, 30, 8, 0, 0),
        )

    def test_campaign_time_zone_is_the_fallback(self):
        self.warsaw.partner_id.tz = False
        # the manager configures the campaign, the agent calls
        self.campaign.with_user(self.manager).tz = "America/Sao_Paulo"
        self.assertEqual(
            self.warsaw.with_user(self.agent)._get_call_tz(), "America/Sao_Paulo"
        )
