import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from .public_method import public_method

# events shown in the form's timeline tab; the rest is one click away
TIMELINE_PAGE_SIZE = 80
# the form's count of events is exact up to this, "1000+" beyond (a count
# that stops, as Odoo's lists bound theirs, whatever the size of the history)
TIMELINE_COUNT_LIMIT = 1000


class CallMembershipMixin(models.AbstractModel):
    """What contacts and leads show of their campaign memberships."""

    _name = "call.membership.mixin"
    _description = "Call Campaign Memberships"
    _call_member_field = "partner_id"

    call_member_ids = fields.One2many(
        "call.campaign.member",
        string="Campaign Memberships",
        compute="_compute_call_members",
        search="_search_call_member_ids",
        groups="call_campaign.group_call_agent",
    )
    call_status_id = fields.Many2one(
        "call.status",
        compute="_compute_call_members",
        search="_search_call_status_id",
        help="Status of the most recently changed campaign membership.",
        groups="call_campaign.group_call_agent",
    )
    call_member_count = fields.Integer(
        "Campaigns",
        compute="_compute_call_members",
        groups="call_campaign.group_call_agent",
    )
    call_timeline_ids = fields.One2many(
        "call.interaction",
        string="Timeline",
        compute="_compute_call_timeline_ids",
        groups="call_campaign.group_call_agent",
        help="The newest events of this customer; the Timeline button shows them all.",
    )
    call_interaction_count = fields.Integer(
        "Call History",
        compute="_compute_call_interaction_count",
        groups="call_campaign.group_call_agent",
        help="Exact up to 1000; 1001 means more.",
    )
    call_interaction_count_label = fields.Char(
        "Timeline Events",
        compute="_compute_call_interaction_count",
        groups="call_campaign.group_call_agent",
    )

    def _compute_call_members(self):
        # every membership, closed and archived ones too: what the smart
        # button counts is what its list shows
        members = (
            self.env["call.campaign.member"]
            .with_context(active_test=False)
            .search(
                [(self._call_member_field, "in", self.ids)],
                order="status_date desc, id desc",
            )
        )
        by_record = members.grouped(self._call_member_field)
        for record in self:
            mine = by_record.get(record._origin, members.browse())
            record.call_member_ids = mine
            record.call_member_count = len(mine)
            record.call_status_id = mine[:1].status_id

    def _compute_call_timeline_ids(self):
        """The newest page only: one indexed query per record, whatever the
        size of the history."""
        Interaction = self.env["call.interaction"]
        for record in self:
            record.call_timeline_ids = (
                Interaction.search(
                    self._call_domain(record._origin), limit=TIMELINE_PAGE_SIZE
                )
                if record._origin
                else Interaction
            )

    def _search_call_member_ids(self, operator, value):
        return self._search_by_members("id", operator, value)

    def _search_call_status_id(self, operator, value):
        return self._search_by_members("status_id", operator, value)

    @api.model
    def _search_by_members(self, fname, operator, value):
        """Contacts (leads) whose memberships match ``fname operator value``."""
        ids = (int, bool)
        valid = (
            operator in ("=", "!=", "in", "not in")
            and (
                isinstance(value, ids)
                or isinstance(value, (list, tuple))
                and all(isinstance(item, ids) for item in value)
            )
        ) or (
            fname == "status_id"
            and operator in ("ilike", "not ilike", "like", "=ilike")
            and isinstance(value, str)
        )
        if not valid:
            raise UserError(
                self.env._(
                    "Searching the campaign memberships with %s is not supported.",
                    operator,
                )
            )
        return [
            (
                "id",
                "in",
                self.env["call.campaign.member"]
                ._search([(fname, operator, value)])
                .subselect(self._call_member_field),
            )
        ]

    def _compute_call_interaction_count(self):
        """One query per record that stops after the limit: the count shows
        on forms, where it must not read a million events."""
        Interaction = self.env["call.interaction"]
        for record in self:
            count = (
                Interaction.search_count(
                    self._call_domain(record._origin), limit=TIMELINE_COUNT_LIMIT + 1
                )
                if record._origin
                else 0
            )
            record.call_interaction_count = count
            record.call_interaction_count_label = (
                f"{TIMELINE_COUNT_LIMIT}+"
                if count > TIMELINE_COUNT_LIMIT
                else str(count)
            )

    @api.model
    def _call_domain(self, records):
        return [(self._call_member_field, "in", records.ids)]

    @public_method()
    def action_view_call_members(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_campaign_member_action"
        )
        action["domain"] = self._call_domain(self)
        action["context"] = {"active_test": False}
        return action

    @public_method()
    def action_view_call_interactions(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "call_campaign.call_interaction_action_timeline"
        )
        action["domain"] = self._call_domain(self)
        action["display_name"] = self.env._(
            "Timeline of %s", ", ".join(self.mapped("display_name"))
        )
        return action

    @public_method(one=True)
    def action_log_call_campaign(self):
        partner = self.partner_id if self._name == "crm.lead" else self
        return self.env["call.campaign.member"]._action_log_call(
            {"default_partner_filter_id": partner.id}
        )

    @public_method()
    def action_add_to_call_campaign(self):
        """The add wizard on these records: on the list's filter itself when
        the selection is the whole filter (it stays readable and editable),
        otherwise on the selected ids."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add to Campaign"),
            "res_model": "call.campaign.member.add",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_domain": str(self._selection_domain()),
            },
        }

    def _selection_domain(self):
        domain = self.env.context.get("active_domain")
        if domain and isinstance(domain, list):
            try:
                with self.env.cr.savepoint():
                    matches = self.search_count(domain)
            except (ValueError, TypeError, UserError, psycopg2.Error):
                matches = None  # not a domain of this model: the ids serve
            if matches == len(self) and self.filtered_domain(domain) == self:
                return domain
        return [("id", "in", self.ids)]
