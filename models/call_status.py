from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .call_script import SCRIPT_MODEL

BEHAVIORS = [
    ("to_call", "To call"),
    ("my_record", "My record"),
    ("not_before", "Contact not before"),
    ("priority", "Call with priority"),
    ("closed", "Closed"),
    ("do_not_call", "Do not call"),
]
RESULTS = [
    ("success", "Success"),
    ("failure", "Failure"),
    ("scheduled", "Scheduled"),
    ("neutral", "Neutral"),
]
OUTCOMES = [
    ("answered", "Answered"),
    ("busy", "Busy"),
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
    ("failed", "Failed"),
    ("dropped", "Dropped"),
    ("invalid_number", "Invalid number"),
]
# the attempts an agent logs by hand on the call screen (the dialer reports
# the others)
MANUAL_OUTCOMES = ("no_answer", "busy", "voicemail", "invalid_number")
# behaviours that end the calling for a member
FINAL_BEHAVIORS = ("closed", "do_not_call")
# behaviours for which a follow-up date means something
DATED_BEHAVIORS = ("to_call", "my_record", "not_before")
# what a (manager) user sets on a status: all of it but what is derived
USER_FIELDS = frozenset(
    {
        "name",
        "sequence",
        "color",
        "active",
        "hidden",
        "applies_to",
        "behavior",
        "result",
        "refusal",
        "reason_ids",
        "schedule_call",
        "delay_days",
        "cyclic",
        "date_required",
        "activity_type_id",
        "activity_summary",
        "auto_outcome",
        "retry_delay",
        "max_attempts",
        "exhausted_status_id",
        "action_ids",
        "timeout_days",
        "timeout_status_id",
        "script",
        "add_to_new_campaigns",
        "campaign_id",
        "company_id",
    }
)


