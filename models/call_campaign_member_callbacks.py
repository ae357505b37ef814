"""Callback governance: the campaign's limits on “My record” callbacks
(how many an agent holds, how far ahead they go), checked by the status
service and the assignment before anything is written."""

from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    @api.model
    def _callback_domain(self):
        """The one definition of a pending callback: a “My record” member
        still to call."""
        return [
            ("active", "=", True),
            ("behavior", "=", "my_record"),
            ("state", "in", ("queued", "scheduled")),
        ]

    def _callback_counts(self, campaigns, users):
        """Pending callbacks of ``users`` in ``campaigns``, these members left
        out: {(campaign id, user id): count}, in one grouped query. As
        superuser: an agent's limit counts callbacks they may not read (a
        colleague's, when forwarding to them)."""
        groups = self.sudo()._read_group(
            self._callback_domain()
            + [
                ("campaign_id", "in", campaigns.ids),
                ("user_id", "in", users.ids),
                ("id", "not in", self.ids),
            ],
            ["campaign_id", "user_id"],
            ["__count"],
        )
        return {(campaign.id, user.id): count for campaign, user, count in groups}

    def _check_callback_count(self, user=None, campaign=None):
        """These members are about to be pending callbacks of ``user`` (each
        one's own agent when empty) in ``campaign`` (each one's own when
        empty; Forward moves them): refused when it gives an agent more than
        the campaign's ``max_callbacks_per_agent``. Callbacks an agent already
        holds may change (a new date) even above a limit lowered since."""
        kept, gained = Counter(), Counter()
        current = self.filtered_domain(self._callback_domain())
        for member in self:
            owner = user or member.user_id
            target = campaign or member.campaign_id
            if not owner:
                continue
            keeps = (
                member in current
                and member.user_id == owner
                and member.campaign_id == target
            )
            (kept if keeps else gained)[target, owner] += 1
        self._check_callback_room(gained, kept)

    def _check_callback_room(self, gained, kept=None):
        """Refused when the callbacks ``gained`` ({(campaign, user): count})
        give an agent more than the campaign's ``max_callbacks_per_agent``.
        What each agent holds is counted in one grouped query, these members
        left out (they are changing); ``kept``: the ones among them that stay
        their agent's callbacks."""
        gained = {
            (campaign, user): count
            for (campaign, user), count in gained.items()
            if campaign.max_callbacks_per_agent
        }
        if not gained:
            return
        campaigns = self.env["call.campaign"].union(*(c for c, _u in gained))
        users = self.env["res.users"].union(*(u for _c, u in gained))
        others = self._callback_counts(campaigns, users)
        for (campaign, user), count in gained.items():
            held = others.get((campaign.id, user.id), 0) + (kept or {}).get(
                (campaign, user), 0
            )
            if held + count > campaign.max_callbacks_per_agent:
                raise UserError(
                    self.env._(
                        "%(agent)s may hold at most %(limit)s pending callbacks in "
                        "the campaign “%(campaign)s”: they hold %(held)s, %(count)s "
                        "more would be too many.",
                        agent=user.name,
                        limit=campaign.max_callbacks_per_agent,
                        campaign=campaign.name,
                        held=held,
                        count=count,
                    )
                )

    def _check_callback_dates(self, dates, campaign=None):
        """No callback further ahead than its campaign's ``max_callback_days``
        (``dates``: each member's follow-up date by id; ``campaign``: the one
        they move to, else their own)."""
        for member in self:
            self._check_callback_date(
                dates.get(member.id),
                campaign or member.campaign_id,
                member.display_name,
            )

    @api.model
    def _check_callback_date(self, date, campaign, who):
        """One callback's follow-up date against ``max_callback_days``: the
        furthest allowed is shown in the user's time zone."""
        if not date or not campaign.max_callback_days:
            return
        latest = fields.Datetime.now() + timedelta(days=campaign.max_callback_days)
        if date > latest:
            raise UserError(
                self.env._(
                    "%(member)s: the follow-up date %(date)s is too far ahead: the "
                    "campaign “%(campaign)s” takes callbacks up to %(days)s days "
                    "ahead, until %(latest)s.",
                    member=who,
                    date=format_datetime(self.env, date),
                    campaign=campaign.name,
                    days=campaign.max_callback_days,
                    latest=format_datetime(self.env, latest),
                )
            )
