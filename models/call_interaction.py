from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools.misc import clean_context

from .call_status import OUTCOMES

KINDS = [
    ("added", "Added to campaign"),
    ("status_change", "Status changed"),
    ("forward", "Forwarded"),
    ("assigned", "Assigned"),
    ("unassigned", "Unassigned"),
    ("call", "Call logged"),
    ("scheduled", "Call scheduled"),
    ("outcome", "Call attempt"),
    ("stage_change", "Stage changed"),
    ("released", "Callback released"),
    ("call_cancelled", "Call cancelled"),
    ("skipped", "Skipped"),
    ("archived", "Archived"),
    ("restored", "Restored"),
    ("note", "Note"),
    ("timeout", "Status timed out"),
    ("status_action", "Status action"),
    ("opportunity", "Opportunity created"),
    ("mail_sent", "E-mail sent"),
    ("sms_sent", "SMS sent"),
    ("audience_join", "Joined from the audience"),
    ("audience_leave", "Left the audience"),
    ("connected", "Connected to an agent"),
    # CRM events of the customer timeline
    ("partner_created", "Contact created"),
    ("salesperson_assigned", "Salesperson assigned"),
    ("salesperson_removed", "Salesperson removed"),
    ("lead_created", "Lead created"),
    ("lead_stage", "Lead stage changed"),
    ("lead_won", "Lead won"),
    ("lead_lost", "Lead lost"),
    ("note_logged", "Note logged"),
    ("message_scheduled", "Message scheduled"),
]
# the events that are calls made (a result logged, or an attempt that did
# not reach): agents' call counts and "done today" count these
CALL_KINDS = ("call", "outcome")
# events that belong to a campaign (the others come from CRM and mail)
CAMPAIGN_KINDS = (
    "added",
    "status_change",
    "forward",
    "assigned",
    "unassigned",
    "call",
    "scheduled",
    "outcome",
    "stage_change",
    "released",
    "call_cancelled",
    "skipped",
    "archived",
    "restored",
    "note",
    "timeout",
    "status_action",
    "opportunity",
    "mail_sent",
    "sms_sent",
    "audience_join",
    "audience_leave",
    "connected",
)
# icon and colour (Odoo colour index) of each kind on the timeline
KIND_STYLES = {
    "added": ("fa-user-plus", 4),
    "status_change": ("fa-flag", 3),
    "forward": ("fa-share", 9),
    "assigned": ("fa-user", 10),
    "unassigned": ("fa-user-times", 1),
    "call": ("fa-phone", 10),
    "scheduled": ("fa-calendar", 4),
    "outcome": ("fa-tty", 2),
    "stage_change": ("fa-tasks", 8),
    "released": ("fa-undo", 2),
    "call_cancelled": ("fa-calendar-times-o", 1),
    "skipped": ("fa-forward", 2),
    "archived": ("fa-archive", 0),
    "restored": ("fa-undo", 4),
    "note": ("fa-sticky-note", 0),
    "timeout": ("fa-hourglass-end", 2),
    "status_action": ("fa-bolt", 6),
    "opportunity": ("fa-money", 10),
    "mail_sent": ("fa-envelope", 4),
    "sms_sent": ("fa-mobile", 4),
    "audience_join": ("fa-sign-in", 4),
    "audience_leave": ("fa-sign-out", 1),
    "connected": ("fa-headphones", 10),
    "partner_created": ("fa-address-card", 7),
    "salesperson_assigned": ("fa-user-circle", 10),
    "salesperson_removed": ("fa-user-times", 1),
    "lead_created": ("fa-handshake-o", 7),
    "lead_stage": ("fa-step-forward", 8),
    "lead_won": ("fa-trophy", 10),
    "lead_lost": ("fa-thumbs-down", 1),
    "note_logged": ("fa-pencil", 0),
    "message_scheduled": ("fa-clock-o", 6),
}


