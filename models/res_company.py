from odoo import fields, models

from .call_guard import check_foreign_vals
from .res_partner import PRESSURE_WINDOW


class ResCompany(models.Model):
    _inherit = "res.company"

    call_pressure_per_day = fields.Integer(
        "Calls per Contact per Day",
        help="A contact is called at most this many times a day (their day), "
        "all campaigns together. 0: no budget.",
    )
    call_pressure_per_week = fields.Integer(
        "Calls per Contact per 7 Days",
        help="A contact is called at most this many times in any 7 days, all "
        "campaigns together. 0: no budget.",
    )

    _sql_constraints = [
        (
            "call_pressure_positive",
            "CHECK(call_pressure_per_day >= 0 AND call_pressure_per_week >= 0)",
            "A contact-pressure budget cannot be negative.",
        ),
    ]

    def write(self, vals):
        check_foreign_vals(self, vals)
        res = super().write(vals)
        if {"call_pressure_per_day", "call_pressure_per_week"} & set(vals):
            self._refresh_call_pressure()
        return res

    def _refresh_call_pressure(self):
        """A new budget applies at once to the contacts the company called in
        the budget's window (no other contact can be over it)."""
        Partner = self.env["res.partner"].sudo()
        for company in self:
            self.env["call.interaction"].flush_model()
            self.env.cr.execute(
                """SELECT DISTINCT partner_id FROM call_interaction
                    WHERE company_id = %s AND partner_id IS NOT NULL
                      AND date > %s""",
                [company.id, fields.Datetime.now() - PRESSURE_WINDOW],
            )
            Partner.browse(
                [row[0] for row in self.env.cr.fetchall()]
            )._update_call_pressure(company)
