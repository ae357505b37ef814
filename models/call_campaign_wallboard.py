"""The supervisor's wallboard: one snapshot of the floor per tick, pushed over
Odoo's bus to every open wallboard of a company at once.

A change (an agent's state, a call reported, handed over or reserved)
triggers the *push the wallboard* job (``ir.cron._trigger``, as mail does for
its queue); its run computes the snapshot once for all the changes since the
last run and all the viewers, and sends it on the company's channel. Opening
the wallboard reads the same snapshot (``get_wallboard``)."""

import logging
import threading
import time
from datetime import datetime, timedelta
from datetime import time as day_time

import pytz

from odoo import api, fields, models

from .public_method import call_error, public_method

WALLBOARD_CHANNEL_PREFIX = "call_campaign.wallboard_"
WALLBOARD_SUBCHANNEL = "call_campaign_wallboard"
AGENT_STATE_KEYS = ("ready", "on_call", "wrap_up", "paused")
# seconds between two ticks of the wallboard at most (a screen read by
# people: the changes of a second are pushed together, within the two
# seconds the floor allows)
WALLBOARD_TICK = 1.0
# the last tick of each database, in this process (the cron worker's)
_last_tick = {}
# the last snapshot sent per (database, company), and the ticks since the
# last whole one: a tick sends what changed, every 30th the whole floor
_last_snapshot = {}
WALLBOARD_FULL_TICKS = 30
_logger = logging.getLogger(__name__)


