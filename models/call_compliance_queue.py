"""The law of the customer's country in the queue. Each active compliance
rule (``call.compliance.rule``) that applies to a campaign becomes named
checks of the queue's own ``_queue_checks``: the legal calling hours read in
the customer's time zone, the calls per period, the pause after a refusal,
a consent on record. Next Call, the explainer, My day and the campaign
figures read that one definition."""

from collections import defaultdict, namedtuple
from datetime import timedelta

import pytz
from babel.dates import get_day_names

from odoo import api, fields, models
from odoo.tools import SQL, format_date, format_datetime, ormcache
from odoo.tools.misc import babel_locale_parse

from .call_interaction import CALL_KINDS

# the UTC offsets a customer's clock can show now, in minutes
OFFSETS = range(-12 * 60, 14 * 60 + 1, 15)
# how far the explainer looks for the next legal opening, and in what steps
OPENING_HORIZON = timedelta(days=8)
OPENING_STEP = timedelta(minutes=5)
# the rules of a campaign for one country (0: the country is unknown, so
# every rule of the campaign could apply), the strictest figure of each
Profile = namedtuple(
    "Profile", "rules calendars max_calls calls_days refusal_days consent"
)


class LegalWindow:
    """A calendar's legal calling hours as a clock reads them: the weekly
    attendances and the public holidays (its global leaves), checked at a
    local (naive) time of the customer."""

    def __init__(self, calendar):
        self.calendar = calendar
        self.attendances = [
            (int(a.dayofweek), a.hour_from, a.hour_to)
            for a in calendar.attendance_ids
            if a.day_period != "lunch" and not a.resource_id
        ]
        tz = pytz.timezone(calendar.tz or "UTC")
        self.holidays = []
        for leave in calendar.global_leave_ids:
            start = pytz.utc.localize(leave.date_from).astimezone(tz).date()
            stop = (pytz.utc.localize(leave.date_to) - timedelta(seconds=1)).astimezone(
                tz
            )
            self.holidays.append((start, stop.date()))

    def open_at(self, local):
        day = local.date()
        if any(start <= day <= stop for start, stop in self.holidays):
            return False
        hour = local.hour + local.minute / 60
        weekday = local.weekday()
        return any(
            dow == weekday and hour_from <= hour < hour_to
            for dow, hour_from, hour_to in self.attendances
        )


