from odoo import api, models

from .call_guard import check_foreign_vals


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "call.membership.mixin"]
    _call_member_field = "lead_id"

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_foreign_vals(self, vals_list)
        leads = super().create(vals_list)
        self.env["call.interaction"]._create_timeline_events(
            [lead._prepare_timeline_vals("lead_created") for lead in leads]
        )
        return leads

    def write(self, vals):
        check_foreign_vals(self, vals)
        tracked = {"stage_id", "active"} & set(vals)
        before = (
            {lead.id: (lead.stage_id, lead.active) for lead in self} if tracked else {}
        )
        res = super().write(vals)
        if before:
            self._write_timeline_events(before)
        return res

    def _write_timeline_events(self, before):
        events = []
        for lead in self:
            stage, active = before[lead.id]
            if lead.stage_id != stage:
                events.append(
                    lead._prepare_timeline_vals(
                        "lead_stage", previous_crm_stage_id=stage.id
                    )
                )
                if lead.stage_id.is_won:
                    events.append(lead._prepare_timeline_vals("lead_won"))
            if active and not lead.active:  # archiving a lead is losing it in CRM
                events.append(
                    lead._prepare_timeline_vals(
                        "lead_lost", note=lead.lost_reason_id.name or False
                    )
                )
        self.env["call.interaction"]._create_timeline_events(events)

    def _prepare_timeline_vals(self, kind, **values):
        self.ensure_one()
        return {
            "kind": kind,
            "lead_id": self.id,
            "partner_id": self.partner_id.id,
            "user_id": self.env.user.id,
            "crm_stage_id": self.stage_id.id,
            "res_model": self._name,
            "res_id": self.id,
            **values,
        }
