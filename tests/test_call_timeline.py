from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.tests import Form, TransactionCase, new_test_user, tagged, users

from ..models import call_membership_mixin as mixin
from .common import CallCampaignCase


@tagged("call_campaign", "post_install", "-at_install")
class TestCustomerTimeline(CallCampaignCase):
    """The timeline as the agent reads it on the contact and the lead."""

    def _timeline(self, record, user=None):
        record = record.with_user(user) if user else record.with_env(self.env)
        record.invalidate_recordset(["call_timeline_ids"])
        return record.call_timeline_ids

    def _kinds(self, record, user=None):
        return self._timeline(record, user).mapped("kind")

    def _agent_sells(self):
        """Set-up: the agent also works the sales team's leads (the lead's
        events show only to who may read the lead)."""
        self.agent.groups_id |= self.su_env.ref(
            "sales_team.group_sale_salesman_all_leads"
        )

    @users("cc_agent")
    def test_campaign_events_on_contact_and_lead(self):
        self._agent_sells()
        partner = self.partners[0].with_env(self.env)
        lead = self.su_env["crm.lead"].create(
            {"name": "Deal", "partner_id": partner.id}
        )
        self.member.lead_id = lead
        self.member.with_user(self.manager).user_id = self.agent
        member = self.member.with_env(self.env)
        member.set_status(self.st_recall, note="call me")
        member.stage_id = self.campaign.stage_ids[1]
        # the agent's dialer reports on the agent's member
        member.register_call_outcome("busy", duration=3)
        member.register_call_outcome("answered", duration=60)
        self.member.with_user(self.manager).user_id = False
        kinds = self._kinds(partner)
        for kind in (
            "added",
            "assigned",
            "unassigned",
            "status_change",
            "scheduled",
            "stage_change",
            "outcome",
            "partner_created",
            "lead_created",
        ):
            self.assertIn(kind, kinds, kind)
        status_change = self._timeline(partner).filtered(
            lambda e: e.kind == "status_change"
        )
        self.assertRecordValues(
            status_change[-1:],
            [
                {
                    "campaign_id": self.campaign.id,
                    "user_id": self.agent.id,
                    "status_id": self.st_recall.id,
                    "note": "call me",
                }
            ],
        )
        self.assertTrue(status_change[-1].next_call_date)
        self.assertIn("status_change", self._kinds(lead))
        self.assertIn("lead_created", self._kinds(lead))

    @users("cc_agent")
    def test_newest_first_and_styled(self):
        timeline = self._timeline(self.partners[0])
        self.assertEqual(
            timeline, timeline.sorted(lambda e: (e.date, e.id), reverse=True)
        )
        self.assertTrue(all(event.kind_icon.startswith("fa-") for event in timeline))

    def test_forward_shows_from_and_to(self):
        """The agent forwards, the colleague who receives the customer reads
        where it comes from."""
        target = self.env["call.campaign"].create(
            {"name": "Other", "agent_ids": [(6, 0, self.agent2.ids)]}
        )
        self.member.user_id = self.agent
        wizard = (
            self.env["call.campaign.member.forward"]
            .with_user(self.agent)
            .create(
                {
                    "member_ids": [(6, 0, self.member.ids)],
                    "campaign_id": target.id,
                    "user_id": self.agent2.id,
                    "status_id": self.st_call.id,
                }
            )
        )
        wizard.action_forward()
        forward = self._timeline(self.partners[0], self.agent2).filtered(
            lambda e: e.kind == "forward"
        )
        self.assertRecordValues(
            forward,
            [
                {
                    "from_user_id": self.agent.id,
                    "to_user_id": self.agent2.id,
                    "from_campaign_id": self.campaign.id,
                    "to_campaign_id": target.id,
                    "user_id": self.agent.id,
                    "status_id": self.st_call.id,
                }
            ],
        )

    @users("cc_agent")
    def test_one_rendering_of_an_event(self):
        """Every screen that shows events (the Timeline menu, the contact's
        and the lead's tab, the call screen, the member's and the call's
        history) shows them with the one timeline card, which names the
        reason, the forward's target campaign and an icon of its own for a
        forward and an assignment."""
        self._agent_sells()
        card = self.env.ref("call_campaign.call_interaction_view_kanban_timeline")
        action = self.env.ref("call_campaign.call_interaction_action_timeline").sudo()
        self.assertEqual(
            action.view_ids.filtered(lambda v: v.view_mode == "kanban").view_id, card
        )
        screens = {
            "res.partner": "call_timeline_ids",
            "crm.lead": "call_timeline_ids",
            "call.campaign.member": "interaction_ids",
            "call.campaign.member.log": "interaction_ids",
            "call.campaign.call": "interaction_ids",
        }
        for model, fname in screens.items():
            arch = self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]
            nodes = etree.fromstring(arch).xpath(f"//field[@name='{fname}']")
            self.assertTrue(nodes, model)
            for node in nodes:
                self.assertEqual(node.get("mode"), "kanban", model)
                self.assertIn(
                    "'kanban_view_ref': 'call_campaign.call_interaction_view_kanban_timeline'",
                    node.get("context"),
                    model,
                )
        card_arch = etree.fromstring(card.sudo().arch)
        shown = set(card_arch.xpath("//field/@name"))
        for fname in ("reason_id", "to_campaign_id", "from_campaign_id", "outcome"):
            self.assertIn(fname, shown)
        forward_icon = card_arch.xpath("//*[@title='Forwarded to']/@class")
        assigned_icon = card_arch.xpath("//*[@title='Assigned to']/@class")
        self.assertTrue(forward_icon and assigned_icon)
        self.assertNotEqual(forward_icon, assigned_icon)
        self.assertFalse(
            self.env["ir.ui.view"]
            .sudo()
            .search_count(
                [
                    ("model", "=", "call.interaction"),
                    ("type", "=", "kanban"),
                    ("id", "!=", card.id),
                ]
            ),
            "one card for events",
        )
        kinds = dict(
            self.env["call.interaction"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        self.assertEqual(kinds["outcome"], "Call attempt", "also a manual No answer")

    @users("cc_agent")
    def test_seed_000_card_fields(self):
        """Interested / Not interested / Completed / Follow up show status,
        date and time, campaign, agent and (follow up) the date set."""
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        members = self.members.with_env(self.env)
        members[0].set_status(self.st_follow, next_call_date=date)
        members[1].set_status(self.st_interested)
        members[2].set_status(self.st_not_interested)
        follow = self._timeline(self.partners[0]).filtered(
            lambda e: e.status_id == self.st_follow and e.kind == "status_change"
        )
        self.assertRecordValues(
            follow,
            [
                {
                    "campaign_id": self.campaign.id,
                    "user_id": self.agent.id,
                    "next_call_date": date,
                }
            ],
        )
        self.assertTrue(follow.date)
        for partner, status in (
            (self.partners[1], self.st_interested),
            (self.partners[2], self.st_not_interested),
        ):
            event = self._timeline(partner).filtered(
                lambda e, s=status: e.status_id == s
            )
            self.assertEqual(event.campaign_id, self.campaign)
            self.assertEqual(event.user_id, self.agent)

    @users("cc_agent")
    def test_crm_events(self):
        """The agent also sells: the CRM events they make show on the
        timelines they read."""
        self._agent_sells()
        partner = self.env["res.partner"].create(
            {"name": "New", "user_id": self.agent.id}
        )
        partner.user_id = False
        kinds = self._kinds(partner)
        self.assertIn("partner_created", kinds)
        self.assertIn("salesperson_assigned", kinds)
        self.assertIn("salesperson_removed", kinds)
        removed = self._timeline(partner).filtered(
            lambda e: e.kind == "salesperson_removed"
        )
        self.assertEqual(removed.from_user_id, self.agent)
        lead = self.env["crm.lead"].create(
            {"name": "Opportunity", "partner_id": partner.id, "type": "opportunity"}
        )
        stages = self.env["crm.stage"].search([], order="sequence")
        lead.stage_id = stages.filtered(lambda s: not s.is_won)[-1:]
        lead.action_set_won()
        lead2 = self.env["crm.lead"].create(
            {"name": "Lost one", "partner_id": partner.id}
        )
        lead2.action_set_lost()
        lead_kinds = self._kinds(lead)
        self.assertIn("lead_created", lead_kinds)
        self.assertIn("lead_stage", lead_kinds)
        self.assertIn("lead_won", lead_kinds)
        self.assertIn("lead_lost", self._kinds(lead2))
        stage_event = self._timeline(lead).filtered(lambda e: e.kind == "lead_stage")[
            :1
        ]
        self.assertTrue(stage_event.crm_stage_id)
        partner.message_post(
            body="Prefers calls after 5 pm",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        note = self._timeline(partner).filtered(lambda e: e.kind == "note_logged")
        self.assertEqual(note.note, "Prefers calls after 5 pm")
        lead.message_post(
            body="Asked for a demo",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertIn("note_logged", self._kinds(lead))

    @users("cc_agent")
    def test_scheduled_message(self):
        self._agent_sells()  # may write to the contact: schedules a message
        partner = self.partners[3]
        self.env["mail.scheduled.message"].create(
            {
                "model": "res.partner",
                "res_id": partner.id,
                "author_id": self.env.user.partner_id.id,
                "subject": "Renewal reminder",
                "body": "Your contract ends soon",
                "scheduled_date": fields.Datetime.now() + timedelta(days=3),
            }
        )
        event = self._timeline(partner).filtered(
            lambda e: e.kind == "message_scheduled"
        )
        self.assertEqual(len(event), 1)
        self.assertIn("Renewal reminder", event.note)

    def test_agent_sees_only_campaign_events_of_own_campaigns(self):
        partner = self.partners[0]
        hidden = self.env["call.campaign"].create(
            {"name": "Secret", "agent_ids": [(6, 0, self.agent2.ids)]}
        )
        self.env["call.campaign.member"].create(
            {"campaign_id": hidden.id, "partner_id": partner.id}
        )
        as_agent = self._timeline(partner, self.agent)
        self.assertFalse(as_agent.filtered(lambda e: e.campaign_id == hidden))
        self.assertTrue(as_agent.filtered(lambda e: e.campaign_id == self.campaign))
        self.assertTrue(as_agent.filtered(lambda e: e.kind == "partner_created"))
        as_agent2 = self._timeline(partner, self.agent2)
        self.assertTrue(as_agent2.filtered(lambda e: e.campaign_id == hidden))

    def _add_notes(self, partner, count):
        """Set-up: a long history of the last member's customer."""
        self.su_env["call.interaction"].create(
            [
                {
                    "kind": "note",
                    "partner_id": partner.id,
                    "campaign_id": self.campaign.id,
                    "member_id": self.members[4].id,
                    "note": f"n{i}",
                }
                for i in range(count)
            ]
        )

    @users("cc_agent")
    def test_timeline_tab_is_one_page_and_button_opens_all(self):
        partner = self.partners[4].with_env(self.env)
        # set-up: a long history
        self._add_notes(partner, 100)
        self.assertEqual(len(self._timeline(partner)), 80)
        action = partner.action_view_call_interactions()
        self.assertEqual(action["res_model"], "call.interaction")
        self.assertGreater(partner.call_interaction_count, 100)
        self.assertEqual(
            self.env["call.interaction"].search_count(action["domain"]),
            partner.call_interaction_count,
        )
        with Form(partner) as form:
            self.assertEqual(len(form.call_timeline_ids), 80)

    @users("cc_agent")
    def test_timeline_count_is_bounded(self):
        """Exact up to the limit, "N+" beyond, without counting the rest."""
        partner = self.partners[4].with_env(self.env)
        self._add_notes(partner, 5)
        partner.invalidate_recordset()
        exact = partner.call_interaction_count
        self.assertEqual(partner.call_interaction_count_label, str(exact))
        with patch.object(mixin, "TIMELINE_COUNT_LIMIT", 3):
            partner.invalidate_recordset()
            self.assertEqual(partner.call_interaction_count_label, "3+")
            self.assertEqual(partner.call_interaction_count, 4, "stopped at 3 + 1")


@tagged("call_campaign", "post_install", "-at_install")
class TestCampaignDashboard(CallCampaignCase):
    """The manager reads the dashboard of what the agent and the dialer did."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dialer = new_test_user(
            cls.env,
            login="cc_dashboard_dialer",
            groups="call_campaign.group_call_dialer",
        )
        cls.campaign.agent_ids |= cls.dialer

    @users("cc_manager")
    def test_dashboard_figures(self):
        self.members[:2].with_env(self.env).write({"user_id": self.agent.id})
        self.members[0].with_user(self.agent).set_status(self.st_interested)
        self.members[0]._register_contact()  # set-up: the contact happened
        self.members[1].with_user(self.dialer).register_call_outcome("answered")
        self.members[2].with_user(self.agent).stage_id = self.campaign.stage_ids[1]
        campaign = self.campaign.with_env(self.env)
        campaign.invalidate_recordset()
        self.assertEqual(campaign.closed_count, 1)
        self.assertEqual(campaign.queued_count, 4)
        stages = campaign.stage_ids
        self.assertEqual(stages[0].member_count, 4)
        self.assertEqual(stages[1].member_count, 1)
        self.assertEqual(stages[1].member_rate, 20.0)
        # what the dashboard's "Calls per agent" shows: no context needed
        self.env.flush_all()
        with Form(campaign) as form:
            self.assertEqual(len(form.agent_stat_ids), 3)
        shown = {
            line.user_id: (line.member_count, line.call_count)
            for line in campaign.agent_stat_ids
        }
        self.assertEqual(shown[self.agent], (2, 0))
        self.assertEqual(shown[self.dialer], (0, 1))
        action = campaign.action_view_funnel()
        self.assertEqual(action["res_model"], "call.campaign.member")


@tagged("call_campaign", "post_install", "-at_install")
class TestDemoTimeline(TransactionCase):
    def test_demo_history_reads_in_order(self):
        """The demo customers joined their campaign before any call of the
        demo history: "added" is the oldest event of every demo member."""
        campaign = self.env.ref("call_campaign.demo_campaign", raise_if_not_found=False)
        if not campaign:
            self.skipTest("installed without demo data")
        members = campaign.with_context(active_test=False).member_ids
        self.assertTrue(members.interaction_ids.filtered(lambda i: i.kind == "call"))
        for member in members:
            self.assertEqual(
                member.interaction_ids.sorted("date")[:1].kind,
                "added",
                member.display_name,
            )
        # the contacts existed before they joined a campaign
        contact_events = self.env["call.interaction"].search(
            [("partner_id", "in", members.partner_id.ids)]
        )
        created = contact_events.filtered(lambda i: i.kind == "partner_created")
        self.assertTrue(created)
        for event in created:
            self.assertEqual(
                contact_events.filtered(
                    lambda i, e=event: i.partner_id == e.partner_id
                ).sorted(lambda i: (i.date, i.kind != "partner_created"))[:1],
                event,
                event.partner_id.display_name,
            )