class CallCampaign(models.Model):
    _inherit = "call.campaign"

    @api.model
    def _wallboard_changed(self):
        """Something on the floor changed: the wallboard job runs (once for
        this transaction, however many changes it made)."""
        data = self.env.cr.precommit.data
        if data.get("call_campaign.wallboard_triggered"):
            return
        data["call_campaign.wallboard_triggered"] = True
        self.env.ref("call_campaign.ir_cron_push_wallboard").sudo()._trigger()

    @api.model
    def _cron_push_wallboard(self):
        """A tick: one snapshot per company with call campaigns, sent on its
        channel, whatever the number of open wallboards. At most one tick a
        second (``WALLBOARD_TICK``): the changes of that second make one
        snapshot, taken in a transaction of its own once the wait is over
        (the job's would show the floor as it was when the job started)."""
        self.env["call.campaign.member"]._cron_check_transaction()
        if self.env.registry.in_test_mode() or getattr(
            threading.current_thread(), "testing", False
        ):
            # a test owns its transaction: no wait, no transaction of ours
            self._push_wallboards()
            return
        dbname = self.env.cr.dbname
        wait = _last_tick.get(dbname, 0.0) + WALLBOARD_TICK - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        start = time.perf_counter()
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr))._push_wallboards()
        _last_tick[dbname] = time.monotonic()
        _logger.debug("Wallboard tick in %.3fs", time.perf_counter() - start)

    @api.model
    def _push_wallboards(self):
        """Each company's snapshot, sent as what changed since the last tick
        this process sent (the bus sends a message to every viewer: a tick
        of a few changed agents is a small one), whole every
        ``WALLBOARD_FULL_TICKS`` ticks and after a restart."""
        dbname = self.env.cr.dbname
        for (company,) in self.sudo()._read_group([], ["company_id"]):
            snapshot = self.sudo().with_company(company)._wallboard_snapshot(company)
            key = (dbname, company.id)
            previous, ticks = _last_snapshot.get(key, (None, 0))
            if previous is None or ticks >= WALLBOARD_FULL_TICKS:
                message, ticks = snapshot, 0
            else:
                message = self._wallboard_delta(previous, snapshot)
            _last_snapshot[key] = (snapshot, ticks + 1)
            self.env["bus.bus"]._sendone(
                (company, WALLBOARD_SUBCHANNEL), "call_campaign/wallboard", message
            )

    @api.model
    def _wallboard_delta(self, previous, snapshot):
        """The rows of ``snapshot`` that differ from ``previous`` (agents by
        user id; the few campaigns whole)."""
        before = {row["user_id"]: row for row in previous["agents"]}
        now = {row["user_id"] for row in snapshot["agents"]}
        return {
            "company_id": snapshot["company_id"],
            "date": snapshot["date"],
            "delta": True,
            "agents": [
                row for row in snapshot["agents"] if before.get(row["user_id"]) != row
            ],
            "removed": [user_id for user_id in before if user_id not in now],
            "campaigns": snapshot["campaigns"],
        }

    @api.model
    @api.readonly
    @public_method()
    def get_wallboard(self):
        """What the wallboard shows (call managers), for the user's current
        company: ``{'company_id', 'agents': [{'user_id', 'name', 'state', 'since',
        'reason_id', 'reason', 'max_minutes', 'member_id', 'partner', 'campaign_id',
        'calls_today', 'talk_seconds_today', 'occupancy'}], 'campaigns':
        [{'id', 'name', 'state', 'ready', 'on_call', 'wrap_up', 'paused', 'dialing',
        'answered_now', 'answered_today', 'dropped_today', 'abandon_rate_24h',
        'abandon_rate_30d', 'max_abandon_rate', 'abandon_warning',
        'abandon_over', 'callable_now', 'average_handle_seconds',
        'penetration_rate'}], 'date'}`` — the snapshot the company's open
        wallboards are pushed on every change."""
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise call_error(
                self.env._("Only a call manager sees the wallboard."), "not_manager"
            )
        return self.sudo()._wallboard_snapshot(self.env.company)

    @api.model
    def _wallboard_day_start(self, company):
        """Midnight (UTC) of the company's day: “today” on its wallboard."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        local = datetime.now(pytz.utc).astimezone(tz).date()
        start = tz.localize(datetime.combine(local, day_time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _wallboard_snapshot(self, company):
        """The floor of ``company`` now, in a bounded number of queries
        (about a dozen, whatever the number of agents and campaigns)."""
        now = fields.Datetime.now()
        day_start = self._wallboard_day_start(company)
        Users = self.env["res.users"]
        dialers = self.env.ref("call_campaign.group_call_dialer").users
        agents = (
            Users.search(
                [
                    (
                        "groups_id",
                        "in",
                        self.env.ref("call_campaign.group_call_agent").id,
                    ),
                    ("share", "=", False),
                    ("company_ids", "in", company.ids),
                ]
            )
            - dialers
        )
        campaigns = self.search(
            [
                ("company_id", "in", company.ids),
                ("state", "in", ("running", "paused")),
            ]
        )
        Member = self.env["call.campaign.member"]
        # the customer each agent holds now (one per agent: their newest)
        held = dict(
            Member._read_group(
                [
                    ("reserved_user_id", "in", agents.ids),
                    ("reserved_until", ">", now),
                ],
                ["reserved_user_id"],
                ["id:max"],
            )
        )
        current = {
            member.reserved_user_id: member for member in Member.browse(held.values())
        }
        Call = self.env["call.campaign.call"]
        today = {
            user: (count, talk)
            for user, count, talk in Call._read_group(
                [("user_id", "in", agents.ids), ("dial_date", ">=", day_start)],
                ["user_id"],
                ["__count", "talk_seconds:sum"],
            )
        }
        occupancy = self.env["call.agent.day"]._occupancy(agents)
        agent_rows = []
        state_of = {}
        for agent in agents:
            state = agent._call_agent_state_now()
            state_of[agent] = state
            member = current.get(agent, Member)
            reason = agent.call_pause_reason_id if state == "paused" else False
            since = agent.call_agent_state_date
            agent_rows.append(
                {
                    "user_id": agent.id,
                    "name": agent.name,
                    "state": state,
                    "since": fields.Datetime.to_string(since) if since else False,
                    "reason_id": reason.id if reason else False,
                    "reason": reason.name if reason else False,
                    "max_minutes": reason.max_minutes if reason else 0,
                    "member_id": member.id or False,
                    "partner": member.partner_id.display_name or False,
                    "campaign_id": member.campaign_id.id or False,
                    "calls_today": today.get(agent, (0, 0))[0],
                    "talk_seconds_today": today.get(agent, (0, 0))[1] or 0,
                    "occupancy": occupancy.get(agent.id, 0.0),
                }
            )
        return {
            "company_id": company.id,
            "date": fields.Datetime.to_string(now),
            "agents": sorted(agent_rows, key=lambda row: (row["state"], row["name"])),
            "campaigns": campaigns._wallboard_campaign_rows(state_of, day_start, now),
        }

    def _wallboard_campaign_rows(self, state_of, day_start, now):
        """Each campaign's line of the wallboard (see ``get_wallboard``)."""
        if not self:
            return []
        Call = self.env["call.campaign.call"]
        live = {}
        for campaign, state, count in Call._read_group(
            [
                ("campaign_id", "in", self.ids),
                ("state", "in", ("dialing", "ringing", "answered")),
                ("dial_date", ">=", now - timedelta(hours=12)),
            ],
            ["campaign_id", "state"],
            ["__count"],
        ):
            live.setdefault(campaign, {})[state] = count
        day = {}
        for campaign, outcome, count, talk, wrapup in Call._read_group(
            [
                ("campaign_id", "in", self.ids),
                ("outcome", "in", ("answered", "dropped")),
                ("dial_date", ">=", day_start),
            ],
            ["campaign_id", "outcome"],
            ["__count", "talk_seconds:sum", "wrapup_seconds:sum"],
        ):
            day.setdefault(campaign, {})[outcome] = (count, talk, wrapup)
        rates = self._abandon_rates(now)
        rows = []
        for campaign in self:
            states = [state_of.get(agent) for agent in campaign.agent_ids]
            answered, talk, wrapup = day.get(campaign, {}).get("answered", (0, 0, 0))
            rate = rates[campaign.id]
            limit = campaign.max_abandon_rate
            worst = max(rate.values())
            rows.append(
                {
                    "id": campaign.id,
                    "name": campaign.name,
                    "state": campaign.state,
                    **{key: states.count(key) for key in AGENT_STATE_KEYS},
                    "dialing": live.get(campaign, {}).get("dialing", 0)
                    + live.get(campaign, {}).get("ringing", 0),
                    "answered_now": live.get(campaign, {}).get("answered", 0),
                    "answered_today": answered,
                    "dropped_today": day.get(campaign, {}).get("dropped", (0, 0, 0))[0],
                    **rate,
                    "max_abandon_rate": limit,
                    # colours: near the limit (80% of it), at or over it
                    "abandon_warning": bool(worst) and worst >= 0.8 * limit,
                    "abandon_over": bool(campaign.abandon_limit_date)
                    or bool(campaign._over_abandon_limit(rate) and worst),
                    "callable_now": campaign.callable_now_count,
                    "average_handle_seconds": round((talk + wrapup) / answered)
                    if answered
                    else 0,
                    "penetration_rate": campaign.penetration_rate,
                }
            )
        return rows