class CallStatus(models.Model):
    """An entry of the status reference book: what an agent records after a
    contact, and what the system does next with the member."""

    _name = "call.status"
    _description = "Call Status"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = USER_FIELDS
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    hidden = fields.Boolean(
        help="Kept for the system (automatic outcomes, exhausted retries) "
        "but not offered to agents."
    )
    applies_to = fields.Selection(
        [("lead", "Leads"), ("partner", "Contacts"), ("both", "Leads and contacts")],
        required=True,
        default="both",
        help="A lead status can only be set on members with a lead, a contact "
        "status only on members without one.",
    )
    behavior = fields.Selection(
        BEHAVIORS,
        string="Behaviour",
        required=True,
        default="to_call",
        help="Tells the system if, when and to whom the next call is offered.",
    )
    result = fields.Selection(RESULTS, required=True, default="neutral")
    refusal = fields.Boolean(
        help="The customer refused the call (not interested, do not call): "
        "compliance rules with a pause after a refusal keep every campaign "
        "from calling them until it ends.",
    )
    reason_ids = fields.One2many("call.status.reason", "status_id", string="Reasons")
    schedule_call = fields.Boolean(
        help="Setting this status plans a phone call activity on the follow-up date."
    )
    delay_days = fields.Integer(
        "Delay (days)",
        help="Follow-up date proposed when the agent gives none: now + this delay.",
    )
    cyclic = fields.Boolean(
        help="After each contact, the next call is planned again after the delay."
    )
    date_required = fields.Boolean(help="The agent must give a follow-up date.")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        domain="[('category', '=', 'phonecall')]",
        help="Type of the planned call activity; the add-on's phone call type "
        "when empty.",
    )
    activity_summary = fields.Char(translate=True)
    auto_outcome = fields.Selection(
        [o for o in OUTCOMES if o[0] != "answered"],
        string="Set Automatically On",
        help="Dialer outcome for which the campaign sets this status by itself.",
    )
    retry_delay = fields.Integer(
        "Retry Delay (minutes)",
        help="Minutes before a member with this automatic status is callable again.",
    )
    max_attempts = fields.Integer(
        "Retries",
        help="Automatic attempts before the member moves to the exhausted status; "
        "0 = no limit.",
    )
    exhausted_status_id = fields.Many2one(
        "call.status",
        domain="[('id', '!=', id)]",
        help="Status given when the retries are used up.",
    )
    action_ids = fields.Many2many(
        "ir.actions.server",
        string="Actions",
        domain="[('model_name', '=', 'call.campaign.member'), "
        "('call_status_usable', '=', True), ('usage', '=', 'ir_actions_server')]",
        help="Server actions run on the members that enter this status (send "
        "an e-mail, create the opportunity...): in the same transaction, "
        "each recorded on the timeline; one that fails leaves a warning on "
        "the member, never undoes the status.",
    )
    has_actions = fields.Boolean(
        compute="_compute_has_actions",
        store=True,
        help="Read with the status: a status change without actions does "
        "not look them up.",
    )
    timeout_days = fields.Integer(
        "Time-out (days)",
        help="A member that stays this many days in this status moves to the "
        "time-out status (e.g. Offer sent → after 5 days → Follow up). 0: never.",
    )
    timeout_status_id = fields.Many2one(
        "call.status",
        string="Time-out Status",
        domain="[('id', '!=', id)]",
        ondelete="restrict",
        help="Where a member goes when the time-out has passed.",
    )
    script = fields.Html(
        "Agent Script",
        translate=True,
        sanitize="email_outgoing",
        help="A short script shown on the call screen when this result is chosen "
        "(objection handling); same placeholders as the campaign's script.",
    )
    script_model = fields.Char(
        compute="_compute_script_model",
        help="What the script's placeholders read (the editor's picker).",
    )
    add_to_new_campaigns = fields.Boolean(
        help="Offered by every campaign created from now on."
    )
    campaign_id = fields.Many2one(
        "call.campaign",
        index="btree_not_null",
        ondelete="cascade",
        help="Empty: shared reference-book status. Set: exists only in this campaign.",
    )
    company_id = fields.Many2one("res.company", index=True)

    _sql_constraints = [
        (
            "delay_days_positive",
            "CHECK(delay_days >= 0)",
            "The delay cannot be negative.",
        ),
        (
            "retry_delay_positive",
            "CHECK(retry_delay >= 0)",
            "The retry delay cannot be negative.",
        ),
        (
            "max_attempts_positive",
            "CHECK(max_attempts >= 0)",
            "The retries cannot be negative.",
        ),
    ]

    @api.constrains("behavior", "schedule_call", "cyclic", "date_required")
    def _check_behavior_settings(self):
        for status in self:
            if status.behavior not in DATED_BEHAVIORS and (
                status.schedule_call or status.cyclic or status.date_required
            ):
                raise ValidationError(
                    self.env._(
                        "Status “%(status)s”: a “%(behavior)s” status cannot schedule "
                        "calls or ask for a follow-up date.",
                        status=status.name,
                        behavior=status._fields["behavior"].convert_to_export(
                            status.behavior, status
                        ),
                    )
                )
            if status.cyclic and not status.delay_days:
                raise ValidationError(
                    self.env._(
                        "Status “%s”: a cyclic status needs a delay in days.",
                        status.name,
                    )
                )

    @api.constrains("exhausted_status_id", "max_attempts")
    def _check_exhausted_status(self):
        for status in self:
            if status.max_attempts and not status.exhausted_status_id:
                raise ValidationError(
                    self.env._(
                        "Status “%s”: retries need an exhausted status.", status.name
                    )
                )

    def _compute_script_model(self):
        self.script_model = SCRIPT_MODEL

    @api.depends("action_ids")
    def _compute_has_actions(self):
        for status in self:
            status.has_actions = bool(status.action_ids)

    @api.constrains("action_ids")
    def _check_action_ids(self):
        for status in self:
            status.action_ids._check_call_member_actions(
                self.env._("Status “%s”", status.name)
            )

    @api.constrains("timeout_days", "timeout_status_id")
    def _check_timeout(self):
        for status in self:
            if status.timeout_days < 0:
                raise ValidationError(
                    self.env._(
                        "Status “%s”: a time-out cannot be negative.", status.name
                    )
                )
            if bool(status.timeout_days) != bool(status.timeout_status_id):
                raise ValidationError(
                    self.env._(
                        "Status “%s”: a time-out needs both its days and the status it "
                        "moves to.",
                        status.name,
                    )
                )
            if status.timeout_status_id == status:
                raise ValidationError(
                    self.env._(
                        "Status “%s”: a time-out moves to another status.", status.name
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        for vals in vals_list:
            self.env["call.script"]._check_script(vals.get("script"))
        statuses = super().create(vals_list)
        local = statuses.filtered("campaign_id")
        for campaign in local.campaign_id:
            campaign.status_ids = [
                Command.link(s.id) for s in local if s.campaign_id == campaign
            ]
        return statuses

    def write(self, vals):
        """What a status does to its members cannot change under them."""
        self._call_guard_write(vals)
        self.env["call.script"]._check_script(vals.get("script"))
        locked = {"behavior", "schedule_call", "cyclic", "delay_days"} & set(vals)
        if locked:
            used = (
                self.env["call.campaign.member"]
                .sudo()
                .with_context(active_test=False)
                ._read_group([("status_id", "in", self.ids)], ["status_id"])
            )
            changed = [
                status
                for [status] in used
                if any(status[fname] != vals[fname] for fname in locked)
            ]
            if changed:
                raise UserError(
                    self.env._(
                        "The status “%s” is the current status of members: its "
                        "behaviour and scheduling cannot change under them. Create a "
                        "new status, or move the members first.",
                        changed[0].name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.env["call.interaction"].sudo()._read_group(
            [("status_id", "in", self.ids)], ["status_id"]
        ) + self.env["call.campaign.member"].sudo().with_context(
            active_test=False
        )._read_group([("status_id", "in", self.ids)], ["status_id"])
        if used:
            raise UserError(
                self.env._(
                    "The status “%s” has history or members and cannot be deleted: "
                    "archive it instead.",
                    used[0][0].name,
                )
            )
