from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import CallCampaignCase

# pinned: a batch of 100 members costs the same queries as a single one
ONE_MEMBER_QUERIES = 44
HUNDRED_MEMBERS_QUERIES = 44


@tagged("call_campaign", "post_install", "-at_install")
class TestSetStatus(CallCampaignCase):
    @users("cc_agent")
    def test_success_updates_member_and_writes_interaction(self):
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        member = self.member.with_env(self.env)
        interactions = member.set_status(
            self.st_follow.id,
            next_call_date=date,
            reason=self.reason_callback.id,
            note="Call me",
        )
        self.assertEqual(member.status_id, self.st_follow)
        self.assertEqual(member.next_call_date, date)
        self.assertEqual(
            member.user_id, self.agent, "my_record assigns the member to its agent"
        )
        self.assertEqual(member.state, "scheduled")
        self.assertEqual(len(interactions), 1)
        self.assertRecordValues(
            interactions,
            [
                {
                    "kind": "status_change",
                    "member_id": member.id,
                    "campaign_id": self.campaign.id,
                    "partner_id": self.partners[0].id,
                    "user_id": self.agent.id,
                    "status_id": self.st_follow.id,
                    "previous_status_id": self.st_call.id,
                    "reason_id": self.reason_callback.id,
                    "note": "Call me",
                    "next_call_date": date,
                }
            ],
        )

    @users("cc_agent")
    def test_delay_gives_the_follow_up_date(self):
        member = self.member.with_env(self.env)
        before = fields.Datetime.now()
        member.set_status(self.st_recall)
        self.assertGreaterEqual(member.next_call_date, before + timedelta(days=3))
        self.assertLess(member.next_call_date, before + timedelta(days=3, minutes=5))

    @users("cc_agent")
    def test_closed_status_clears_date_and_closes(self):
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall)
        member.set_status(self.st_interested)
        self.assertFalse(member.next_call_date)
        self.assertEqual(member.state, "closed")

    @users("cc_agent")
    def test_many_members_in_one_call(self):
        members = self.members.with_env(self.env)
        interactions = members.set_status(self.st_recall)
        self.assertEqual(len(interactions), len(members))
        self.assertEqual(set(members.mapped("status_id").ids), {self.st_recall.id})
        self.assertEqual(interactions.member_id, members)

    @users("cc_agent")
    def test_refuse_status_not_offered(self):
        member = self.member.with_env(self.env)
        with self.assertRaisesRegex(UserError, "not offered by the campaign"):
            member.set_status(self.st_elsewhere)
        self.assertEqual(member.status_id, self.st_call)

    @users("cc_agent")
    def test_refuse_status_for_another_target(self):
        with self.assertRaisesRegex(UserError, "applies to leads only"):
            self.member.with_env(self.env).set_status(self.st_lead_only)
        # set-up: the second customer's membership is about a lead
        lead = self.su_env["crm.lead"].create(
            {"name": "Lead", "partner_id": self.partners[1].id}
        )
        self.members[1].lead_id = lead
        member = self.members[1].with_env(self.env)
        member.set_status(self.st_lead_only)
        self.assertEqual(member.status_id, self.st_lead_only)

    @users("cc_agent")
    def test_refuse_missing_date(self):
        with self.assertRaisesRegex(UserError, "requires a follow-up date"):
            self.member.with_env(self.env).set_status(self.st_not_before)

    @users("cc_agent")
    def test_refuse_past_date(self):
        past = datetime(2020, 1, 15, 9, 30)
        # the agent reads the date in their own time zone (Warsaw: UTC+1)
        with self.assertRaisesRegex(UserError, "10:30:00 AM is in the past"):
            self.member.with_env(self.env).set_status(
                self.st_not_before, next_call_date=past
            )

    @users("cc_agent")
    def test_refuse_meaningless_date(self):
        with self.assertRaisesRegex(UserError, "takes no follow-up date"):
            self.member.with_env(self.env).set_status(
                self.st_interested,
                next_call_date=fields.Datetime.now() + timedelta(days=1),
            )

    @users("cc_agent")
    def test_refuse_reason_of_another_status(self):
        with self.assertRaisesRegex(UserError, "belongs to the status"):
            self.member.with_env(self.env).set_status(
                self.st_follow,
                next_call_date=fields.Datetime.now() + timedelta(days=1),
                reason=self.reason_price,
            )

    @users("cc_agent")
    def test_refuse_hidden_status_for_agents(self):
        with self.assertRaisesRegex(UserError, "kept for the system"):
            self.member.with_env(self.env).set_status(self.st_busy)

    @users("cc_agent")
    def test_refuse_unknown_status_id(self):
        with self.assertRaisesRegex(UserError, "does not exist"):
            self.member.with_env(self.env).set_status(999999)

    def test_only_manager_reopens(self):
        self.member.with_user(self.agent).set_status(self.st_interested)
        self.assertEqual(self.member.state, "closed")
        with self.assertRaisesRegex(UserError, "only a call manager can reopen"):
            self.member.with_user(self.agent).set_status(self.st_call)
        with self.assertRaisesRegex(UserError, "Only a call manager can reopen"):
            self.member.with_user(self.agent).action_reopen()
        self.assertEqual(self.member.state, "closed")
        self.member.with_user(self.manager).set_status(self.st_call)
        self.assertEqual(self.member.state, "queued")
        other = self.members[1]
        other.with_user(self.agent).set_status(self.st_not_interested)
        other.with_user(self.manager).action_reopen()
        self.assertEqual(other.state, "queued")
        self.assertEqual(other.status_id, self.st_call)
        self.assertEqual(other.interaction_ids[:1].user_id, self.manager)

    @users("cc_agent")
    def test_nothing_half_written(self):
        """One bad member in the batch: no member changes, no history written."""
        lead = self.su_env["crm.lead"].create(
            {"name": "Lead", "partner_id": self.partners[1].id}
        )
        self.members[1].lead_id = lead
        members = self.members.with_env(self.env)
        count = self.su_env["call.interaction"].search_count([])
        with self.assertRaises(UserError):
            members.set_status(self.st_lead_only)
        self.assertEqual(set(members.mapped("status_id").ids), {self.st_call.id})
        self.assertEqual(self.su_env["call.interaction"].search_count([]), count)

    def test_do_not_call_blacklists_the_number(self):
        partner = self.partners[2]
        self.members[2].with_user(self.agent).set_status(
            self.st_dnc, note="Asked to stop"
        )
        self.assertEqual(self.members[2].state, "do_not_call")
        partner.invalidate_recordset(["phone_sanitized_blacklisted"])
        self.assertTrue(partner.phone_sanitized_blacklisted)
        self.assertTrue(
            self.env["phone.blacklist"].search(
                [("number", "=", partner.phone_sanitized)]
            )
        )
        # never callable again, not even by a manager, until unblacklisted
        with self.assertRaisesRegex(UserError, "phone blacklist"):
            self.members[2].with_user(self.manager).set_status(self.st_call)
        self.env["phone.blacklist"]._remove([partner.phone_sanitized])
        partner.invalidate_recordset(["phone_sanitized_blacklisted"])
        self.members[2].with_user(self.manager).set_status(self.st_call)
        self.assertEqual(self.members[2].state, "queued")

    def test_query_count_does_not_grow_with_members(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}", "phone": f"+48 602 300 {i:03d}"} for i in range(100)]
        )
        many = self.env["call.campaign.member"].create(
            [{"campaign_id": self.campaign.id, "partner_id": p.id} for p in partners]
        )
        # as the agent who works them: record rules included
        self.members[4].with_user(self.agent).set_status(self.st_recall, note="warm-up")
        self.env.invalidate_all()
        with self.assertQueryCount(ONE_MEMBER_QUERIES):
            self.members[3].with_user(self.agent).set_status(self.st_recall, note="one")
        self.env.invalidate_all()
        with self.assertQueryCount(HUNDRED_MEMBERS_QUERIES):
            many.with_user(self.agent).set_status(self.st_recall, note="many")
        self.assertEqual(set(many.mapped("status_id").ids), {self.st_recall.id})
        self.assertEqual(
            len(many.interaction_ids.filtered(lambda i: i.note == "many")), 100
        )
