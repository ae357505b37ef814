"""The audit of the compliance rules: every call (a logged result or an
attempt) is stamped when it is written with what the law of the customer's
country said at the time the call was made — the rules that applied, the
customer's local time, the consent on record, the registries' import date,
and the rules' checks it failed. The checks are the queue's own
(``_queue_compliance_checks``): a call the queue offered cannot fail them;
a call a dialer reports on its own is recorded, never refused, and counted."""

from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from .call_interaction import CALL_KINDS

# where a cleared reservation is kept for the history written next, in the
# same transaction: {member id: (the time the queue offered it, its end)}
OFFERS_KEY = "call_compliance_offers"


def oldest_import(rules):
    """The oldest import of the registries the rules name (False: none)."""
    dates = [r.last_import_date for r in rules.registry_ids if r.last_import_date]
    return min(dates) if dates else False


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    def _write_workflow(self, vals):
        if "reserved_user_id" in vals and not vals["reserved_user_id"]:
            now = fields.Datetime.now()
            offers = self.env.cr.cache.setdefault(OFFERS_KEY, {})
            for member in self:
                if member.reserved_until and member.reserved_until >= now:
                    offers[member.id] = (member._offered_date(), member.reserved_until)
        return super()._write_workflow(vals)

    def _offered_date(self):
        """When the queue gave the member now reserved (its reservation's
        start)."""
        self.ensure_one()
        return self.reserved_until - timedelta(
            minutes=self.campaign_id.reservation_minutes
        )

    def _compliance_failures(self, at):
        """``{member id: [failed compliance checks]}`` at ``at``: the queue's
        own checks, in one query."""
        campaigns = self.campaign_id
        checks = self._queue_compliance_checks(campaigns, at)
        if not checks or not self:
            return {member.id: [] for member in self}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT m.id, %s FROM call_campaign_member m WHERE m.id IN %s",
                SQL(", ").join(
                    SQL("COALESCE(%s, false)", condition) for _key, condition in checks
                ),
                tuple(self.ids),
            )
        )
        return {
            member_id: [
                key for (key, _sql), ok in zip(checks, passed, strict=True) if not ok
            ]
            for member_id, *passed in self.env.cr.fetchall()
        }

    def _compliance_consents(self, at):
        """``{(contact id, company id): basis}`` of the members' customers'
        consents valid at ``at`` (the latest), in one query."""
        consents = (
            self.env["call.consent"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    *self.env["call.consent"]._valid_domain(at),
                ],
                order="date",
            )
        )
        return {(c.partner_id.id, c.company_id.id): c.basis for c in consents}

    def _compliance_stamp(self, profiles, at, consents):
        """The audit's facts of this member's customer at ``at``."""
        self.ensure_one()
        partner = self.partner_id
        profile = profiles.get(self.campaign_id.id, {}).get(
            partner.call_country_id.id or 0
        )
        tz = partner.call_tz
        local = (
            pytz.utc.localize(at)
            .astimezone(pytz.timezone(tz))
            .strftime("%Y-%m-%d %H:%M")
            + f" ({tz})"
            if tz
            else False
        )
        return {
            "compliance_rules": ", ".join(profile.rules.mapped("name"))
            if profile
            else False,
            "compliance_local_time": local,
            "compliance_consent": consents.get((partner.id, self.company_id.id), False),
            "compliance_registry_date": oldest_import(profile.rules)
            if profile
            else False,
        }


class CallInteraction(models.Model):
    _inherit = "call.interaction"

    compliance_rules = fields.Char(
        "Rules Applied",
        readonly=True,
        help="The compliance rules of the customer's country that applied to "
        "the call when it was made.",
    )
    compliance_local_time = fields.Char(
        "Customer's Local Time",
        readonly=True,
        help="The customer's clock when the call was made, with their time zone.",
    )
    compliance_consent = fields.Selection(
        [
            ("consent", "Consent"),
            ("legitimate_interest", "Legitimate interest"),
            ("contract", "Contract"),
        ],
        "Basis on Record",
        readonly=True,
        help="The customer's valid consent (or other basis) when the call was made.",
    )
    compliance_registry_date = fields.Datetime(
        "Registry Imported On",
        readonly=True,
        help="The oldest import of the do-not-call registries the rules name, "
        "when the call was made.",
    )
    compliance_offered = fields.Boolean(
        "Offered by the Queue",
        readonly=True,
        help="Next Call or a dialer's reservation gave this customer: the "
        "rules were checked before the call.",
    )
    compliance_violation = fields.Char(
        "Rules Not Met",
        readonly=True,
        index="btree_not_null",
        help="The rules' checks the call did not meet when it was made (a "
        "dialer reporting a call of its own is recorded, not refused).",
    )
    compliance_violated = fields.Boolean(
        "Violation",
        compute="_compute_compliance_violated",
        store=True,
        help="The call did not meet a compliance rule.",
    )

    @api.depends("compliance_violation")
    def _compute_compliance_violated(self):
        for interaction in self:
            interaction.compliance_violated = bool(interaction.compliance_violation)

    @api.model
    def _create_timeline_events(self, vals_list):
        self._stamp_compliance(vals_list)
        return super()._create_timeline_events(vals_list)

    @api.model
    def _stamp_compliance(self, vals_list):
        """Add to each call of ``vals_list`` what the rules said when it was
        made (when the queue offered it, else when it is written)."""
        Member = self.env["call.campaign.member"].sudo()
        calls = [
            vals
            for vals in vals_list
            if vals.get("kind") in CALL_KINDS and vals.get("member_id")
        ]
        if not calls:
            return
        members = Member.browse({vals["member_id"] for vals in calls})
        profiles = members.campaign_id._compliance_profiles()
        if not profiles:
            return
        offers = self.env.cr.cache.get(OFFERS_KEY, {})
        now = fields.Datetime.now()
        by_time = defaultdict(list)
        for vals in calls:
            member = members.browse(vals["member_id"])
            # the reservation the operation writing this call just ended
            offered, until = offers.pop(member.id, (None, None))
            if offered and until < now:
                offered = None
            if not offered and member.reserved_until and member.reserved_until >= now:
                offered = member._offered_date()
            # the queue's offer, else when the call is written: a reporter's
            # own dates (a dial date, a past end) do not move the check
            at = offered or now
            vals["compliance_offered"] = bool(offered)
            by_time[at.replace(microsecond=0)].append(vals)
        for at, group in by_time.items():
            group_members = members.browse({vals["member_id"] for vals in group})
            failures = group_members._compliance_failures(at)
            consents = group_members._compliance_consents(at)
            for vals in group:
                member = members.browse(vals["member_id"])
                vals.update(member._compliance_stamp(profiles, at, consents))
                # the checks in the queue's order
                failed = failures.get(member.id, [])
                vals["compliance_violation"] = " ".join(failed) or False
