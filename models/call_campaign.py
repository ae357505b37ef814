import logging
from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, ormcache, split_every
from odoo.tools.misc import clean_context

from odoo.addons.base.models.res_partner import _tz_get

from .call_interaction import CALL_KINDS
from .call_status import FINAL_BEHAVIORS
from .public_method import public_method

# how far ahead calling hours are searched for an opening
CALLING_HOURS_HORIZON_DAYS = 31
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
# members created at once when adding a filter's contacts
MEMBER_CREATE_BATCH = 1000
# what a (manager) user may set on a campaign: its configuration; the
# figures, the health snapshot, the audience's owner and its members (added
# by the add wizard, import or RPC on the member) are the add-on's
USER_FIELDS = frozenset(
    {
        "name",
        "sequence",
        "active",
        "color",
        "description",
        "company_id",
        "user_id",
        "team_id",
        "agent_ids",
        "date_start",
        "date_end",
        "state",
        "stage_ids",
        "status_ids",
        "local_status_ids",
        "default_status_id",
        "calling_calendar_id",
        "tz",
        "release_delay",
        "max_callbacks_per_agent",
        "max_callback_days",
        "reservation_minutes",
        "wrapup_seconds",
        "max_attempts_total",
        "max_attempts_per_day",
        "exhausted_status_id",
        "number_order",
        "status_action_ids",
        "invalid_number_status_id",
        "script",
        "audience_model",
        "audience_domain",
        "audience_exit",
        "audience_leave_status_id",
    }
)


