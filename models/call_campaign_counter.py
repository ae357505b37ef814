from odoo import api, fields, models
from odoo.tools import SQL

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


class CallCampaignCounter(models.Model):
    """The campaigns' member counts, kept by the database in the same
    transaction as every change of a member, whatever path made it (the
    ORM, SQL, an import): a trigger on ``call_campaign_member`` inserts a −1
    row for what a member was and a +1 row for what it is. Insert-only, so
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
    delta = fields.Integer(required=True)

    def init(self):
        cr = self.env.cr
        cr.execute(
            """CREATE OR REPLACE FUNCTION call_campaign_counter_track() RETURNS trigger AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
                    INSERT INTO call_campaign_counter
                           (campaign_id, stage_id, status_id, state, contacted, delta)
                    VALUES (OLD.campaign_id, OLD.stage_id, OLD.status_id, OLD.state,
                            OLD.last_call_date IS NOT NULL, -1);
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.active THEN
                    INSERT INTO call_campaign_counter
                           (campaign_id, stage_id, status_id, state, contacted, delta)
                    VALUES (NEW.campaign_id, NEW.stage_id, NEW.status_id, NEW.state,
                            NEW.last_call_date IS NOT NULL, 1);
                END IF;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql"""
        )
        columns = SQL(", ").join(SQL.identifier(c) for c in COUNTED_COLUMNS)
        changed = SQL(" OR ").join(
            SQL(
                "OLD.%s IS DISTINCT FROM NEW.%s",
                SQL.identifier(column),
                SQL.identifier(column),
            )
            for column in COUNTED_COLUMNS
        )
        cr.execute(
            "DROP TRIGGER IF EXISTS call_campaign_counter_change ON call_campaign_member"
        )
        cr.execute(
            "DROP TRIGGER IF EXISTS call_campaign_counter_insert_delete "
            "ON call_campaign_member"
        )
        cr.execute(
            SQL(
                """CREATE TRIGGER call_campaign_counter_change
                   AFTER UPDATE OF %s ON call_campaign_member
                   FOR EACH ROW WHEN (%s)
                   EXECUTE FUNCTION call_campaign_counter_track()""",
                columns,
                changed,
            )
        )
        cr.execute(
            """CREATE TRIGGER call_campaign_counter_insert_delete
               AFTER INSERT OR DELETE ON call_campaign_member
               FOR EACH ROW EXECUTE FUNCTION call_campaign_counter_track()"""
        )
        # installed on a database that has members already: count them once
        cr.execute("SELECT 1 FROM call_campaign_counter LIMIT 1")
        if not cr.fetchone():
            cr.execute(
                """INSERT INTO call_campaign_counter
                          (campaign_id, stage_id, status_id, state, contacted, delta)
                   SELECT campaign_id, stage_id, status_id, state,
                          last_call_date IS NOT NULL, count(*)
                     FROM call_campaign_member WHERE active
                    GROUP BY 1, 2, 3, 4, 5"""
            )

    @api.model
    def _counts(self, campaign_ids):
        """``{campaign id: rows}``: each row ``(stage_id, state, contacted,
        success, count)`` of the campaign's active members, summed from
        the counters (a status's result is read now, not when counted)."""
        self.env["call.campaign.member"].flush_model(list(COUNTED_COLUMNS))
        self.env["call.status"].flush_model(["result"])
        self.env.cr.execute(
            """SELECT c.campaign_id, c.stage_id, c.state, c.contacted,
                      COALESCE(s.result = 'success', false), sum(c.delta)
                 FROM call_campaign_counter c
            LEFT JOIN call_status s ON s.id = c.status_id
                WHERE c.campaign_id IN %s
             GROUP BY 1, 2, 3, 4, 5
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
                   RETURNING campaign_id, stage_id, status_id, state, contacted, delta)
               INSERT INTO call_campaign_counter
                      (campaign_id, stage_id, status_id, state, contacted, delta)
               SELECT campaign_id, stage_id, status_id, state, contacted, sum(delta)
                 FROM gone
                GROUP BY campaign_id, stage_id, status_id, state, contacted
               HAVING sum(delta) != 0"""
        )
