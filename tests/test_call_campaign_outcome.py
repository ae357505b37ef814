from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestDialerOutcome(CallCampaignCase):
    """The agent's dialer reports the calls of the member “Next call” gave
    the agent (reserved) or of the agent's own members (assigned)."""

    def _reserved(self):
        member = self.env["call.campaign.member"].next_for_agent()
        self.assertEqual(member, self.member)
        self.assertEqual(member.reserved_user_id, self.env.user)
        return member

    def _assigned(self):
        self.member.user_id = self.agent
        return self.member.with_env(self.env)

    @users("cc_agent")
    def test_busy_applies_automatic_status_with_retry(self):
        member = self._reserved()
        now = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(now):
            ids = member.register_call_outcome("busy", duration=0, note="line busy")
        self.assertEqual(member.status_id, self.st_busy)
        self.assertEqual(member.next_call_date, now + timedelta(minutes=30))
        self.assertEqual(member.attempt_count, 1)
        self.assertEqual(member.last_call_date, now)
        interaction = self.env["call.interaction"].browse(ids)
        self.assertRecordValues(
            interaction,
            [
                {
                    "kind": "outcome",
                    "outcome": "busy",
                    "user_id": self.agent.id,
                    "status_id": self.st_busy.id,
                    "previous_status_id": self.st_call.id,
                    "note": "line busy",
                }
            ],
        )

    @users("cc_agent")
    def test_retries_exhaust_to_the_exhausted_status(self):
        member = self._assigned()
        for _i in range(2):
            member.register_call_outcome("no_answer")
            self.assertEqual(member.status_id, self.st_no_answer)
        member.register_call_outcome("no_answer")
        self.assertEqual(member.attempt_count, 3)
        self.assertEqual(member.status_id, self.st_unreachable)
        self.assertEqual(member.state, "closed")

    @users("cc_agent")
    def test_answered_leaves_the_status_to_the_agent(self):
        member = self._reserved()
        ids = member.register_call_outcome("answered", duration=125)
        self.assertEqual(member.status_id, self.st_call)
        self.assertEqual(member.attempt_count, 1)
        self.assertRecordValues(
            self.env["call.interaction"].browse(ids),
            [{"kind": "outcome", "outcome": "answered", "duration": 125}],
        )

    @users("cc_agent")
    def test_every_outcome_has_a_shipped_status(self):
        member = self._reserved()
        member.register_call_outcome("failed")
        self.assertEqual(
            member.status_id, self.env.ref("call_campaign.call_status_failed")
        )
        self.assertEqual(member.attempt_count, 1)
        self.assertFalse(member.reserved_user_id, "no outcome leaves it reserved")

    @users("cc_agent")
    def test_refusals(self):
        member = self._assigned()
        with self.assertRaisesRegex(
            UserError, "must be one of answered, busy, no_answer"
        ):
            member.register_call_outcome("hung_up")
        with self.assertRaisesRegex(UserError, "“duration” must be a whole number"):
            member.register_call_outcome("answered", duration=-3)
        self.assertEqual(member.attempt_count, 0)
        with self.assertRaisesRegex(UserError, "neither reserved nor assigned to you"):
            self.members[1].with_env(self.env).register_call_outcome("answered")
        self.assertEqual(self.members[1].attempt_count, 0)
