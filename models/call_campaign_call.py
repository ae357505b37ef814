import uuid

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .call_status import OUTCOMES


def format_seconds(seconds):
    """0:42, 3:05, 1:02:03."""
    minutes, seconds = divmod(int(seconds or 0), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


CALL_STATES = [
    ("dialing", "Dialing"),
    ("ringing", "Ringing"),
    ("answered", "Answered"),
    ("ended", "Ended"),
]


class CallCampaignCall(models.Model):
    """One dialled call, keyed by the dialer's (or PBX's) id: what a dialer
    reports about it is applied once (a report sent again returns what the
    first wrote), and a report that arrives after the agent's result is
    still recorded. The history keeps its own immutable rows; the call links
    them. Written by the add-on only (the member's dialer operations)."""

    _name = "call.campaign.call"
    _description = "Campaign Call"
    _inherit = ["call.guard.mixin"]
    _order = "dial_date desc, id desc"
    _rec_name = "call_uid"

    call_uid = fields.Char(
        "Call ID",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: uuid.uuid4().hex,
        help="The dialer's or PBX's id of the call (generated when the add-on "
        "makes the call itself): unique per company.",
    )
    member_id = fields.Many2one(
        "call.campaign.member", required=True, index=True, ondelete="restrict"
    )
    campaign_id = fields.Many2one(
        related="member_id.campaign_id", store=True, index=True, string="Campaign"
    )
    partner_id = fields.Many2one(
        related="member_id.partner_id", store=True, index=True, string="Contact"
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    user_id = fields.Many2one("res.users", string="Agent", index=True)
    number = fields.Char()
    state = fields.Selection(CALL_STATES, required=True, default="dialing")
    outcome = fields.Selection(OUTCOMES)
    dial_date = fields.Datetime(index=True)
    answer_date = fields.Datetime()
    end_date = fields.Datetime()
    ring_seconds = fields.Integer(help="From dialling to the answer (or hang-up).")
    talk_seconds = fields.Integer(
        help="From the answer to the hang-up: what handle time counts."
    )
    wrapup_seconds = fields.Integer(help="The agent's work after the hang-up.")
    recording_url = fields.Char("Recording")
    interaction_ids = fields.One2many("call.interaction", "call_id", string="History")

    _sql_constraints = [
        (
            "call_uid_company_uniq",
            "UNIQUE(company_id, call_uid)",
            "A call id is unique per company.",
        ),
        (
            "seconds_positive",
            "CHECK(ring_seconds >= 0 AND talk_seconds >= 0 AND wrapup_seconds >= 0)",
            "Call durations cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    def _report_interactions(self):
        """What the dialer's report of this call wrote (not the hand-over's
        event, nor the agent's result): a report sent again returns it."""
        return self.interaction_ids.filtered(
            lambda i: i.kind not in ("connected", "call")
        ).sorted("id")

    def _summary(self):
        """“Ring 0:12 · Talk 3:05 · Wrap-up 0:20”: how every screen shows a
        call's durations."""
        self.ensure_one()
        parts = []
        if self.ring_seconds:
            parts.append(self.env._("Ring %s", format_seconds(self.ring_seconds)))
        parts.append(self.env._("Talk %s", format_seconds(self.talk_seconds)))
        if self.wrapup_seconds:
            parts.append(self.env._("Wrap-up %s", format_seconds(self.wrapup_seconds)))
        return " · ".join(parts)

    @api.constrains("recording_url")
    def _check_recording_url(self):
        for call in self.filtered("recording_url"):
            if not call.recording_url.lower().startswith(("http://", "https://")):
                raise ValidationError(
                    self.env._(
                        "The recording of a call is a web address (http:// or "
                        "https://): %s",
                        call.recording_url,
                    )
                )

    @api.depends("call_uid", "partner_id")
    def _compute_display_name(self):
        for call in self:
            call.display_name = " — ".join(
                part for part in (call.partner_id.display_name, call.call_uid) if part
            )
