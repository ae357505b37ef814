"""The campaign's figures: counts of its members (from the counters the
database maintains, ``call_campaign_counter``), the revenue of their
opportunities, and the list penetration and health snapshot."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .call_interaction import CALL_KINDS
from .public_method import public_method

_logger = logging.getLogger(__name__)

# the list penetration and health figures (a snapshot, see _refresh_health)
HEALTH_FIELDS = [
    "attempted_count",
    "attempt_total",
    "reached_count",
    "exhausted_count",
    "penetration_rate",
    "attempts_per_reach",
    "callable_now_count",
    "callable_today_count",
    "average_handle_time",
    "agent_hours_left",
]
# what the counters sum for the campaign figures
FIGURE_KEYS = ("members", "contacted", "success", "undated_due")


class CallCampaign(models.Model):
    _inherit = "call.campaign"

    member_count = fields.Integer(
        "Number of Members",
        compute="_compute_figures",
        help="Members of the campaign, in every state (archived ones aside).",
    )
    to_call_today_count = fields.Integer(
        "To Call Today",
        compute="_compute_figures",
        help="Open members due before the end of your day (one without a "
        "follow-up date is due now), whoever may call them: calling hours and "
        "caps may still hold some back.",
    )
    overdue_count = fields.Integer(
        "Overdue",
        compute="_compute_figures",
        help="Open members whose follow-up date has passed.",
    )
    contacted_count = fields.Integer(
        "Contacted",
        compute="_compute_figures",
        help="Members with at least one call logged, answered or not.",
    )
    success_count = fields.Integer(
        "Successes",
        compute="_compute_figures",
        help="Contacted members whose status is a success, however they got it "
        "(a status may be set without an answered call: Successes can exceed "
        "Reached).",
    )
    success_rate = fields.Float(
        "Success Rate (%)",
        compute="_compute_figures",
        digits=(16, 1),
        help="Members whose status is a success, out of the contacted ones.",
    )
    queued_count = fields.Integer(
        "Queued",
        compute="_compute_figures",
        help="Members waiting in the queue without a follow-up date.",
    )
    stage_member_counts = fields.Json(
        "Members per Stage",
        compute="_compute_figures",
        help='Active members per stage id ("0": no stage).',
    )
    scheduled_count = fields.Integer(
        "Scheduled",
        compute="_compute_figures",
        help="Members to call again at their follow-up date.",
    )
    closed_count = fields.Integer(
        "Closed",
        compute="_compute_figures",
        help="Members whose status ends their calls (not called any more).",
    )
    do_not_call_count = fields.Integer(
        "Do Not Call",
        compute="_compute_figures",
        help="Members who asked not to be called: their numbers are blacklisted.",
    )
    add_progress = fields.Char(
        "Members Being Added",
        compute="_compute_add_progress",
        help="A filter's contacts or leads being added in the background.",
    )
    interaction_count = fields.Integer(
        "History Events",
        compute="_compute_interaction_count",
        help="Events of the campaign's history (calls, statuses, forwards...).",
    )
    # what the campaign's calls earned: its members' opportunities
    opportunity_count = fields.Integer(
        "Opportunities",
        compute="_compute_revenue",
        help="Opportunities of the campaign's members (open, won or lost).",
    )
    pipeline_amount = fields.Monetary(
        "Pipeline",
        compute="_compute_revenue",
        currency_field="currency_id",
        help="Expected revenue of the members' open opportunities.",
    )
    won_amount = fields.Monetary(
        "Won Revenue",
        compute="_compute_revenue",
        currency_field="currency_id",
        help="Expected revenue of the members' won opportunities.",
    )
    won_count = fields.Integer(
        "Won",
        compute="_compute_revenue",
        help="Won opportunities of the campaign's members.",
    )
    conversion_rate = fields.Float(
        "Conversion (%)",
        compute="_compute_revenue",
        digits=(16, 1),
        help="Won opportunities out of all the members' opportunities.",
    )
    # list penetration and campaign health: a snapshot refreshed by a cron
    # and on demand (counting a million members takes seconds, a form opens
    # in milliseconds)
    health_date = fields.Datetime(
        "Figures As Of",
        readonly=True,
        copy=False,
        help="When the figures below were counted.",
    )
    attempted_count = fields.Integer(
        "Attempted",
        readonly=True,
        copy=False,
        help="Members called at least once (an attempt: a call logged or a dialer "
        "outcome).",
    )
    attempt_total = fields.Integer(
        "Attempts", readonly=True, copy=False, help="Call attempts made in all."
    )
    reached_count = fields.Integer(
        "Reached",
        readonly=True,
        copy=False,
        help="Members who answered a call at least once (a call logged as "
        "reached, or a dialer's answered call).",
    )
    exhausted_count = fields.Integer(
        "Exhausted",
        readonly=True,
        copy=False,
        help="Members closed after their attempts ran out.",
    )
    penetration_rate = fields.Float(
        "Penetration (%)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        help="Attempted members out of all members, in percent.",
    )
    attempts_per_reach = fields.Float(
        "Attempts per Reached",
        readonly=True,
        copy=False,
        digits=(16, 1),
        help="Average attempts of the members reached.",
    )
    callable_now_count = fields.Integer(
        "Callable Now",
        readonly=True,
        copy=False,
        help="Members Next Call can give one of the agents now (every check of "
        "the queue but who asks).",
    )
    callable_today_count = fields.Integer(
        "Callable Today",
        readonly=True,
        copy=False,
        help="Open members due before the end of today, with a good number and "
        "attempts left.",
    )
    average_handle_time = fields.Float(
        "Average Handle Time (min)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        help="Average duration of the campaign's calls with a duration.",
    )
    agent_hours_left = fields.Float(
        readonly=True,
        copy=False,
        digits=(16, 2),
        help="Estimate: open members × average attempts per attempted member "
        "(at least one) × average handle time.",
    )

    def _compute_figures(self):
        """All figures of a batch of campaigns, and their members per stage:
        the counts from the counters the database keeps (no grouping of the
        members), what is due today or overdue from the due members only."""
        figures, by_stage, due = {}, {}, {}
        # a form being edited (a new record of the campaign) shows its figures
        ids = [cid for cid in self._origin.ids if cid]
        if ids:
            for campaign_id, rows in (
                self.env["call.campaign.counter"]._counts(ids).items()
            ):
                totals = figures.setdefault(campaign_id, dict.fromkeys(FIGURE_KEYS, 0))
                stages = by_stage.setdefault(campaign_id, {})
                for stage_id, state, contacted, dated, success, count in rows:
                    totals["members"] += count
                    totals[state] = totals.get(state, 0) + count
                    totals["contacted"] += count if contacted else 0
                    totals["success"] += count if contacted and success else 0
                    # due today without a date: the queue itself
                    if not dated and state in ("queued", "scheduled"):
                        totals["undated_due"] += count
                    key = str(stage_id or 0)
                    stages[key] = stages.get(key, 0) + count
            due = self._due_counts(ids)
        for campaign in self:
            counts = figures.get(campaign._origin.id, dict.fromkeys(FIGURE_KEYS, 0))
            dated_today, overdue = due.get(campaign._origin.id, (0, 0))
            today = counts["undated_due"] + dated_today
            contacted, success = counts["contacted"], counts["success"]
            campaign.queued_count = counts.get("queued", 0)
            campaign.scheduled_count = counts.get("scheduled", 0)
            campaign.closed_count = counts.get("closed", 0)
            campaign.do_not_call_count = counts.get("do_not_call", 0)
            campaign.member_count = counts["members"]
            campaign.to_call_today_count = today
            campaign.overdue_count = overdue
            campaign.contacted_count = contacted
            campaign.success_count = success
            campaign.success_rate = 100.0 * success / contacted if contacted else 0.0
            campaign.stage_member_counts = {
                key: count
                for key, count in by_stage.get(campaign._origin.id, {}).items()
                if count
            }

    def _due_counts(self, ids):
        """``{campaign id: (dated and due today, overdue)}``, reading the
        members with a follow-up date before tomorrow only (its index); the
        undated due are counted by the counters. "Due today" is
        ``_due_domain("today")``: the undated plus these."""
        Member = self.env["call.campaign.member"].sudo().with_context(active_test=False)
        Member.flush_model(["campaign_id", "state", "next_call_date", "active"])
        now = fields.Datetime.now()
        tomorrow = Member._user_midnight(now, days=1)
        overdue = Member._where_calc(Member._due_domain("overdue", now)).where_clause
        self.env.cr.execute(
            SQL(
                """SELECT call_campaign_member.campaign_id, count(*),
                          count(*) FILTER (WHERE %(overdue)s)
                     FROM call_campaign_member
                    WHERE call_campaign_member.campaign_id IN %(ids)s
                      AND call_campaign_member.active
                      AND call_campaign_member.state IN ('queued', 'scheduled')
                      AND call_campaign_member.next_call_date < %(tomorrow)s
                 GROUP BY call_campaign_member.campaign_id""",
                overdue=overdue,
                tomorrow=tomorrow,
                ids=tuple(ids),
            )
        )
        return {cid: (t, o) for cid, t, o in self.env.cr.fetchall()}

    def _compute_revenue(self):
        """The members' opportunities, summed for the batch in one query
        (over the few members that have one: ``call_campaign_member_revenue_idx``)."""
        totals = {}
        ids = tuple(self.filtered("id").ids)
        if ids:
            self.env["call.campaign.member"].flush_model(
                ["campaign_id", "active", "lead_outcome", "lead_revenue"]
            )
            self.env.cr.execute(
                """SELECT campaign_id, count(*),
                          count(*) FILTER (WHERE lead_outcome = 'won'),
                          COALESCE(sum(lead_revenue) FILTER (WHERE lead_outcome = 'open'), 0),
                          COALESCE(sum(lead_won_revenue), 0)
                     FROM call_campaign_member
                    WHERE campaign_id IN %s AND active AND lead_outcome IS NOT NULL
                 GROUP BY campaign_id""",
                [ids],
            )
            totals = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for campaign in self:
            count, won, pipeline, won_amount = totals.get(campaign.id, (0, 0, 0.0, 0.0))
            campaign.opportunity_count = count
            campaign.won_count = won
            campaign.pipeline_amount = pipeline
            campaign.won_amount = won_amount
            campaign.conversion_rate = 100.0 * won / count if count else 0.0

    @public_method(one=True)
    def action_view_revenue(self):
        """The members' opportunities by agent and status (pivot, graph)."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action_revenue"
        ) | {
            "domain": [("campaign_id", "=", self.id), ("lead_outcome", "!=", False)],
            "context": {"default_campaign_id": self.id},
            "name": self.env._("Revenue: %s", self.name),
        }

    @public_method()
    def action_refresh_health(self):
        """Count the list penetration and health figures of these campaigns
        now (the dashboard's Refresh; a cron does it every quarter of an
        hour). Returns the figures, one dict per campaign."""
        if not self:
            raise UserError(self.env._("Choose the campaigns to count."))
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise UserError(
                self.env._("Only a call manager can count the campaign figures now.")
            )
        self.check_access("read")
        self._refresh_health()
        return self.read(HEALTH_FIELDS + ["health_date"])

    def _compute_add_progress(self):
        requests = (
            self.env["call.campaign.add.request"]
            .sudo()
            .search([("campaign_id", "in", self.ids), ("state", "!=", "done")])
        )
        by_campaign = requests.grouped("campaign_id")
        for campaign in self:
            mine = by_campaign.get(campaign._origin)
            campaign.add_progress = (
                self.env._(
                    "Adding members in the background: %(done)s of %(total)s "
                    "processed.",
                    done=sum(mine.mapped("done_count")),
                    total=sum(mine.mapped("total")),
                )
                if mine
                else False
            )

    def _count_first_members(self):
        """A campaign's health figures from its first members on: those of
        these campaigns never counted are counted now (the cron keeps them
        current afterwards)."""
        uncounted = self.filtered(lambda campaign: not campaign.health_date)
        if uncounted:
            uncounted.sudo()._refresh_health()

    @api.model
    def _cron_refresh_health(self):
        """The running campaigns' health figures, one campaign per commit."""
        self.env["call.campaign.member"]._cron_check_transaction()
        campaigns = self.search([("state", "=", "running")])
        Member = self.env["call.campaign.member"]
        for done, campaign in enumerate(campaigns, start=1):
            try:
                with self.env.cr.savepoint():
                    campaign._refresh_health()
            except UserError as error:
                # calling hours without an opening: the other campaigns go on
                _logger.warning(
                    "Health figures of campaign %s not counted: %s", campaign.id, error
                )
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(campaigns) - done
            )
            Member._cron_commit()
        return campaigns.ids

    def _refresh_health(self):
        """List penetration and health, counted in three queries for the
        whole batch: the members' attempts and reaches, the members callable
        now and today (the queue's own checks, ``_queue_callable_checks``),
        the average handle time. Written on the campaigns as a snapshot."""
        Member = self.env["call.campaign.member"]
        now = fields.Datetime.now()
        self.env.flush_all()
        ids = tuple(self.ids)
        self.env.cr.execute(
            """SELECT m.campaign_id,
                      count(*) FILTER (WHERE m.attempt_count > 0),
                      count(*) FILTER (WHERE m.reached_date IS NOT NULL),
                      count(*) FILTER (
                          WHERE m.status_id = c.exhausted_status_id
                             OR m.status_id IN (SELECT exhausted_status_id FROM call_status
                                                 WHERE exhausted_status_id IS NOT NULL)),
                      COALESCE(sum(m.attempt_count) FILTER (
                          WHERE m.reached_date IS NOT NULL), 0),
                      COALESCE(sum(m.attempt_count), 0),
                      count(*),
                      count(*) FILTER (WHERE m.state IN ('queued', 'scheduled'))
                 FROM call_campaign_member m
                 JOIN call_campaign c ON c.id = m.campaign_id
                WHERE m.campaign_id IN %s AND m.active
             GROUP BY m.campaign_id""",
            [ids],
        )
        members = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        callable_counts = {}
        running = self.filtered(lambda c: c.state == "running" and c.active)
        if running:
            open_pairs = running._calling_open_pairs(now)
            checks = Member._queue_callable_checks(running, now, open_pairs)
            end_of_day = Member._user_midnight(now, days=1)
            today = [
                condition
                for key, condition in checks
                if key in ("archived", "campaign", "closed", "no_number", "agent")
            ] + [
                SQL("(m.next_call_date IS NULL OR m.next_call_date < %s)", end_of_day),
                SQL(
                    "(m.behavior = 'my_record' OR COALESCE(c.max_attempts_total, 0) = 0 "
                    "OR COALESCE(m.attempt_count, 0) < c.max_attempts_total)"
                ),
            ]
            self.env.cr.execute(
                SQL(
                    """SELECT m.campaign_id,
                              count(*) FILTER (WHERE %s),
                              count(*) FILTER (WHERE %s)
                         FROM call_campaign_member m %s
                        WHERE m.campaign_id IN %s AND m.active
                          AND m.state IN ('queued', 'scheduled')
                     GROUP BY m.campaign_id""",
                    SQL(" AND ").join(condition for _key, condition in checks),
                    SQL(" AND ").join(today),
                    Member._queue_joins(True),
                    tuple(running.ids),
                )
            )
            callable_counts = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            """SELECT campaign_id, avg(duration) FROM call_interaction
                WHERE campaign_id IN %s AND kind IN %s AND duration > 0
             GROUP BY campaign_id""",
            [ids, CALL_KINDS],
        )
        handle = dict(self.env.cr.fetchall())
        rows = []
        for campaign in self:
            (
                attempted,
                reached,
                exhausted,
                reached_attempts,
                attempts,
                total,
                open_count,
            ) = members.get(campaign.id, (0,) * 7)
            now_count, today_count = callable_counts.get(campaign.id, (0, 0))
            seconds = float(handle.get(campaign.id) or 0.0)
            attempts_each = attempts / attempted if attempted else 1.0
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    campaign.id,
                    attempted,
                    attempts,
                    reached,
                    exhausted,
                    100.0 * attempted / total if total else 0.0,
                    reached_attempts / reached if reached else 0.0,
                    now_count,
                    today_count,
                    seconds / 60,
                    open_count * max(attempts_each, 1.0) * seconds / 3600,
                )
            )
        # a snapshot of counts, not a user's change: one statement for the
        # batch, no tracking, no write date
        self.env.cr.execute(
            SQL(
                """UPDATE call_campaign c
                      SET health_date = %s, attempted_count = v.attempted,
                          attempt_total = v.attempts, reached_count = v.reached,
                          exhausted_count = v.exhausted, penetration_rate = v.rate,
                          attempts_per_reach = v.per_reach,
                          callable_now_count = v.callable_now,
                          callable_today_count = v.callable_today,
                          average_handle_time = v.handle, agent_hours_left = v.hours
                     FROM (VALUES %s) AS v(id, attempted, attempts, reached, exhausted,
                                           rate, per_reach, callable_now, callable_today,
                                           handle, hours)
                    WHERE c.id = v.id""",
                now,
                SQL(", ").join(rows),
            )
        )
        self.invalidate_recordset([*HEALTH_FIELDS, "health_date"])

    def _compute_interaction_count(self):
        counts = dict(
            self.env["call.interaction"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.interaction_count = counts.get(campaign, 0)
