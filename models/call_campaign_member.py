"""The member model: fields, create and the guarded write, assignment,
archiving and forwarding. The status service lives in
``call_campaign_member_status.py``, the pending calls and crons in
``call_campaign_member_scheduling.py``, the queue and dialer outcomes in
``call_campaign_member_queue.py``, attempts and numbers in
``call_campaign_member_pacing.py``, the callback limits and the managers'
callback tools in ``call_campaign_member_callbacks.py``."""

from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .call_guard import check_user_companies
from .call_interaction import CALL_KINDS
from .call_status import DATED_BEHAVIORS
from .public_method import DatetimeArg, RecordArg, public_method

# fields a user's write routes through the member's own operations, with history
ROUTED_FIELDS = frozenset({"status_id", "next_call_date", "user_id", "active"})
# what a user may write: the routed fields and the plain ones; every other
# field of the member (counters, reservations, derived figures, dates the
# system keeps...) only the member's operations write
USER_WRITE_FIELDS = ROUTED_FIELDS | {
    "stage_id",
    "priority",
    "lead_id",
    "expected_revenue",
}
# ... and create a member with
USER_CREATE_FIELDS = USER_WRITE_FIELDS | {"campaign_id", "partner_id"}


class CallCampaignMember(models.Model):
    """One customer in one campaign: exactly one current status at a time.

    The member is the only way in: the fields that carry the workflow change
    only through its own operations, which check the rules and write the
    history. A plain ``write`` of such a field by anybody (UI, import, RPC,
    another module) is handled per field:

    - ``status_id`` and ``next_call_date``: go through the status service
      (``_set_status``), with its checks and history;
    - ``user_id``: managers reassign with history (``_assign``); agents are
      refused (they hand a member over with Forward);
    - ``active``: managers archive or restore with history; agents are refused;
    - every other field of the add-on (``campaign_id`` moves with Forward;
      counters, reservations, derived figures, the dates the system keeps):
      refused, except to the superuser (data files and code running
      ``sudo()``, which no RPC caller can reach): default deny, see
      ``call_guard.py``.

    The operations themselves write through ``_write_workflow``, a private
    method. ``stage_id`` (within the campaign), ``priority`` and ``lead_id``
    are plain fields; a stage change is recorded in the history."""

    _name = "call.campaign.member"
    _description = "Call Campaign Member"
    _inherit = ["mail.thread", "mail.activity.mixin", "call.guard.mixin"]
    _order = "priority desc, next_call_date, id"
    _call_user_write_fields = USER_WRITE_FIELDS
    _call_user_create_fields = USER_CREATE_FIELDS
    _call_filled_fields = frozenset({"status_id"})
    _check_company_auto = True
    _rec_names_search = ["partner_id.name", "partner_id.phone", "partner_id.mobile"]

    active = fields.Boolean(default=True)
    campaign_id = fields.Many2one(
        "call.campaign",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    lead_id = fields.Many2one("crm.lead", index="btree_not_null", check_company=True)
    phone = fields.Char(related="partner_id.phone")
    mobile = fields.Char(related="partner_id.mobile")
    email = fields.Char(related="partner_id.email")
    stage_id = fields.Many2one(
        "call.campaign.stage",
        index=True,
        domain="[('campaign_id', '=', campaign_id)]",
        group_expand="_read_group_stage_ids",
        ondelete="restrict",
        check_company=True,
    )
    status_id = fields.Many2one(
        "call.status",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
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
        check_company=True,
    )
    next_call_date = fields.Datetime("Follow-up Date", index=True, readonly=True)
    last_call_date = fields.Datetime("Last Contact", readonly=True)
    attempt_count = fields.Integer("Attempts", readonly=True)
    result_pending = fields.Boolean(
        "Result to Log",
        readonly=True,
        help="A call was marked done without its result: log the result.",
    )
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
    script_html = fields.Html(
        "Script",
        compute="_compute_script_html",
        sanitize=False,
        help="The campaign's script filled in for this member, as the calling "
        "user sees it.",
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
        # the campaign figures and stage funnel read a campaign's members
        # from this index alone (an index-only scan), not from the table
        self.env.cr.execute("DROP INDEX IF EXISTS call_campaign_member_figures_idx")
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_health_idx
               ON call_campaign_member (campaign_id, stage_id)
                  INCLUDE (state, next_call_date, last_call_date, status_id,
                           attempt_count, reached_date)
               WHERE active"""
        )
        # the revenue figures read the few members with an opportunity
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_campaign_member_revenue_idx
               ON call_campaign_member (campaign_id)
                  INCLUDE (lead_outcome, lead_revenue, lead_won_revenue)
               WHERE lead_outcome IS NOT NULL AND active"""
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

    @api.depends_context("uid", "lang")
    @api.depends("campaign_id.script", "partner_id", "lead_id", "user_id")
    def _compute_script_html(self):
        for campaign, members in self.grouped("campaign_id").items():
            scripts = members._origin._render_script(campaign.script)
            for member in members:
                member.script_html = scripts.get(member._origin.id, False)

    def _render_script(self, template):
        """A script (campaign's or status's) filled in for these members, as
        the calling user reads it (``call.script``)."""
        return self.env["call.script"]._render(template, self)

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
                    self.env._(
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
                    self.env._(
                        "%(member)s: the lead “%(lead)s” belongs to another contact.",
                        member=member.display_name,
                        lead=member.lead_id.name,
                    )
                )

    @api.constrains("user_id", "campaign_id")
    def _check_agent(self):
        for campaign, members in self.grouped("campaign_id").items():
            campaign._check_agents(members.user_id)

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        if not self.env.su and any(not vals.get("active", True) for vals in vals_list):
            self._check_manager(
                self.env._("Only a call manager can archive or restore members.")
            )
        campaigns = self.env["call.campaign"].browse(
            {vals["campaign_id"] for vals in vals_list if vals.get("campaign_id")}
        )
        done = campaigns.filtered(lambda c: c.state == "done")
        if done:
            raise UserError(
                self.env._(
                    "The campaign “%s” is done: no member can be added.", done[0].name
                )
            )
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        )
        partners._check_call_allowed()
        # the customers' names for the checks' messages, in one batch
        names = {partner.id: partner.display_name for partner in partners}
        first_stage = {c.id: c.stage_ids[:1].id for c in campaigns}
        now = fields.Datetime.now()
        callbacks = Counter()
        # the users' members with a follow-up date, by status and date: their
        # calling hours are checked once they exist (the customer's time zone)
        dated = defaultdict(list)
        for index, vals in enumerate(vals_list):
            campaign = campaigns.browse(vals.get("campaign_id"))
            if not vals.get("status_id"):
                vals["status_id"] = campaign._get_default_status().id
            if "stage_id" not in vals and campaign:
                vals["stage_id"] = first_stage.get(campaign.id) or False
            vals.setdefault("status_date", now)
            status = self.env["call.status"].browse(vals["status_id"])
            who = names.get(vals.get("partner_id"), "")
            self._check_status_choice(campaign, status, who, bool(vals.get("lead_id")))
            date = DatetimeArg().convert(
                self.env, "next_call_date", vals.get("next_call_date")
            )
            if self.env.su:
                # data files and the add-on's operations (audiences, the add
                # wizard) bring members as they were
                if date and status.behavior not in DATED_BEHAVIORS:
                    self._check_follow_up_date(status, date)
            else:
                self._check_follow_up_date(status, date)
                if date:
                    dated[status, date].append(index)
            if status.behavior == "my_record" and vals.get("active", True):
                if (
                    not vals.get("user_id")
                    and not self.env.su
                    and self.env.user in campaign.agent_ids
                ):
                    # the callback is the agent's who sets it, as in the service
                    vals["user_id"] = self.env.uid
                self._check_callback_date(date, campaign, who)
                if vals.get("user_id"):
                    callbacks[
                        campaign, self.env["res.users"].browse(vals["user_id"])
                    ] += 1
        # an agent's new callbacks (Add Members spread over agents, imports)
        self.browse()._check_callback_room(callbacks)
        members = super().create(vals_list)
        for (status, date), positions in dated.items():
            members.browse([members[i].id for i in positions])._get_follow_up_dates(
                status, date
            )
        # members the audience brought in say so (only the add-on sets it)
        from_audience = members.filtered("audience_joined")
        from_audience._create_history("audience_join")
        (members - from_audience)._create_history("added")
        do_not_call = members.filtered(lambda m: m.behavior == "do_not_call")
        for status, dnc in do_not_call.grouped("status_id").items():
            dnc._apply_do_not_call(status, None)
        members.campaign_id._count_first_members()
        return members

    def write(self, vals):
        self._call_guard_write(vals)
        routed = ROUTED_FIELDS & set(vals)
        if "user_id" in vals or "active" in vals:
            self._check_manager(
                self.env._(
                    "Only a call manager can change the agent of a member: "
                    "hand it over with Forward."
                )
                if "user_id" in vals
                else self.env._("Only a call manager can archive or restore members.")
            )
        if vals.get("user_id"):
            # the campaign's callback limit, before anything is written
            self.filtered_domain(self._callback_domain())._check_callback_count(
                RecordArg("res.users").convert(self.env, "user_id", vals["user_id"])
            )
        plain = {fname: value for fname, value in vals.items() if fname not in routed}
        previous_stages = {m.id: m.stage_id for m in self} if "stage_id" in vals else {}
        res = super().write(plain) if plain or not routed else True
        for member in self.filtered(
            lambda m: "stage_id" in vals and previous_stages[m.id] != m.stage_id
        ):
            member._create_history(
                "stage_change", previous_stage_id=previous_stages[member.id].id
            )
        env = self.env
        date = DatetimeArg().convert(env, "next_call_date", vals.get("next_call_date"))
        if "active" in vals and not vals["active"]:
            self._set_active(False)
        if "user_id" in vals:
            self._assign(
                RecordArg("res.users").convert(env, "user_id", vals["user_id"])
            )
        if "status_id" in vals:
            status = RecordArg("call.status", required=True).convert(
                env, "status_id", vals["status_id"]
            )
            self._set_status(status, date)
        elif "next_call_date" in vals:
            for status, members in self.grouped("status_id").items():
                members._set_status(status, date)
        if "active" in vals and vals["active"]:
            self._set_active(True)
        return res

    def _write_workflow(self, vals):
        """The member's own operations write its workflow fields here,
        past the guard of ``write`` (they did the checks and the history)."""
        return super().write(vals)  # pylint: disable=super-method-mismatch

    def _state_label(self):
        self.ensure_one()
        return self._fields["state"].convert_to_export(self.state, self)

    @api.model
    def _call_refused_message(self, fname):
        label = self._fields[fname].get_description(self.env)["string"]
        return self.env._(
            "The field “%(field)s” of a campaign member changes only through its own "
            "operations (Log a Call, Set Status, Forward, Next Call, the dialer).",
            field=label,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if (
            self.env["call.interaction"]
            .sudo()
            .search_count([("member_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._(
                    "Members with a call history cannot be deleted: archive them instead."
                )
            )

    # ------------------------------------------------------------ operations

    def _check_manager(self, message):
        if not (
            self.env.su or self.env.user.has_group("call_campaign.group_call_manager")
        ):
            raise UserError(message)

    def _create_history(self, kind, **values):
        """One interaction of ``kind`` per member, written by the add-on."""
        return self.env["call.interaction"]._create_timeline_events(
            [member._prepare_interaction_vals(kind, **values) for member in self]
        )

    def _prepare_interaction_vals(self, kind, **values):
        self.ensure_one()
        if kind in CALL_KINDS and "phone_number" not in values:
            values["phone_number"] = self.dial_number or False
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

    def _assign(self, user, kind=None, note=None):
        """Give the members to ``user`` (an agent of their campaigns) or to
        nobody: the pending calls follow, the history says who from and to."""
        for campaign in self.campaign_id:
            campaign._check_agents(user)
        previous = {m.id: m.user_id for m in self}
        self._write_workflow({"user_id": user.id})
        self._sync_call_activities()
        for member in self.filtered(lambda m: previous[m.id] != m.user_id):
            member._create_history(
                kind or ("assigned" if user else "unassigned"),
                from_user_id=previous[member.id].id,
                to_user_id=user.id,
                note=note or False,
            )
        return True

    def _set_active(self, active):
        """Archive or restore with history; the pending call follows."""
        members = self.with_context(active_test=False).filtered(
            lambda m: m.active != active
        )
        if not members:
            return True
        members._write_workflow({"active": active})
        members._create_history("restored" if active else "archived")
        members._sync_call_activities()
        return True

    def _forward(self, user, campaign, status, next_call_date, reason=None, note=None):
        """Hand these members to another agent and/or campaign, always with a
        status update (seed 000), all or nothing. The forward wizard and any
        other caller go through here."""
        if not self:
            raise UserError(self.env._("Choose the members to forward."))
        if not status:
            raise UserError(
                self.env._("A forward always carries a status update: choose a status.")
            )
        # an agent may forward to a campaign they do not work in, of their
        # own companies
        campaign = campaign.sudo()
        check_user_companies(self.env, campaign.company_id, campaign.display_name)
        moving = self.filtered(lambda m: campaign and m.campaign_id != campaign)
        if not user and not moving:
            raise UserError(
                self.env._("Choose the agent or the campaign to forward to.")
            )
        self.check_access("write")
        date = fields.Datetime.to_datetime(next_call_date) if next_call_date else None
        # the rules the forward cannot bend (it runs as superuser below)
        self._check_status_change(
            status, date, reason or self.env["call.status.reason"], offered=False
        )
        if moving:
            if campaign.state == "done":
                raise UserError(
                    self.env._(
                        "The campaign “%s” is done: nobody can be forwarded to it.",
                        campaign.name,
                    )
                )
            already = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [
                        ("campaign_id", "=", campaign.id),
                        ("partner_id", "in", moving.partner_id.ids),
                    ],
                    limit=1,
                )
            )
            if already:
                raise UserError(
                    self.env._(
                        "%(contact)s is already a member of the campaign “%(campaign)s”.",
                        contact=already.partner_id.display_name,
                        campaign=campaign.name,
                    )
                )
        if user:
            for target in campaign or self.campaign_id:
                target._check_agents(user)
            if status.behavior == "my_record":
                # the target agent's callback limits, before anything moves
                self._check_callback_dates(dict.fromkeys(self.ids, date), campaign)
                self.filtered("active")._check_callback_count(user, campaign)
        # the members may leave the agent's record rules on the way: the
        # access was checked above, the history still names the agent
        members = self.sudo()
        previous = {m.id: (m.user_id, m.campaign_id) for m in members}
        with self.env.cr.savepoint():
            # moved without a new agent: the agent stays if they work in
            # the target campaign, else the member waits unassigned there
            for agent, moved in moving.sudo().grouped("user_id").items():
                moved._write_workflow(
                    {
                        "campaign_id": campaign.id,
                        "stage_id": campaign.stage_ids[:1].id,
                        "user_id": (user or agent & campaign.agent_ids).id,
                        "reserved_user_id": False,
                        "reserved_until": False,
                    }
                )
            if user:
                members._write_workflow({"user_id": user.id})
            interactions = members._set_status(
                status,
                next_call_date,
                reason=reason,
                note=note,
                kind="forward",
                assign_to=user,
                member_vals={
                    member.id: {
                        "from_user_id": previous[member.id][0].id,
                        "to_user_id": member.user_id.id,
                        "from_campaign_id": previous[member.id][1].id,
                        "to_campaign_id": member.campaign_id.id,
                    }
                    for member in members
                },
            )
        return interactions

    # ---------------------------------------------------------------- actions

    @public_method()
    def action_set_status(self):
        """Button of the form: opens the log wizard on these members."""
        return self._action_log_call(
            {"active_ids": self.ids, "active_model": self._name}
        )

    @public_method()
    def action_reopen(self):
        """Managers give a closed member back to the queue."""
        self._check_manager(
            self.env._("Only a call manager can reopen a closed member.")
        )
        for campaign, members in self.grouped("campaign_id").items():
            members._set_status(campaign._get_default_status(), None)
        return True

    @api.model
    def _from_active_context(self):
        """The members a list or form action was started on (wizard default)."""
        if self.env.context.get("active_model") == self._name:
            ids = self.env.context.get("active_ids") or []
            if isinstance(ids, list) and all(isinstance(i, int) for i in ids):
                return self.browse(ids).exists()
        return self.browse()

    @api.model
    def _open_membership_of(self, partner):
        """The membership a call logged from a contact or lead is about."""
        return self.search(
            [
                ("partner_id", "=", partner.id),
                ("state", "in", ("queued", "scheduled")),
            ],
            limit=1,
        )

    def _action_log_call(self, context):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_log_action"
        ) | {"context": context}
