from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import ormcache, split_every
from odoo.tools.misc import clean_context

from odoo.addons.base.models.res_partner import _tz_get

from .call_interaction import CALL_KINDS
from .call_script import SCRIPT_MODEL
from .call_status import FINAL_BEHAVIORS
from .public_method import public_method

# how far ahead calling hours are searched for an opening
CALLING_HOURS_HORIZON_DAYS = 31

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

    # ------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

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
        help="What agents say, shown on the call screen and the member's form. "
        "Insert a customer's or the member's data with the editor's Dynamic "
        "Placeholder command (type /): the agent reads it filled in, dates in "
        "their format and time zone, an empty value as its default or the "
        "field's name in brackets.",
    )
    script_model = fields.Char(
        compute="_compute_script_model",
        help="What the script's placeholders read (the editor's picker).",
    )
    member_ids = fields.One2many(
        "call.campaign.member", "campaign_id", string="Members"
    )
    agent_stat_ids = fields.One2many(
        "call.campaign.agent.stat", "campaign_id", string="Calls per Agent"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

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

    # ------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------

    def _compute_script_model(self):
        self.script_model = SCRIPT_MODEL

    @api.depends("status_action_ids")
    def _compute_has_status_action_overrides(self):
        for campaign in self:
            campaign.has_status_action_overrides = bool(campaign.status_action_ids)

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        for vals in vals_list:
            self.env["call.script"]._check_script(vals.get("script"))
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
        self.env["call.script"]._check_script(vals.get("script"))
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

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

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
        uncounted = self.filtered(lambda campaign: not campaign.health_date)
        for batch in split_every(MEMBER_CREATE_BATCH, vals_list, list):
            Member.create(batch)
            self.env.flush_all()
            self.env.invalidate_all()
        # the first batch counted them: count them again with all the added
        if uncounted and vals_list:
            uncounted.sudo()._refresh_health()
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
