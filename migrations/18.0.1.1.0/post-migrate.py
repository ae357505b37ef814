from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Numbers to call appear in 18.0.1.1.0: the contacts get theirs."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"]._sync_existing_call_numbers()
