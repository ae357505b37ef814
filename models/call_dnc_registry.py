"""A national do-not-call registry (Bloctel, the National DNC Registry, the
TPS...): the company imports its copy as a file; each number becomes a
``phone.blacklist`` entry linked to the registry, so every check of the
blacklist (queue, dialer, call screen) also reads the registries. A new
import replaces the previous one (see the ``call.dnc.import`` wizard)."""

from odoo import api, fields, models

from .public_method import public_method


class CallDncRegistry(models.Model):
    _name = "call.dnc.registry"
    _description = "Do-Not-Call Registry"
    _inherit = ["call.guard.mixin"]
    _order = "name, id"
    _call_user_write_fields = frozenset({"name", "country_ids", "company_id"})

    name = fields.Char(required=True, translate=True)
    country_ids = fields.Many2many(
        "res.country",
        "call_dnc_registry_country_rel",
        "registry_id",
        "country_id",
        string="Countries",
        help="The registry's numbers are read as numbers of its country when they "
        "have no international prefix (the first country).",
    )
    last_import_date = fields.Datetime(
        "Last Import",
        readonly=True,
        help="When the registry's copy was last imported (the add-on keeps it).",
    )
    number_count = fields.Integer("Numbers", compute="_compute_number_count")
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: shared by every company."
    )

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    def unlink(self):
        """The registry's numbers leave the blacklist with it (the database
        deletes them): the contacts they made undialable are dialable again."""
        if self.ids:
            self.env["call.dnc.import"]._refresh_numbers_of(self)
        return super().unlink()

    def init(self):
        # what each registry lists (its last import), beside the blacklist
        # entries: a number two registries list, or one also blacklisted by
        # hand, stays blocked while one of them holds it
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS call_dnc_registry_number (
                   registry_id integer NOT NULL
                       REFERENCES call_dnc_registry (id) ON DELETE CASCADE,
                   number varchar NOT NULL,
                   PRIMARY KEY (registry_id, number))"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS call_dnc_registry_number_number_idx
               ON call_dnc_registry_number (number)"""
        )

    def _compute_number_count(self):
        counts = {}
        if self._origin.ids:
            self.env.cr.execute(
                """SELECT registry_id, count(*) FROM call_dnc_registry_number
                    WHERE registry_id IN %s GROUP BY registry_id""",
                [tuple(self._origin.ids)],
            )
            counts = dict(self.env.cr.fetchall())
        for registry in self:
            registry.number_count = counts.get(registry._origin.id, 0)

    def _age_days(self, now=None):
        """Whole days since the last import (None: never imported)."""
        self.ensure_one()
        if not self.last_import_date:
            return None
        now = now or fields.Datetime.now()
        return (now - self.last_import_date).days

    @public_method(one=True)
    def action_import(self):
        """The import wizard for this registry."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import a Do-Not-Call Registry"),
            "res_model": "call.dnc.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_registry_id": self.id},
        }

    @public_method(one=True)
    def action_view_numbers(self):
        """The registry's numbers on the phone blacklist."""
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "phone.blacklist",
            "view_mode": "list,form",
            "domain": [("call_registry_id", "=", self.id)],
            "context": {"create": False},
        }
