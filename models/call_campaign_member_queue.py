"""The calling queue: “Next call” and its reservations (what a dialer
reports is in ``call_campaign_member_dialer.py``)."""

from datetime import timedelta

import psycopg2
import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_date, format_datetime, mute_logger

from .public_method import RecordArg, TextArg, call_error, public_method

# rows read at once by "Next call" before locking them one by one
CANDIDATES_PER_READ = 10
# the queue's tiers, in the order Next call gives them
QUEUE_TIERS = ("own_callbacks", "priority", "rest")
# the queue's checks that come from the compliance rules
# (``call_compliance_queue.py``)
COMPLIANCE_CHECKS = ("legal_hours", "legal_cap", "refused", "no_consent")
# the checks that hold back a due member of the agent, as My day and "Nobody
# to call now" sum them up (the others cannot fail for a due member)
WAITING_CHECKS = (
    "calling_hours",
    *COMPLIANCE_CHECKS,
    "reserved",
    "day_cap",
    "total_cap",
    "pressure",
    "no_number",
)
# what the queue reads of its campaigns, in the query that finds them
QUEUE_CAMPAIGN_FIELDS = [
    "calling_calendar_id",
    "max_attempts_total",
    "max_attempts_per_day",
]


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    due = fields.Selection(
        [("overdue", "Overdue"), ("today", "Due today")],
        compute="_compute_due",
        search="_search_due",
        help="Overdue: the follow-up date has passed. Due today: open and due "
        "before the end of your day (no follow-up date: now).",
    )

    queue_callable = fields.Boolean(
        "In My Queue Now",
        compute="_compute_queue_callable",
        search="_search_queue_callable",
        help="Next Call can give you this member now: every check of the queue "
        "passes (My day's Due now).",
    )
    customer_time = fields.Char(
        "Customer's Time",
        compute="_compute_customer_time",
        help="The customer's local time now, and whether the campaign's "
        "calling hours allow calling them now.",
    )

    def _compute_customer_time(self):
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        for member in self:
            tz_name = member._get_call_tz()
            tz = pytz.timezone(tz_name)
            text = f"{pytz.utc.localize(now).astimezone(tz):%H:%M} ({tz_name})"
            campaign = member.campaign_id
            if campaign.calling_calendar_id:
                try:
                    slot = campaign._next_calling_slot(now, tz_name)
                except UserError:
                    slot = None
                if slot == now:
                    hours = self.env._("within calling hours")
                elif slot:
                    opens = pytz.utc.localize(slot).astimezone(tz)
                    opening_time = opens.strftime("%H:%M")
                    hours = self.env._(
                        "outside calling hours, they open at %(time)s on %(day)s",
                        time=opening_time,
                        day=format_date(self.env, opens.date()),
                    )
                else:
                    hours = self.env._("outside calling hours")
                text = f"{text} · {hours}"
            member.customer_time = text

    @api.model
    def _due_domain(self, due, now=None):
        """The one definition of "due": the filters of the member views, the
        campaign figures and the member's ``due`` field all use it."""
        now = now or fields.Datetime.now()
        if due == "overdue":
            return [("state", "=", "scheduled"), ("next_call_date", "<", now)]
        if due == "now":
            return [
                ("state", "in", ("queued", "scheduled")),
                "|",
                ("next_call_date", "=", False),
                ("next_call_date", "<=", now),
            ]
        return [
            ("state", "in", ("queued", "scheduled")),
            "|",
            ("next_call_date", "=", False),
            ("next_call_date", "<", self._user_midnight(now, days=1)),
        ]

    def _compute_due(self):
        overdue = self.filtered_domain(self._due_domain("overdue"))
        today = self.filtered_domain(self._due_domain("today"))
        for member in self:
            member.due = (
                "overdue"
                if member in overdue
                else "today"
                if member in today
                else False
            )

    def _search_due(self, operator, value):
        keys = ("overdue", "today")
        if operator == "=" and value in keys:
            return self._due_domain(value)
        if (
            operator == "in"
            and isinstance(value, (list, tuple))
            and set(value) <= set(keys)
        ):
            return expression.OR([self._due_domain(v) for v in value])
        raise UserError(self.env._("Operation not supported"))

    @api.model
    @api.returns("self", lambda member: member.id or False)
    @public_method(campaign_ids=RecordArg("call.campaign", many=True))
    def next_for_agent(self, campaign_ids=None):
        """The best member due now for the calling agent, reserved to them
        for the campaign's reservation time; an empty recordset (False over
        RPC) when nobody is due.

        Order: the agent's own due “My record” callbacks, then “priority”
        members, then the rest by priority, follow-up date and id. Only
        running campaigns the agent works in, never a blacklisted contact,
        never outside the customer's calling hours, never a member reserved
        (the agent's own earlier reservation included: asking again moves on).

        Two agents never get the same member: each candidate is locked with
        ``FOR UPDATE SKIP LOCKED`` before it is given, so a row another
        transaction is reserving is skipped instead of given twice, and the
        reservation is written in the same transaction before the lock is
        released (see ``_lock_candidate`` for rows reserved meanwhile)."""
        return self._next_for_agent(campaign_ids)

    @api.model
    def _next_for_agent(self, campaign_ids, exclude=None, agentless=False):
        """``next_for_agent``; ``exclude``: members not to give now (the one
        the agent just skipped); ``agentless``: a dialer reserves for itself,
        no agent waits (a customer dropped recently is not given)."""
        # the calling hours are read with the campaigns: one query
        campaigns = self.env["call.campaign"].search_fetch(
            self._queue_campaign_domain()
            + ([("id", "in", campaign_ids.ids)] if campaign_ids else []),
            QUEUE_CAMPAIGN_FIELDS,
        )
        if not campaigns:
            return self.browse()
        self.env.flush_all()
        now = fields.Datetime.now()
        open_pairs = campaigns._calling_open_pairs(now)
        recall = self._dropped_recall_check(campaigns, now) if agentless else []
        tiers = [
            self._queue_conditions(campaigns, tier, now, open_pairs, recall)
            for tier in QUEUE_TIERS
        ]
        member = self._reserve_next(tiers, now, open_pairs is not None, exclude)
        if member and not self.env.su:
            # the agent is on a call (from offline or paused too: visibly)
            self.env.user._set_call_agent_state("on_call")
        return member

    @api.readonly
    @public_method(one=True)
    def explain_queue(self):
        """Why "Next call" does or does not give this member to the calling
        user now, in plain translated words, from the queue's own checks
        (``_queue_checks``): the explanation and the queue cannot disagree.
        Returns ``{'callable': bool, 'reasons': [translated strings],
        'checks': [keys of the failed checks], 'position': the member's
        approximate place in the user's queue when callable, else False}``."""
        self.check_access("read")
        return self._explain_queue(position=True)[self.id]

    def _explain_queue(self, position=False):
        """``explain_queue`` for a batch of members, by member id: one query
        per tier; ``position`` costs one more count per callable member."""
        self.env.flush_all()
        now = fields.Datetime.now()
        campaigns = self.env["call.campaign"].search_fetch(
            self._queue_campaign_domain() + [("id", "in", self.campaign_id.ids)],
            QUEUE_CAMPAIGN_FIELDS,
        )
        answers = {}
        for member in self - self.filtered(lambda m: m.campaign_id in campaigns):
            reason = (
                "campaign_not_running"
                if member.campaign_id.state != "running"
                or not member.campaign_id.active
                else "not_agent"
            )
            answers[member.id] = member._queue_answer([reason])
        open_pairs = campaigns._calling_open_pairs(now) if campaigns else None
        for tier, members in (
            (self - self.browse(answers)).grouped(self._queue_tier).items()
        ):
            checks = self._queue_checks(campaigns, tier, now, open_pairs)
            self.env.cr.execute(
                SQL(
                    """SELECT m.id, %s FROM call_campaign_member m %s
                        WHERE m.id IN %s""",
                    SQL(", ").join(
                        SQL("COALESCE(%s, false)", condition)
                        for _key, condition in checks
                    ),
                    self._queue_joins(open_pairs is not None),
                    tuple(members.ids),
                )
            )
            for member_id, *passed in self.env.cr.fetchall():
                failed = [
                    key
                    for (key, _sql), ok in zip(checks, passed, strict=True)
                    if not ok
                ]
                member = self.browse(member_id)
                place = (
                    member._queue_position(campaigns, now, open_pairs)
                    if position and not failed
                    else False
                )
                answers[member_id] = member._queue_answer(failed, place)
        return answers

    @api.model
    def _queue_tier(self, member):
        """The queue tier a member is looked for in."""
        return {"my_record": "own_callbacks", "priority": "priority"}.get(
            member.behavior, "rest"
        )

    def _queue_position(self, campaigns, now, open_pairs):
        """About how many members "Next call" gives the calling user before
        this callable one (others may take some meanwhile): one count."""
        self.ensure_one()
        tiers = list(QUEUE_TIERS)
        tier = self._queue_tier(self)
        before = [
            self._queue_conditions(campaigns, earlier, now, open_pairs)
            for earlier in tiers[: tiers.index(tier)]
        ]
        if self.next_call_date:
            earlier_date = SQL(
                """(m.next_call_date IS NULL OR m.next_call_date < %(date)s
                    OR (m.next_call_date = %(date)s AND m.id < %(id)s))""",
                date=self.next_call_date,
                id=self.id,
            )
        else:
            earlier_date = SQL("(m.next_call_date IS NULL AND m.id < %s)", self.id)
        before.append(
            SQL(
                "(%s AND (m.priority > %s OR (m.priority = %s AND %s)))",
                self._queue_conditions(campaigns, tier, now, open_pairs),
                self.priority,
                self.priority,
                earlier_date,
            )
        )
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM call_campaign_member m %s WHERE %s",
                self._queue_joins(open_pairs is not None),
                SQL(" OR ").join(SQL("(%s)", condition) for condition in before),
            )
        )
        return self.env.cr.fetchone()[0] + 1

    def _queue_answer(self, failed, position=False):
        """The explainer's answer for one member and the checks it failed."""
        self.ensure_one()
        reasons = [self._queue_reason(key) for key in failed]
        if not failed:
            reasons = [
                self.env._("Callable now: position ~%s in your queue.", position)
                if position
                else self.env._("Callable now.")
            ]
        return {
            "callable": not failed,
            "reasons": reasons,
            "checks": failed,
            "position": position,
        }

    def _queue_reason(self, key):
        """One failed check of the queue, in the calling user's words."""
        self.ensure_one()
        env = self.env
        tz = pytz.timezone(env.user.tz or "UTC")

        def local_time(dt):
            return pytz.utc.localize(dt).astimezone(tz).strftime("%H:%M")

        if key in COMPLIANCE_CHECKS:
            return self._compliance_reason(key)
        if key == "agent":
            if self.behavior == "my_record" and self.user_id:
                return env._("A callback of %s: only they get it.", self.user_id.name)
            if self.behavior == "my_record":
                return env._("A callback nobody holds: a manager assigns it.")
            return env._("Assigned to %s.", self.user_id.name)
        if key == "no_number":
            if self.partner_id.sudo().call_number_ids.filtered(lambda n: not n.invalid):
                return env._(
                    "Every number of the contact is on the phone blacklist: do not call."
                )
            return env._(
                "No good number: every number of the contact is wrong or blacklisted."
            )
        if key == "pressure":
            until = self.partner_id.sudo().call_pressure_until
            return env._(
                "The contact's call budget (all campaigns) is used up until %s.",
                format_datetime(env, until) if until else "",
            )
        if key == "day_cap":
            return env._(
                "Daily attempt cap reached (%(count)s today): callable again from "
                "%(date)s.",
                count=self.day_attempt_count,
                date=format_datetime(env, self.day_attempts_reset)
                if self.day_attempts_reset
                else "",
            )
        if key == "total_cap":
            return env._(
                "Attempt cap reached (%(count)s of %(cap)s).",
                count=self.attempt_count,
                cap=self.campaign_id.max_attempts_total,
            )
        messages = {
            "campaign_not_running": lambda: env._(
                "The campaign “%s” is not running.", self.campaign_id.name
            ),
            "not_agent": lambda: env._(
                "You are not an agent of the campaign “%s”.", self.campaign_id.name
            ),
            "archived": lambda: env._("Archived."),
            "closed": lambda: env._("%s: not called any more.", self._state_label()),
            "not_before": lambda: env._(
                "Not before %s.",
                format_datetime(env, self.next_call_date)
                if self.next_call_date
                else "",
            ),
            "reserved": lambda: env._(
                "Reserved by %(agent)s until %(time)s.",
                agent=self.reserved_user_id.name or "",
                time=local_time(self.reserved_until) if self.reserved_until else "",
            ),
            "calling_hours": self._calling_hours_reason,
        }
        return messages[key]()

    def _calling_hours_reason(self):
        """Outside calling hours: the customer's time now and the next
        opening, in the customer's time zone."""
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        tz_name = self._get_call_tz()
        tz = pytz.timezone(tz_name)
        try:
            slot = self.campaign_id._next_calling_slot(now, tz_name)
        except UserError:
            return self.env._("Outside calling hours: none in the next month.")
        opens = pytz.utc.localize(slot).astimezone(tz)
        return self.env._(
            "Outside calling hours: it is %(time)s for the customer (%(tz)s), "
            "they open at %(opens)s on %(day)s.",
            time=pytz.utc.localize(now).astimezone(tz).strftime("%H:%M"),
            tz=tz_name,
            opens=opens.strftime("%H:%M"),
            day=format_date(self.env, opens.date()),
        )

    @public_method(one=True)
    def action_explain_queue(self):
        """The member form's "Why not in the queue?": the answer as a notice."""
        answer = self.explain_queue()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("%s: in the queue now", self.display_name)
                if answer["callable"]
                else self.env._("%s: not in the queue now", self.display_name),
                "message": " ".join(answer["reasons"]),
                "type": "success" if answer["callable"] else "info",
                "sticky": False,
            },
        }

    @api.model
    def _queue_campaign_domain(self):
        """The campaigns "Next call" gives members of to the calling user."""
        return [
            ("active", "=", True),
            ("state", "=", "running"),
            ("agent_ids", "in", self.env.uid),
        ]

    @api.model
    def _queue_checks(self, campaigns, tier, now, open_pairs):
        """The one definition of "callable now by the calling agent" in a
        tier: named SQL conditions on ``m`` (the member) and ``c`` (its
        campaign). The queue requires them all; ``explain_queue`` names the
        first one a member fails."""
        checks = self._queue_member_checks(campaigns, now, open_pairs)
        caps = self._queue_cap_checks(campaigns, now)
        # a callback agreed with the customer is a promise: it is kept past
        # the total cap, not past the day's
        if tier == "own_callbacks":
            caps = [(key, condition) for key, condition in caps if key == "day_cap"]
        return checks + caps + self._queue_agent_checks(tier)

    @api.model
    def _queue_callable_checks(self, campaigns, now, open_pairs):
        """ "Callable now by one of the campaign's agents": the checks of
        every tier but the agent's, for the campaign figures."""
        caps = dict(self._queue_cap_checks(campaigns, now))
        checks = self._queue_member_checks(campaigns, now, open_pairs) + [
            ("agent", SQL("(m.behavior != 'my_record' OR m.user_id IS NOT NULL)"))
        ]
        if "day_cap" in caps:
            checks.append(("day_cap", caps["day_cap"]))
        if "total_cap" in caps:
            checks.append(
                (
                    "total_cap",
                    SQL("(m.behavior = 'my_record' OR %s)", caps["total_cap"]),
                )
            )
        return checks

    @api.model
    def _queue_member_checks(self, campaigns, now, open_pairs):
        """The checks of every tier, whoever calls: the member, its contact
        and the calling hours."""
        checks = [
            ("archived", SQL("m.active")),
            ("campaign", SQL("m.campaign_id IN %s", tuple(campaigns.ids))),
            ("closed", SQL("m.state IN ('queued', 'scheduled')")),
            (
                "not_before",
                SQL("(m.next_call_date IS NULL OR m.next_call_date <= %s)", now),
            ),
            (
                "reserved",
                SQL("(m.reserved_until IS NULL OR m.reserved_until < %s)", now),
            ),
            # the contact's flags, read for each row the queue walks (a few
            # before it finds one): a probe of the contact's primary key,
            # cheaper than hashing every flagged contact at each call
            (
                "no_number",
                SQL(
                    """(SELECT p.call_undialable FROM res_partner p
                         WHERE p.id = m.partner_id) IS NOT TRUE"""
                ),
            ),
            (
                "pressure",
                SQL(
                    """COALESCE((SELECT p.call_pressure_until FROM res_partner p
                                  WHERE p.id = m.partner_id) <= %s, true)""",
                    now,
                ),
            ),
        ]
        if open_pairs is not None:
            closed_campaigns = tuple(open_pairs["restricted"]) or (0,)
            pairs = tuple(open_pairs["open"]) or ((0, ""),)
            checks.append(
                (
                    "calling_hours",
                    SQL(
                        """(m.campaign_id NOT IN %s OR (m.campaign_id, COALESCE(
                               (SELECT p.tz FROM res_partner p WHERE p.id = m.partner_id),
                               c.tz, cp.tz, 'UTC')) IN %s)""",
                        closed_campaigns,
                        pairs,
                    ),
                )
            )
        return checks + self._queue_compliance_checks(campaigns, now)

    @api.model
    def _queue_agent_checks(self, tier):
        """The tier's members the calling agent may get."""
        uid = self.env.uid
        if tier == "own_callbacks":
            return [
                ("tier", SQL("m.behavior = 'my_record'")),
                ("agent", SQL("m.user_id = %s", uid)),
            ]
        if tier == "priority":
            return [
                ("tier", SQL("m.behavior = 'priority'")),
                ("agent", SQL("(m.user_id IS NULL OR m.user_id = %s)", uid)),
            ]
        return [
            ("tier", SQL("m.behavior NOT IN ('priority', 'my_record')")),
            ("agent", SQL("(m.user_id IS NULL OR m.user_id = %s)", uid)),
        ]

    @api.model
    def _queue_cap_checks(self, campaigns, now):
        """The campaigns' attempt caps, only for the campaigns that have one
        (the others' queries stay as simple as they were)."""

        def cap(fname):
            capped = campaigns.filtered(fname)
            if not capped:
                return None
            return SQL(
                "CASE m.campaign_id %s ELSE 2147483647 END",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s", campaign.id, campaign[fname])
                    for campaign in capped
                ),
            )

        checks = []
        per_day = cap("max_attempts_per_day")
        if per_day:
            checks.append(
                (
                    "day_cap",
                    SQL(
                        """(m.day_attempts_reset IS NULL OR m.day_attempts_reset <= %s
                            OR m.day_attempt_count < %s)""",
                        now,
                        per_day,
                    ),
                )
            )
        total = cap("max_attempts_total")
        if total:
            checks.append(
                ("total_cap", SQL("COALESCE(m.attempt_count, 0) < %s", total))
            )
        return checks

    @api.model
    def _queue_conditions(self, campaigns, tier, now, open_pairs, extra=()):
        """All the checks of a tier (and ``extra`` ones), as one SQL
        condition."""
        return SQL(" AND ").join(
            condition
            for _key, condition in [
                *self._queue_checks(campaigns, tier, now, open_pairs),
                *extra,
            ]
        )

    @api.model
    def _queue_joins(self, calling_hours):
        """The campaign, its company and the company's contact, for the
        calling hours' time zones only."""
        if not calling_hours:
            return SQL()
        return SQL(
            """JOIN call_campaign c ON c.id = m.campaign_id
               JOIN res_company co ON co.id = c.company_id
               JOIN res_partner cp ON cp.id = co.partner_id"""
        )

    @api.model
    def _queue_select(self, conditions, tried, limit, calling_hours):
        """The candidates in queue order. The campaign, its company and the
        company's contact are joined only when calling hours are read (their
        time zones): a query with fewer tables is planned faster, and
        planning is most of the cost of one "Next call"."""
        return SQL(
            """SELECT m.id FROM call_campaign_member m %s
                WHERE %s AND m.id != ALL(%s::int[])
             ORDER BY m.priority DESC, m.next_call_date ASC NULLS FIRST, m.id
                LIMIT %s""",
            self._queue_joins(calling_hours),
            conditions,
            list(tried),
            limit,
        )

    @api.model
    def _reserve_next(self, tiers, now, calling_hours, exclude=None):
        """Pick and reserve the first member of the first tier that has one,
        in one statement: in each tier the first row nobody is locking
        (``FOR UPDATE SKIP LOCKED``) is taken, ``COALESCE`` stops at the
        first tier that gives one, and the reservation is written before the
        lock is released.

        Odoo's transactions read a snapshot (repeatable read): a member
        another agent reserved after that snapshot still looks free, and
        locking it raises a serialization failure. Then the candidates are
        taken one by one, each in its own savepoint (``_next_candidate``)."""
        tried = exclude.ids if exclude else []
        picks = SQL(", ").join(
            SQL(
                "(%s FOR UPDATE OF m SKIP LOCKED)",
                self._queue_select(tier, tried, 1, calling_hours),
            )
            for tier in tiers
        )
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    self._reserve_statement(now, SQL("r.id = COALESCE(%s)", picks))
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            for conditions in tiers:
                member = self._next_candidate(conditions, now, tried, calling_hours)
                if member:
                    member._reserve(now)
                    return member
            return self.browse()
        if not row:
            return self.browse()
        member = self.browse(row[0])
        # written by SQL: what the cache held of these fields is stale
        member.invalidate_recordset(
            ["reserved_user_id", "reserved_until", "write_uid", "write_date"]
        )
        return member

    @api.model
    def _reserve_statement(self, now, which):
        """Reserve to the caller the members ``which`` (an SQL condition on
        ``r``) picks, for their campaign's reservation time, in the statement
        that locks them: the ids reserved."""
        return SQL(
            """UPDATE call_campaign_member r
                  SET reserved_user_id = %(uid)s,
                      reserved_until = %(now)s
                          + rc.reservation_minutes * interval '1 minute',
                      write_uid = %(uid)s,
                      write_date = %(now)s
                 FROM call_campaign rc
                WHERE rc.id = r.campaign_id AND %(which)s
            RETURNING r.id""",
            uid=self.env.uid,
            now=now,
            which=which,
        )

    @api.model
    def _next_candidate(self, conditions, now, tried, calling_hours):
        """One member of the tier, locked for this transaction, reading the
        candidates a few at a time and skipping those taken meanwhile."""
        tried = list(tried)
        while True:
            self.env.cr.execute(
                self._queue_select(
                    conditions, tried, CANDIDATES_PER_READ, calling_hours
                )
            )
            candidate_ids = [row[0] for row in self.env.cr.fetchall()]
            if not candidate_ids:
                return self.browse()
            for member_id in candidate_ids:
                tried.append(member_id)
                if self._lock_candidate(member_id, now):
                    return self.browse(member_id)

    def _lock_candidate(self, member_id, now):
        """Lock one candidate for this transaction, or tell it is taken.

        Odoo's transactions read a snapshot (repeatable read): a member another
        agent reserved after that snapshot still looks free here. Locking it
        then either skips it (``SKIP LOCKED``: the other transaction is still
        running) or raises a serialization failure (it has committed); both
        mean "taken", and the savepoint keeps this transaction usable."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """SELECT id FROM call_campaign_member
                        WHERE id = %s AND (reserved_until IS NULL OR reserved_until < %s)
                          FOR UPDATE SKIP LOCKED""",
                    [member_id, now],
                )
                return bool(self.env.cr.fetchone())
        except psycopg2.errors.SerializationFailure:
            return False

    def _reserve(self, now):
        self.ensure_one()
        minutes = self.campaign_id.reservation_minutes
        # a reservation is not history
        self._write_workflow(
            {
                "reserved_user_id": self.env.uid,
                "reserved_until": now + timedelta(minutes=minutes),
            }
        )

    @public_method(reason=TextArg())
    def action_skip(self, reason=None):
        """The agent passes on the members “Next call” reserved to them: the
        reservation ends, the history says so (with the reason), and the
        members are back in the queue for anyone."""
        if not self:
            raise UserError(self.env._("Choose the members to skip."))
        self.check_access("write")
        now = fields.Datetime.now()
        foreign = self.filtered(
            lambda m: (
                m.reserved_user_id != self.env.user
                or not m.reserved_until
                or m.reserved_until < now
            )
        )
        if foreign:
            raise call_error(
                self.env._(
                    "%s is not reserved to you: only the member “Next Call” gave you "
                    "can be skipped.",
                    foreign[0].display_name,
                ),
                "not_yours",
            )
        self._release_reservation()
        return self._create_history("skipped", note=reason or False).ids

    @public_method()
    def action_release_reservation(self):
        """The call screen was closed without a result: the calling user's
        own reservations of these members end (others' are left alone), and
        the customers are back in the queue. Returns the released ids."""
        self.check_access("read")
        return self._release_reservation().ids

    def _release_reservation(self):
        """End the calling user's own reservations of these members (no
        history: a reservation is not history)."""
        mine = self.filtered(lambda m: m.reserved_user_id == self.env.user)
        mine._write_workflow({"reserved_user_id": False, "reserved_until": False})
        return mine

    @api.model
    @public_method()
    def action_next_call(self):
        """Menu entry: the next member of any campaign the agent works in."""
        return self.next_for_agent()._action_open_next_call()

    def _action_open_next_call(self, campaigns=None, skipped=None):
        """The call screen of this reserved member, or a notice that nobody
        is due saying why (``campaigns``: those Next Call looked in;
        ``skipped``: the members just skipped, not given again at once)."""
        if not self:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Nobody to call now"),
                    "message": self._nobody_to_call_reason(campaigns, skipped),
                    "type": "info",
                    "sticky": False,
                },
            }
        # the call screen, straight away: taking a call is one click
        return self._action_log_call(
            {"active_model": self._name, "active_ids": self.ids}
        ) | {"name": self.env._("Log a Call")}

    @api.depends_context("uid")
    def _compute_queue_callable(self):
        ids = [member_id for member_id in self.ids if member_id]
        callable_ids = (
            set(self.search([("id", "in", ids), ("queue_callable", "=", True)]).ids)
            if ids
            else set()
        )
        for member in self:
            member.queue_callable = member.id in callable_ids

    def _search_queue_callable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("“In My Queue Now” is searched with = or != and a boolean.")
            )
        subquery = self._queue_callable_query()
        positive = (operator == "=") == value
        if subquery is None:
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        return [("id", "in" if positive else "not in", subquery)]

    @api.model
    def _queue_now(self):
        """What a reading of the calling user's whole queue starts from: its
        campaigns, the time and their open calling hours (None: no campaign
        to call in)."""
        campaigns = self.env["call.campaign"].search_fetch(
            self._queue_campaign_domain(), QUEUE_CAMPAIGN_FIELDS
        )
        if not campaigns:
            return None
        now = fields.Datetime.now()
        return campaigns, now, campaigns._calling_open_pairs(now)

    @api.model
    def _queue_callable_query(self):
        """The members Next Call can give the calling user now, in any tier,
        as one subquery (None: no campaign to call in). My day's "Due now"
        counts it: the figure and the button agree."""
        queue = self._queue_now()
        if not queue:
            return None
        campaigns, now, open_pairs = queue
        self.env.flush_all()
        return SQL(
            "(SELECT m.id FROM call_campaign_member m %s WHERE %s)",
            self._queue_joins(open_pairs is not None),
            SQL(" OR ").join(
                SQL("(%s)", self._queue_conditions(campaigns, tier, now, open_pairs))
                for tier in QUEUE_TIERS
            ),
        )

    @api.model
    def _queue_waiting(self, domain):
        """The members of ``domain`` (due ones) that Next Call cannot give
        now, and what holds them back: ``(count, [(check key, count, an
        example member)])``, the most frequent check first. The checks are
        the queue's own (``_queue_member_checks``, ``_queue_cap_checks``)."""
        queue = self._queue_now()
        if not queue:
            return 0, []
        campaigns, now, open_pairs = queue
        waiting = self._search(
            expression.AND([domain, [("queue_callable", "=", False)]])
        )
        checks = [
            (key, condition)
            for key, condition in self._queue_member_checks(campaigns, now, open_pairs)
            + self._queue_cap_checks(campaigns, now)
            if key in WAITING_CHECKS
        ]
        self.env.cr.execute(
            SQL(
                "SELECT count(*) %s FROM call_campaign_member m %s WHERE m.id IN (%s)",
                SQL("").join(
                    SQL(
                        ", count(*) FILTER (WHERE NOT COALESCE(%s, false)), "
                        "min(m.id) FILTER (WHERE NOT COALESCE(%s, false))",
                        condition,
                        condition,
                    )
                    for _key, condition in checks
                ),
                self._queue_joins(open_pairs is not None),
                waiting.subselect(),
            )
        )
        total, *counts = self.env.cr.fetchone()
        held = [
            (key, counts[2 * index], self.browse(counts[2 * index + 1]))
            for index, (key, _condition) in enumerate(checks)
            if counts[2 * index]
        ]
        return total, sorted(held, key=lambda row: -row[1])

    @api.model
    def _queue_waiting_note(self, domain):
        """``_queue_waiting`` in the agent's words: how many wait and why,
        the first reason with its detail (the next opening, the cap's
        reset…), as the explainer words it. Empty when none waits."""
        total, held = self._queue_waiting(domain)
        if not total:
            return ""
        env = self.env
        labels = {
            "calling_hours": lambda n: env._("%s outside their calling hours", n),
            "legal_hours": lambda n: env._("%s outside the legal calling hours", n),
            "legal_cap": lambda n: env._("%s at the legal number of calls", n),
            "refused": lambda n: env._("%s paused after a refusal", n),
            "no_consent": lambda n: env._("%s without the consent the law requires", n),
            "reserved": lambda n: env._("%s reserved by a colleague", n),
            "day_cap": lambda n: env._("%s at their daily attempt cap", n),
            "total_cap": lambda n: env._("%s at their attempt cap", n),
            "pressure": lambda n: env._("%s over the contact's call budget", n),
            "no_number": lambda n: env._("%s without a good number", n),
        }
        parts = [labels[key](count) for key, count, _example in held]
        detail = held[0][2]._queue_reason(held[0][0]) if held else ""
        return self.env._(
            "%(count)s due but not callable now: %(why)s. %(detail)s",
            count=total,
            why=", ".join(parts),
            detail=detail,
        ).strip()

    @api.model
    def _nobody_to_call_reason(self, campaigns=None, skipped=None):
        """Why Next Call gave nobody, from the queue's own checks."""
        mine = self.env["call.campaign"].search(
            [("agent_ids", "in", self.env.uid)]
            + ([("id", "in", campaigns.ids)] if campaigns else [])
        )
        running = mine.filtered(lambda c: c.state == "running")
        if not running:
            if mine:
                states = dict(mine._fields["state"]._description_selection(self.env))
                return self.env._(
                    "Your campaigns are not running: %s.",
                    ", ".join(f"{c.name} ({states[c.state]})" for c in mine),
                )
            return self.env._("You are an agent of no campaign.")
        if skipped and skipped.filtered("queue_callable"):
            return self.env._(
                "Only the customer you skipped is due: Next Call gives them again."
            )
        due = (
            [("campaign_id", "in", running.ids)]
            + [
                "|",
                ("user_id", "=", False),
                ("user_id", "=", self.env.uid),
            ]
            + self._due_domain("now", fields.Datetime.now())
        )
        return self._queue_waiting_note(due) or self.env._(
            "No member of your campaigns is due at this time."
        )
