from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._call_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(
            key.startswith(("groups_id", "in_group_", "sel_groups_")) for key in vals
        ):
            self._call_set_home_action()
        return res

    def _call_set_home_action(self):
        """An agent's day starts on My day, not in Discuss: agents without a
        home action of their own get it (managers and administrators keep
        Odoo's default, their choice)."""
        agents = self.sudo().filtered(
            lambda user: (
                not user.action_id
                and not user.share
                and user.has_group("call_campaign.group_call_agent")
                and not user.has_group("call_campaign.group_call_manager")
                and not user.has_group("base.group_system")
            )
        )
        if agents:
            my_day = self.env.ref("call_campaign.call_campaign_member_action_my_day")
            agents.action_id = self.env["ir.actions.actions"].browse(my_day.id)
