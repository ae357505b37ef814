"""Agent states: offline, ready, on a call, wrapping up, paused (with a
reason). The app drives them (Next Call puts the agent on a call, a logged
result into wrap-up, then ready); a dialer reads them and serves ready
agents only; every change is a row of the state log."""

from datetime import timedelta

from odoo import api, fields, models

from .public_method import ChoiceArg, RecordArg, call_error, public_method

AGENT_STATES = [
    ("offline", "Offline"),
    ("ready", "Ready"),
    ("on_call", "On a call"),
    ("wrap_up", "Wrap-up"),
    ("paused", "Paused"),
]


class CallPauseReason(models.Model):
    """Why an agent pauses (break, lunch, training...), and for how long at
    most."""

    _name = "call.pause.reason"
    _description = "Agent Pause Reason"
    _inherit = ["call.guard.mixin"]
    _order = "sequence, id"
    _call_user_write_fields = frozenset({"name", "sequence", "active", "max_minutes"})

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    max_minutes = fields.Integer(
        "Maximum (minutes)", help="A pause longer than this shows on the wallboard."
    )

    _sql_constraints = [
        (
            "max_minutes_positive",
            "CHECK(max_minutes >= 0)",
            "A pause's maximum cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)


class CallAgentStateLog(models.Model):
    """One period of an agent in one state: what agent-time reports read."""

    _name = "call.agent.state.log"
    _description = "Agent State Log"
    _inherit = ["call.guard.mixin"]
    _order = "start desc, id desc"

    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True)
    state = fields.Selection(AGENT_STATES, required=True, readonly=True)
    reason_id = fields.Many2one("call.pause.reason", readonly=True)
    start = fields.Datetime(required=True, index=True, readonly=True)
    end = fields.Datetime(readonly=True)
    duration_hours = fields.Float(
        "Duration (h)",
        compute="_compute_duration_hours",
        store=True,
        help="Of a closed period (pause by reason, time in each state).",
    )

    @api.depends("start", "end")
    def _compute_duration_hours(self):
        for log in self:
            log.duration_hours = (
                (log.end - log.start).total_seconds() / 3600
                if log.start and log.end
                else 0.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)


class ResUsers(models.Model):
    _inherit = "res.users"

    call_agent_state = fields.Selection(
        AGENT_STATES,
        string="Agent State",
        default="offline",
        readonly=True,
        help="Set by the app (Next Call, a logged result, the pause button) "
        "and by the dialer; read it with get_call_agent_state().",
    )
    call_agent_state_date = fields.Datetime("In State Since", readonly=True)
    call_pause_reason_id = fields.Many2one(
        "call.pause.reason", string="Pause Reason", readonly=True
    )
    call_wrapup_until = fields.Datetime("Wrap-up Until", readonly=True)

    @api.model
    @public_method(
        state=ChoiceArg(AGENT_STATES),
        reason_id=RecordArg("call.pause.reason"),
        agent_id=RecordArg("res.users"),
    )
    def set_call_agent_state(self, state, reason_id=None, agent_id=None):
        """The caller's state (``agent_id``: users of the Call Dialer group
        and managers set an agent's). ``paused`` takes a ``reason_id``.
        Returns what ``get_call_agent_state`` returns."""
        agent = self._call_agent_of(agent_id)
        if state == "wrap_up":
            raise call_error(
                self.env._("Wrap-up follows a logged result: it is not set by hand."),
                "bad_argument",
            )
        agent._set_call_agent_state(state, reason_id if state == "paused" else None)
        return agent._call_agent_state_dict()

    @api.model
    @api.readonly
    @public_method(agent_id=RecordArg("res.users"))
    def get_call_agent_state(self, agent_id=None):
        """``{'user_id', 'state', 'since', 'reason_id'}`` of the caller (or,
        for dialers and managers, of ``agent_id``)."""
        return self._call_agent_of(agent_id)._call_agent_state_dict()

    @api.model
    def _call_agent_of(self, agent):
        """The agent a call is about: the caller, or the one a dialer or a
        manager names (an agent of the call campaigns)."""
        user = self.env.user
        if not agent or agent == user:
            return user
        if not user._call_acts_for_agents():
            raise call_error(
                self.env._("Only a dialer or a call manager acts for another agent."),
                "not_dialer",
            )
        if not agent.has_group("call_campaign.group_call_agent"):
            raise call_error(
                self.env._("%s is not a call agent.", agent.name), "bad_argument"
            )
        return agent

    def _call_acts_for_agents(self):
        """Dialers and call managers act for agents: they name the agent,
        report any member's calls and follow campaigns."""
        self.ensure_one()
        return self.has_group("call_campaign.group_call_dialer") or self.has_group(
            "call_campaign.group_call_manager"
        )

    def _check_call_agent_ready(self):
        """A dialer serves ready agents only."""
        self.ensure_one()
        state = self._call_agent_state_now()
        if state != "ready":
            raise call_error(
                self.env._(
                    "%(agent)s is not ready (%(state)s): the dialer gives them no call.",
                    agent=self.name,
                    state=dict(
                        self._fields["call_agent_state"]._description_selection(
                            self.env
                        )
                    )[state],
                ),
                "not_ready",
            )

    def _call_agent_state_now(self):
        """The state, a wrap-up that has run out being ready."""
        self.ensure_one()
        state = self.sudo().call_agent_state or "offline"
        until = self.sudo().call_wrapup_until
        if state == "wrap_up" and until and until <= fields.Datetime.now():
            return "ready"
        return state

    def _call_agent_state_dict(self):
        self.ensure_one()
        agent = self.sudo()
        state = self._call_agent_state_now()
        return {
            "user_id": agent.id,
            "state": state,
            "since": fields.Datetime.to_string(
                agent.call_wrapup_until
                if state == "ready" and agent.call_agent_state == "wrap_up"
                else agent.call_agent_state_date
            )
            or False,
            "reason_id": agent.call_pause_reason_id.id if state == "paused" else False,
        }

    def _set_call_agent_state(self, state, reason=None, wrapup_seconds=0):
        """Move these agents to ``state`` (the log closes the period before)
        — the one way the state changes."""
        now = fields.Datetime.now()
        agents = self.sudo()
        changed = agents.filtered(
            lambda a: (
                a._call_agent_state_now() != state
                or (state == "paused" and a.call_pause_reason_id != reason)
                or state == "wrap_up"
            )
        )
        if not changed:
            return
        self.env["call.campaign"]._wallboard_changed()
        Log = self.env["call.agent.state.log"].sudo()
        open_logs = Log.search([("user_id", "in", changed.ids), ("end", "=", False)])
        # a wrap-up that ran out was ready time from its end on
        ran_out = changed.filtered(
            lambda a: (
                a.call_agent_state == "wrap_up"
                and a.call_wrapup_until
                and a.call_wrapup_until <= now
            )
        )
        for log in open_logs:
            log.write(
                {
                    "end": log.user_id.call_wrapup_until
                    if log.user_id in ran_out
                    else now
                }
            )
        Log.create(
            [
                {
                    "user_id": agent.id,
                    "state": "ready",
                    "start": agent.call_wrapup_until,
                    "end": now,
                }
                for agent in ran_out
            ]
            + [
                {
                    "user_id": agent.id,
                    "state": state,
                    "reason_id": reason.id if reason else False,
                    "start": now,
                }
                for agent in changed
            ]
        )
        for agent in changed:
            agent._bus_send("call_campaign/agent_state", {"state": state})
        changed.write(
            {
                "call_agent_state": state,
                "call_agent_state_date": now,
                "call_pause_reason_id": reason.id if reason else False,
                "call_wrapup_until": now + timedelta(seconds=wrapup_seconds)
                if state == "wrap_up"
                else False,
            }
        )