class CallCampaign(models.Model):
    _inherit = "call.campaign"

    compliance_unresolved_count = fields.Integer(
        "Unresolved Location",
        compute="_compute_compliance_unresolved_count",
        help="Open members whose country or time zone is unknown while "
        "compliance rules apply: they are called only when every calling "
        "window that could apply to them is open.",
    )

    def _compute_compliance_unresolved_count(self):
        # the rules from the worker's cache, not a search per campaign
        ruled = self._origin.filtered(lambda c: c._compliance_profile_data(c.id))
        counts = dict(
            self.env["call.campaign.member"]._read_group(
                [
                    ("campaign_id", "in", ruled.ids),
                    ("state", "in", ("queued", "scheduled")),
                    "|",
                    ("partner_id.call_country_id", "=", False),
                    ("partner_id.call_tz", "=", False),
                ],
                ["campaign_id"],
                ["__count"],
            )
        )
        for campaign in self:
            campaign.compliance_unresolved_count = counts.get(campaign._origin, 0)

    def write(self, vals):
        if isinstance(vals, dict) and {"customer_type", "company_id", "active"} & set(
            vals
        ):
            self._clear_compliance_profiles()
        return super().write(vals)

    @api.model
    def _clear_compliance_profiles(self):
        """A rule or a campaign's kind of customers changed: every worker
        reads the rules again (Odoo's cache signalling)."""
        self.env.registry.clear_cache()

    def _compliance_profiles(self):
        """``{campaign id: {country id (0: unknown): Profile}}`` for the
        campaigns under compliance rules, from the worker's cache (no query
        on Next Call once read)."""
        profiles = {}
        for campaign_id in self.ids:
            data = self._compliance_profile_data(campaign_id)
            if data:
                profiles[campaign_id] = {
                    country_id: Profile(
                        rules=self.env["call.compliance.rule"].browse(rule_ids),
                        calendars=self.env["resource.calendar"].browse(calendar_ids),
                        max_calls=max_calls,
                        calls_days=calls_days,
                        refusal_days=refusal_days,
                        consent=consent,
                    )
                    for country_id, (
                        rule_ids,
                        calendar_ids,
                        max_calls,
                        calls_days,
                        refusal_days,
                        consent,
                    ) in data.items()
                }
        return profiles

    @api.model
    @ormcache("campaign_id")
    def _compliance_profile_data(self, campaign_id):
        """The strictest figures of the rules of one campaign, by country (0:
        unknown, every rule could apply), as plain values for the cache."""
        campaign = self.browse(campaign_id).sudo()
        rules = campaign._compliance_rules() if campaign.exists() else None
        if not rules:
            return {}
        by_country = defaultdict(lambda: rules.browse())
        for rule in rules:
            for country in rule.country_ids:
                by_country[country.id] |= rule
        by_country[0] = rules
        return {
            country_id: (
                tuple(country_rules.ids),
                tuple(country_rules.calendar_id.ids),
                min((r.max_calls for r in country_rules if r.max_calls), default=0),
                max(
                    (r.max_calls_days for r in country_rules if r.max_calls), default=0
                ),
                max(country_rules.mapped("refusal_pause_days"), default=0),
                any(country_rules.mapped("require_consent")),
            )
            for country_id, country_rules in by_country.items()
        }

    @api.model
    def _compliance_windows(self, calendars):
        return [LegalWindow(calendar) for calendar in calendars]

    @api.model
    def _compliance_zones(self, profile, country_id):
        """The time zones a customer of an unknown zone could be in: their
        country's, or every country's of the rules when that is unknown too."""
        countries = (
            self.env["res.country"].browse(country_id)
            if country_id
            else profile.rules.country_ids
        )
        zones = {
            zone
            for country in countries
            for zone in pytz.country_timezones.get(country.code.upper(), [])
        }
        return sorted(zones) or ["UTC"]

    @api.model
    def _compliance_open(self, windows, now, zones=None, offset=None):
        """Whether every window is open at ``now`` (naive UTC) for a clock
        of ``offset`` minutes, or for every one of ``zones`` at once."""
        if zones is None:
            locals_ = [now + timedelta(minutes=offset)]
        else:
            locals_ = [
                pytz.utc.localize(now)
                .astimezone(pytz.timezone(zone))
                .replace(tzinfo=None)
                for zone in zones
            ]
        return all(window.open_at(local) for window in windows for local in locals_)


