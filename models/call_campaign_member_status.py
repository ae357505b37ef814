"""The status service: the one way a member's status changes (``set_status``
for callers, ``_set_status`` for the add-on's own operations), its checks,
follow-up dates and the do-not-call consequences."""

from collections import defaultdict
from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from .call_status import DATED_BEHAVIORS, FINAL_BEHAVIORS, MANUAL_OUTCOMES, OUTCOMES
from .public_method import (
    AmountArg,
    ChoiceArg,
    DatetimeArg,
    RecordArg,
    TextArg,
    bad_argument,
    call_error,
    public_method,
)

# a follow-up date this much in the past is still "now" (form latency)
PAST_TOLERANCE = timedelta(minutes=5)
# follow-up dates outside this range are typing errors (and overflow dates)
MIN_DATE = datetime(2000, 1, 1)
MAX_DATE = datetime(2999, 12, 31)


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    @api.returns("call.interaction")
    @public_method(
        status=RecordArg("call.status", required=True),
        next_call_date=DatetimeArg(),
        reason=RecordArg("call.status.reason"),
        note=TextArg(),
    )
    def set_status(self, status, next_call_date=None, reason=None, note=None):
        """Change the status of these members: the one service every status
        change goes through. Returns the interactions written (ids over RPC)."""
        if not self:
            raise UserError(self.env._("Choose the members whose status changes."))
        return self._set_status(status, next_call_date, reason=reason, note=note)

    @api.returns("call.interaction")
    @public_method(
        status=RecordArg("call.status"),
        next_call_date=DatetimeArg(),
        reason=RecordArg("call.status.reason"),
        note=TextArg(),
        stage=RecordArg("call.campaign.stage"),
        outcome=ChoiceArg(
            [o for o in OUTCOMES if o[0] in MANUAL_OUTCOMES], required=False
        ),
        expected_revenue=AmountArg(),
    )
    def log_call(
        self,
        status=None,
        next_call_date=None,
        reason=None,
        note=None,
        stage=None,
        outcome=None,
        expected_revenue=0,
    ):
        """The call an agent made, as the call screen's *Save* logs it (and
        RPC callers, with the same history): the result (``status``, with
        its date, reason and note) or how it did not reach (``outcome``),
        the stage and the revenue estimate. One *Call logged* event (or the
        outcome's), the attempt counted, the attempt caps applied; all or
        nothing. Returns the interactions written (ids over RPC)."""
        if not self:
            raise bad_argument(self.env._("Choose the member whose call you log."))
        if not outcome and not status:
            raise bad_argument(
                self.env._("Choose the result of the call, or how it did not reach.")
            )
        if outcome and status:
            raise bad_argument(
                self.env._(
                    "Choose either the result of the call or how it did not reach, "
                    "not both."
                )
            )
        with self.env.cr.savepoint():
            if stage and stage != self.stage_id:
                self.write({"stage_id": stage.id})
            if expected_revenue and not outcome:
                self.write({"expected_revenue": expected_revenue})
            if outcome:
                return self._register_call_outcome(outcome, note=note)
            # the call a dialer handed over: its result is linked to it, and
            # its attempt counted once (the dialer's report may come first)
            calls = self._calls_awaiting_result()
            interactions = self._set_status(
                status,
                next_call_date,
                reason=reason,
                note=note,
                kind="call",
                member_vals={mid: {"call_id": call.id} for mid, call in calls.items()},
            )
            reported = self.browse(
                [mid for mid, call in calls.items() if call.state == "ended"]
            )
            (self - reported)._register_contact()
            # wrap-up: from the hang-up to the result
            now = fields.Datetime.now()
            for member_id in reported.ids:
                call = calls[member_id]
                call.wrapup_seconds = max(0, int((now - call.end_date).total_seconds()))
            interactions |= self._apply_attempt_caps()
        return interactions

    def _set_status(
        self,
        status,
        next_call_date,
        reason=None,
        note=None,
        kind="status_change",
        extra_vals=None,
        member_vals=None,
        system=False,
        assign_to=None,
        cascade=True,
    ):
        """Check, update the members, write the history. ``system`` is set by
        automatic callers (dialer, crons): they may use hidden statuses, their
        dates are moved into calling hours instead of refused, a status the
        campaign does not offer is accepted (do-not-call set elsewhere), and
        the campaign's callback limits do not apply (the status and its date
        come from the configuration, and the call reported happened).
        ``extra_vals`` go on every interaction, ``member_vals`` (by member id)
        on each one's. A “My record” status assigns the members to
        ``assign_to``, else to the agent who sets it when they work in the
        campaigns. ``cascade``: a do-not-call status also closes the contact's
        other memberships."""
        if not self:
            return self.env["call.interaction"]
        reason = reason or self.env["call.status.reason"]
        date = (
            fields.Datetime.to_datetime(next_call_date).replace(microsecond=0)
            if next_call_date
            else None
        )
        self._check_status_change(status, date, reason, system=system)
        dates = self._get_follow_up_dates(status, date, strict=not system)
        vals = {
            "status_id": status.id,
            "status_date": fields.Datetime.now(),
            "reserved_user_id": False,
            "reserved_until": False,
            "result_pending": False,
        }
        if status.behavior == "my_record":
            owner = self.env["res.users"]
            if assign_to:
                owner = assign_to
            elif not system and all(
                self.env.user in campaign.agent_ids for campaign in self.campaign_id
            ):
                owner = self.env.user
            if owner:
                vals["user_id"] = owner.id
            if not system:
                # the campaign's callback limits, before anything is written
                self._check_callback_dates(dates)
                self.filtered("active")._check_callback_count(owner)
        previous = {m.id: m.status_id for m in self}
        # the result of the agent's own call: wrap-up, then ready
        wrapping = (
            not system
            and not self.env.su
            and self.filtered(lambda m: m.reserved_user_id == self.env.user)
        )
        by_date = defaultdict(list)
        for member in self:
            by_date[dates[member.id]].append(member.id)
        for follow_up, member_ids in by_date.items():
            self.browse(member_ids)._write_workflow(
                dict(vals, next_call_date=follow_up or False)
            )
        self._sync_call_activities()
        interactions = self.env["call.interaction"]._create_timeline_events(
            [
                member._prepare_interaction_vals(
                    kind,
                    status_id=status.id,
                    previous_status_id=previous[member.id].id,
                    reason_id=reason.id,
                    note=note or False,
                    next_call_date=member.next_call_date,
                    **(extra_vals or {}),
                    **(member_vals or {}).get(member.id, {}),
                )
                for member in self
            ]
        )
        if status.behavior == "do_not_call":
            self._apply_do_not_call(status, note, cascade=cascade)
        if status.refusal:
            self.partner_id._mark_call_refused()
        if wrapping:
            self.env.user._set_call_agent_state(
                "wrap_up",
                wrapup_seconds=max(wrapping.campaign_id.mapped("wrapup_seconds")),
            )
        interactions |= self._run_status_actions(status)
        return interactions

    def _apply_do_not_call(self, status, note, cascade=True):
        """Do not call, everywhere at once: the numbers go on the phone
        blacklist and the contact's other open memberships close (every
        campaign, whoever works them), with history."""
        self._blacklist_numbers(note)
        if not cascade:
            return
        others = self.sudo().search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("id", "not in", self.ids),
                ("state", "in", ("queued", "scheduled")),
            ]
        )
        for campaign, members in others.grouped("campaign_id").items():
            own = campaign.status_ids.filtered(
                lambda s: s.behavior == "do_not_call" and s.active
            )[:1]
            members._set_status(
                own or status,
                None,
                note=self.env._(
                    "Do not call, set in the campaign “%s”.",
                    ", ".join(self.campaign_id.mapped("name")),
                ),
                system=True,
                cascade=False,
            )

    @api.model
    def _check_status_choice(self, campaign, status, who, has_lead, system=False):
        """May this status be given to a member of ``campaign``? Archived,
        hidden (kept for the system) and unoffered statuses are refused, and
        so is a lead status on a contact (and the reverse)."""
        if not status:
            raise UserError(self.env._("A status is required."))
        if not status.active:
            raise UserError(self.env._("The status “%s” is archived.", status.name))
        if status.hidden and not system and not self._may_use_hidden_statuses():
            raise UserError(
                self.env._(
                    "The status “%s” is kept for the system and cannot be chosen.",
                    status.name,
                )
            )
        if not system and status not in campaign.status_ids:
            raise UserError(
                self.env._(
                    "%(member)s: the status “%(status)s” is not offered by the "
                    "campaign “%(campaign)s”.",
                    member=who,
                    status=status.name,
                    campaign=campaign.name,
                )
            )
        if status.applies_to != "both" and has_lead != (status.applies_to == "lead"):
            target = (
                self.env._("leads")
                if status.applies_to == "lead"
                else self.env._("contacts")
            )
            raise UserError(
                self.env._(
                    "%(member)s: the status “%(status)s” applies to %(target)s only.",
                    member=who,
                    status=status.name,
                    target=target,
                )
            )

    @api.model
    def _may_use_hidden_statuses(self):
        """Hidden statuses and reopening: managers only (the system passes
        ``system=True``). Asked of the user, not of the environment: code that
        runs as superuser on a user's behalf (Forward) keeps the user's rights."""
        return self.env.user.has_group("call_campaign.group_call_manager")

    def _check_status_change(self, status, date, reason, system=False, offered=True):
        """Every rule a status change must pass, checked before anything is
        written. ``offered=False``: the members are about to move to another
        campaign (Forward), which checks the offer there."""
        done = self.campaign_id.filtered(lambda c: c.state == "done")
        if done and not system:
            raise UserError(
                self.env._(
                    "The campaign “%s” is done: its members' statuses no longer change.",
                    done[0].name,
                )
            )
        for campaign, members in self.grouped("campaign_id").items():
            for has_lead, group in members.grouped(lambda m: bool(m.lead_id)).items():
                self._check_status_choice(
                    campaign,
                    status,
                    group[0].display_name,
                    has_lead,
                    system=system or not offered,
                )
        if not system and not offered and status.hidden:
            if not self._may_use_hidden_statuses():
                raise UserError(
                    self.env._(
                        "The status “%s” is kept for the system and cannot be chosen.",
                        status.name,
                    )
                )
        if reason and reason.status_id != status:
            raise UserError(
                self.env._(
                    "The reason “%(reason)s” belongs to the status “%(other)s”, "
                    "not to “%(status)s”.",
                    reason=reason.name,
                    other=reason.status_id.name,
                    status=status.name,
                )
            )
        self._check_follow_up_date(status, date)
        if not self._may_use_hidden_statuses() and not system:
            final = self.filtered(lambda m: m.status_id.behavior in FINAL_BEHAVIORS)
            if final:
                raise call_error(
                    self.env._(
                        "%(member)s is %(state)s: only a call manager can reopen it.",
                        member=final[0].display_name,
                        state=final[0]._state_label(),
                    ),
                    final[0].state,
                )
        if not system:
            self._check_reservations()
        if status.behavior not in FINAL_BEHAVIORS:
            self.partner_id._check_call_allowed(except_members=self)

    def _check_reservations(self):
        """A member Next call gave a colleague is that colleague's live call
        until the reservation ends: another agent's status change, Log a
        Call or Forward is refused; a manager's goes through (its history
        names the manager)."""
        now = fields.Datetime.now()
        held = self.filtered(
            lambda m: (
                m.reserved_user_id
                and m.reserved_user_id != self.env.user
                and m.reserved_until
                and m.reserved_until > now
            )
        )
        if held and not self._may_use_hidden_statuses():
            raise call_error(
                self.env._(
                    "%(agent)s is calling %(member)s until %(time)s.",
                    agent=held[0].reserved_user_id.name,
                    member=held[0].display_name,
                    time=format_datetime(
                        self.env, held[0].reserved_until, dt_format="HH:mm"
                    ),
                ),
                "reserved_by_other",
            )

    @api.model
    def _check_follow_up_date(self, status, date):
        """The date rules of a status change (and of a member created with a
        status): plausible, not in the past, only for dated statuses, given
        when the status requires one."""
        if date:
            if not MIN_DATE <= date <= MAX_DATE:
                raise UserError(
                    self.env._(
                        "The follow-up date %s is not a plausible date.",
                        format_datetime(self.env, date),
                    )
                )
            if status.behavior not in DATED_BEHAVIORS:
                raise UserError(
                    self.env._(
                        "The status “%s” takes no follow-up date: remove the date.",
                        status.name,
                    )
                )
            if date < fields.Datetime.now() - PAST_TOLERANCE:
                raise UserError(
                    self.env._(
                        "The follow-up date %s is in the past.",
                        format_datetime(self.env, date),
                    )
                )
        elif status.date_required:
            raise UserError(
                self.env._("The status “%s” requires a follow-up date.", status.name)
            )

    def _blacklist_numbers(self, note=None):
        numbers = set()
        for partner in self.partner_id:
            for fname in ("mobile", "phone"):
                if partner[fname]:
                    numbers.add(partner._phone_format(fname=fname) or partner[fname])
        if numbers:
            self.env["phone.blacklist"].sudo()._add(
                sorted(numbers),
                message=note or self.env._("Do not call (call campaign)."),
            )

    def _get_call_tz(self):
        """The customer's time zone, else the campaign's, else the company's."""
        self.ensure_one()
        return (
            self.partner_id.tz
            or self.campaign_id.tz
            or self.campaign_id.company_id.partner_id.tz
            or "UTC"
        )

    def _get_follow_up_dates(self, status, date, strict=True):
        """Follow-up date of each member for this status: the agent's date,
        which must fall in calling hours (moved instead when not ``strict``),
        or now + the status delay moved to the next calling opening. One
        calendar read per campaign and time zone."""
        if status.behavior not in DATED_BEHAVIORS or not (date or status.delay_days):
            return dict.fromkeys(self.ids, False)
        base = date or fields.Datetime.now() + timedelta(days=status.delay_days)
        dates = {}
        groups = defaultdict(list)
        for member in self:
            groups[member.campaign_id, member._get_call_tz()].append(member.id)
        for (campaign, tz), member_ids in groups.items():
            slot = campaign._next_calling_slot(base, tz)
            if date and strict and slot != date:
                local = pytz.utc.localize(slot).astimezone(pytz.timezone(tz))
                raise UserError(
                    self.env._(
                        "%(member)s: %(date)s is outside the calling hours of the campaign "
                        "“%(campaign)s” for this customer (%(tz)s). Next allowed time: "
                        "%(next)s.",
                        member=self.browse(member_ids[0]).display_name,
                        date=pytz.utc.localize(date)
                        .astimezone(pytz.timezone(tz))
                        .strftime("%Y-%m-%d %H:%M"),
                        campaign=campaign.name,
                        tz=tz,
                        next=local.strftime("%Y-%m-%d %H:%M"),
                    )
                )
            dates.update(dict.fromkeys(member_ids, slot))
        return dates
