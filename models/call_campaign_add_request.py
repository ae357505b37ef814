"""Adding a big filter's contacts or leads to a campaign in the background,
as ``event_crm`` hands lead generation to a request record: the Add Members
wizard files a request and triggers the job, which adds a batch at a time,
commits each with its progress, and tells the manager the counts when done.
A web request never runs past the workers' time limit."""

import logging

from markupsafe import Markup

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# records added per committed batch
ADD_BATCH = 1000
# above this many records (or audience changes), the work goes to the
# background instead of the web request
ADD_INLINE_LIMIT = 2000


class CallCampaignAddRequest(models.Model):
    _name = "call.campaign.add.request"
    _description = "Members Being Added to a Call Campaign"
    _order = "id"

    campaign_id = fields.Many2one(
        "call.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id")
    res_model = fields.Selection(
        [("res.partner", "Contacts"), ("crm.lead", "Leads")], required=True
    )
    domain = fields.Char(required=True, default="[]")
    status_id = fields.Many2one("call.status", ondelete="cascade")
    user_ids = fields.Many2many("res.users", string="Spread Over Agents")
    requester_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", string="Requested By"
    )
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done")],
        default="queued",
        required=True,
        index=True,
    )
    last_id = fields.Integer(help="The last record added (they go by id).")
    total = fields.Integer(help="Records the filter selected when requested.")
    done_count = fields.Integer("Processed")
    added_count = fields.Integer("Added")
    duplicate_count = fields.Integer("Already Members")
    blacklisted_count = fields.Integer("On the Blacklist")
    no_contact_count = fields.Integer("Without Contact")

    @api.model
    def _cron_add_members(self):
        """The requests, oldest first, a batch at a time; each batch commits
        with its progress. Safe to run twice: a batch is taken after the
        last record added, under the job's lock."""
        Member = self.env["call.campaign.member"]
        Member._cron_check_transaction()
        if not Member._cron_try_lock("add_members"):
            return []
        requests = self.search([("state", "in", ("queued", "running"))])
        remaining = sum(requests.mapped("total")) - sum(requests.mapped("done_count"))
        done = 0
        for request in requests:
            while request.state != "done":
                processed = request._add_batch()
                done += processed
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=max(remaining - done, 0)
                )
                Member._cron_commit()
                if not Member._cron_try_lock("add_members"):
                    return requests.ids
        return requests.ids

    def _add_batch(self):
        """The next batch of the request's filter, added as its requester
        would (their rights, their records); the last one says it is done."""
        self.ensure_one()
        requester = self.requester_id
        campaign = self.campaign_id.with_user(requester)
        Model = self.env[self.res_model].with_user(requester)
        try:
            with self.env.cr.savepoint():
                domain = campaign._eval_filter(self.domain)
                records = Model.search(
                    [*domain, ("id", ">", self.last_id)], order="id", limit=ADD_BATCH
                )
                counts = (
                    campaign._add_members_from(records, self.status_id, self.user_ids)
                    if records
                    else {}
                )
        except Exception as error:  # noqa: BLE001
            # a filter gone bad, a campaign closed meanwhile: the request
            # stops and says why instead of failing at every run
            _logger.warning("Members not added to campaign %s: %s", campaign.id, error)
            self._finish(error=str(error))
            return 0
        if not records:
            self._finish()
            return 0
        self.write(
            {
                "state": "running",
                "last_id": records[-1].id,
                "done_count": self.done_count + len(records),
                "added_count": self.added_count + counts["added"],
                "duplicate_count": self.duplicate_count + counts["duplicates"],
                "blacklisted_count": self.blacklisted_count + counts["blacklisted"],
                "no_contact_count": self.no_contact_count + counts["no_contact"],
            }
        )
        return len(records)

    def _finish(self, error=None):
        """Done: the requester reads the counts on the campaign."""
        self.state = "done"
        lang = self.requester_id.lang
        env = self.with_context(lang=lang).env
        if error:
            body = env._("Adding members stopped: %s", error)
        else:
            body = env._(
                "Members added: %(added)s; already members: %(duplicates)s; on the "
                "blacklist: %(blacklisted)s; without contact: %(no_contact)s.",
                added=self.added_count,
                duplicates=self.duplicate_count,
                blacklisted=self.blacklisted_count,
                no_contact=self.no_contact_count,
            )
        self.campaign_id.message_post(
            body=Markup("<p>%s</p>") % body,
            partner_ids=self.requester_id.partner_id.ids,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
