"""The dialer API of the member: the number to dial next, and the call
outcomes a dialer (or an agent) reports — once per call id, late ones
included, one at a time or a shift's file at once."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from .call_status import FINAL_BEHAVIORS, OUTCOMES
from .public_method import (
    ChoiceArg,
    DatetimeArg,
    IntArg,
    RecordArg,
    TextArg,
    UrlArg,
    bad_argument,
    call_error,
    error_key,
    public_method,
)

# longest call a dialer may report, in seconds (a day)
MAX_CALL_DURATION = 86400
# longest call id and recording link accepted
MAX_CALL_UID = 128
MAX_URL = 2000
# call records a bulk upload takes at once
MAX_REPORTS = 10000
# what one report of a bulk upload may carry
REPORT_KEYS = {
    "member_id",
    "outcome",
    "duration",
    "ring_seconds",
    "number",
    "call_uid",
    "note",
    "recording_url",
    "date",
}


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    call_ids = fields.One2many("call.campaign.call", "member_id", string="Calls")

    @api.model
    @public_method(
        campaign_ids=RecordArg("call.campaign", many=True),
        agent_id=RecordArg("res.users"),
    )
    def next_number_for_agent(self, campaign_ids=None, agent_id=None):
        """``next_for_agent`` for a dialer: the member reserved and the number
        to dial (the first good number of the contact in the campaign's
        order). ``{'member_id', 'partner_id', 'number', 'number_label'}``,
        all False when nobody is due.

        ``agent_id`` (users of the Call Dialer group and managers): the
        member is that agent's next, reserved to them; an agent who is not
        ready gets nothing (``not_ready``)."""
        agent = self.env["res.users"]._call_agent_of(agent_id)
        if agent != self.env.user:
            agent._check_call_agent_ready()
        # a dialer dialling for itself: no agent waits
        agentless = agent == self.env.user and agent.has_group(
            "call_campaign.group_call_dialer"
        )
        member = (
            self.with_user(agent)
            ._next_for_agent(campaign_ids, agentless=agentless)
            .with_env(self.env)
        )
        return {
            "member_id": member.id or False,
            "partner_id": member.partner_id.id or False,
            "number": member.dial_number or False,
            "number_label": member.dial_number_label or False,
        }

    @public_method(
        one=True,
        agent_id=RecordArg("res.users", required=True),
        call_uid=TextArg(max_length=MAX_CALL_UID),
    )
    def hand_over(self, agent_id, call_uid=None):
        """A dialer hands an answered call on this member (reserved to the
        dialer, or to nobody) to a ready agent of its campaign: reserved to
        the agent, the call linked to them, a *Connected to* event, no
        status change; the agent is on a call. Returns ``{'member_id',
        'agent_id', 'reserved_until', 'interaction_id'}``."""
        agent = self.env["res.users"]._call_agent_of(agent_id)
        if agent == self.env.user:
            raise bad_argument(self.env._("Hand the call over to another agent."))
        self.check_access("write")
        self.campaign_id._check_agents(agent)
        agent._check_call_agent_ready()
        now = fields.Datetime.now()
        if (
            self.reserved_user_id not in (self.env.user, agent)
            and self.reserved_user_id
            and self.reserved_until
            and self.reserved_until > now
        ):
            raise call_error(
                self.env._(
                    "%(agent)s is calling %(member)s.",
                    agent=self.reserved_user_id.name,
                    member=self.display_name,
                ),
                "reserved_by_other",
            )
        if self.behavior in FINAL_BEHAVIORS:
            raise call_error(
                self.env._(
                    "%s is closed: its call cannot be handed over.", self.display_name
                ),
                self.state,
            )
        call = self._known_call(call_uid)
        if call_uid and not call:
            call = (
                self.env["call.campaign.call"]
                .sudo()
                .create({"call_uid": call_uid, "member_id": self.id, "dial_date": now})
            )
        if call and call.member_id != self:
            raise call_error(
                self.env._("The call %s is about another member.", call_uid), "conflict"
            )
        until = now + timedelta(minutes=self.campaign_id.reservation_minutes)
        self._write_workflow({"reserved_user_id": agent.id, "reserved_until": until})
        if call:
            call.sudo().write(
                {"user_id": agent.id, "state": "answered", "answer_date": now}
            )
        event = self._create_history(
            "connected",
            to_user_id=agent.id,
            call_id=call.id or False,
            previous_status_id=False,
        )
        agent._set_call_agent_state("on_call")
        self.env["call.campaign"]._wallboard_changed()
        self._push_call_screen(agent)
        self._push_campaign_calls({self.id: call.id}, "answered", agent)
        return {
            "member_id": self.id,
            "agent_id": agent.id,
            "reserved_until": fields.Datetime.to_string(until),
            "interaction_id": event.id,
        }

    @api.model
    @api.readonly
    @public_method()
    def get_reservations(self):
        """What the caller holds now (a restarted dialer finds its work
        again): ``[{'member_id', 'partner_id', 'campaign_id', 'number',
        'reserved_until'}]``."""
        members = self.search(
            [
                ("reserved_user_id", "=", self.env.uid),
                ("reserved_until", ">", fields.Datetime.now()),
            ],
            order="reserved_until",
        )
        return [
            {
                "member_id": member.id,
                "partner_id": member.partner_id.id,
                "campaign_id": member.campaign_id.id,
                "number": member.dial_number or False,
                "reserved_until": fields.Datetime.to_string(member.reserved_until),
            }
            for member in members
        ]

    @public_method(
        outcome=ChoiceArg(OUTCOMES),
        duration=IntArg(0, MAX_CALL_DURATION),
        note=TextArg(),
        number=TextArg(),
        call_uid=TextArg(max_length=MAX_CALL_UID),
        recording_url=UrlArg(max_length=MAX_URL),
        ring_seconds=IntArg(0, MAX_CALL_DURATION),
    )
    def register_call_outcome(
        self,
        outcome,
        duration=0,
        note=None,
        number=None,
        call_uid=None,
        recording_url=None,
        ring_seconds=0,
    ):
        """A dialer reports a call on these members: the attempt is counted
        and, unless answered, the campaign's automatic status for the outcome
        applies with its retry rules, then its attempt cap. Returns the
        interaction ids.

        ``duration``: talk seconds (from the answer to the hang-up);
        ``ring_seconds``: from dialling to the answer or hang-up, never in
        handle time (for an unanswered call a ``duration`` is ring time).
        ``call_uid``: the dialer's id of the call (one member): the same
        report sent again returns the same ids and writes nothing; another
        outcome for it is refused (``conflict``). A report that arrives
        after the agent's result (a closed or do-not-call member, a status
        set after the call) is recorded — history, attempt, durations —
        without reopening or rescheduling the member. An answered call never
        exhausts a member.

        ``number``: the number dialled, one of the contact's (default: the
        member's ``dial_number``); ``invalid_number`` marks it wrong for every
        campaign.

        Agents report for the members reserved or assigned to them; users of
        the Call Dialer group and managers for any member they can see."""
        if not self:
            raise bad_argument(
                self.env._("Choose the members the call outcome is about.")
            )
        if call_uid and len(self) != 1:
            raise bad_argument(
                self.env._("A call id names one call: report it for one member.")
            )
        return self._register_call_outcome(
            outcome,
            duration,
            note=note,
            number=number,
            call_uid=call_uid,
            recording_url=recording_url,
            ring_seconds=ring_seconds,
        ).ids

    @api.model
    @public_method()
    def register_call_outcomes(self, reports):
        """A dialer's call records at once (an end-of-shift file): a list of
        dicts with ``member_id``, ``outcome`` and optionally ``duration``,
        ``ring_seconds``, ``number``, ``call_uid``, ``note``,
        ``recording_url``, ``date`` (when the call ended, UTC). Each is
        applied all or nothing in its own savepoint, as
        ``register_call_outcome`` would. Returns one dict per report:
        ``{'call_uid', 'ok': True, 'interaction_ids'}`` or ``{'call_uid',
        'ok': False, 'error', 'key'}``."""
        if not isinstance(reports, (list, tuple)) or len(reports) > MAX_REPORTS:
            raise bad_argument(
                self.env._(
                    "The reports must be a list of at most %s call records.",
                    MAX_REPORTS,
                )
            )
        results = []
        for report in reports:
            uid = report.get("call_uid") if isinstance(report, dict) else None
            result = {"call_uid": uid if isinstance(uid, str) else False}
            try:
                with self.env.cr.savepoint():
                    ids = self._register_report(report)
                result.update(ok=True, interaction_ids=ids)
            except AccessError as error:
                result.update(ok=False, error=str(error)[:300], key="not_yours")
            except MissingError as error:
                result.update(ok=False, error=str(error)[:300], key="missing")
            except (UserError, ValidationError) as error:
                result.update(
                    ok=False, error=str(error)[:300], key=error_key(error) or "refused"
                )
            results.append(result)
        self.env.invalidate_all()
        return results

    @api.model
    def _register_report(self, report):
        """One report of ``register_call_outcomes``, checked like the
        arguments of ``register_call_outcome``."""
        if not isinstance(report, dict) or set(report) - REPORT_KEYS:
            raise bad_argument(
                self.env._(
                    "A call record is a dictionary of %s.",
                    ", ".join(sorted(REPORT_KEYS)),
                )
            )
        member = RecordArg(self._name, required=True).convert(
            self.env, "member_id", report.get("member_id")
        )
        date = DatetimeArg().convert(self.env, "date", report.get("date"))
        if date and date > fields.Datetime.now() + timedelta(minutes=5):
            raise bad_argument(
                self.env._("The argument “date” is in the future: %s.", date)
            )
        return member._checked_report(report, date)

    def _checked_report(self, report, date):
        values = {
            "outcome": ChoiceArg(OUTCOMES).convert(
                self.env, "outcome", report.get("outcome")
            ),
            "duration": IntArg(0, MAX_CALL_DURATION).convert(
                self.env, "duration", report.get("duration")
            ),
            "ring_seconds": IntArg(0, MAX_CALL_DURATION).convert(
                self.env, "ring_seconds", report.get("ring_seconds")
            ),
            "note": TextArg().convert(self.env, "note", report.get("note")),
            "number": TextArg().convert(self.env, "number", report.get("number")),
            "call_uid": TextArg(max_length=MAX_CALL_UID).convert(
                self.env, "call_uid", report.get("call_uid")
            ),
            "recording_url": UrlArg(max_length=MAX_URL).convert(
                self.env, "recording_url", report.get("recording_url")
            ),
        }
        return self._register_call_outcome(**values, date=date).ids

    def _register_call_outcome(
        self,
        outcome,
        duration=0,
        note=None,
        number=None,
        call_uid=None,
        recording_url=None,
        ring_seconds=0,
        date=None,
    ):
        """``register_call_outcome`` once its arguments are checked; ``date``:
        when the call ended (a late record), now by default."""
        known = self._known_call(call_uid)
        if known and known.state == "ended":
            if known.member_id != self or known.outcome != outcome:
                raise call_error(
                    self.env._(
                        "The call %(call)s was already reported as “%(outcome)s” "
                        "for %(member)s.",
                        call=call_uid,
                        outcome=dict(OUTCOMES)[known.outcome],
                        member=known.member_id.display_name,
                    ),
                    "conflict",
                )
            self.check_access("read")
            return known.sudo()._report_interactions()
        # when the call began, where it is known (the report's end date, or
        # the call record a reservation or a hand-over opened)
        began = date or known.dial_date
        date = date or fields.Datetime.now()
        late = self.filtered(
            lambda m: (
                m.behavior in FINAL_BEHAVIORS
                or (began and m.status_date and m.status_date > began)
            )
        )
        self._check_outcome_allowed(late)
        dialled = self._dialled_numbers(number)
        answered = outcome == "answered"
        talk = duration if answered else 0
        ring = ring_seconds or (0 if answered else duration)
        calls = self._record_calls(
            known,
            call_uid,
            outcome,
            dialled,
            date,
            talk=talk,
            ring=ring,
            recording_url=recording_url,
        )
        # the agent's result of this call already counted its attempt
        if not (known and "call" in known.interaction_ids.mapped("kind")):
            self._register_contact(date, reached=answered)
        if outcome == "dropped":
            self._write_workflow({"last_dropped_date": date})
        call_vals = {"outcome": outcome, "duration": talk}
        member_vals = {
            member.id: {"phone_number": dialled[member.id], "call_id": calls[member.id]}
            for member in self
        }
        live = self - late
        interactions = self.env["call.interaction"]
        plain = late
        todo = live
        if outcome == "invalid_number":
            no_number = live._register_wrong_number(dialled, date)
            for campaign, members in no_number.grouped("campaign_id").items():
                if not campaign.invalid_number_status_id:
                    continue
                interactions |= members._set_status(
                    campaign.invalid_number_status_id,
                    None,
                    note=note or self.env._("No good number left."),
                    kind="outcome",
                    extra_vals=call_vals,
                    member_vals=member_vals,
                    system=True,
                )
                todo -= members
        for campaign, members in todo.grouped("campaign_id").items():
            status = not answered and campaign._outcome_status(outcome)
            if not status:
                plain |= members
                continue
            exhausted = members.filtered(
                lambda m, st=status: (
                    st.max_attempts and m.attempt_count >= st.max_attempts
                )
            )
            if exhausted:
                interactions |= exhausted._set_status(
                    status.exhausted_status_id,
                    None,
                    note=note,
                    kind="outcome",
                    extra_vals=call_vals,
                    member_vals=member_vals,
                    system=True,
                )
            retry = members - exhausted
            if retry:
                retry_date = fields.Datetime.now() + timedelta(
                    minutes=status.retry_delay
                )
                interactions |= retry._set_status(
                    status,
                    retry_date if status.retry_delay else None,
                    note=note,
                    kind="outcome",
                    extra_vals=call_vals,
                    member_vals=member_vals,
                    system=True,
                )
        if not answered:
            # an attempt that did not reach leaves nobody holding the member
            (plain - late)._write_workflow(
                {"reserved_user_id": False, "reserved_until": False}
            )
        interactions |= self.env["call.interaction"]._create_timeline_events(
            [
                member._prepare_interaction_vals(
                    "outcome",
                    note=(
                        note or self.env._("Reported after the result.")
                        if member in late
                        else note or False
                    ),
                    previous_status_id=False,
                    **call_vals,
                    **member_vals[member.id],
                )
                for member in plain
            ]
        )
        if not answered:
            # caps stop the dialling; a customer who picked up is not closed
            interactions |= live._apply_attempt_caps(
                {mid: {"call_id": calls[mid]} for mid in live.ids}
            )
        else:
            # the customer is on the line: the agent's screen opens on them
            for member in live.filtered(
                lambda m: m.reserved_user_id and m.reserved_user_id != self.env.user
            ):
                member._push_call_screen(member.reserved_user_id)
        self._push_my_day()
        self._push_campaign_calls(calls, outcome)
        if outcome in ("answered", "dropped"):
            self.campaign_id._check_abandon_limit()
        self.env["call.campaign"]._wallboard_changed()
        return interactions.sorted("id")

    def _push_call_screen(self, agent):
        """Open this member's call screen in ``agent``'s browser (Odoo's bus,
        the agent's own channel): an answered call pops up."""
        self.ensure_one()
        action = self.with_user(agent)._action_open_next_call()
        agent._bus_send("call_campaign/call", {"member_id": self.id, "action": action})

    def _push_campaign_calls(self, calls, outcome, agent=None):
        """The campaigns' followers (dialers, supervisors) hear of each call."""
        for member in self:
            member.campaign_id._bus_send(
                "call_campaign/call_update",
                {
                    "member_id": member.id,
                    "call_id": calls.get(member.id) or False,
                    "outcome": outcome or False,
                    "agent_id": (agent or member.reserved_user_id).id or False,
                },
            )

    def _push_my_day(self):
        """The agents whose members changed: their My day counts again."""
        agents = self.user_id | self.reserved_user_id
        for agent in agents.filtered(lambda a: not a.share):
            agent._bus_send("call_campaign/my_day", {"member_ids": self.ids})

    @api.model
    def _known_call(self, call_uid):
        """The call record of ``call_uid`` in the members' company."""
        if not call_uid:
            return self.env["call.campaign.call"]
        return (
            self.env["call.campaign.call"]
            .sudo()
            .search(
                [
                    ("call_uid", "=", call_uid),
                    ("company_id", "in", self.campaign_id.company_id.ids),
                ],
                limit=1,
            )
        )

    def _record_calls(
        self, known, call_uid, outcome, dialled, date, talk, ring, recording_url
    ):
        """The ended call record of each member (the known one completed):
        ``{member id: call id}``."""
        user = self.env.user
        agent_reports = not (self.env.su or user._call_acts_for_agents())
        answered = outcome == "answered"
        Call = self.env["call.campaign.call"].sudo()
        vals_list = []
        for member in self:
            vals = {
                "member_id": member.id,
                "user_id": (user.id if agent_reports else member.reserved_user_id.id)
                or False,
                "number": dialled.get(member.id) or False,
                "state": "ended",
                "outcome": outcome,
                "dial_date": date - timedelta(seconds=talk + ring),
                "answer_date": date - timedelta(seconds=talk) if answered else False,
                "end_date": date,
                "ring_seconds": ring,
                "talk_seconds": talk,
                "recording_url": recording_url or False,
            }
            if call_uid:
                vals["call_uid"] = call_uid
            vals_list.append(vals)
        if known:
            # what the hand-over saw live is kept
            vals = dict(
                vals_list[0],
                user_id=known.user_id.id or vals_list[0]["user_id"],
                answer_date=known.answer_date or vals_list[0]["answer_date"],
            )
            known.write(vals)
            return {self.id: known.id}
        calls = Call.create(vals_list)
        return {call.member_id.id: call.id for call in calls}

    def _calls_awaiting_result(self):
        """The answered call each member's result is about: the newest call
        the caller took (handed over, or reported answered) and still hold,
        with no result logged yet and nothing else on the member since. A
        call before a skip or a release is another call. ``{member id:
        call}``."""
        now = fields.Datetime.now()
        held = self.filtered(
            lambda m: (
                m.reserved_user_id == self.env.user
                and m.reserved_until
                and m.reserved_until > now
            )
        )
        if not held:
            return {}
        calls = (
            self.env["call.campaign.call"]
            .sudo()
            .search(
                [
                    ("member_id", "in", held.ids),
                    ("user_id", "=", self.env.uid),
                    ("answer_date", "!=", False),
                ],
                order="answer_date desc, id desc",
            )
        )
        # the member's newest event is the call's: nothing (a skip, a
        # release, a status) came between the call and its result
        newest = dict(
            self.env["call.interaction"]
            .sudo()
            ._read_group([("member_id", "in", held.ids)], ["member_id"], ["id:max"])
        )
        awaiting, seen = {}, set()
        for call in calls:
            member = call.member_id
            if member.id in seen:
                continue
            seen.add(member.id)
            events = call.interaction_ids
            if newest.get(member) in events.ids and "call" not in events.mapped("kind"):
                awaiting[member.id] = call
        return awaiting

    def _check_outcome_allowed(self, late):
        """Who may report a call, and on which members (``late``: the result
        was logged before the report arrived)."""
        self.check_access("write")
        stopped = self.campaign_id.filtered(lambda c: c.state != "running")
        if stopped:
            raise call_error(
                self.env._(
                    "The campaign “%s” is not running: no call outcome can be recorded.",
                    stopped[0].name,
                ),
                "not_running",
            )
        user = self.env.user
        if self.env.su or user._call_acts_for_agents():
            return
        now = fields.Datetime.now()
        foreign = self.filtered(
            lambda m: (
                m.user_id != user
                and not (
                    m.reserved_user_id == user
                    and m.reserved_until
                    and m.reserved_until >= now
                )
            )
        )
        # the result of a late record was the reporter's own (its newest
        # event only: never the whole history of the member)
        Interaction = self.env["call.interaction"].sudo()
        foreign -= (foreign & late).filtered(
            lambda m: (
                Interaction.search([("member_id", "=", m.id)], limit=1).user_id == user
            )
        )
        if foreign:
            raise call_error(
                self.env._(
                    "%s is neither reserved nor assigned to you: report calls of your "
                    "own members (Next Call gives you one).",
                    foreign[0].display_name,
                ),
                "not_yours",
            )
