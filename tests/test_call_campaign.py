import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import CallCampaignCase

# queries of the campaign dashboard's figures and stage funnel (see the test):
# the counters and the due members are two of them
DASHBOARD_QUERIES = 8


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaign(CallCampaignCase):
    """Campaign configuration, as the call manager who does it."""

    @users("cc_manager")
    def test_new_campaign_gets_statuses_and_stages(self):
        campaign = self.env["call.campaign"].create({"name": "Fresh"})
        flagged = self.env["call.status"].search(
            [("add_to_new_campaigns", "=", True), ("campaign_id", "=", False)]
        )
        self.assertTrue(flagged)
        self.assertEqual(campaign.status_ids, flagged)
        self.assertNotIn(self.st_not_before, campaign.status_ids)
        self.assertEqual(len(campaign.stage_ids), 3)

    @users("cc_manager")
    def test_local_status_is_offered_only_by_its_campaign(self):
        campaign = self.campaign.with_env(self.env)
        local = self.env["call.status"].create(
            {
                "name": "Spring promo accepted",
                "campaign_id": self.campaign.id,
                "result": "success",
            }
        )
        self.assertIn(local, campaign.status_ids)
        other = self.env["call.campaign"].create({"name": "Other"})
        with self.assertRaisesRegex(ValidationError, "belongs to another campaign"):
            other.status_ids |= local
        # the campaign's agent uses it
        member = self.member.with_user(self.agent)
        member.set_status(local)
        self.assertEqual(member.status_id, local)

    @users("cc_manager")
    def test_state_buttons(self):
        campaign = self.env["call.campaign"].create({"name": "States"})
        self.assertEqual(campaign.state, "draft")
        with self.assertRaisesRegex(UserError, "not possible"):
            campaign.action_pause()
        campaign.action_start()
        self.assertEqual(campaign.state, "running")
        campaign.action_pause()
        self.assertEqual(campaign.state, "paused")
        campaign.action_start()
        campaign.action_done()
        self.assertEqual(campaign.state, "done")
        with self.assertRaisesRegex(UserError, "not possible"):
            campaign.action_start()

    @users("cc_manager")
    def test_copy_copies_stages(self):
        campaign = self.campaign.with_env(self.env)
        campaign.stage_ids[0].name = "Custom first"
        copy = campaign.copy()
        self.assertEqual(
            copy.stage_ids.mapped("name"), campaign.stage_ids.mapped("name")
        )
        self.assertNotEqual(copy.stage_ids, campaign.stage_ids)
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.member_ids)

    @users("cc_manager")
    def test_default_status_must_be_offered(self):
        with self.assertRaisesRegex(
            ValidationError, "must be one of the campaign's statuses"
        ):
            self.campaign.with_env(self.env).default_status_id = self.st_elsewhere

    @users("cc_manager")
    def test_figures(self):
        # the agent works the members; the contacts happened (set-up)
        members = self.members.with_user(self.agent)
        members[0].set_status(self.st_interested)
        self.members[0]._register_contact()
        members[1].set_status(self.st_not_interested)
        self.members[1]._register_contact()
        members[2].set_status(self.st_recall)
        campaign = self.campaign.with_env(self.env)
        campaign.invalidate_recordset()
        self.assertEqual(campaign.member_count, 5)
        self.assertEqual(campaign.contacted_count, 2)
        self.assertEqual(campaign.success_rate, 50.0)
        # 2 queued (never called) + 0 of the recall (in 3 days); closed ones excluded
        self.assertEqual(campaign.to_call_today_count, 2)
        self.assertEqual(campaign.overdue_count, 0)

    @users("cc_manager")
    def test_figures_of_many_campaigns_in_one_query(self):
        campaigns = self.campaign.with_env(self.env) | self.env["call.campaign"].create(
            [{"name": f"C{i}"} for i in range(5)]
        )
        campaigns.invalidate_recordset()
        # the figures of all campaigns (their counters, their due members),
        # and the manager's time zone (the end of "today") when not in cache yet
        with self.assertQueryCount(3):
            campaigns.mapped("member_count")

    @users("cc_agent")
    def test_dashboard_queries_do_not_grow_with_members(self):
        """As the agent: the figures and the stage funnel of the dashboard
        come from one reading of the members, whatever their number."""
        campaign = self.campaign.with_env(self.env)
        stages = campaign.stage_ids

        def read_dashboard():
            self.env.invalidate_all()
            campaign.read(["member_count", "to_call_today_count", "success_rate"])
            return stages.read(["member_count", "member_rate"])

        read_dashboard()  # warm the caches up
        with self.assertQueryCount(DASHBOARD_QUERIES):
            funnel = read_dashboard()
        self.assertEqual(sum(stage["member_count"] for stage in funnel), 5)
        partners = self.su_env["res.partner"].create(
            [{"name": f"Funnel {i}"} for i in range(50)]
        )
        self.su_env["call.campaign.member"].create(
            [{"campaign_id": self.campaign.id, "partner_id": p.id} for p in partners]
        )
        with self.assertQueryCount(DASHBOARD_QUERIES):
            funnel = read_dashboard()
        self.assertEqual(sum(stage["member_count"] for stage in funnel), 55)

    @users("cc_manager")
    def test_delete_with_history_refused(self):
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.campaign.with_env(self.env).unlink()
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.st_call.with_env(self.env).unlink()
        empty = self.env["call.campaign"].create({"name": "Empty"})
        empty.unlink()
        self.assertFalse(empty.exists())
        unused = self.env["call.status"].create({"name": "Unused"})
        unused.unlink()
        self.assertFalse(unused.exists())

    @users("cc_manager")
    def test_member_unique_per_campaign_and_not_blacklisted(self):
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["call.campaign.member"].create(
                {"campaign_id": self.campaign.id, "partner_id": self.partners[0].id}
            )
        # set-up: a contact whose number is on the phone blacklist
        blocked = self.su_env["res.partner"].create(
            {"name": "Blocked", "phone": "+48 601 999 111"}
        )
        self.su_env["phone.blacklist"]._add([blocked.phone_sanitized])
        with self.assertRaisesRegex(UserError, "phone blacklist"):
            self.env["call.campaign.member"].create(
                {"campaign_id": self.campaign.id, "partner_id": blocked.id}
            )

    @users("cc_agent")
    def test_member_added_writes_history(self):
        member = self.member.with_env(self.env)
        added = member.interaction_ids.filtered(lambda i: i.kind == "added")
        self.assertEqual(len(added), 1)
        self.assertEqual(added.status_id, self.st_call)

    @users("cc_manager")
    def test_reassign_and_stage_change_write_history(self):
        member = self.member.with_env(self.env)
        member.user_id = self.agent
        member.user_id = False
        # the agent moves the member through the funnel
        self.member.with_user(self.agent).stage_id = self.campaign.stage_ids[1]
        kinds = member.interaction_ids.mapped("kind")
        self.assertIn("assigned", kinds)
        self.assertIn("unassigned", kinds)
        self.assertIn("stage_change", kinds)

    @users("cc_manager")
    def test_campaign_form(self):
        with Form(self.env["call.campaign"]) as form:
            form.name = "From the form"
            form.default_status_id = self.st_call
        self.assertEqual(form.record.default_status_id, self.st_call)
