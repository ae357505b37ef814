import threading
from collections import defaultdict
from datetime import timedelta

import psycopg2
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, html2plaintext, mute_logger, split_every

from .call_status import DATED_BEHAVIORS, FINAL_BEHAVIORS, OUTCOMES

# rows read at once by "Next call" before locking them one by one
CANDIDATES_PER_READ = 10
# a follow-up date this much in the past is still "now" (form latency)
PAST_TOLERANCE = timedelta(minutes=5)


class CallCampaignMember(models.Model):
    """One customer in one campaign: exactly one current status at a time."""

    _name = "call.campaign.member"
    _description = "Call Campaign Member"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, next_call_date, id"
    _rec_names_search = ["partner_id.name", "partner_id.phone", "partner_id.mobile"]

    active = fields.Boolean(default=True)
    campaign_id = fields.Many2one(
        "call.campaign",
        required=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="restrict"
    )
    lead_id = fields.Many2one("crm.lead", index="btree_not_null")
    phone = fields.Char(related="partner_id.phone")
    mobile = fields.Char(related="partner_id.mobile")
    email = fields.Char(related="partner_id.email")
    stage_id = fields.Many2one(
        "call.campaign.stage",
        index=True,
        domain="[('campaign_id', '=', campaign_id)]",
        group_expand="_read_group_stage_ids",
        ondelete="restrict",
    )
    status_id = fields.Many2one(
        "call.status",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        help="Changed only through the status service (buttons and wizards), "
        "so that every change is in the history.",
    )
    status_color = fields.Integer(related="status_id.color")
    behavior = fields.Selection(related="status_id.behavior", store=True)
    reserved_user_id = fields.Many2one(
        "res.users",
        string="Reserved By",
        readonly=True,
        help="Agent to whom “Next call” gave this member, until the reservation ends.",
    )
    reserved_until = fields.Datetime(readonly=True)
    result = fields.Selection(related="status_id.result")
    status_date = fields.Datetime("Status Since", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        domain="[('share', '=', False)]",
    )
    next_call_date = fields.Datetime("Follow-up Date", index=True, readonly=True)
    last_call_date = fields.Datetime("Last Contact", readonly=True)
    attempt_count = fields.Integer("Attempts", readonly=True)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Very High"), ("3", "Urgent")],
        default="0",
        index=True,
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("scheduled", "Scheduled"),
            ("closed", "Closed"),
            ("do_not_call", "Do not call"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
        help="Queued: callable now. Scheduled: waits for its follow-up date. "
        "Closed: finished. Do not call: the contact asked not to be called.",
    )
    interaction_ids = fields.One2many("call.interaction", "member_id", string="History")
    call_activity_ids = fields.One2many(
        "mail.activity", "call_member_id", string="Pending Call", readonly=True
    )
    company_id = fields.Many2one(
        related="campaign_id.company_id", store=True, index=True
    )

    _sql_constraints = [
        (
            "partner_campaign_uniq",
            "UNIQUE(campaign_id, partner_id)",
            "A contact can be only once in a campaign.",
        ),
        (
            "attempt_count_positive",
            "CHECK(attempt_count >= 0)",
            "Attempts cannot be negative.",
        ),
    ]

    def init(self):
        # “Next call” walks these in queue order and stops at the first free row
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_queue_idx
               ON call_campaign_member
                  (campaign_id, priority DESC, next_call_date ASC NULLS FIRST, id)
               WHERE active AND state IN ('queued', 'scheduled')"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_priority_idx
               ON call_campaign_member
                  (campaign_id, priority DESC, next_call_date ASC NULLS FIRST, id)
               WHERE active AND behavior = 'priority' AND state IN ('queued', 'scheduled')"""
        )
        # lists in the model's default order stop after one page
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_order_idx
               ON call_campaign_member (priority DESC, next_call_date, id)"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_callback_idx
               ON call_campaign_member (user_id, next_call_date)
               WHERE active AND behavior = 'my_record'"""
        )

    @api.depends("partner_id.name", "campaign_id.name")
    def _compute_display_name(self):
        for member in self:
            member.display_name = member.partner_id.display_name or ""

    @api.depends("status_id.behavior", "next_call_date")
    def _compute_state(self):
        for member in self:
            behavior = member.status_id.behavior
            if behavior == "closed":
                member.state = "closed"
            elif behavior == "do_not_call":
                member.state = "do_not_call"
            elif member.next_call_date:
                member.state = "scheduled"
            else:
                member.state = "queued"

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        campaign_id = self.env.context.get("default_campaign_id")
        if not campaign_id:
            return stages
        return stages.search([("campaign_id", "=", campaign_id)])

    @api.constrains("stage_id", "campaign_id")
    def _check_stage_campaign(self):
        for member in self:
            if member.stage_id and member.stage_id.campaign_id != member.campaign_id:
                raise ValidationError(
                    _(
                        "%(member)s: the stage “%(stage)s” is not a stage of the campaign "
                        "“%(campaign)s”.",
                        member=member.display_name,
                        stage=member.stage_id.name,
                        campaign=member.campaign_id.name,
                    )
                )

    @api.constrains("lead_id", "partner_id")
    def _check_lead_partner(self):
        for member in self:
            if (
                member.lead_id
                and member.lead_id.partner_id
                not in (
                    member.partner_id,
                    member.partner_id.commercial_partner_id,
                )
                and member.lead_id.partner_id
            ):
                raise ValidationError(
                    _(
                        "%(member)s: the lead “%(lead)s” belongs to another contact.",
                        member=member.display_name,
                        lead=member.lead_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        campaigns = self.env["call.campaign"].browse(
            {vals["campaign_id"] for vals in vals_list if vals.get("campaign_id")}
        )
        self._check_partners_callable(
            self.env["res.partner"].browse(
                {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
            )
        )
        first_stage = {c.id: c.stage_ids[:1].id for c in campaigns}
        now = fields.Datetime.now()
        for vals in vals_list:
            campaign = campaigns.browse(vals.get("campaign_id"))
            if not vals.get("status_id"):
                status = (
                    campaign.default_status_id
                    or campaign.status_ids.filtered(
                        lambda s: s.behavior == "to_call" and not s.hidden
                    )[:1]
                )
                if not status:
                    raise UserError(
                        _(
                            "The campaign “%s” has no default status: choose one on the "
                            "campaign before adding members.",
                            campaign.name,
                        )
                    )
                vals["status_id"] = status.id
            if "stage_id" not in vals and campaign:
                vals["stage_id"] = first_stage.get(campaign.id) or False
            vals.setdefault("status_date", now)
            self._check_offered_by(
                campaign,
                self.env["call.status"].browse(vals["status_id"]),
                self.env["res.partner"].browse(vals.get("partner_id")).display_name,
            )
        members = super().create(vals_list)
        self.env["call.interaction"].create(
            [member._prepare_interaction_vals("added") for member in members]
        )
        return members

    def write(self, vals):
        if "campaign_id" in vals and not self.env.context.get("call_campaign_forward"):
            raise UserError(_("Use “Forward” to move members to another campaign."))
        previous_users = {m.id: m.user_id for m in self} if "user_id" in vals else {}
        previous_stages = {m.id: m.stage_id for m in self} if "stage_id" in vals else {}
        res = super().write(vals)
        if "user_id" in vals or "active" in vals:
            self._sync_call_activities()
        if self.env.context.get("call_campaign_no_history"):
            return res
        interactions = []
        for member in self:
            if "user_id" in vals and previous_users[member.id] != member.user_id:
                kind = "assigned" if member.user_id else "unassigned"
                interactions.append(
                    member._prepare_interaction_vals(
                        kind,
                        from_user_id=previous_users[member.id].id,
                        to_user_id=member.user_id.id,
                    )
                )
            if "stage_id" in vals and previous_stages[member.id] != member.stage_id:
                interactions.append(
                    member._prepare_interaction_vals(
                        "stage_change", previous_stage_id=previous_stages[member.id].id
                    )
                )
        if interactions:
            self.env["call.interaction"].create(interactions)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if (
            self.env["call.interaction"]
            .sudo()
            .search_count([("member_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                _(
                    "Members with a call history cannot be deleted: archive them instead."
                )
            )

    @api.model
    def _cron_schedule_calls(self, batch_size=1000, max_batches=None):
        """Give a pending call to members that should have one and do not:
        imported with a follow-up date, activity lost, cyclic re-contact due.

        Works through the due members in id order, a batch at a time: each
        batch commits (outside tests) and reports its progress, and never
        reads again the members the batches before it handled.

        Safe to run twice and from two workers: ir.cron runs one job in one
        worker at a time (its row is locked with SKIP LOCKED), the domain skips
        members that already have a pending call, and the partial unique index
        ``mail_activity_call_member_pending_uniq`` makes the database refuse a
        second pending call for a member whatever creates it."""
        now = fields.Datetime.now()
        for batch_ids in split_every(
            batch_size, self.search(self._cyclic_due_domain()).ids
        ):
            self.browse(batch_ids)._plan_cyclic_calls(now)
            self._cron_commit()
        domain = self._schedule_due_domain(
            now + timedelta(days=self._schedule_horizon_days())
        )
        total = self.search_count(domain)
        scheduled = self.browse()
        last_id = 0
        while not max_batches or len(scheduled) < max_batches * batch_size:
            members = self.search(
                domain + [("id", ">", last_id)], order="id", limit=batch_size
            )
            if not members:
                break
            members._sync_call_activities()
            scheduled |= members
            last_id = members[-1].id
            self.env["ir.cron"]._notify_progress(
                done=len(scheduled), remaining=max(total - len(scheduled), 0)
            )
            self._cron_commit()
        return scheduled

    @api.model
    def _cron_commit(self):
        """Keep a cron's finished batches, except inside a test's transaction."""
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_retry_calls(self, batch_size=1000):
        """Members under an automatic status (busy, no answer...) whose retry
        delay has passed go back to the queue; those that used up the status's
        retries move to its exhausted status. A second run finds nothing: both
        leave the "scheduled and due" state the domain looks for."""
        domain = [
            ("active", "=", True),
            ("status_id.auto_outcome", "!=", False),
            ("state", "=", "scheduled"),
            ("next_call_date", "<=", fields.Datetime.now()),
        ]
        members = self.search(domain, limit=batch_size)
        exhausted = members.filtered(
            lambda m: (
                m.status_id.max_attempts and m.attempt_count >= m.status_id.max_attempts
            )
        )
        exhausted._apply_exhausted_status()
        (members - exhausted).with_context(call_campaign_no_history=True).write(
            {"next_call_date": False}
        )
        self.env["ir.cron"]._notify_progress(
            done=len(members), remaining=self.search_count(domain)
        )
        return members

    @api.model
    def _cron_release_callbacks(self, batch_size=1000):
        """“My record” callbacks left overdue by their agent longer than the
        campaign's release delay go back to the pool; the history says so."""
        now = fields.Datetime.now()
        campaigns = self.env["call.campaign"].search(
            [("state", "=", "running"), ("release_delay", ">", 0)]
        )
        if not campaigns:
            return self.browse()
        domain = [
            ("active", "=", True),
            ("status_id.behavior", "=", "my_record"),
            ("user_id", "!=", False),
        ] + expression.OR(
            [
                [
                    ("campaign_id", "=", campaign.id),
                    (
                        "next_call_date",
                        "<",
                        now - timedelta(hours=campaign.release_delay),
                    ),
                ]
                for campaign in campaigns
            ]
        )
        members = self.search(domain, limit=batch_size)
        self.env["call.interaction"].create(
            [
                member._prepare_interaction_vals(
                    "released",
                    from_user_id=member.user_id.id,
                    note=_(
                        "Callback overdue for more than %s hours: back to the pool.",
                        member.campaign_id.release_delay,
                    ),
                )
                for member in members
            ]
        )
        members.with_context(call_campaign_no_history=True).write({"user_id": False})
        self.env["ir.cron"]._notify_progress(
            done=len(members), remaining=self.search_count(domain)
        )
        return members

    @api.returns("call.interaction")
    def set_status(self, status, next_call_date=None, reason=None, note=None):
        """Change the status of these members: the one service every status
        change goes through. Returns the interactions written (ids over RPC)."""
        status = self._browse_arg("call.status", status)
        reason = self._browse_arg("call.status.reason", reason)
        return self._set_status(status, next_call_date, reason=reason, note=note)

    @api.model
    @api.returns("self", lambda member: member.id or False)
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
        user = self.env.user
        campaigns = self.env["call.campaign"].search(
            [("state", "=", "running"), ("agent_ids", "in", user.id)]
            + ([("id", "in", list(campaign_ids))] if campaign_ids else [])
        )
        if not campaigns:
            return self.browse()
        self.env.flush_all()
        now = fields.Datetime.now()
        open_pairs = campaigns._calling_open_pairs(now)
        for tier in ("own_callbacks", "priority", "rest"):
            member = self._next_candidate(campaigns, tier, now, open_pairs)
            if member:
                member._reserve(now)
                return member
        return self.browse()

    def register_call_outcome(self, outcome, duration=0, note=None):
        """A dialer reports a call attempt on these members: the attempt is
        counted and, unless answered, the campaign's automatic status for the
        outcome applies with its retry rules. Returns the interaction ids."""
        valid = dict(OUTCOMES)
        if outcome not in valid:
            raise UserError(
                _(
                    "Unknown call outcome “%(outcome)s”. Valid outcomes: %(valid)s.",
                    outcome=outcome,
                    valid=", ".join(valid),
                )
            )
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
            raise UserError(
                _("The call duration must be a whole number of seconds, 0 or more.")
            )
        self._register_contact()
        call_vals = {"outcome": outcome, "duration": duration}
        interactions = self.env["call.interaction"]
        plain = self.browse()
        for campaign, members in self.grouped("campaign_id").items():
            status = (
                campaign.status_ids.filtered(lambda s: s.auto_outcome == outcome)[:1]
                if outcome != "answered"
                else False
            )
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
                    system=True,
                )
            retry = members - exhausted
            if retry:
                date = fields.Datetime.now() + timedelta(minutes=status.retry_delay)
                interactions |= retry._set_status(
                    status,
                    date if status.retry_delay else None,
                    note=note,
                    kind="outcome",
                    extra_vals=call_vals,
                    system=True,
                )
        if plain:
            interactions |= self.env["call.interaction"].create(
                [
                    member._prepare_interaction_vals(
                        "outcome",
                        note=note or False,
                        previous_status_id=member.status_id.id,
                        **call_vals,
                    )
                    for member in plain
                ]
            )
        return interactions.ids

    @api.model
    def action_next_call(self):
        """Menu entry: the next member of any campaign the agent works in."""
        return self.next_for_agent()._action_open_next_call()

    def _action_open_next_call(self):
        if not self:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _("Nobody to call now"),
                    "message": _("No member of your campaigns is due at this time."),
                    "type": "info",
                    "sticky": False,
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Next Call"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_set_status(self):
        """Button of the form: opens the log wizard on these members."""
        return self._action_log_call(
            {"active_ids": self.ids, "active_model": self._name}
        )

    def action_reopen(self):
        """Managers give a closed member back to the queue."""
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise UserError(_("Only a call manager can reopen a closed member."))
        for campaign, members in self.grouped("campaign_id").items():
            status = (
                campaign.default_status_id
                or campaign.status_ids.filtered(lambda s: s.behavior == "to_call")[:1]
            )
            if not status:
                raise UserError(
                    _(
                        "The campaign “%s” has no status to reopen members with.",
                        campaign.name,
                    )
                )
            members._set_status(status, None)
        return True

    @api.model
    def _from_active_context(self):
        """The members a list or form action was started on (wizard default)."""
        if self.env.context.get("active_model") == self._name:
            return self.browse(self.env.context.get("active_ids"))
        return self.browse()

    def _action_log_call(self, context):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_log_action"
        ) | {"context": context}

    @api.model
    def _browse_arg(self, model, value):
        """Accept a record or an id (RPC callers pass ids)."""
        if not value:
            return self.env[model]
        record = (
            value
            if isinstance(value, models.BaseModel)
            else self.env[model].browse(int(value))
        )
        if record._name != model or not record.exists():
            raise UserError(
                _("%(model)s %(value)s does not exist.", model=model, value=value)
            )
        return record

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
    ):
        """Check, update the members, write the history. ``system`` is set by
        automatic callers (dialer, crons): they may use hidden statuses, and
        their dates are moved into calling hours instead of refused.
        ``extra_vals`` go on every interaction, ``member_vals`` (by member id)
        on each one's. A “My record” status assigns the members to
        ``assign_to``, else to the agent who sets it."""
        if not self:
            return self.env["call.interaction"]
        reason = reason or self.env["call.status.reason"]
        date = (
            fields.Datetime.to_datetime(next_call_date).replace(microsecond=0)
            if next_call_date
            else None
        )
        if (
            status.hidden
            and not system
            and not self.env.user.has_group("call_campaign.group_call_manager")
        ):
            raise UserError(
                _(
                    "The status “%s” is kept for the system and cannot be chosen.",
                    status.name,
                )
            )
        self._check_status_change(status, date, reason)
        dates = self._get_follow_up_dates(status, date, strict=not system)
        vals = {
            "status_id": status.id,
            "status_date": fields.Datetime.now(),
            "reserved_user_id": False,
            "reserved_until": False,
        }
        if status.behavior == "my_record":
            if assign_to:
                vals["user_id"] = assign_to.id
            elif not system and self.env.user.has_group(
                "call_campaign.group_call_agent"
            ):
                vals["user_id"] = self.env.user.id
        previous = {m.id: m.status_id for m in self}
        by_date = defaultdict(list)
        for member in self:
            by_date[dates[member.id]].append(member.id)
        for follow_up, member_ids in by_date.items():
            self.browse(member_ids).with_context(call_campaign_no_history=True).write(
                dict(vals, next_call_date=follow_up or False)
            )
        self._sync_call_activities()
        interaction_vals = [
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
        if status.behavior == "do_not_call":
            self._blacklist_numbers(note)
        return self.env["call.interaction"].create(interaction_vals)

    def _register_contact(self, date=None):
        """A contact happened: one write per distinct attempt count."""
        date = date or fields.Datetime.now()
        for count, members in self.grouped("attempt_count").items():
            members.with_context(call_campaign_no_history=True).write(
                {"last_call_date": date, "attempt_count": count + 1}
            )

    def _check_status_offered(self, status):
        for campaign, members in self.grouped("campaign_id").items():
            self._check_offered_by(campaign, status, members[0].display_name)

    @api.model
    def _check_offered_by(self, campaign, status, who):
        if status not in campaign.status_ids:
            raise UserError(
                _(
                    "%(member)s: the status “%(status)s” is not offered by the "
                    "campaign “%(campaign)s”.",
                    member=who,
                    status=status.name,
                    campaign=campaign.name,
                )
            )

    def _check_status_change(self, status, date, reason):
        """Every rule a status change must pass, checked before anything is written."""
        if not status:
            raise UserError(_("A status is required."))
        if not status.active:
            raise UserError(_("The status “%s” is archived.", status.name))
        self._check_status_offered(status)
        if status.applies_to != "both":
            wrong = self.filtered(
                lambda m: bool(m.lead_id) != (status.applies_to == "lead")
            )
            if wrong:
                target = _("leads") if status.applies_to == "lead" else _("contacts")
                raise UserError(
                    _(
                        "%(member)s: the status “%(status)s” applies to %(target)s only.",
                        member=wrong[0].display_name,
                        status=status.name,
                        target=target,
                    )
                )
        if reason and reason.status_id != status:
            raise UserError(
                _(
                    "The reason “%(reason)s” belongs to the status “%(other)s”, "
                    "not to “%(status)s”.",
                    reason=reason.name,
                    other=reason.status_id.name,
                    status=status.name,
                )
            )
        if date:
            if status.behavior not in DATED_BEHAVIORS:
                raise UserError(
                    _(
                        "The status “%s” takes no follow-up date: remove the date.",
                        status.name,
                    )
                )
            if date < fields.Datetime.now() - PAST_TOLERANCE:
                raise UserError(
                    _(
                        "The follow-up date %s is in the past.",
                        fields.Datetime.to_string(date),
                    )
                )
        elif status.date_required:
            raise UserError(
                _("The status “%s” requires a follow-up date.", status.name)
            )
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            final = self.filtered(lambda m: m.status_id.behavior in FINAL_BEHAVIORS)
            if final:
                raise UserError(
                    _(
                        "%(member)s is %(state)s: only a call manager can reopen it.",
                        member=final[0].display_name,
                        state=final[0]
                        ._fields["state"]
                        .convert_to_export(final[0].state, final[0]),
                    )
                )
        if status.behavior not in FINAL_BEHAVIORS:
            self._check_partners_callable(self.partner_id)

    @api.model
    def _check_partners_callable(self, partners):
        blacklisted = partners.filtered_domain(
            [("phone_sanitized_blacklisted", "=", True)]
        )
        if blacklisted:
            raise UserError(
                _(
                    "%s is on the phone blacklist (do not call): a manager must remove "
                    "the number from the blacklist first.",
                    blacklisted[0].display_name,
                )
            )

    def _blacklist_numbers(self, note=None):
        numbers = set()
        for partner in self.partner_id:
            for fname in ("mobile", "phone"):
                if partner[fname]:
                    numbers.add(partner._phone_format(fname=fname) or partner[fname])
        if numbers:
            self.env["phone.blacklist"].sudo()._add(
                sorted(numbers), message=note or _("Do not call (call campaign).")
            )

    def _prepare_interaction_vals(self, kind, **values):
        self.ensure_one()
        return {
            "kind": kind,
            "member_id": self.id,
            "campaign_id": self.campaign_id.id,
            "partner_id": self.partner_id.id,
            "lead_id": self.lead_id.id,
            "user_id": self.env.user.id,
            "status_id": self.status_id.id,
            "stage_id": self.stage_id.id,
            **values,
        }

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
                    _(
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

    def _sync_call_activities(self):
        """Make the pending call activity of each member match its status:
        one call on the follow-up date for statuses that schedule calls (moved,
        never duplicated), none otherwise."""
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
        )
        pending = Activity.search([("call_member_id", "in", self.ids)])
        pending_by_member = {
            activity.call_member_id.id: activity for activity in pending
        }
        to_cancel = Activity
        to_create = []
        to_write = defaultdict(lambda: Activity)
        default_type = self.env.ref("call_campaign.mail_activity_type_call")
        for member in self:
            activity = pending_by_member.get(member.id)
            if not member._needs_call_activity():
                to_cancel |= activity or Activity
                continue
            vals = member._prepare_call_activity_vals(default_type)
            if not activity:
                to_create.append(vals)
                continue
            changes = {
                key: value
                for key, value in vals.items()
                if key in ("date_deadline", "user_id", "summary")
                and activity._fields[key].convert_to_write(activity[key], activity)
                != value
            }
            if changes:
                to_write[tuple(sorted(changes.items()))] |= activity
        to_cancel.unlink()
        for changes, activities in to_write.items():
            activities.write(dict(changes))
        created = Activity.create(to_create)
        if created:
            members = {member.id: member for member in self}
            self.env["call.interaction"].create(
                [
                    members[activity.res_id]._prepare_interaction_vals(
                        "scheduled",
                        next_call_date=members[activity.res_id].next_call_date,
                        to_user_id=activity.user_id.id,
                    )
                    for activity in created
                ]
            )
        return created

    def _needs_call_activity(self):
        self.ensure_one()
        return bool(
            self.active
            and self.status_id.schedule_call
            and self.next_call_date
            and self.state == "scheduled"
        )

    def _prepare_call_activity_vals(self, default_type):
        self.ensure_one()
        tz = pytz.timezone(self._get_call_tz())
        status = self.status_id
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": (status.activity_type_id or default_type).id,
            "summary": status.activity_summary or status.name,
            "date_deadline": pytz.utc.localize(self.next_call_date)
            .astimezone(tz)
            .date(),
            "user_id": (self.user_id or self.campaign_id.user_id or self.env.user).id,
        }

    def _on_call_done(self, feedback=None):
        """The pending call was marked done: it was a contact. Cyclic statuses
        plan the next call their delay after this contact."""
        now = fields.Datetime.now()
        self._register_contact(now)
        self.env["call.interaction"].create(
            [
                member._prepare_interaction_vals(
                    "call",
                    previous_status_id=member.status_id.id,
                    note=html2plaintext(feedback) if feedback else False,
                )
                for member in self
            ]
        )
        for status, members in self.grouped("status_id").items():
            if status.cyclic:
                dates = members._get_follow_up_dates(status, None)
            else:
                dates = dict.fromkeys(members.ids, False)
            by_date = defaultdict(list)
            for member in members:
                by_date[dates[member.id]].append(member.id)
            for follow_up, member_ids in by_date.items():
                self.browse(member_ids).with_context(
                    call_campaign_no_history=True
                ).write({"next_call_date": follow_up})
        self._sync_call_activities()

    @api.model
    def _schedule_horizon_days(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("call_campaign.schedule_horizon_days", 7)
        )

    @api.model
    def _schedule_due_domain(self, horizon):
        return [
            ("active", "=", True),
            ("campaign_id.state", "=", "running"),
            ("status_id.schedule_call", "=", True),
            ("state", "=", "scheduled"),
            ("next_call_date", "<=", horizon),
            ("call_activity_ids", "=", False),
        ]

    @api.model
    def _cyclic_due_domain(self):
        return [
            ("active", "=", True),
            ("campaign_id.state", "=", "running"),
            ("status_id.cyclic", "=", True),
            ("state", "=", "queued"),
        ]

    def _plan_cyclic_calls(self, now):
        """Cyclic members without a follow-up date: their delay after the last
        contact (now when overdue), moved into calling hours."""
        slots = {}
        by_date = defaultdict(list)
        for member in self:
            last = member.last_call_date or member.status_date or now
            base = max(now, last + timedelta(days=member.status_id.delay_days))
            key = (member.campaign_id, member._get_call_tz(), base)
            if key not in slots:
                slots[key] = member.campaign_id._next_calling_slot(base, key[1])
            by_date[slots[key]].append(member.id)
        for follow_up, member_ids in by_date.items():
            self.browse(member_ids).with_context(call_campaign_no_history=True).write(
                {"next_call_date": follow_up}
            )

    def _apply_exhausted_status(self):
        for status, members in self.grouped("status_id").items():
            members._set_status(
                status.exhausted_status_id,
                None,
                note=_("No more retries after %s attempts.", status.max_attempts),
                system=True,
            )

    @api.model
    def _next_candidate(self, campaigns, tier, now, open_pairs):
        """One due member of the tier, locked for this transaction."""
        uid = self.env.uid
        conditions = [
            SQL("m.active"),
            SQL("m.campaign_id IN %s", tuple(campaigns.ids)),
            SQL("m.state IN ('queued', 'scheduled')"),
            SQL("(m.next_call_date IS NULL OR m.next_call_date <= %s)", now),
            SQL("(m.reserved_until IS NULL OR m.reserved_until < %s)", now),
            # the blacklisted contacts are few: one hashed sub-plan, not a
            # join over every contact
            SQL(
                """m.partner_id NOT IN (
                       SELECT p.id FROM res_partner p
                         JOIN phone_blacklist bl ON bl.number = p.phone_sanitized
                        WHERE bl.active)"""
            ),
        ]
        if tier == "own_callbacks":
            conditions += [SQL("m.behavior = 'my_record'"), SQL("m.user_id = %s", uid)]
        elif tier == "priority":
            conditions += [
                SQL("m.behavior = 'priority'"),
                SQL("(m.user_id IS NULL OR m.user_id = %s)", uid),
            ]
        else:
            conditions += [
                SQL("m.behavior NOT IN ('priority', 'my_record')"),
                SQL("(m.user_id IS NULL OR m.user_id = %s)", uid),
            ]
        if open_pairs is not None:
            closed_campaigns = tuple(open_pairs["restricted"]) or (0,)
            pairs = tuple(open_pairs["open"]) or ((0, ""),)
            conditions.append(
                SQL(
                    """(m.campaign_id NOT IN %s OR (m.campaign_id, COALESCE(
                           (SELECT p.tz FROM res_partner p WHERE p.id = m.partner_id),
                           c.tz, cp.tz, 'UTC')) IN %s)""",
                    closed_campaigns,
                    pairs,
                )
            )
        tried = []
        while True:
            self.env.cr.execute(
                SQL(
                    """SELECT m.id FROM call_campaign_member m
                         JOIN call_campaign c ON c.id = m.campaign_id
                         JOIN res_company co ON co.id = c.company_id
                         JOIN res_partner cp ON cp.id = co.partner_id
                        WHERE %s AND m.id != ALL(%s::int[])
                     ORDER BY m.priority DESC, m.next_call_date ASC NULLS FIRST, m.id
                        LIMIT %s""",
                    SQL(" AND ").join(conditions),
                    tried,
                    CANDIDATES_PER_READ,
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
        self.with_context(call_campaign_no_history=True).write(
            {
                "reserved_user_id": self.env.uid,
                "reserved_until": now + timedelta(minutes=minutes),
            }
        )
