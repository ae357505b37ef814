from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.1.3.0: agents start their day on My day (new agents get it when
    created); the agents already there without a home action of their own
    get it too."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.users"].search([("share", "=", False)])._call_set_home_action()
