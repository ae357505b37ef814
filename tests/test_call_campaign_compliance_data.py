import base64
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import mute_logger

from .common import CallCampaignCase

RULES = ("fr_b2c", "us_b2c", "gb_b2c", "pl_all", "es_b2c", "br_b2c", "ua_b2c")


def csv_file(text):
    data = text.encode() if isinstance(text, str) else text
    return base64.b64encode(data)


@tagged("call_campaign", "post_install", "-at_install")
class TestComplianceData(CallCampaignCase):
    """Issue 26, compliance as data: the shipped rules, the consents as
    evidence, the do-not-call registries and their import, and a campaign
    that cannot start on a stale registry — each as the user concerned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Second Co"})
        cls.agent_c2 = new_test_user(
            cls.env,
            login="cc_agent_c2",
            groups="call_campaign.group_call_agent",
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.partner_c2 = cls.env["res.partner"].create(
            {"name": "Foreign customer", "company_id": cls.company2.id}
        )
        cls.dnc = cls.env["call.dnc.registry"].create(
            {
                "name": "Test registry",
                "country_ids": [Command.set(cls.env.ref("base.fr").ids)],
            }
        )

    # ------------------------------------------------------------ data

    def test_rules_shipped_inactive_with_sources(self):
        """Every shipped rule loads, is inactive, and its description cites
        a legal source with a date or a number."""
        for key in RULES:
            rule = self.env.ref(f"call_campaign.call_compliance_rule_{key}")
            self.assertFalse(rule.active, key)
            self.assertTrue(rule.country_ids, key)
            text = str(rule.description)
            self.assertRegex(
                text, r"(art\.|reg(ulation)?\.? ?\d|CFR|Law|Ley|Anatel)", key
            )
            self.assertRegex(text, r"\d{4}", key)
        active = self.env["call.compliance.rule"].search([])
        self.assertFalse(active, "no rule applies before someone activates it")

    def test_france_and_us_figures(self):
        fr = self.env.ref("call_campaign.call_compliance_rule_fr_b2c")
        self.assertEqual(
            (fr.max_calls, fr.max_calls_days, fr.refusal_pause_days), (4, 30, 60)
        )
        self.assertIn("2022-1313", str(fr.description))
        hours = sorted(
            (int(a.dayofweek), a.hour_from, a.hour_to)
            for a in fr.calendar_id.attendance_ids
        )
        self.assertEqual(
            hours,
            sorted((d, h1, h2) for d in range(5) for h1, h2 in ((10, 13), (14, 20))),
        )
        self.assertEqual(
            fr.registry_ids, self.env.ref("call_campaign.call_dnc_registry_bloctel")
        )
        us = self.env.ref("call_campaign.call_compliance_rule_us_b2c")
        self.assertEqual(us.registry_max_age_days, 31)
        self.assertIn("310.4(b)(3)(iv)", str(us.description))
        self.assertEqual(
            sorted(
                (int(a.dayofweek), a.hour_from, a.hour_to)
                for a in us.calendar_id.attendance_ids
            ),
            [(d, 8, 21) for d in range(7)],
        )
        gb = self.env.ref("call_campaign.call_compliance_rule_gb_b2c")
        self.assertEqual(gb.registry_max_age_days, 28)
        self.assertFalse(gb.calendar_id, "PECR sets no hours: none invented")

    @users("cc_manager")
    def test_rule_constraints(self):
        Rule = self.env["call.compliance.rule"]
        fr = self.env.ref("base.fr")
        vals = {"name": "Mine", "country_ids": [Command.set(fr.ids)]}
        with self.assertRaisesRegex(ValidationError, "period in days"):
            Rule.create(dict(vals, max_calls=3))
        for fname in (
            "max_calls",
            "max_calls_days",
            "refusal_pause_days",
            "registry_max_age_days",
        ):
            with self.assertRaisesRegex(ValidationError, "cannot be negative"):
                Rule.create({**vals, "max_calls_days": 10, fname: -1})
        rule = Rule.create(dict(vals, max_calls=3, max_calls_days=7))
        self.assertFalse(rule.active, "a new rule is inactive until activated")
        with self.assertRaises(ValidationError):
            rule.max_calls_days = 0

    @users("cc_agent")
    def test_rules_agents_read_only(self):
        Rule = self.env["call.compliance.rule"].with_context(active_test=False)
        self.assertTrue(Rule.search([]))
        with self.assertRaises(AccessError):
            Rule.create(
                {"name": "x", "country_ids": [Command.set(self.env.ref("base.fr").ids)]}
            )
        with self.assertRaises(AccessError):
            self.env["call.dnc.registry"].create({"name": "x"})

    # ------------------------------------------------------------ consents

    @users("cc_agent")
    def test_consent_agent_records_and_withdraws(self):
        Consent = self.env["call.consent"]
        consent = Consent.create(
            {
                "partner_id": self.partners[0].id,
                "basis": "consent",
                "source": "Web form",
            }
        )
        self.assertEqual(consent.user_id, self.env.user)
        self.assertEqual(consent.company_id, self.env.company)
        for vals in (
            {"basis": "contract"},
            {"date": "2020-01-01 00:00:00"},
            {"source": "rewritten"},
            {"partner_id": self.partners[1].id},
        ):
            with self.assertRaises(UserError):
                consent.write(vals)
        with self.assertRaises(UserError):
            Consent.create(
                {
                    "partner_id": self.partners[0].id,
                    "basis": "consent",
                    "user_id": self.manager.id,
                }
            )
        consent.action_withdraw()
        self.assertTrue(consent.withdrawn_date)
        with self.assertRaises(UserError):
            consent.write({"withdrawn_date": False})
        with self.assertRaises(AccessError):
            consent.unlink()

    @users("cc_agent")
    def test_consent_other_company_refused(self):
        Consent = self.env["call.consent"]
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Consent.create({"partner_id": self.partner_c2.id, "basis": "consent"})
        theirs = self.su_env["call.consent"].create(
            {"partner_id": self.partner_c2.id, "basis": "consent"}
        )
        self.assertEqual(theirs.company_id, self.company2)
        self.assertNotIn(theirs, Consent.search([]))
        with self.assertRaises(AccessError):
            Consent.browse(theirs.id).action_withdraw()

    @users("cc_manager")
    def test_consent_manager_corrects_and_deletes(self):
        consent = self.env["call.consent"].create(
            {"partner_id": self.partners[0].id, "basis": "consent"}
        )
        consent.write({"basis": "legitimate_interest", "source": "Corrected"})
        consent.unlink()

    def test_consent_valid_domain(self):
        Consent = self.env["call.consent"]
        now = datetime(2026, 5, 4, 12, 0)
        p = self.partners
        Consent.create(
            [
                {
                    "partner_id": p[0].id,
                    "basis": "consent",
                    "date": now - timedelta(days=1),
                },
                {
                    "partner_id": p[1].id,
                    "basis": "consent",
                    "date": now - timedelta(days=9),
                    "expiry_date": (now - timedelta(days=1)).date(),
                },
                {
                    "partner_id": p[2].id,
                    "basis": "consent",
                    "date": now - timedelta(days=9),
                    "withdrawn_date": now - timedelta(hours=1),
                },
                {
                    "partner_id": p[3].id,
                    "basis": "consent",
                    "date": now + timedelta(hours=1),
                },
                {
                    "partner_id": p[4].id,
                    "basis": "contract",
                    "date": now - timedelta(days=9),
                    "withdrawn_date": now + timedelta(days=1),
                    "expiry_date": now.date(),
                },
            ]
        )
        self.assertEqual(
            Consent._partner_ids_with_valid_consent(p.ids, now), {p[0].id, p[4].id}
        )
        self.assertEqual(
            Consent._partner_ids_with_valid_consent(p.ids, now, bases=["consent"]),
            {p[0].id},
        )
        valid = Consent.search(
            [("partner_id", "in", p.ids), *Consent._valid_domain(now)]
        )
        self.assertEqual(valid.partner_id, p[0] | p[4])

    @users("cc_agent")
    def test_record_consent_from_member(self):
        member = self.member.with_env(self.env)
        call = self.su_env["call.campaign.call"].create(
            {
                "member_id": member.id,
                "user_id": self.env.uid,
                "state": "answered",
                "dial_date": fields.Datetime.now(),
            }
        )
        consent_id = member.record_consent("consent", source="Asked on the call")
        consent = self.env["call.consent"].browse(consent_id)
        self.assertEqual(consent.partner_id, member.partner_id)
        self.assertEqual(consent.member_id, member)
        self.assertEqual(consent.call_id, call)
        self.assertEqual(consent.source, "Asked on the call")
        call.sudo().state = "ended"
        second = self.env["call.consent"].browse(
            member.record_consent("contract", expiry_date="2030-01-31")
        )
        self.assertFalse(second.call_id, "no call in progress: the member only")
        self.assertEqual(second.expiry_date, fields.Date.to_date("2030-01-31"))
        with self.assertRaises(UserError):
            member.record_consent("bogus")
        with self.assertRaisesRegex(ValidationError, "that customer's"):
            self.env["call.consent"].create(
                {
                    "partner_id": self.partners[1].id,
                    "basis": "consent",
                    "member_id": member.id,
                }
            )

    # ------------------------------------------------------------ registries

    def _import(self, registry, data):
        wizard = self.env["call.dnc.import"].create(
            {"registry_id": registry.id, "file": csv_file(data)}
        )
        wizard.action_import()
        return wizard

    def _registry_numbers(self, registry):
        return set(
            self.env["phone.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("call_registry_id", "=", registry.id)])
            .mapped("number")
        )

    @users("cc_manager")
    def test_registry_import_replaces_previous(self):
        registry = self.dnc.with_env(self.env)
        Blacklist = self.su_env["phone.blacklist"]
        hand = Blacklist.create({"number": "+33600000005"})
        customer = self.su_env["res.partner"].create(
            {"name": "On the registry", "phone": "+33600000007"}
        )
        first = [f"+336{i:08d}" for i in range(20000)]
        wizard = self._import(registry, "number\n" + "\n".join(first) + "\n")
        self.assertEqual(wizard.imported_count, 20000)
        self.assertEqual(wizard.added_count, 19999)
        self.assertEqual(wizard.kept_count, 1)
        self.assertEqual(self._registry_numbers(registry), set(first) - {hand.number})
        self.assertFalse(
            hand.call_registry_id, "a hand entry is not taken by the registry"
        )
        self.assertTrue(registry.last_import_date)
        self.assertEqual(
            registry.number_count, 20000, "what it lists, the hand one too"
        )
        self.assertTrue(
            customer.call_undialable, "their only number is on the registry"
        )
        # the next copy: numbers 10000.. stay, 20000..24999 join, the rest go
        second = [f"+336{i:08d}" for i in range(10000, 25000)]
        wizard = self._import(
            registry, "name;phone\n" + "\n".join(f"x;{n}" for n in second)
        )
        self.assertEqual((wizard.added_count, wizard.removed_count), (5000, 10000))
        self.assertEqual(self._registry_numbers(registry), set(second))
        self.assertTrue(hand.exists() and hand.active and not hand.call_registry_id)
        self.assertFalse(Blacklist.search([("number", "=", "+33600000007")]))
        customer.invalidate_recordset()
        self.assertFalse(customer.call_undialable, "off the registry: dialable again")

    @users("cc_manager")
    def test_registry_import_bad_files(self):
        registry = self.dnc.with_env(self.env)
        for data, message in (
            ("", "Choose the registry's CSV file"),
            ("\n  \n", "empty"),
            ("name,email\nBob,bob@example.com\n", "no column named"),
            ("customers\n0601020304\n", "no column named"),
            ("numéro\n".encode("latin-1") + b"0601020304\n", "not UTF-8"),
            ("number\nnot a number\nnone\n", "no valid number"),
        ):
            with self.assertRaisesRegex(UserError, message):
                self._import(registry, data)
        self.assertFalse(registry.last_import_date)
        with self.assertRaisesRegex(UserError, "Choose"):
            self.env["call.dnc.import"].create(
                {"registry_id": registry.id}
            ).action_import()

    @users("cc_agent")
    def test_registry_import_managers_only(self):
        with self.assertRaises(AccessError):
            self._import(self.dnc, "0601020304\n")
        with self.assertRaises(UserError):
            self.env["phone.blacklist"].create(
                {"number": "+33611111111", "call_registry_id": self.dnc.id}
            )

    def test_registry_deleted_numbers_go(self):
        self._import(self.dnc, "+33612345678\n+33612345679\n")
        self.dnc.unlink()
        self.assertFalse(
            self.env["phone.blacklist"].search([("number", "=", "+33612345678")])
        )

    # ------------------------------------------------------------ fresh registry

    @users("cc_manager")
    @users("cc_manager")
    def test_a_number_stays_blocked_while_someone_holds_it(self):
        """A number two registries list, or one also blacklisted by hand,
        stays on the blacklist while one of them holds it; a registry
        switches back on a number switched off by hand."""
        Blacklist = self.su_env["phone.blacklist"].with_context(active_test=False)
        other = self.su_env["call.dnc.registry"].create({"name": "Other registry"})
        x, y, z, w = "+33612345671", "+33612345672", "+33612345673", "+33612345674"
        self._import(self.dnc, f"number\n{x}\n{z}\n")
        Blacklist._add([z])  # the customer asks by hand too
        self._import(other.with_env(self.env), f"number\n{x}\n")
        self._import(self.dnc, f"number\n{y}\n")  # x and z leave this registry
        blocked = Blacklist.search([("number", "in", [x, y, z]), ("active", "=", True)])
        self.assertEqual(sorted(blocked.mapped("number")), [x, y, z])
        self.assertEqual(Blacklist.search([("number", "=", x)]).call_registry_id, other)
        self.assertFalse(Blacklist.search([("number", "=", z)]).call_registry_id)
        # switched off by hand, listed by a registry: blocked again at its import
        Blacklist._add([w])
        Blacklist._remove([w])
        self._import(other.with_env(self.env), f"number\n{x}\n{w}\n")
        self.assertTrue(Blacklist.search([("number", "=", w)]).active)
        self.assertEqual(other.with_env(self.env).number_count, 2)
        # a registry that goes leaves the others' and the hand numbers
        other.unlink()
        self.assertEqual(
            sorted(
                Blacklist.search(
                    [("active", "=", True), ("number", "in", [x, y, z, w])]
                ).mapped("number")
            ),
            [y, z],
        )

    def test_stale_registry_blocks_start(self):
        us = self.su_env.ref("call_campaign.call_compliance_rule_us_b2c")
        us.write({"active": True, "registry_ids": [Command.set(self.dnc.ids)]})
        campaign = self.env["call.campaign"].create(
            {"name": "US consumers", "default_status_id": self.st_call.id}
        )
        self.assertEqual(campaign.customer_type, "b2c")
        self.assertEqual(campaign._compliance_rules(), us)
        with self.assertRaisesRegex(UserError, "was never imported"):
            campaign.action_start()
        with freeze_time("2026-03-01 09:00:00"):
            self.dnc.sudo().last_import_date = datetime(2026, 1, 28, 9, 0)
            with self.assertRaisesRegex(
                UserError, "“Test registry” was imported 32 days ago.*at most 31 days"
            ):
                campaign.action_start()
            with self.assertRaises(UserError):
                campaign.write({"state": "running"})
            self.assertEqual(campaign.state, "draft")
            self.assertEqual(
                [(r.id, g.id, a) for _c, r, g, a in campaign._stale_registries()],
                [(us.id, self.dnc.id, 32)],
            )
            # a company calling companies is not under a consumers' rule
            campaign.customer_type = "b2b"
            self.assertFalse(campaign._compliance_rules())
            campaign.customer_type = "b2c"
            self.dnc.sudo().last_import_date = datetime(2026, 2, 20, 9, 0)
            campaign.action_start()
            self.assertEqual(campaign.state, "running")
            self.assertFalse(campaign.registry_stale_date)
        # running, the registry ages: the health count flags the campaign
        Campaign = self.su_env["call.campaign"]
        with freeze_time("2026-03-24 09:00:00"):
            Campaign._cron_refresh_health()
            self.assertEqual(campaign.registry_stale_date, datetime(2026, 3, 24, 9, 0))
            self.assertIn("imported 32 days ago", campaign.sudo().message_ids[:1].body)
            self.dnc.sudo().last_import_date = datetime(2026, 3, 24, 8, 0)
            Campaign._cron_refresh_health()
            self.assertFalse(campaign.registry_stale_date)
