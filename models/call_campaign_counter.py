from odoo import api, fields, models

# the member columns the counters depend on: other updates (a reservation,
# an attempt count) never touch them
COUNTED_COLUMNS = (
    "campaign_id",
    "stage_id",
    "status_id",
    "state",
    "last_call_date",
    "active",
)

_KEY = "campaign_id, stage_id, status_id, state, contacted, dated"
_ROWS = """{t}.campaign_id, {t}.stage_id, {t}.status_id, {t}.state,
           {t}.last_call_date IS NOT NULL, {t}.next_call_date IS NOT NULL"""
_COUNTED = "(" + _ROWS + ", {t}.active)"
# what one statement changed, per key: one statement of the ORM updates many
# members at once, and the trigger runs once per statement
_CHANGES = {
    "update": (
        "SELECT " + _ROWS.format(t="o") + ", -1"
        " FROM old_rows o JOIN new_rows n ON n.id = o.id"
        " WHERE o.active AND "
        + _COUNTED.format(t="o")
        + " IS DISTINCT FROM "
        + _COUNTED.format(t="n")
        + " UNION ALL SELECT "
        + _ROWS.format(t="n")
        + ", 1"
        " FROM old_rows o JOIN new_rows n ON n.id = o.id"
        " WHERE n.active AND "
        + _COUNTED.format(t="o")
        + " IS DISTINCT FROM "
        + _COUNTED.format(t="n")
    ),
    "insert": "SELECT " + _ROWS.format(t="n") + ", 1 FROM new_rows n WHERE n.active",
    "delete": "SELECT " + _ROWS.format(t="o") + ", -1 FROM old_rows o WHERE o.active",
}
_TRANSITIONS = {
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}
COUNTER_TRIGGERS = [
    statement
    for operation, changes in _CHANGES.items()
    for statement in (
        "CREATE OR REPLACE FUNCTION call_campaign_counter_" + operation + "()"
        " RETURNS trigger AS $$ BEGIN"
        " INSERT INTO call_campaign_counter (" + _KEY + ", delta)"
        " SELECT "
        + _KEY
        + ", sum(delta) FROM ("
        + changes
        + ") AS changes ("
        + _KEY
        + ", delta) GROUP BY "
        + _KEY
        + " HAVING sum(delta) != 0;"
        " RETURN NULL; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS call_campaign_counter_"
        + operation
        + " ON call_campaign_member",
        "CREATE TRIGGER call_campaign_counter_"
        + operation
        + " AFTER "
        + operation.upper()
        + " ON call_campaign_member REFERENCING "
        + _TRANSITIONS[operation]
        + " FOR EACH STATEMENT EXECUTE FUNCTION"
        " call_campaign_counter_" + operation + "()",
    )
]
COUNTER_FILL = (
    "INSERT INTO call_campaign_counter ("
    + _KEY
    + ", delta) SELECT "
    + _ROWS.format(t="m")
    + ", count(*) FROM call_campaign_member m WHERE m.active GROUP BY 1, 2, 3, 4, 5, 6"
)


class CallCampaignCounter(models.Model):
    """The campaigns' member counts, kept by the database in the same
    transaction as every change of a member, whatever path made it (the
    ORM, SQL, an import): a trigger on ``call_campaign_member``, once per
    statement, inserts what left each key (−) and what joined it (+).
    Insert-only, so
    two agents changing members of one campaign never wait for each other;
    the campaign screens sum a campaign's rows (a few hundred at most once
    compacted) instead of grouping its million members, and the hourly job
    folds the rows into one per key."""

    _name = "call.campaign.counter"
    _description = "Campaign Member Counter"
    _log_access = False

    # plain ids, not foreign keys: a row is written while its campaign may
    # be being deleted (the rows of a deleted campaign sum to zero and go at
    # the next compaction)
    campaign_id = fields.Integer(required=True, index=True)
    stage_id = fields.Integer()
    status_id = fields.Integer()
    state = fields.Char()
    contacted = fields.Boolean()
    dated = fields.Boolean(help="The member has a follow-up date.")
    delta = fields.Integer(required=True)

    def init(self):
        cr = self.env.cr
        for statement in COUNTER_TRIGGERS:
            cr.execute(statement)
        # installed on a database that has members already: count them once
        cr.execute("SELECT 1 FROM call_campaign_counter LIMIT 1")
        if not cr.fetchone():
            cr.execute(COUNTER_FILL)

    @api.model
    def _counts(self, campaign_ids):
        """``{campaign id: rows}``: each row ``(stage_id, state, contacted,
        dated, success, count)`` of the campaign's active members, summed
        from the counters (a status's result is read now, not when
        counted)."""
        self.env["call.campaign.member"].flush_model(list(COUNTED_COLUMNS))
        self.env["call.status"].flush_model(["result"])
        self.env.cr.execute(
            """SELECT c.campaign_id, c.stage_id, c.state, c.contacted, c.dated,
                      COALESCE(s.result = 'success', false), sum(c.delta)
                 FROM call_campaign_counter c
            LEFT JOIN call_status s ON s.id = c.status_id
                WHERE c.campaign_id IN %s
             GROUP BY 1, 2, 3, 4, 5, 6
               HAVING sum(c.delta) != 0""",
            [tuple(campaign_ids)],
        )
        counts = {}
        for campaign_id, *row in self.env.cr.fetchall():
            counts.setdefault(campaign_id, []).append(tuple(row))
        return counts

    @api.model
    def _cron_compact(self):
        """Fold each key's rows into one (rows other transactions insert
        meanwhile are left for the next run)."""
        self.env["call.campaign.member"]._cron_check_transaction()
        self.env.cr.execute(
            """WITH gone AS (
                   DELETE FROM call_campaign_counter
                   RETURNING campaign_id, stage_id, status_id, state, contacted,
                             dated, delta)
               INSERT INTO call_campaign_counter
                      (campaign_id, stage_id, status_id, state, contacted, dated, delta)
               SELECT campaign_id, stage_id, status_id, state, contacted, dated,
                      sum(delta)
                 FROM gone
                GROUP BY campaign_id, stage_id, status_id, state, contacted, dated
               HAVING sum(delta) != 0"""
        )
