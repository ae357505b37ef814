from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    call_pressure_per_day = fields.Integer(
        related="company_id.call_pressure_per_day", readonly=False
    )
    call_pressure_per_week = fields.Integer(
        related="company_id.call_pressure_per_week", readonly=False
    )
