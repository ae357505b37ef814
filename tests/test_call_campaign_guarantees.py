from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged, users

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestPendingCallGuard(CallCampaignCase):
    """The pending call follows its member: agents cannot delete or bend it;
    a manager's deletion cancels it with history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member.set_status(cls.st_recall)
        cls.call = cls.member.call_activity_ids

    @users("cc_agent")
    def test_agent_cannot_delete_the_call(self):
        call = self.call.with_env(self.env)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            call.unlink()
        self.assertTrue(call.exists())
        self.assertEqual(self.member.state, "scheduled")

    @users("cc_manager")
    def test_manager_deletion_cancels_with_history(self):
        self.call.with_env(self.env).unlink()
        member = self.member.with_env(self.env)
        self.assertFalse(member.call_activity_ids)
        self.assertEqual(member.state, "queued", "callable now, no call planned")
        cancelled = member.interaction_ids.filtered(
            lambda i: i.kind == "call_cancelled"
        )
        self.assertEqual(cancelled.user_id, self.manager)

    @users("cc_manager")
    def test_manager_cannot_bend_the_call_either(self):
        with self.assertRaisesRegex(UserError, "follows its member"):
            self.call.with_env(self.env).write({"user_id": self.agent2.id})

    @users("cc_agent")
    def test_mark_done_records_a_call_still_to_log(self):
        member = self.member.with_env(self.env)
        self.call.with_env(self.env).action_done()
        self.assertTrue(member.result_pending)
        self.assertEqual(member.attempt_count, 1)
        action = member.action_set_status()
        self.assertEqual(action["res_model"], "call.campaign.member.log")


@tagged("call_campaign", "post_install", "-at_install")
class TestDoNotCallEverywhere(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["call.campaign"].create(
            {
                "name": "Other campaign",
                "state": "running",
                "agent_ids": [(6, 0, cls.agent2.ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        cls.other.status_ids |= cls.st_recall
        cls.elsewhere = cls.env["call.campaign.member"].create(
            {
                "campaign_id": cls.other.id,
                "partner_id": cls.member.partner_id.id,
                "user_id": cls.agent2.id,
            }
        )
        cls.elsewhere.set_status(cls.st_recall)

    @users("cc_agent")
    def test_do_not_call_closes_every_membership(self):
        self.member.with_env(self.env).set_status(self.st_dnc, note="Asked us to stop")
        elsewhere = self.elsewhere.sudo()
        self.assertEqual(elsewhere.state, "do_not_call")
        self.assertFalse(elsewhere.call_activity_ids, "its pending call is cancelled")
        history = elsewhere.interaction_ids.filtered(
            lambda i: i.kind == "status_change"
        )
        self.assertEqual(history[:1].user_id, self.agent)
        self.assertIn(self.campaign.name, history[:1].note)
        self.assertTrue(self.member.partner_id.phone_sanitized_blacklisted)


@tagged("call_campaign", "post_install", "-at_install")
class TestManagerReassignment(CallCampaignCase):
    @users("cc_agent")
    def test_agent_cannot_reassign(self):
        with self.assertRaisesRegex(UserError, "Forward"):
            self.member.with_env(self.env).write({"user_id": self.agent2.id})
        self.assertFalse(self.member.user_id)

    @users("cc_manager")
    def test_manager_mass_reassignment_with_history(self):
        members = self.members[:3].with_env(self.env)
        members.write({"user_id": self.agent.id})
        members.write({"user_id": self.agent2.id})
        members.write({"user_id": False})
        for member in members:
            self.assertEqual(
                member.interaction_ids.filtered(
                    lambda i: i.kind in ("assigned", "unassigned")
                ).mapped(lambda i: (i.kind, i.from_user_id.id, i.to_user_id.id)),
                [
                    ("unassigned", self.agent2.id, False),
                    ("assigned", self.agent.id, self.agent2.id),
                    ("assigned", False, self.agent.id),
                ],
            )

    @users("cc_manager")
    def test_manager_archives_with_history(self):
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall)
        member.action_archive()
        self.assertFalse(member.call_activity_ids)
        member.action_unarchive()
        self.assertEqual(
            member.interaction_ids.filtered(
                lambda i: i.kind in ("archived", "restored")
            ).mapped("kind"),
            ["restored", "archived"],
        )
        self.assertTrue(member.call_activity_ids, "the call is back")


@tagged("call_campaign", "post_install", "-at_install")
class TestTimelineFollowsLeadAccess(CallCampaignCase):
    """A lead's note mirrored on the timeline is only readable by who may read
    the lead (the privacy leak of issue 11)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        salesman = new_test_user(
            cls.env, login="cc_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.crm_agent = new_test_user(
            cls.env,
            login="cc_crm_agent",
            groups="call_campaign.group_call_agent,sales_team.group_sale_salesman",
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Secret deal",
                "partner_id": cls.member.partner_id.id,
                "user_id": salesman.id,
            }
        )
        cls.lead.message_post(
            body="Internal: margin 40%",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.campaign.agent_ids |= cls.crm_agent

    def _visible_notes(self, user):
        Interaction = self.env["call.interaction"].with_user(user)
        found = Interaction.search_read(
            [("partner_id", "=", self.member.partner_id.id)], ["note", "kind"]
        )
        partner = self.member.partner_id.with_user(user)
        found += partner.call_timeline_ids.read(["note", "kind"])
        groups = Interaction.read_group(
            [("partner_id", "=", self.member.partner_id.id)], ["note"], ["note"]
        )
        return [row["note"] for row in found] + [row["note"] for row in groups]

    def test_lead_notes_hidden_without_lead_rights(self):
        # the call manager has no CRM rights either
        for user in (self.agent, self.crm_agent, self.manager):
            with self.subTest(user=user.login):
                notes = self._visible_notes(user)
                self.assertFalse(
                    [note for note in notes if note and "margin" in note], notes
                )
        self.crm_agent.groups_id |= self.env.ref(
            "sales_team.group_sale_salesman_all_leads"
        )
        self.assertIn("Internal: margin 40%", self._visible_notes(self.crm_agent))

    @users("cc_agent")
    def test_crm_events_cannot_be_created(self):
        with self.assertRaises(AccessError):
            self.env["call.interaction"].create(
                {"kind": "lead_won", "partner_id": self.member.partner_id.id}
            )


@tagged("call_campaign", "post_install", "-at_install")
class TestCronLock(CallCampaignCase):
    """Two runs of a cron at once, on two real database connections: the
    second skips cleanly while the first holds the lock."""

    def test_second_run_skips_cleanly(self):
        Member = self.env["call.campaign.member"]
        with self.registry.cursor() as first_cr, self.registry.cursor() as second_cr:
            first = Member.with_env(Member.env(cr=first_cr))
            second = Member.with_env(Member.env(cr=second_cr))
            try:
                self.assertTrue(first._cron_try_lock("schedule_calls"))
                self.assertFalse(second._cron_try_lock("schedule_calls"), "held")
                self.assertFalse(second._cron_schedule_calls(), "skipped, no error")
                self.assertTrue(second._cron_try_lock("retry_calls"), "other crons run")
                first_cr.rollback()  # the first run ends
                self.assertTrue(second._cron_try_lock("schedule_calls"), "free again")
            finally:
                first_cr.rollback()
                second_cr.rollback()


@tagged("call_campaign", "post_install", "-at_install")
class TestOneDefinitionOfDue(CallCampaignCase):
    """The campaign figures, the members' Due filters and the ``due`` field
    say the same thing: they share ``_due_domain``."""

    @users("cc_agent")
    def test_figures_filters_and_field_agree(self):
        now = fields.Datetime.now()
        members = self.members.with_env(self.env)
        force_member_state(members[0], {"next_call_date": now - timedelta(hours=2)})
        force_member_state(members[1], {"next_call_date": now + timedelta(minutes=30)})
        force_member_state(members[2], {"next_call_date": now + timedelta(days=3)})
        members.invalidate_recordset()
        Member = self.env["call.campaign.member"]
        campaign = self.campaign.with_env(self.env)
        in_campaign = [("campaign_id", "=", campaign.id)]
        overdue = Member.search(in_campaign + [("due", "=", "overdue")])
        today = Member.search(in_campaign + [("due", "=", "today")])
        self.assertEqual(overdue, members[0])
        self.assertIn(members[1], today)
        self.assertNotIn(members[2], today)
        self.assertEqual(campaign.overdue_count, len(overdue))
        self.assertEqual(campaign.to_call_today_count, len(today))
        self.assertEqual(members[0].due, "overdue")
        self.assertFalse(members[2].due)


@tagged("call_campaign", "post_install", "-at_install")
class TestOutcomePermissions(CallCampaignCase):
    """Agents report calls of their own members; a dialer integration (Call
    Dialer group) reports for every member of the campaigns it dials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dialer = new_test_user(
            cls.env, login="cc_dialer", groups="call_campaign.group_call_dialer"
        )
        cls.campaign.agent_ids |= cls.dialer
        cls.members[1].write({"user_id": cls.agent2.id})

    @users("cc_agent")
    def test_agent_reports_own_and_reserved_members_only(self):
        Member = self.env["call.campaign.member"]
        with self.assertRaisesRegex(UserError, "neither reserved nor assigned"):
            Member.browse(self.members[2].id).register_call_outcome("busy")
        reserved = Member.next_for_agent(self.campaign.ids)
        self.assertTrue(reserved.register_call_outcome("busy"))
        with self.assertRaises(AccessError):
            Member.browse(self.members[1].id).register_call_outcome("busy")

    @users("cc_dialer")
    def test_dialer_reports_for_any_member_of_its_campaigns(self):
        theirs = self.env["call.campaign.member"].browse(self.members[1].id)
        self.assertEqual(len(theirs.register_call_outcome("no_answer", 12)), 1)
        self.assertEqual(theirs.attempt_count, 1)
        with self.assertRaisesRegex(UserError, "kept for the system"):
            theirs.set_status(self.st_busy)


@tagged("call_campaign", "post_install", "-at_install")
class TestManagerChanges(CallCampaignCase):
    @users("cc_manager")
    def test_removed_agent_members_back_to_the_pool(self):
        members = self.members[:2].with_env(self.env)
        members.write({"user_id": self.agent2.id})
        self.campaign.with_env(self.env).agent_ids -= self.agent2
        self.assertFalse(members.user_id)
        self.assertEqual(
            members.interaction_ids.filtered(lambda i: i.kind == "unassigned").mapped(
                "from_user_id"
            ),
            self.agent2 | self.agent2,
        )

    @users("cc_manager")
    def test_status_in_use_keeps_its_behaviour(self):
        with self.assertRaisesRegex(UserError, "cannot change under them"):
            self.st_call.with_env(self.env).behavior = "closed"
        self.st_elsewhere.with_env(self.env).behavior = "closed"  # unused: fine

    def test_deleted_lead_keeps_its_notes_private(self):
        lead = self.env["crm.lead"].create(
            {"name": "Gone deal", "partner_id": self.member.partner_id.id}
        )
        lead.message_post(
            body="Secret margin", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        lead.unlink()
        notes = (
            self.env["call.interaction"]
            .with_user(self.agent)
            .search([("partner_id", "=", self.member.partner_id.id)])
            .mapped("note")
        )
        self.assertFalse([n for n in notes if n and "Secret" in n])

    @users("cc_agent")
    def test_archived_campaign_gives_nobody(self):
        self.campaign.sudo().active = False
        Member = self.env["call.campaign.member"].with_context(active_test=False)
        self.assertFalse(Member.next_for_agent())


@tagged("call_campaign", "post_install", "-at_install")
class TestForwardElsewhere(CallCampaignCase):
    """An agent forwards to a campaign they do not work in, from the form,
    and still sees the forward they wrote."""

    @users("cc_agent")
    def test_forward_to_a_campaign_of_others_from_the_form(self):
        other = (
            self.env["call.campaign"]
            .sudo()
            .create(
                {
                    "name": "Others' campaign",
                    "state": "running",
                    "agent_ids": [(6, 0, self.agent2.ids)],
                    "default_status_id": self.st_call.id,
                }
            )
        )
        member = self.members[0].with_env(self.env)
        with Form(
            self.env["call.campaign.member.forward"].with_context(
                active_model="call.campaign.member", active_ids=member.ids
            )
        ) as wizard:
            wizard.campaign_id = other.with_env(self.env)
            wizard.user_id = self.agent2
            wizard.status_id = self.st_call
        wizard.record.action_forward()
        forward = self.env["call.interaction"].search(
            [("member_id", "=", member.id), ("kind", "=", "forward")]
        )
        self.assertEqual(forward.to_campaign_id.id, other.id)
