from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CallCampaignCase

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
        return self.env["mail.activity"].search([("call_member_id", "=", member.id)])

    def test_status_schedules_then_moves_the_same_call(self):
        self.member.user_id = self.agent
        self.member.set_status(self.st_recall)
        first = self._pending(self.member)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.activity_type_id, self.call_type)
        self.assertEqual(first.user_id, self.agent)
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        self.member.set_status(self.st_recall, next_call_date=date)
        second = self._pending(self.member)
        self.assertEqual(second, first, "the call is moved, not duplicated")
        self.assertEqual(second.date_deadline, date.date())
        self.member.set_status(self.st_follow, next_call_date=date + timedelta(days=1))
        self.assertEqual(len(self._pending(self.member)), 1)
        self.assertEqual(
            self._pending(self.member).date_deadline, (date + timedelta(days=1)).date()
        )

    def test_unassigned_member_call_goes_to_campaign_responsible(self):
        self.member.set_status(self.st_recall)
        self.assertEqual(self._pending(self.member).user_id, self.manager)

    def test_closed_and_do_not_call_cancel_the_call(self):
        self.members[:2].set_status(self.st_recall)
        self.assertEqual(
            len(self._pending(self.members[0]) | self._pending(self.members[1])), 2
        )
        self.members[0].set_status(self.st_interested)
        self.members[1].set_status(self.st_dnc)
        self.assertFalse(self._pending(self.members[0]))
        self.assertFalse(self._pending(self.members[1]))

    def test_reassignment_moves_the_call(self):
        self.member.user_id = self.agent
        self.member.set_status(self.st_recall)
        self.member.user_id = self.agent2
        self.assertEqual(self._pending(self.member).user_id, self.agent2)

    def test_one_pending_call_is_enforced(self):
        self.member.set_status(self.st_recall)
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

    def test_done_from_activity_widget_is_a_contact(self):
        member = self.member.with_user(self.agent)
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
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("call_member_id", "=", self.member.id), ("active", "=", False)])
        )
        self.assertEqual(len(done), 1, "the done call is kept for reporting")

    def test_cyclic_status_loops_three_contacts(self):
        start = datetime(2026, 11, 2, 10, 0, 0)
        with freeze_time(start):
            self.member.set_status(self.st_cyclic)
        dates = []
        for contact in range(3):
            contact_time = start + timedelta(days=7 * contact + 7, hours=1)
            with freeze_time(contact_time):
                self._pending(self.member).action_feedback(
                    feedback=f"contact {contact}"
                )
                dates.append(self.member.next_call_date)
                self.assertEqual(
                    self.member.next_call_date, contact_time + timedelta(days=7)
                )
                self.assertEqual(
                    self._pending(self.member).date_deadline,
                    (contact_time + timedelta(days=7)).date(),
                )
        self.assertEqual(self.member.attempt_count, 3)
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

    def test_openings_depend_on_the_customer_time_zone(self):
        self.assertEqual(
            self.campaign._next_calling_slot(TUESDAY_EVENING, "Europe/Warsaw"),
            datetime(2026, 11, 25, 8, 0, 0),
        )
        self.assertEqual(
            self.campaign._next_calling_slot(TUESDAY_EVENING, "America/Sao_Paulo"),
            TUESDAY_EVENING,
        )

    def test_delay_date_is_moved_to_the_next_opening(self):
        with freeze_time(TUESDAY_EVENING):
            (self.warsaw | self.sao_paulo).set_status(self.st_next_day)
        # Wednesday 19:00 UTC: Warsaw is closed until Thursday 09:00 local
        self.assertEqual(self.warsaw.next_call_date, datetime(2026, 11, 26, 8, 0, 0))
        self.assertEqual(
            self.sao_paulo.next_call_date, datetime(2026, 11, 25, 19, 0, 0)
        )

    def test_explicit_date_outside_hours_is_refused(self):
        with freeze_time(TUESDAY_EVENING - timedelta(days=1)):
            with self.assertRaisesRegex(
                UserError, "Next allowed time: 2026-11-25 09:00"
            ):
                self.warsaw.set_status(self.st_recall, next_call_date=TUESDAY_EVENING)
            self.sao_paulo.set_status(self.st_recall, next_call_date=TUESDAY_EVENING)
            self.assertEqual(self.sao_paulo.next_call_date, TUESDAY_EVENING)

    def test_weekend_is_skipped(self):
        saturday = datetime(2026, 11, 28, 12, 0, 0)
        self.assertEqual(
            self.campaign._next_calling_slot(saturday, "Europe/Warsaw"),
            datetime(2026, 11, 30, 8, 0, 0),
        )

    def test_campaign_time_zone_is_the_fallback(self):
        self.warsaw.partner_id.tz = False
        self.campaign.tz = "America/Sao_Paulo"
        self.assertEqual(self.warsaw._get_call_tz(), "America/Sao_Paulo")
