"""Consent given on a call: the agent records it from the member."""

from odoo import fields, models
from odoo.exceptions import UserError

from .call_consent import BASES
from .public_method import ChoiceArg, DatetimeArg, TextArg, public_method

# the call being made on a member (not hung up yet)
LIVE_CALL_STATES = ("dialing", "ringing", "answered")


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    def _current_call(self):
        """The member's call in progress, if any: the caller's own first,
        the latest."""
        self.ensure_one()
        calls = (
            self.env["call.campaign.call"]
            .sudo()
            .search(
                [("member_id", "=", self.id), ("state", "in", LIVE_CALL_STATES)],
                order="dial_date desc, id desc",
            )
        )
        mine = calls.filtered(lambda call: call.user_id == self.env.user)
        return (mine or calls)[:1]

    @public_method(
        one=True,
        basis=ChoiceArg(BASES),
        source=TextArg(max_length=200),
        expiry_date=DatetimeArg(),
    )
    def record_consent(self, basis, source=None, expiry_date=None):
        """The member's contact gave ``basis`` (consent, legitimate_interest,
        contract) on this call: a consent linked to the member and to its
        call in progress, if any. Returns the consent's id."""
        self.check_access("write")
        # a colleague's live call is theirs: its consent too
        self._check_reservations()
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "%s has no contact to record a consent for.", self.display_name
                )
            )
        call = self._current_call()
        consent = self.env["call.consent"].create(
            {
                "partner_id": self.partner_id.id,
                "basis": basis,
                "source": source or self.env._("Call (%s)", self.campaign_id.name),
                "expiry_date": fields.Date.to_date(expiry_date)
                if expiry_date
                else False,
                "member_id": self.id,
                "call_id": call.id or False,
            }
        )
        return consent.id
