from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.call_campaign_add_request import ADD_INLINE_LIMIT
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
    state = fields.Selection(
        [("draft", "Draft"), ("queued", "In the Background"), ("done", "Done")],
        default="draft",
    )
    queued_count = fields.Integer("Being Added", readonly=True)
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
        """Add the filter's records now, or, past ``ADD_INLINE_LIMIT`` of
        them, in the background (the campaign shows the progress and posts
        the counts when done)."""
        campaign = self.campaign_id
        try:
            domain = campaign._eval_filter(self.domain)
            with self.env.cr.savepoint():
                count = self.env[self.res_model].search_count(domain)
        except Exception as error:
            raise UserError(self.env._("The filter is not valid: %s", error)) from error
        if count > ADD_INLINE_LIMIT:
            campaign._check_agents(self.user_ids)
            if campaign.state == "done":
                raise UserError(
                    self.env._(
                        "The campaign “%s” is done: no member can be added.",
                        campaign.name,
                    )
                )
            self.env["call.campaign.add.request"].sudo().create(
                {
                    "campaign_id": campaign.id,
                    "res_model": self.res_model,
                    "domain": self.domain or "[]",
                    "status_id": self.status_id.id,
                    "user_ids": self.user_ids.ids,
                    "requester_id": self.env.uid,
                    "total": count,
                }
            )
            self.env.ref("call_campaign.ir_cron_add_members").sudo()._trigger()
            self.sudo().write({"state": "queued", "queued_count": count})
            return self._reopen()
        records = self.env[self.res_model].search(domain)
        counts = campaign._add_members_from(records, self.status_id, self.user_ids)
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
        return self._reopen()

    def _reopen(self):
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
