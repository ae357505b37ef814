from odoo import api, fields, models
from odoo.exceptions import ValidationError

MEMBER_MODEL = "call.campaign.member"


class IrActionsServer(models.Model):
    """Two action types of Odoo's rules engine for campaign members (what a
    status does to the opportunity, and adding the contact to another
    campaign), and Odoo's own "Send email" and "Send SMS" on members made
    safe for calling: opted-out contacts and blacklisted numbers are skipped
    with a reason, and nothing is sent inline."""

    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[
            ("call_lead", "Update the Opportunity"),
            ("call_campaign_add", "Add to a Call Campaign"),
        ],
        ondelete={"call_lead": "cascade", "call_campaign_add": "cascade"},
    )
    call_lead_operation = fields.Selection(
        [
            ("create", "Create it"),
            ("stage", "Move it to a stage"),
            ("won", "Mark it won"),
            ("lost", "Mark it lost"),
        ],
        string="Opportunity",
        default="create",
    )
    call_lead_stage_id = fields.Many2one(
        "crm.stage", string="Opportunity Stage", ondelete="restrict"
    )
    call_lead_lost_reason_id = fields.Many2one(
        "crm.lost.reason", "Lost Reason", ondelete="restrict"
    )
    call_campaign_id = fields.Many2one(
        "call.campaign",
        ondelete="restrict",
        help="The campaign the contact is added to.",
    )
    call_campaign_status_id = fields.Many2one(
        "call.status",
        string="With Status",
        ondelete="restrict",
        help="The status the contact gets there; the campaign's default when empty.",
    )
    call_campaign_allowed_status_ids = fields.Many2many(
        related="call_campaign_id.status_ids", string="Campaign Statuses"
    )
    call_status_usable = fields.Boolean(
        "Usable by Call Statuses",
        copy=False,
        help="Statuses may run this action on the members entering them (with "
        "superuser rights, as Odoo's automation rules do): an administrator "
        "decides which actions are meant for that.",
    )

    @api.depends("state")
    def _compute_available_model_ids(self):
        ours = self.filtered(
            lambda action: action.state in ("call_lead", "call_campaign_add")
        )
        if ours:
            ours.available_model_ids = self.env["ir.model"]._get(MEMBER_MODEL)
        return super(IrActionsServer, self - ours)._compute_available_model_ids()

    @api.constrains(
        "state",
        "model_id",
        "call_lead_operation",
        "call_lead_stage_id",
        "call_campaign_id",
        "call_campaign_status_id",
    )
    def _check_call_action(self):
        for action in self.filtered(
            lambda a: a.state in ("call_lead", "call_campaign_add")
        ):
            if action.model_id.model != MEMBER_MODEL:
                raise ValidationError(
                    self.env._(
                        "The action “%s” works on call campaign members only.",
                        action.name,
                    )
                )
            if action.state == "call_lead":
                if not action.call_lead_operation:
                    raise ValidationError(
                        self.env._(
                            "The action “%s”: choose what it does to the opportunity.",
                            action.name,
                        )
                    )
                if action.call_lead_operation == "stage" and not (
                    action.call_lead_stage_id
                ):
                    raise ValidationError(
                        self.env._(
                            "The action “%s”: choose the stage of the opportunity.",
                            action.name,
                        )
                    )
                continue
            campaign = action.call_campaign_id
            if not campaign:
                raise ValidationError(
                    self.env._(
                        "The action “%s”: choose the campaign the contact is added to.",
                        action.name,
                    )
                )
            status = action.call_campaign_status_id
            if status and status not in campaign.status_ids:
                raise ValidationError(
                    self.env._(
                        "The action “%(action)s”: the campaign “%(campaign)s” does "
                        "not use the status “%(status)s”.",
                        action=action.name,
                        campaign=campaign.name,
                        status=status.name,
                    )
                )

    def _check_call_member_actions(self, where):
        """Actions run on the members of a status change: actions of the
        member model an administrator meant for statuses, and so must be the
        actions they run (``multi``): another model's action would read the
        members' ids as its own records, a scheduled job's would commit in
        the middle of the status change, a menu's opens a screen nobody
        sees."""
        actions, todo = self.sudo().browse(), self.sudo()
        while todo:
            actions |= todo
            todo = todo.child_ids - actions
        foreign = actions.filtered(lambda a: a.model_id.model != MEMBER_MODEL)
        if foreign:
            raise ValidationError(
                self.env._(
                    "%(where)s: the action “%(action)s” works on “%(model)s”, not "
                    "on call campaign members.",
                    where=where,
                    action=foreign[0].name,
                    model=foreign[0].model_id.name,
                )
            )
        unmeant = actions.filtered(
            lambda a: a.usage != "ir_actions_server"
        ) | self.sudo().filtered(lambda a: not a.call_status_usable)
        if unmeant:
            raise ValidationError(
                self.env._(
                    "%(where)s: the action “%(action)s” is not meant for statuses "
                    "(an administrator marks an action “Usable by Call Statuses”; a "
                    "scheduled job's action never is).",
                    where=where,
                    action=unmeant[0].name,
                )
            )

    def _call_members(self, eval_context):
        """The members ``run()`` checked the caller's rights on: never ids
        from the context alone."""
        records = (eval_context or {}).get("records") or (eval_context or {}).get(
            "record"
        )
        if records is None or records._name != MEMBER_MODEL:
            return self.env[MEMBER_MODEL]
        return records

    def _run_action_call_lead_multi(self, eval_context=None):
        self._call_members(eval_context)._status_action_lead(self)
        return False

    def _run_action_call_campaign_add_multi(self, eval_context=None):
        self._call_members(eval_context)._status_action_add_to_campaign(self)
        return False

    def _run_action_mail_post_multi(self, eval_context=None):
        if self.model_name != MEMBER_MODEL or not self.template_id:
            return super()._run_action_mail_post_multi(eval_context=eval_context)
        self._call_members(eval_context)._status_action_mail(self)
        return False

    def _run_action_sms_multi(self, eval_context=None):
        if self.model_name != MEMBER_MODEL or not self.sms_template_id:
            return super()._run_action_sms_multi(eval_context=eval_context)
        self._call_members(eval_context)._status_action_sms(self)
        return False

    def _call_queue_mail(self, members):
        """Odoo's “Send email” on ``members``, rendered with the rights of the
        user who set the status, in one batch, through the mail queue (its
        "post as a message" variant would otherwise send inline)."""
        template = self.template_id.with_env(members.env)
        if self.mail_post_method in ("comment", "note"):
            subtype = (
                "mail.mt_comment"
                if self.mail_post_method == "comment"
                else ("mail.mt_note")
            )
            members.with_context(
                mail_notify_force_send=False,
                mail_create_nosubscribe=True,
                mail_post_autofollow=self.mail_post_autofollow,
            ).message_post_with_source(
                template,
                message_type="auto_comment",
                subtype_xmlid=subtype,
            )
        else:
            template.with_context(mail_create_nosubscribe=True).send_mail_batch(
                members.ids, force_send=False, raise_exception=False
            )
