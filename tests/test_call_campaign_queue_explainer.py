import random
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestQueueExplainer(CallCampaignCase):
    """``explain_queue`` and "Next call" share their checks: for members in
    every situation, the explainer says "callable" exactly for the members
    the queue gives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Member = cls.env["call.campaign.member"]
        cls.st_dropped = cls.env["call.status"].create(
            {"name": "Dropped", "behavior": "priority", "hidden": True}
        )
        cls.campaign.status_ids |= cls.st_dropped
        # a campaign whose calling hours are closed now (open one hour a
        # week, on another day), one the agent does not work in, a paused one
        weekday = (fields.Date.today().weekday() + 3) % 7
        closed_hours = cls.env["resource.calendar"].create(
            {
                "name": "Closed now",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": "Once",
                            "dayofweek": str(weekday),
                            "hour_from": 3,
                            "hour_to": 4,
                        }
                    )
                ],
            }
        )
        cls.hours_campaign, cls.foreign_campaign, cls.paused_campaign = cls.env[
            "call.campaign"
        ].create(
            [
                {
                    "name": name,
                    "state": state,
                    "agent_ids": [Command.set(agents.ids)],
                    "default_status_id": cls.st_call.id,
                    "calling_calendar_id": calendar,
                }
                for name, state, agents, calendar in (
                    ("Hours", "running", cls.agent | cls.agent2, closed_hours.id),
                    ("Foreign", "running", cls.agent2, False),
                    ("Paused", "paused", cls.agent | cls.agent2, False),
                )
            ]
        )
        for campaign in (cls.hours_campaign, cls.foreign_campaign, cls.paused_campaign):
            campaign.status_ids |= (
                cls.st_follow | cls.st_dropped | cls.st_not_interested
            )
        rng = random.Random(13)
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Explained {i}", "phone": f"+48 603 100 {i:03d}"}
                for i in range(240)
            ]
        )
        cls.env["phone.blacklist"]._add(
            [p.phone_sanitized for p in partners if rng.random() < 0.08]
        )
        campaigns = [
            cls.campaign,
            cls.campaign,
            cls.hours_campaign,
            cls.foreign_campaign,
            cls.paused_campaign,
        ]
        now = fields.Datetime.now()
        members = Member.create(
            [
                {"campaign_id": rng.choice(campaigns).id, "partner_id": partner.id}
                for partner in partners
                if not partner.phone_sanitized_blacklisted
            ]
        )
        for member in members:
            situation = rng.choice(
                [
                    "plain",
                    "mine",
                    "other_agent",
                    "my_callback",
                    "other_callback",
                    "dropped",
                    "future",
                    "past",
                    "reserved_other",
                    "reserved_expired",
                    "closed",
                    "archived",
                    "day_capped",
                    "day_rolled",
                    "total_capped",
                    "pressured",
                    "pressure_over",
                    "wrong_one",
                    "wrong_all",
                ]
            )
            vals = {
                "mine": {"user_id": cls.agent.id},
                "other_agent": {"user_id": cls.agent2.id},
                "my_callback": {
                    "status_id": cls.st_follow.id,
                    "user_id": cls.agent.id,
                    "next_call_date": now - timedelta(hours=1),
                    "state": "scheduled",
                },
                "other_callback": {
                    "status_id": cls.st_follow.id,
                    "user_id": cls.agent2.id,
                    "next_call_date": now - timedelta(hours=1),
                    "state": "scheduled",
                },
                "dropped": {"status_id": cls.st_dropped.id},
                "future": {
                    "next_call_date": now + timedelta(days=2),
                    "state": "scheduled",
                },
                "past": {
                    "next_call_date": now - timedelta(days=2),
                    "state": "scheduled",
                },
                "reserved_other": {
                    "reserved_user_id": cls.agent2.id,
                    "reserved_until": now + timedelta(minutes=30),
                },
                "reserved_expired": {
                    "reserved_user_id": cls.agent2.id,
                    "reserved_until": now - timedelta(minutes=30),
                },
                "closed": {"status_id": cls.st_not_interested.id, "state": "closed"},
                "archived": {"active": False},
                "day_capped": {
                    "day_attempt_count": 2,
                    "day_attempts_reset": now + timedelta(hours=5),
                },
                "day_rolled": {
                    "day_attempt_count": 2,
                    "day_attempts_reset": now - timedelta(hours=1),
                },
                "total_capped": {"attempt_count": 6},
            }.get(situation, {})
            partner = member.partner_id
            if situation in ("pressured", "pressure_over"):
                partner.call_pressure_until = now + timedelta(
                    hours=2 if situation == "pressured" else -1
                )
            elif situation in ("wrong_one", "wrong_all"):
                partner.call_number_ids = [
                    Command.create({"number": f"+48 604 300 {partner.id % 1000:03d}"})
                ]
                wrong = partner.call_number_ids
                wrong[: 1 if situation == "wrong_one" else 2]._mark_invalid(now)
            if member.campaign_id == cls.foreign_campaign and situation in (
                "mine",
                "my_callback",
            ):
                vals = {}  # the agent does not work in that campaign
            if vals:
                force_member_state(member, vals)
        cls.campaign.write({"max_attempts_per_day": 2, "max_attempts_total": 6})
        cls.explained = members
        # numbers blacklisted once their members exist
        cls.env["phone.blacklist"]._add(
            [m.partner_id.phone_sanitized for m in members if rng.random() < 0.05]
        )

    @users("cc_agent")
    def test_explainer_agrees_with_the_queue(self):
        Member = self.env["call.campaign.member"]
        members = self.explained.with_env(self.env).with_context(active_test=False)
        readable = members._filtered_access("read")
        answers = readable._explain_queue(position=True)
        said_callable = {i for i, answer in answers.items() if answer["callable"]}
        given = []
        while True:
            member = Member.next_for_agent()
            if not member:
                break
            given.append(member.id)
        # members of the base set-up (not generated) may be given too
        self.assertEqual(said_callable, set(given) & set(readable.ids))
        # the position said is the place in the queue
        for place, member_id in enumerate(given, start=1):
            if member_id in answers:
                self.assertEqual(answers[member_id]["position"], place)
        checks = {key for answer in answers.values() for key in answer["checks"]}
        # (a colleague's members and callbacks the agent does not even see)
        for expected in (
            "not_before",
            "reserved",
            "closed",
            "archived",
            "no_number",
            "pressure",
            "day_cap",
            "total_cap",
            "calling_hours",
            "campaign_not_running",
        ):
            self.assertIn(expected, checks, "every situation occurs")
        self.assertTrue(all(answer["reasons"] for answer in answers.values()))

    @users("cc_agent")
    def test_words_for_the_agent(self):
        reserved = self.members[0]
        force_member_state(
            reserved,
            {
                "reserved_user_id": self.agent2.id,
                "reserved_until": fields.Datetime.now() + timedelta(minutes=30),
            },
        )
        answer = reserved.with_env(self.env).explain_queue()
        self.assertEqual(answer["checks"], ["reserved"])
        self.assertFalse(answer["callable"])
        self.assertIn(self.agent2.name, answer["reasons"][0])
        notice = reserved.with_env(self.env).action_explain_queue()
        self.assertEqual(notice["params"]["message"], answer["reasons"][0])
        with self.assertRaises(UserError):
            self.env["call.campaign.member"].explain_queue()
        with self.assertRaises(UserError):
            self.members.with_env(self.env).explain_queue()
