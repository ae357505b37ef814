from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged, users
from odoo.tools import format_datetime
from odoo.tools.safe_eval import safe_eval

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestCallbackGovernance(CallCampaignCase):
    """The campaign's limits on “My record” callbacks hold whoever sets
    them (Log a Call, Set Status, Forward, RPC, a manager's edit), and
    managers hand an absent agent's callbacks to colleagues."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent3 = new_test_user(
            cls.env,
            login="cc_agent3",
            groups="call_campaign.group_call_agent",
            tz="Europe/Warsaw",
        )
        cls.campaign.agent_ids = [Command.link(cls.agent3.id)]
        cls.other_members = cls.env["call.campaign.member"].create(
            [
                {"campaign_id": cls.campaign.id, "partner_id": partner.id}
                for partner in cls.env["res.partner"].create(
                    [{"name": f"Other {i}", "tz": "Europe/Warsaw"} for i in range(3)]
                )
            ]
        )
        cls.tomorrow = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)

    def _snapshot(self):
        """Everything a refused call must leave as it was."""
        self.su_env.invalidate_all()
        members = (
            self.su_env["call.campaign.member"]
            .with_context(active_test=False)
            .search([])
        )
        return (
            self.su_env["call.interaction"].search_count([]),
            sorted(
                (a.call_member_id.id, a.user_id.id, a.date_deadline)
                for a in self.su_env["mail.activity"].search(
                    [("call_member_id", "!=", False)]
                )
            ),
            [
                (m.id, m.campaign_id.id, m.user_id.id, m.status_id.id, m.next_call_date)
                for m in members
            ],
        )

    def _cap_message(self, agent, limit, held, count):
        return (
            f"{agent.name} may hold at most {limit} pending callbacks in the "
            f"campaign “Test Campaign”: they hold {held}, {count} more would be "
            "too many."
        )

    def _give_callbacks(self, user, members, date=None):
        """``members`` become callbacks of ``user``, who sets them."""
        members.with_user(user).set_status(self.st_follow, date or self.tomorrow)

    # ------------------------------------------------------------ the limits

    @users("cc_agent")
    def test_cap_refuses_the_next_callback(self):
        self.campaign.max_callbacks_per_agent = 2
        members = self.members.with_env(self.env)
        members[:2].set_status(self.st_follow, self.tomorrow)
        self.assertEqual(members[:2].user_id, self.agent)
        before = self._snapshot()
        with self.assertRaises(UserError) as refused:
            members[2].set_status(self.st_follow, self.tomorrow)
        self.assertEqual(str(refused.exception), self._cap_message(self.agent, 2, 2, 1))
        self.assertEqual(self._snapshot(), before, "nothing half-written")
        # the same through Log a Call, for several members at once
        with self.assertRaises(UserError) as refused:
            self.env["call.campaign.member.log"].create(
                {
                    "member_ids": [Command.set(members[2:4].ids)],
                    "status_id": self.st_follow.id,
                    "next_call_date": self.tomorrow,
                }
            ).action_log()
        self.assertEqual(str(refused.exception), self._cap_message(self.agent, 2, 2, 2))
        self.assertEqual(self._snapshot(), before)
        # a callback the agent holds may get a new date; a colleague has room
        members[0].set_status(self.st_follow, self.tomorrow + timedelta(hours=2))
        self._give_callbacks(self.agent2, members[2:4])
        self.assertEqual(members[2:4].user_id, self.agent2)

    @users("cc_agent")
    def test_cap_over_rpc(self):
        """``set_status`` and ``write`` called as an integrator would, with
        ids and strings."""
        self.campaign.max_callbacks_per_agent = 1
        Member = self.env["call.campaign.member"]
        date = fields.Datetime.to_string(self.tomorrow)
        api.call_kw(
            Member,
            "set_status",
            [self.members[0].ids, self.st_follow.id],
            {"next_call_date": date},
        )
        before = self._snapshot()
        for method, args in (
            ("set_status", [self.members[1].ids, self.st_follow.id]),
            (
                "write",
                [
                    self.members[1].ids,
                    {"status_id": self.st_follow.id, "next_call_date": date},
                ],
            ),
        ):
            with self.subTest(method=method), self.assertRaises(UserError) as refused:
                api.call_kw(
                    Member,
                    method,
                    args,
                    {"next_call_date": date} if method == "set_status" else {},
                )
            self.assertEqual(
                str(refused.exception), self._cap_message(self.agent, 1, 1, 1)
            )
            self.assertEqual(self._snapshot(), before)

    @users("cc_agent")
    def test_forward_to_a_full_colleague_is_refused(self):
        self._give_callbacks(self.agent2, self.other_members[:2])
        self.campaign.max_callbacks_per_agent = 2
        member = self.members[0].with_env(self.env)
        before = self._snapshot()
        wizard = self.env["call.campaign.member.forward"].create(
            {
                "member_ids": [Command.set(member.ids)],
                "user_id": self.agent2.id,
                "status_id": self.st_follow.id,
                "next_call_date": self.tomorrow,
            }
        )
        with self.assertRaises(UserError) as refused:
            wizard.action_forward()
        self.assertEqual(
            str(refused.exception), self._cap_message(self.agent2, 2, 2, 1)
        )
        self.assertEqual(self._snapshot(), before, "nothing half-written")
        # a colleague with room takes it
        wizard.user_id = self.agent3
        wizard.action_forward()
        self.assertEqual(self.members[0].user_id, self.agent3)

    @users("cc_manager")
    def test_managers_assignment_obeys_the_cap(self):
        self._give_callbacks(self.agent2, self.other_members[:2])
        self._give_callbacks(self.agent, self.members[0])
        self.campaign.max_callbacks_per_agent = 2
        before = self._snapshot()
        with self.assertRaises(UserError) as refused:
            self.members[0].with_env(self.env).user_id = self.agent2
        self.assertEqual(
            str(refused.exception), self._cap_message(self.agent2, 2, 2, 1)
        )
        self.assertEqual(self._snapshot(), before)
        # a member that is not a callback is not counted
        self.members[1].with_env(self.env).user_id = self.agent2
        self.assertEqual(self.members[1].user_id, self.agent2)

    @users("cc_manager")
    def test_new_members_as_callbacks_obey_the_limits(self):
        """Members added straight with a “My record” status (Add Members
        spread over agents, an import) count like any other callback."""
        self.campaign.write({"max_callbacks_per_agent": 1, "max_callback_days": 7})
        partners = self.su_env["res.partner"].create(
            [{"name": f"New {i}"} for i in range(2)]
        )
        # a callback status that takes no date (Follow up requires one)
        callback = self.su_env["call.status"].create(
            {"name": "Callback", "behavior": "my_record"}
        )
        self.campaign.sudo().status_ids |= callback
        before = self._snapshot()
        wizard = self.env["call.campaign.member.add"].create(
            {
                "campaign_id": self.campaign.id,
                "domain": str([("id", "in", partners.ids)]),
                "status_id": callback.id,
                "user_ids": [Command.set(self.agent.ids)],
            }
        )
        with self.assertRaises(UserError) as refused:
            wizard.action_add()
        self.assertEqual(str(refused.exception), self._cap_message(self.agent, 1, 0, 2))
        with self.assertRaisesRegex(UserError, "New 0: the follow-up date .* too far"):
            self.env["call.campaign.member"].create(
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": partners[0].id,
                    "status_id": self.st_follow.id,
                    "next_call_date": fields.Datetime.now() + timedelta(days=8),
                }
            )
        self.assertEqual(self._snapshot(), before)

    @users("cc_agent")
    def test_date_cap(self):
        self.campaign.max_callback_days = 7
        in_8_days, dialer = self.su_env["call.status"].create(
            [
                {
                    "name": "Call back in 8 days",
                    "behavior": "my_record",
                    "delay_days": 8,
                },
                {
                    "name": "Dialer callback",
                    "behavior": "my_record",
                    "hidden": True,
                    "auto_outcome": "voicemail",
                    "retry_delay": 8 * 24 * 60,
                },
            ]
        )
        self.campaign.status_ids |= in_8_days | dialer
        member = self.members[0].with_env(self.env)
        with freeze_time("2026-12-01 09:00:00"):
            now = fields.Datetime.now()
            too_far = now + timedelta(days=7, minutes=1)
            before = self._snapshot()
            with self.assertRaises(UserError) as refused:
                member.set_status(self.st_follow, too_far)
            latest = format_datetime(self.env, now + timedelta(days=7))
            self.assertIn("10:00:00", latest, "the agent's time zone (Warsaw)")
            self.assertEqual(
                str(refused.exception),
                f"Customer 0: the follow-up date {format_datetime(self.env, too_far)} "
                "is too far ahead: the campaign “Test Campaign” takes callbacks up to "
                f"7 days ahead, until {latest}.",
            )
            self.assertEqual(self._snapshot(), before, "nothing half-written")
            # so is the status's own delay, and a forward to a colleague
            with self.assertRaisesRegex(UserError, "too far ahead"):
                member.set_status(in_8_days)
            forward = self.env["call.campaign.member.forward"].create(
                {
                    "member_ids": [Command.set(member.ids)],
                    "user_id": self.agent2.id,
                    "status_id": self.st_follow.id,
                    "next_call_date": too_far,
                }
            )
            with self.assertRaisesRegex(UserError, "too far ahead"):
                forward.action_forward()
            self.assertEqual(self._snapshot(), before)
            member.set_status(self.st_follow, now + timedelta(days=7))
            self.assertEqual(member.next_call_date, now + timedelta(days=7))
            # the dialer is not refused: its date comes from the status
            member.register_call_outcome("voicemail")
            self.assertEqual(member.status_id.name, "Dialer callback")
            self.assertEqual(member.next_call_date, now + timedelta(days=8))

    # ------------------------------------------------------------- reassign

    def _callbacks_of_agent(self):
        """The agent's five callbacks, the last member the most urgent."""
        for i, member in enumerate(self.members):
            self._give_callbacks(
                self.agent, member, self.tomorrow + timedelta(days=4 - i)
            )
        return self.members

    def _assigned(self, member):
        return member.interaction_ids.filtered(lambda i: i.kind == "assigned")

    @users("cc_manager")
    def test_manager_reassigns_round_robin(self):
        members = self._callbacks_of_agent()
        with Form(
            self.env["call.campaign.callback.reassign"].with_context(
                default_campaign_id=self.campaign.id
            )
        ) as wizard:
            wizard.user_id = self.agent
            self.assertEqual(wizard.callback_count, 5)
            self.assertEqual(
                set(wizard.user_ids.ids),
                {self.agent2.id, self.agent3.id},
                "to the campaign's other agents",
            )
            wizard.only_overdue = True
            self.assertEqual(wizard.callback_count, 0)
            wizard.only_overdue = False
        wizard.record.action_reassign()
        # by follow-up date: members 4, 3, 2, 1, 0, in turn
        expected = {4: self.agent2, 3: self.agent3, 2: self.agent2, 1: self.agent3}
        expected[0] = self.agent2
        for index, user in expected.items():
            member = members[index]
            with self.subTest(member=member.display_name):
                self.assertEqual(member.user_id, user)
                self.assertRecordValues(
                    self._assigned(member),
                    [
                        {
                            "user_id": self.manager.id,
                            "from_user_id": self.agent.id,
                            "to_user_id": user.id,
                        }
                    ],
                )
                activity = self.su_env["mail.activity"].search(
                    [("call_member_id", "=", member.id)]
                )
                self.assertEqual(len(activity), 1)
                self.assertEqual(activity.user_id, user, "the pending call follows")
        self.assertEqual(len(members.filtered(lambda m: m.user_id == self.agent2)), 3)
        self.assertEqual(len(members.filtered(lambda m: m.user_id == self.agent3)), 2)

    @users("cc_manager")
    def test_reassign_skips_a_full_colleague_then_refuses(self):
        members = self._callbacks_of_agent()
        self._give_callbacks(self.agent2, self.other_members[:2])
        self.campaign.max_callbacks_per_agent = 3
        Member = self.env["call.campaign.member"]
        # the four most urgent: members 4, 3, 2, 1
        given = Member.browse(members[1:].ids).reassign_callbacks(
            [self.agent2.id, self.agent3.id]
        )
        self.assertEqual(
            given,
            [
                {
                    "user_id": self.agent2.id,
                    "name": self.agent2.name,
                    "member_ids": members[4].ids,
                },
                {
                    "user_id": self.agent3.id,
                    "name": self.agent3.name,
                    "member_ids": [members[3].id, members[2].id, members[1].id],
                },
            ],
        )
        before = self._snapshot()
        with self.assertRaises(UserError) as refused:
            Member.browse(members[0].id).reassign_callbacks(
                [self.agent2.id, self.agent3.id]
            )
        self.assertEqual(
            str(refused.exception),
            "Nobody can take the callback of Customer 0: every chosen agent of the "
            "campaign “Test Campaign” already holds 3 pending callbacks, the most "
            "it allows.",
        )
        self.assertEqual(self._snapshot(), before, "nothing half-written")
        with self.assertRaisesRegex(UserError, "Other 2 is not a pending callback"):
            Member.browse(self.other_members[2].id).reassign_callbacks(self.agent3.ids)
        with self.assertRaisesRegex(UserError, "none of the chosen agents"):
            Member.browse(members[0].id).reassign_callbacks(self.outsider.ids)
        self.assertEqual(self._snapshot(), before)

    @users("cc_agent")
    def test_agent_cannot_reassign(self):
        members = self._callbacks_of_agent().with_env(self.env)
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "Only a call manager"):
            members.reassign_callbacks(self.agent2.ids)
        with self.assertRaises(AccessError):
            self.env["call.campaign.callback.reassign"].create(
                {"user_id": self.agent.id, "user_ids": [Command.set(self.agent2.ids)]}
            )
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------------ overdue per agent

    @users("cc_manager")
    def test_overdue_callbacks_per_agent(self):
        past = fields.Datetime.now() - timedelta(days=1)
        callback = {"status_id": self.st_follow.id, "next_call_date": past}
        Member = self.su_env["call.campaign.member"]
        for members, vals in (
            (self.members[:2], {"user_id": self.agent.id}),
            (self.members[2], {"user_id": self.agent2.id}),
            # not counted: not overdue, not a callback, nobody's, archived
            (
                self.members[3],
                {"user_id": self.agent3.id, "next_call_date": self.tomorrow},
            ),
            (
                self.members[4],
                {"user_id": self.agent3.id, "status_id": self.st_not_before.id},
            ),
            (self.other_members[0], {}),
            (self.other_members[1], {"user_id": self.agent2.id, "active": False}),
        ):
            force_member_state(Member.browse(members.ids), dict(callback, **vals))
        counts = api.call_kw(
            self.env["call.campaign.member"],
            "get_overdue_callbacks_per_agent",
            [],
            {"campaign_ids": [self.campaign.id]},
        )
        self.assertEqual(
            counts,
            [
                {"user_id": self.agent.id, "name": self.agent.name, "count": 2},
                {"user_id": self.agent2.id, "name": self.agent2.name, "count": 1},
            ],
        )
        # every campaign (the demo data's included)
        everywhere = self.env["call.campaign.member"].get_overdue_callbacks_per_agent()
        self.assertEqual(
            [
                row
                for row in everywhere
                if row["user_id"] in self.campaign.agent_ids.ids
            ],
            counts,
        )
        # the managers' list counts the same, grouped by agent, and shows the
        # callbacks nobody holds (a manager assigns them)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action_overdue_callbacks"
        )
        self.assertEqual(action["context"], "{'search_default_group_user': 1}")
        grouped = self.env["call.campaign.member"]._read_group(
            safe_eval(action["domain"]) + [("campaign_id", "=", self.campaign.id)],
            ["user_id"],
            ["__count"],
        )
        self.assertEqual(
            {user.id: count for user, count in grouped},
            {row["user_id"]: row["count"] for row in counts} | {False: 1},
        )
        other = self.su_env["call.campaign"].create({"name": "Elsewhere"})
        self.assertEqual(
            self.env["call.campaign.member"].get_overdue_callbacks_per_agent(other.ids),
            [],
        )
