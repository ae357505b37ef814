from odoo import api, fields, models


class CallStatusReason(models.Model):
    """A justification offered to the agent for one status (seed: Justificativa)."""

    _name = "call.status.reason"
    _description = "Call Status Reason"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = frozenset({"name", "sequence", "active", "status_id"})
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    status_id = fields.Many2one(
        "call.status", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="status_id.company_id", store=True)

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)
