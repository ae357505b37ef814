from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from ..models.public_method import public_method


class CallCampaignMemberAdd(models.TransientModel):
    """Adds the contacts or leads a filter selects to a campaign (seed 002:
    "select the filters first"); the campaign does the adding."""

    _name = "call.campaign.member.add"
    _description = "Add Members to a Call Campaign"
    _inherit = ["call.guard.mixin"]
    # what the user fills in
    _call_user_write_fields = frozenset(
        {
            "campaign_id",
            "domain",
            "res_model",
            "state",
            "status_id",
            "user_ids",
        }
    )

    campaign_id = fields.Many2one("call.campaign", required=True)
    res_model = fields.Selection(
        [("res.partner", "Contacts"), ("crm.lead", "Leads")],
        string="Add From",
        required=True,
        default="res.partner",
    )
    domain = fields.Char("Filter", default="[]")
    user_ids = fields.Many2many(
        "res.users",
        string="Spread Over Agents",
        help="New members are assigned in turn to these agents; unassigned when empty.",
    )
    status_id = fields.Many2one(
        "call.status",
        domain="[('id', 'in', allowed_status_ids)]",
        help="The campaign's default status when empty.",
    )
    allowed_status_ids = fields.Many2many(related="campaign_id.status_ids")
    allowed_user_ids = fields.Many2many(related="campaign_id.agent_ids")
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    added_count = fields.Integer("Added", readonly=True)
    duplicate_count = fields.Integer("Already Members", readonly=True)
    blacklisted_count = fields.Integer("On the Blacklist", readonly=True)
    no_contact_count = fields.Integer("Without Contact", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @public_method(one=True)
    def action_add(self):
        try:
            domain = safe_eval(self.domain or "[]")
            with self.env.cr.savepoint():
                records = self.env[self.res_model].search(domain)
        except Exception as error:
            raise UserError(self.env._("The filter is not valid: %s", error)) from error
        counts = self.campaign_id._add_members_from(
            records, self.status_id, self.user_ids
        )
        # the results are the add-on's to write, not the user's
        self.sudo().write(
            {
                "state": "done",
                "added_count": counts["added"],
                "duplicate_count": counts["duplicates"],
                "blacklisted_count": counts["blacklisted"],
                "no_contact_count": counts["no_contact"],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Add Members"),
        }

    @api.onchange("campaign_id")
    def _onchange_campaign_id(self):
        self.status_id = self.campaign_id.default_status_id
