from datetime import datetime

import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL


class CallAgentDay(models.Model):
    """An agent's day, counted by the database from the agent state log and
    the call records (an SQL view): logged in, ready, talk, wrap-up and pause
    time, calls, occupancy. A period counts on the day it began, in the
    agent's time zone. One definition for the report, My day and the
    wallboard."""

    _name = "call.agent.day"
    _description = "Agent Time per Day"
    _auto = False
    _order = "day desc, user_id"
    _rec_name = "day"

    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    day = fields.Date(readonly=True)
    logged_in_hours = fields.Float("Logged In (h)", readonly=True)
    ready_hours = fields.Float("Ready (h)", readonly=True)
    talk_hours = fields.Float("Talk (h)", readonly=True)
    wrapup_hours = fields.Float("Wrap-up (h)", readonly=True)
    pause_hours = fields.Float("Pause (h)", readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    answered_count = fields.Integer("Answered", readonly=True)
    occupancy = fields.Float(
        "Occupancy (%)",
        readonly=True,
        aggregator="avg",
        help="(Talk + wrap-up) ÷ (logged in − pause).",
    )
    calls_per_hour = fields.Float(
        "Calls per Hour",
        readonly=True,
        aggregator="avg",
        help="Calls ÷ (logged in − pause) hours.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS (
                WITH periods AS (
                    SELECT l.user_id, l.state,
                           (l.start AT TIME ZONE 'UTC'
                                    AT TIME ZONE COALESCE(p.tz, 'UTC'))::date AS day,
                           EXTRACT(EPOCH FROM (
                               CASE WHEN l."end" IS NOT NULL THEN l."end"
                                    WHEN l.state = 'wrap_up'
                                         AND u.call_wrapup_until IS NOT NULL
                                    THEN LEAST(u.call_wrapup_until,
                                               now() AT TIME ZONE 'UTC')
                                    ELSE now() AT TIME ZONE 'UTC' END - l.start)) AS seconds
                      FROM call_agent_state_log l
                      JOIN res_users u ON u.id = l.user_id
                      JOIN res_partner p ON p.id = u.partner_id
                ), states AS (
                    SELECT user_id, day,
                           sum(seconds) FILTER (WHERE state != 'offline') AS logged_in,
                           sum(seconds) FILTER (WHERE state = 'ready') AS ready,
                           sum(seconds) FILTER (WHERE state = 'wrap_up') AS wrapup,
                           sum(seconds) FILTER (WHERE state = 'paused') AS pause
                      FROM periods GROUP BY user_id, day
                ), calls AS (
                    SELECT c.user_id,
                           (c.dial_date AT TIME ZONE 'UTC'
                                        AT TIME ZONE COALESCE(p.tz, 'UTC'))::date AS day,
                           count(*) AS calls,
                           count(*) FILTER (WHERE c.outcome = 'answered') AS answered,
                           sum(c.talk_seconds) AS talk
                      FROM call_campaign_call c
                      JOIN res_users u ON u.id = c.user_id
                      JOIN res_partner p ON p.id = u.partner_id
                     WHERE c.dial_date IS NOT NULL
                     GROUP BY c.user_id, 2
                ), days AS (
                    SELECT COALESCE(s.user_id, c.user_id) AS user_id,
                           COALESCE(s.day, c.day) AS day,
                           COALESCE(s.logged_in, 0) AS logged_in,
                           COALESCE(s.ready, 0) AS ready,
                           COALESCE(s.wrapup, 0) AS wrapup,
                           COALESCE(s.pause, 0) AS pause,
                           COALESCE(c.talk, 0) AS talk,
                           COALESCE(c.calls, 0) AS calls,
                           COALESCE(c.answered, 0) AS answered
                      FROM states s
                      FULL JOIN calls c ON c.user_id = s.user_id AND c.day = s.day
                )
                SELECT row_number() OVER (ORDER BY day, user_id) AS id,
                       user_id, day,
                       logged_in / 3600.0 AS logged_in_hours,
                       ready / 3600.0 AS ready_hours,
                       talk / 3600.0 AS talk_hours,
                       wrapup / 3600.0 AS wrapup_hours,
                       pause / 3600.0 AS pause_hours,
                       calls AS call_count,
                       answered AS answered_count,
                       CASE WHEN logged_in - pause > 0
                            THEN LEAST(100.0, 100.0 * (talk + wrapup) / (logged_in - pause))
                            ELSE 0 END AS occupancy,
                       CASE WHEN logged_in - pause > 0
                            THEN calls * 3600.0 / (logged_in - pause)
                            ELSE 0 END AS calls_per_hour
                  FROM days
            )""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _today_of(self, agents):
        """Each agent's own day today: ``{user id: date}``."""
        now = datetime.now(pytz.utc)
        return {
            agent.id: now.astimezone(pytz.timezone(agent.tz or "UTC")).date()
            for agent in agents
        }

    @api.model
    def _today_rows(self, agents):
        """Each agent's row of their today (those who have one): ``{user id:
        row}``, one query."""
        today = self._today_of(agents)
        # a view over the log and the calls: this transaction's changes first
        self.env.flush_all()
        rows = self.search(
            [("user_id", "in", agents.ids), ("day", "in", list(set(today.values())))]
        )
        return {row.user_id.id: row for row in rows if row.day == today[row.user_id.id]}

    @api.model
    def _occupancy(self, agents):
        return {uid: row.occupancy for uid, row in self._today_rows(agents).items()}
