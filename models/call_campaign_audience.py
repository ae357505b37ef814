"""Live audiences: a campaign's members follow a filter on contacts or
leads, re-evaluated by a cron and on demand. New matches join with the
campaign's default status (never a contact that must not be called);
members that stop matching leave as the campaign says (kept, or closed with
a "left the audience" entry), never deleted."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, split_every
from odoo.tools.safe_eval import datetime, dateutil, safe_eval, time

from .call_campaign_add_request import ADD_INLINE_LIMIT
from .public_method import public_method

_logger = logging.getLogger(__name__)

AUDIENCE_BATCH = 1000
# members an audience can still close (the others are finished already)
OPEN_STATES = ("queued", "scheduled")


class CallCampaign(models.Model):
    _inherit = "call.campaign"

    audience_model = fields.Selection(
        [("res.partner", "Contacts"), ("crm.lead", "Leads")],
        string="Audience",
        help="Keep the members in step with a filter on contacts or leads: "
        "new matches join, members that stop matching leave. Empty: members "
        "are added by hand only.",
    )
    audience_domain = fields.Char(
        string="Audience Filter",
        default="[]",
        help="Any field, including other apps' (e.g. contacts with overdue "
        "invoices when Accounting is installed).",
    )
    audience_exit = fields.Selection(
        [("keep", "Keep them"), ("close", "Close them")],
        string="Members Who Leave",
        default="keep",
        required=True,
        help="Keep them: they stay in the campaign as they are. Close them: "
        "open members move to the leave status. Either way the history says "
        "they left the audience; nobody is deleted.",
    )
    audience_leave_status_id = fields.Many2one(
        "call.status",
        string="Leave Status",
        default=lambda self: self.env.ref(
            "call_campaign.call_status_left_audience", raise_if_not_found=False
        ),
        domain="[('behavior', '=', 'closed')]",
        ondelete="restrict",
    )
    audience_sync_date = fields.Datetime("Audience Synced", readonly=True, copy=False)
    audience_user_id = fields.Many2one(
        "res.users",
        string="Audience Set By",
        readonly=True,
        copy=False,
        help="The audience is read with this user's rights (whoever last set "
        "its filter), by the cron as by a manager's update.",
    )
    audience_join_count = fields.Integer(
        "Would Join",
        compute="_compute_audience_preview",
        help="Contacts the filter matches that are not members yet (nor must "
        "be called): they join at the next sync.",
    )
    audience_leave_count = fields.Integer(
        "Would Leave",
        compute="_compute_audience_preview",
        help="Members that joined from the audience and no longer match.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        campaigns = super().create(vals_list)
        campaigns.filtered("audience_model")._set_audience_user()
        return campaigns

    def write(self, vals):
        self._call_guard_write(vals)
        res = super().write(vals)
        if {"audience_model", "audience_domain"} & set(vals):
            self._set_audience_user()
        return res

    def _set_audience_user(self):
        """The audience is read with the rights of who set its filter: the
        calling user, never a value nor a context default of theirs."""
        if self:
            self.sudo().write({"audience_user_id": self.env.uid})

    @api.onchange("audience_model", "audience_domain")
    def _onchange_audience_user(self):
        self.audience_user_id = self.env.user

    @api.depends("audience_model", "audience_domain", "audience_user_id")
    def _compute_audience_preview(self):
        for campaign in self:
            joins = leaves = 0
            if campaign.audience_model:
                try:
                    joins = len(campaign._audience_join_ids())
                    leaves = len(campaign._audience_leavers())
                except UserError:
                    # the constraint names the bad filter on save
                    joins = leaves = 0
            campaign.audience_join_count = joins
            campaign.audience_leave_count = leaves

    @api.constrains(
        "audience_model",
        "audience_domain",
        "audience_exit",
        "audience_leave_status_id",
    )
    def _check_audience(self):
        for campaign in self.filtered("audience_model"):
            try:
                campaign._audience_match_query()
            except UserError as error:
                raise ValidationError(error.args[0]) from error
            leave = campaign.audience_leave_status_id
            if campaign.audience_exit == "close" and not leave:
                raise ValidationError(
                    self.env._(
                        "Campaign “%s”: choose the status of the members who leave "
                        "the audience.",
                        campaign.name,
                    )
                )
            if leave and (
                leave.behavior != "closed"
                or (leave.campaign_id and leave.campaign_id != campaign)
            ):
                raise ValidationError(
                    self.env._(
                        "Campaign “%(campaign)s”: members who leave the audience "
                        "move to a closed status of the campaign, not to "
                        "“%(status)s”.",
                        campaign=campaign.name,
                        status=leave.name,
                    )
                )

    # ------------------------------------------------------------ evaluation

    def _audience_eval_domain(self):
        """The audience filter as a domain (``_eval_filter``)."""
        self.ensure_one()
        return self._eval_filter(self.audience_domain)

    @api.model
    def _eval_filter(self, text):
        """A filter as a domain, evaluated like Odoo's filters
        (``context_today()``, ``relativedelta``, ``uid``; no record in reach:
        a filter cannot call methods): the audience and the Add Members
        wizard read filters the same way. A bad one raises; the callers
        say which filter."""
        context = {
            "datetime": datetime,
            "dateutil": dateutil,
            "time": time,
            "relativedelta": dateutil.relativedelta.relativedelta,
            "context_today": lambda: fields.Date.context_today(self),
            "uid": self.env.uid,
        }
        domain = safe_eval(text or "[]", context)
        if not isinstance(domain, list | tuple):
            raise ValueError(self.env._("not a list of conditions"))
        return list(domain)

    def _audience_query(self):
        """The records the audience filter matches (a query): contacts or
        leads with a contact, of the campaign's company or shared, read with
        the rights of whoever set the filter (a filter cannot reach data its
        author may not see), so the cron and a manager see the same
        audience."""
        self.ensure_one()
        # normalized first: a dangling operator cannot swallow the company
        conditions = [
            expression.normalize_domain(self._audience_eval_domain()),
            [("company_id", "in", (False, self.company_id.id))],
        ]
        if self.audience_model == "crm.lead":
            conditions.append([("partner_id", "!=", False)])
        domain = expression.AND(conditions)
        user = self.audience_user_id or self.env.user
        return (
            self.env[self.audience_model]
            .with_user(user)
            .with_company(self.company_id)
            ._search(domain)
        )

    def _audience_match_query(self):
        """SQL of the ids of the contacts the audience matches; a filter
        that is not valid is a clear error."""
        try:
            with self.env.cr.savepoint():
                query = self._audience_query()
                column = "partner_id" if self.audience_model == "crm.lead" else "id"
                sql = query.subselect(SQL.identifier(query.table, column))
                # an invalid value only shows when the query runs
                self.env.cr.execute(SQL("SELECT 1 WHERE EXISTS %s", sql))
        except UserError:
            raise
        except Exception as error:
            raise UserError(
                self.env._(
                    "Campaign “%(campaign)s”: the audience filter is not valid: "
                    "%(error)s",
                    campaign=self.name,
                    error=error,
                )
            ) from error
        return sql

    def _audience_join_ids(self):
        """Ids of the contacts that would join, in id order: matched, not
        members yet (archived members count), callable. Anti-joins, so the
        plan stays linear whatever the size of the audience."""
        self.env["call.campaign.member"].flush_model(["campaign_id", "partner_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id FROM res_partner p
                    WHERE p.id IN %(matched)s
                      AND NOT EXISTS (
                          SELECT 1 FROM call_campaign_member m
                           WHERE m.campaign_id = %(campaign)s AND m.partner_id = p.id)
                 ORDER BY p.id""",
                matched=self._audience_match_query(),
                campaign=self._origin.id or 0,
            )
        )
        candidates = [row[0] for row in rows]
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        # the contacts that must not be called are few: read them once
        refused = set(Partner._search(Partner._call_blacklisted_domain()))
        return [pid for pid in candidates if pid not in refused]

    def _audience_leavers(self):
        """Members that joined from the audience and no longer match."""
        self.env["call.campaign.member"].flush_model(
            ["campaign_id", "partner_id", "audience_joined"]
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT m.id FROM call_campaign_member m
                    WHERE m.campaign_id = %(campaign)s AND m.audience_joined
                      AND NOT EXISTS (
                          SELECT 1 FROM %(matched)s AS matched(partner_id)
                           WHERE matched.partner_id = m.partner_id)
                 ORDER BY m.id""",
                matched=self._audience_match_query(),
                campaign=self._origin.id or 0,
            )
        )
        return self.env["call.campaign.member"].sudo().browse([r[0] for r in rows])

    # ------------------------------------------------------------------ sync

    @public_method()
    def action_sync_audience(self):
        """Bring the members of these campaigns in step with their audience
        now. Returns a notification for the screen whose ``counts`` give,
        by campaign id, ``{"joined": n, "left": n, "stopped": False}``."""
        if not self:
            raise UserError(self.env._("Choose the campaigns to update."))
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            raise UserError(
                self.env._("Only a call manager can update a campaign's audience.")
            )
        self.check_access("write")
        without = self.filtered(lambda c: not c.audience_model)
        if without:
            raise UserError(
                self.env._("The campaign “%s” has no audience.", without[0].name)
            )
        done = self.filtered(lambda c: c.state == "done")
        if done:
            raise UserError(
                self.env._(
                    "The campaign “%s” is done: its audience no longer changes.",
                    done[0].name,
                )
            )
        pending = sum(
            len(campaign._audience_join_ids()) + len(campaign._audience_leavers())
            for campaign in self.sudo()
        )
        if pending > ADD_INLINE_LIMIT:
            # too long for a web request: the audience job does it, in
            # committed batches with its progress
            self.env.ref("call_campaign.ir_cron_sync_audiences").sudo()._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "%s changes to the members: the audience is being updated "
                        "in the background.",
                        pending,
                    ),
                },
                "counts": {},
            }
        counts = {
            str(campaign.id): campaign._sync_audience() for campaign in self.sudo()
        }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Audience updated: %(joined)s joined, %(left)s left.",
                    joined=sum(c["joined"] for c in counts.values()),
                    left=sum(c["left"] for c in counts.values()),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
            "counts": counts,
        }

    def _sync_audience(self, commit=None):
        """Joins and leaves of one campaign, a batch at a time, each in a
        savepoint; ``commit(done, remaining)`` is called after each batch
        (the cron commits and reports its progress there) and stops the
        run when it returns False. Safe to run twice and to resume: a
        second run finds nothing left to do."""
        self.ensure_one()
        campaign = self.sudo()
        join_ids = campaign._audience_join_ids()
        leavers = campaign._audience_leavers()
        status = campaign._get_default_status()
        total = len(join_ids) + len(leavers)
        joined = left = 0
        first_lead = {}
        if campaign.audience_model == "crm.lead":
            # each contact joins with its first matching lead, read once
            query = campaign._audience_query()
            first_lead = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT l.partner_id, MIN(l.id) FROM crm_lead l "
                        "WHERE l.id IN %s GROUP BY l.partner_id",
                        query.subselect(),
                    )
                )
            )
        for batch in split_every(AUDIENCE_BATCH, join_ids, list):
            if first_lead:
                records = (
                    self.env["crm.lead"]
                    .sudo()
                    .browse([first_lead[partner_id] for partner_id in batch])
                )
            else:
                records = self.env["res.partner"].sudo().browse(batch)
            with self.env.cr.savepoint():
                joined += campaign._add_members_from(records, status, audience=True)[
                    "added"
                ]
            if commit and not commit(joined, total - joined):
                return {"joined": joined, "left": left, "stopped": True}
        for members in split_every(AUDIENCE_BATCH, leavers.ids, leavers.browse):
            with self.env.cr.savepoint():
                members._leave_audience(campaign)
            left += len(members)
            if commit and not commit(joined + left, total - joined - left):
                return {"joined": joined, "left": left, "stopped": True}
        campaign.audience_sync_date = fields.Datetime.now()
        _logger.info(
            "Audience of campaign %s: %s joined, %s left", campaign.id, joined, left
        )
        return {"joined": joined, "left": left, "stopped": False}

    @api.model
    def _cron_sync_audiences(self):
        """Every campaign with an audience that is not done, in batches that
        commit with their progress; one campaign's bad filter does not stop
        the others. Returns the ids of the campaigns synced."""
        self.env["call.campaign.member"]._cron_check_transaction()
        Member = self.env["call.campaign.member"]
        if not Member._cron_try_lock("sync_audiences"):
            return []
        campaigns = self.search(
            [("audience_model", "!=", False), ("state", "!=", "done")]
        )

        def commit(done, remaining):
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            Member._cron_commit()
            return Member._cron_try_lock("sync_audiences")

        synced = []
        for campaign in campaigns:
            try:
                result = campaign._sync_audience(commit=commit)
            except UserError as error:
                _logger.warning(
                    "Audience of campaign %s not synced: %s", campaign.id, error
                )
                continue
            if result["stopped"]:
                break  # another run holds the lock and goes on
            synced.append(campaign.id)
        return synced


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    audience_joined = fields.Boolean(
        "From the Audience",
        readonly=True,
        copy=False,
        help="Joined the campaign from its audience, and still matches it.",
    )

    def _leave_audience(self, campaign):
        """These members no longer match the campaign's audience: open ones
        move to its leave status when the campaign closes leavers; every one
        gets a "left the audience" entry and is no longer counted as from
        the audience (a later match does not bring it back twice)."""
        note = self.env._("No longer matches the audience of “%s”.", campaign.name)
        self._write_workflow({"audience_joined": False})
        closing = self.browse()
        if campaign.audience_exit == "close":
            closing = self.filtered(lambda m: m.active and m.state in OPEN_STATES)
            closing._set_status(
                campaign.audience_leave_status_id,
                None,
                note=note,
                kind="audience_leave",
                system=True,
            )
        (self - closing)._create_history("audience_leave", note=note)
