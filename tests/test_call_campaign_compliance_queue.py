from ast import literal_eval
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged, users

from .common import CallCampaignCase

# Friday 4 December 2026; Paris is at UTC+1 in winter
MONDAY = datetime(2026, 12, 7)
SATURDAY = datetime(2026, 12, 5)


@tagged("call_campaign", "post_install", "-at_install")
class TestComplianceQueue(CallCampaignCase):
    """The law of the customer's country, as the shipped rules state it,
    holds the queue back: Next Call gives only what the rules allow, and the
    explainer names the rule that holds a customer back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.members.action_archive()  # the base customers are Polish
        Rule = cls.env["call.compliance.rule"].with_context(active_test=False)
        cls.rule_fr = Rule.search([("country_ids.code", "=", "FR")], limit=1)
        cls.rule_pl = Rule.search([("country_ids.code", "=", "PL")], limit=1)
        cls.rule_us = Rule.search([("country_ids.code", "=", "US")], limit=1)
        (cls.rule_fr | cls.rule_pl | cls.rule_us).write(
            {"active": True, "registry_ids": [Command.clear()]}
        )
        cls.other_campaign = cls.env["call.campaign"].create(
            {
                "name": "Other Campaign",
                "agent_ids": [Command.set(cls.agent.ids)],
                "default_status_id": cls.st_call.id,
                "state": "running",
            }
        )
        cls.other_campaign.status_ids |= cls.st_not_interested

    def _customer(self, name, country, tz=False, phone="+33 1 23 45 67 89"):
        partner = self.su_env["res.partner"].create(
            {
                "name": name,
                "phone": phone,
                "country_id": self.env.ref(f"base.{country}").id,
                "tz": tz,
            }
        )
        return self.su_env["call.campaign.member"].create(
            {"campaign_id": self.campaign.id, "partner_id": partner.id}
        )

    def _given(self):
        """Every member Next Call gives the agent now (each is reserved)."""
        Member = self.env["call.campaign.member"]
        given = Member
        while member := Member.next_for_agent():
            given |= member
        return given

    def _checks(self, member):
        return member.with_env(self.env).explain_queue()["checks"]

    @users("cc_agent")
    def test_french_consumer_in_the_legal_hours_only(self):
        member = self._customer("Jeanne Martin", "fr")
        self.assertEqual(
            member.partner_id.call_tz, "Europe/Paris", "one zone in France"
        )
        # 13:30 in Paris, a Monday: the lunch break of the decree
        with freeze_time(MONDAY.replace(hour=12, minute=30)):
            self.assertFalse(self._given())
            self.assertEqual(self._checks(member), ["legal_hours"])
            reason = member.with_env(self.env).explain_queue()["reasons"][0]
            self.assertIn("Monday–Friday 10:00–13:00, 14:00–20:00", reason)
            self.assertIn("next opening 14:00", reason)
            # My day says the same: due, not callable now, and why
            waiting = self.env["call.campaign.member"]._queue_waiting_note(
                [("id", "=", member.id)]
            )
            self.assertIn("1 outside the legal calling hours", waiting)
            self.assertIn("Monday–Friday 10:00–13:00, 14:00–20:00", waiting)
        # Saturday afternoon: never on weekends
        with freeze_time(SATURDAY.replace(hour=14)):
            self.assertFalse(self._given())
        # 14:05 in Paris on a Monday
        with freeze_time(MONDAY.replace(hour=13, minute=5)):
            self.assertEqual(self._checks(member), [])
            self.assertEqual(self._given(), member)

    @users("cc_agent")
    def test_a_fifth_call_in_thirty_days_is_refused(self):
        member = self._customer("Paul Durand", "fr")
        with freeze_time(MONDAY.replace(hour=9)):
            self.env["call.interaction"]._create_timeline_events(
                [
                    member._prepare_interaction_vals("outcome", outcome="no_answer")
                    for _i in range(4)
                ]
            )
        with freeze_time(MONDAY.replace(hour=15)):
            self.assertEqual(self._checks(member), ["legal_cap"])
            self.assertIn(
                "4 calls in 30 days already",
                member.with_env(self.env).explain_queue()["reasons"][0],
            )
            self.assertFalse(self._given())
        # 30 days later the first calls are out of the window (a Wednesday)
        with freeze_time(MONDAY.replace(hour=15) + timedelta(days=30)):
            self.assertEqual(self._given(), member)

    @users("cc_agent")
    def test_a_refusal_pauses_the_contact_across_campaigns(self):
        member = self._customer("Luc Bernard", "fr")
        other = self.su_env["call.campaign.member"].create(
            {"campaign_id": self.other_campaign.id, "partner_id": member.partner_id.id}
        )
        with freeze_time(MONDAY.replace(hour=15)):
            self.st_not_interested.sudo().refusal = True
            self.other_campaign.sudo().status_ids |= self.st_not_interested
            other.with_env(self.env).set_status(self.st_not_interested)
            self.assertEqual(
                member.partner_id.call_refused_date, MONDAY.replace(hour=15)
            )
            self.assertEqual(self._checks(member), ["refused"])
            self.assertIn(
                "not before", member.with_env(self.env).explain_queue()["reasons"][0]
            )
            self.assertFalse(self._given())
        # 59 days later still paused; 63 days later (a Monday) callable
        with freeze_time(MONDAY.replace(hour=15) + timedelta(days=59)):
            self.assertEqual(self._checks(member), ["refused"])
        with freeze_time(MONDAY.replace(hour=15) + timedelta(days=63)):
            self.assertEqual(self._given(), member)

    @users("cc_agent")
    def test_a_polish_consumer_needs_consent(self):
        member = self._customer("Anna Nowak", "pl", phone="+48 601 999 111")
        with freeze_time(MONDAY.replace(hour=10)):
            self.assertEqual(self._checks(member), ["no_consent"])
            self.assertFalse(self._given())
            # the customer calls in and agrees: the call screen records it
            with Form(
                self.env["call.campaign.member.log"].with_context(
                    active_model="call.campaign.member", active_ids=member.ids
                )
            ) as screen:
                screen.status_id = self.st_call
                screen.consent_given = True
            screen.record.action_log()
            consent = self.env["call.consent"].search(
                [("partner_id", "=", member.partner_id.id)]
            )
            self.assertRecordValues(
                consent,
                [
                    {
                        "basis": "consent",
                        "member_id": member.id,
                        "user_id": self.agent.id,
                    }
                ],
            )
            consent_id = consent.id
            self.assertEqual(self._given(), member)
            member.with_env(self.env)._release_reservation()
        with freeze_time(MONDAY.replace(hour=11)):
            self.env["call.consent"].browse(consent_id).action_withdraw()
        with freeze_time(MONDAY.replace(hour=12)):
            self.assertEqual(self._checks(member), ["no_consent"])
            self.assertFalse(self._given())

    @users("cc_agent")
    def test_an_unknown_zone_is_called_in_every_window_that_could_apply(self):
        member = self._customer("John Smith", "us", phone="+1 212 555 0100")
        self.assertFalse(member.partner_id.call_tz, "several zones in the US")
        self.assertEqual(
            self.campaign.with_env(self.env).compliance_unresolved_count, 1
        )
        # 14:00 UTC: 9:00 in New York, 4:00 in Honolulu
        with freeze_time(MONDAY.replace(hour=14)):
            self.assertEqual(self._checks(member), ["legal_hours"])
            self.assertIn(
                "time zone is unknown",
                member.with_env(self.env).explain_queue()["reasons"][0],
            )
        # 19:00 UTC: 14:00 in New York, 9:00 in Honolulu and Adak
        with freeze_time(MONDAY.replace(hour=19)):
            self.assertEqual(self._given(), member)

    @users("cc_agent")
    def test_the_country_from_the_number(self):
        partner = self.su_env["res.partner"].create(
            {"name": "Sans Pays", "phone": "+33 6 12 34 56 78", "tz": False}
        )
        self.assertEqual(partner.call_country_id, self.env.ref("base.fr"))
        self.assertEqual(partner.call_tz, "Europe/Paris")
        nanp = self.su_env["res.partner"].create(
            {"name": "No Country", "phone": "+1 416 555 0100", "tz": False}
        )
        self.assertFalse(nanp.call_country_id, "+1 is several countries")

    @users("cc_agent")
    def test_the_explainer_agrees_with_the_queue(self):
        """Customers in every situation of the rules: the explainer says
        "callable" exactly for the members Next Call gives."""
        members = self.su_env["call.campaign.member"]
        for name, country, phone in (
            ("Fr Ok", "fr", "+33 1 00 00 00 01"),
            ("Fr Capped", "fr", "+33 1 00 00 00 02"),
            ("Fr Refused", "fr", "+33 1 00 00 00 03"),
            ("Pl No Consent", "pl", "+48 601 000 001"),
            ("Pl Consent", "pl", "+48 601 000 002"),
            ("Us Unknown", "us", "+1 212 555 0101"),
            ("Us New York", "us", "+1 212 555 0102"),
            ("De Free", "de", "+49 30 000 0001"),
        ):
            members |= self._customer(name, country, phone=phone)
        by_name = {m.partner_id.name: m for m in members}
        by_name["Us New York"].partner_id.tz = "America/New_York"
        with freeze_time(MONDAY.replace(hour=9)):
            self.env["call.interaction"]._create_timeline_events(
                [
                    by_name["Fr Capped"]._prepare_interaction_vals("call")
                    for _i in range(4)
                ]
            )
            by_name["Fr Refused"].partner_id._mark_call_refused()
        self.su_env["call.consent"].create(
            {
                "partner_id": by_name["Pl Consent"].partner_id.id,
                "basis": "consent",
                "date": MONDAY - timedelta(days=1),
            }
        )
        # 15:00 UTC: 16:00 in Paris and Warsaw, 10:00 in New York, 5:00 in Honolulu
        with freeze_time(MONDAY.replace(hour=15)):
            answers = members.with_env(self.env)._explain_queue()
            said = {mid for mid, answer in answers.items() if answer["callable"]}
            self.assertEqual(said, set(self._given().ids))
            checks = {
                self.su_env["call.campaign.member"].browse(mid).partner_id.name: answer[
                    "checks"
                ]
                for mid, answer in answers.items()
            }
        self.assertEqual(
            checks,
            {
                "Fr Ok": [],
                "Fr Capped": ["legal_cap"],
                "Fr Refused": ["refused"],
                "Pl No Consent": ["no_consent"],
                "Pl Consent": [],
                "Us Unknown": ["legal_hours"],
                "Us New York": [],
                "De Free": [],
            },
        )

    @users("cc_agent")
    def test_the_explainer_speaks_spanish(self):
        """Each reason of the rules, in Spanish for a Spanish agent."""
        self.su_env["res.lang"]._activate_lang("es_ES")
        self.su_env["ir.module.module"].search(
            [("name", "=", "call_campaign")]
        )._update_translations(["es_ES"])
        french = self._customer("Marie Dubois", "fr")
        polish = self._customer("Ewa Lis", "pl", phone="+48 601 999 222")
        with freeze_time(MONDAY.replace(hour=9)):
            self.env["call.interaction"]._create_timeline_events(
                [french._prepare_interaction_vals("call") for _i in range(4)]
            )
            french.partner_id._mark_call_refused()
        spanish = self.env(context=dict(self.env.context, lang="es_ES"))
        with freeze_time(MONDAY.replace(hour=12, minute=30)):
            reasons = {
                key: member.with_env(spanish)._queue_reason(key)
                for member, key in (
                    (french, "legal_hours"),
                    (french, "legal_cap"),
                    (french, "refused"),
                    (polish, "no_consent"),
                )
            }
        self.assertIn("horario de llamadas", reasons["legal_hours"])
        self.assertIn("lunes–viernes 10:00–13:00, 14:00–20:00", reasons["legal_hours"])
        for key, reason in reasons.items():
            english = (french if key != "no_consent" else polish)._queue_reason
            with freeze_time(MONDAY.replace(hour=12, minute=30)):
                self.assertNotEqual(reason, english(key), f"{key} is translated")

    def test_the_audit_of_a_month(self):
        """A month of calls the queue offered (agents' results and attempts
        at every hour of the day) meets the rules; the calls a dialer
        reports on its own outside them are recorded and counted."""
        dialer = new_test_user(
            self.env, login="cc_audit_dialer", groups="call_campaign.group_call_dialer"
        )
        self.campaign.agent_ids |= dialer
        customers = self.su_env["call.campaign.member"]
        for i in range(12):
            customers |= self._customer(
                f"Client {i}", "fr", phone=f"+33 1 00 00 10 {i:02d}"
            )
        Member = self.env["call.campaign.member"].with_user(self.agent)
        offered = 0
        for day in range(28):
            for hour in (7, 9, 11, 12, 13, 16, 18, 21):
                with freeze_time(MONDAY + timedelta(days=day, hours=hour, minutes=10)):
                    member = Member.next_for_agent()
                    if not member:
                        continue
                    if (day + hour) % 2:
                        member.log_call(outcome="no_answer")
                    else:
                        member.log_call(status=self.st_call)
                    offered += 1
        # the dialer calls a customer on its own at 13:30 in Paris, a Monday
        with freeze_time(MONDAY.replace(hour=12, minute=30)):
            customers[0].with_user(dialer).register_call_outcome(
                "no_answer", call_uid="own-1"
            )
        audit = self.env["call.interaction"].search(
            [
                ("kind", "in", ("call", "outcome")),
                ("partner_id", "in", customers.partner_id.ids),
            ]
        )
        self.assertGreater(offered, 40, "a month of calls in the legal hours")
        self.assertEqual(len(audit.filtered("compliance_offered")), offered)
        self.assertFalse(
            audit.filtered("compliance_offered").filtered("compliance_violated")
        )
        self.assertTrue(all(a.compliance_rules == "France — consumers" for a in audit))
        own = audit.filtered(lambda a: not a.compliance_offered)
        self.assertEqual(len(own), 1)
        self.assertEqual(own.compliance_violation, "legal_hours")
        self.assertEqual(own.compliance_local_time, "2026-12-07 13:30 (Europe/Paris)")
        # the report: its action counts them the same
        action = self.env.ref("call_campaign.call_interaction_action_compliance")
        groups = self.env["call.interaction"]._read_group(
            [
                *literal_eval(action.sudo().domain),
                ("partner_id", "in", customers.partner_id.ids),
            ],
            ["compliance_offered", "compliance_violated"],
            ["__count"],
        )
        self.assertEqual(
            {(o, v): n for o, v, n in groups},
            {(True, False): offered, (False, True): 1},
        )

    def test_what_the_attacker_found(self):
        """A consent counts in its company only; a withdrawal is dated now;
        a reporter's own dates and a consent given on the very call do not
        hide a violation; a colleague's live call takes no consent."""
        company2 = self.su_env["res.company"].create({"name": "Compliance Co 2"})
        agent_c2 = new_test_user(
            self.su_env,
            login="cc_comp_agent_c2",
            groups="call_campaign.group_call_agent",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        campaign2 = self.su_env["call.campaign"].create(
            {
                "name": "Second company",
                "company_id": company2.id,
                "agent_ids": [Command.set(agent_c2.ids)],
                "default_status_id": self.st_call.id,
                "state": "running",
            }
        )
        shared = self._customer("Piotr Shared", "pl", phone="+48 601 999 333")
        m2 = self.su_env["call.campaign.member"].create(
            {"campaign_id": campaign2.id, "partner_id": shared.partner_id.id}
        )
        with freeze_time(MONDAY.replace(hour=10)):
            consent_id = shared.with_user(self.agent).record_consent("consent")
            Member2 = self.env["call.campaign.member"].with_user(agent_c2)
            self.assertFalse(Member2.next_for_agent(), "company 1's consent")
            self.assertEqual(
                m2.with_user(agent_c2).explain_queue()["checks"], ["no_consent"]
            )
            consent = self.env["call.consent"].with_user(self.agent).browse(consent_id)
            with self.assertRaises(UserError):
                consent.write({"withdrawn_date": "2099-01-01 00:00:00"})
        # a French consumer, never offered, called on a Saturday and reported
        # with Friday's date: recorded, and counted
        french = self._customer("Claire Petit", "fr")
        dialer = new_test_user(
            self.su_env,
            login="cc_comp_dialer",
            groups="call_campaign.group_call_dialer",
        )
        self.campaign.agent_ids |= dialer
        with freeze_time(SATURDAY.replace(hour=14)):
            self.env["call.campaign.member"].with_user(dialer).register_call_outcomes(
                [
                    {
                        "member_id": french.id,
                        "outcome": "no_answer",
                        "date": "2026-12-04 14:00:00",
                    }
                ]
            )
        event = french.interaction_ids.filtered(lambda i: i.kind == "outcome")
        self.assertEqual(event.compliance_violation, "legal_hours")
        # Consent Given on the call that needed it: this call still had none
        polish = self._customer("Jan Kowal", "pl", phone="+48 601 999 444")
        with freeze_time(MONDAY.replace(hour=10)):
            with Form(
                self.env["call.campaign.member.log"]
                .with_user(self.agent)
                .with_context(
                    active_model="call.campaign.member", active_ids=polish.ids
                )
            ) as screen:
                screen.status_id = self.st_call
                screen.consent_given = True
            screen.record.action_log()
        call = polish.interaction_ids.filtered(lambda i: i.kind == "call")
        self.assertEqual(call.compliance_violation, "no_consent")
        # a colleague's live call: its consent is the colleague's to record
        with freeze_time(MONDAY.replace(hour=11)):
            given = (
                self.env["call.campaign.member"].with_user(self.agent2).next_for_agent()
            )
            self.assertTrue(given)
            with self.assertRaisesRegex(UserError, "is calling"):
                given.with_user(self.agent).record_consent("consent")
