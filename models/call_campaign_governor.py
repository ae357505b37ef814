"""The dropped-call governor: abandon rates over the regulators' windows, the
dial plan a predictive dialer paces itself with, and the numbers it reserves
without an agent waiting (never a customer dropped recently).

A dropped (abandoned) call is one the customer answered with nobody to talk
to. Ofcom's *Revised statement of policy on the persistent misuse of an
electronic communications network or service* (UK, 2016) caps them at 3% of
live calls per campaign over 24 hours and forbids calling an abandoned number
again within 72 hours unless a live agent is guaranteed; the US
Telemarketing Sales Rule (16 CFR 310.4(b)(4)(i)) and the FCC's rule (47 CFR
64.1200(a)(7)) at 3% of calls answered by a person, per campaign, over 30
days. The defaults below are those figures; the README cites them."""

import logging
import math
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, mute_logger

from .call_campaign import USER_FIELDS
from .public_method import IntArg, call_error, public_method

_logger = logging.getLogger(__name__)

ABANDON_WINDOWS = {
    "abandon_rate_24h": timedelta(hours=24),
    "abandon_rate_30d": timedelta(days=30),
}
# the answer rate a dial ratio is read from: the campaign's calls of the last hour
ANSWER_RATE_WINDOW = timedelta(hours=1)
# a predictive dialer never dials more lines than this per ready agent
MAX_DIAL_RATIO = 3.0
# most numbers reserved at once
MAX_RESERVE = 1000