class CallInteraction(models.Model):
    """One event of a customer's history (the card index / timeline): the
    campaign events written by the member's services and the CRM events
    written by contact, lead and mail hooks. Never edited nor deleted: the
    history cannot be lost. Another app adds a source with a ``selection_add``
    on ``kind``, an entry in ``_timeline_styles`` and a hook that calls
    ``_create_timeline_events``."""

    _name = "call.interaction"
    _description = "Call Interaction"
    _inherit = ["call.guard.mixin"]
    _order = "date desc, id desc"
    _rec_name = "kind"

    kind = fields.Selection(KINDS, required=True, default="note", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    # joined (not sub-queried) by the source rule, see _readable_leaf
    member_id = fields.Many2one(
        "call.campaign.member", index=True, ondelete="restrict", auto_join=True
    )
    campaign_id = fields.Many2one("call.campaign", index=True, ondelete="restrict")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", ondelete="cascade", auto_join=True
    )
    lead_id = fields.Many2one("crm.lead", index="btree_not_null", auto_join=True)
    crm_stage_id = fields.Many2one(
        "crm.stage", string="Lead Stage", ondelete="set null"
    )
    previous_crm_stage_id = fields.Many2one(
        "crm.stage", string="Previous Lead Stage", ondelete="set null"
    )
    res_model = fields.Char("Source Model")
    res_id = fields.Many2oneReference("Source Record", model_field="res_model")
    kind_icon = fields.Char(compute="_compute_kind_style")
    kind_color = fields.Integer(compute="_compute_kind_style")
    user_id = fields.Many2one(
        "res.users", string="Agent", default=lambda self: self.env.user, index=True
    )
    status_id = fields.Many2one("call.status", ondelete="restrict")
    previous_status_id = fields.Many2one("call.status", ondelete="restrict")
    result = fields.Selection(related="status_id.result", store=True, string="Result")
    reason_id = fields.Many2one("call.status.reason", ondelete="restrict")
    stage_id = fields.Many2one("call.campaign.stage", ondelete="set null")
    previous_stage_id = fields.Many2one("call.campaign.stage", ondelete="set null")
    note = fields.Text()
    next_call_date = fields.Datetime("Follow-up Date")
    from_user_id = fields.Many2one("res.users", string="From Agent")
    to_user_id = fields.Many2one("res.users", string="To Agent")
    from_campaign_id = fields.Many2one("call.campaign")
    to_campaign_id = fields.Many2one("call.campaign")
    outcome = fields.Selection(OUTCOMES)
    phone_number = fields.Char("Number Dialled")
    attempt_result = fields.Selection(
        [("reached", "Reached"), ("not_reached", "Not reached")],
        compute="_compute_attempt_result",
        store=True,
        help="For call attempts: whether the customer answered.",
    )
    duration = fields.Integer(
        "Duration (seconds)", help="Talk time of the call: ring time is not in it."
    )
    call_id = fields.Many2one(
        "call.campaign.call", index="btree_not_null", ondelete="restrict"
    )
    call_summary = fields.Char(
        "Call Times",
        compute="_compute_call_facts",
        help="The dialled call's ring, talk and wrap-up times.",
    )
    call_recording_url = fields.Char("Recording", compute="_compute_call_facts")
    company_id = fields.Many2one(
        "res.company", related="campaign_id.company_id", store=True, index=True
    )
    lead_event = fields.Boolean(
        compute="_compute_lead_event",
        store=True,
        help="Mirrored from a lead: readable only by who may read the lead, "
        "and by nobody once the lead is deleted.",
    )
    source_readable = fields.Boolean(
        compute="_compute_source_readable",
        search="_search_source_readable",
        help="The current user may read what the event mirrors: the member "
        "(campaign events), the lead (lead events), else the contact.",
    )

    _sql_constraints = [
        (
            "duration_positive",
            "CHECK(duration >= 0)",
            "A call duration cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        # written by the add-on only: users have no create right (refused
        # first), and the shape is checked like everywhere
        self.check_access("create")
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def init(self):
        # the customer timeline reads a contact's (a lead's) newest events first
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_interaction_partner_date_idx
               ON call_interaction (partner_id, date DESC, id DESC)"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_interaction_lead_date_idx
               ON call_interaction (lead_id, date DESC, id DESC)
               WHERE lead_id IS NOT NULL"""
        )

    @api.depends("kind", "outcome")
    def _compute_attempt_result(self):
        for interaction in self:
            if interaction.kind not in CALL_KINDS:
                interaction.attempt_result = False
            elif interaction.kind == "call" or interaction.outcome == "answered":
                interaction.attempt_result = "reached"
            else:
                interaction.attempt_result = "not_reached"

    @api.depends("kind")
    def _compute_lead_event(self):
        # set once, when the event is written: a deleted lead empties
        # ``lead_id`` but the event stays a lead's
        for interaction in self:
            interaction.lead_event = interaction.kind not in CAMPAIGN_KINDS and bool(
                interaction.lead_id
            )

    @api.depends("kind", "lead_id", "partner_id", "member_id")
    @api.depends_context("uid")
    def _compute_source_readable(self):
        readable = set(
            self.sudo()
            .search([("id", "in", self.ids), *self._source_readable_domain()])
            .ids
        )
        for interaction in self:
            interaction.source_readable = interaction.id in readable

    def _search_source_readable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        readable = self._source_readable_domain()
        if (operator == "=") == value:
            return readable
        return ["!", *readable]

    @api.model
    def _source_readable_domain(self):
        """The one definition of who reads an event, used by the record rule
        ``call_interaction_rule_source`` (and so by the timeline tab, the call
        screen's history and every count): the user may read what the event
        mirrors, under that record's own rules, companies included —

        - a campaign event: its member (archived ones too), or the user
          wrote it (a forward out of their campaigns);
        - a lead's event: the lead, and nothing once the lead is deleted;
        - any other event (contact created, salesperson, a note or a
          scheduled message on the contact): the contact.

        Record rules are evaluated as superuser: the source's rules are read
        for the real user again."""
        campaign_kinds = list(CAMPAIGN_KINDS)
        return [
            "|",
            "|",
            "&",
            ("kind", "in", campaign_kinds),
            "|",
            ("user_id", "=", self.env.uid),
            self._readable_leaf("member_id"),
            "&",
            "&",
            ("kind", "not in", campaign_kinds),
            ("lead_event", "=", True),
            self._readable_leaf("lead_id"),
            "&",
            "&",
            ("kind", "not in", campaign_kinds),
            ("lead_event", "=", False),
            self._readable_leaf("partner_id"),
        ]

    @api.model
    def _readable_leaf(self, fname):
        """``fname`` points to a record the real user may read: that model's
        record rules for the user, joined on the event's row (``auto_join``:
        one row of the source per event, never a list of every readable
        contact, and no sub-plan per row)."""
        comodel = self.env(su=False)[self._fields[fname].comodel_name]
        if not comodel.has_access("read"):
            return expression.FALSE_LEAF
        rules = (
            self.env["ir.rule"]
            .with_env(comodel.env)
            ._compute_domain(comodel._name, "read")
        )
        return (fname, "any", rules) if rules else (fname, "!=", False)

    @api.depends("call_id")
    @api.depends_context("uid")
    def _compute_call_facts(self):
        """The call's figures for those who may read the call (agents their
        own calls): an event never shows a colleague's recording."""
        readable = self.call_id._filtered_access("read")
        for interaction in self:
            call = interaction.call_id & readable
            interaction.call_summary = call._summary() if call else False
            interaction.call_recording_url = call.recording_url or False

    @api.model
    def _timeline_styles(self):
        return KIND_STYLES

    @api.depends("kind")
    def _compute_kind_style(self):
        styles = self._timeline_styles()
        for interaction in self:
            icon, color = styles.get(interaction.kind, ("fa-circle", 0))
            interaction.kind_icon = icon
            interaction.kind_color = color

    @api.constrains("kind", "campaign_id", "partner_id", "lead_id")
    def _check_subject(self):
        for interaction in self:
            if interaction.kind in CAMPAIGN_KINDS and not (
                interaction.campaign_id and interaction.partner_id
            ):
                raise ValidationError(
                    self.env._("A campaign event needs its campaign and contact.")
                )
            if not (interaction.partner_id or interaction.lead_id):
                raise ValidationError(
                    self.env._("A timeline event needs a contact or a lead.")
                )

    @api.model
    def _create_timeline_events(self, vals_list):
        """The one way history is written: by the add-on's own operations,
        after they checked the caller's rights on the member (or for CRM/app
        events, whoever triggers them). Nobody creates, edits or deletes an
        interaction by hand: users have read access only."""
        if not vals_list:
            return self.browse()
        # the caller's default_* keys never reach the history
        interactions = self.with_env(
            self.env(context=clean_context(self.env.context), su=True)
        ).create(vals_list)
        calls = interactions.filtered(lambda i: i.kind in CALL_KINDS and i.partner_id)
        for company, company_calls in calls.grouped(
            lambda i: i.company_id or self.env.company
        ).items():
            if company.call_pressure_per_day or company.call_pressure_per_week:
                company_calls.partner_id._update_call_pressure(company)
        return interactions

    @api.depends("kind", "status_id", "member_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for interaction in self:
            parts = [kinds.get(interaction.kind, "")]
            if interaction.status_id:
                parts.append(interaction.status_id.name)
            interaction.display_name = " – ".join(p for p in parts if p)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The call history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("The call history cannot be deleted."))
