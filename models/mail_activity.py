from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .call_guard import check_foreign_vals
from .public_method import public_method

MEMBER_MODEL = "call.campaign.member"
# what a user may not change on a campaign's pending call: the call follows
# the member's status, agent and follow-up date, and nothing else
CALL_LOCKED_FIELDS = frozenset(
    {
        "res_model",
        "res_model_id",
        "res_id",
        "activity_type_id",
        "user_id",
        "date_deadline",
        "active",
        "calendar_event_id",
    }
)
# the link of an activity to its member is computed: nobody writes it
# Odoo's fields the add-on reads to tell a campaign call
CALL_READ_FIELDS = ("res_model_id", "res_model", "res_id", "activity_type_id")


class MailActivity(models.Model):
    _inherit = "mail.activity"

    call_member_id = fields.Many2one(
        MEMBER_MODEL,
        string="Call Campaign Member",
        compute="_compute_call_member_id",
        store=True,
        index="btree_not_null",
        help="Set on the pending phone call of a campaign member.",
    )
    call_campaign_id = fields.Many2one(
        related="call_member_id.campaign_id", store=True, string="Call Campaign"
    )
    call_status_id = fields.Many2one(
        related="call_member_id.status_id", store=True, string="Call Status"
    )
    call_partner_id = fields.Many2one(
        related="call_member_id.partner_id", string="Customer"
    )
    call_phone = fields.Char(related="call_member_id.phone", string="Phone")
    call_next_date = fields.Datetime(
        related="call_member_id.next_call_date", string="Call At"
    )

    call_duration_hours = fields.Float(
        compute="_compute_call_duration_hours",
        string="Expected Duration",
        help="The campaign's average handle time, at least 5 minutes: the "
        "calendar shows a call as long as it is expected to take.",
    )

    @api.depends("call_campaign_id")
    def _compute_call_duration_hours(self):
        for activity in self:
            # a figure of the campaign, not a right: agents read it for the calendar
            minutes = activity.call_campaign_id.sudo().average_handle_time
            activity.call_duration_hours = max(minutes or 0.0, 5.0) / 60

    @api.depends("call_partner_id", "call_campaign_id")
    def _compute_display_name(self):
        """A campaign call is named after whom to call and for which
        campaign (the calendar of scheduled calls shows it at its time)."""
        calls = self.filtered("call_member_id")
        for call in calls:
            call.display_name = self.env._(
                "%(customer)s — %(campaign)s",
                customer=call.call_partner_id.display_name,
                campaign=call.call_campaign_id.display_name,
            )
        return super(MailActivity, self - calls)._compute_display_name()

    def init(self):
        # one pending call per member, whatever writes it (two cron workers
        # included): the database refuses the second one
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS mail_activity_call_member_pending_uniq
               ON mail_activity (call_member_id) WHERE call_member_id IS NOT NULL AND active"""
        )

    @api.depends("res_model", "res_id", "activity_type_id.category")
    def _compute_call_member_id(self):
        for activity in self:
            is_call = (
                activity.res_model == MEMBER_MODEL
                and activity.activity_type_id.category == "phonecall"
            )
            activity.call_member_id = activity.res_id if is_call else False

    @api.model_create_multi
    def create(self, vals_list):
        """Campaign calls are planned by the member's status service (as
        superuser); a user cannot add one, e.g. to a closed member."""
        planned = self.env._(
            "The calls of a campaign are planned by its statuses: use "
            "“Log a Call” on the member to plan the next call."
        )
        vals_list = check_foreign_vals(
            self, vals_list, message=planned, read_fields=CALL_READ_FIELDS
        )
        member_ids = self._call_member_ids_of(vals_list)
        if member_ids and not self.env.su:
            raise UserError(planned)
        self._check_one_pending_call(member_ids)
        return super().create(vals_list)

    def write(self, vals):
        follows = self.env._(
            "A campaign call follows its member: reschedule it with "
            "“Log a Call”, hand it over with “Forward”."
        )
        check_foreign_vals(self, vals, message=follows, read_fields=CALL_READ_FIELDS)
        if not self.env.su and CALL_LOCKED_FIELDS & set(vals):
            if self.filtered("call_member_id") or (
                {"res_model", "res_model_id", "res_id", "activity_type_id"} & set(vals)
                and self._call_member_ids_of(
                    [
                        {
                            "res_model_id": vals.get("res_model_id"),
                            "res_model": vals.get("res_model", activity.res_model),
                            "res_id": vals.get("res_id", activity.res_id),
                            "activity_type_id": vals.get(
                                "activity_type_id", activity.activity_type_id.id
                            ),
                        }
                        for activity in self
                    ]
                )
            ):
                raise UserError(follows)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_call_by_manager(self):
        """Agents cannot delete a campaign call (the member would wait for a
        call nobody makes); a manager's deletion cancels it with history."""
        calls = self.with_context(active_test=False).filtered("call_member_id")
        if not calls or self.env.su:
            return
        if calls.filtered(lambda call: not call.active):
            raise UserError(
                self.env._(
                    "A done campaign call is kept for reporting: it cannot be deleted."
                )
            )
        members = calls.call_member_id
        members._check_manager(
            self.env._(
                "A campaign call cannot be deleted: log its result with “Log a Call”, "
                "or ask a call manager to cancel it."
            )
        )
        members._cancel_call()

    @api.model
    def _call_member_ids_of(self, vals_list):
        """Members whose campaign call these activity values would be."""
        context = self.env.context
        member_model_id = self.env["ir.model"]._get_id(MEMBER_MODEL)
        wanted = []
        for vals in vals_list:
            model_id = vals.get("res_model_id") or context.get("default_res_model_id")
            model = vals.get("res_model") or context.get("default_res_model")
            if model_id == member_model_id or model == MEMBER_MODEL:
                res_id = vals.get("res_id") or context.get("default_res_id")
                type_id = vals.get("activity_type_id") or context.get(
                    "default_activity_type_id"
                )
                if res_id and type_id:
                    wanted.append((res_id, type_id))
        if not wanted:
            return []
        phone_types = set(
            self.env["mail.activity.type"]
            .browse({type_id for _res_id, type_id in wanted})
            .filtered(lambda t: t.category == "phonecall")
            .ids
        )
        return [res_id for res_id, type_id in wanted if type_id in phone_types]

    @api.model
    def _check_one_pending_call(self, member_ids):
        """Clear message before the unique index refuses a second pending call
        (the index stays the guarantee, e.g. for concurrent transactions)."""
        if not member_ids:
            return
        taken = {
            member.id
            for [member] in self.sudo()._read_group(
                [("call_member_id", "in", member_ids)], ["call_member_id"]
            )
        }
        seen = set()
        for member_id in member_ids:
            if member_id in taken or member_id in seen:
                raise ValidationError(
                    self.env._(
                        "%s already has a pending call: reschedule it instead of "
                        "planning another one.",
                        self.env[MEMBER_MODEL].sudo().browse(member_id).display_name,
                    )
                )
            seen.add(member_id)

    @public_method(one=True)
    def action_log_call_campaign(self):
        """“Log a call” from a pending call: the agent records the result."""
        return self.call_member_id._action_log_call(
            {"active_model": MEMBER_MODEL, "active_ids": self.call_member_id.ids}
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        """A campaign call marked done from the activity itself (not through
        Log a Call) counts as a contact whose result is still to log. Odoo
        archives it (kept for reporting) as superuser: the user's right to
        mark it done was checked here, and users may not archive it."""
        calls = self.filtered("call_member_id")
        if not calls:
            return super()._action_done(
                feedback=feedback, attachment_ids=attachment_ids
            )
        if calls.filtered(lambda call: not call.active):
            raise UserError(self.env._("This campaign call is already done."))
        calls.check_access("write")
        members = calls.call_member_id
        members.check_access("write")
        stopped = members.campaign_id.filtered(lambda c: c.state == "done")
        if stopped:
            raise UserError(
                self.env._(
                    "The campaign “%s” is done: its calls are no longer made.",
                    stopped[0].name,
                )
            )
        members = members.sudo()
        messages, next_activities = super(MailActivity, calls.sudo())._action_done(
            feedback=feedback, attachment_ids=attachment_ids
        )
        others = self - calls
        if others:
            other_messages, other_next = super(MailActivity, others)._action_done(
                feedback=feedback, attachment_ids=attachment_ids
            )
            messages |= other_messages
            next_activities |= other_next
        members._on_call_done(feedback)
        return messages, next_activities.with_env(self.env)
