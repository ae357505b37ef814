from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .call_status import DATED_BEHAVIORS, FINAL_BEHAVIORS

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
        "call.campaign", string="Campaign", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="restrict"
    )
    lead_id = fields.Many2one("crm.lead", string="Lead", index="btree_not_null")
    phone = fields.Char(related="partner_id.phone")
    mobile = fields.Char(related="partner_id.mobile")
    email = fields.Char(related="partner_id.email")
    stage_id = fields.Many2one(
        "call.campaign.stage",
        string="Stage",
        index=True,
        domain="[('campaign_id', '=', campaign_id)]",
        group_expand="_read_group_stage_ids",
        ondelete="restrict",
    )
    status_id = fields.Many2one(
        "call.status",
        string="Status",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        help="Changed only through the status service (buttons and wizards), "
        "so that every change is in the history.",
    )
    status_color = fields.Integer(related="status_id.color")
    behavior = fields.Selection(related="status_id.behavior")
    result = fields.Selection(related="status_id.result")
    status_date = fields.Datetime("Status Since", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Agent", index=True, tracking=True, domain="[('share', '=', False)]"
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
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "partner_campaign_uniq",
            "UNIQUE(campaign_id, partner_id)",
            "A contact can be only once in a campaign.",
        ),
        ("attempt_count_positive", "CHECK(attempt_count >= 0)", "Attempts cannot be negative."),
    ]

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
            if member.lead_id and member.lead_id.partner_id not in (
                member.partner_id,
                member.partner_id.commercial_partner_id,
            ) and member.lead_id.partner_id:
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
                status = campaign.default_status_id or campaign.status_ids.filtered(
                    lambda s: s.behavior == "to_call" and not s.hidden
                )[:1]
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
        members = super().create(vals_list)
        for status, status_members in members.grouped("status_id").items():
            status_members._check_status_offered(status)
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
        if self.env["call.interaction"].sudo().search_count(
            [("member_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                _("Members with a call history cannot be deleted: archive them instead.")
            )

    @api.returns("call.interaction")
    def set_status(self, status, next_call_date=None, reason=None, note=None):
        """Change the status of these members: the one service every status
        change goes through. Returns the interactions written (ids over RPC)."""
        status = self._browse_arg("call.status", status)
        reason = self._browse_arg("call.status.reason", reason)
        return self._set_status(status, next_call_date, reason=reason, note=note)

    def action_set_status(self):
        """Button of the form: opens the log wizard on these members."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_log_action"
        ) | {"context": {"active_ids": self.ids, "active_model": self._name}}

    def action_reopen(self):
        """Managers give a closed member back to the queue."""
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise UserError(_("Only a call manager can reopen a closed member."))
        for campaign, members in self.grouped("campaign_id").items():
            status = campaign.default_status_id or campaign.status_ids.filtered(
                lambda s: s.behavior == "to_call"
            )[:1]
            if not status:
                raise UserError(
                    _("The campaign “%s” has no status to reopen members with.", campaign.name)
                )
            members._set_status(status, None)
        return True

    @api.model
    def _browse_arg(self, model, value):
        """Accept a record or an id (RPC callers pass ids)."""
        if not value:
            return self.env[model]
        record = value if isinstance(value, models.BaseModel) else self.env[model].browse(int(value))
        if record._name != model or not record.exists():
            raise UserError(_("%(model)s %(value)s does not exist.", model=model, value=value))
        return record

    def _set_status(self, status, next_call_date, reason=None, note=None, kind="status_change",
                    extra_vals=None, system=False):
        """Check, update the members, write the history. ``system`` is set by
        automatic callers (dialer, crons) that may use hidden statuses and
        reopen nothing."""
        if not self:
            return self.env["call.interaction"]
        reason = reason or self.env["call.status.reason"]
        date = fields.Datetime.to_datetime(next_call_date) if next_call_date else None
        if status.hidden and not system and not self.env.user.has_group(
            "call_campaign.group_call_manager"
        ):
            raise UserError(
                _("The status “%s” is kept for the system and cannot be chosen.", status.name)
            )
        self._check_status_change(status, date, reason)
        now = fields.Datetime.now()
        if not date and status.behavior in DATED_BEHAVIORS and status.delay_days:
            date = now + timedelta(days=status.delay_days)
        vals = {
            "status_id": status.id,
            "status_date": now,
            "next_call_date": date if status.behavior in DATED_BEHAVIORS else False,
        }
        if status.behavior == "my_record" and self.env.user.has_group(
            "call_campaign.group_call_agent"
        ) and not system:
            vals["user_id"] = self.env.user.id
        previous = {m.id: m.status_id for m in self}
        self.with_context(call_campaign_no_history=True).write(vals)
        interaction_vals = [
            member._prepare_interaction_vals(
                kind,
                status_id=status.id,
                previous_status_id=previous[member.id].id,
                reason_id=reason.id,
                note=note or False,
                next_call_date=member.next_call_date,
                **(extra_vals or {}),
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
            if status not in campaign.status_ids:
                raise UserError(
                    _(
                        "%(member)s: the status “%(status)s” is not offered by the "
                        "campaign “%(campaign)s”.",
                        member=members[0].display_name,
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
            raise UserError(_("The status “%s” requires a follow-up date.", status.name))
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            final = self.filtered(lambda m: m.status_id.behavior in FINAL_BEHAVIORS)
            if final:
                raise UserError(
                    _(
                        "%(member)s is %(state)s: only a call manager can reopen it.",
                        member=final[0].display_name,
                        state=final[0]._fields["state"].convert_to_export(
                            final[0].state, final[0]
                        ),
                    )
                )
        if status.behavior not in FINAL_BEHAVIORS:
            self._check_partners_callable(self.partner_id)

    @api.model
    def _check_partners_callable(self, partners):
        blacklisted = partners.filtered_domain([("phone_sanitized_blacklisted", "=", True)])
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
