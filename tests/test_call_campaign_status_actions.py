from odoo import Command
from odoo.tests import tagged, users

from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestStatusActions(CallCampaignCase):
    """A status runs its server actions on the members entering it; a
    failing one leaves the status change and a warning."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.create_opportunity = cls.env.ref(
            "call_campaign.ir_actions_server_create_opportunity"
        )
        cls.failing = cls.env["ir.actions.server"].create(
            {
                "name": "Send the brochure",
                "model_id": cls.env["ir.model"]._get_id("call.campaign.member"),
                "state": "code",
                "code": "raise UserError('The brochure template is missing.')",
            }
        )
        cls.team = cls.env["crm.team"].create({"name": "Phone sales"})
        cls.campaign.team_id = cls.team
        cls.st_interested.action_ids = [Command.set(cls.create_opportunity.ids)]

    def events(self, member, kind):
        return self.su_env["call.interaction"].search(
            [("member_id", "=", member.id), ("kind", "=", kind)]
        )

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
        self.assertEqual(
            self.events(self.member, "status_action").note, "Create opportunity"
        )
        self.assertEqual(self.member.lead_outcome, "open")
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.sudo().opportunity_count, 1)
        self.assertFalse(self.member.status_action_warning)

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
        self.assertIn("Create opportunity", notes)
        self.assertTrue(
            any("“Send the brochure” (status “Interested”) failed" in n for n in notes)
        )
        # a later status change whose actions run clears the warning
        self.st_interested.action_ids -= self.failing
        member.set_status(self.st_call)
        self.st_call.action_ids = [Command.set(self.create_opportunity.ids)]
        member.set_status(self.st_call)
        self.assertFalse(member.status_action_warning)

    @users("cc_agent")
    def test_an_odoo_email_action_is_queued(self):
        """Odoo's own "Send email" server action on the member: the e-mail
        goes through the mail queue, it is not sent inline."""
        template = self.su_env["mail.template"].create(
            {
                "name": "Offer",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "subject": "Your offer",
                "partner_to": "{{ object.partner_id.id }}",
                "body_html": "<p>Dear <t t-out='object.partner_id.name'/>, our offer.</p>",
            }
        )
        send = self.su_env["ir.actions.server"].create(
            {
                "name": "Send the offer",
                "model_id": self.env["ir.model"]._get_id("call.campaign.member"),
                "state": "mail_post",
                "mail_post_method": "email",
                "template_id": template.id,
            }
        )
        self.st_interested.action_ids = [Command.set(send.ids)]
        self.member.partner_id.sudo().email = "customer0@example.com"
        self.member.with_env(self.env).set_status(self.st_interested)
        mail = self.su_env["mail.mail"].search(
            [("model", "=", "call.campaign.member"), ("res_id", "=", self.member.id)]
        )
        self.assertEqual(mail.state, "outgoing", "queued, not sent")
        self.assertEqual(mail.recipient_ids, self.member.partner_id)
        self.assertEqual(mail.subject, "Your offer")
        self.assertEqual(
            self.events(self.member, "status_action").note, "Send the offer"
        )
