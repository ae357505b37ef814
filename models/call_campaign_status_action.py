from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CallCampaignStatusAction(models.Model):
    """A campaign's own actions for one of its statuses: they replace the
    status's actions in this campaign (none to run nothing there)."""

    _name = "call.campaign.status.action"
    _description = "Status Actions of a Call Campaign"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = frozenset({"campaign_id", "status_id", "action_ids"})
    _order = "campaign_id, status_id"

    campaign_id = fields.Many2one(
        "call.campaign", required=True, ondelete="cascade", index=True
    )
    status_id = fields.Many2one(
        "call.status",
        required=True,
        ondelete="cascade",
        domain="[('id', 'in', allowed_status_ids)]",
    )
    allowed_status_ids = fields.Many2many(related="campaign_id.status_ids")
    action_ids = fields.Many2many(
        "ir.actions.server",
        string="Actions",
        domain=[
            ("model_name", "=", "call.campaign.member"),
            ("call_status_usable", "=", True),
            ("usage", "=", "ir_actions_server"),
        ],
        help="Run instead of the status's own actions when a member of this "
        "campaign enters the status; empty: nothing runs.",
    )
    status_action_ids = fields.Many2many(
        related="status_id.action_ids", string="Status's Own Actions"
    )

    _sql_constraints = [
        (
            "campaign_status_uniq",
            "unique(campaign_id, status_id)",
            "A campaign replaces the actions of a status once.",
        )
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.constrains("status_id", "campaign_id", "action_ids")
    def _check_status_in_campaign(self):
        for line in self:
            line.action_ids._check_call_member_actions(
                self.env._("Campaign “%s”", line.campaign_id.name)
            )
            if line.status_id not in line.campaign_id.status_ids:
                raise ValidationError(
                    self.env._(
                        "The campaign “%(campaign)s” does not use the status "
                        "“%(status)s”.",
                        campaign=line.campaign_id.name,
                        status=line.status_id.name,
                    )
                )
