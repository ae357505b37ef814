from odoo import models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "call.membership.mixin"]
    _call_member_field = "lead_id"
