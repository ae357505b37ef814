"""Pending calls and crons: each member's one pending call activity, what a
call marked done means, and the batched, idempotent, locked crons."""

import logging
import threading
from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import html2plaintext, split_every

from .call_campaign_member_actions import STATUS_ACTIONS_RUNNING
from .call_status import DATED_BEHAVIORS

_logger = logging.getLogger(__name__)


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    def _sync_call_activities(self):
        """Make the pending call activity of each member match its status:
        one call on the follow-up date for statuses that schedule calls (moved,
        never duplicated), none otherwise. Written as superuser: the caller's
        rights were checked on the member, and users cannot write these calls
        themselves (see ``mail.activity``)."""
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
        )
        pending = Activity.search([("call_member_id", "in", self.ids)])
        pending_by_member = {
            activity.call_member_id.id: activity for activity in pending
        }
        to_cancel = Activity
        to_create = []
        to_write = defaultdict(lambda: Activity)
        default_type = self.env.ref("call_campaign.mail_activity_type_call")
        for member in self:
            activity = pending_by_member.get(member.id)
            if not member._needs_call_activity():
                to_cancel |= activity or Activity
                continue
            vals = member._prepare_call_activity_vals(default_type)
            if not activity:
                to_create.append(vals)
                continue
            changes = {
                key: value
                for key, value in vals.items()
                if key in ("date_deadline", "user_id", "summary")
                and activity._fields[key].convert_to_write(activity[key], activity)
                != value
            }
            if changes:
                to_write[tuple(sorted(changes.items()))] |= activity
        to_cancel.unlink()
        for changes, activities in to_write.items():
            activities.write(dict(changes))
        if to_create:
            # each new call names its member (res_name) one record at a
            # time: their names are computed here for the whole batch
            self.mapped("display_name")
        created = Activity.create(to_create)
        if created:
            members = {member.id: member for member in self}
            self.env["call.interaction"]._create_timeline_events(
                [
                    members[activity.res_id]._prepare_interaction_vals(
                        "scheduled",
                        next_call_date=members[activity.res_id].next_call_date,
                        to_user_id=activity.user_id.id,
                    )
                    for activity in created
                ]
            )
        return created

    def _needs_call_activity(self):
        self.ensure_one()
        return bool(
            self.active
            and self.status_id.schedule_call
            and self.next_call_date
            and self.state == "scheduled"
        )

    def _prepare_call_activity_vals(self, default_type):
        self.ensure_one()
        tz = pytz.timezone(self._get_call_tz())
        status = self.status_id
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": (status.activity_type_id or default_type).id,
            "summary": status.activity_summary or status.name,
            "date_deadline": pytz.utc.localize(self.next_call_date)
            .astimezone(tz)
            .date(),
            "user_id": (self.user_id or self.campaign_id.user_id or self.env.user).id,
        }

    def _on_call_done(self, feedback=None):
        """The pending call was marked done from the activity itself, not
        through Log a Call: it counts as a contact whose result is still to
        log (the member shows so until a status is set). Cyclic statuses plan
        the next call their delay after this contact."""
        now = fields.Datetime.now()
        self._register_contact(now)
        self._write_workflow({"result_pending": True})
        text = html2plaintext(feedback) if feedback else ""
        self._create_history(
            "call",
            note=self.env._("Marked done without a result. %s", text).strip(),
        )
        for status, members in self.grouped("status_id").items():
            if status.cyclic:
                dates = members._get_follow_up_dates(status, None)
            else:
                dates = dict.fromkeys(members.ids, False)
            by_date = defaultdict(list)
            for member in members:
                by_date[dates[member.id]].append(member.id)
            for follow_up, member_ids in by_date.items():
                self.browse(member_ids)._write_workflow({"next_call_date": follow_up})
        self._sync_call_activities()
        self._apply_attempt_caps()

    def _cancel_call(self):
        """A manager deleted the pending call: no call is planned any more,
        the member is callable now and the history says so."""
        self._write_workflow({"next_call_date": False})
        self._create_history("call_cancelled")

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_try_lock(self, name):
        """One run of a cron at a time, whoever starts it (ir.cron, a manual
        run, a second server): a transaction-level advisory lock, taken
        again after each committed batch. A run that does not get it stops
        cleanly and leaves the work to the one that holds it."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
            [f"call_campaign.{name}"],
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_commit(self):
        """Keep a cron's finished batches where the cron owns the
        transaction: the scheduler's worker. A manual run (a request) and a
        test commit nothing: the request's or the test's transaction ends
        it."""
        if not request and not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_check_transaction(self):
        """A cron works in batches of its own: never from a status action,
        inside the savepoint of a status change it would break."""
        if self.env.cr.cache.get(STATUS_ACTIONS_RUNNING):
            raise UserError(
                self.env._(
                    "A scheduled job of Call Campaigns cannot run inside a status "
                    "action."
                )
            )

    @api.model
    def _cron_schedule_calls(self, batch_size=1000, max_batches=None):
        """Give a pending call to members that should have one and do not:
        imported with a follow-up date, activity lost, cyclic re-contact due.

        Works through the due members in id order, a batch at a time: each
        batch commits (outside tests) and reports its progress, and never
        reads again the members the batches before it handled.

        Safe to run twice and at once: each batch holds the cron's advisory
        lock (``_cron_try_lock``), the domain skips members that already have
        a pending call, and the partial unique index
        ``mail_activity_call_member_pending_uniq`` makes the database refuse a
        second pending call for a member whatever creates it."""
        self._cron_check_transaction()
        scheduled = self.browse()
        if not self._cron_try_lock("schedule_calls"):
            return scheduled
        now = fields.Datetime.now()
        for batch_ids in split_every(
            batch_size, self.search(self._cyclic_due_domain()).ids
        ):
            self.browse(batch_ids)._plan_cyclic_calls(now)
            self._cron_commit()
            if not self._cron_try_lock("schedule_calls"):
                return scheduled
        domain = self._schedule_due_domain(
            now + timedelta(days=self._schedule_horizon_days())
        )
        for members in self._cron_batches(
            domain, "schedule_calls", batch_size, max_batches
        ):
            members._sync_call_activities()
            scheduled |= members
        return scheduled

    @api.model
    def _cron_batches(self, domain, lock, batch_size, max_batches=None):
        """The members of ``domain`` a batch at a time, in id order, never
        read twice. Once the caller has handled a batch, its progress is
        reported, it is committed (outside tests) and the cron's advisory
        lock ``lock`` is taken again (another run holding it: stop)."""
        total = self.search_count(domain)
        done = last_id = batches = 0
        while not max_batches or batches < max_batches:
            members = self.search(
                domain + [("id", ">", last_id)], order="id", limit=batch_size
            )
            if not members:
                return
            yield members
            batches += 1
            done += len(members)
            last_id = members[-1].id
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=max(total - done, 0)
            )
            self._cron_commit()
            if not self._cron_try_lock(lock):
                return

    @api.model
    def _cron_retry_calls(self, batch_size=1000):
        """Members under an automatic status (busy, no answer...) whose retry
        delay has passed go back to the queue; those that used up the status's
        retries move to its exhausted status. A second run finds nothing: both
        leave the "scheduled and due" state the domain looks for."""
        self._cron_check_transaction()
        if not self._cron_try_lock("retry_calls"):
            return self.browse()
        domain = [
            ("active", "=", True),
            ("status_id.auto_outcome", "!=", False),
            ("state", "=", "scheduled"),
            ("next_call_date", "<=", fields.Datetime.now()),
        ]
        members = self.search(domain, limit=batch_size)
        exhausted = members.filtered(
            lambda m: (
                m.status_id.max_attempts and m.attempt_count >= m.status_id.max_attempts
            )
        )
        exhausted._apply_exhausted_status()
        retried = members - exhausted
        retried._write_workflow({"next_call_date": False})
        retried._create_history(
            "status_change",
            previous_status_id=False,
            note=self.env._("Retry delay over: back in the queue."),
        )
        self.env["ir.cron"]._notify_progress(
            done=len(members), remaining=self.search_count(domain)
        )
        return members

    @api.model
    def _cron_release_callbacks(self, batch_size=1000):
        """“My record” callbacks left overdue by their agent longer than the
        campaign's release delay go back to the pool; the history says so."""
        self._cron_check_transaction()
        if not self._cron_try_lock("release_callbacks"):
            return self.browse()
        now = fields.Datetime.now()
        campaigns = self.env["call.campaign"].search(
            [("state", "=", "running"), ("release_delay", ">", 0)]
        )
        if not campaigns:
            return self.browse()
        domain = [
            ("active", "=", True),
            ("status_id.behavior", "=", "my_record"),
            ("user_id", "!=", False),
        ] + expression.OR(
            [
                [
                    ("campaign_id", "=", campaign.id),
                    (
                        "next_call_date",
                        "<",
                        now - timedelta(hours=campaign.release_delay),
                    ),
                ]
                for campaign in campaigns
            ]
        )
        members = self.search(domain, limit=batch_size)
        for campaign, released in members.grouped("campaign_id").items():
            released._assign(
                self.env["res.users"],
                kind="released",
                note=self.env._(
                    "Callback overdue for more than %s hours: back to the pool.",
                    campaign.release_delay,
                ),
            )
        self.env["ir.cron"]._notify_progress(
            done=len(members), remaining=self.search_count(domain)
        )
        return members

    @api.model
    def _timeout_domain(self, now):
        """Members that stayed longer than their status's time-out, in the
        running campaigns: the one definition the cron and its count use."""
        statuses = self.env["call.status"].search([("timeout_days", ">", 0)])
        if not statuses:
            return expression.FALSE_DOMAIN
        return [
            ("active", "=", True),
            ("campaign_id.state", "=", "running"),
        ] + expression.OR(
            [
                [
                    ("status_id", "=", status.id),
                    ("status_date", "<=", now - timedelta(days=status.timeout_days)),
                ]
                for status in statuses
            ]
        )

    @api.model
    def _cron_apply_timeouts(self, batch_size=1000, max_batches=None):
        """Status time-outs: members that stayed their status's time-out move
        to its time-out status through the status service, with a "timed
        out" history entry. A batch at a time, each committed (outside
        tests) with its progress; safe to run twice (a moved member has left
        the status) and at once (advisory lock). A member whose status an
        agent set again meanwhile has a new status date: not touched."""
        self._cron_check_transaction()
        moved = self.browse()
        if not self._cron_try_lock("apply_timeouts"):
            return moved
        now = fields.Datetime.now()
        for members in self._cron_batches(
            self._timeout_domain(now), "apply_timeouts", batch_size, max_batches
        ):
            for status, group in members.grouped("status_id").items():
                target = status.timeout_status_id
                date = (
                    now + timedelta(days=target.delay_days)
                    if target.behavior in DATED_BEHAVIORS
                    and (target.date_required or target.delay_days)
                    else None
                )
                try:
                    with self.env.cr.savepoint():
                        group._set_status(
                            target,
                            date,
                            note=self.env._(
                                "%(days)s days in “%(status)s”: moved to “%(target)s”.",
                                days=status.timeout_days,
                                status=status.name,
                                target=target.name,
                            ),
                            kind="timeout",
                            system=True,
                        )
                except UserError as error:
                    # a misconfigured time-out must not stop the others
                    _logger.warning(
                        "Time-out of status %s not applied to %s members: %s",
                        status.name,
                        len(group),
                        error,
                    )
                    group = self.browse()  # noqa: PLW2901
                moved |= group
        return moved

    @api.model
    def _schedule_horizon_days(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("call_campaign.schedule_horizon_days", 7)
        )

    @api.model
    def _schedule_due_domain(self, horizon):
        return [
            ("active", "=", True),
            ("campaign_id.state", "=", "running"),
            ("status_id.schedule_call", "=", True),
            ("state", "=", "scheduled"),
            ("next_call_date", "<=", horizon),
            ("call_activity_ids", "=", False),
        ]

    @api.model
    def _cyclic_due_domain(self):
        return [
            ("active", "=", True),
            ("campaign_id.state", "=", "running"),
            ("status_id.cyclic", "=", True),
            ("state", "=", "queued"),
        ]

    def _plan_cyclic_calls(self, now):
        """Cyclic members without a follow-up date: their delay after the last
        contact (now when overdue), moved into calling hours."""
        slots = {}
        by_date = defaultdict(list)
        for member in self:
            last = member.last_call_date or member.status_date or now
            base = max(now, last + timedelta(days=member.status_id.delay_days))
            key = (member.campaign_id, member._get_call_tz(), base)
            if key not in slots:
                slots[key] = member.campaign_id._next_calling_slot(base, key[1])
            by_date[slots[key]].append(member.id)
        for follow_up, member_ids in by_date.items():
            self.browse(member_ids)._write_workflow({"next_call_date": follow_up})

    def _apply_exhausted_status(self):
        for status, members in self.grouped("status_id").items():
            members._set_status(
                status.exhausted_status_id,
                None,
                note=self.env._(
                    "No more retries after %s attempts.", status.max_attempts
                ),
                system=True,
            )
