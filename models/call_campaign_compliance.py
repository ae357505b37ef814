"""A campaign under the compliance rules: which rules apply to it (its
company's, for the kind of customers it calls), and no start while a
do-not-call registry one of them names is older than the rule allows."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .call_campaign_governor import CallCampaign as GovernedCampaign
from .public_method import public_method


class CallCampaign(models.Model):
    _inherit = "call.campaign"
    # what the campaign's other extensions let users write, and its customers
    _call_user_write_fields = GovernedCampaign._call_user_write_fields | {
        "customer_type"
    }

    customer_type = fields.Selection(
        [("b2c", "Consumers"), ("b2b", "Companies")],
        string="Customers",
        required=True,
        default="b2c",
        help="Who the campaign calls: consumers or companies. The compliance rules "
        "for that kind of customer (and those for all) apply to it.",
    )

    registry_stale_date = fields.Datetime(
        "Registry Out of Date Since",
        readonly=True,
        copy=False,
        help="Set by the health count when a do-not-call registry of the "
        "campaign's rules is older than the rule allows (or never imported); "
        "cleared once it is imported again.",
    )

    def _compliance_rules(self):
        """The active compliance rules that apply to this campaign: its
        company's or every company's, for its kind of customers or all."""
        self.ensure_one()
        return self.env["call.compliance.rule"]._applicable(
            self.company_id, self.customer_type
        )

    def _stale_registries(self, now=None):
        """[(campaign, rule, registry, age in days or None)]: the registries
        of the rules applying to these campaigns that were imported longer
        ago than their rule allows (None: never imported)."""
        now = now or fields.Datetime.now()
        stale = []
        for campaign in self:
            for rule in campaign._compliance_rules():
                if not rule.registry_max_age_days:
                    continue
                for registry in rule.registry_ids:
                    age = registry._age_days(now)
                    if age is None or age > rule.registry_max_age_days:
                        stale.append((campaign, rule, registry, age))
        return stale

    def _check_registries_fresh(self):
        """Refuse to start a campaign whose rules need a fresher registry."""
        stale = self._stale_registries()
        if not stale:
            return
        _campaign, rule, registry, age = stale[0]
        raise UserError(self._stale_registry_message(rule, registry, age))

    def _stale_registry_message(self, rule, registry, age):
        if age is None:
            return self.env._(
                "The do-not-call registry “%(registry)s” was never imported; the rule "
                "“%(rule)s” requires it: import it before starting.",
                registry=registry.name,
                rule=rule.name,
            )
        return self.env._(
            "The do-not-call registry “%(registry)s” was imported %(age)s days "
            "ago; the rule “%(rule)s” requires at most %(max)s days: import it "
            "again before starting.",
            registry=registry.name,
            age=age,
            rule=rule.name,
            max=rule.registry_max_age_days,
        )

    @api.model
    def _cron_refresh_health(self):
        campaign_ids = super()._cron_refresh_health()
        self.browse(campaign_ids)._flag_stale_registries()
        self.env["call.campaign.member"]._cron_commit()
        return campaign_ids

    def _flag_stale_registries(self):
        """The health count flags a running campaign whose rules need a
        fresher registry (its log says which), and clears the flag once the
        registry is imported again."""
        stale = {}
        for campaign, rule, registry, age in self._stale_registries():
            stale.setdefault(campaign, (rule, registry, age))
        for campaign in self.sudo():
            found = stale.get(campaign)
            if found and not campaign.registry_stale_date:
                campaign.registry_stale_date = fields.Datetime.now()
                campaign.message_post(body=self._stale_registry_message(*found))
            elif not found and campaign.registry_stale_date:
                campaign.registry_stale_date = False
                campaign.message_post(
                    body=self.env._("The do-not-call registries are up to date again.")
                )

    @public_method()
    def action_start(self):
        self._check_registries_fresh()
        return super().action_start()

    def write(self, vals):
        if isinstance(vals, dict) and vals.get("state") == "running":
            self.filtered(
                lambda campaign: campaign.state != "running"
            )._check_registries_fresh()
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        campaigns = super().create(vals_list)
        campaigns.filtered(lambda c: c.state == "running")._check_registries_fresh()
        return campaigns
