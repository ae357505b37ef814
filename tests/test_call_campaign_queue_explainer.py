import random
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users
from odoo.tools import format_date, format_datetime

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
        self.assertEqual(
            notice["params"]["title"], f"{reserved.display_name}: not in the queue now"
        )
        with self.assertRaises(UserError):
            self.env["call.campaign.member"].explain_queue()
        with self.assertRaises(UserError):
            self.members.with_env(self.env).explain_queue()


# the explainer's answers below are read at this moment (a Tuesday, 11:00 in
# Warsaw, the agent's and the customers' time zone)
NOW = "2026-12-01 10:00:00"


@tagged("call_campaign", "post_install", "-at_install")
@freeze_time(NOW)
class TestQueueReasons(CallCampaignCase):
    """Each reason of the explainer in its exact words, in English and in
    Spanish (the agent's language)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["call_campaign"], ["es_ES"], overwrite=True
        )
        cls.member = cls.members[0]
        cls.now = fields.Datetime.to_datetime(NOW)
        cls.campaign.agent_ids |= cls.manager

    def assertReason(self, member, key, english, spanish):
        for lang, words in (("en_US", english), ("es_ES", spanish)):
            answer = member.with_env(self.env(context={"lang": lang})).explain_queue()
            self.assertEqual(answer["checks"], [key] if key else [])
            self.assertEqual(answer["reasons"], [words], lang)

    def local(self, lang, value):
        return format_datetime(
            self.env(context={"lang": lang}), value, tz="Europe/Warsaw"
        )

    @users("cc_agent")
    def test_callable_with_position(self):
        self.assertReason(
            self.members[2],
            False,
            "Callable now: position ~3 in your queue.",
            "Se puede llamar ahora: posición ~3 en su cola.",
        )

    @users("cc_agent")
    def test_campaign_not_running(self):
        self.campaign.sudo().state = "paused"
        self.assertReason(
            self.member,
            "campaign_not_running",
            "The campaign “Test Campaign” is not running.",
            "La campaña “Test Campaign” no está en curso.",
        )

    @users("cc_manager")
    def test_not_an_agent(self):
        # the manager sees every member, and calls in no campaign
        self.campaign.sudo().agent_ids -= self.manager
        self.assertReason(
            self.member,
            "not_agent",
            "You are not an agent of the campaign “Test Campaign”.",
            "No es agente de la campaña “Test Campaign”.",
        )

    @users("cc_agent")
    def test_archived(self):
        force_member_state(self.member, {"active": False})
        self.assertReason(self.member, "archived", "Archived.", "Archivado.")

    @users("cc_agent")
    def test_closed(self):
        force_member_state(
            self.member, {"status_id": self.st_not_interested.id, "state": "closed"}
        )
        self.assertReason(
            self.member,
            "closed",
            "Closed: not called any more.",
            "Cerrado: ya no se llama.",
        )

    @users("cc_agent")
    def test_not_before(self):
        later = self.now + timedelta(days=2)
        force_member_state(self.member, {"next_call_date": later, "state": "scheduled"})
        self.assertReason(
            self.member,
            "not_before",
            f"Not before {self.local('en_US', later)}.",
            f"No antes de {self.local('es_ES', later)}.",
        )

    @users("cc_agent")
    def test_reserved(self):
        force_member_state(
            self.member,
            {
                "reserved_user_id": self.agent2.id,
                "reserved_until": self.now + timedelta(minutes=30),
            },
        )
        self.assertReason(
            self.member,
            "reserved",
            f"Reserved by {self.agent2.name} until 11:30.",
            f"Reservado por {self.agent2.name} hasta las 11:30.",
        )

    @users("cc_manager")
    def test_callback_of_a_colleague(self):
        # a manager who calls too reads the colleagues' members
        force_member_state(
            self.member, {"status_id": self.st_follow.id, "user_id": self.agent2.id}
        )
        self.assertReason(
            self.member,
            "agent",
            f"A callback of {self.agent2.name}: only they get it.",
            f"Una rellamada de {self.agent2.name}: solo esa persona la recibe.",
        )

    @users("cc_agent")
    def test_callback_nobody_holds(self):
        force_member_state(self.member, {"status_id": self.st_follow.id})
        self.assertReason(
            self.member,
            "agent",
            "A callback nobody holds: a manager assigns it.",
            "Una rellamada sin responsable: la asigna un supervisor.",
        )

    @users("cc_manager")
    def test_assigned_to_a_colleague(self):
        force_member_state(self.member, {"user_id": self.agent2.id})
        self.assertReason(
            self.member,
            "agent",
            f"Assigned to {self.agent2.name}.",
            f"Asignado a {self.agent2.name}.",
        )

    @users("cc_agent")
    def test_blacklisted(self):
        self.env["phone.blacklist"].sudo()._add(
            [self.member.partner_id.phone_sanitized]
        )
        self.assertReason(
            self.member,
            "no_number",
            "Every number of the contact is on the phone blacklist: do not call.",
            "Todos los números del contacto están en la lista de bloqueo de "
            "teléfonos: no se llama.",
        )

    @users("cc_agent")
    def test_no_good_number(self):
        self.member.partner_id.call_number_ids._mark_invalid(self.now)
        self.assertReason(
            self.member,
            "no_number",
            "No good number: every number of the contact is wrong or blacklisted.",
            "Ningún número válido: todos los números del contacto son erróneos o "
            "están en la lista de bloqueo.",
        )

    @users("cc_agent")
    def test_pressure_budget(self):
        until = self.now + timedelta(hours=13)
        self.member.partner_id.sudo().call_pressure_until = until
        self.assertReason(
            self.member,
            "pressure",
            "The contact's call budget (all campaigns) is used up until "
            f"{self.local('en_US', until)}.",
            "El presupuesto de llamadas del contacto (todas las campañas) está "
            f"agotado hasta {self.local('es_ES', until)}.",
        )

    @users("cc_agent")
    def test_daily_cap(self):
        self.campaign.sudo().max_attempts_per_day = 2
        midnight = datetime(2026, 12, 1, 23, 0)
        force_member_state(
            self.member, {"day_attempt_count": 2, "day_attempts_reset": midnight}
        )
        self.assertReason(
            self.member,
            "day_cap",
            "Daily attempt cap reached (2 today): callable again from "
            f"{self.local('en_US', midnight)}.",
            "Límite diario de intentos alcanzado (2 hoy): se puede llamar de nuevo "
            f"desde {self.local('es_ES', midnight)}.",
        )

    @users("cc_agent")
    def test_total_cap(self):
        self.campaign.sudo().max_attempts_total = 4
        force_member_state(self.member, {"attempt_count": 5})
        self.assertReason(
            self.member,
            "total_cap",
            "Attempt cap reached (5 of 4).",
            "Límite de intentos alcanzado (5 de 4).",
        )

    @users("cc_agent")
    def test_calling_hours(self):
        # open on weekdays from 12:00 in the customer's time zone
        self.campaign.sudo().calling_calendar_id = (
            self.env["resource.calendar"]
            .sudo()
            .create(
                {
                    "name": "Afternoons",
                    "tz": "Europe/Warsaw",
                    "attendance_ids": [
                        Command.create(
                            {
                                "name": "Afternoon",
                                "dayofweek": str(day),
                                "hour_from": 12,
                                "hour_to": 18,
                            }
                        )
                        for day in range(5)
                    ],
                }
            )
        )
        day = date(2026, 12, 1)
        self.assertReason(
            self.member,
            "calling_hours",
            "Outside calling hours: it is 11:00 for the customer (Europe/Warsaw), "
            f"they open at 12:00 on {format_date(self.env, day)}.",
            "Fuera del horario de llamadas: son las 11:00 para el cliente "
            "(Europe/Warsaw), abre a las 12:00 el "
            f"{format_date(self.env(context={'lang': 'es_ES'}), day)}.",
        )
