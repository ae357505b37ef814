from odoo import api, fields, models
from odoo.exceptions import UserError


class CallCampaignStage(models.Model):
    """A step of a campaign's own process (seed: Etapa)."""

    _name = "call.campaign.stage"
    _description = "Call Campaign Stage"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = frozenset({"name", "sequence", "fold", "campaign_id"})
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
    member_count = fields.Integer("Members", compute="_compute_member_count")
    member_rate = fields.Float(
        "Share (%)",
        compute="_compute_member_count",
        help="Share of the campaign's members.",
    )

    @api.model
    def name_create(self, name):
        """ "+ Stage" of a members' kanban: only a campaign's own members know
        the campaign the new stage belongs to."""
        if not self.env.context.get("default_campaign_id"):
            raise UserError(
                self.env._(
                    "A stage belongs to one campaign: add it from that campaign's "
                    "members or on the campaign's form."
                )
            )
        return super().name_create(name)

    @api.depends("campaign_id")
    def _compute_member_count(self):
        """The stage funnel: read with the campaign's figures, in the same
        grouped query (one reading of the members for the whole dashboard)."""
        for stage in self:
            campaign = stage.campaign_id
            counts = campaign.stage_member_counts or {}
            count = counts.get(str(stage._origin.id), 0)
            stage.member_count = count
            stage.member_rate = (
                100.0 * count / campaign.member_count if campaign.member_count else 0.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        used = (
            self.env["call.interaction"]
            .sudo()
            ._read_group(
                [
                    "|",
                    ("stage_id", "in", self.ids),
                    ("previous_stage_id", "in", self.ids),
                ],
                ["stage_id"],
            )
        )
        if used:
            raise UserError(
                self.env._(
                    "The stage “%s” appears in the call history and cannot be deleted.",
                    (used[0][0] or self[:1]).name,
                )
            )
