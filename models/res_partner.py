import re
from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, ormcache, split_every

from .call_contact_number import PARTNER_NUMBER_FIELDS
from .call_guard import check_foreign_vals
from .call_interaction import CALL_KINDS
from .local_day import local_midnight
from .public_method import call_error

# the rolling window of the weekly contact-pressure budget
PRESSURE_WINDOW = timedelta(days=7)
# contacts whose numbers are read at once when the add-on meets old contacts
NUMBER_SYNC_BATCH = 1000


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "call.membership.mixin"]

    call_number_ids = fields.One2many(
        "call.contact.number", "partner_id", string="Numbers to Call"
    )
    call_undialable = fields.Boolean(
        "No Number to Call",
        readonly=True,
        copy=False,
        help="Every number of the contact is wrong or on the phone blacklist.",
    )
    call_pressure_until = fields.Datetime(
        "Call Budget Used Until",
        readonly=True,
        copy=False,
        help="The contact was called as often as the company's contact-pressure "
        "budget allows (all campaigns): no campaign calls them before this.",
    )
    # where the customer is, for the law of their country (compliance rules)
    call_country_id = fields.Many2one(
        "res.country",
        "Customer's Country",
        compute="_compute_call_location",
        store=True,
        index="btree_not_null",
        help="The contact's country, else the country of their number in "
        "international form (+33…); empty when neither tells (the compliance "
        "rules of every country that could apply hold then).",
    )
    call_tz = fields.Char(
        "Customer's Time Zone",
        compute="_compute_call_location",
        store=True,
        help="The contact's time zone, else their country's when it has only "
        "one; empty when unknown (the calling windows that could apply must "
        "all be open).",
    )
    call_refused_date = fields.Datetime(
        "Refused Calls On",
        readonly=True,
        copy=False,
        help="The last time the contact refused a call (a status marked as a "
        "refusal): rules with a pause after a refusal hold every campaign back "
        "until the pause ends.",
    )
    call_pressure_label = fields.Char(
        "Call Budget",
        compute="_compute_call_pressure_label",
        groups="call_campaign.group_call_manager",
        help="Calls made to the contact today and in the last 7 days (all "
        "campaigns), against the company's budget.",
    )

    @api.depends("country_id", "tz", "phone", "mobile")
    def _compute_call_location(self):
        prefixes = self._call_country_prefixes()
        known_tzs = self._call_known_tzs()
        for partner in self:
            country = partner.country_id or partner._call_number_country(prefixes)
            tz = partner.tz if partner.tz in known_tzs else False
            if not tz and country:
                zones = pytz.country_timezones.get(country.code.upper(), [])
                tz = zones[0] if len(zones) == 1 and zones[0] in known_tzs else False
            partner.call_country_id = country
            partner.call_tz = tz

    def _mark_call_refused(self):
        """The contacts refused a call now (the rules' pause after a refusal
        counts from here); written by the add-on after the status service's
        checks, never by users."""
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET call_refused_date = %s WHERE id IN %s",
                fields.Datetime.now(),
                tuple(self.ids) or (0,),
            )
        )
        self.invalidate_recordset(["call_refused_date"])

    @api.model
    @ormcache()
    def _call_country_prefixes(self):
        """{international dialling code: country id}, for the codes a single
        country uses (+1 or +7 tell no country); read once per worker."""
        by_code = defaultdict(list)
        for country in self.env["res.country"].sudo().search([("phone_code", "!=", 0)]):
            by_code[str(country.phone_code)].append(country.id)
        return {code: found[0] for code, found in by_code.items() if len(found) == 1}

    def _call_number_country(self, prefixes):
        """The country of the contact's first number in international form."""
        self.ensure_one()
        for value in (self.phone, self.mobile):
            digits = re.sub(r"[^\d+]", "", value or "")
            if digits.startswith("00"):
                digits = "+" + digits[2:]
            if not digits.startswith("+"):
                continue
            for length in (4, 3, 2, 1):
                country_id = prefixes.get(digits[1 : 1 + length])
                if country_id:
                    return self.env["res.country"].browse(country_id)
        return self.env["res.country"]

    @api.model
    @ormcache()
    def _call_known_tzs(self):
        """The time zone names both Python and PostgreSQL know (the queue
        reads the customer's local time in SQL)."""
        self.env.cr.execute("SELECT name FROM pg_timezone_names")
        return frozenset(
            {name for (name,) in self.env.cr.fetchall()} & set(pytz.all_timezones)
        )

    def _compute_call_pressure_label(self):
        company = self.env.company
        usage = self.filtered("id")._call_pressure_usage(fields.Datetime.now(), company)
        for partner in self:
            today, calls, _day_end = usage.get(partner.id, (0, [], None))
            partner.call_pressure_label = self.env._(
                "%(today)s of %(per_day)s calls today, %(week)s of %(per_week)s "
                "in 7 days (all campaigns)",
                today=today,
                per_day=company.call_pressure_per_day or "∞",
                week=len(calls),
                per_week=company.call_pressure_per_week or "∞",
            )

    def init(self):
        # the contacts of blacklisted numbers are looked up by their number
        # (``phone_sanitized_blacklisted``: adding members, do-not-call)
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS res_partner_phone_sanitized_idx
               ON res_partner (phone_sanitized) WHERE phone_sanitized IS NOT NULL"""
        )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = self._check_call_fields(vals_list)
        partners = super().create(vals_list)
        partners.filtered(
            lambda p: any(p[fname] for fname in PARTNER_NUMBER_FIELDS)
        )._sync_call_numbers()
        events = [
            partner._prepare_timeline_vals("partner_created") for partner in partners
        ]
        events += [
            partner._prepare_timeline_vals(
                "salesperson_assigned", to_user_id=partner.user_id.id
            )
            for partner in partners
            if partner.user_id
        ]
        self.env["call.interaction"]._create_timeline_events(events)
        return partners

    def write(self, vals):
        self._check_call_fields([vals])
        before = (
            {partner.id: partner.user_id for partner in self}
            if "user_id" in vals
            else {}
        )
        res = super().write(vals)
        if set(PARTNER_NUMBER_FIELDS) & set(vals):
            self._sync_call_numbers()
        if before:
            events = []
            for partner in self.filtered(lambda p: before[p.id] != p.user_id):
                kind = (
                    "salesperson_assigned" if partner.user_id else "salesperson_removed"
                )
                events.append(
                    partner._prepare_timeline_vals(
                        kind,
                        from_user_id=before[partner.id].id,
                        to_user_id=partner.user_id.id,
                    )
                )
            self.env["call.interaction"]._create_timeline_events(events)
        return res

    def _call_blacklisted(self, except_members=None):
        """These contacts that must never be called: see
        ``_call_blacklisted_domain``. ``except_members``: memberships a
        manager is reopening."""
        if not self:
            return self
        return self.browse(
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("id", "in", self.ids)] + self._call_blacklisted_domain(except_members)
            )
            .ids
        )

    @api.model
    def _call_blacklisted_domain(self, except_members=None):
        """The one definition of do-not-call for contacts: a number on Odoo's
        phone blacklist, or a do-not-call status in a campaign (which a new
        number does not undo)."""
        # Odoo's blacklist search reads the tables directly: flush them first
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env["res.partner"].flush_model(["phone_sanitized"])
        domain = [("state", "=", "do_not_call")]
        if except_members:
            domain.append(("id", "not in", except_members.ids))
        refused = (
            self.env["call.campaign.member"]
            .sudo()
            .with_context(active_test=False)
            ._search(domain)
        )
        return [
            "|",
            ("phone_sanitized_blacklisted", "=", True),
            (
                "id",
                "in",
                refused.subselect(SQL.identifier(refused.table, "partner_id")),
            ),
        ]

    def _check_call_allowed(self, except_members=None):
        refused = self._call_blacklisted(except_members)
        if refused:
            raise call_error(
                self.env._(
                    "%s does not want to be called (phone blacklist or a “do not call” "
                    "status): only a call manager can remove the number from the "
                    "blacklist and reopen the do-not-call memberships.",
                    refused[0].display_name,
                ),
                "do_not_call",
            )

    def _prepare_timeline_vals(self, kind, **values):
        self.ensure_one()
        return {
            "kind": kind,
            "partner_id": self.id,
            "user_id": self.env.user.id,
            "res_model": self._name,
            "res_id": self.id,
            **values,
        }

    def _check_call_fields(self, vals_list):
        """What the add-on computes about calling a contact is not typed in;
        what the add-on reads of the values is checked first."""
        return check_foreign_vals(
            self,
            vals_list,
            self.env._(
                "Whether a contact can be called (its call budget, its good "
                "numbers) is computed from its calls and numbers, not written."
            ),
        )

    # ------------------------------------------------------------- numbers

    def _sync_call_numbers(self):
        """The contacts' phone and mobile as numbers to call. A number keeps
        its entry (and its wrong-number mark) whether it moves between phone
        and mobile or is typed otherwise; a number that goes loses its entry;
        a new one gets one (not known to be wrong). Removals first, so that
        a number moving from the mobile to the phone never exists twice."""
        Number = self.env["call.contact.number"].sudo()
        numbers = Number.search([("partner_id", "in", self.ids)]).grouped("partner_id")
        to_unlink, to_update, to_create = Number, [], []
        for partner in self:
            entries = numbers.get(partner, Number)
            by_key = {
                entry.number_sanitized or entry.number: entry for entry in entries
            }
            wanted = {}
            for sequence, fname in enumerate(PARTNER_NUMBER_FIELDS):
                value = partner[fname]
                if value:
                    key = partner._phone_format(number=value, raise_exception=False)
                    wanted.setdefault(key or value, (fname, value, sequence))
            for key, entry in by_key.items():
                if entry.source != "other" and key not in wanted:
                    to_unlink |= entry
            for key, (fname, value, sequence) in wanted.items():
                entry = by_key.get(key)
                if not entry:
                    to_create.append(
                        {
                            "partner_id": partner.id,
                            "number": value,
                            "source": fname,
                            "sequence": sequence,
                        }
                    )
                elif entry.source != "other" and (entry.source, entry.number) != (
                    fname,
                    value,
                ):
                    to_update.append((entry, {"source": fname, "number": value}))
        to_unlink.unlink()
        for entry, vals in to_update:
            entry.write(vals)
        Number.create(to_create)

    @api.model
    def _sync_existing_call_numbers(self):
        """Contacts that existed before the add-on (or its numbers) get their
        numbers, a batch at a time."""
        self.env.cr.execute(
            """SELECT p.id FROM res_partner p
                WHERE (p.phone IS NOT NULL OR p.mobile IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM call_contact_number n
                                   WHERE n.partner_id = p.id)"""
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        for batch in split_every(NUMBER_SYNC_BATCH, ids):
            self.browse(batch)._sync_call_numbers()
            self.env.flush_all()
            self.env.invalidate_all()

    def _update_call_undialable(self):
        """Recompute which of these contacts have no number left to call on
        (one statement)."""
        if not self:
            return
        self.env["call.contact.number"].flush_model()
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner r SET call_undialable = v.undialable
                     FROM (SELECT p.id, (%s) AS undialable FROM res_partner p
                            WHERE p.id IN %s) v
                    WHERE r.id = v.id
                      AND r.call_undialable IS DISTINCT FROM v.undialable""",
                self.env["call.contact.number"]._undialable_sql(),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["call_undialable"])

    # ----------------------------------------------------- contact pressure

    def _call_pressure_dates(self, now):
        """The calls of these contacts in the budget's window (all
        campaigns), newest first, by contact id: one query."""
        self.env["call.interaction"].flush_model(["partner_id", "kind", "date"])
        self.env.cr.execute(
            """SELECT partner_id, array_agg(date ORDER BY date DESC)
                 FROM call_interaction
                WHERE partner_id IN %s AND kind IN %s AND date > %s
             GROUP BY partner_id""",
            [tuple(self.ids), CALL_KINDS, now - PRESSURE_WINDOW],
        )
        return dict(self.env.cr.fetchall())

    def _call_pressure_usage(self, now, company):
        """What these contacts used of the budget: by contact id, the calls of
        their day (their time zone, else the company's), their calls in the
        window (newest first) and when their day ends. One query."""
        dates = self._call_pressure_dates(now) if self else {}
        usage = {}
        for partner in self:
            tz = partner.tz or company.partner_id.tz
            start = local_midnight(now, tz)
            calls = dates.get(partner.id, [])
            usage[partner.id] = (
                sum(1 for date in calls if date >= start),
                calls,
                local_midnight(now, tz, days=1),
            )
        return usage

    def _update_call_pressure(self, company, now=None):
        """After calls to these contacts: until when the company's budget
        keeps them out of every campaign's queue (empty when under budget).
        Stored on the contact so that the queue reads a few rows, not the
        history of every candidate."""
        if not self:
            return
        now = now or fields.Datetime.now()
        per_day = company.call_pressure_per_day
        per_week = company.call_pressure_per_week
        usage = self._call_pressure_usage(now, company) if per_day or per_week else {}
        until = {}
        for partner in self:
            today, calls, day_end = usage.get(partner.id, (0, [], None))
            limits = []
            if per_day and today >= per_day:
                limits.append(day_end)
            if per_week and len(calls) >= per_week:
                limits.append(calls[per_week - 1] + PRESSURE_WINDOW)
            until[partner.id] = max(limits) if limits else None
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner p SET call_pressure_until = v.until
                     FROM (VALUES %s) AS v(id, until)
                    WHERE p.id = v.id
                      AND p.call_pressure_until IS DISTINCT FROM v.until""",
                SQL(", ").join(
                    SQL("(%s, %s::timestamp)", partner_id, value)
                    for partner_id, value in until.items()
                ),
            )
        )
        self.invalidate_recordset(["call_pressure_until"])
