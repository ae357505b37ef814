from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase, local_date


@tagged("call_campaign", "post_install", "-at_install")
class TestLogCallWizard(CallCampaignCase):
    def _form(self, members, user=None):
        env = self.env(user=user) if user else self.env
        return Form(
            env["call.campaign.member.log"].with_context(
                active_model="call.campaign.member", active_ids=members.ids
            )
        )

    @users("cc_agent")
    def test_log_call_with_follow_up_reason_and_stage(self):
        self.member.user_id = self.agent
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        form = self._form(self.member)
        self.assertEqual(form.member_id.partner_id, self.partners[0])
        self.assertEqual(form.campaign_id, self.campaign)
        self.assertNotIn(
            self.st_busy, form.allowed_status_ids, "hidden statuses are not offered"
        )
        form.stage_id = self.campaign.stage_ids[1]
        form.status_id = self.st_follow
        form.reason_id = self.reason_callback
        form.next_call_date = date
        form.note = "Call after lunch"
        form.save().action_log()
        self.assertEqual(self.member.status_id, self.st_follow)
        self.assertEqual(self.member.next_call_date, date)
        self.assertEqual(self.member.stage_id, self.campaign.stage_ids[1])
        self.assertEqual(self.member.attempt_count, 1)
        call = self.member.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertRecordValues(
            call,
            [
                {
                    "status_id": self.st_follow.id,
                    "reason_id": self.reason_callback.id,
                    "note": "Call after lunch",
                    "user_id": self.agent.id,
                    "next_call_date": date,
                }
            ],
        )
        self.assertIn("stage_change", self.member.interaction_ids.mapped("kind"))
        activity = self.su_env["mail.activity"].search(
            [("call_member_id", "=", self.member.id)]
        )
        self.assertEqual(activity.date_deadline, local_date(self.member, date))
        self.assertEqual(activity.user_id, self.agent)

    @users("cc_agent")
    def test_history_is_shown(self):
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall, note="earlier")
        form = self._form(member)
        self.assertEqual(len(form.interaction_ids), len(self.member.interaction_ids))
        self.assertEqual(len(form.interaction_ids), len(member.interaction_ids))

    @users("cc_agent")
    def test_reason_is_reset_when_status_changes(self):
        form = self._form(self.member)
        form.status_id = self.st_not_interested
        form.reason_id = self.reason_price
        form.status_id = self.st_call
        self.assertFalse(form.reason_id)

    @users("cc_agent")
    def test_refusals_leave_the_member_unchanged(self):
        # set-up: a stage of a campaign the member is not in
        other_stage = (
            self.su_env["call.campaign"].create({"name": "Other"}).stage_ids[0]
        )
        count = self.su_env["call.interaction"].search_count([])
        wizard = self.env["call.campaign.member.log"].create(
            {"member_ids": [(6, 0, self.member.ids)]}
        )
        with self.assertRaisesRegex(UserError, "Choose the result of the call"):
            wizard.action_log()
        wizard.status_id = self.st_not_before
        with self.assertRaisesRegex(UserError, "requires a follow-up date"):
            wizard.action_log()
        wizard.next_call_date = fields.Datetime.now() - timedelta(days=2)
        with self.assertRaisesRegex(UserError, "in the past"):
            wizard.action_log()
        wizard.status_id = self.st_follow
        wizard.next_call_date = fields.Datetime.now() + timedelta(days=2)
        wizard.reason_id = self.reason_price
        with self.assertRaisesRegex(UserError, "belongs to the status"):
            wizard.action_log()
        wizard.write(
            {
                "status_id": self.st_interested.id,
                "reason_id": False,
                "next_call_date": False,
                "stage_id": other_stage.id,
            }
        )
        with self.assertRaisesRegex(ValidationError, "is not a stage of the campaign"):
            wizard.action_log()
        self.assertEqual(self.member.status_id, self.st_call)
        self.assertEqual(self.member.stage_id, self.campaign.stage_ids[0])
        self.assertEqual(self.member.attempt_count, 0)
        self.assertEqual(self.su_env["call.interaction"].search_count([]), count)

    @users("cc_agent")
    def test_opened_from_a_contact(self):
        action = self.partners[0].with_env(self.env).action_log_call_campaign()
        form = Form(
            self.env["call.campaign.member.log"].with_context(**action["context"])
        )
        self.assertEqual(form.member_id, self.member)
        form.status_id = self.st_interested
        form.save().action_log()
        self.assertEqual(self.member.status_id, self.st_interested)
        call = self.member.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertEqual(call.user_id, self.agent)

    @users("cc_agent")
    def test_opened_from_a_pending_call(self):
        self.member.with_env(self.env).set_status(self.st_recall)
        activity = self.env["mail.activity"].search(
            [("call_member_id", "=", self.member.id)]
        )
        self.assertEqual(len(activity), 1)
        action = activity.action_log_call_campaign()
        form = Form(
            self.env["call.campaign.member.log"].with_context(**action["context"])
        )
        self.assertEqual(form.member_id, self.member)
