from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged, users

from ..models import call_campaign_audience
from .common import CallCampaignCase, RpcCaseMixin


class AudienceCaseMixin:
    @classmethod
    def _setup_audience(cls):
        cls.prospects = cls.env["res.partner"].create(
            [
                {
                    "name": f"Prospect {i}",
                    "phone": f"+48 602 300 {i:03d}",
                    "email": f"prospect{i}@example.com",
                }
                for i in range(6)
            ]
        )
        cls.audience = cls.env["call.campaign"].create(
            {
                "name": "Reactivation",
                "state": "running",
                "default_status_id": cls.st_call.id,
                "agent_ids": [Command.set(cls.agent.ids)],
                "audience_model": "res.partner",
                "audience_domain": "[('name', '=like', 'Prospect %')]",
            }
        )


@tagged("call_campaign", "post_install", "-at_install")
class TestAudience(AudienceCaseMixin, CallCampaignCase):
    """A campaign whose members follow a filter on contacts or leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_audience()
        cls.Member = cls.env["call.campaign.member"].with_context(active_test=False)

    def audience_members(self, campaign=None):
        return self.Member.search(
            [("campaign_id", "=", (campaign or self.audience).id)]
        )

    def kinds(self, member):
        return member.interaction_ids.sorted("id").mapped("kind")

    def sync(self, campaign=None):
        return (
            (campaign or self.audience)
            .with_user(self.manager)
            .action_sync_audience()["counts"][str((campaign or self.audience).id)]
        )

    def test_matches_join_with_the_default_status_blacklist_respected(self):
        blocked, elsewhere_dnc, already = self.prospects[:3]
        self.env["phone.blacklist"].sudo().add(blocked.phone_sanitized)
        self.Member.create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": elsewhere_dnc.id,
                "status_id": self.st_dnc.id,
            }
        )
        self.Member.create({"campaign_id": self.audience.id, "partner_id": already.id})
        self.audience.invalidate_recordset(["audience_join_count"])
        self.assertEqual(self.audience.audience_join_count, 3, "preview before sync")
        self.assertEqual(self.sync(), {"joined": 3, "left": 0, "stopped": False})
        joined = self.audience_members().filtered("audience_joined")
        self.assertEqual(joined.partner_id, self.prospects[3:])
        self.assertEqual(joined.status_id, self.st_call)
        self.assertEqual(
            [self.kinds(m) for m in joined], [["audience_join"]] * 3, "its own history"
        )
        self.assertNotIn(
            blocked, self.audience_members().partner_id, "never a blacklisted one"
        )
        self.assertNotIn(elsewhere_dnc, self.audience_members().partner_id)
        self.assertEqual(self.sync(), {"joined": 0, "left": 0, "stopped": False})
        self.assertTrue(self.audience.audience_sync_date)

    def test_leavers_are_kept_with_history(self):
        self.sync()
        gone = self.audience_members().filtered(
            lambda m: m.partner_id == self.prospects[0]
        )
        self.prospects[0].name = "Customer now"
        self.audience.invalidate_recordset(["audience_leave_count"])
        self.assertEqual(self.audience.audience_leave_count, 1)
        self.assertEqual(self.sync(), {"joined": 0, "left": 1, "stopped": False})
        self.assertEqual(gone.state, "queued", "kept as it was")
        self.assertFalse(gone.audience_joined)
        self.assertEqual(self.kinds(gone), ["audience_join", "audience_leave"])
        self.assertEqual(self.sync(), {"joined": 0, "left": 0, "stopped": False})
        self.assertEqual(self.kinds(gone), ["audience_join", "audience_leave"])

    def test_leavers_are_closed_never_deleted(self):
        self.audience.audience_exit = "close"
        self.sync()
        gone = self.audience_members().filtered(
            lambda m: m.partner_id in self.prospects[:2]
        )
        self.prospects[:2].write({"name": "Paid"})
        self.audience.invalidate_recordset(["audience_leave_count"])
        preview = self.audience.audience_leave_count
        result = self.sync()
        self.assertEqual(preview, result["left"], "the preview said so")
        self.assertEqual(result["left"], 2)
        self.assertTrue(gone.exists())
        self.assertEqual(
            gone.status_id, self.env.ref("call_campaign.call_status_left_audience")
        )
        self.assertEqual(set(gone.mapped("state")), {"closed"})
        leave = gone[0].interaction_ids.filtered(lambda i: i.kind == "audience_leave")
        self.assertEqual(leave.previous_status_id, self.st_call)
        self.assertIn("No longer matches the audience", leave.note)

    def test_a_lead_audience(self):
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Overdue {i}",
                    "partner_id": partner.id,
                    "type": "opportunity",
                }
                for i, partner in enumerate(self.prospects[:2])
            ]
            + [{"name": "Overdue, no contact"}]
        )
        self.audience.write(
            {
                "audience_model": "crm.lead",
                "audience_domain": "[('name', '=like', 'Overdue%')]",
            }
        )
        self.assertEqual(self.sync()["joined"], 2)
        self.assertEqual(self.audience_members().lead_id, leads[:2])

    @users("cc_manager")
    def test_the_preview_before_saving(self):
        form = Form(self.env["call.campaign"])
        form.name = "Preview"
        form.default_status_id = self.st_call
        form.audience_model = "res.partner"
        form.audience_domain = "[('name', '=like', 'Prospect %')]"
        self.assertEqual(form.audience_join_count, 6)
        form.audience_domain = "[('name', '=', 'Prospect 1')]"
        self.assertEqual(form.audience_join_count, 1)
        campaign = form.save()
        self.assertEqual(self.sync(campaign)["joined"], 1)

    def test_a_bad_filter_is_a_clear_error(self):
        with self.assertRaisesRegex(ValidationError, "audience filter is not valid"):
            self.audience.audience_domain = "[('no_such_field', '=', 1)]"
        with self.assertRaisesRegex(ValidationError, "audience filter is not valid"):
            self.audience.audience_domain = "[('name', '=',"

    def test_a_filter_cannot_call_methods_nor_escape_the_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        stranger = self.env["res.partner"].create(
            {"name": "Prospect abroad", "company_id": other.id}
        )
        self.sync()
        self.assertNotIn(stranger, self.audience_members().partner_id)
        admin = self.env.ref("base.group_system")
        with self.assertRaisesRegex(ValidationError, "audience filter is not valid"):
            self.audience.with_user(self.manager).audience_domain = (
                "[('id', '=', user.sudo().write({'groups_id': [(4, %d)]}) and 0)]"
                % admin.id
            )
        self.assertNotIn(admin, self.manager.groups_id)
        with self.assertRaisesRegex(ValidationError, "audience filter is not valid"):
            self.audience.audience_domain = "['|', ('id', '!=', 0)]"

    def test_members_leave_to_a_closed_status_only(self):
        with self.assertRaisesRegex(ValidationError, "move to a closed status"):
            self.audience.write(
                {"audience_exit": "close", "audience_leave_status_id": self.st_dnc.id}
            )

    def test_the_overdue_invoice_filter_evaluates_like_odoo(self):
        """Filters use Odoo's context (``context_today()``...)."""
        self.audience.audience_domain = (
            "[('create_date', '<', (context_today() + relativedelta(days=1))"
            ".strftime('%Y-%m-%d')), ('name', '=like', 'Prospect %')]"
        )
        self.assertEqual(self.sync()["joined"], 6)

    def test_only_managers_sync(self):
        with self.assertRaisesRegex(UserError, "Only a call manager"):
            self.audience.with_user(self.agent).action_sync_audience()
        with self.assertRaises(AccessError):
            self.audience.with_user(self.agent).write({"audience_domain": "[]"})
        member = self.Member.create(
            {"campaign_id": self.audience.id, "partner_id": self.prospects[0].id}
        )
        with self.assertRaisesRegex(UserError, "From the Audience"):
            member.with_user(self.manager).write({"audience_joined": True})
        with self.assertRaisesRegex(UserError, "From the Audience"):
            self.Member.with_user(self.manager).create(
                {
                    "campaign_id": self.audience.id,
                    "partner_id": self.prospects[1].id,
                    "audience_joined": True,
                }
            )

    def test_the_filter_reads_with_its_authors_rights(self):
        """A manager cannot reach contacts they may not see through an
        audience, not even when the cron (superuser) evaluates it."""
        secret = self.env["res.partner"].create(
            {"name": "Prospect secret", "phone": "+48 602 300 999"}
        )
        hidden = self.env["res.groups"].create({"name": "Sees no secrets"})
        self.env["ir.rule"].create(
            {
                "name": "no secrets",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "groups": [Command.link(hidden.id)],
                "domain_force": "[('name', 'not like', 'secret')]",
            }
        )
        self.manager.groups_id |= hidden
        campaign = self.audience.with_user(self.manager)
        campaign.audience_domain = "[('name', '=like', 'Prospect %')]"
        self.assertEqual(campaign.audience_user_id, self.manager)
        self.assertEqual(campaign.audience_join_count, 6)
        self.env["call.campaign"]._cron_sync_audiences()
        self.assertNotIn(secret, self.audience_members().partner_id)
        self.assertEqual(len(self.audience_members()), 6)
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            campaign.write({"audience_user_id": self.env.ref("base.user_admin").id})

    def test_the_cron_works_in_batches_with_progress(self):
        self.audience.audience_exit = "close"
        progress = []
        origin = type(self.env["ir.cron"])._notify_progress

        def notify(cron, *, done, remaining, deactivate=False):
            progress.append((done, remaining))
            return origin(cron, done=done, remaining=remaining, deactivate=deactivate)

        with (
            patch.object(call_campaign_audience, "AUDIENCE_BATCH", 2),
            patch.object(type(self.env["ir.cron"]), "_notify_progress", notify),
        ):
            self.assertIn(
                self.audience.id, self.env["call.campaign"]._cron_sync_audiences()
            )
        self.assertEqual(progress[:3], [(2, 4), (4, 2), (6, 0)], "a batch at a time")
        self.assertEqual(len(self.audience_members()), 6)
        # a done campaign is left alone; a second run changes nothing
        progress.clear()
        self.env["call.campaign"]._cron_sync_audiences()
        self.assertEqual(len(self.audience_members()), 6)
        self.assertEqual(
            self.env["call.interaction"].search_count(
                [("campaign_id", "=", self.audience.id)]
            ),
            6,
        )

    def test_one_bad_campaign_does_not_stop_the_others(self):
        broken = self.audience.copy({"name": "Broken"})
        broken.flush_recordset()
        # a filter that became invalid later (a field removed with its app)
        self.env.cr.execute(
            "UPDATE call_campaign SET audience_domain = %s, state = 'running' "
            "WHERE id = %s",
            ["[('gone_field', '=', 1)]", broken.id],
        )
        broken.invalidate_recordset()
        with self.assertLogs(
            "odoo.addons.call_campaign.models.call_campaign_audience", "WARNING"
        ):
            synced = self.env["call.campaign"]._cron_sync_audiences()
        self.assertIn(self.audience.id, synced)
        self.assertNotIn(broken.id, synced)
        self.assertEqual(len(self.audience_members()), 6)


@tagged("call_campaign", "post_install", "-at_install")
class TestAudienceRpc(AudienceCaseMixin, RpcCaseMixin, CallCampaignCase, HttpCase):
    """An integrator updates an audience over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_audience()

    def test_sync_over_rpc(self):
        result = self.rpc(
            self.manager, "call.campaign", "action_sync_audience", [self.audience.id]
        )["result"]
        self.assertEqual(
            result["counts"],
            {str(self.audience.id): {"joined": 6, "left": 0, "stopped": False}},
        )
        message = self.rpc_refused(
            self.agent, "call.campaign", "action_sync_audience", [self.audience.id]
        )
        self.assertIn("Only a call manager", message)
