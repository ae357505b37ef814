from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, tagged, users

from ..models import call_campaign_member_actions
from .common import CallCampaignCase, RpcCaseMixin


@tagged("call_campaign", "post_install", "-at_install")
class TestStatusActions(CallCampaignCase):
    """A status runs its server actions on the members entering it, each
    with its own history; a failing or refused one leaves the status change
    and a warning the agent sees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.create_opportunity = ref(
            "call_campaign.ir_actions_server_create_opportunity"
        )
        cls.mark_won = ref("call_campaign.ir_actions_server_opportunity_won")
        cls.mark_lost = ref("call_campaign.ir_actions_server_opportunity_lost")
        cls.send_offer = ref("call_campaign.ir_actions_server_send_offer")
        cls.sms_missed = ref("call_campaign.ir_actions_server_sms_missed")
        cls.send_quotation = ref("call_campaign.ir_actions_server_send_quotation")
        cls.failing = cls.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Send the brochure",
                "model_id": cls.env["ir.model"]._get_id("call.campaign.member"),
                "state": "code",
                "code": "raise UserError('The brochure template is missing.')",
            }
        )
        cls.team = cls.env["crm.team"].create({"name": "Phone sales"})
        cls.campaign.team_id = cls.team
        cls.st_interested.action_ids = [Command.set(cls.create_opportunity.ids)]
        # statuses of this test whose actions the tests choose
        Status = cls.env["call.status"]
        cls.st_offer = Status.create({"name": "Send offer", "behavior": "closed"})
        cls.st_won = Status.create({"name": "Bought", "behavior": "closed"})
        cls.st_lost = Status.create({"name": "Declined", "behavior": "closed"})
        cls.campaign.status_ids |= cls.st_offer | cls.st_won | cls.st_lost
        for i, partner in enumerate(cls.partners):
            partner.email = f"customer{i}@example.com"

    def events(self, member, kind):
        return self.su_env["call.interaction"].search(
            [("member_id", "=", member.id), ("kind", "=", kind)], order="id"
        )

    def mails(self, member):
        return self.su_env["mail.mail"].search(
            [("model", "=", "call.campaign.member"), ("res_id", "=", member.id)]
        )

    # --------------------------------------------------------- opportunity

    @users("cc_agent")
    def test_interested_creates_the_opportunity(self):
        member = self.member.with_env(self.env)
        member.set_status(self.st_interested)
        lead = self.member.lead_id
        self.assertRecordValues(
            lead,
            [
                {
                    "type": "opportunity",
                    "partner_id": self.member.partner_id.id,
                    "team_id": self.team.id,
                    "user_id": self.agent.id,
                    "name": "Test Campaign: Customer 0",
                }
            ],
        )
        self.assertEqual(self.events(self.member, "opportunity").lead_id, lead)
        self.assertFalse(
            self.events(self.member, "status_action"),
            "a ready-made action writes its own entry, not a generic one",
        )
        self.assertEqual(self.member.lead_outcome, "open")
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.sudo().opportunity_count, 1)
        self.assertFalse(self.member.status_action_warning)

    @users("cc_agent")
    def test_the_call_screen_asks_the_expected_revenue(self):
        self.member.sudo().reserved_user_id = self.agent
        wizard = Form(
            self.env["call.campaign.member.log"].with_context(
                active_model="call.campaign.member", active_ids=self.member.ids
            )
        )
        wizard.status_id = self.st_call
        self.assertFalse(wizard.asks_revenue)
        wizard.status_id = self.st_interested
        self.assertTrue(wizard.asks_revenue, "this result creates the opportunity")
        wizard.expected_revenue = 1200
        wizard.save().action_log()
        self.assertEqual(self.member.lead_id.expected_revenue, 1200)
        self.assertEqual(self.member.expected_revenue, 1200)

    def test_won_lost_and_stage_through_crm(self):
        won, lost = self.members[1], self.members[2]
        (won | lost).with_user(self.agent).set_status(self.st_interested)
        self.st_won.action_ids = self.mark_won
        self.st_lost.action_ids = self.mark_lost
        self.mark_lost.call_lead_lost_reason_id = self.env.ref("crm.lost_reason_1")
        # closed members: a manager sets their next status
        won.with_user(self.manager).set_status(self.st_won)
        lost.with_user(self.manager).set_status(self.st_lost)
        self.assertEqual(won.lead_outcome, "won")
        self.assertTrue(won.lead_id.stage_id.is_won)
        self.assertTrue(
            self.su_env["call.interaction"].search(
                [("lead_id", "=", won.lead_id.id), ("kind", "=", "lead_won")]
            )
        )
        self.assertEqual(lost.lead_outcome, "lost")
        self.assertEqual(lost.lead_id.lost_reason_id, self.env.ref("crm.lost_reason_1"))
        self.assertTrue(
            self.su_env["call.interaction"].search(
                [("lead_id", "=", lost.lead_id.id), ("kind", "=", "lead_lost")]
            )
        )
        # move to a stage
        stage = self.env["crm.stage"].create({"name": "Offer sent", "sequence": 3})
        to_stage = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Opportunity to Offer sent",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "call_lead",
                "call_lead_operation": "stage",
                "call_lead_stage_id": stage.id,
            }
        )
        self.st_offer.action_ids = to_stage
        member = self.members[3]
        member.with_user(self.agent).set_status(self.st_interested)
        member.with_user(self.manager).set_status(self.st_offer)
        self.assertEqual(member.lead_id.stage_id, stage)
        self.assertTrue(
            self.su_env["call.interaction"].search(
                [("lead_id", "=", member.lead_id.id), ("kind", "=", "lead_stage")]
            )
        )
        self.assertFalse(member.status_action_warning)

    def test_won_without_opportunity_is_refused_clearly(self):
        self.st_won.action_ids = self.mark_won
        member = self.members[4]
        member.with_user(self.agent).set_status(self.st_won)
        self.assertEqual(member.status_id, self.st_won, "the status is kept")
        self.assertEqual(
            member.status_action_warning,
            "“Mark the opportunity won” (status “Bought”) not done: the member has "
            "no open opportunity.",
        )
        self.assertEqual(
            self.events(member, "status_action").note, member.status_action_warning
        )

    # ------------------------------------------------------ failure path

    def test_a_failing_action_keeps_the_status(self):
        self.st_interested.action_ids |= self.failing
        with self.assertLogs(
            "odoo.addons.call_campaign.models.call_campaign_member_actions", "WARNING"
        ):
            self.members[1].with_user(self.agent).set_status(self.st_interested)
        member = self.members[1]
        self.assertEqual(member.status_id, self.st_interested, "the status is kept")
        self.assertTrue(member.lead_id, "the other action ran")
        self.assertIn("The brochure template is missing.", member.status_action_warning)
        notes = self.events(member, "status_action").mapped("note")
        self.assertTrue(
            any("“Send the brochure” (status “Interested”) failed" in n for n in notes)
        )
        # a later status change whose actions run clears the warning
        self.st_interested.action_ids -= self.failing
        member.set_status(self.st_call)
        self.st_call.action_ids = [Command.set(self.create_opportunity.ids)]
        member.set_status(self.st_call)
        self.assertFalse(member.status_action_warning)

    # ------------------------------------------------------------ e-mail

    @users("cc_agent")
    def test_the_offer_email_is_queued_and_shown(self):
        self.st_offer.sudo().action_ids = self.send_offer
        self.member.with_env(self.env).set_status(self.st_offer)
        mail = self.mails(self.member)
        self.assertEqual(mail.state, "outgoing", "queued, not sent")
        self.assertEqual(mail.recipient_ids, self.member.partner_id)
        self.assertEqual(mail.subject, "Our offer, as discussed on the phone")
        event = self.events(self.member, "mail_sent")
        self.assertEqual(event.note, "Call campaign: the offer")
        self.assertEqual(event.user_id, self.agent)
        chatter = self.member.partner_id.sudo().message_ids.mapped("body")
        self.assertTrue(
            any(
                "customer0@example.com" in body and "Test Campaign" in body
                for body in chatter
            ),
            "noted in the contact's chatter",
        )
        self.assertFalse(self.member.status_action_warning)

    def test_an_email_posted_as_a_message_is_queued_too(self):
        """Odoo's "post as a message" would send inline; on members it goes
        through the mail queue."""
        self.send_offer.mail_post_method = "comment"
        self.st_offer.action_ids = self.send_offer
        self.member.with_user(self.agent).set_status(self.st_offer)
        message = self.member.message_ids.filtered(
            lambda m: m.subject == "Our offer, as discussed on the phone"
        )
        self.assertTrue(message)
        mail = self.su_env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.state, "outgoing")
        self.assertTrue(self.events(self.member, "mail_sent"))

    def test_opted_out_and_missing_emails_are_skipped_with_a_reason(self):
        self.st_offer.action_ids = self.send_offer
        opted_out, no_email, fine = self.members[1], self.members[2], self.members[3]
        self.env["mail.blacklist"]._add("customer1@example.com")
        no_email.partner_id.email = False
        with patch.object(call_campaign_member_actions._logger, "info") as log:
            (opted_out | no_email | fine).with_user(self.agent).set_status(
                self.st_offer
            )
        self.assertEqual(log.call_args.args[1:3], ("E-mail the offer", "Send offer"))
        self.assertEqual(set(log.call_args.args[3]), set((opted_out | no_email).ids))
        self.assertEqual((opted_out | no_email).status_id, self.st_offer)
        self.assertFalse(self.mails(opted_out) | self.mails(no_email))
        self.assertTrue(self.mails(fine))
        self.assertEqual(
            opted_out.status_action_warning,
            "“E-mail the offer” (status “Send offer”) not done: "
            "customer1@example.com opted out of e-mails.",
        )
        self.assertEqual(
            no_email.status_action_warning,
            "“E-mail the offer” (status “Send offer”) not done: the contact has no "
            "e-mail address.",
        )
        self.assertFalse(fine.status_action_warning)
        self.assertFalse(self.events(opted_out, "mail_sent"))
        self.assertEqual(
            self.events(opted_out, "status_action").note,
            opted_out.status_action_warning,
            "the reason is on the timeline",
        )

    # --------------------------------------------------------------- SMS

    @users("cc_agent")
    def test_the_sms_is_queued(self):
        self.st_offer.sudo().action_ids = self.sms_missed
        self.member.with_env(self.env).set_status(self.st_offer)
        sms = self.su_env["sms.sms"].search(
            [("partner_id", "=", self.member.partner_id.id)]
        )
        self.assertEqual(sms.state, "outgoing", "queued, not sent")
        self.assertIn("Test Campaign", sms.body)
        event = self.events(self.member, "sms_sent")
        self.assertEqual(event.phone_number, sms.number)
        self.assertEqual(event.note, "Call campaign: sorry we missed you")
        self.assertFalse(self.member.status_action_warning)

    def test_a_blacklisted_number_gets_no_sms(self):
        self.st_offer.action_ids = self.sms_missed
        member = self.members[1]
        number = member.partner_id.phone_sanitized
        self.env["phone.blacklist"].sudo().add(number)
        member.with_user(self.agent).set_status(self.st_offer)
        self.assertFalse(
            self.su_env["sms.sms"].search([("partner_id", "=", member.partner_id.id)])
        )
        self.assertEqual(
            member.status_action_warning,
            f"“SMS: sorry we missed you” (status “Send offer”) not done: the number "
            f"{number} is on the phone blacklist.",
        )
        self.assertFalse(self.events(member, "sms_sent"))

    # ------------------------------------------------ another campaign

    def test_add_to_another_campaign_once(self):
        nurture = self.env["call.campaign"].create(
            {
                "name": "Nurture",
                "state": "running",
                "default_status_id": self.st_call.id,
            }
        )
        add = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Nurture them",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "call_campaign_add",
                "call_campaign_id": nurture.id,
                "call_campaign_status_id": self.st_recall.id
                if self.st_recall in nurture.status_ids
                else False,
            }
        )
        self.st_not_interested.action_ids = add
        member = self.members[1]
        member.with_user(self.agent).set_status(self.st_not_interested)
        there = self.su_env["call.campaign.member"].search(
            [("campaign_id", "=", nurture.id)]
        )
        self.assertEqual(there.partner_id, member.partner_id)
        self.assertEqual(there.interaction_ids.kind, "added")
        self.assertFalse(member.status_action_warning)
        # a second time: refused clearly, the status still changes
        member.with_user(self.manager).set_status(self.st_call)
        member.with_user(self.agent).set_status(self.st_not_interested)
        self.assertEqual(member.status_id, self.st_not_interested)
        self.assertEqual(
            member.status_action_warning,
            "“Nurture them” (status “Not interested”) not done: Customer 1 is "
            "already in the campaign “Nurture”.",
        )
        self.assertEqual(
            self.su_env["call.campaign.member"].search_count(
                [("campaign_id", "=", nurture.id)]
            ),
            1,
        )

    def test_context_defaults_do_not_reach_what_actions_create(self):
        nurture = self.env["call.campaign"].create(
            {
                "name": "Nurture",
                "state": "running",
                "default_status_id": self.st_call.id,
            }
        )
        self.st_not_interested.action_ids = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Nurture them",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "call_campaign_add",
                "call_campaign_id": nurture.id,
            }
        )
        self.members[1].with_user(self.agent).with_context(
            default_audience_joined=True,
            default_attempt_count=9,
            default_kind="audience_join",
            default_note="forged",
        ).set_status(self.st_not_interested)
        there = self.su_env["call.campaign.member"].search(
            [("campaign_id", "=", nurture.id)]
        )
        self.assertRecordValues(there, [{"audience_joined": False, "attempt_count": 0}])
        self.assertEqual(there.interaction_ids.mapped("kind"), ["added"])
        self.assertFalse(there.interaction_ids.note)

    def test_add_to_a_campaign_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other company"})
        abroad = self.env["call.campaign"].create(
            {
                "name": "Abroad",
                "state": "running",
                "company_id": other.id,
                "default_status_id": self.st_call.id,
            }
        )
        self.st_not_interested.action_ids = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Send abroad",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "call_campaign_add",
                "call_campaign_id": abroad.id,
            }
        )
        member = self.members[1]
        member.with_user(self.agent).set_status(self.st_not_interested)
        self.assertIn("belongs to another company", member.status_action_warning)
        self.assertFalse(
            self.su_env["call.campaign.member"].search(
                [("campaign_id", "=", abroad.id)]
            )
        )

    def test_running_an_action_on_ids_of_another_model_does_nothing(self):
        """``run()`` with another ``active_model``: no member is touched,
        whatever ids the context carries."""
        member = self.members[1]
        member.with_user(self.agent).set_status(self.st_interested)
        lead = member.lead_id
        self.mark_won.with_user(self.manager).with_context(
            active_model="res.partner", active_ids=member.ids, active_id=member.id
        ).run()
        self.assertEqual(member.lead_outcome, "open")
        self.assertTrue(lead.active)

    def test_a_negative_revenue_estimate_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.member.with_user(self.agent).expected_revenue = -5

    def test_a_multi_action_runs_member_actions_only(self):
        on_partners = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Archive contacts",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "records.action_archive()",
            }
        )
        multi = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Several",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "multi",
                "child_ids": [Command.set(on_partners.ids)],
            }
        )
        with self.assertRaisesRegex(ValidationError, "not on call campaign members"):
            self.st_offer.action_ids = multi

    # ---------------------------------------------------------- activity

    def test_a_non_call_activity_for_the_salesperson(self):
        salesperson = self.manager
        self.st_offer.action_ids = self.send_quotation
        member = self.members[1]
        member.partner_id.user_id = salesperson
        member.with_user(self.agent).set_status(self.st_offer)
        activity = member.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("call_campaign.mail_activity_type_send_quotation")
            )
        )
        self.assertEqual(activity.user_id, salesperson, "the contact's salesperson")
        self.assertEqual(activity.summary, "Send a quotation")
        self.assertFalse(activity.call_member_id, "not a campaign call")
        self.assertEqual(
            self.events(member, "status_action").note, "Salesperson: send a quotation"
        )

    # ------------------------------------------------- campaign override

    def test_a_campaign_replaces_the_actions_of_a_status(self):
        other = self.env["call.campaign"].create(
            {
                "name": "Other",
                "state": "running",
                "default_status_id": self.st_call.id,
                "agent_ids": [Command.set(self.agent.ids)],
            }
        )
        other_member = self.env["call.campaign.member"].create(
            {"campaign_id": other.id, "partner_id": self.partners[4].id}
        )
        self.campaign.status_action_ids = [
            Command.create(
                {"status_id": self.st_interested.id, "action_ids": self.send_offer.ids}
            )
        ]
        self.members[1].with_user(self.agent).set_status(self.st_interested)
        self.assertFalse(self.members[1].lead_id, "replaced in this campaign")
        self.assertTrue(self.mails(self.members[1]))
        other_member.with_user(self.agent).set_status(self.st_interested)
        self.assertTrue(other_member.lead_id, "the status's own actions elsewhere")
        # an empty line runs nothing
        self.campaign.status_action_ids.action_ids = False
        self.members[2].with_user(self.agent).set_status(self.st_interested)
        self.assertFalse(self.members[2].lead_id)
        self.assertFalse(self.mails(self.members[2]))

    def test_only_member_actions_are_accepted(self):
        on_partners = self.env["ir.actions.server"].create(
            {
                "call_status_usable": True,
                "name": "Archive contacts",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "records.action_archive()",
            }
        )
        with self.assertRaisesRegex(ValidationError, "not on call campaign members"):
            self.st_offer.action_ids = on_partners
        with self.assertRaisesRegex(ValidationError, "not on call campaign members"):
            self.campaign.status_action_ids = [
                Command.create(
                    {"status_id": self.st_offer.id, "action_ids": on_partners.ids}
                )
            ]
        with self.assertRaisesRegex(ValidationError, "choose the stage"):
            self.env["ir.actions.server"].create(
                {
                    "call_status_usable": True,
                    "name": "To a stage",
                    "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                    "state": "call_lead",
                    "call_lead_operation": "stage",
                }
            )

    @users("cc_manager")
    def test_a_manager_sets_a_campaign_override_an_agent_cannot(self):
        campaign = self.campaign.with_env(self.env)
        campaign.status_action_ids = [
            Command.create(
                {"status_id": self.st_interested.id, "action_ids": self.send_offer.ids}
            )
        ]
        self.assertTrue(campaign.has_status_action_overrides)
        with self.assertRaises(AccessError):
            self.env["call.campaign.status.action"].with_user(self.agent).create(
                {"campaign_id": campaign.id, "status_id": self.st_offer.id}
            )


@tagged("call_campaign", "post_install", "-at_install")
class TestStatusActionsRpc(RpcCaseMixin, CallCampaignCase, HttpCase):
    """An agent's status change over JSON-RPC runs the actions managers
    chose, though agents may not read server actions themselves."""

    def test_agent_over_rpc(self):
        self.partners.write({"email": "rpc@example.com"})
        self.st_interested.action_ids = self.env.ref(
            "call_campaign.ir_actions_server_create_opportunity"
        )
        offer = self.env.ref("call_campaign.ir_actions_server_send_offer")
        other = self.env["call.campaign"].create(
            {
                "name": "Override",
                "state": "running",
                "default_status_id": self.st_call.id,
                "agent_ids": [Command.set(self.agent.ids)],
                "status_action_ids": [
                    Command.create(
                        {"status_id": self.st_interested.id, "action_ids": offer.ids}
                    )
                ],
            }
        )
        elsewhere = self.env["call.campaign.member"].create(
            {"campaign_id": other.id, "partner_id": self.partners[4].id}
        )
        for member in (self.member, elsewhere):
            answer = self.rpc(
                self.agent,
                "call.campaign.member",
                "set_status",
                [member.id],
                self.st_interested.id,
            )
            self.assertIn("result", answer, answer)
        self.assertTrue(self.member.lead_id, "the status's action")
        self.assertFalse(self.member.status_action_warning)
        self.assertFalse(elsewhere.lead_id, "replaced in the other campaign")
        self.assertEqual(
            elsewhere.interaction_ids.filtered(lambda i: i.kind == "mail_sent").note,
            "Call campaign: the offer",
        )
        # the agent cannot read the actions, nor change them
        self.rpc_refused(self.agent, "ir.actions.server", "read", offer.ids, ["code"])
        self.rpc_refused(
            self.agent,
            "call.status",
            "write",
            self.st_interested.ids,
            {"action_ids": [Command.set(offer.ids)]},
        )
        self.rpc_refused(
            self.agent,
            "call.campaign.member",
            "write",
            self.member.ids,
            {"status_action_warning": False},
        )
