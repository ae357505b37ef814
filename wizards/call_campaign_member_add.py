from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval


class CallCampaignMemberAdd(models.TransientModel):
    """Adds the contacts or leads a filter selects to a campaign (seed 002:
    "select the filters first")."""

    _name = "call.campaign.member.add"
    _description = "Add Members to a Call Campaign"

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

    def action_add(self):
        self.ensure_one()
        campaign = self.campaign_id
        if campaign.state == "done":
            raise UserError(
                _("The campaign “%s” is done: no member can be added.", campaign.name)
            )
        status = self.status_id or campaign.default_status_id
        if not status:
            raise UserError(
                _(
                    "Choose a status, or set a default status on the campaign “%s”.",
                    campaign.name,
                )
            )
        strangers = self.user_ids - campaign.agent_ids
        if strangers:
            raise UserError(
                _(
                    "%(user)s is not an agent of the campaign “%(campaign)s”.",
                    user=strangers[0].name,
                    campaign=campaign.name,
                )
            )
        try:
            domain = safe_eval(self.domain or "[]")
        except Exception as error:
            raise UserError(_("The filter is not valid: %s", error)) from error
        records = self.env[self.res_model].search(domain)
        candidates = self._prepare_candidates(records)
        partners = self.env["res.partner"].browse(
            [partner_id for partner_id, _lead in candidates]
        )
        existing = set(
            self.env["call.campaign.member"]
            .with_context(active_test=False)
            .search(
                [("campaign_id", "=", campaign.id), ("partner_id", "in", partners.ids)]
            )
            .partner_id.ids
        )
        blacklisted = set(
            partners.filtered_domain([("phone_sanitized_blacklisted", "=", True)]).ids
        )
        vals_list, seen = [], set()
        agents = self.user_ids.ids
        for partner_id, lead_id in candidates:
            if (
                partner_id in existing
                or partner_id in seen
                or partner_id in blacklisted
            ):
                continue
            seen.add(partner_id)
            vals_list.append(
                {
                    "campaign_id": campaign.id,
                    "partner_id": partner_id,
                    "lead_id": lead_id,
                    "status_id": status.id,
                    "user_id": agents[len(vals_list) % len(agents)]
                    if agents
                    else False,
                }
            )
        self.env["call.campaign.member"].create(vals_list)
        self.write(
            {
                "state": "done",
                "added_count": len(vals_list),
                "duplicate_count": len({p for p, _lead in candidates if p in existing}),
                "blacklisted_count": len(blacklisted - existing),
                "no_contact_count": len(records) - len(candidates),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Add Members"),
        }

    def _prepare_candidates(self, records):
        """(partner id, lead id) pairs; leads without any contact are left out."""
        if self.res_model == "res.partner":
            return [(partner.id, False) for partner in records]
        return [(lead.partner_id.id, lead.id) for lead in records if lead.partner_id]

    @api.onchange("campaign_id")
    def _onchange_campaign_id(self):
        self.status_id = self.campaign_id.default_status_id
