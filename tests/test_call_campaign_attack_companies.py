from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcCaseMixin

MEMBER = "call.campaign.member"
INTERACTION = "call.interaction"


@tagged("call_campaign", "post_install", "-at_install")
class TestTrustThirdRound(RpcCaseMixin, HttpCase):
    """Issue 22: each way an attacker got through, replayed over JSON-RPC as
    the user concerned (agents, a call manager, the administrator's status
    actions), with a second company; the database is read afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company2 = cls.env["res.company"].create({"name": "Second Co"})
        agents = "call_campaign.group_call_agent"
        cls.agent = new_test_user(cls.env, login="r3_agent", groups=agents)
        cls.colleague = new_test_user(
            cls.env, login="r3_colleague", groups=agents, name="Anna Agent"
        )
        cls.agent_c2 = new_test_user(
            cls.env,
            login="r3_agent_c2",
            groups=agents,
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.manager = new_test_user(
            cls.env, login="r3_manager", groups="call_campaign.group_call_manager"
        )
        cls.admin = cls.env.ref("base.user_admin")
        ref = cls.env.ref
        cls.st_call = ref("call_campaign.call_status_call")
        cls.st_follow = ref("call_campaign.call_status_follow_up")
        cls.st_interested = ref("call_campaign.call_status_interested")
        cls.st_not_interested = ref("call_campaign.call_status_not_interested")
        Campaign = cls.env["call.campaign"]
        cls.campaign = Campaign.create(
            {
                "name": "Home",
                "state": "running",
                "user_id": cls.manager.id,
                "agent_ids": [Command.set((cls.agent | cls.colleague).ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        cls.campaign2 = Campaign.create(
            {
                "name": "Abroad",
                "state": "running",
                "company_id": cls.company2.id,
                "agent_ids": [Command.set(cls.agent_c2.ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.partners = Partner.create(
            [
                {"name": f"Home customer {i}", "phone": f"+48 601 400 {i:03d}"}
                for i in range(4)
            ]
        )
        cls.partner_c2 = Partner.create(
            {"name": "Foreign customer", "company_id": cls.company2.id}
        )
        cls.secret = Partner.create({"name": "Secret customer"})
        # a contact the agents may not read in their own company
        cls.env["ir.rule"].create(
            {
                "name": "Agents: no secret customers",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "groups": [Command.link(ref(agents).id)],
                "domain_force": "[('name', '!=', 'Secret customer')]",
            }
        )
        Member = cls.env[MEMBER]
        cls.mine, cls.reserved, cls.other, cls.spare = Member.create(
            [
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": partner.id,
                    "user_id": cls.agent.id,
                }
                for partner in cls.partners
            ]
        )

    def count(self, model, domain):
        self.env.invalidate_all()
        return self.env[model].with_context(active_test=False).search_count(domain)

    def result(self, answer):
        self.assertNotIn("error", answer, answer.get("error"))
        return answer["result"]

    def status_action(self, name, code):
        """An administrator's code action, meant for statuses."""
        return self.env["ir.actions.server"].create(
            {
                "name": name,
                "model_id": self.env["ir.model"]._get_id(MEMBER),
                "state": "code",
                "code": code,
                "call_status_usable": True,
            }
        )

    # 1 -----------------------------------------------------------------
    def test_01_events_follow_their_source(self):
        note = {
            "body": "Internal: VIP, wants a discount",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_note",
        }
        self.partner_c2.message_post(**note)
        self.secret.message_post(**note)
        self.partners[0].message_post(**note)
        lead_c2 = self.env["crm.lead"].create(
            {
                "name": "Abroad deal",
                "partner_id": self.partner_c2.id,
                "company_id": self.company2.id,
            }
        )
        hidden = [self.partner_c2.id, self.secret.id]
        self.assertTrue(
            self.count(INTERACTION, [("partner_id", "in", hidden)]), "events exist"
        )
        read = self.result(
            self.rpc(
                self.agent,
                INTERACTION,
                "search_read",
                [("partner_id", "in", hidden + self.partners[:1].ids)],
                ["kind", "note", "partner_id"],
            )
        )
        self.assertEqual({row["partner_id"][0] for row in read}, {self.partners[0].id})
        self.assertIn("note_logged", {row["kind"] for row in read})
        # the contact itself is refused to them, and so is every event of it
        self.rpc_refused(self.agent, "res.partner", "read", [self.partner_c2.id])
        self.assertEqual(
            self.result(
                self.rpc(
                    self.agent,
                    INTERACTION,
                    "search_count",
                    ["|", ("partner_id", "in", hidden), ("lead_id", "=", lead_c2.id)],
                )
            ),
            0,
        )
        # the counts and the timeline tab say the same
        answer = self.rpc(
            self.agent,
            "res.partner",
            "read",
            self.partners[:1].ids,
            ["call_interaction_count", "call_timeline_ids"],
        )
        row = self.result(answer)[0]
        self.assertEqual(
            row["call_interaction_count"],
            self.count(INTERACTION, [("partner_id", "=", self.partners[0].id)]),
        )
        # the company-2 agent reads the company-2 events
        self.assertTrue(
            self.result(
                self.rpc(
                    self.agent_c2,
                    INTERACTION,
                    "search_count",
                    [("partner_id", "=", self.partner_c2.id)],
                )
            )
        )

    # 2 -----------------------------------------------------------------
    def test_02_no_forward_into_another_company(self):
        shared = self.env["res.partner"].create({"name": "Shared customer"})
        member = self.env[MEMBER].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": shared.id,
                "user_id": self.agent.id,
            }
        )
        self.campaign2.status_ids |= self.st_follow
        wizard = self.result(
            self.rpc(
                self.agent,
                "call.campaign.member.forward",
                "create",
                {
                    "member_ids": [Command.set(member.ids)],
                    "campaign_id": self.campaign2.id,
                    "user_id": self.agent_c2.id,
                    "status_id": self.st_call.id,
                },
            )
        )
        message = self.rpc_refused(
            self.agent, "call.campaign.member.forward", "action_forward", [wizard]
        )
        self.assertIn("Second Co", message)
        self.env.invalidate_all()
        self.assertEqual(member.campaign_id, self.campaign)
        self.assertEqual(member.user_id, self.agent)
        # nor to the other company's agent in their own campaign
        wizard = self.result(
            self.rpc(
                self.agent,
                "call.campaign.member.forward",
                "create",
                {
                    "member_ids": [Command.set(member.ids)],
                    "user_id": self.agent_c2.id,
                    "status_id": self.st_call.id,
                },
            )
        )
        self.rpc_refused(
            self.agent, "call.campaign.member.forward", "action_forward", [wizard]
        )
        self.env.invalidate_all()
        self.assertEqual(member.user_id, self.agent)
        # a campaign's agents are of its company (Odoo's company check), so
        # no manager hands members to the other company's agent either
        self.rpc_refused(
            self.manager,
            "call.campaign",
            "write",
            self.campaign.ids,
            {"agent_ids": [Command.link(self.agent_c2.id)]},
        )
        self.rpc_refused(
            self.manager, MEMBER, "write", member.ids, {"user_id": self.agent_c2.id}
        )
        self.env.invalidate_all()
        self.assertEqual(member.user_id, self.agent)
        self.assertNotIn(self.agent_c2, self.campaign.agent_ids)
        # the add wizard into the other company's campaign, and callbacks
        # handed to its agent
        before = self.count(MEMBER, [("campaign_id", "=", self.campaign2.id)])
        add = self.result(
            self.rpc(
                self.manager,
                "call.campaign.member.add",
                "create",
                {
                    "campaign_id": self.campaign2.id,
                    "domain": str([("id", "=", shared.id)]),
                },
            )
        )
        self.rpc_refused(self.manager, "call.campaign.member.add", "action_add", [add])
        self.assertEqual(
            self.count(MEMBER, [("campaign_id", "=", self.campaign2.id)]), before
        )
        callback = self.partners[3]
        self.spare.sudo()._write_workflow(
            {
                "status_id": self.st_follow.id,
                "next_call_date": fields.Datetime.now() + timedelta(days=1),
            }
        )
        self.campaign.status_ids |= self.st_follow
        self.rpc_refused(
            self.manager,
            MEMBER,
            "reassign_callbacks",
            self.spare.ids,
            [self.agent_c2.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.spare.user_id, self.agent)
        self.assertEqual(self.spare.partner_id, callback)

    # 3 -----------------------------------------------------------------
    def test_03_derived_figures_are_not_written(self):
        won_before = self.campaign.won_amount
        for fname, value in (
            ("lead_outcome", "won"),
            ("lead_revenue", 999999.0),
            ("lead_won_revenue", 999999.0),
            ("lead_won_count", 3),
            ("reached_date", "2026-01-01 10:00:00"),
            ("status_action_warning", "forged"),
            ("audience_joined", True),
        ):
            for user in (self.agent, self.manager):
                with self.subTest(field=fname, user=user.login):
                    self.rpc_refused(
                        user, MEMBER, "write", self.mine.ids, {fname: value}
                    )
        self.env.invalidate_all()
        self.assertFalse(self.mine.lead_outcome)
        self.assertFalse(self.mine.lead_won_revenue)
        self.assertEqual(self.campaign.won_amount, won_before)

    # 4 -----------------------------------------------------------------
    def test_04_statuses_run_no_cron_nor_menu_action(self):
        crons = self.env["ir.cron"].search(
            [("ir_actions_server_id.model_id.model", "=", MEMBER)]
        )
        self.assertGreaterEqual(len(crons), 4)
        next_call = self.env.ref("call_campaign.call_campaign_member_action_next_call")
        for action in crons.ir_actions_server_id | next_call:
            with self.subTest(action=action.name):
                self.rpc_refused(
                    self.manager,
                    "call.status",
                    "write",
                    self.st_interested.ids,
                    {"action_ids": [Command.link(action.id)]},
                )
                self.rpc_refused(
                    self.admin,
                    "call.status",
                    "write",
                    self.st_interested.ids,
                    {"action_ids": [Command.link(action.id)]},
                )
        self.env.invalidate_all()
        self.assertFalse(
            self.st_interested.action_ids & (crons.ir_actions_server_id | next_call)
        )
        # a code action that calls a cron: refused where it runs, the status
        # change stays, the transaction is never committed half-way
        self.st_interested.action_ids = self.status_action(
            "Schedule everything", "model._cron_schedule_calls()"
        )
        with mute_logger(
            "odoo.addons.call_campaign.models.call_campaign_member_actions"
        ):
            answer = self.rpc(
                self.agent, MEMBER, "set_status", self.mine.ids, self.st_interested.id
            )
        self.result(answer)
        self.env.invalidate_all()
        self.assertEqual(self.mine.status_id, self.st_interested)
        self.assertIn(
            "cannot run inside a status action", self.mine.status_action_warning
        )

    # 5 -----------------------------------------------------------------
    def test_05_create_goes_through_the_status_checks(self):
        partner = self.env["res.partner"].create({"name": "Fresh customer"})
        self.campaign.status_ids |= self.st_follow
        before = self.count(MEMBER, [])
        for vals, expected in (
            (
                {
                    "status_id": self.st_follow.id,
                    "next_call_date": "2001-02-03 04:05:06",
                },
                "in the past",
            ),
            (
                {
                    "status_id": self.st_follow.id,
                    "next_call_date": "1999-02-03 04:05:06",
                },
                "next_call_date",
            ),
            (
                {
                    "status_id": self.st_follow.id,
                    "next_call_date": fields.Datetime.to_string(
                        fields.Datetime.now() - timedelta(days=2)
                    ),
                },
                "in the past",
            ),
            ({"status_id": self.st_follow.id}, "requires a follow-up date"),
            ({"active": False}, "Only a call manager"),
        ):
            with self.subTest(vals=vals):
                message = self.rpc_refused(
                    self.agent,
                    MEMBER,
                    "create",
                    dict(vals, campaign_id=self.campaign.id, partner_id=partner.id),
                )
                self.assertIn(expected, message)
        self.assertEqual(self.count(MEMBER, []), before)
        # a callback an agent creates is theirs, as with the status service
        date = fields.Datetime.to_string(
            fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        )
        member_id = self.result(
            self.rpc(
                self.agent,
                MEMBER,
                "create",
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": partner.id,
                    "status_id": self.st_follow.id,
                    "next_call_date": date,
                },
            )
        )
        self.assertEqual(self.env[MEMBER].browse(member_id).user_id, self.agent)

    # 6 -----------------------------------------------------------------
    def test_06_events_carry_the_time_they_are_written(self):
        partner = self.partners[1]
        self.result(
            self.rpc(
                self.admin,
                "mail.message",
                "create",
                {
                    "model": "res.partner",
                    "res_id": partner.id,
                    "body": "Backdated",
                    "message_type": "comment",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "date": "2001-02-03 04:05:06",
                },
            )
        )
        event = self.env[INTERACTION].search(
            [("partner_id", "=", partner.id), ("kind", "=", "note_logged")], limit=1
        )
        self.assertTrue(event)
        self.assertGreater(event.date, fields.Datetime.now() - timedelta(hours=1))

    # 7 -----------------------------------------------------------------
    def test_07_a_live_call_belongs_to_its_agent(self):
        self.reserved.sudo()._write_workflow({"user_id": False})
        answer = self.rpc(self.colleague, MEMBER, "next_for_agent", [self.campaign.id])
        self.assertEqual(self.result(answer), self.reserved.id)
        history = self.count(INTERACTION, [("member_id", "=", self.reserved.id)])
        message = self.rpc_refused(
            self.agent,
            MEMBER,
            "set_status",
            self.reserved.ids,
            self.st_not_interested.id,
        )
        self.assertIn("Anna Agent is calling", message)
        log = self.result(
            self.rpc(
                self.agent,
                "call.campaign.member.log",
                "create",
                {"member_id": self.reserved.id, "status_id": self.st_not_interested.id},
            )
        )
        self.assertIn(
            "Anna Agent is calling",
            self.rpc_refused(
                self.agent, "call.campaign.member.log", "action_log", [log]
            ),
        )
        forward = self.result(
            self.rpc(
                self.agent,
                "call.campaign.member.forward",
                "create",
                {
                    "member_ids": [Command.set(self.reserved.ids)],
                    "user_id": self.agent.id,
                    "status_id": self.st_call.id,
                },
            )
        )
        self.rpc_refused(
            self.agent, "call.campaign.member.forward", "action_forward", [forward]
        )
        self.rpc_refused(self.agent, MEMBER, "action_skip", self.reserved.ids)
        self.env.invalidate_all()
        self.assertEqual(self.reserved.status_id, self.st_call)
        self.assertEqual(self.reserved.reserved_user_id, self.colleague)
        self.assertEqual(
            self.count(INTERACTION, [("member_id", "=", self.reserved.id)]), history
        )
        # the manager may, and the history names them
        self.result(
            self.rpc(
                self.manager,
                MEMBER,
                "set_status",
                self.reserved.ids,
                self.st_not_interested.id,
            )
        )
        self.env.invalidate_all()
        self.assertEqual(self.reserved.status_id, self.st_not_interested)
        self.assertEqual(self.reserved.interaction_ids[:1].user_id, self.manager)

    # 8 -----------------------------------------------------------------
    def test_08_status_actions_run_with_superuser_rights(self):
        self.st_interested.action_ids = self.status_action(
            "Colour the campaign and note it",
            "records.campaign_id.write({'color': 7})\n"
            "records.message_post(body='Status action ran', "
            "subtype_xmlid='mail.mt_note')",
        )
        self.result(
            self.rpc(
                self.agent, MEMBER, "set_status", self.mine.ids, self.st_interested.id
            )
        )
        self.env.invalidate_all()
        self.assertEqual(self.campaign.color, 7, "agents may not write campaigns")
        self.assertFalse(self.mine.status_action_warning)
        message = self.env["mail.message"].search(
            [("model", "=", MEMBER), ("res_id", "=", self.mine.id)], limit=1
        )
        self.assertIn("Status action ran", message.body)
        self.assertEqual(
            message.author_id, self.agent.partner_id, "the user is the author"
        )

    # 9 -----------------------------------------------------------------
    def test_09_malformed_values_are_clear_errors(self):
        ids = self.mine.ids
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        for user in (self.agent, self.manager):
            for model, method, args in (
                (MEMBER, "write", [ids, 5]),
                (MEMBER, "write", [ids, []]),
                (MEMBER, "write", [ids, {"priority": ["1"]}]),
                (MEMBER, "write", [ids, {"stage_id": "x"}]),
                (MEMBER, "create", [{"partner_id": newcomer.id}]),
                (MEMBER, "create", [[[1]]]),
                (MEMBER, "copy", [ids, 5]),
                ("call.campaign", "create", [[[1]]]),
                ("call.campaign", "create", [{"name": "a\x00b"}]),
                ("mail.activity", "create", [None]),
                ("mail.activity", "create", [{"activity_type_id": [1], "res_id": 1}]),
                (
                    "res.partner",
                    "write",
                    [self.partners[3].ids, {"phone": "+48\x00601"}],
                ),
                ("res.partner", "create", [[{"name": "x", "call_undialable": True}]]),
                ("call.contact.number", "create", [{"partner_id": "x", "number": "1"}]),
            ):
                with self.subTest(
                    user=user.login, model=model, method=method, args=args
                ):
                    self.rpc_refused(user, model, method, *args)
        self.env.invalidate_all()
        self.assertEqual(self.mine.priority, "0")
        self.assertFalse(self.env[MEMBER].search([("partner_id", "=", newcomer.id)]))

    # 10 ----------------------------------------------------------------
    def test_10_context_defaults_are_values(self):
        before = self.count("call.campaign", [])
        for context in (
            {"default_audience_user_id": self.admin.id},
            {"default_health_date": "2026-01-01 00:00:00"},
        ):
            with self.subTest(context=context):
                self.rpc_refused(
                    self.manager,
                    "call.campaign",
                    "create",
                    {
                        "name": "Borrowed rights",
                        "audience_model": "res.partner",
                        "audience_domain": "[]",
                    },
                    context=context,
                )
        self.assertEqual(self.count("call.campaign", []), before)
        campaign_id = self.result(
            self.rpc(
                self.manager,
                "call.campaign",
                "create",
                {
                    "name": "Own rights",
                    "audience_model": "res.partner",
                    "audience_domain": "[]",
                },
            )
        )
        campaign = self.env["call.campaign"].browse(campaign_id)
        self.assertEqual(campaign.audience_user_id, self.manager)
        # a context default of a member's derived field is refused as a value
        self.rpc_refused(
            self.agent,
            MEMBER,
            "create",
            {"campaign_id": self.campaign.id, "partner_id": self.partners[3].id},
            context={"default_lead_won_revenue": 999999},
        )

    # 11 ----------------------------------------------------------------
    def test_11_a_status_action_does_not_loop(self):
        again = self.env["call.status"].create({"name": "Try again"})
        self.campaign.status_ids |= again
        again.action_ids = self.status_action(
            "Set it again", f"records.set_status({again.id})"
        )
        before = self.count(INTERACTION, [("member_id", "=", self.mine.id)])
        self.result(self.rpc(self.agent, MEMBER, "set_status", self.mine.ids, again.id))
        self.env.invalidate_all()
        written = self.count(INTERACTION, [("member_id", "=", self.mine.id)]) - before
        # the agent's change, the action's change (its actions not run again)
        # and the action's own entry
        self.assertEqual(written, 3)
        self.assertFalse(self.mine.status_action_warning)
