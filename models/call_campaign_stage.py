from odoo import fields, models


class CallCampaignStage(models.Model):
    """A step of a campaign's own process (seed: Etapa)."""

    _name = "call.campaign.stage"
    _description = "Call Campaign Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the members' kanban view.")
    campaign_id = fields.Many2one(
        "call.campaign",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
