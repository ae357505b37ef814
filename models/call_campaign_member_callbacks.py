"""Callback governance: the campaign's limits on “My record” callbacks
(how many an agent holds, how far ahead they go), checked by the status
service and the assignment before anything is written, and the managers'
tools for an absent agent's callbacks (reassign, overdue per agent)."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from .public_method import RecordArg, public_method


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

    @public_method(user_ids=RecordArg("res.users", many=True, required=True))
    def reassign_callbacks(self, user_ids):
        """Managers hand these pending callbacks (an absent agent's) to the
        colleagues ``user_ids`` in turn, by follow-up date: each goes to the
        next colleague who works in its campaign and has room under its
        ``max_callbacks_per_agent`` (a full one is skipped). All or nothing,
        with an “Assigned” history entry per member; the pending calls follow.
        Returns, per colleague who got some: ``user_id``, ``name``,
        ``member_ids``."""
        self._check_manager(self.env._("Only a call manager can reassign callbacks."))
        if not self:
            raise UserError(self.env._("Choose the callbacks to reassign."))
        others = self - self.filtered_domain(self._callback_domain())
        if others:
            raise UserError(
                self.env._(
                    "%s is not a pending callback: only “My record” members still to "
                    "call are reassigned.",
                    others[0].display_name,
                )
            )
        plan = self._plan_reassignment(user_ids)
        for user, members in plan.items():
            members._assign(
                user, note=self.env._("Callback reassigned to a colleague.")
            )
        return [
            {"user_id": user.id, "name": user.name, "member_ids": members.ids}
            for user, members in plan.items()
        ]

    def _plan_reassignment(self, users):
        """Who gets each of these callbacks (``reassign_callbacks``), decided
        before anything is written: {user: members}, in the order of
        ``users``."""
        users = users.union()  # each colleague once, in the given order
        holding = Counter(self._callback_counts(self.campaign_id, users))
        agents = {
            c: c.agent_ids.filtered(lambda u: not u.share) for c in self.campaign_id
        }
        plan = defaultdict(self.browse)
        turn = 0
        for member in self.sorted(lambda m: (m.next_call_date or datetime.min, m.id)):
            campaign = member.campaign_id
            limit = campaign.max_callbacks_per_agent
            # the colleagues from whose turn it is, round the list
            ring = [users[(turn + step) % len(users)] for step in range(len(users))]
            candidates = [
                (step, user)
                for step, user in enumerate(ring)
                if user != member.user_id and user in agents[campaign]
            ]
            free = [
                (step, user)
                for step, user in candidates
                if not limit or holding[campaign.id, user.id] < limit
            ]
            if not free:
                raise UserError(
                    self.env._(
                        "Nobody can take the callback of %(member)s: every chosen agent "
                        "of the campaign “%(campaign)s” already holds %(limit)s pending "
                        "callbacks, the most it allows.",
                        member=member.display_name,
                        campaign=campaign.name,
                        limit=limit,
                    )
                    if candidates
                    else self.env._(
                        "Nobody can take the callback of %(member)s: none of the chosen "
                        "agents but its own works in the campaign “%(campaign)s”.",
                        member=member.display_name,
                        campaign=campaign.name,
                    )
                )
            step, user = free[0]
            holding[campaign.id, user.id] += 1
            plan[user] |= member
            turn = (turn + step + 1) % len(users)
        return plan

    @api.model
    @public_method(campaign_ids=RecordArg("call.campaign", many=True))
    def get_overdue_callbacks_per_agent(self, campaign_ids=None):
        """Overdue callbacks per agent, most first (the managers' report), in
        one grouped query with the caller's record rules (an agent counts
        their own): ``[{"user_id", "name", "count"}]``."""
        domain = (
            [("behavior", "=", "my_record"), ("user_id", "!=", False)]
            + self._due_domain("overdue")
            + ([("campaign_id", "in", campaign_ids.ids)] if campaign_ids else [])
        )
        return [
            {"user_id": user.id, "name": user.name, "count": count}
            for user, count in self._read_group(
                domain, ["user_id"], ["__count"], order="__count desc, user_id"
            )
        ]
