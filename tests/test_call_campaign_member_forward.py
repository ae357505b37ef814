from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestForwardWizard(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.target = cls.env["call.campaign"].create(
            {
                "name": "Target",
                "agent_ids": [(6, 0, cls.agent2.ids)],
                "state": "running",
            }
        )
        cls.members[:2].write({"user_id": cls.agent.id})

    def _form(self, members, user=None):
        env = self.env(user=user) if user else self.env
        return Form(
            env["call.campaign.member.forward"].with_context(
                active_model="call.campaign.member", active_ids=members.ids
            )
        )

    def _snapshot(self):
        return (
            self.su_env["call.interaction"].search_count([]),
            [(m.campaign_id.id, m.user_id.id, m.status_id.id) for m in self.members],
        )

    @users("cc_agent")
    def test_forward_to_agent_moves_call_and_writes_forward(self):
        self.members[:2].with_env(self.env).set_status(self.st_recall)
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        form = self._form(self.members[:2])
        form.user_id = self.agent2
        form.status_id = self.st_follow
        form.next_call_date = date
        form.note = "Speaks Portuguese"
        form.save().action_forward()
        for member in self.members[:2]:
            self.assertEqual(member.user_id, self.agent2)
            self.assertEqual(member.status_id, self.st_follow)
            forward = member.interaction_ids.filtered(lambda i: i.kind == "forward")
            self.assertRecordValues(
                forward,
                [
                    {
                        "user_id": self.agent.id,
                        "from_user_id": self.agent.id,
                        "to_user_id": self.agent2.id,
                        "from_campaign_id": self.campaign.id,
                        "to_campaign_id": self.campaign.id,
                        "status_id": self.st_follow.id,
                        "note": "Speaks Portuguese",
                        "next_call_date": date,
                    }
                ],
            )
            activity = self.su_env["mail.activity"].search(
                [("call_member_id", "=", member.id)]
            )
            self.assertEqual(activity.user_id, self.agent2)
            self.assertEqual(len(activity), 1)
        self.assertFalse(
            self.members[:2].with_env(self.env)._filtered_access("read"),
            "handed over: the agent no longer sees them",
        )

    def _assert_forwarded_to_target(self, member, user):
        self.assertEqual(member.campaign_id, self.target)
        self.assertEqual(member.user_id, self.agent2)
        self.assertEqual(member.stage_id, self.target.stage_ids[:1])
        forward = member.interaction_ids.filtered(lambda i: i.kind == "forward")
        self.assertEqual(forward.user_id, user)
        self.assertEqual(forward.from_campaign_id, self.campaign)
        self.assertEqual(forward.to_campaign_id, self.target)
        self.assertEqual(forward.campaign_id, self.target)

    @users("cc_agent")
    def test_forward_to_campaign(self):
        """The agent hands their customer to a campaign they do not work in.
        The wizard is created as a client would: the form's computed fields
        read the target campaign, which the agent may not read."""
        member = self.members[0]
        wizard = (
            self.env["call.campaign.member.forward"]
            .with_context(active_model="call.campaign.member", active_ids=member.ids)
            .create(
                {
                    "campaign_id": self.target.id,
                    "user_id": self.agent2.id,
                    "status_id": self.st_call.id,
                }
            )
        )
        self.assertEqual(wizard.member_ids, member)
        notice = wizard.action_forward()
        self.assertEqual(notice["tag"], "display_notification")
        self.assertEqual(
            notice["params"]["message"],
            f"{member.partner_id.name} forwarded to {self.agent2.name} in "
            f"{self.target.name} with the status {self.st_call.name}.",
        )
        action = notice["params"]["next"]
        self.assertEqual(
            (action["res_model"], action["target"]),
            ("call.campaign.member", "main"),
            "the agent no longer sees it: their own calls, not the member again",
        )
        self._assert_forwarded_to_target(member, self.agent)

    @users("cc_manager")
    def test_forward_to_campaign_from_the_form(self):
        member = self.members[0]
        form = self._form(member)
        form.campaign_id = self.target
        form.user_id = self.agent2
        form.status_id = self.st_call
        form.save().action_forward()
        self._assert_forwarded_to_target(member, self.manager)

    @users("cc_agent")
    def test_refusals_write_nothing(self):
        before = self._snapshot()
        cases = [
            ({}, "always carries a status update"),
            ({"status_id": self.st_call}, "Choose the agent or the campaign"),
            (
                {"status_id": self.st_call, "user_id": self.outsider},
                "is not an agent of the campaign",
            ),
            (
                {"status_id": self.st_recall, "campaign_id": self.target},
                "not offered by the campaign",
            ),
            (
                {
                    "status_id": self.st_call,
                    "campaign_id": self.target,
                    "user_id": self.agent,
                },
                "is not an agent of the campaign “Target”",
            ),
            (
                {
                    "status_id": self.st_not_before,
                    "user_id": self.agent2,
                    "next_call_date": fields.Datetime.now() - timedelta(days=1),
                },
                "in the past",
            ),
            (
                {
                    "status_id": self.st_follow,
                    "user_id": self.agent2,
                    "next_call_date": fields.Datetime.now() + timedelta(days=1),
                    "reason_id": self.reason_price,
                },
                "belongs to the status",
            ),
        ]
        for values, message in cases:
            with self.subTest(message=message):
                wizard = self.env["call.campaign.member.forward"].create(
                    {
                        "member_ids": [(6, 0, self.members[:2].ids)],
                        **{
                            k: v.id if hasattr(v, "id") else v
                            for k, v in values.items()
                        },
                    }
                )
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_forward()
                self.assertEqual(self._snapshot(), before)

    @users("cc_agent")
    def test_already_member_of_target_refused_naming_contact(self):
        self.su_env["call.campaign.member"].create(
            {"campaign_id": self.target.id, "partner_id": self.partners[1].id}
        )
        before = self._snapshot()
        wizard = self.env["call.campaign.member.forward"].create(
            {
                "member_ids": [(6, 0, self.members[:2].ids)],
                "campaign_id": self.target.id,
                "status_id": self.st_call.id,
            }
        )
        with self.assertRaisesRegex(UserError, "Customer 1 is already a member"):
            wizard.action_forward()
        self.assertEqual(self._snapshot(), before)

    @users("cc_agent")
    def test_partial_failure_rolls_back(self):
        """The second member fails inside the status service after the first
        one was moved: nothing stays written."""
        lead = self.su_env["crm.lead"].create(
            {"name": "L", "partner_id": self.partners[1].id}
        )
        self.members[1].lead_id = lead
        contact_only = self.su_env["call.status"].create(
            {"name": "Contacts only", "applies_to": "partner"}
        )
        self.campaign.status_ids |= contact_only
        self.target.status_ids |= contact_only
        before = self._snapshot()
        wizard = self.env["call.campaign.member.forward"].create(
            {
                "member_ids": [(6, 0, self.members[:2].ids)],
                "campaign_id": self.target.id,
                "status_id": contact_only.id,
            }
        )
        with self.assertRaisesRegex(UserError, "applies to contacts only"):
            wizard.action_forward()
        self.assertEqual(self._snapshot(), before)