class CallComplianceRule(models.Model):
    _inherit = "call.compliance.rule"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["call.campaign"]._clear_compliance_profiles()
        return super().create(vals_list)

    def write(self, vals):
        self.env["call.campaign"]._clear_compliance_profiles()
        return super().write(vals)

    def unlink(self):
        self.env["call.campaign"]._clear_compliance_profiles()
        return super().unlink()


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    @api.model
    def _queue_compliance_checks(self, campaigns, now):
        """The checks of the compliance rules of ``campaigns`` at ``now``;
        none (and no cost) for campaigns without rules."""
        profiles = campaigns._compliance_profiles()
        if not profiles:
            return []
        country = SQL(
            "COALESCE((SELECT p.call_country_id FROM res_partner p WHERE p.id = m.partner_id), 0)"
        )
        checks = []
        hours = self._compliance_hours_check(profiles, now, country)
        if hours:
            checks.append(("legal_hours", hours))

        def rows(figure, *values):
            """(campaign, country, values…) of the profiles with ``figure``."""
            return [
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        SQL("%s", v)
                        for v in (cid, kid, *(getattr(p, n) for n in values))
                    ),
                )
                for cid, by_country in profiles.items()
                for kid, p in by_country.items()
                if getattr(p, figure)
            ]

        capped = rows("max_calls", "max_calls", "calls_days")
        if capped:
            checks.append(
                (
                    "legal_cap",
                    SQL(
                        """NOT EXISTS (
                            SELECT 1 FROM (VALUES %s) r(c, k, n, d)
                             WHERE r.c = m.campaign_id AND r.k = %s
                               AND (SELECT count(*) FROM call_interaction i
                                     WHERE i.partner_id = m.partner_id AND i.kind IN %s
                                       AND i.date > %s - r.d * interval '1 day'
                                       AND i.date <= %s) >= r.n)""",
                        SQL(", ").join(capped),
                        country,
                        CALL_KINDS,
                        now,
                        now,
                    ),
                )
            )
        paused = rows("refusal_days", "refusal_days")
        if paused:
            checks.append(
                (
                    "refused",
                    SQL(
                        """NOT EXISTS (
                            SELECT 1 FROM (VALUES %s) r(c, k, d)
                             WHERE r.c = m.campaign_id AND r.k = %s
                               AND (SELECT p.call_refused_date FROM res_partner p
                                     WHERE p.id = m.partner_id) > %s - r.d * interval '1 day')""",
                        SQL(", ").join(paused),
                        country,
                        now,
                    ),
                )
            )
        consent = rows("consent")
        if consent:
            checks.append(
                (
                    "no_consent",
                    SQL(
                        """((m.campaign_id, %s) NOT IN (VALUES %s) OR EXISTS (
                            -- call.consent._valid_domain, for the row
                            SELECT 1 FROM call_consent k
                             WHERE k.partner_id = m.partner_id AND k.company_id = m.company_id
                               AND k.date <= %s
                               AND (k.expiry_date IS NULL OR k.expiry_date >= %s)
                               AND (k.withdrawn_date IS NULL OR k.withdrawn_date > %s)))""",
                        country,
                        SQL(", ").join(consent),
                        now,
                        now.date(),
                        now,
                    ),
                )
            )
        return checks

    @api.model
    def _compliance_hours_check(self, profiles, now, country):
        """Legal calling hours: a customer whose country has rules with hours
        is called when every one is open at their clock (its offset now, in
        SQL); of an unknown zone, when they are open in every zone they could
        be in."""
        minute = now.replace(second=0, microsecond=0)
        ruled, open_offsets, open_unknown = self._compliance_hours_sets(
            tuple(sorted(profiles)), minute
        )
        if not ruled:
            return None
        tz = SQL("(SELECT p.call_tz FROM res_partner p WHERE p.id = m.partner_id)")
        return SQL(
            """((m.campaign_id, %(country)s) NOT IN %(ruled)s
                OR CASE WHEN %(tz)s IS NULL THEN (m.campaign_id, %(country)s) IN %(unknown)s
                   ELSE (m.campaign_id, %(country)s, (EXTRACT(EPOCH FROM
                          ((%(now)s::timestamp AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s)
                          - %(now)s::timestamp) / 60)::int) IN %(offsets)s END)""",
            country=country,
            ruled=tuple(ruled),
            tz=tz,
            unknown=tuple(open_unknown) or ((0, 0),),
            now=minute,
            offsets=tuple(open_offsets) or ((0, 0, 0),),
        )

    @api.model
    @ormcache("campaign_ids", "minute")
    def _compliance_hours_sets(self, campaign_ids, minute):
        """At ``minute``: the (campaign, country) pairs whose rules have
        legal hours, the (campaign, country, clock offset in minutes) that
        are inside them, and the (campaign, country) whose every possible
        zone is (for customers of an unknown zone). Cached for the minute."""
        Campaign = self.env["call.campaign"]
        profiles = Campaign.browse(campaign_ids)._compliance_profiles()
        ruled, open_offsets, open_unknown = [], [], []
        for cid, by_country in profiles.items():
            for kid, profile in by_country.items():
                if not profile.calendars:
                    continue
                ruled.append((cid, kid))
                windows = Campaign._compliance_windows(profile.calendars.sudo())
                open_offsets += [
                    (cid, kid, offset)
                    for offset in OFFSETS
                    if Campaign._compliance_open(windows, minute, offset=offset)
                ]
                zones = Campaign._compliance_zones(profile, kid)
                if Campaign._compliance_open(windows, minute, zones=zones):
                    open_unknown.append((cid, kid))
        return tuple(ruled), tuple(open_offsets), tuple(open_unknown)

    # ------------------------------------------------------------ explainer

    def _compliance_profile(self):
        """The rules that apply to this member's customer, as one Profile."""
        self.ensure_one()
        profiles = self.campaign_id._compliance_profiles().get(self.campaign_id.id, {})
        partner = self.partner_id.sudo()
        return profiles.get(partner.call_country_id.id or 0)

    def _compliance_reason(self, key):
        """A failed compliance check, in the calling user's words."""
        self.ensure_one()
        profile = self._compliance_profile()
        rule = ", ".join(profile.rules.mapped("name")) if profile else ""
        partner = self.partner_id.sudo()
        now = fields.Datetime.now()
        if key == "legal_hours":
            return self._compliance_hours_reason(profile, rule, now)
        if key == "legal_cap":
            since = now - timedelta(days=profile.calls_days)
            dates = sorted(
                self.env["call.interaction"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", partner.id),
                        ("kind", "in", CALL_KINDS),
                        ("date", ">", since),
                        ("date", "<=", now),
                    ]
                )
                .mapped("date")
            )
            again = dates[len(dates) - profile.max_calls] + timedelta(
                days=profile.calls_days
            )
            return self.env._(
                "%(count)s calls in %(days)s days already (%(rule)s: at most "
                "%(max)s): callable again on %(date)s.",
                count=len(dates),
                days=profile.calls_days,
                rule=rule,
                max=profile.max_calls,
                date=format_datetime(self.env, again),
            )
        if key == "refused":
            refused = partner.call_refused_date
            return self.env._(
                "Refused on %(date)s: not before %(until)s (%(rule)s).",
                date=format_date(self.env, refused),
                until=format_date(
                    self.env, refused + timedelta(days=profile.refusal_days)
                ),
                rule=rule,
            )
        return self.env._("No consent on record (%s).", rule)

    def _compliance_hours_reason(self, profile, rule, now):
        Campaign = self.env["call.campaign"]
        windows = Campaign._compliance_windows(profile.calendars)
        partner = self.partner_id.sudo()
        zones = (
            [partner.call_tz]
            if partner.call_tz
            else Campaign._compliance_zones(profile, partner.call_country_id.id)
        )
        hours = "; ".join(
            self._compliance_hours_text(calendar) for calendar in profile.calendars
        )
        moment = now.replace(second=0, microsecond=0)
        stop = moment + OPENING_HORIZON
        while moment < stop and not Campaign._compliance_open(
            windows, moment, zones=zones
        ):
            moment += OPENING_STEP
        if moment >= stop:
            opens = self.env._("none in the next %s days", OPENING_HORIZON.days)
        else:
            local = pytz.utc.localize(moment).astimezone(pytz.timezone(zones[0]))
            opens = (
                local.strftime("%H:%M")
                if moment - now < timedelta(hours=12)
                else f"{format_date(self.env, local.date())} {local.strftime('%H:%M')}"
            )
        if partner.call_tz:
            return self.env._(
                "Outside the legal calling hours of %(rule)s: %(hours)s; next "
                "opening %(opens)s (%(tz)s).",
                rule=rule,
                hours=hours,
                opens=opens,
                tz=partner.call_tz,
            )
        return self.env._(
            "Outside the legal calling hours of %(rule)s: %(hours)s; the "
            "customer's time zone is unknown, so every zone they could be in "
            "must be open: next opening %(opens)s (%(tz)s).",
            rule=rule,
            hours=hours,
            opens=opens,
            tz=zones[0],
        )

    def _compliance_hours_text(self, calendar):
        """'Monday–Friday 10:00–13:00, 14:00–20:00' in the user's language."""
        days = get_day_names(
            "wide", locale=babel_locale_parse(self.env.lang or "en_US")
        )
        by_day = defaultdict(list)
        for attendance in calendar.attendance_ids.sorted("hour_from"):
            if attendance.day_period == "lunch" or attendance.resource_id:
                continue
            by_day[int(attendance.dayofweek)].append(
                "{:02d}:{:02d}–{:02d}:{:02d}".format(
                    *divmod(round(attendance.hour_from * 60), 60),
                    *divmod(round(attendance.hour_to * 60), 60),
                )
            )
        groups = []
        for day in range(7):
            slots = ", ".join(by_day.get(day, []))
            if not slots:
                continue
            if groups and groups[-1][2] == slots and groups[-1][1] == day - 1:
                groups[-1][1] = day
            else:
                groups.append([day, day, slots])
        return "; ".join(
            f"{days[first]}–{days[last]} {slots}"
            if last > first
            else f"{days[first]} {slots}"
            for first, last, slots in groups
        )
