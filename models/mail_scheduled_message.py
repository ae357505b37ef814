from odoo import api, models
from odoo.tools import format_datetime, html2plaintext

from .call_guard import check_foreign_vals
from .mail_message import TIMELINE_MODELS


class MailScheduledMessage(models.Model):
    _inherit = "mail.scheduled.message"

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_foreign_vals(self, vals_list)
        messages = super().create(vals_list)
        events = [
            message._prepare_timeline_vals()
            for message in messages
            if message.model in TIMELINE_MODELS
        ]
        self.env["call.interaction"]._create_timeline_events(events)
        return messages

    def _prepare_timeline_vals(self):
        self.ensure_one()
        record = self.env[self.model].sudo().browse(self.res_id)
        is_lead = self.model == "crm.lead"
        text = html2plaintext(self.body or "")[:2000]
        return {
            "kind": "message_scheduled",
            "partner_id": record.partner_id.id if is_lead else record.id,
            "lead_id": record.id if is_lead else False,
            "user_id": self.env.user.id,
            "note": self.env._(
                "Scheduled for %(date)s: %(text)s",
                date=format_datetime(self.env, self.scheduled_date),
                text=self.subject or text,
            ),
            "res_model": self._name,
            "res_id": self.id,
        }