class CallCampaign(models.Model):
    _inherit = "call.campaign"
    _call_user_write_fields = USER_FIELDS | {
        "max_abandon_rate",
        "dropped_recall_hours",
        "abandon_pause",
    }

    max_abandon_rate = fields.Float(
        "Abandon Rate Limit (%)",
        default=3.0,
        digits=(5, 2),
        help="Dropped calls (answered with no agent to take them) as a share "
        "of answered and dropped calls: when either window reaches it, the "
        "dial plan is progressive only (one line per ready agent). 3% is "
        "Ofcom's limit over 24 hours and the US limit over 30 days; 0 means "
        "progressive only.",
    )
    dropped_recall_hours = fields.Integer(
        "No Redial After a Drop (hours)",
        default=72,
        help="A dropped customer is not dialled again without an agent "
        "waiting for this long (Ofcom: 72 hours).",
    )
    abandon_pause = fields.Boolean(
        "Pause at the Abandon Limit",
        help="Pause the campaign when its 24-hour abandon rate reaches the "
        "limit (else it is flagged and dialled progressively).",
    )
    abandon_rate_24h = fields.Float(
        "Abandon Rate 24 h (%)", compute="_compute_abandon_rates", digits=(5, 2)
    )
    abandon_rate_30d = fields.Float(
        "Abandon Rate 30 days (%)", compute="_compute_abandon_rates", digits=(5, 2)
    )
    abandon_limit_date = fields.Datetime(
        "Over the Abandon Limit Since",
        readonly=True,
        copy=False,
        help="Set when the 24-hour abandon rate reaches the limit, cleared "
        "when it falls below.",
    )

    @api.constrains("max_abandon_rate", "dropped_recall_hours")
    def _check_governor(self):
        for campaign in self:
            if not 0 <= campaign.max_abandon_rate <= 100:
                raise ValidationError(
                    self.env._("The abandon rate limit is a percentage: 0 to 100.")
                )
            if campaign.dropped_recall_hours < 0:
                raise ValidationError(
                    self.env._("The hours without redial cannot be negative.")
                )

    @api.depends_context("uid")
    def _compute_abandon_rates(self):
        rates = self._abandon_rates()
        for campaign in self:
            campaign.update(rates.get(campaign.id, dict.fromkeys(ABANDON_WINDOWS, 0.0)))

    def _abandon_rates(self, now=None):
        """The one definition: dropped ÷ (answered + dropped) of the
        campaign's calls dialled in each window, in percent. ``{campaign id:
        {'abandon_rate_24h', 'abandon_rate_30d'}}``; two grouped queries."""
        now = now or fields.Datetime.now()
        Call = self.env["call.campaign.call"].sudo()
        rates = {cid: dict.fromkeys(ABANDON_WINDOWS, 0.0) for cid in self.ids}
        for key, window in ABANDON_WINDOWS.items():
            groups = Call._read_group(
                [
                    ("campaign_id", "in", self.ids),
                    ("outcome", "in", ("answered", "dropped")),
                    ("dial_date", ">=", now - window),
                ],
                ["campaign_id", "outcome"],
                ["__count"],
            )
            counts = {}
            for campaign, outcome, count in groups:
                counts.setdefault(campaign.id, {})[outcome] = count
            for campaign_id, by_outcome in counts.items():
                live = sum(by_outcome.values())
                rates[campaign_id][key] = round(
                    100.0 * by_outcome.get("dropped", 0) / live, 2
                )
        return rates

    def _over_abandon_limit(self, rates):
        """Which window reached the limit (``'abandon_rate_24h'``,
        ``'abandon_rate_30d'``) or False."""
        self.ensure_one()
        for key in ABANDON_WINDOWS:
            if rates[key] >= self.max_abandon_rate:
                return key
        return False

    def _check_abandon_limit(self):
        """After calls were reported: flag (and, if asked, pause) a campaign
        whose 24-hour rate reached its limit, in its log; clear the flag when
        it falls below. The governor pauses nobody unless asked."""
        rates = self._abandon_rates()
        for campaign in self:
            rate = rates[campaign.id]["abandon_rate_24h"]
            over = rate >= campaign.max_abandon_rate and rate > 0
            if over and not campaign.abandon_limit_date:
                campaign.sudo().abandon_limit_date = fields.Datetime.now()
                message = self.env._(
                    "The abandon rate over 24 hours is %(rate)s%%, at or over the "
                    "limit of %(limit)s%%: dialled progressively until it falls below.",
                    rate=rate,
                    limit=campaign.max_abandon_rate,
                )
                if campaign.abandon_pause and campaign.state == "running":
                    campaign.sudo().state = "paused"
                    message = self.env._(
                        "The abandon rate over 24 hours is %(rate)s%%, at or over "
                        "the limit of %(limit)s%%: the campaign is paused.",
                        rate=rate,
                        limit=campaign.max_abandon_rate,
                    )
                _logger.info("Campaign %s: %s", campaign.id, message)
                campaign.sudo().message_post(body=message)
            elif not over and campaign.abandon_limit_date:
                campaign.sudo().abandon_limit_date = False
                campaign.sudo().message_post(
                    body=self.env._(
                        "The abandon rate over 24 hours is back under the limit "
                        "(%(rate)s%%).",
                        rate=rate,
                    )
                )

    def _check_dialer(self):
        user = self.env.user
        if not (self.env.su or user._call_acts_for_agents()):
            raise call_error(
                self.env._("Only a dialer or a call manager reads the dial plan."),
                "not_dialer",
            )

    @api.model
    @api.readonly
    @public_method()
    def get_dial_plan(self):
        """How many lines a predictive dialer dials now, per running campaign
        it works in (managers: every running campaign): ``[{'id',
        'ready_agents', 'dial_ratio', 'lines', 'abandon_rate_24h',
        'abandon_rate_30d', 'progressive_only', 'reason'}]``.

        ``dial_ratio``: lines per ready agent, from the answer rate of the
        campaign's calls in the last hour (at most 3); 1.0 and
        ``progressive_only`` when either abandon window reached the limit
        (``reason``: the window's key) or when there is no answer rate yet.
        ``lines``: ready agents × ratio, less the calls dialling now."""
        self._check_dialer()
        domain = [("state", "=", "running")]
        if not self.env.user.has_group("call_campaign.group_call_manager"):
            domain.append(("agent_ids", "in", self.env.uid))
        campaigns = self.search(domain)
        if not campaigns:
            return []
        now = fields.Datetime.now()
        rates = campaigns._abandon_rates(now)
        Call = self.env["call.campaign.call"].sudo()
        in_flight = dict(
            Call._read_group(
                [
                    ("campaign_id", "in", campaigns.ids),
                    ("state", "in", ("dialing", "ringing")),
                ],
                ["campaign_id"],
                ["__count"],
            )
        )
        recent = {}
        for campaign, outcome, count in Call._read_group(
            [
                ("campaign_id", "in", campaigns.ids),
                ("state", "=", "ended"),
                ("dial_date", ">=", now - ANSWER_RATE_WINDOW),
            ],
            ["campaign_id", "outcome"],
            ["__count"],
        ):
            recent.setdefault(campaign, {})[outcome] = count
        dialers = self.env.ref("call_campaign.group_call_dialer").sudo().users
        plan = []
        for campaign in campaigns:
            agents = (campaign.sudo().agent_ids - dialers).filtered(
                lambda a: not a.share
            )
            ready = sum(1 for a in agents if a._call_agent_state_now() == "ready")
            over = campaign._over_abandon_limit(rates[campaign.id])
            calls = recent.get(campaign, {})
            dialled = sum(calls.values())
            answered = calls.get("answered", 0) + calls.get("dropped", 0)
            if over or not answered:
                ratio = 1.0
            else:
                ratio = round(min(MAX_DIAL_RATIO, max(1.0, dialled / answered)), 2)
            plan.append(
                {
                    "id": campaign.id,
                    "ready_agents": ready,
                    "dial_ratio": ratio,
                    "lines": max(
                        0, math.ceil(ready * ratio) - in_flight.get(campaign, 0)
                    ),
                    **rates[campaign.id],
                    "progressive_only": bool(over) or not answered,
                    "reason": over or ("no_answer_rate" if not answered else False),
                }
            )
        return plan

    @public_method(one=True, count=IntArg(1, MAX_RESERVE, required=True))
    def reserve_numbers(self, count):
        """A predictive dialer reserves up to ``count`` callable members of
        this campaign to itself, with no agent waiting, for the reservation
        time, in queue order: ``[{'member_id', 'partner_id', 'number',
        'call_uid'}]``, each with a *dialing* call record (report its
        outcome with that ``call_uid``; hand an answer over with
        ``hand_over``). A customer dropped within ``dropped_recall_hours``
        is never among them: they are called only when an agent waits (Next
        Call, ``next_number_for_agent`` with an agent)."""
        self._check_dialer()
        if self.state != "running":
            raise call_error(
                self.env._("The campaign “%s” is not running.", self.name),
                "not_running",
            )
        self._check_agents(self.env.user)
        Member = self.env["call.campaign.member"]
        members = Member._reserve_many(self, count)
        if not members:
            return []
        numbers = members._dial_numbers()
        # the call records in one statement (what create() would write: a
        # reservation of a thousand numbers is a dialer's hot path)
        now = fields.Datetime.now()
        self.env.cr.execute(
            """INSERT INTO call_campaign_call
                      (call_uid, member_id, campaign_id, partner_id, company_id,
                       number, state, dial_date, ring_seconds, talk_seconds,
                       wrapup_seconds, create_uid, write_uid, create_date, write_date)
               SELECT replace(gen_random_uuid()::text, '-', ''), m.id, m.campaign_id,
                      m.partner_id, %(company)s, n.number, 'dialing', %(now)s, 0, 0, 0,
                      %(uid)s, %(uid)s, %(now)s, %(now)s
                 FROM unnest(%(ids)s::int[], %(numbers)s::varchar[]) AS n(member_id, number)
                 JOIN call_campaign_member m ON m.id = n.member_id
            RETURNING member_id, partner_id, number, call_uid""",
            {
                "company": self.company_id.id,
                "now": now,
                "uid": self.env.uid,
                "ids": members.ids,
                "numbers": [numbers[m.id][:1].number or None for m in members],
            },
        )
        reserved = [
            {
                "member_id": member_id,
                "partner_id": partner_id,
                "number": number or False,
                "call_uid": call_uid,
            }
            for member_id, partner_id, number, call_uid in self.env.cr.fetchall()
        ]
        members.invalidate_recordset(["call_ids"])
        self._wallboard_changed()
        return reserved


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    last_dropped_date = fields.Datetime(
        "Last Dropped",
        readonly=True,
        copy=False,
        help="When the customer last answered a dialer's call with nobody to "
        "take it: not dialled again without an agent waiting for the "
        "campaign's hours without redial.",
    )

    @api.model
    def _dropped_recall_check(self, campaigns, now):
        """A customer dropped recently is dialled only with an agent waiting."""
        hours = {
            c.id: c.dropped_recall_hours for c in campaigns if c.dropped_recall_hours
        }
        if not hours:
            return []
        return [
            (
                "dropped_recall",
                SQL(
                    "(m.last_dropped_date IS NULL OR m.last_dropped_date < %s - "
                    "CASE m.campaign_id %s ELSE 0 END * interval '1 hour')",
                    now,
                    SQL(" ").join(
                        SQL("WHEN %s THEN %s", cid, value)
                        for cid, value in hours.items()
                    ),
                ),
            )
        ]

    @api.model
    def _reserve_many(self, campaign, count):
        """Up to ``count`` members of ``campaign`` reserved to the caller
        with no agent waiting, in queue order, in one statement per tier:
        the rows nobody is locking (``FOR UPDATE SKIP LOCKED``), the
        reservation written before the locks are released."""
        self.env.flush_all()
        now = fields.Datetime.now()
        open_pairs = campaign._calling_open_pairs(now)
        recall = self._dropped_recall_check(campaign, now)
        reserved = []
        for tier in ("priority", "rest"):
            if len(reserved) >= count:
                break
            conditions = self._queue_conditions(campaign, tier, now, open_pairs, recall)
            select = self._queue_select(
                conditions, reserved, count - len(reserved), open_pairs is not None
            )
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        self._reserve_statement(
                            now, SQL("r.id IN (%s FOR UPDATE OF m SKIP LOCKED)", select)
                        )
                    )
                    reserved += [row[0] for row in self.env.cr.fetchall()]
            except psycopg2.errors.SerializationFailure:
                # taken after this transaction's snapshot: what is reserved
                # goes back now; with nothing yet, Odoo retries the request
                # with a fresh snapshot (walking the candidates one by one
                # falls behind other dialers for ever)
                if reserved:
                    break
                raise
        members = self.browse(reserved)
        members.invalidate_recordset(
            ["reserved_user_id", "reserved_until", "write_uid", "write_date"]
        )
        return members
