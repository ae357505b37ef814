from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestStatusTimeout(CallCampaignCase):
    """Offer sent → after 5 days → Follow up, applied by the time-out cron
    through the status service."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.st_offer = cls.env["call.status"].create(
            {
                "name": "Offer sent",
                "behavior": "not_before",
                "timeout_days": 5,
                "timeout_status_id": cls.st_follow.id,
            }
        )
        cls.campaign.status_ids |= cls.st_offer | cls.st_follow
        cls.start = fields.Datetime.now().replace(microsecond=0)

    def offer(self, members):
        """The agent records "Offer sent" on these members now."""
        for member in members:
            member.with_user(self.agent).set_status(self.st_offer)

    def run_cron(self, **kwargs):
        return self.env["call.campaign.member"]._cron_apply_timeouts(**kwargs)

    def test_members_move_after_the_timeout_with_history(self):
        self.offer(self.members[:3])
        with freeze_time(self.start + timedelta(days=4, hours=23)):
            self.assertFalse(self.run_cron(), "not yet")
        with freeze_time(self.start + timedelta(days=5, minutes=1)):
            moved = self.run_cron()
            self.assertEqual(moved, self.members[:3])
            self.assertEqual(self.members[:3].status_id, self.st_follow)
            # the follow-up needs a date: the status's delay (one day)
            self.assertEqual(
                self.members[0].next_call_date.date(),
                (self.start + timedelta(days=6, minutes=1)).date(),
            )
            event = self.env["call.interaction"].search(
                [("member_id", "=", self.members[0].id), ("kind", "=", "timeout")]
            )
            self.assertEqual(event.previous_status_id, self.st_offer)
            self.assertEqual(event.status_id, self.st_follow)
            self.assertEqual(
                event.note, "5 days in “Offer sent”: moved to “Follow up”."
            )
            self.assertEqual(self.members[3].status_id, self.st_call, "untouched")

    def test_idempotent_and_in_batches(self):
        self.offer(self.members)
        with freeze_time(self.start + timedelta(days=6)):
            first = self.run_cron(batch_size=2, max_batches=1)
            self.assertEqual(len(first), 2, "one batch of two, then it stops")
            rest = self.run_cron(batch_size=2)
            self.assertEqual(first | rest, self.members, "resumed where it stopped")
            self.assertFalse(self.run_cron(), "run twice: one change")
            events = self.env["call.interaction"].search_count(
                [("member_id", "in", self.members.ids), ("kind", "=", "timeout")]
            )
            self.assertEqual(events, len(self.members))

    def test_a_member_set_again_meanwhile_is_not_touched(self):
        self.offer(self.members[:2])
        with freeze_time(self.start + timedelta(days=3)):
            # the agent sends the offer again: the status starts again
            self.offer(self.members[1])
        with freeze_time(self.start + timedelta(days=5, minutes=1)):
            self.assertEqual(self.run_cron(), self.members[0])
            self.assertEqual(self.members[1].status_id, self.st_offer)
        with freeze_time(self.start + timedelta(days=8, minutes=1)):
            self.assertEqual(self.run_cron(), self.members[1])

    def test_a_misconfigured_timeout_does_not_stop_the_others(self):
        broken = self.env["call.status"].create(
            {
                "name": "Waiting for the lead",
                "timeout_days": 1,
                "timeout_status_id": self.st_lead_only.id,
            }
        )
        self.campaign.status_ids |= broken
        self.members[0].set_status(broken)
        self.offer(self.members[1])
        with (
            freeze_time(self.start + timedelta(days=6)),
            self.assertLogs(
                "odoo.addons.call_campaign.models.call_campaign_member_scheduling",
                "WARNING",
            ),
        ):
            self.assertEqual(self.run_cron(), self.members[1])
            self.assertEqual(self.members[0].status_id, broken)

    def test_paused_campaigns_wait(self):
        self.offer(self.members[:1])
        self.campaign.state = "paused"
        with freeze_time(self.start + timedelta(days=6)):
            self.assertFalse(self.run_cron())

    @users("cc_manager")
    def test_configured_on_the_status_form(self):
        form = Form(self.env["call.status"])
        form.name = "Quote sent"
        form.timeout_days = 3
        form.timeout_status_id = self.st_follow
        status = form.save()
        self.assertEqual(status.timeout_status_id, self.st_follow)
        with self.assertRaises(ValidationError):
            status.write({"timeout_status_id": False})
        with self.assertRaises(ValidationError):
            status.write({"timeout_status_id": status.id})
