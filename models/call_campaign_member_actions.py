"""Status actions: Odoo server actions a status runs on the members that
enter it (send an e-mail or an SMS, create or close the opportunity, add the
contact to another campaign...), each recorded on the timeline. A campaign
may replace a status's actions with its own. A failing or refused action
never loses the status change: the member shows a warning and the log says
why."""

import logging
from collections import defaultdict

import psycopg2
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import clean_context

_logger = logging.getLogger(__name__)

# members whose status actions are running, in the transaction's cache
STATUS_ACTIONS_RUNNING = "call_campaign.status_actions_running"
# action types whose work on members is done here, with their own history
# and a reason for each member they leave out
READY_MADE = {
    "mail_post": "_status_action_mail",
    "sms": "_status_action_sms",
    "call_lead": "_status_action_lead",
    "call_campaign_add": "_status_action_add_to_campaign",
}


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    status_action_warning = fields.Text(
        readonly=True,
        help="The last status actions that could not run on this member.",
    )
    expected_revenue = fields.Monetary(
        "Revenue Estimate",
        currency_field="company_currency_id",
        help="What the customer may buy, as the agent heard it: the "
        "opportunity a status action creates starts with it.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        compute_sudo=True,
        help="Who follows up the sale: the opportunity's salesperson, else "
        "the contact's, else the member's agent (for activities a status "
        "schedules).",
    )

    @api.constrains("expected_revenue")
    def _check_expected_revenue(self):
        if any(member.expected_revenue < 0 for member in self):
            raise ValidationError(
                self.env._("The revenue estimate cannot be negative.")
            )

    @api.depends("lead_id.user_id", "partner_id.user_id", "user_id")
    def _compute_salesperson_id(self):
        for member in self:
            member.salesperson_id = (
                member.lead_id.user_id or member.partner_id.user_id or member.user_id
            )

    def _status_actions_by_members(self, status):
        """{server actions: members}: the status's actions, or the campaign's
        own for that status where the campaign replaces them."""
        # the configuration is read as superuser: agents may not read
        # server actions, and they run what their managers chose
        status = status.sudo()
        overrides = self.campaign_id.filtered("has_status_action_overrides").sudo()
        if not overrides:
            return {status.action_ids: self} if status.has_actions else {}
        own = {
            line.campaign_id.id: line.action_ids
            for line in overrides.status_action_ids
            if line.status_id == status
        }
        groups = defaultdict(lambda: self.browse())
        for member in self:
            groups[own.get(member.campaign_id.id, status.action_ids)] |= member
        return {actions: members for actions, members in groups.items() if actions}

    def _status_creates_opportunity(self, status):
        """Does this status create the member's opportunity here (the call
        screen then asks for the expected revenue)?"""
        return any(
            action.state == "call_lead" and action.call_lead_operation == "create"
            for actions in self._status_actions_by_members(status)
            for action in actions
        )

    def _run_status_actions(self, status):
        """Run the status's server actions on these members, one action at a
        time in a savepoint, with superuser rights as Odoo's automation rules
        run theirs (the administrator who built them is the one trusted; the
        user who changed the status stays the author of what they write, and
        their rights on the members were checked by the status change). Each
        run writes its interactions; a failure or a member left out writes a
        warning instead. A status an action sets again on members whose
        actions are running does not run the actions again (the recursion
        guard of ``base_automation._process``, kept in the transaction where
        no caller's context reaches it)."""
        running = self.env.cr.cache.setdefault(STATUS_ACTIONS_RUNNING, set())
        members = self.filtered(lambda m: m.id not in running)
        if not members:
            return self.env["call.interaction"]
        # default_* keys of the caller's context must not reach the records
        # the actions create as superuser
        members = members.with_env(members.env(context=clean_context(self.env.context)))
        groups = members._status_actions_by_members(status)
        interactions = self.env["call.interaction"]
        running.update(members.ids)
        try:
            for actions, group in groups.items():
                interactions |= group._run_server_actions(actions, status)
        finally:
            running.difference_update(members.ids)
        return interactions

    def _run_server_actions(self, actions, status):
        events, warnings = [], defaultdict(list)
        for action in actions:
            ready_made = READY_MADE.get(action.state)
            try:
                with self.env.cr.savepoint():
                    if not action.call_status_usable or action.usage != (
                        "ir_actions_server"
                    ):
                        # chosen before an administrator decided (an upgrade)
                        raise UserError(
                            self.env._("This action is not meant for statuses.")
                        )
                    if (
                        action.groups_id
                        and not self.env.su
                        and not action.groups_id & self.env.user.groups_id
                    ):
                        raise UserError(
                            self.env._("This action is restricted to other groups.")
                        )
                    if ready_made and action.model_id.model == self._name:
                        refused = getattr(self, ready_made)(action)
                    else:
                        # with superuser rights, the user staying the author
                        action.with_env(self.env).sudo().with_context(
                            active_model=self._name,
                            active_ids=self.ids,
                            active_id=self[:1].id,
                        ).run()
                        refused = {}
                        events += [
                            member._prepare_interaction_vals(
                                "status_action",
                                note=action.name,
                                previous_status_id=False,
                            )
                            for member in self
                        ]
            except (UserError, ValueError, psycopg2.IntegrityError) as error:
                _logger.warning(
                    "Status action %s of status %s failed on members %s: %s",
                    action.name,
                    status.name,
                    self.ids,
                    error,
                )
                message = self.env._(
                    "“%(action)s” (status “%(status)s”) failed: %(error)s",
                    action=action.name,
                    status=status.name,
                    error=str(error)[:300],
                )
                for member in self:
                    warnings[member.id].append(message)
                continue
            if refused:
                _logger.info(
                    "Status action %s of status %s left out members %s",
                    action.name,
                    status.name,
                    refused,
                )
            for member_id, reason in refused.items():
                warnings[member_id].append(
                    self.env._(
                        "“%(action)s” (status “%(status)s”) not done: %(reason)s",
                        action=action.name,
                        status=status.name,
                        reason=reason,
                    )
                )
        by_text = defaultdict(list)
        for member in self:
            by_text["\n".join(warnings[member.id]) or False].append(member.id)
        for text, member_ids in by_text.items():
            members = self.browse(member_ids)
            if text:
                members._write_workflow({"status_action_warning": text})
                events += [
                    member._prepare_interaction_vals(
                        "status_action", note=text, previous_status_id=False
                    )
                    for member in members
                ]
            elif any(members.mapped("status_action_warning")):
                members._write_workflow({"status_action_warning": False})
        return self.env["call.interaction"]._create_timeline_events(events)

    # ------------------------------------------------------ ready-made actions

    def _status_action_mail(self, action):
        """Odoo's “Send email” on members: the e-mail goes through the mail
        queue, is noted in the contact's chatter and on the timeline; a
        contact without an e-mail address or who opted out is left out.
        Returns {member id: why it was left out}."""
        if action.mail_post_method == "note":
            # an internal note, not a message to the customer
            action._call_queue_mail(self)
            self._create_history(
                "status_action", note=action.name, previous_status_id=False
            )
            return {}
        refused = {}
        for member in self:
            partner = member.partner_id
            if not partner.email_normalized:
                refused[member.id] = self.env._("the contact has no e-mail address.")
            elif partner.is_blacklisted:
                refused[member.id] = self.env._(
                    "%s opted out of e-mails.", partner.email_normalized
                )
        members = self.filtered(lambda m: m.id not in refused)
        if members:
            action._call_queue_mail(members)
            members._log_sent(
                "mail_sent",
                action.template_id.name,
                {m.id: m.partner_id.email_normalized for m in members},
            )
        return refused

    def _status_action_sms(self, action):
        """Odoo's “Send SMS” on members, always queued (Odoo's SMS queue),
        never to a number on the phone blacklist nor to a contact without
        a number. Returns {member id: why it was left out}."""
        recipients = self._sms_get_recipients_info()
        numbers = {
            member.id: (recipients.get(member.id) or {}).get("sanitized")
            for member in self
        }
        blacklisted = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", [n for n in numbers.values() if n])])
            .mapped("number")
        )
        refused = {}
        for member in self:
            number = numbers[member.id]
            if not number:
                refused[member.id] = self.env._("the contact has no mobile number.")
            elif number in blacklisted:
                refused[member.id] = self.env._(
                    "the number %s is on the phone blacklist.", number
                )
        members = self.filtered(lambda m: m.id not in refused)
        if members:
            self.env["sms.composer"].with_context(
                default_res_model=self._name,
                default_res_ids=members.ids,
                default_composition_mode="mass",
                default_template_id=action.sms_template_id.id,
                default_mass_keep_log=action.sms_method != "sms",
                default_mass_force_send=False,
            ).create({}).action_send_sms()
            members._log_sent("sms_sent", action.sms_template_id.name, numbers)
        return refused

    def _log_sent(self, kind, what, addresses):
        """A sent message on the timeline (with the address or number it went
        to) and in the contacts' chatter."""
        self.env["call.interaction"]._create_timeline_events(
            [
                member._prepare_interaction_vals(
                    kind,
                    note=what,
                    phone_number=addresses[member.id] if kind == "sms_sent" else False,
                    previous_status_id=False,
                )
                for member in self
            ]
        )
        label = self.env._("E-mail") if kind == "mail_sent" else self.env._("SMS")
        self.partner_id.sudo()._message_log_batch(
            bodies={
                member.partner_id.id: escape(
                    self.env._(
                        "%(what)s “%(name)s” sent to %(address)s from the call "
                        "campaign “%(campaign)s”.",
                        what=label,
                        name=what,
                        address=addresses[member.id],
                        campaign=member.campaign_id.name,
                    )
                )
                for member in self
            }
        )

    def _status_action_lead(self, action):
        """The member's opportunity: create it, or move it to a stage, mark
        it won or lost (CRM's own ``action_set_won``/``action_set_lost``,
        which write their history). Returns {member id: why it was left
        out}."""
        operation = action.call_lead_operation
        if operation == "create":
            self._action_create_opportunity()
            return {}
        refused = {
            member.id: self.env._("the member has no open opportunity.")
            for member in self
            if member.lead_outcome != "open"
        }
        leads = self.filtered(lambda m: m.id not in refused).lead_id.sudo()
        if operation == "stage":
            leads.write({"stage_id": action.call_lead_stage_id.id})
        elif operation == "won":
            leads.action_set_won()
        elif operation == "lost":
            leads.action_set_lost(lost_reason_id=action.call_lead_lost_reason_id.id)
        return refused

    def _status_action_add_to_campaign(self, action):
        """Add the contacts to the action's campaign with its status; a
        contact already there (or that must not be called) is refused.
        Returns {member id: why it was left out}."""
        campaign = action.call_campaign_id.sudo()
        there = set(
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("campaign_id", "=", campaign.id),
                    ("partner_id", "in", self.partner_id.ids),
                ]
            )
            .partner_id.ids
        )
        blacklisted = set(self.partner_id._call_blacklisted().ids)
        refused = {}
        for member in self:
            if member.company_id != campaign.company_id:
                refused[member.id] = self.env._(
                    "the campaign “%s” belongs to another company.", campaign.name
                )
            elif member.partner_id.id in there:
                refused[member.id] = self.env._(
                    "%(contact)s is already in the campaign “%(campaign)s”.",
                    contact=member.partner_id.display_name,
                    campaign=campaign.name,
                )
            elif member.partner_id.id in blacklisted:
                refused[member.id] = self.env._(
                    "%s must not be called.", member.partner_id.display_name
                )
        partners = self.filtered(lambda m: m.id not in refused).partner_id
        if partners:
            campaign._add_members_from(partners, action.call_campaign_status_id)
        return refused

    def _action_create_opportunity(self):
        """The ready-made status action “Create opportunity”: an opportunity
        for each member that has none open yet (the campaign's sales team;
        as salesperson the member's agent, else the agent who set the status,
        else the campaign's responsible; the expected revenue the agent
        noted), linked to the member, with an “Opportunity created”
        interaction."""
        members = self.filtered(lambda m: m.lead_outcome != "open")
        if not members:
            return self.env["crm.lead"]
        leads = (
            self.env["crm.lead"]
            .with_env(self.env(context=clean_context(self.env.context), su=True))
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
                        "expected_revenue": member.expected_revenue,
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
