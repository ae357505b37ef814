from odoo import api, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "call.membership.mixin"]

    def init(self):
        # “Next call” looks the blacklisted numbers up among the contacts
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS res_partner_phone_sanitized_idx
               ON res_partner (phone_sanitized) WHERE phone_sanitized IS NOT NULL"""
        )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        events = [
            partner._prepare_timeline_vals("partner_created") for partner in partners
        ]
        events += [
            partner._prepare_timeline_vals(
                "salesperson_assigned", to_user_id=partner.user_id.id
            )
            for partner in partners
            if partner.user_id
        ]
        self.env["call.interaction"]._create_timeline_events(events)
        return partners

    def write(self, vals):
        before = (
            {partner.id: partner.user_id for partner in self}
            if "user_id" in vals
            else {}
        )
        res = super().write(vals)
        if before:
            events = []
            for partner in self.filtered(lambda p: before[p.id] != p.user_id):
                kind = (
                    "salesperson_assigned" if partner.user_id else "salesperson_removed"
                )
                events.append(
                    partner._prepare_timeline_vals(
                        kind,
                        from_user_id=before[partner.id].id,
                        to_user_id=partner.user_id.id,
                    )
                )
            self.env["call.interaction"]._create_timeline_events(events)
        return res

    def _call_blacklisted(self, except_members=None):
        """These contacts that must never be called (the one definition of
        do-not-call for contacts): a number on Odoo's phone blacklist, or a
        do-not-call status in a campaign (which a new number does not undo).
        ``except_members``: memberships a manager is reopening."""
        blacklisted = self.filtered_domain([("phone_sanitized_blacklisted", "=", True)])
        others = self - blacklisted
        if not others:
            return blacklisted
        domain = [("partner_id", "in", others.ids), ("state", "=", "do_not_call")]
        if except_members:
            domain.append(("id", "not in", except_members.ids))
        refused = (
            self.env["call.campaign.member"]
            .sudo()
            .with_context(active_test=False)
            .search(domain)
            .partner_id
        )
        return blacklisted | self.browse(refused.ids)

    def _check_call_allowed(self, except_members=None):
        refused = self._call_blacklisted(except_members)
        if refused:
            raise UserError(
                self.env._(
                    "%s does not want to be called (phone blacklist or a “do not call” "
                    "status): only a call manager can remove the number from the "
                    "blacklist and reopen the do-not-call memberships.",
                    refused[0].display_name,
                )
            )

    def _prepare_timeline_vals(self, kind, **values):
        self.ensure_one()
        return {
            "kind": kind,
            "partner_id": self.id,
            "user_id": self.env.user.id,
            "res_model": self._name,
            "res_id": self.id,
            **values,
        }
