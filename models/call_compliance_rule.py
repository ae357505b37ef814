"""Compliance as data: what the law of a country says about calling its
consumers (or companies), one record per country and kind of customer, each
figure with its legal source in the description. The queue reads the active
rules; the add-on ships them inactive: a lawyer of the company decides."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

CUSTOMER_TYPES = [("b2c", "Consumers"), ("b2b", "Companies"), ("all", "All")]

# the figures a rule cannot have below zero
RULE_NUMBERS = (
    "max_calls",
    "max_calls_days",
    "refusal_pause_days",
    "registry_max_age_days",
)


class CallComplianceRule(models.Model):
    """One country's (or several countries') rules for calling its customers
    of one kind: legal calling hours, a cap of calls in a number of days, a
    pause after a refusal, consent required, do-not-call registries and how
    fresh their copy must be."""

    _name = "call.compliance.rule"
    _description = "Calling Compliance Rule"
    _inherit = ["call.guard.mixin"]
    _order = "name, id"
    _call_user_write_fields = frozenset(
        {
            "name",
            "active",
            "description",
            "country_ids",
            "customer_type",
            "calendar_id",
            "max_calls",
            "max_calls_days",
            "refusal_pause_days",
            "require_consent",
            "registry_ids",
            "registry_max_age_days",
            "company_id",
        }
    )

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(
        default=False,
        help="Only active rules are applied. The rules shipped with the add-on are "
        "inactive: check them against the law in force before activating them.",
    )
    description = fields.Html(
        string="Legal Basis",
        sanitize=True,
        help="The legal source and date of each figure of the rule.",
    )
    country_ids = fields.Many2many(
        "res.country",
        "call_compliance_rule_country_rel",
        "rule_id",
        "country_id",
        string="Countries",
        required=True,
        help="The rule applies to customers located in these countries.",
    )
    customer_type = fields.Selection(
        CUSTOMER_TYPES,
        required=True,
        default="b2c",
        help="Which customers the rule protects: consumers, companies or both. "
        "It applies to the campaigns calling that kind of customer.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Legal Calling Hours",
        help="The days and hours the law allows calls, read in the customer's time "
        "zone; its global leaves are the public holidays (no call). Empty: the law "
        "sets no hours.",
    )
    max_calls = fields.Integer(
        "Maximum Calls",
        help="At most this many calls to a customer in the period below (0: no limit).",
    )
    max_calls_days = fields.Integer(
        "In Days", help="The period, in days, of the maximum number of calls."
    )
    refusal_pause_days = fields.Integer(
        "Pause After a Refusal (Days)",
        help="After the customer refused the offer, no call for this many days "
        "(0: none).",
    )
    require_consent = fields.Boolean(
        "Consent Required",
        help="Customers may be called only with a valid consent on record.",
    )
    registry_ids = fields.Many2many(
        "call.dnc.registry",
        "call_compliance_rule_registry_rel",
        "rule_id",
        "registry_id",
        string="Do-Not-Call Registries",
        help="Numbers on these registries are never called.",
    )
    registry_max_age_days = fields.Integer(
        "Registry Maximum Age (Days)",
        help="A campaign under this rule cannot start while a registry was imported "
        "longer ago than this (0: no limit).",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: the rule applies to every company.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    @api.constrains(*RULE_NUMBERS)
    def _check_numbers(self):
        for rule in self:
            for fname in RULE_NUMBERS:
                if rule[fname] < 0:
                    raise ValidationError(
                        self.env._(
                            "The rule “%(rule)s”: “%(field)s” cannot be negative.",
                            rule=rule.name,
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                        )
                    )
            if rule.max_calls and not rule.max_calls_days:
                raise ValidationError(
                    self.env._(
                        "The rule “%s”: a maximum number of calls needs its period "
                        "in days.",
                        rule.name,
                    )
                )

    @api.model
    def _applicable(self, company, customer_type):
        """The active rules of ``company`` (or of every company) for
        customers of ``customer_type`` ('b2c' or 'b2b')."""
        return (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [
                    ("company_id", "in", [False, company.id]),
                    ("customer_type", "in", [customer_type, "all"]),
                ]
            )
        )
