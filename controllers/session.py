from odoo import api, http
from odoo.http import request

from odoo.addons.web.controllers.session import Session


class CallCampaignSession(Session):
    @http.route()
    def logout(self, redirect="/odoo"):
        """An agent who logs out is offline for the dialer. Odoo serves the
        log-out on a read-only cursor: the state is written in a transaction
        of its own."""
        uid = request.session.uid
        if uid:
            with request.env.registry.cursor() as cr:
                user = api.Environment(cr, uid, {})["res.users"].browse(uid)
                if user.has_group("call_campaign.group_call_agent"):
                    user._set_call_agent_state("offline")
        return super().logout(redirect=redirect)
