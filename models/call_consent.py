"""Consent as evidence: who agreed to be called, on what legal basis, when,
where (source, the call it was given on, a document), until when, and when
it was withdrawn. Time decides whether a consent is valid, so validity is a
domain evaluated at a moment (``_valid_domain``), never a stored flag.

Rights: agents record consents of the contacts they may read and withdraw
them (``withdrawn_date``, once); nothing else of a consent changes after it
is recorded. Only managers correct or delete one (an erasure request, a
mistake): a withdrawal, not a deletion, is how consent ends, so the proof of
what was agreed stays."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .public_method import public_method

BASES = [
    ("consent", "Consent"),
    ("legitimate_interest", "Legitimate interest"),
    ("contract", "Contract"),
]
# what an agent records (the company follows the contact)
AGENT_CREATE_FIELDS = frozenset(
    {
        "partner_id",
        "basis",
        "source",
        "date",
        "expiry_date",
        "attachment_id",
        "call_id",
        "member_id",
    }
)


class CallConsent(models.Model):
    _name = "call.consent"
    _description = "Calling Consent"
    _inherit = ["call.guard.mixin"]
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True
    # a manager corrects any of these; an agent only withdraws (see write)
    _call_user_write_fields = AGENT_CREATE_FIELDS | {"withdrawn_date", "user_id"}
    _call_user_create_fields = AGENT_CREATE_FIELDS | {"withdrawn_date", "user_id"}

    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    basis = fields.Selection(
        BASES,
        string="Legal Basis",
        required=True,
        default="consent",
        help="Consent: the customer agreed. Legitimate interest: the company's "
        "interest, weighed against the customer's (they may object). Contract: the "
        "call serves a contract with the customer.",
    )
    source = fields.Char(
        help="Where the consent was given: a web form, a call, a paper form..."
    )
    date = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When it was given."
    )
    expiry_date = fields.Date(help="The last day it is valid. Empty: until withdrawn.")
    withdrawn_date = fields.Datetime(
        "Withdrawn On", help="When the customer withdrew it: no call from then on."
    )
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Evidence",
        ondelete="set null",
        help="A document proving the consent (a signed form, a recording).",
    )
    call_id = fields.Many2one(
        "call.campaign.call",
        string="Given on Call",
        ondelete="set null",
        index="btree_not_null",
    )
    member_id = fields.Many2one(
        "call.campaign.member",
        string="Campaign Member",
        ondelete="set null",
        index="btree_not_null",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        precompute=True,
        help="The contact's company (the recording user's for a shared contact).",
    )

    @api.depends("partner_id")
    def _compute_company_id(self):
        for consent in self:
            consent.company_id = consent.partner_id.company_id or self.env.company

    @api.constrains("partner_id", "member_id", "call_id")
    def _check_same_contact(self):
        """A consent given on a call or in a campaign is the contact's of
        that call or member."""
        for consent in self.sudo():
            if (
                consent.member_id
                and consent.member_id.partner_id != consent.partner_id
                or consent.call_id
                and consent.call_id.partner_id != consent.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "A consent given on a call or in a campaign is that "
                        "customer's: %s is not.",
                        consent.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        if not self.env.su and not self.env.user.has_group(
            "call_campaign.group_call_manager"
        ):
            # an agent records what they hear, as themselves, on contacts
            # they may read; never a consent already withdrawn
            for vals in vals_list:
                if vals.get("withdrawn_date") or vals.get("user_id") not in (
                    None,
                    False,
                    self.env.uid,
                ):
                    raise UserError(self._agent_refused_message())
            partners = self.env["res.partner"].browse(
                {vals["partner_id"] for vals in vals_list}
            )
            partners.check_access("read")
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        if not self.env.su and not self.env.user.has_group(
            "call_campaign.group_call_manager"
        ):
            if (
                set(vals) != {"withdrawn_date"}
                or not vals["withdrawn_date"]
                or any(self.mapped("withdrawn_date"))
                # a withdrawal happens now: one dated later would look
                # withdrawn while the consent still counts
                or fields.Datetime.to_datetime(vals["withdrawn_date"])
                > fields.Datetime.now()
            ):
                raise UserError(self._agent_refused_message())
        return super().write(vals)

    def _agent_refused_message(self):
        return self.env._(
            "A consent is evidence: once recorded it can only be withdrawn (by an "
            "agent) or corrected by a call manager."
        )

    @api.model
    def _valid_domain(self, now=None):
        """The consents valid at ``now`` (naive UTC datetime, default now):
        given by then, not withdrawn by then, not expired."""
        now = now or fields.Datetime.now()
        today = fields.Date.to_date(now)
        return [
            ("date", "<=", now),
            "|",
            ("withdrawn_date", "=", False),
            ("withdrawn_date", ">", now),
            "|",
            ("expiry_date", "=", False),
            ("expiry_date", ">=", today),
        ]

    @api.model
    def _partner_ids_with_valid_consent(self, partner_ids, now=None, bases=None):
        """The ids among ``partner_ids`` with a consent valid at ``now``
        (of one of ``bases`` if given), whoever may read them: the queue's
        check, one query."""
        if not partner_ids:
            return set()
        domain = [("partner_id", "in", list(partner_ids)), *self._valid_domain(now)]
        if bases:
            domain.append(("basis", "in", list(bases)))
        groups = self.sudo()._read_group(domain, ["partner_id"])
        return {partner.id for (partner,) in groups}

    @public_method()
    def action_withdraw(self):
        """The customer withdrew these consents: valid no more from now."""
        self.check_access("write")
        now = fields.Datetime.now()
        # a withdrawal dated later (a manager's correction) ends now too
        self.filtered(
            lambda consent: not consent.withdrawn_date or consent.withdrawn_date > now
        ).sudo().write({"withdrawn_date": now})
        return True
