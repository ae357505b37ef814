from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.call_membership_mixin import TIMELINE_PAGE_SIZE
from ..models.call_status import DATED_BEHAVIORS, MANUAL_OUTCOMES, OUTCOMES
from ..models.public_method import public_method


class CallCampaignMemberLog(models.TransientModel):
    """Seed 002's "Ativo" screen: record the result of a contact. Collects
    the input and hands every rule over to the member's status service."""

    _name = "call.campaign.member.log"
    _description = "Log a Call"
    _inherit = ["call.guard.mixin"]
    # what the user fills in
    _call_user_write_fields = frozenset(
        {
            "expected_revenue",
            "member_id",
            "member_ids",
            "next_call_date",
            "note",
            "consent_given",
            "outcome",
            "partner_filter_id",
            "pause_reason_id",
            "quick_date",
            "reason_id",
            "stage_id",
            "status_id",
        }
    )

    def _default_member_ids(self):
        return self.env["call.campaign.member"]._from_active_context()

    member_ids = fields.Many2many(
        "call.campaign.member",
        string="Members",
        default=lambda self: self._default_member_ids(),
    )
    member_count = fields.Integer("Number of Members", compute="_compute_member_count")
    member_id = fields.Many2one(
        "call.campaign.member",
        compute="_compute_member_id",
        store=True,
        readonly=False,
        help="The member whose call is logged.",
    )
    partner_filter_id = fields.Many2one(
        "res.partner",
        string="Customer",
        help="Opened from a contact or lead: the member is one of its memberships.",
    )
    partner_id = fields.Many2one(related="member_id.partner_id", string="Person")
    campaign_id = fields.Many2one(related="member_id.campaign_id")
    stage_id = fields.Many2one(
        "call.campaign.stage",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        domain="[('campaign_id', '=', campaign_id)]",
    )
    allowed_status_ids = fields.Many2many(
        "call.status", compute="_compute_allowed_status_ids"
    )
    status_id = fields.Many2one(
        "call.status", domain="[('id', 'in', allowed_status_ids)]"
    )
    reason_id = fields.Many2one(
        "call.status.reason", domain="[('status_id', '=', status_id)]"
    )
    status_reason_ids = fields.One2many(related="status_id.reason_ids")
    note = fields.Text("Notes")
    outcome = fields.Selection(
        [outcome for outcome in OUTCOMES if outcome[0] in MANUAL_OUTCOMES],
        string="Not Reached",
        help="The call did not reach the customer: recorded as a call attempt "
        "with the campaign's retry rules, no result needed.",
    )
    consent_given = fields.Boolean(
        help="The customer agreed on this call to be called for marketing: a "
        "consent is recorded with this call when it is saved (compliance rules "
        "that require one).",
    )
    pause_reason_id = fields.Many2one(
        "call.pause.reason",
        string="Pause After",
        help="Save the result, then pause for this reason: the dialer gives you "
        "no call until you are ready again.",
    )
    quick_date = fields.Selection(
        [
            ("hour", "In 1 hour"),
            ("tomorrow", "Tomorrow, same time"),
            ("week", "Next week"),
        ],
        string="Call Back",
        help="Sets the follow-up date.",
    )
    script_html = fields.Html(related="member_id.script_html")
    status_script_html = fields.Html(
        "Result Script", compute="_compute_status_script_html", sanitize=False
    )
    reserved_until = fields.Datetime(
        related="member_id.reserved_until", string="Reserved To You Until"
    )
    reserved_to_me = fields.Boolean(compute="_compute_reserved_to_me")
    customer_time = fields.Char(related="member_id.customer_time")
    company_name = fields.Char(
        related="member_id.partner_id.commercial_company_name", string="Company"
    )
    dial_number = fields.Char(related="member_id.dial_number")
    dial_number_label = fields.Char(related="member_id.dial_number_label")
    phone = fields.Char(related="member_id.phone")
    mobile = fields.Char(related="member_id.mobile")
    email = fields.Char(related="member_id.email")
    next_call_date = fields.Datetime("Follow-up Date")
    asks_revenue = fields.Boolean(compute="_compute_asks_revenue")
    expected_revenue = fields.Monetary(
        "Revenue Estimate",
        currency_field="company_currency_id",
        help="What the customer may buy: the opportunity this result creates "
        "starts with it.",
    )
    company_currency_id = fields.Many2one(related="member_id.company_currency_id")
    date_required = fields.Boolean(related="status_id.date_required")
    date_allowed = fields.Boolean(compute="_compute_date_allowed")
    status_behavior = fields.Selection(related="status_id.behavior")
    interaction_ids = fields.One2many(
        "call.interaction", compute="_compute_interaction_ids", string="Contact History"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.depends("member_ids")
    def _compute_member_count(self):
        for wizard in self:
            wizard.member_count = len(wizard.member_ids)

    @api.depends("member_ids", "partner_filter_id")
    def _compute_member_id(self):
        for wizard in self:
            if wizard.member_ids:
                wizard.member_id = wizard.member_ids[:1]
            elif wizard.partner_filter_id:
                wizard.member_id = self.env["call.campaign.member"]._open_membership_of(
                    wizard.partner_filter_id
                )
            else:
                wizard.member_id = False

    @api.depends("member_id")
    def _compute_stage_id(self):
        for wizard in self:
            wizard.stage_id = wizard.member_id.stage_id

    @api.depends("member_id", "member_ids")
    def _compute_allowed_status_ids(self):
        for wizard in self:
            wizard.allowed_status_ids = (
                wizard._get_members().campaign_id._offered_statuses()
            )

    @api.depends("status_id")
    def _compute_date_allowed(self):
        for wizard in self:
            wizard.date_allowed = wizard.status_id.behavior in DATED_BEHAVIORS

    @api.depends("member_id")
    def _compute_interaction_ids(self):
        """The member's newest events, one per row (the timeline's page)."""
        Interaction = self.env["call.interaction"]
        for wizard in self:
            member = wizard.member_id._origin
            wizard.interaction_ids = (
                Interaction.search(
                    [("member_id", "=", member.id)], limit=TIMELINE_PAGE_SIZE
                )
                if member
                else Interaction
            )

    @api.depends("member_id")
    def _compute_reserved_to_me(self):
        for wizard in self:
            wizard.reserved_to_me = wizard.member_id.reserved_user_id == self.env.user

    @api.depends("member_id", "status_id")
    def _compute_asks_revenue(self):
        for wizard in self:
            wizard.asks_revenue = bool(
                wizard.status_id
                and wizard.member_id
                and wizard.member_id._status_creates_opportunity(wizard.status_id)
            )

    @api.depends("member_id", "status_id")
    def _compute_status_script_html(self):
        for wizard in self:
            member = wizard.member_id._origin
            wizard.status_script_html = member._render_script(
                wizard.status_id.script
            ).get(member.id, False)

    @api.onchange("quick_date")
    def _onchange_quick_date(self):
        delays = {
            "hour": timedelta(hours=1),
            "tomorrow": timedelta(days=1),
            "week": timedelta(weeks=1),
        }
        if self.quick_date:
            self.next_call_date = (
                fields.Datetime.now().replace(second=0, microsecond=0)
                + delays[self.quick_date]
            )

    @api.onchange("outcome")
    def _onchange_outcome(self):
        # a call reached or not: choosing one clears the other, both stay on
        # screen (the result buttons do not move under the agent's pointer)
        if self.outcome:
            self.status_id = False

    @api.onchange("status_id")
    def _onchange_status_id(self):
        if self.status_id:
            self.outcome = False
        if self.reason_id.status_id != self.status_id:
            self.reason_id = False
        if not self.date_allowed:
            self.next_call_date = False

    @public_method(one=True)
    def action_log(self):
        self._log()
        return {"type": "ir.actions.act_window_close"}

    @public_method(one=True)
    def action_save_and_next(self):
        """Log this call, then the next member of the queue on the same screen."""
        campaign = self._log().campaign_id
        return self._action_next(campaign)

    @public_method(one=True)
    def action_save_and_pause(self):
        """Log this call, then pause (the agent's break after it)."""
        if not self.pause_reason_id:
            raise UserError(self.env._("Choose why you pause."))
        self._log()
        self.env.user._set_call_agent_state("paused", self.pause_reason_id)
        return {"type": "ir.actions.act_window_close"}

    @public_method(one=True)
    def action_skip(self):
        """Pass on this reserved member (the note is the reason), then the next."""
        members = self._get_members()
        members.action_skip(self.note or None)
        return self._action_next(members.campaign_id, exclude=members)

    @public_method(one=True)
    def action_forward(self):
        """Forward from the call screen: the forwarding wizard on the same
        customers, which ends on the agent's calls when they are handed away."""
        members = self._get_members()
        if not members:
            raise UserError(self.env._("Choose the member you forward."))
        return self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_forward_action"
        ) | {
            "context": {
                "active_model": members._name,
                "active_ids": members.ids,
                # its Cancel goes back to this screen
                "call_screen": True,
            }
        }

    @public_method(one=True)
    def action_close(self):
        """Closing the screen without a result hands the customer back to the
        queue: a reservation is for working the call, not for keeping it."""
        self._get_members().action_release_reservation()
        return {"type": "ir.actions.act_window_close"}

    def _log(self):
        """Hand the input to the member's ``log_call``, the one operation the
        call screen and RPC callers share."""
        members = self._get_members()
        if not members:
            raise UserError(self.env._("Choose the member whose call you log."))
        members.log_call(
            status=self.status_id,
            next_call_date=self.next_call_date,
            reason=self.reason_id,
            note=self.note or None,
            stage=self.stage_id,
            outcome=self.outcome or None,
            expected_revenue=self.expected_revenue,
        )
        # given on this call: it counts for the calls after it, not for this
        # one (the call is checked against what was on record before)
        if self.consent_given:
            for member in members:
                member.record_consent("consent")
        return members

    def _action_next(self, campaigns, exclude=None):
        member = self.env["call.campaign.member"]._next_for_agent(
            campaigns if len(campaigns) == 1 else None, exclude=exclude
        )
        action = member._action_open_next_call(
            campaigns if len(campaigns) == 1 else None, skipped=exclude
        )
        if not member:
            action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action

    def _get_members(self):
        return self.member_ids or self.member_id
