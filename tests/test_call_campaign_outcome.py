from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestDialerOutcome(CallCampaignCase):
    def test_busy_applies_automatic_status_with_retry(self):
        now = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(now):
            ids = self.member.register_call_outcome(
                "busy", duration=0, note="line busy"
            )
        self.assertEqual(self.member.status_id, self.st_busy)
        self.assertEqual(self.member.next_call_date, now + timedelta(minutes=30))
        self.assertEqual(self.member.attempt_count, 1)
        self.assertEqual(self.member.last_call_date, now)
        interaction = self.env["call.interaction"].browse(ids)
        self.assertRecordValues(
            interaction,
            [
                {
                    "kind": "outcome",
                    "outcome": "busy",
                    "status_id": self.st_busy.id,
                    "previous_status_id": self.st_call.id,
                    "note": "line busy",
                }
            ],
        )

    def test_retries_exhaust_to_the_exhausted_status(self):
        for _i in range(2):
            self.member.register_call_outcome("no_answer")
            self.assertEqual(self.member.status_id, self.st_no_answer)
        self.member.register_call_outcome("no_answer")
        self.assertEqual(self.member.attempt_count, 3)
        self.assertEqual(self.member.status_id, self.st_unreachable)
        self.assertEqual(self.member.state, "closed")

    def test_answered_leaves_the_status_to_the_agent(self):
        ids = self.member.register_call_outcome("answered", duration=125)
        self.assertEqual(self.member.status_id, self.st_call)
        self.assertEqual(self.member.attempt_count, 1)
        self.assertRecordValues(
            self.env["call.interaction"].browse(ids),
            [{"kind": "outcome", "outcome": "answered", "duration": 125}],
        )

    def test_outcome_without_campaign_status_only_counts(self):
        self.member.register_call_outcome("invalid_number")
        self.assertEqual(self.member.status_id, self.st_call)
        self.assertEqual(self.member.attempt_count, 1)

    def test_refusals(self):
        with self.assertRaisesRegex(
            UserError, "must be one of answered, busy, no_answer"
        ):
            self.member.register_call_outcome("hung_up")
        with self.assertRaisesRegex(UserError, "“duration” must be a whole number"):
            self.member.register_call_outcome("answered", duration=-3)
        self.assertEqual(self.member.attempt_count, 0)
