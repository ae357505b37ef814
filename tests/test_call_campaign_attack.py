import re
import xmlrpc.client
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcCaseMixin, local_date

MEMBER = "call.campaign.member"
ADDON_ROOT = Path(__file__).resolve().parent.parent


def addon_context_keys():
    """Every context key the add-on's Python code reads."""
    keys = set()
    pattern = re.compile(r"context(?:\.get\(|\[)\s*[\"']([a-z_]+)[\"']")
    for path in ADDON_ROOT.glob("[mw]*/*.py"):
        keys.update(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignAttack(RpcCaseMixin, HttpCase):
    """An agent tries every way around the member's operations over Odoo's
    external JSON-RPC API; each is refused, or leaves exactly the history the
    status service writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "call_campaign.group_call_agent"
        cls.agent = new_test_user(cls.env, login="atk_agent", groups=groups)
        cls.colleague = new_test_user(cls.env, login="atk_colleague", groups=groups)
        cls.manager = new_test_user(
            cls.env, login="atk_manager", groups="call_campaign.group_call_manager"
        )
        cls.portal = new_test_user(
            cls.env, login="atk_portal", groups="base.group_portal"
        )
        ref = cls.env.ref
        cls.st_call = ref("call_campaign.call_status_call")
        cls.st_follow = ref("call_campaign.call_status_follow_up")
        cls.st_not_interested = ref("call_campaign.call_status_not_interested")
        cls.st_dnc = ref("call_campaign.call_status_do_not_call")
        cls.st_busy = ref("call_campaign.call_status_busy")
        cls.st_recall = cls.env["call.status"].create(
            {
                "name": "Recall tomorrow",
                "behavior": "to_call",
                "schedule_call": True,
                "delay_days": 1,
            }
        )
        Campaign = cls.env["call.campaign"]
        cls.campaign = Campaign.create(
            {
                "name": "Attack",
                "state": "running",
                "user_id": cls.manager.id,
                "agent_ids": [(6, 0, (cls.agent | cls.colleague).ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        cls.campaign.status_ids |= cls.st_recall
        cls.other = Campaign.create(
            {
                "name": "Other",
                "state": "running",
                "agent_ids": [(6, 0, (cls.agent | cls.colleague).ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        cls.finished = Campaign.create(
            {
                "name": "Finished",
                "state": "running",
                "agent_ids": [(6, 0, cls.agent.ids)],
                "default_status_id": cls.st_call.id,
            }
        )
        partners = cls.env["res.partner"].create(
            [{"name": f"Target {i}", "phone": f"+48 601 300 {i:03d}"} for i in range(5)]
        )
        Member = cls.env[MEMBER]
        cls.mine, cls.closed, cls.scheduled, cls.spare, cls.unassigned = Member.create(
            [
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": partner.id,
                    "user_id": cls.agent.id if i < 4 else False,
                }
                for i, partner in enumerate(partners)
            ]
        )
        cls.elsewhere = Member.create(
            {"campaign_id": cls.other.id, "partner_id": partners[0].id}
        )
        cls.in_finished = Member.create(
            {
                "campaign_id": cls.finished.id,
                "partner_id": partners[1].id,
                "user_id": cls.agent.id,
            }
        )
        cls.finished.action_done()
        cls.closed.set_status(cls.st_not_interested)
        cls.scheduled.set_status(cls.st_recall)
        cls.call = cls.scheduled.call_activity_ids

    def snapshot(self, member):
        self.env.invalidate_all()
        member = member.with_context(active_test=False)
        return {
            "status": member.status_id.id,
            "agent": member.user_id.id,
            "campaign": member.campaign_id.id,
            "date": member.next_call_date,
            "reserved": (member.reserved_user_id.id, member.reserved_until),
            "attempts": member.attempt_count,
            "active": member.active,
            "calls": self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("call_member_id", "=", member.id)])
            .mapped(lambda a: (a.id, a.active, a.user_id.id, a.date_deadline)),
            "history": self.env["call.interaction"].search_count(
                [("member_id", "=", member.id)]
            ),
        }

    def assertRefusedUnchanged(self, member, model, method, *args, **kwargs):
        before = self.snapshot(member)
        message = self.rpc_refused(self.agent, model, method, *args, **kwargs)
        self.assertEqual(self.snapshot(member), before, f"{method}{args} wrote")
        return message

    def test_plain_writes_of_workflow_fields(self):
        refused = {
            "user_id": self.colleague.id,
            "campaign_id": self.other.id,
            "reserved_user_id": self.agent.id,
            "reserved_until": "2099-01-01 00:00:00",
            "attempt_count": 0,
            "last_call_date": "2026-01-01 10:00:00",
            "active": False,
            "result_pending": True,
            "state": "closed",
            "partner_id": self.closed.partner_id.id,
        }
        for fname, value in refused.items():
            with self.subTest(field=fname):
                self.assertRefusedUnchanged(
                    self.mine, MEMBER, "write", [self.mine.id], {fname: value}
                )

    def test_status_write_goes_through_the_service(self):
        before = self.snapshot(self.mine)
        answer = self.rpc(
            self.agent,
            MEMBER,
            "write",
            [self.mine.id],
            {"status_id": self.st_recall.id},
        )
        self.assertIs(answer.get("result"), True, answer)
        after = self.snapshot(self.mine)
        self.assertEqual(after["status"], self.st_recall.id)
        self.assertEqual(after["history"], before["history"] + 2, "changed, scheduled")
        self.assertEqual(len(after["calls"]), 1, "the service planned the call")
        last = self.env["call.interaction"].search(
            [("member_id", "=", self.mine.id), ("kind", "=", "status_change")], limit=1
        )
        self.assertRecordValues(
            last,
            [
                {
                    "user_id": self.agent.id,
                    "previous_status_id": self.st_call.id,
                    "status_id": self.st_recall.id,
                }
            ],
        )

    def test_follow_up_date_write_goes_through_the_service(self):
        date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        before = self.snapshot(self.scheduled)
        answer = self.rpc(
            self.agent,
            MEMBER,
            "write",
            [self.scheduled.id],
            {"next_call_date": fields.Datetime.to_string(date)},
        )
        self.assertIs(answer.get("result"), True, answer)
        after = self.snapshot(self.scheduled)
        self.assertEqual(after["date"], date)
        self.assertEqual(after["history"], before["history"] + 1)
        self.assertEqual(
            after["calls"][0][0], before["calls"][0][0], "moved, not added"
        )
        self.assertEqual(after["calls"][0][3], local_date(self.scheduled, date))

    def test_closed_hidden_and_do_not_call_statuses(self):
        self.assertRefusedUnchanged(
            self.closed,
            MEMBER,
            "write",
            [self.closed.id],
            {"status_id": self.st_call.id},
        )
        self.assertRefusedUnchanged(
            self.mine, MEMBER, "write", [self.mine.id], {"status_id": self.st_busy.id}
        )
        self.assertRefusedUnchanged(
            self.mine, MEMBER, "set_status", [self.mine.id], self.st_busy.id
        )
        answer = self.rpc(
            self.agent, MEMBER, "write", [self.mine.id], {"status_id": self.st_dnc.id}
        )
        self.assertIs(answer.get("result"), True, answer)
        self.env.invalidate_all()
        self.assertTrue(self.mine.partner_id.phone_sanitized_blacklisted)
        self.assertEqual(self.elsewhere.state, "do_not_call", "other campaign closed")

    def test_context_keys_change_nothing(self):
        keys = addon_context_keys()
        self.assertTrue(keys, "the add-on reads no context key?")
        context = dict.fromkeys(keys, True)
        context.update(
            active_model=MEMBER,
            active_ids=[self.unassigned.id],
            default_campaign_id=self.other.id,
            call_campaign_id=self.other.id,
            default_partner_filter_id=self.unassigned.partner_id.id,
            call_campaign_no_history=True,
            call_campaign_forward=True,
        )
        self.assertRefusedUnchanged(
            self.mine,
            MEMBER,
            "write",
            [self.mine.id],
            {"campaign_id": self.other.id},
            context=context,
        )
        before = self.snapshot(self.mine)
        answer = self.rpc(
            self.agent,
            MEMBER,
            "write",
            [self.mine.id],
            {"status_id": self.st_not_interested.id},
            context=context,
        )
        self.assertIs(answer.get("result"), True, answer)
        self.assertEqual(self.snapshot(self.mine)["history"], before["history"] + 1)
        self.assertRefusedUnchanged(
            self.in_finished,
            MEMBER,
            "set_status",
            [self.in_finished.id],
            self.st_call.id,
            context=context,
        )

    def test_history_cannot_be_forged(self):
        vals = {
            "kind": "lead_won",
            "partner_id": self.mine.partner_id.id,
            "campaign_id": self.campaign.id,
            "member_id": self.mine.id,
            "user_id": self.colleague.id,
            "note": "forged",
        }
        self.assertRefusedUnchanged(
            self.mine,
            "call.interaction",
            "create",
            vals,
            context={"tracking_disable": 1},
        )
        entry = self.mine.interaction_ids[:1]
        self.assertRefusedUnchanged(
            self.mine, "call.interaction", "write", entry.ids, {"note": "changed"}
        )
        self.assertRefusedUnchanged(self.mine, "call.interaction", "unlink", entry.ids)
        for user in (self.manager, self.env.ref("base.user_admin")):
            with mute_logger("odoo.http"):
                answer = self.rpc(user, "call.interaction", "create", vals)
            self.assertRpcRefused(answer, ("odoo.exceptions.AccessError",))

    def test_pending_call_protected(self):
        Activity = "mail.activity"
        self.assertRefusedUnchanged(self.scheduled, Activity, "unlink", self.call.ids)
        self.assertRefusedUnchanged(
            self.scheduled, Activity, "action_cancel", self.call.ids
        )
        self.assertRefusedUnchanged(
            self.scheduled,
            Activity,
            "write",
            self.call.ids,
            {"user_id": self.colleague.id, "date_deadline": "2099-01-01"},
        )
        self.assertRefusedUnchanged(
            self.scheduled, Activity, "action_snooze", self.call.ids
        )
        self.assertRefusedUnchanged(
            self.scheduled, Activity, "action_archive", self.call.ids
        )
        self.assertRefusedUnchanged(
            self.closed,
            Activity,
            "create",
            {
                "res_model_id": self.env["ir.model"]._get_id(MEMBER),
                "res_id": self.closed.id,
                "activity_type_id": self.env.ref(
                    "call_campaign.mail_activity_type_call"
                ).id,
                "user_id": self.agent.id,
            },
        )

    def test_mark_done_is_never_silent(self):
        answer = self.rpc(
            self.agent, "mail.activity", "action_feedback", self.call.ids, feedback="Hi"
        )
        self.assertNotIn("error", answer, answer)
        self.env.invalidate_all()
        self.assertTrue(self.scheduled.result_pending)
        call = self.scheduled.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertIn("without a result", call.note)
        answer = self.rpc(
            self.agent, "mail.activity", "action_log_call_campaign", self.call.ids
        )
        self.assertEqual(
            answer["result"]["res_model"], "call.campaign.member.log", "Log a Call"
        )

    def test_member_creation(self):
        Member = self.env[MEMBER]
        partner = self.env["res.partner"].create({"name": "New one"})
        count = Member.search_count([("partner_id", "=", partner.id)])
        for vals in (
            {"campaign_id": self.finished.id, "partner_id": partner.id},
            {
                "campaign_id": self.campaign.id,
                "partner_id": partner.id,
                "user_id": self.portal.id,
            },
            {
                "campaign_id": self.campaign.id,
                "partner_id": partner.id,
                "status_id": self.st_busy.id,
            },
            {
                "campaign_id": self.campaign.id,
                "partner_id": partner.id,
                "attempt_count": 7,
            },
        ):
            with self.subTest(vals=vals):
                self.rpc_refused(self.agent, MEMBER, "create", vals)
        self.assertEqual(Member.search_count([("partner_id", "=", partner.id)]), count)

    def test_manager_assigns_only_agents_with_history(self):
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.manager,
                MEMBER,
                "write",
                [self.unassigned.id],
                {"user_id": self.portal.id},
            )
        self.assertRpcRefused(answer, message="is not an agent")
        answer = self.rpc(
            self.manager,
            MEMBER,
            "write",
            [self.mine.id, self.unassigned.id],
            {"user_id": self.colleague.id},
        )
        self.assertIs(answer.get("result"), True, answer)
        assigned = self.env["call.interaction"].search(
            [
                ("member_id", "in", (self.mine | self.unassigned).ids),
                ("kind", "=", "assigned"),
            ]
        )
        self.assertRecordValues(
            assigned.sorted(lambda i: i.member_id.id),
            [
                {
                    "member_id": self.mine.id,
                    "from_user_id": self.agent.id,
                    "to_user_id": self.colleague.id,
                    "user_id": self.manager.id,
                },
                {
                    "member_id": self.unassigned.id,
                    "from_user_id": False,
                    "to_user_id": self.colleague.id,
                    "user_id": self.manager.id,
                },
            ],
        )

    def test_outcomes_only_where_they_make_sense(self):
        # a closed member's call is a late record: kept, nothing reopened
        before = self.snapshot(self.closed)
        answer = self.rpc(
            self.agent, MEMBER, "register_call_outcome", [self.closed.id], "answered"
        )
        self.assertEqual(len(answer.get("result", [])), 1, answer)
        after = self.snapshot(self.closed)
        self.assertEqual(after["status"], before["status"])
        self.assertEqual(after["date"], before["date"])
        self.assertEqual(after["attempts"], before["attempts"] + 1)
        self.assertEqual(after["history"], before["history"] + 1)
        self.assertRefusedUnchanged(
            self.in_finished,
            MEMBER,
            "register_call_outcome",
            [self.in_finished.id],
            "answered",
        )
        self.assertRefusedUnchanged(
            self.unassigned,
            MEMBER,
            "register_call_outcome",
            [self.unassigned.id],
            "busy",
        )
        answer = self.rpc(
            self.agent, MEMBER, "register_call_outcome", [self.mine.id], "busy"
        )
        self.assertEqual(len(answer.get("result", [])), 1, answer)

    def test_abstract_mixin_not_callable(self):
        for method in ("action_view_call_members", "action_add_to_call_campaign"):
            self.rpc_refused(self.agent, "call.membership.mixin", method, [1])

    def test_bad_arguments_refused_clearly(self):
        for args, kwargs, argument in (
            (("x",), {}, "status"),
            ((self.st_call.id,), {"next_call_date": "not a date"}, "next_call_date"),
            ((self.st_call.id,), {"note": "x" * 10000}, "note"),
            ((999999,), {}, "status"),
            ((self.st_call.id,), {"reason": "abc"}, "reason"),
        ):
            with self.subTest(args=args, kwargs=kwargs):
                message = self.assertRefusedUnchanged(
                    self.mine, MEMBER, "set_status", [self.mine.id], *args, **kwargs
                )
                self.assertIn(f"“{argument}”", message)
        message = self.rpc_refused(self.agent, MEMBER, "next_for_agent", "x")
        self.assertIn("“campaign_ids”", message)

    def test_xmlrpc_integrator_drive(self):
        """XML-RPC, as integrators use it: no Fault from start to finish."""
        uid, password = self.manager.id, self.manager.login
        db = self.env.cr.dbname

        def call(user_id, pwd, model, method, *args, **kwargs):
            return self.xmlrpc_object.execute_kw(
                db, user_id, pwd, model, method, list(args), kwargs
            )

        campaign_id = self.other.id
        for method in ("action_pause", "action_start", "action_pause", "action_done"):
            self.assertIs(
                call(uid, password, "call.campaign", method, [campaign_id]), True
            )
        self.assertIs(
            call(uid, password, "call.campaign", "action_reset_draft", [campaign_id]),
            True,
        )
        self.assertIs(
            call(uid, password, "call.campaign", "action_start", [campaign_id]), True
        )
        agent = (self.agent.id, self.agent.login)
        member_id = call(*agent, MEMBER, "next_for_agent", [self.campaign.id])
        self.assertTrue(member_id)
        ids = call(*agent, MEMBER, "register_call_outcome", [member_id], "answered", 30)
        self.assertEqual(len(ids), 1)
        ids = call(*agent, MEMBER, "set_status", [member_id], self.st_not_interested.id)
        self.assertEqual(len(ids), 1)
        with (
            self.assertRaises(xmlrpc.client.Fault) as refusal,
            mute_logger("odoo.http"),
        ):
            call(*agent, MEMBER, "set_status", [member_id], "x")
        self.assertIn(
            "must be the id of one call.status", refusal.exception.faultString
        )

    def test_second_round_of_bypasses(self):
        """The bypasses an attacker's review found after the first round."""
        Activity = "mail.activity"
        todo = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id(MEMBER),
                "res_id": self.mine.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "user_id": self.agent.id,
            }
        )
        for vals in (
            {"call_member_id": False},
            {"call_status_id": self.st_busy.id},
            {"calendar_event_id": False},
        ):
            with self.subTest(vals=vals):
                self.assertRefusedUnchanged(
                    self.scheduled, Activity, "write", self.call.ids, vals
                )
        self.assertRefusedUnchanged(
            self.mine, Activity, "write", todo.ids, {"call_member_id": self.mine.id}
        )
        for command in ([(5,)], [(3, self.call.id)]):
            self.assertRefusedUnchanged(
                self.scheduled,
                MEMBER,
                "write",
                [self.scheduled.id],
                {"call_activity_ids": command},
            )
        # a done call cannot be replayed, nor deleted by a manager
        self.call.with_user(self.agent).action_feedback(feedback="done once")
        self.assertRefusedUnchanged(
            self.scheduled, Activity, "action_feedback", self.call.ids
        )
        with mute_logger("odoo.http"):
            answer = self.rpc(self.manager, Activity, "unlink", self.call.ids)
        self.assertRpcRefused(answer, message="kept for reporting")
        # Forward cannot reopen, unhide or leave a done campaign
        forward = "call.campaign.member.forward"
        for member, status in (
            (self.closed, self.st_call),
            (self.mine, self.st_busy),
            (self.in_finished, self.st_call),
        ):
            with self.subTest(member=member.partner_id.name, status=status.name):
                wizard = self.env[forward].create(
                    {
                        "member_ids": [(6, 0, member.ids)],
                        "user_id": self.agent.id,
                        "status_id": status.id,
                    }
                )
                self.assertRefusedUnchanged(
                    member, forward, "action_forward", wizard.ids
                )
        # context defaults are values like any other
        partner = self.env["res.partner"].create({"name": "Defaults"})
        self.assertRpcRefused(
            self.rpc_refused_answer(
                MEMBER,
                "create",
                {"campaign_id": self.campaign.id, "partner_id": partner.id},
                context={"default_attempt_count": 42, "default_result_pending": True},
            )
        )

    def rpc_refused_answer(self, model, method, *args, **kwargs):
        with mute_logger("odoo.http"):
            return self.rpc(self.agent, model, method, *args, **kwargs)

    def test_do_not_call_survives_a_new_number(self):
        self.rpc(self.agent, MEMBER, "set_status", [self.mine.id], self.st_dnc.id)
        partner = self.mine.partner_id
        partner.phone = "+48 600 000 001"  # off the blacklist by a new number
        member = self.env[MEMBER].search([("partner_id", "=", partner.id)], limit=1)
        self.assertRefusedUnchanged(
            member,
            MEMBER,
            "create",
            {"campaign_id": self.finished.id, "partner_id": partner.id},
        )
        self.assertRefusedUnchanged(
            self.elsewhere,
            MEMBER,
            "set_status",
            [self.elsewhere.id],
            self.st_call.id,
        )

    def test_crashes_became_clear_refusals(self):
        for ids, args, kwargs in (
            (["a"], (self.st_call.id,), {}),
            ([[1]], (self.st_call.id,), {}),
            ([self.mine.id], (self.st_call.id,), {"note": "a\x00b"}),
            (
                [self.scheduled.id],
                (self.st_recall.id,),
                {"next_call_date": "9999-12-31 23:59:59"},
            ),
        ):
            with self.subTest(ids=ids, kwargs=kwargs):
                self.assertRefusedUnchanged(
                    self.mine, MEMBER, "set_status", ids, *args, **kwargs
                )
        for vals in (
            {"next_call_date": "tomorrow"},
            {"next_call_date": 12345},
            {"status_id": "x"},
            {"status_id": 1.5},
        ):
            with self.subTest(vals=vals):
                self.assertRefusedUnchanged(
                    self.mine, MEMBER, "write", [self.mine.id], vals
                )
        for domain in (
            [("call_member_ids", "=", "abc")],
            [("call_status_id", "child_of", 1)],
        ):
            with self.subTest(domain=domain):
                self.assertRefusedUnchanged(
                    self.mine, "res.partner", "search_read", domain, ["id"]
                )
        before = self.snapshot(self.mine)
        answer = self.rpc(
            self.agent,
            MEMBER,
            "set_status",
            [self.mine.id, self.mine.id],
            self.st_recall.id,
        )
        self.assertEqual(len(answer["result"]), 1, "one change, one history row")
        self.assertEqual(self.snapshot(self.mine)["history"], before["history"] + 2)
