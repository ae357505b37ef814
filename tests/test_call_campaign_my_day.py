from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase, force_member_state


@tagged("call_campaign", "post_install", "-at_install")
class TestMyDay(CallCampaignCase):
    """The app opens on the agent's day; Next Call is a button there and opens
    the call screen; closing that screen or forwarding never leaves the agent
    on a customer they hold or can no longer read."""

    def _figures(self, day):
        return {figure["key"]: figure for figure in day["figures"]}

    @users("cc_agent")
    def test_the_app_opens_on_my_day_and_reserves_nobody(self):
        menus = self.env["ir.ui.menu"].load_menus(debug=False)
        root = self.env.ref("call_campaign.call_campaign_menu_root")
        my_day = self.env.ref("call_campaign.call_campaign_member_action_my_day")
        self.assertEqual(menus[root.id]["action"], f"ir.actions.client,{my_day.id}")
        self.assertEqual(my_day.sudo().tag, "call_campaign.my_day")
        self.env["call.campaign.member"].get_my_day()
        self.assertFalse(
            self.su_env["call.campaign.member"].search(
                [("reserved_user_id", "=", self.agent.id)]
            ),
            "looking at the day reserves nobody",
        )

    @users("cc_agent")
    def test_my_day_figures(self):
        Member = self.env["call.campaign.member"]
        now = fields.Datetime.now()
        members = self.members.with_env(self.env)
        force_member_state(
            self.su_env["call.campaign.member"].browse(members[1].id),
            {"user_id": self.agent2.id},
        )
        force_member_state(
            self.su_env["call.campaign.member"].browse(members[2].id),
            {
                "user_id": self.agent.id,
                "status_id": self.st_follow.id,
                "state": "scheduled",
                "next_call_date": now - timedelta(days=1),
            },
        )
        force_member_state(
            self.su_env["call.campaign.member"].browse(members[3].id),
            {"state": "scheduled", "next_call_date": now + timedelta(days=3)},
        )
        day = Member.get_my_day()
        figures = self._figures(day)
        # members 0 and 4 are free and due, 2 is mine and overdue; 1 is a
        # colleague's, 3 is not due yet
        self.assertEqual(figures["due_now"]["count"], 3)
        self.assertEqual(figures["overdue"]["count"], 1)
        self.assertEqual(figures["callbacks"]["count"], 1, "Follow up is my record")
        self.assertEqual(figures["done_today"]["count"], 0)
        self.assertEqual(
            day["campaigns"],
            [{"id": self.campaign.id, "name": "Test Campaign", "due_now": 3}],
        )
        # every figure lists what it counts, and says so when it is empty
        for figure in day["figures"]:
            self.assertIn("o_view_nocontent_smiling_face", figure["help"])
            self.assertEqual(
                self.env[figure["model"]].search_count(figure["domain"]),
                figure["count"],
                figure["key"],
            )
        member = Member.next_for_agent(self.campaign.ids)
        with Form(
            self.env["call.campaign.member.log"].with_context(
                active_model=member._name, active_ids=member.ids
            )
        ) as screen:
            screen.status_id = self.st_not_interested
        screen.record.action_log()
        figures = self._figures(Member.get_my_day())
        self.assertEqual(figures["done_today"]["count"], 1)
        self.assertEqual(figures["due_now"]["count"], 2)

    @users("cc_agent")
    def test_calls_today_start_at_the_agents_midnight(self):
        self.env.user.tz = "America/Sao_Paulo"  # UTC-3
        Member = self.env["call.campaign.member"]
        with freeze_time("2026-11-30 02:00:00"):  # 23:00 on the 29th in Sao Paulo
            member = Member.next_for_agent(self.campaign.ids)
            member.register_call_outcome("no_answer")
        with freeze_time("2026-11-30 04:00:00"):  # 01:00 on the 30th
            self.assertEqual(
                self._figures(Member.get_my_day())["done_today"]["count"], 0
            )
        with freeze_time("2026-11-30 02:30:00"):
            self.assertEqual(
                self._figures(Member.get_my_day())["done_today"]["count"], 1
            )

    @users("cc_agent")
    def test_my_day_query_count_does_not_grow(self):
        Member = self.env["call.campaign.member"]
        Member.get_my_day()  # warm the caches
        self.env.invalidate_all()
        # one of them reads the company tree the contact rule of the
        # timeline's events names (``parent_of``), one the agent's time
        # today, two the queue's campaigns (due now, due and waiting)
        with self.assertQueryCount(13):
            Member.get_my_day()
        self.su_env["call.campaign.member"].create(
            [
                {"campaign_id": self.campaign.id, "partner_id": partner.id}
                for partner in self.su_env["res.partner"].create(
                    [{"name": f"More {i}"} for i in range(30)]
                )
            ]
        )
        self.env.invalidate_all()
        with self.assertQueryCount(13):
            Member.get_my_day()

    @users("cc_agent")
    def test_next_call_opens_the_call_screen(self):
        action = self.env["call.campaign.member"].action_next_call()
        self.assertEqual(action["res_model"], "call.campaign.member.log")
        self.assertEqual(action["target"], "new")
        member = self.env["call.campaign.member"].browse(
            action["context"]["active_ids"]
        )
        self.assertEqual(member.reserved_user_id, self.agent)
        from_card = self.campaign.with_env(self.env).action_next_call()
        self.assertEqual(from_card["res_model"], "call.campaign.member.log")

    @users("cc_agent")
    def test_closing_the_screen_by_its_cross_releases(self):
        """The call screen's ✕ calls action_release_reservation: the agent's
        own reservation ends, a colleague's is left alone, nothing is
        history."""
        Member = self.env["call.campaign.member"]
        mine = Member.next_for_agent(self.campaign.ids)
        theirs = (
            self.su_env["call.campaign.member"]
            .with_user(self.agent2)
            .next_for_agent(self.campaign.ids)
        )
        history = self.su_env["call.interaction"].search_count([])
        released = (mine | theirs.with_env(self.env)).action_release_reservation()
        self.assertEqual(released, mine.ids)
        self.assertFalse(mine.reserved_user_id)
        self.assertEqual(theirs.reserved_user_id, self.agent2)
        self.assertEqual(self.su_env["call.interaction"].search_count([]), history)

    @users("cc_outsider")
    def test_release_needs_read_access(self):
        with self.assertRaises(AccessError):
            self.members.with_env(self.env).action_release_reservation()

    @users("cc_agent")
    def test_forward_away_ends_on_my_calls(self):
        member = self.env["call.campaign.member"].next_for_agent(self.campaign.ids)
        with Form(
            self.env["call.campaign.member.log"].with_context(
                active_model=member._name, active_ids=member.ids
            )
        ) as screen:
            pass
        forward = screen.record.action_forward()
        self.assertEqual(forward["res_model"], "call.campaign.member.forward")
        wizard = (
            self.env["call.campaign.member.forward"]
            .with_context(**forward["context"])
            .create({"user_id": self.agent2.id, "status_id": self.st_call.id})
        )
        self.assertEqual(wizard.member_ids, member)
        action = wizard.action_forward()["params"]["next"]
        my_calls = self.env.ref("call_campaign.call_campaign_member_action_my_calls")
        self.assertEqual(action["id"], my_calls.id)
        self.assertEqual(action["target"], "main", "the member's screens are gone")


