"""Status actions: Odoo server actions a status runs on the members that
enter it (send an e-mail, create the opportunity...), each recorded on the
timeline. A failing action never loses the status change: the member shows a
warning and the log says why."""

import logging

from odoo import fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    status_action_warning = fields.Text(
        readonly=True,
        help="The last status actions that could not run on this member.",
    )

    def _run_status_actions(self, status):
        """Run the status's server actions on these members, one action at a
        time in a savepoint, as the user who changed the status (the
        ready-made actions do their own work as superuser: the user's rights
        on the members were checked by the status change). Each run writes
        an interaction; a failure writes a warning instead."""
        if not self or not status.has_actions:
            return self.env["call.interaction"]
        events, failures = [], []
        for action in status.sudo().action_ids:
            try:
                with self.env.cr.savepoint():
                    # as the user who changed the status, whatever
                    # environment the status was read in
                    action.with_env(self.env).with_context(
                        active_model=self._name,
                        active_ids=self.ids,
                        active_id=self[:1].id,
                    ).run()
            except (UserError, ValueError) as error:
                _logger.warning(
                    "Status action %s of status %s failed on members %s: %s",
                    action.name,
                    status.name,
                    self.ids,
                    error,
                )
                failures.append((action, str(error)))
                continue
            events += [
                member._prepare_interaction_vals(
                    "status_action", note=action.name, previous_status_id=False
                )
                for member in self
            ]
        if failures:
            warning = "\n".join(
                self.env._(
                    "“%(action)s” (status “%(status)s”) failed: %(error)s",
                    action=action.name,
                    status=status.name,
                    error=error[:300],
                )
                for action, error in failures
            )
            self._write_workflow({"status_action_warning": warning})
            events += [
                member._prepare_interaction_vals(
                    "status_action",
                    note=warning,
                    previous_status_id=False,
                )
                for member in self
            ]
        elif any(self.mapped("status_action_warning")):
            self._write_workflow({"status_action_warning": False})
        return self.env["call.interaction"]._create_timeline_events(events)

    def _action_create_opportunity(self):
        """The ready-made status action “Create opportunity”: an opportunity
        for each member that has none open yet (the campaign's sales team;
        as salesperson the member's agent, else the agent who set the status,
        else the campaign's responsible),
        linked to the member, with an “Opportunity created” interaction."""
        members = self.filtered(lambda m: m.lead_outcome != "open")
        if not members:
            return self.env["crm.lead"]
        leads = (
            self.env["crm.lead"]
            .sudo()
            .create(
                [
                    {
                        "name": self.env._(
                            "%(campaign)s: %(customer)s",
                            campaign=member.campaign_id.name,
                            customer=member.partner_id.display_name,
                        ),
                        "type": "opportunity",
                        "partner_id": member.partner_id.id,
                        "team_id": member.campaign_id.team_id.id,
                        "user_id": (
                            member.user_id
                            or (
                                self.env.user
                                if self.env.user in member.campaign_id.agent_ids
                                else member.campaign_id.user_id
                            )
                        ).id,
                    }
                    for member in members
                ]
            )
        )
        for member, lead in zip(members, leads, strict=True):
            member._write_workflow({"lead_id": lead.id})
        self.env["call.interaction"]._create_timeline_events(
            [
                member._prepare_interaction_vals(
                    "opportunity", lead_id=lead.id, previous_status_id=False
                )
                for member, lead in zip(members, leads, strict=True)
            ]
        )
        return leads
