from odoo import api, fields, models

from .call_guard import check_foreign_vals


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    call_registry_id = fields.Many2one(
        "call.dnc.registry",
        string="Do-Not-Call Registry",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="Imported from this registry (replaced at its next import); empty: "
        "blacklisted by hand.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_foreign_vals(self, vals_list)
        records = super().create(vals_list)
        self.env["call.contact.number"]._refresh_blacklisted(records.mapped("number"))
        return records

    def _add(self, numbers, message=None):
        # blacklisted by hand: the user's entry, which no registry's next
        # import takes away
        records = super()._add(numbers, message=message)
        records.filtered("call_registry_id").sudo().write({"call_registry_id": False})
        return records

    def write(self, vals):
        check_foreign_vals(self, vals)
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