@tagged("call_campaign", "post_install", "-at_install")
class TestAgentScreens(CallCampaignCase):
    """The calendar of scheduled calls, the members' kanban and the add wizard
    opened from a filtered list."""

    @users("cc_agent")
    def test_scheduled_call_named_after_customer_and_campaign(self):
        member = self.members[0].with_env(self.env)
        self.members[0].write({"user_id": self.agent.id})
        member.set_status(self.st_recall)
        call = member.call_activity_ids
        self.assertEqual(call.display_name, "Customer 0 — Test Campaign")
        self.assertEqual(call.call_phone, "+48 601 200 000")
        Activity = self.env["mail.activity"]
        views = Activity.with_context(active_test=False).get_views(
            [
                (self.env.ref("call_campaign.mail_activity_view_list_call").id, "list"),
                (
                    self.env.ref("call_campaign.mail_activity_view_calendar_call").id,
                    "calendar",
                ),
            ]
        )["views"]
        self.assertIn('date_start="call_next_date"', views["calendar"]["arch"])
        self.assertIn(
            'js_class="call_campaign_call_calendar"', views["calendar"]["arch"]
        )
        self.assertRegex(views["list"]["arch"], r'name="call_phone"[^>]*widget="phone"')
        # the popover's Log a Call opens the call screen of that customer
        action = call.action_log_call_campaign()
        self.assertEqual(action["context"]["active_ids"], member.ids)

    @users("cc_manager")
    def test_stage_needs_its_campaign(self):
        Stage = self.env["call.campaign.stage"]
        with self.assertRaisesRegex(UserError, "belongs to one campaign"):
            Stage.name_create("Negotiation")
        stage_id, _name = Stage.with_context(
            default_campaign_id=self.campaign.id
        ).name_create("Negotiation")
        self.assertEqual(Stage.browse(stage_id).campaign_id, self.campaign)

    @users("cc_manager")
    def test_add_stage_only_inside_a_campaign(self):
        Member = self.env["call.campaign.member"]
        across = Member.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('group_create="false"', across)
        action = self.campaign.with_env(self.env).action_view_members()
        kanban_id = dict((t, v) for v, t in action["views"])["kanban"]
        self.assertEqual(
            kanban_id,
            self.env.ref("call_campaign.call_campaign_member_view_kanban_campaign").id,
        )
        own = Member.get_views([(kanban_id, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('group_create="true"', own)
        self.assertIn("o_tag o_tag_color_", own, "status badges in their colour")

    @users("cc_agent")
    def test_add_from_a_filter_keeps_the_filter(self):
        Partner = self.env["res.partner"]
        domain = [("name", "=like", "Customer %")]
        everything = Partner.search(domain)
        action = everything.with_context(
            active_domain=domain
        ).action_add_to_call_campaign()
        self.assertEqual(action["context"]["default_domain"], str(domain))
        some = everything[:2].with_context(active_domain=domain)
        self.assertEqual(
            some.action_add_to_call_campaign()["context"]["default_domain"],
            str([("id", "in", some.ids)]),
            "a selection inside the filter is the selection",
        )
        broken = everything.with_context(active_domain=[("no_such_field", "=", 1)])
        self.assertEqual(
            broken.action_add_to_call_campaign()["context"]["default_domain"],
            str([("id", "in", everything.ids)]),
        )


def weekday_calendar(env):
    """Calling hours 9:00-17:00, Monday to Friday (the Warsaw calendar)."""
    return env["resource.calendar"].create(
        {
            "name": "Calling 9-17",
            "tz": "Europe/Warsaw",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 17,
                    }
                )
                for day in range(5)
            ],
        }
    )


