from odoo import fields, models


class CallStatusReason(models.Model):
    """A justification offered to the agent for one status (seed: Justificativa)."""

    _name = "call.status.reason"
    _description = "Call Status Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    status_id = fields.Many2one(
        "call.status", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="status_id.company_id", store=True)
