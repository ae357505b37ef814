# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Call Campaigns",
    "summary": "Outbound calling campaigns on top of Odoo CRM: statuses, "
    "members, scheduled calls, next-call queue and customer timeline",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/call-campaigns/call_campaign",
    "author": "Call Campaigns",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["crm", "sms"],
    "data": [
        "security/call_campaign_security.xml",
        "security/call_campaign_rules.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/call_status_data.xml",
        "data/ir_cron_data.xml",
        "wizards/call_campaign_member_add_views.xml",
        "wizards/call_campaign_member_log_views.xml",
        "wizards/call_campaign_member_forward_views.xml",
        "views/call_status_views.xml",
        "views/call_status_reason_views.xml",
        "views/call_campaign_views.xml",
        "views/call_campaign_member_views.xml",
        "views/call_interaction_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/mail_activity_views.xml",
        "views/call_campaign_menus.xml",
    ],
    "demo": [
        "demo/call_campaign_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "call_campaign/static/src/js/*.js",
            "call_campaign/static/src/my_day/*",
            "call_campaign/static/src/call_screen/*",
            "call_campaign/static/src/call_calendar/*",
            "call_campaign/static/src/scss/*.scss",
        ],
        "web.assets_tests": [
            "call_campaign/static/tests/tours/*.js",
        ],
    },
}
