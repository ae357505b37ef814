from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, users

from .common import CallCampaignCase, force_member_state


class PacingCase(CallCampaignCase):
    """A campaign with one customer (phone and mobile) worked by the agent,
    and a second campaign the same customer is in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Paced Customer",
                "phone": "+48 22 555 01 01",
                "mobile": "+48 601 555 101",
                "tz": "Europe/Warsaw",
            }
        )
        cls.paced, cls.other = cls.env["call.campaign"].create(
            [
                {
                    "name": name,
                    "state": "running",
                    "agent_ids": [Command.set(cls.agent.ids)],
                    "default_status_id": cls.st_call.id,
                }
                for name in ("Paced", "Other")
            ]
        )
        cls.paced_member, cls.other_member = cls.env["call.campaign.member"].create(
            [
                {"campaign_id": campaign.id, "partner_id": cls.customer.id}
                for campaign in (cls.paced, cls.other)
            ]
        )
        # the base campaign's members stay out of these queues
        cls.campaign.agent_ids -= cls.agent

    def next_call(self, campaign=None):
        return self.env["call.campaign.member"].next_for_agent(
            campaign.ids if campaign else None
        )

    def attempt(self, member, outcome="answered"):
        """The agent calls the member: reserved by Next call, then reported."""
        self.assertEqual(self.next_call(member.campaign_id), member)
        member = member.with_env(self.env)
        interaction_ids = member.register_call_outcome(outcome)
        # the result the agent would log next is left out: the customer is
        # back in the queue
        member.action_release_reservation()
        return interaction_ids

    def history(self, member, kind=None):
        domain = [("member_id", "=", member.id)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.su_env["call.interaction"].search(domain, order="id")


@tagged("call_campaign", "post_install", "-at_install")
class TestAttemptCaps(PacingCase):
    @users("cc_agent")
    def test_daily_cap_stops_until_the_customer_midnight(self):
        self.paced.sudo().max_attempts_per_day = 2
        member = self.paced_member.with_env(self.env)
        # 22:00 in Warsaw (UTC+1): the customer's day ends in two hours
        with freeze_time("2026-12-01 21:00:00"):
            self.attempt(member)
            self.attempt(member)
            self.assertEqual(member.day_attempt_count, 2)
            self.assertFalse(self.next_call(self.paced), "the daily cap is reached")
            self.assertEqual(
                member.explain_queue()["checks"], ["day_cap"], "and said so"
            )
        with freeze_time("2026-12-01 22:59:00"):
            self.assertFalse(self.next_call(self.paced), "still the same day there")
        with freeze_time("2026-12-01 23:00:01"):
            self.assertEqual(self.next_call(self.paced), member, "a new day")
            member.register_call_outcome("answered")
            self.assertEqual(member.day_attempt_count, 1)
            self.assertEqual(member.attempt_count, 3)

    @users("cc_agent")
    def test_total_cap_moves_to_the_exhausted_status(self):
        self.paced.sudo().max_attempts_total = 2
        member = self.paced_member.with_env(self.env)
        self.attempt(member)
        self.assertEqual(member.status_id, self.st_call)
        # the second attempt does not reach: the cap stops the dialling (an
        # answered one would not: a customer who picked up is not closed)
        self.attempt(member, "failed")
        self.assertEqual(member.status_id, self.st_unreachable)
        self.assertEqual(member.state, "closed")
        change = self.history(member, "status_change")
        self.assertEqual(change.status_id, self.st_unreachable)
        self.assertEqual(
            change.previous_status_id, self.env.ref("call_campaign.call_status_failed")
        )
        self.assertEqual(change.note, "Maximum of 2 call attempts reached.")
        self.assertFalse(self.next_call(self.paced))

    @users("cc_agent")
    def test_a_callback_agreed_at_the_cap_is_kept(self):
        self.paced.sudo().write(
            {"max_attempts_total": 1, "status_ids": [Command.link(self.st_follow.id)]}
        )
        member = self.paced_member.with_env(self.env)
        self.assertEqual(self.next_call(self.paced), member)
        wizard = Form(
            self.env["call.campaign.member.log"].with_context(
                active_model=member._name, active_ids=member.ids
            )
        )
        wizard.status_id = self.st_follow.with_env(self.env)
        wizard.next_call_date = fields.Datetime.now() + timedelta(minutes=1)
        wizard.save().action_log()
        self.assertEqual(member.attempt_count, 1)
        self.assertEqual(member.status_id, self.st_follow, "a promise is kept")
        with freeze_time(fields.Datetime.now() + timedelta(minutes=2)):
            self.assertEqual(self.next_call(self.paced), member)
            member.register_call_outcome("answered")
            self.assertEqual(member.status_id, self.st_follow)

    @users("cc_agent")
    def test_attempts_are_the_call_interactions(self):
        """One definition: every call logged and every dialer outcome is an
        attempt, and nothing else is."""
        member = self.paced_member.with_env(self.env)
        self.attempt(member, "no_answer")
        force_member_state(member, {"next_call_date": False})
        self.attempt(member)
        self.assertEqual(self.next_call(self.paced), member)
        member.action_skip("later")
        self.assertEqual(self.next_call(self.paced), member)
        wizard = Form(
            self.env["call.campaign.member.log"].with_context(
                active_model=member._name, active_ids=member.ids
            )
        )
        wizard.status_id = self.st_recall.with_env(self.env)
        self.paced.sudo().status_ids |= self.st_recall
        wizard.save().action_log()
        calls = self.history(member).filtered(lambda i: i.kind in ("call", "outcome"))
        self.assertEqual(len(calls), 3)
        self.assertEqual(member.attempt_count, len(calls))
        self.assertEqual(member.day_attempt_count, len(calls))

    def test_caps_are_checked(self):
        with self.assertRaises(ValidationError):
            self.paced.write({"max_attempts_total": 2, "exhausted_status_id": False})
        with self.assertRaises(ValidationError):
            self.paced.write(
                {"max_attempts_total": 2, "exhausted_status_id": self.st_call.id}
            )


@tagged("call_campaign", "post_install", "-at_install")
class TestContactPressure(PacingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"call_pressure_per_day": 2, "call_pressure_per_week": 3})

    @users("cc_agent")
    def test_budget_across_campaigns(self):
        paced = self.paced_member.with_env(self.env)
        other = self.other_member.with_env(self.env)
        with freeze_time("2026-12-01 09:00:00"):
            self.attempt(paced)
        with freeze_time("2026-12-01 10:00:00"):
            self.attempt(other)
            # two calls today, one in each campaign: the day's budget is used
            self.assertFalse(self.next_call())
            self.assertEqual(paced.explain_queue()["checks"], ["pressure"])
        with freeze_time("2026-12-01 22:59:00"):
            self.assertFalse(self.next_call())
        with freeze_time("2026-12-01 23:00:01"):
            # the customer's next day (Warsaw): callable again, once more in 7 days
            self.assertEqual(self.next_call(self.paced), paced)
            paced.register_call_outcome("answered")
            self.assertFalse(self.next_call(), "three calls in 7 days")
        with freeze_time("2026-12-08 08:59:00"):
            self.assertFalse(self.next_call(), "the first call is still in the window")
        with freeze_time("2026-12-08 09:00:01"):
            self.assertTrue(self.next_call(), "the first call left the window")

    @users("cc_manager")
    def test_managers_see_the_budget_used(self):
        with freeze_time("2026-12-01 09:00:00"):
            force_member_state(self.paced_member, {"reserved_user_id": self.manager.id})
            self.paced_member.with_env(self.env).register_call_outcome("busy")
            customer = self.customer.with_env(self.env)
            self.assertEqual(
                customer.call_pressure_label,
                "1 of 2 calls today, 1 of 3 in 7 days (all campaigns)",
            )

    def test_a_new_budget_applies_at_once(self):
        with freeze_time("2026-12-01 09:00:00"):
            self.paced_member._register_contact()
            self.paced_member._create_history("call")
            self.assertFalse(self.customer.call_pressure_until)
            # the app's Settings page
            settings = Form(self.env["res.config.settings"])
            settings.call_pressure_per_day = 1
            settings.save().execute()
            self.assertEqual(self.env.company.call_pressure_per_day, 1)
            self.assertEqual(
                self.customer.call_pressure_until,
                fields.Datetime.to_datetime("2026-12-01 23:00:00"),
            )
            self.env.company.write({"call_pressure_per_day": 0})
            self.assertEqual(self.env.company.call_pressure_per_week, 3)
            self.env.company.write({"call_pressure_per_week": 0})
            self.assertFalse(self.customer.call_pressure_until)

    @users("cc_agent")
    def test_the_budget_is_not_typed_in(self):
        customer = self.customer.with_env(self.env)
        with self.assertRaises(UserError):
            customer.write({"call_pressure_until": False})
        with self.assertRaises(UserError):
            customer.write({"call_undialable": True})


@tagged("call_campaign", "post_install", "-at_install")
class TestNumbers(PacingCase):
    @users("cc_agent")
    def test_wrong_numbers_move_to_the_next_then_close(self):
        member = self.paced_member.with_env(self.env)
        self.assertEqual(member.dial_number, "+48 601 555 101", "mobile first")
        self.assertEqual(member.dial_number_label, "Mobile")
        self.assertEqual(
            self.env["call.campaign.member"].next_number_for_agent(self.paced.ids),
            {
                "member_id": member.id,
                "partner_id": self.customer.id,
                "number": "+48 601 555 101",
                "number_label": "Mobile",
            },
        )
        member.register_call_outcome("invalid_number")
        member.action_release_reservation()
        outcome = self.history(member, "outcome")
        self.assertEqual(outcome.phone_number, "+48 601 555 101", "which number")
        self.assertEqual(member.state, "queued", "another number is left")
        self.assertEqual(member.dial_number, "+48 22 555 01 01")
        # every campaign skips the wrong number
        self.assertEqual(
            self.other_member.with_env(self.env).dial_number, "+48 22 555 01 01"
        )
        self.attempt(member, "invalid_number")
        self.assertEqual(member.status_id, self.paced.invalid_number_status_id)
        self.assertEqual(member.state, "closed")
        last = self.history(member, "outcome")[-1]
        self.assertEqual(last.phone_number, "+48 22 555 01 01")
        self.assertEqual(last.status_id.name, "No good number")
        self.assertFalse(member.dial_number)
        # the other campaign's member is not offered: no good number
        self.assertFalse(self.next_call())
        self.assertEqual(
            self.other_member.with_env(self.env).explain_queue()["checks"],
            ["no_number"],
        )

    @users("cc_agent")
    def test_campaign_order_and_other_numbers(self):
        self.paced.sudo().number_order = "phone_first"
        member = self.paced_member.with_env(self.env)
        self.assertEqual(member.dial_number, "+48 22 555 01 01")
        # who may edit the contact adds a number they were given
        with self.assertRaises(AccessError):
            self.env["call.contact.number"].create(
                {"partner_id": self.customer.id, "number": "+48 22 555 09 09"}
            )
        self.agent.sudo().groups_id |= self.env.ref("base.group_partner_manager")
        self.env["call.contact.number"].create(
            {
                "partner_id": self.customer.id,
                "number": "+48 22 555 09 09",
                "label": "Office",
            }
        )
        for _i in range(2):
            self.attempt(member, "invalid_number")
        self.assertEqual(member.dial_number, "+48 22 555 09 09")
        self.assertEqual(member.dial_number_label, "Office")
        self.assertEqual(member.state, "queued")

    def sanitized(self, source):
        return self.customer.call_number_ids.filtered(
            lambda n: n.source == source
        ).number_sanitized

    @users("cc_agent")
    def test_blacklisted_numbers_are_never_dialled(self):
        member = self.paced_member.with_env(self.env)
        self.env["phone.blacklist"].sudo()._add([self.sanitized("mobile")])
        self.assertEqual(member.dial_number, "+48 22 555 01 01")
        self.assertEqual(self.next_call(self.paced), member)
        member.action_release_reservation()
        self.env["phone.blacklist"].sudo()._add([self.sanitized("phone")])
        self.assertFalse(member.dial_number)
        self.assertFalse(self.next_call())
        self.assertEqual(
            member.explain_queue()["reasons"],
            ["Every number of the contact is on the phone blacklist: do not call."],
        )
        self.env["phone.blacklist"].sudo()._remove([self.sanitized("phone")])
        self.assertEqual(self.next_call(self.paced), member, "off the blacklist")

    @users("cc_agent")
    def test_the_number_reported_is_the_contacts(self):
        member = self.paced_member.with_env(self.env)
        self.assertEqual(self.next_call(self.paced), member)
        with self.assertRaisesRegex(UserError, "is not a number of Paced Customer"):
            member.register_call_outcome("busy", number="+48 999 999 999")
        self.assertEqual(member.attempt_count, 0, "nothing written")
        member.register_call_outcome("invalid_number", number=self.sanitized("phone"))
        self.assertEqual(member.dial_number, "+48 601 555 101", "the phone was wrong")

    @users("cc_agent")
    def test_marks_change_only_through_calls(self):
        numbers = self.customer.with_env(self.env).call_number_ids
        self.assertEqual(
            sorted(numbers.mapped("source")), ["mobile", "phone"], "kept in step"
        )
        with self.assertRaises(UserError):
            numbers[0].write({"invalid": True})
        with self.assertRaises(UserError):
            numbers[0].write({"number": "+48 22 000 00 00"})
        with self.assertRaises(UserError):
            numbers[0].unlink()
        with self.assertRaises(UserError):
            numbers.action_mark_valid()
        with self.assertRaises(UserError):
            self.env["call.contact.number"].with_context(default_invalid=True).create(
                {"partner_id": self.customer.id, "number": "+48 22 555 07 07"}
            )
        with self.assertRaises(UserError):
            self.env["res.partner"].with_context(default_call_undialable=True).create(
                {"name": "Sneaky"}
            )
        self.customer.phone = "+48 22 555 02 02"
        self.assertEqual(
            sorted(self.customer.call_number_ids.mapped("number")),
            ["+48 22 555 02 02", "+48 601 555 101"],
            "the contact's new phone replaces the old one",
        )

    def test_numbers_follow_the_contact(self):
        """Phone and mobile swapped, a number typed otherwise: each number
        keeps its entry and its wrong-number mark."""
        mobile = self.customer.call_number_ids.filtered(lambda n: n.source == "mobile")
        mobile._mark_invalid(fields.Datetime.now())
        self.customer.write(
            {"phone": self.customer.mobile, "mobile": self.customer.phone}
        )
        numbers = self.customer.call_number_ids
        self.assertEqual(len(numbers), 2)
        self.assertEqual(mobile.source, "phone", "the same entry, now the phone")
        self.assertTrue(mobile.invalid, "still wrong")
        self.customer.phone = False
        self.assertFalse(mobile.exists(), "a number that goes loses its entry")
        self.assertEqual(self.customer.call_number_ids.mapped("source"), ["mobile"])
        with self.assertRaises(ValidationError):
            self.env["call.contact.number"].create(
                {"partner_id": self.customer.id, "number": self.customer.mobile}
            )

    @users("cc_manager")
    def test_a_manager_restores_a_number(self):
        numbers = self.customer.with_env(self.env).call_number_ids
        numbers._mark_invalid(fields.Datetime.now())
        self.assertTrue(self.customer.call_undialable)
        numbers[:1].action_mark_valid()
        self.assertFalse(self.customer.call_undialable)
