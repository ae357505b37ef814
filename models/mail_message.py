from odoo import api, models
from odoo.tools import html2plaintext

from .call_guard import check_foreign_vals

TIMELINE_MODELS = ("res.partner", "crm.lead")


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_foreign_vals(self, vals_list)
        messages = super().create(vals_list)
        notes = messages.filtered(
            lambda m: (
                m.model in TIMELINE_MODELS
                and m.message_type == "comment"
                and m.subtype_id.internal
                and m.res_id
            )
        )
        if notes:
            self.env["call.interaction"]._create_timeline_events(
                [note._prepare_timeline_vals() for note in notes]
            )
        return messages

    def _prepare_timeline_vals(self):
        """The event carries the time it is written, whatever date the
        caller gave the message."""
        self.ensure_one()
        record = self.env[self.model].sudo().browse(self.res_id)
        is_lead = self.model == "crm.lead"
        return {
            "kind": "note_logged",
            "partner_id": record.partner_id.id if is_lead else record.id,
            "lead_id": record.id if is_lead else False,
            "user_id": self.env.user.id,
            "note": html2plaintext(self.body or "")[:2000] or False,
            "res_model": self._name,
            "res_id": self.id,
        }
