from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignCrons(CallCampaignCase):
    def _pending(self, members):
        return self.env["mail.activity"].search([("call_member_id", "in", members.ids)])

    def test_schedule_cron_creates_missing_calls_once(self):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Imported {i}", "phone": f"+48 604 500 {i:03d}"}
                for i in range(4)
            ]
        )
        soon = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        imported = self.env["call.campaign.member"].create(
            [
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": p.id,
                    "status_id": self.st_recall.id,
                    "next_call_date": soon,
                }
                for p in partners
            ]
        )
        far = imported[3]
        force_member_state(far, {"next_call_date": soon + timedelta(days=30)})
        self.assertFalse(self._pending(imported))
        self.env["call.campaign.member"]._cron_schedule_calls()
        self.assertEqual(self._pending(imported).call_member_id, imported[:3])
        count = self.env["mail.activity"].search_count([])
        self.env["call.campaign.member"]._cron_schedule_calls()
        self.assertEqual(
            self.env["mail.activity"].search_count([]), count, "second run: nothing"
        )
        # a lost activity is given back
        self._pending(imported[0]).unlink()
        self.env["call.campaign.member"]._cron_schedule_calls()
        self.assertEqual(len(self._pending(imported[0])), 1)

    def test_schedule_cron_skips_paused_campaigns(self):
        self.members[0].set_status(self.st_recall)
        self._pending(self.members[0]).unlink()
        self.campaign.action_pause()
        self.env["call.campaign.member"]._cron_schedule_calls()
        self.assertFalse(self._pending(self.members[0]))

    def test_schedule_cron_plans_cyclic_re_contact(self):
        cyclic = self.env["call.status"].create(
            {
                "name": "Weekly",
                "behavior": "to_call",
                "schedule_call": True,
                "cyclic": True,
                "delay_days": 7,
            }
        )
        self.campaign.status_ids |= cyclic
        member = self.members[0]
        member.set_status(cyclic)
        last_contact = fields.Datetime.now().replace(microsecond=0) - timedelta(days=2)
        force_member_state(
            member, {"next_call_date": False, "last_call_date": last_contact}
        )
        self._pending(member).unlink()
        self.env["call.campaign.member"]._cron_schedule_calls()
        self.assertEqual(member.next_call_date, last_contact + timedelta(days=7))
        self.assertEqual(len(self._pending(member)), 1)

    def test_schedule_cron_batch_query_count(self):
        # only this campaign's members in the batch, demo data or not
        self.env["call.campaign"].search(
            [("id", "!=", self.campaign.id), ("state", "=", "running")]
        ).action_pause()
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {i}", "phone": f"+48 605 600 {i:03d}"} for i in range(50)]
        )
        soon = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        self.env["call.campaign.member"].create(
            [
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": p.id,
                    "status_id": self.st_recall.id,
                    "next_call_date": soon,
                }
                for p in partners
            ]
        )
        self.env["call.campaign.member"]._cron_schedule_calls(
            batch_size=5, max_batches=1
        )
        self.env.invalidate_all()
        with self.assertQueryCount(SCHEDULE_BATCH_QUERIES):
            members = self.env["call.campaign.member"]._cron_schedule_calls(
                batch_size=40, max_batches=1
            )
        self.assertEqual(len(members), 40)

    def test_retry_cron_requeues_then_exhausts(self):
        busy = self.members[:2]
        with freeze_time(fields.Datetime.now() - timedelta(hours=2)):
            busy._set_status(
                self.st_busy, fields.Datetime.now() + timedelta(minutes=30), system=True
            )
        force_member_state(busy[1], {"attempt_count": 3})
        self.env["call.campaign.member"]._cron_retry_calls()
        self.assertEqual(busy[0].state, "queued")
        self.assertEqual(busy[0].status_id, self.st_busy)
        self.assertEqual(busy[1].status_id, self.st_unreachable)
        self.assertEqual(busy[1].state, "closed")
        history = self.env["call.interaction"].search_count(
            [("member_id", "in", busy.ids)]
        )
        self.assertFalse(
            self.env["call.campaign.member"]._cron_retry_calls(), "second run"
        )
        self.assertEqual(
            self.env["call.interaction"].search_count([("member_id", "in", busy.ids)]),
            history,
        )

    def test_release_cron_frees_stale_callbacks(self):
        member = self.members[0].with_user(self.agent)
        with freeze_time(fields.Datetime.now() - timedelta(days=3)):
            member.set_status(
                self.st_follow,
                next_call_date=fields.Datetime.now() + timedelta(hours=1),
            )
        fresh = self.members[1].with_user(self.agent2)
        fresh.set_status(
            self.st_follow, next_call_date=fields.Datetime.now() + timedelta(hours=1)
        )
        self.assertEqual(member.user_id, self.agent)
        released = self.env["call.campaign.member"]._cron_release_callbacks()
        # (a database with aged demo data has stale callbacks of its own)
        self.assertEqual(released & self.members, self.members[0])
        self.assertFalse(self.members[0].user_id)
        self.assertEqual(self.members[1].user_id, self.agent2)
        entry = self.members[0].interaction_ids.filtered(lambda i: i.kind == "released")
        self.assertEqual(entry.from_user_id, self.agent)
        self.assertEqual(self._pending(self.members[0]).user_id, self.manager)
        self.assertFalse(
            self.env["call.campaign.member"]._cron_release_callbacks(), "second run"
        )


# one batch: the cron's advisory lock (taken at the start and again after the
# batch's commit) and the batch's reads and writes
SCHEDULE_BATCH_QUERIES = 27
