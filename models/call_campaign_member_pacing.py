"""Pacing: how often a member is called (attempt caps; the contact-pressure
budget is the contact's, see ``res.partner``) and on which of its contact's
numbers (a wrong number is skipped, the next good one is dialled)."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from .call_status import FINAL_BEHAVIORS
from .local_day import local_midnight


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    day_attempt_count = fields.Integer(
        "Attempts Today",
        readonly=True,
        help="Call attempts in the customer's day of the last attempt.",
    )
    day_attempts_reset = fields.Datetime(
        "Attempts Today Until",
        readonly=True,
        help="The customer's midnight after the last attempt: the day's count "
        "starts again from there.",
    )
    reached_date = fields.Datetime(
        "First Reached",
        readonly=True,
        help="When the customer first answered a call of this campaign.",
    )
    dial_number = fields.Char(
        "Number to Dial",
        compute="_compute_dial_number",
        help="The first good number of the contact in the campaign's order: "
        "not marked wrong, not on the phone blacklist.",
    )
    dial_number_label = fields.Char("Number", compute="_compute_dial_number")

    @api.depends(
        "partner_id.call_number_ids.invalid",
        "partner_id.call_number_ids.number",
        "partner_id.call_number_ids.sequence",
        "campaign_id.number_order",
    )
    def _compute_dial_number(self):
        numbers = self._dial_numbers()
        sources = dict(
            self.env["call.contact.number"]
            ._fields["source"]
            ._description_selection(self.env)
        )
        for member in self:
            first = numbers.get(member._origin.id or member.id)
            first = first[:1] if first else first
            member.dial_number = first.number if first else False
            member.dial_number_label = (
                (first.label or sources.get(first.source)) if first else False
            )

    def _dial_numbers(self):
        """The good numbers of each member's contact, in dialling order (the
        campaign's order of phone and mobile, then the others): by member id.
        Two queries for the whole batch (the numbers, their blacklist)."""
        Number = self.env["call.contact.number"].sudo()
        members = self.filtered("partner_id")
        numbers = Number.search(
            [("partner_id", "in", members.partner_id.ids), ("invalid", "=", False)]
        )
        by_partner = numbers.filtered(lambda n: not n.blacklisted).grouped("partner_id")
        result = {}
        for member in members:
            first = (
                "mobile"
                if member.campaign_id.number_order != "phone_first"
                else "phone"
            )
            result[member._origin.id or member.id] = by_partner.get(
                member.partner_id, Number
            ).sorted(
                lambda n, f=first: (
                    n.source != f,
                    n.source == "other",
                    n.sequence,
                    n.id,
                )
            )
        return result

    def _dialled_numbers(self, number=None):
        """The number each member is being called on: ``number`` (reported
        by a dialer: one of the contact's numbers) or its number to dial."""
        if not number:
            return {member.id: member.dial_number or False for member in self}
        dialled = {}
        for member in self:
            sanitized = member.partner_id._phone_format(
                number=number, raise_exception=False
            )
            known = member.partner_id.sudo().call_number_ids.filtered(
                lambda n, s=sanitized: (
                    n.number == number or (s and n.number_sanitized == s)
                )
            )[:1]
            if not known:
                raise UserError(
                    self.env._(
                        "%(number)s is not a number of %(member)s.",
                        number=number,
                        member=member.display_name,
                    )
                )
            dialled[member.id] = known.number
        return dialled

    def _register_contact(self, date=None, reached=True):
        """A call attempt happened (a call logged or a dialer outcome: the
        interactions of ``CALL_KINDS``): the member's attempts, in total and
        in the customer's day, and when the customer was first reached
        (``reached``: someone answered). One write per group of equal
        values."""
        date = date or fields.Datetime.now()
        if reached:
            self.filtered(lambda m: not m.reached_date)._write_workflow(
                {"reached_date": date}
            )
        day_ends = {}
        groups = defaultdict(list)
        for member in self:
            tz = member._get_call_tz()
            if tz not in day_ends:
                day_ends[tz] = local_midnight(date, tz, days=1)
            same_day = member.day_attempts_reset and member.day_attempts_reset > date
            key = (
                member.attempt_count + 1,
                (member.day_attempt_count if same_day else 0) + 1,
                day_ends[tz],
            )
            groups[key].append(member.id)
        for (count, day_count, day_end), member_ids in groups.items():
            self.browse(member_ids)._write_workflow(
                {
                    "last_call_date": date,
                    "attempt_count": count,
                    "day_attempt_count": day_count,
                    "day_attempts_reset": day_end,
                }
            )

    def _apply_attempt_caps(self, member_vals=None):
        """Members that used up their campaign's attempts move to its
        exhausted status, with history (``member_vals``: by member id, on
        each one's event). A callback ("My record") an agent agreed with the
        customer is kept: it is a promise."""
        capped = self.filtered(
            lambda m: (
                m.active
                and m.campaign_id.max_attempts_total
                and m.attempt_count >= m.campaign_id.max_attempts_total
                and m.behavior not in FINAL_BEHAVIORS
                and m.behavior != "my_record"
            )
        )
        interactions = self.env["call.interaction"]
        for campaign, members in capped.grouped("campaign_id").items():
            interactions |= members._set_status(
                campaign.exhausted_status_id,
                None,
                note=self.env._(
                    "Maximum of %s call attempts reached.", campaign.max_attempts_total
                ),
                member_vals=member_vals,
                system=True,
            )
        return interactions

    def _register_wrong_number(self, dialled, date):
        """The numbers dialled (by member id) are wrong: marked so for every
        campaign. Returns the members left without a good number."""
        Number = self.env["call.contact.number"].sudo()
        wrong = Number
        for member in self:
            number = dialled.get(member.id)
            if number:
                wrong |= member.partner_id.sudo().call_number_ids.filtered(
                    lambda n, x=number: n.number == x
                )
        wrong._mark_invalid(date)
        left = self._dial_numbers()
        return self.filtered(lambda m: not left.get(m.id))
