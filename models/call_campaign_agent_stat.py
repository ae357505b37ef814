from odoo import fields, models, tools
from odoo.tools import SQL

from .call_interaction import CALL_KINDS


class CallCampaignAgentStat(models.Model):
    """The dashboard's calls per agent: one row per agent of a campaign,
    counted by the database (an SQL view), so the figures do not depend on
    what a screen passes in its context."""

    _name = "call.campaign.agent.stat"
    _description = "Call Campaign Agent Figures"
    _auto = False
    _order = "call_count desc, user_id"

    campaign_id = fields.Many2one("call.campaign", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    member_count = fields.Integer("Assigned Members", readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    success_count = fields.Integer("Successes", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS (
                SELECT row_number() OVER (ORDER BY rel.campaign_id, rel.user_id) AS id,
                       rel.campaign_id,
                       rel.user_id,
                       c.company_id,
                       (SELECT count(*) FROM call_campaign_member m
                         WHERE m.campaign_id = rel.campaign_id
                           AND m.user_id = rel.user_id AND m.active) AS member_count,
                       (SELECT count(*) FROM call_interaction i
                         WHERE i.campaign_id = rel.campaign_id
                           AND i.user_id = rel.user_id
                           AND i.kind IN %s) AS call_count,
                       (SELECT count(*) FROM call_interaction i
                          JOIN call_status s ON s.id = i.status_id
                         WHERE i.campaign_id = rel.campaign_id
                           AND i.user_id = rel.user_id
                           AND i.kind IN %s
                           AND s.result = 'success') AS success_count
                  FROM call_campaign_agent_rel rel
                  JOIN call_campaign c ON c.id = rel.campaign_id
            )""",
                SQL.identifier(self._table),
                CALL_KINDS,
                CALL_KINDS,
            )
        )