class CallCampaign(models.Model):
    """A list of customers worked by a team of agents with a set of statuses."""

    _name = "call.campaign"
    _description = "Call Campaign"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "bus.listener.mixin",
        "call.guard.mixin",
    ]
    _check_company_auto = True
    _call_user_write_fields = USER_FIELDS
    _order = "sequence, id desc"

    def _default_status_ids(self):
        return self.env["call.status"].search(
            [("add_to_new_campaigns", "=", True), ("campaign_id", "=", False)]
        )

    def _default_stage_ids(self):
        return [
            Command.create({"name": name, "sequence": sequence, "fold": fold})
            for name, sequence, fold in self._default_stage_names()
        ]

    def _default_stage_names(self):
        # English here; every installed language gets its translation on create
        return [
            (self.env._("New"), 1, False),
            (self.env._("In progress"), 2, False),
            (self.env._("Done"), 3, True),
        ]

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        campaigns = super(CallCampaign, self.with_context(lang="en_US")).create(
            vals_list
        )
        self._translate_default_stages(campaigns.with_env(self.env).stage_ids)
        return campaigns.with_env(self.env)

    def _translate_default_stages(self, stages):
        """Default stage names in every installed language, as Odoo does for
        the translations of its data files."""
        english = {
            name: sequence
            for name, sequence, _fold in self.with_context(
                lang="en_US"
            )._default_stage_names()
        }
        defaults = stages.with_context(lang="en_US").filtered(
            lambda stage: stage.name in english
        )
        if not defaults:
            return
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for stage in defaults:
            source = stage.with_context(lang="en_US").name
            translations = {}
            for code in langs:
                names = self.with_context(lang=code)._default_stage_names()
                translations[code] = names[english[source] - 1][0]
            stage.update_field_translations("name", translations)

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Html()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        check_company=True,
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", tracking=True, check_company=True
    )
    agent_ids = fields.Many2many(
        "res.users",
        "call_campaign_agent_rel",
        "campaign_id",
        "user_id",
        string="Agents",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("call_campaign.group_call_agent").id)
        ],
        check_company=True,
    )
    date_start = fields.Date("Start Date")
    date_end = fields.Date("End Date")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("paused", "Paused"),
            ("done", "Done"),
        ],
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
    )
    stage_ids = fields.One2many(
        "call.campaign.stage",
        "campaign_id",
        string="Stages",
        copy=True,
        default=lambda self: self._default_stage_ids(),
    )
    status_ids = fields.Many2many(
        "call.status",
        "call_campaign_status_rel",
        "campaign_id",
        "status_id",
        string="Statuses",
        default=lambda self: self._default_status_ids(),
        domain="[('campaign_id', 'in', (False, id))]",
        help="Statuses agents may set in this campaign: reference-book ones and "
        "the campaign's own.",
        check_company=True,
    )
    local_status_ids = fields.One2many(
        "call.status",
        "campaign_id",
        string="Campaign Statuses",
        help="Statuses that exist only in this campaign.",
    )
    default_status_id = fields.Many2one(
        "call.status",
        domain="[('id', 'in', status_ids)]",
        help="Status given to new members.",
        check_company=True,
    )
    calling_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Calling Hours",
        help="Days and hours when customers may be called, read in the "
        "customer's time zone. Empty: any time.",
        check_company=True,
    )
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        help="Used for customers without a time zone; the company's when empty.",
    )
    release_delay = fields.Integer(
        "Release Delay (hours)",
        default=24,
        help="A “My record” callback left overdue longer than this goes back to the pool.",
    )
    max_callbacks_per_agent = fields.Integer(
        "Callbacks per Agent",
        required=True,
        default=0,
        help="Most pending “My record” callbacks an agent may hold in this campaign; "
        "a status or an assignment that would give them more is refused. 0: no limit.",
    )
    max_callback_days = fields.Integer(
        "Callback Horizon (days)",
        required=True,
        default=0,
        help="Furthest follow-up date of a “My record” callback, in days from now: "
        "a later date is refused. 0: no limit.",
    )
    wrapup_seconds = fields.Integer(
        "Wrap-up (seconds)",
        default=30,
        help="After logging a result the agent is in wrap-up this long, then "
        "ready for the dialer (Save & Next goes straight to the next call).",
    )
    reservation_minutes = fields.Integer(
        "Reservation (minutes)",
        default=15,
        help="How long a member given by “Next call” stays reserved to its agent.",
    )
    max_attempts_total = fields.Integer(
        "Max Attempts",
        help="Call attempts (calls logged and dialer outcomes) a member may get "
        "in this campaign; at the cap it moves to the exhausted status. "
        "A callback an agent agreed with the customer is kept. 0: no cap.",
    )
    max_attempts_per_day = fields.Integer(
        "Max Attempts per Day",
        help="Call attempts a member may get in one day (the customer's day): "
        "at the cap it is not offered again before the customer's midnight. "
        "0: no cap.",
    )
    exhausted_status_id = fields.Many2one(
        "call.status",
        default=lambda self: self.env.ref(
            "call_campaign.call_status_unreachable", raise_if_not_found=False
        ),
        domain="[('behavior', 'in', ('closed', 'do_not_call'))]",
        ondelete="restrict",
        help="Where a member goes when it reaches the maximum attempts.",
        check_company=True,
    )
    number_order = fields.Selection(
        [
            ("mobile_first", "Mobile, then phone"),
            ("phone_first", "Phone, then mobile"),
        ],
        string="Numbers Order",
        default="mobile_first",
        required=True,
        help="Which of the contact's numbers is dialled first; the contact's "
        "other numbers follow in their order. A wrong number is skipped.",
    )
    status_action_ids = fields.One2many(
        "call.campaign.status.action",
        "campaign_id",
        string="Own Status Actions",
        help="Statuses whose actions this campaign replaces with its own.",
    )
    has_status_action_overrides = fields.Boolean(
        compute="_compute_has_status_action_overrides", store=True
    )
    invalid_number_status_id = fields.Many2one(
        "call.status",
        string="No Good Number Status",
        default=lambda self: self.env.ref(
            "call_campaign.call_status_invalid_number", raise_if_not_found=False
        ),
        domain="[('behavior', 'in', ('closed', 'do_not_call'))]",
        ondelete="restrict",
        help="Where a member goes when every number of its contact is wrong.",
        check_company=True,
    )
    script = fields.Html(
        "Agent Script",
        translate=True,
        sanitize="email_outgoing",
        help="What agents say, shown on the call screen. Placeholders use Odoo's "
        'template syntax on the member, e.g. <t t-out="object.partner_id.name"/>, '
        '<t t-out="object.partner_id.commercial_company_name"/>, '
        '<t t-out="object.user_id.name"/>, <t t-out="object.last_call_date"/>.',
    )
    member_ids = fields.One2many(
        "call.campaign.member", "campaign_id", string="Members"
    )
    agent_stat_ids = fields.One2many(
        "call.campaign.agent.stat", "campaign_id", string="Calls per Agent"
    )
    member_count = fields.Integer(compute="_compute_figures")
    to_call_today_count = fields.Integer("To Call Today", compute="_compute_figures")
    overdue_count = fields.Integer("Overdue", compute="_compute_figures")
    contacted_count = fields.Integer("Contacted", compute="_compute_figures")
    success_count = fields.Integer("Successes", compute="_compute_figures")
    success_rate = fields.Float(
        "Success Rate (%)",
        compute="_compute_figures",
        digits=(16, 1),
        help="Members whose status is a success, out of the contacted ones.",
    )
    queued_count = fields.Integer("Queued", compute="_compute_figures")
    stage_member_counts = fields.Json(
        "Members per Stage",
        compute="_compute_figures",
        help='Active members per stage id ("0": no stage).',
    )
    scheduled_count = fields.Integer("Scheduled", compute="_compute_figures")
    closed_count = fields.Integer("Closed", compute="_compute_figures")
    do_not_call_count = fields.Integer("Do Not Call", compute="_compute_figures")
    interaction_count = fields.Integer(compute="_compute_interaction_count")
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
    won_count = fields.Integer("Won", compute="_compute_revenue")
    conversion_rate = fields.Float(
        "Conversion (%)",
        compute="_compute_revenue",
        digits=(16, 1),
        help="Won opportunities out of all the members' opportunities.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
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
        help="Members who answered at least once.",
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

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
            "The end date cannot be before the start date.",
        ),
        (
            "release_delay_positive",
            "CHECK(release_delay >= 0)",
            "The release delay cannot be negative.",
        ),
        (
            "attempt_caps_positive",
            "CHECK(max_attempts_total >= 0 AND max_attempts_per_day >= 0)",
            "Attempt caps cannot be negative.",
        ),
        (
            "max_callbacks_per_agent_positive",
            "CHECK(max_callbacks_per_agent >= 0)",
            "The number of callbacks per agent cannot be negative.",
        ),
        (
            "max_callback_days_positive",
            "CHECK(max_callback_days >= 0)",
            "The callback horizon cannot be negative.",
        ),
        (
            "reservation_positive",
            "CHECK(reservation_minutes >= 0)",
            "The reservation time cannot be negative.",
        ),
    ]

    def _compute_figures(self):
        """All figures of a batch of campaigns, and their members per stage:
        the counts from the counters the database keeps (no grouping of the
        members), what is due today or overdue from the due members only."""
        figures, by_stage, due = {}, {}, {}
        ids = [cid for cid in self.ids if cid]
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
            counts = figures.get(campaign.id, dict.fromkeys(FIGURE_KEYS, 0))
            dated_today, overdue = due.get(campaign.id, (0, 0))
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
                for key, count in by_stage.get(campaign.id, {}).items()
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

    @api.constrains("max_attempts_total", "exhausted_status_id")
    def _check_exhausted_status(self):
        for campaign in self.filtered("max_attempts_total"):
            if campaign.exhausted_status_id.behavior not in FINAL_BEHAVIORS:
                raise ValidationError(
                    self.env._(
                        "Campaign “%s”: a maximum of attempts needs an exhausted "
                        "status that closes the member.",
                        campaign.name,
                    )
                )

    @api.constrains("default_status_id", "status_ids")
    def _check_default_status(self):
        for campaign in self:
            if (
                campaign.default_status_id
                and campaign.default_status_id not in campaign.status_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Campaign “%(campaign)s”: the default status “%(status)s” must be "
                        "one of the campaign's statuses.",
                        campaign=campaign.name,
                        status=campaign.default_status_id.name,
                    )
                )

    @api.constrains("status_ids")
    def _check_status_campaign(self):
        for campaign in self:
            foreign = campaign.status_ids.filtered(
                lambda s, c=campaign: s.campaign_id and s.campaign_id != c
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Campaign “%(campaign)s”: the status “%(status)s” belongs to "
                        "another campaign.",
                        campaign=campaign.name,
                        status=foreign[0].name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        with_history = (
            self.env["call.interaction"]
            .sudo()
            ._read_group([("campaign_id", "in", self.ids)], ["campaign_id"])
        )
        if with_history:
            raise UserError(
                self.env._(
                    "The campaign “%s” has a call history and cannot be deleted: "
                    "archive it instead.",
                    with_history[0][0].name,
                )
            )

    def write(self, vals):
        self._call_guard_write(vals)
        agents_before = {c.id: c.agent_ids for c in self} if "agent_ids" in vals else {}
        res = super().write(vals)
        if {"calling_calendar_id", "tz"} & set(vals):
            self.env.registry.clear_cache()
        for campaign in self.filtered(lambda c: c.id in agents_before):
            removed = agents_before[campaign.id] - campaign.agent_ids
            if removed:
                # their members go back to the pool, with history
                self.env["call.campaign.member"].sudo().search(
                    [("campaign_id", "=", campaign.id), ("user_id", "in", removed.ids)]
                )._assign(
                    self.env["res.users"],
                    note=self.env._("The agent no longer works in this campaign."),
                )
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for campaign, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = self.env._("%s (copy)", campaign.name)
        return vals_list

    @public_method()
    def action_start(self):
        self._check_state_transition(("draft", "paused"))
        self.state = "running"
        return True

    @public_method()
    def action_pause(self):
        self._check_state_transition(("running",))
        self.state = "paused"
        return True

    @public_method()
    def action_done(self):
        self._check_state_transition(("running", "paused"))
        self.state = "done"
        return True

    @public_method()
    def action_reset_draft(self):
        self._check_state_transition(("done", "paused"))
        self.state = "draft"
        return True

    @public_method(one=True)
    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {
            "default_campaign_id": self.id,
            "search_default_group_stage": 0,
        }
        kanban = self.env.ref("call_campaign.call_campaign_member_view_kanban_campaign")
        action["views"] = [
            (kanban.id if view_type == "kanban" else view_id, view_type)
            for view_id, view_type in action["views"]
        ]
        return action

    @public_method(one=True)
    def action_view_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_interaction_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    @public_method(one=True)
    def action_view_attempts(self):
        """Attempts and reaches per day, as a graph."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_interaction_action_attempts"
        ) | {
            "domain": [("campaign_id", "=", self.id), ("kind", "in", CALL_KINDS)],
            "name": self.env._("Attempts and Reaches: %s", self.name),
        }

    @public_method(one=True)
    def action_next_call(self):
        """Card button: reserve the next member of this campaign and open it."""
        member = self.env["call.campaign.member"].next_for_agent(self)
        return member._action_open_next_call()

    @public_method(one=True)
    def action_view_report(self):
        """Calls of this campaign by day and result, to pivot by agent or status."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_interaction_action_report"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    @public_method(one=True)
    def action_view_funnel(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action_funnel"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    @api.depends("status_action_ids")
    def _compute_has_status_action_overrides(self):
        for campaign in self:
            campaign.has_status_action_overrides = bool(campaign.status_action_ids)

    @public_method(one=True)
    def action_add_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Members"),
            "res_model": "call.campaign.member.add",
            "view_mode": "form",
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def _add_members_from(self, records, status=None, users=None, audience=False):
        """Add the contacts (or the contacts of the leads) of ``records`` as
        members: already members, blacklisted contacts and leads without a
        contact are skipped and counted; ``audience``: they come from the
        campaign's audience (their history says so); ``users`` share the new members in
        turn. Returns the counts the add wizard shows."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(
                self.env._(
                    "The campaign “%s” is done: no member can be added.", self.name
                )
            )
        status = status or self._get_default_status()
        users = users or self.env["res.users"]
        self._check_agents(users)
        if records._name == "crm.lead":
            candidates = [
                (lead.partner_id.id, lead.id) for lead in records if lead.partner_id
            ]
        else:
            candidates = [(partner.id, False) for partner in records]
        partners = self.env["res.partner"].browse([p for p, _lead in candidates])
        # the caller's default_* keys never reach the members created here
        Member = self.env["call.campaign.member"].with_env(
            self.env(context=clean_context(self.env.context))
        )
        existing = set(
            Member.with_context(active_test=False)
            .sudo()
            .search([("campaign_id", "=", self.id), ("partner_id", "in", partners.ids)])
            .partner_id.ids
        )
        blacklisted = set(partners._call_blacklisted().ids)
        vals_list, seen, same_contact = [], set(), 0
        for partner_id, lead_id in candidates:
            if partner_id in seen:
                # another lead of a contact added by this run: a contact is
                # once in a campaign, with its first lead
                same_contact += 1
                continue
            if partner_id in existing or partner_id in blacklisted:
                continue
            seen.add(partner_id)
            vals_list.append(
                {
                    "campaign_id": self.id,
                    "partner_id": partner_id,
                    "lead_id": lead_id,
                    "status_id": status.id,
                    "user_id": users[len(vals_list) % len(users)].id
                    if users
                    else False,
                    **({"audience_joined": True} if audience else {}),
                }
            )
        # in batches that leave the cache empty: memory stays flat whatever
        # the size of the filter
        for batch in split_every(MEMBER_CREATE_BATCH, vals_list, list):
            Member.create(batch)
            self.env.flush_all()
            self.env.invalidate_all()
        return {
            "added": len(vals_list),
            "duplicates": len({p for p, _lead in candidates if p in existing})
            + same_contact,
            "blacklisted": len(blacklisted - existing),
            "no_contact": len(records) - len(candidates),
        }

    def _get_default_status(self):
        """The status new and reopened members get: the campaign's default,
        else its first “to call” status offered to agents."""
        self.ensure_one()
        status = (
            self.default_status_id
            or self.status_ids.filtered(
                lambda s: s.behavior == "to_call" and not s.hidden and s.active
            )[:1]
        )
        if not status:
            raise UserError(
                self.env._(
                    "The campaign “%s” has no default status: choose one on the "
                    "campaign before adding members.",
                    self.name,
                )
            )
        return status

    def _check_agents(self, users):
        """``users`` may work members of this campaign: its agents only."""
        self.ensure_one()
        strangers = users - self.agent_ids.filtered(lambda u: not u.share)
        if strangers:
            raise UserError(
                self.env._(
                    "%(user)s is not an agent of the campaign “%(campaign)s”.",
                    user=strangers[0].name,
                    campaign=self.name,
                )
            )

    def _outcome_status(self, outcome):
        """The status a dialer's ``outcome`` gives here: the campaign's own
        automatic status for it, else the reference book's (one is shipped
        for every outcome), so that no outcome leaves a member reserved."""
        self.ensure_one()
        return self.status_ids.filtered(lambda s: s.auto_outcome == outcome)[
            :1
        ] or self.env["call.status"].sudo().search(
            [
                ("auto_outcome", "=", outcome),
                ("campaign_id", "=", False),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            limit=1,
        )

    def _offered_statuses(self):
        """Statuses every one of these campaigns offers to its agents."""
        statuses = self[:1].status_ids
        for campaign in self[1:]:
            statuses &= campaign.status_ids
        return statuses.filtered(lambda s: not s.hidden)

    def _next_calling_slot(self, dt, tz_name):
        """First instant at or after ``dt`` (naive UTC) inside the calling
        hours, read in the customer's time zone ``tz_name``; ``dt`` itself
        when the campaign has no calling hours."""
        self.ensure_one()
        calendar = self.calling_calendar_id
        if not calendar:
            return dt
        start = pytz.utc.localize(dt.replace(microsecond=0))
        intervals = calendar._work_intervals_batch(
            start,
            start + timedelta(days=CALLING_HOURS_HORIZON_DAYS),
            tz=pytz.timezone(tz_name or "UTC"),
        )[False]
        for interval_start, interval_stop, _records in intervals:
            if interval_stop > start:
                slot = max(interval_start, start)
                return slot.astimezone(pytz.utc).replace(tzinfo=None)
        raise UserError(
            self.env._(
                "The calling hours “%(calendar)s” of the campaign “%(campaign)s” have no "
                "opening in the next %(days)s days.",
                calendar=calendar.name,
                campaign=self.name,
                days=CALLING_HOURS_HORIZON_DAYS,
            )
        )

    def _calling_open_pairs(self, now):
        """Which (campaign, customer time zone) pairs may be called at ``now``;
        None when no campaign has calling hours."""
        restricted = self.filtered("calling_calendar_id")
        if not restricted:
            return None
        minute = now.replace(second=0, microsecond=0)
        return {
            "restricted": restricted.ids,
            "open": [
                (campaign.id, tz)
                for campaign in restricted
                for tz in campaign._calling_open_tzs(minute)
            ],
        }

    @ormcache("self.id", "minute")
    def _calling_open_tzs(self, minute):
        """Time zones of the campaign's callable members that are inside the
        calling hours at ``minute``; cached for that minute, so a worker reads
        the calendar once a minute per campaign, not once per “Next call”."""
        self.ensure_one()
        self.env.cr.execute(
            """SELECT DISTINCT COALESCE(p.tz, c.tz, cp.tz, 'UTC')
                 FROM call_campaign_member m
                 JOIN res_partner p ON p.id = m.partner_id
                 JOIN call_campaign c ON c.id = m.campaign_id
                 JOIN res_company co ON co.id = c.company_id
                 JOIN res_partner cp ON cp.id = co.partner_id
                WHERE m.campaign_id = %s AND m.active
                  AND m.state IN ('queued', 'scheduled')""",
            [self.id],
        )
        return tuple(
            tz
            for (tz,) in self.env.cr.fetchall()
            if self._next_calling_slot(minute, tz) == minute
        )

    def _check_state_transition(self, allowed_from):
        wrong = self.filtered(lambda c: c.state not in allowed_from)
        if wrong:
            raise UserError(
                self.env._(
                    "The campaign “%(campaign)s” is %(state)s: this action is not possible.",
                    campaign=wrong[0].name,
                    state=wrong[0]
                    ._fields["state"]
                    .convert_to_export(wrong[0].state, wrong[0]),
                )
            )
