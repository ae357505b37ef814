from odoo import models

from .call_campaign_wallboard import WALLBOARD_CHANNEL_PREFIX, WALLBOARD_SUBCHANNEL

# what a client sends to follow a campaign: "call_campaign.campaign_<id>"
CAMPAIGN_CHANNEL_PREFIX = "call_campaign.campaign_"


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        return super()._build_bus_channel_list(
            self._call_wallboard_channels(self._call_campaign_channels(channels))
        )

    def _call_wallboard_channels(self, channels):
        """An open wallboard asks for ``call_campaign.wallboard_<company id>``:
        call managers get the snapshots of their companies, nobody else."""
        asked = [
            channel
            for channel in channels
            if isinstance(channel, str) and channel.startswith(WALLBOARD_CHANNEL_PREFIX)
        ]
        channels = [channel for channel in channels if channel not in asked]
        if not asked or not self.env.user.has_group("call_campaign.group_call_manager"):
            return channels
        ids = {channel[len(WALLBOARD_CHANNEL_PREFIX) :] for channel in asked}
        companies = self.env.user.company_ids.filtered(lambda c: str(c.id) in ids)
        return channels + [(company, WALLBOARD_SUBCHANNEL) for company in companies]

    def _call_campaign_channels(self, channels):
        """Dialers and managers follow campaigns over the bus (the calls
        reported and handed over): a client asks for
        ``call_campaign.campaign_<id>`` and gets the campaigns it may read,
        nothing else."""
        asked = [
            channel
            for channel in channels
            if isinstance(channel, str) and channel.startswith(CAMPAIGN_CHANNEL_PREFIX)
        ]
        channels = [channel for channel in channels if channel not in asked]
        ids = {
            int(suffix)
            for suffix in (channel[len(CAMPAIGN_CHANNEL_PREFIX) :] for channel in asked)
            if suffix.isdigit() and int(suffix) < 2**31
        }
        user = self.env.user
        if ids and user._call_acts_for_agents():
            channels.extend(self.env["call.campaign"].search([("id", "in", list(ids))]))
        return channels
