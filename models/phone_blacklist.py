from odoo import api, models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["call.contact.number"]._refresh_blacklisted(records.mapped("number"))
        return records

    def write(self, vals):
        numbers = set(self.mapped("number"))
        res = super().write(vals)
        if {"active", "number"} & set(vals):
            self.env["call.contact.number"]._refresh_blacklisted(
                numbers | set(self.mapped("number"))
            )
        return res

    def unlink(self):
        numbers = self.mapped("number")
        res = super().unlink()
        self.env["call.contact.number"]._refresh_blacklisted(numbers)
        return res
