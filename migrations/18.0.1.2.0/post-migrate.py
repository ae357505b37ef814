from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.1.2.0: statuses run only the actions an administrator marked
    usable by them. The actions statuses (and campaigns) already run were
    chosen on purpose: they keep running, except a scheduled job's action
    and the Next Call menu action, which a status must never run."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    chosen = (
        env["call.status"].with_context(active_test=False).search([]).action_ids
        | env["call.campaign.status.action"].search([]).action_ids
    )
    next_call = env.ref(
        "call_campaign.call_campaign_member_action_next_call", raise_if_not_found=False
    )
    chosen.filtered(
        lambda action: action.usage == "ir_actions_server" and action != next_call
    ).write({"call_status_usable": True})