@tagged("call_campaign", "post_install", "-at_install")
class TestCustomerTime(CallCampaignCase):
    """The call screen says what time it is for the customer and whether the
    calling hours allow the call now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.calling_calendar_id = weekday_calendar(cls.env)
        cls.partners[0].parent_id = cls.env["res.partner"].create(
            {"name": "Acme Sp. z o.o.", "is_company": True}
        )

    @users("cc_agent")
    def test_inside_and_outside_calling_hours(self):
        member = self.members[0].with_env(self.env)
        with freeze_time("2026-11-30 09:30:00"):  # Monday, 10:30 in Warsaw
            member.invalidate_recordset(["customer_time"])
            self.assertEqual(
                member.customer_time, "10:30 (Europe/Warsaw) · within calling hours"
            )
            with Form(
                self.env["call.campaign.member.log"].with_context(
                    active_model=member._name, active_ids=member.ids
                )
            ) as screen:
                self.assertEqual(screen.company_name, "Acme Sp. z o.o.")
                self.assertIn("within calling hours", screen.customer_time)
        with freeze_time("2026-11-30 17:15:00"):  # 18:15 in Warsaw
            member.invalidate_recordset(["customer_time"])
            self.assertEqual(
                member.customer_time,
                "18:15 (Europe/Warsaw) · outside calling hours, they open at "
                "09:00 on 12/01/2026",
            )


@tagged("call_campaign", "post_install", "-at_install")
class TestDueNowIsNextCall(CallCampaignCase):
    """My day's "Due now" is exactly what Next Call gives; the due members it
    cannot give are counted apart with the queue's reason, and "Nobody to
    call now" says why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.calling_calendar_id = weekday_calendar(cls.env)
        # three customers in Tokyo: 19:30 there when it is 11:30 in Warsaw
        cls.partners[2:].write({"tz": "Asia/Tokyo"})

    def _figures(self, day):
        return {figure["key"]: figure for figure in day["figures"]}

    @users("cc_agent")
    @freeze_time("2026-12-02 10:30:00")  # a Wednesday, 11:30 in Warsaw
    def test_due_now_is_what_next_call_gives(self):
        Member = self.env["call.campaign.member"]
        figures = self._figures(Member.get_my_day())
        self.assertEqual(figures["due_now"]["count"], 2)
        self.assertEqual(figures["waiting"]["count"], 3)
        self.assertIn("3 outside their calling hours", figures["waiting"]["note"])
        self.assertIn("they open at 09:00", figures["waiting"]["note"])
        self.assertEqual(
            Member.search(figures["due_now"]["domain"]),
            self.members[:2].with_env(self.env),
            "the figure lists the members Next Call gives",
        )
        given = Member
        for _i in range(2):
            given |= Member.next_for_agent()
        self.assertEqual(given, self.members[:2].with_env(self.env))
        self.assertEqual(self._figures(Member.get_my_day())["due_now"]["count"], 0)
        action = Member.action_next_call()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("3 outside their calling hours", action["params"]["message"])
        self.assertIn("Asia/Tokyo", action["params"]["message"])

    @users("cc_agent")
    @freeze_time("2026-12-02 10:30:00")
    def test_nobody_after_a_skip_says_the_skipped_one_comes_back(self):
        Member = self.env["call.campaign.member"]
        first = Member.next_for_agent()
        self.su_env["call.campaign.member"].browse(self.members[1].id).action_archive()
        screen = (
            self.env["call.campaign.member.log"]
            .with_context(active_model=first._name, active_ids=first.ids)
            .create({})
        )
        action = screen.action_skip()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["message"],
            "Only the customer you skipped is due: Next Call gives them again.",
        )
        self.assertEqual(Member.next_for_agent(), first, "and it does")

    @users("cc_agent")
    def test_nobody_when_the_campaign_is_paused(self):
        self.su_env["call.campaign"].browse(self.campaign.id).action_pause()
        action = self.env["call.campaign.member"].action_next_call()
        self.assertEqual(
            action["params"]["message"],
            "Your campaigns are not running: Test Campaign (Paused).",
        )
