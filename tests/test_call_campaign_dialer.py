import json
import xmlrpc.client
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcCaseMixin, force_member_state

MEMBER = "call.campaign.member"


@tagged("call_campaign", "post_install", "-at_install")
class TestDialerProtocol(RpcCaseMixin, HttpCase):
    """Issue 23: a call is a record keyed by the dialer's id; reports are
    idempotent, late ones are recorded, answered calls never exhaust, a
    shift's file is one call, every outcome has a status, and refusals carry
    a machine key — over JSON-RPC and XML-RPC, as the dialer and the agent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="dp_agent", groups="call_campaign.group_call_agent"
        )
        cls.dialer = new_test_user(
            cls.env, login="dp_dialer", groups="call_campaign.group_call_dialer"
        )
        ref = cls.env.ref
        cls.st_call = ref("call_campaign.call_status_call")
        cls.st_not_interested = ref("call_campaign.call_status_not_interested")
        cls.st_interested = ref("call_campaign.call_status_interested")
        cls.st_dnc = ref("call_campaign.call_status_do_not_call")
        cls.st_voicemail = ref("call_campaign.call_status_voicemail")
        cls.st_unreachable = ref("call_campaign.call_status_unreachable")
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "Dialer protocol",
                "state": "running",
                "agent_ids": [Command.set((cls.agent | cls.dialer).ids)],
                "default_status_id": cls.st_call.id,
                "max_attempts_total": 4,
            }
        )
        # a campaign configured before voicemail had a status of its own
        cls.campaign.status_ids -= cls.st_voicemail
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Dialled {i}", "phone": f"+48 601 500 {i:03d}"}
                for i in range(6)
            ]
        )
        cls.members = cls.env[MEMBER].create(
            [
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": partner.id,
                    "user_id": cls.agent.id,
                }
                for partner in partners
            ]
        )

    def result(self, answer):
        self.assertNotIn("error", answer, answer.get("error"))
        return answer["result"]

    def error_key(self, answer):
        self.assertIn("error", answer, answer)
        return answer["error"]["data"]["context"].get("error_key")

    def xmlrpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def interactions(self, member):
        self.env.invalidate_all()
        return self.env["call.interaction"].search([("member_id", "=", member.id)])

    def test_the_same_report_twice_writes_once(self):
        member = self.members[0]
        report = {
            "duration": 95,
            "ring_seconds": 12,
            "call_uid": "pbx-1001",
            "recording_url": "https://pbx.example.com/rec/1001.mp3",
        }
        first = self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "answered",
                **report,
            )
        )
        history = self.interactions(member)
        again = self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "answered",
                **report,
            )
        )
        self.assertEqual(again, first)
        self.assertEqual(
            self.xmlrpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "answered",
                report["duration"],
                False,
                False,
                report["call_uid"],
            ),
            first,
        )
        self.assertEqual(self.interactions(member), history)
        self.assertEqual(member.attempt_count, 1)
        call = self.env["call.campaign.call"].search([("call_uid", "=", "pbx-1001")])
        self.assertRecordValues(
            call,
            [
                {
                    "member_id": member.id,
                    "state": "ended",
                    "outcome": "answered",
                    "talk_seconds": 95,
                    "ring_seconds": 12,
                    "recording_url": report["recording_url"],
                }
            ],
        )
        self.assertEqual(call.end_date - call.answer_date, timedelta(seconds=95))
        self.assertEqual(call.answer_date - call.dial_date, timedelta(seconds=12))
        self.assertEqual(call.interaction_ids.ids, first)
        self.assertEqual(member.call_ids, call, "the member's Calls tab")
        self.assertEqual(call.interaction_ids.duration, 95, "talk time only")
        # another outcome for the same call is a conflict, with its key
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "busy",
                call_uid="pbx-1001",
            )
        self.assertEqual(self.error_key(answer), "conflict")
        with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault) as fault:
            self.xmlrpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "busy",
                0,
                False,
                False,
                "pbx-1001",
            )
        self.assertTrue(fault.exception.faultString.endswith("[conflict]"))
        self.assertEqual(self.interactions(member), history)

    def test_late_records_are_kept(self):
        closed, dnc = self.members[1:3]
        self.result(
            self.rpc(
                self.agent, MEMBER, "set_status", closed.ids, self.st_not_interested.id
            )
        )
        force_member_state(dnc, {"status_id": self.st_dnc.id})
        for member, state in ((closed, "closed"), (dnc, "do_not_call")):
            with self.subTest(state=state):
                before = len(self.interactions(member))
                ids = self.result(
                    self.rpc(
                        self.dialer,
                        MEMBER,
                        "register_call_outcome",
                        member.ids,
                        "answered",
                        duration=200,
                        call_uid=f"late-{member.id}",
                    )
                )
                self.env.invalidate_all()
                self.assertEqual(member.state, state, "not reopened")
                self.assertFalse(member.next_call_date, "not rescheduled")
                self.assertEqual(member.attempt_count, 1)
                event = self.env["call.interaction"].browse(ids)
                self.assertRecordValues(event, [{"kind": "outcome", "duration": 200}])
                self.assertEqual(len(self.interactions(member)), before + 1)
        # the agent's own late report of a result they logged is accepted too
        ids = self.result(
            self.rpc(
                self.agent,
                MEMBER,
                "register_call_outcome",
                closed.ids,
                "answered",
                duration=30,
            )
        )
        self.assertTrue(ids)

    def test_an_answered_call_never_exhausts(self):
        member = self.members[3]
        force_member_state(member, {"attempt_count": 3})
        self.result(
            self.rpc(
                self.agent,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "answered",
                duration=60,
            )
        )
        self.env.invalidate_all()
        self.assertEqual(member.attempt_count, 4)
        self.assertEqual(member.status_id, self.st_call, "not closed as unreachable")
        self.result(
            self.rpc(
                self.agent, MEMBER, "set_status", member.ids, self.st_interested.id
            )
        )
        self.env.invalidate_all()
        self.assertEqual(member.status_id, self.st_interested)
        # an attempt that does not reach at the cap stops the dialling
        other = self.members[4]
        force_member_state(other, {"attempt_count": 3})
        self.result(
            self.rpc(self.agent, MEMBER, "register_call_outcome", other.ids, "busy")
        )
        self.env.invalidate_all()
        self.assertEqual(other.status_id, self.st_unreachable)

    def test_a_shift_file_is_one_call(self):
        good, other = self.members[0], self.members[5]
        reports = [
            {
                "member_id": good.id,
                "outcome": "no_answer",
                "ring_seconds": 30,
                "call_uid": "s-1",
            },
            {"member_id": 999999999, "outcome": "busy", "call_uid": "s-2"},
            {"member_id": other.id, "outcome": "hung_up", "call_uid": "s-3"},
            {
                "member_id": other.id,
                "outcome": "answered",
                "duration": 40,
                "call_uid": "s-4",
                "date": fields.Datetime.to_string(
                    fields.Datetime.now() - timedelta(hours=1)
                ),
            },
            "not a report",
        ]
        results = self.result(
            self.rpc(self.dialer, MEMBER, "register_call_outcomes", reports)
        )
        self.assertEqual([r["ok"] for r in results], [True, False, False, True, False])
        self.assertEqual(
            [r.get("key") for r in results],
            [None, "bad_argument", "bad_argument", None, "bad_argument"],
        )
        self.assertEqual(
            [r["call_uid"] for r in results], ["s-1", "s-2", "s-3", "s-4", False]
        )
        self.env.invalidate_all()
        self.assertEqual(good.attempt_count, 1)
        self.assertEqual(other.attempt_count, 1)
        # the same file again writes nothing more
        again = self.xmlrpc(self.dialer, MEMBER, "register_call_outcomes", reports)
        self.assertEqual(
            [r.get("interaction_ids") for r in again],
            [r.get("interaction_ids") for r in results],
        )
        self.env.invalidate_all()
        self.assertEqual(good.attempt_count, 1)

    def test_every_outcome_has_a_status(self):
        member = self.members[4]
        reserved = self.result(
            self.rpc(self.agent, MEMBER, "next_for_agent", [self.campaign.id])
        )
        self.assertTrue(reserved)
        member = self.env[MEMBER].browse(reserved)
        now = fields.Datetime.now().replace(microsecond=0)
        self.result(
            self.rpc(
                self.agent, MEMBER, "register_call_outcome", member.ids, "voicemail"
            )
        )
        self.env.invalidate_all()
        self.assertEqual(member.status_id, self.st_voicemail)
        self.assertFalse(member.reserved_user_id, "nobody holds it")
        self.assertGreaterEqual(member.next_call_date, now + timedelta(minutes=120))
        statuses = self.env["call.status"].search([("campaign_id", "=", False)])
        self.assertEqual(
            {"busy", "no_answer", "voicemail", "failed", "dropped"}
            - set(statuses.mapped("auto_outcome")),
            set(),
        )

    def test_refusals_carry_keys(self):
        member = self.members[5]
        stranger = new_test_user(
            self.env, login="dp_stranger", groups="call_campaign.group_call_agent"
        )
        self.campaign.agent_ids |= stranger
        force_member_state(member, {"user_id": False})
        with mute_logger("odoo.http"):
            answers = {
                "not_yours": self.rpc(
                    stranger, MEMBER, "register_call_outcome", member.ids, "busy"
                ),
                "bad_argument": self.rpc(
                    self.agent, MEMBER, "register_call_outcome", member.ids, "x"
                ),
            }
        for key, answer in answers.items():
            with self.subTest(key=key):
                self.assertEqual(self.error_key(answer), key)
        self.campaign.action_pause()
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer, MEMBER, "register_call_outcome", member.ids, "busy"
            )
        self.assertEqual(self.error_key(answer), "not_running")

    def test_dialer_serves_ready_agents_only(self):
        brk = self.env.ref("call_campaign.call_pause_reason_break")
        state = self.result(
            self.rpc(
                self.agent,
                "res.users",
                "set_call_agent_state",
                "paused",
                reason_id=brk.id,
            )
        )
        self.assertEqual((state["state"], state["reason_id"]), ("paused", brk.id))
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer,
                MEMBER,
                "next_number_for_agent",
                [self.campaign.id],
                agent_id=self.agent.id,
            )
        self.assertEqual(self.error_key(answer), "not_ready")
        with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault) as fault:
            self.xmlrpc(
                self.dialer,
                MEMBER,
                "next_number_for_agent",
                [self.campaign.id],
                self.agent.id,
            )
        self.assertTrue(fault.exception.faultString.endswith("[not_ready]"))
        self.assertFalse(
            self.env[MEMBER].search([("reserved_user_id", "=", self.agent.id)])
        )
        # an agent may not act for a colleague
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.agent,
                "res.users",
                "set_call_agent_state",
                "ready",
                agent_id=self.dialer.id,
            )
        self.assertEqual(self.error_key(answer), "not_dialer")
        self.result(self.rpc(self.agent, "res.users", "set_call_agent_state", "ready"))
        given = self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "next_number_for_agent",
                [self.campaign.id],
                agent_id=self.agent.id,
            )
        )
        member = self.env[MEMBER].browse(given["member_id"])
        self.assertEqual(member.reserved_user_id, self.agent)
        self.assertEqual(given["number"], member.dial_number)
        self.assertEqual(
            self.xmlrpc(
                self.dialer, "res.users", "get_call_agent_state", self.agent.id
            )["state"],
            "on_call",
        )
        logs = self.env["call.agent.state.log"].search(
            [("user_id", "=", self.agent.id)], order="id"
        )
        self.assertEqual(logs.mapped("state"), ["paused", "ready", "on_call"])
        self.assertTrue(all(logs[:-1].mapped("end")))
        # the agent's result: wrap-up for the campaign's time, then ready
        self.result(
            self.rpc(
                self.agent, MEMBER, "set_status", member.ids, self.st_interested.id
            )
        )
        state = self.result(self.rpc(self.agent, "res.users", "get_call_agent_state"))
        self.assertEqual(state["state"], "wrap_up")
        self.env.invalidate_all()
        self.assertEqual(
            self.agent.call_wrapup_until - self.agent.call_agent_state_date,
            timedelta(seconds=self.campaign.wrapup_seconds),
        )
        # an agent's own Next Call works from paused, and puts them on a call
        self.result(
            self.rpc(
                self.agent,
                "res.users",
                "set_call_agent_state",
                "paused",
                reason_id=brk.id,
            )
        )
        self.assertTrue(self.result(self.rpc(self.agent, MEMBER, "next_for_agent")))
        state = self.result(self.rpc(self.agent, "res.users", "get_call_agent_state"))
        self.assertEqual(state["state"], "on_call")

    def test_hand_over_an_answered_call(self):
        # a predictive dialer dials the campaign's unassigned members itself
        force_member_state(self.members, {"user_id": False})
        given = self.result(
            self.rpc(self.dialer, MEMBER, "next_number_for_agent", [self.campaign.id])
        )
        member = self.env[MEMBER].browse(given["member_id"])
        self.assertEqual(member.reserved_user_id, self.dialer)
        self.assertEqual(
            [
                r["member_id"]
                for r in self.result(self.rpc(self.dialer, MEMBER, "get_reservations"))
            ],
            member.ids,
        )
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer,
                MEMBER,
                "hand_over",
                member.ids,
                self.agent.id,
                call_uid="pbx-77",
            )
        self.assertEqual(self.error_key(answer), "not_ready", "the agent is offline")
        self.result(self.rpc(self.agent, "res.users", "set_call_agent_state", "ready"))
        status_before = member.status_id
        handed = self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "hand_over",
                member.ids,
                self.agent.id,
                call_uid="pbx-77",
            )
        )
        self.env.invalidate_all()
        self.assertEqual(member.reserved_user_id, self.agent)
        self.assertEqual(member.status_id, status_before, "no status change")
        event = self.env["call.interaction"].browse(handed["interaction_id"])
        self.assertRecordValues(
            event, [{"kind": "connected", "to_user_id": self.agent.id}]
        )
        call = event.call_id
        self.assertRecordValues(
            call,
            [{"call_uid": "pbx-77", "user_id": self.agent.id, "state": "answered"}],
        )
        self.assertEqual(self.agent._call_agent_state_now(), "on_call")
        self.assertFalse(self.result(self.rpc(self.dialer, MEMBER, "get_reservations")))
        self.assertEqual(
            [
                r["member_id"]
                for r in self.result(self.rpc(self.agent, MEMBER, "get_reservations"))
            ],
            member.ids,
        )
        # the dialer's hang-up record completes the same call
        self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "answered",
                duration=80,
                call_uid="pbx-77",
            )
        )
        self.env.invalidate_all()
        self.assertRecordValues(call, [{"state": "ended", "talk_seconds": 80}])
        self.assertEqual(
            self.env["call.campaign.call"].search_count([("call_uid", "=", "pbx-77")]),
            1,
        )

    def test_the_agent_result_of_a_handed_call_is_the_same_call(self):
        """Whichever comes first, the dialer's hang-up record or the agent's
        result, a handed-over call is one call: one attempt, the result
        linked to it, its wrap-up measured, shown on the timeline to whom
        may read the call."""
        force_member_state(self.members, {"user_id": False})
        colleague = new_test_user(
            self.env, login="dp_colleague", groups="call_campaign.group_call_agent"
        )
        self.campaign.agent_ids |= colleague
        report_first, result_first = self.members[3:5]
        for member, uid in ((report_first, "pbx-501"), (result_first, "pbx-502")):
            self.result(
                self.rpc(self.agent, "res.users", "set_call_agent_state", "ready")
            )
            self.result(
                self.rpc(
                    self.dialer, MEMBER, "hand_over", member.ids, self.agent.id, uid
                )
            )
        hang_up = {
            "duration": 140,
            "ring_seconds": 9,
            "recording_url": "https://pbx.example.com/rec/501.ogg",
        }
        self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                report_first.ids,
                "answered",
                call_uid="pbx-501",
                **hang_up,
            )
        )
        # the customer hung up 20 seconds before the agent saves the result
        hung_up = fields.Datetime.now() - timedelta(seconds=20)
        report_first.call_ids.sudo().end_date = hung_up
        for member in (report_first, result_first):
            self.result(
                self.rpc(
                    self.agent,
                    MEMBER,
                    "log_call",
                    member.ids,
                    status=self.st_interested.id,
                    note="Wants the offer",
                )
            )
        # the hang-up record of the second call arrives after the result
        self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                result_first.ids,
                "answered",
                call_uid="pbx-502",
                duration=60,
            )
        )
        self.env.invalidate_all()
        for member, uid in ((report_first, "pbx-501"), (result_first, "pbx-502")):
            with self.subTest(call=uid):
                call = self.env["call.campaign.call"].search([("call_uid", "=", uid)])
                self.assertEqual(member.attempt_count, 1, "one call, one attempt")
                self.assertEqual(member.call_ids, call)
                self.assertEqual(
                    sorted(call.interaction_ids.mapped("kind")),
                    ["call", "connected", "outcome"],
                )
        reported = report_first.call_ids
        self.assertEqual(reported.state, "ended")
        self.assertEqual(result_first.call_ids.wrapup_seconds, 0)
        self.assertTrue(20 <= reported.wrapup_seconds <= 30, reported.wrapup_seconds)
        # shown as the screens show it
        reported.sudo().wrapup_seconds = 15
        result = reported.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertEqual(
            result.with_user(self.agent).read(["call_summary", "call_recording_url"])[
                0
            ],
            {
                "id": result.id,
                "call_summary": "Ring 0:09 · Talk 2:20 · Wrap-up 0:15",
                "call_recording_url": hang_up["recording_url"],
            },
        )
        self.assertFalse(
            result.with_user(colleague).call_summary, "not the colleague's call"
        )
        self.assertFalse(result.with_user(colleague).call_recording_url)
        # a recording is a web address: nothing else reaches a browser
        with mute_logger("odoo.http"):
            answer = self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                self.members[5].ids,
                "answered",
                call_uid="pbx-503",
                recording_url="javascript:alert(1)",
            )
        self.assertEqual(self.error_key(answer), "bad_argument")
        self.assertFalse(self.members[5].call_ids)

    def test_log_call_is_the_call_screen_over_rpc(self):
        """The call screen's Save and an RPC caller write the same history."""
        screen, rpc = self.members[0], self.members[1]
        wizard = (
            self.env["call.campaign.member.log"]
            .with_user(self.agent)
            .create(
                {
                    "member_id": screen.id,
                    "status_id": self.st_interested.id,
                    "note": "Wants the offer",
                }
            )
        )
        wizard.action_log()
        ids = self.result(
            self.rpc(
                self.agent,
                MEMBER,
                "log_call",
                rpc.ids,
                status=self.st_interested.id,
                note="Wants the offer",
            )
        )
        self.assertTrue(ids)

        def history(member):
            return [
                (i.kind, i.status_id.id, i.note)
                for i in self.interactions(member).sorted("id")
            ]

        self.assertEqual(history(screen), history(rpc))
        self.assertEqual(screen.attempt_count, rpc.attempt_count)
        with mute_logger("odoo.http"):
            answer = self.rpc(self.agent, MEMBER, "log_call", rpc.ids)
        self.assertEqual(self.error_key(answer), "bad_argument")

    def test_logging_out_is_offline(self):
        self.result(self.rpc(self.agent, "res.users", "set_call_agent_state", "ready"))
        self.authenticate(self.agent.login, self.agent.login)
        self.url_open("/web/session/logout", allow_redirects=False)
        self.env.invalidate_all()
        self.assertEqual(self.agent._call_agent_state_now(), "offline")

    def test_dialers_follow_their_campaigns(self):
        other = self.env["call.campaign"].create({"name": "Not theirs"})
        asked = [
            f"call_campaign.campaign_{self.campaign.id}",
            f"call_campaign.campaign_{other.id}",
            "call_campaign.campaign_x",
        ]
        for user, expected in (
            (self.dialer, self.campaign),
            (self.agent, self.env["call.campaign"]),
        ):
            channels = (
                self.env["ir.websocket"].with_user(user)._call_campaign_channels(asked)
            )
            self.assertFalse(set(asked) & set(channels), "no raw string channel")
            self.assertEqual(
                [c.id for c in channels if getattr(c, "_name", "") == "call.campaign"],
                expected.ids,
            )
        # what the followers hear: each call reported
        member = self.members[0]
        self.result(
            self.rpc(
                self.dialer,
                MEMBER,
                "register_call_outcome",
                member.ids,
                "busy",
                call_uid="bus-1",
            )
        )
        channel = json.dumps(
            [self.env.cr.dbname, "call.campaign", self.campaign.id],
            separators=(",", ":"),
        )
        notes = self.env["bus.bus"].sudo().search([("channel", "=", channel)])
        payloads = [json.loads(n.message)["payload"] for n in notes]
        self.assertIn(member.id, [p["member_id"] for p in payloads])
        self.assertIn("busy", [p["outcome"] for p in payloads])

    def test_save_and_pause_from_the_call_screen(self):
        member = self.members[2]
        lunch = self.env.ref("call_campaign.call_pause_reason_lunch")
        wizard = (
            self.env["call.campaign.member.log"]
            .with_user(self.agent)
            .create(
                {
                    "member_id": member.id,
                    "status_id": self.st_interested.id,
                    "pause_reason_id": lunch.id,
                }
            )
        )
        wizard.action_save_and_pause()
        self.env.invalidate_all()
        self.assertEqual(member.status_id, self.st_interested)
        state = self.agent._call_agent_state_dict()
        self.assertEqual((state["state"], state["reason_id"]), ("paused", lunch.id))
