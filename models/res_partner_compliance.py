from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    call_consent_count = fields.Integer(
        "Consents",
        compute="_compute_call_consent_count",
        groups="call_campaign.group_call_agent",
    )

    def _compute_call_consent_count(self):
        counts = dict(
            self.env["call.consent"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.call_consent_count = counts.get(partner._origin, 0)
