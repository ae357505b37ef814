"""Time the scheduling cron against a bare ``mail.activity.create`` baseline.

Not part of the test suite. Runs against a real database where call_campaign
is installed, e.g. the demo database of ``tools/demo.sh``::

    python3 bench/bench_schedule_calls.py -d call_campaign_demo --members 100000 \\
        -- --addons-path=... --db_host=... --db_port=...

Everything after ``--`` is given to Odoo's configuration parser. The members
are inserted with SQL (setup is not what is measured); both measured phases
create the same activities in batches of ``--batch`` and commit per batch, as
ir.cron does. Everything the bench creates is removed at the end.
"""

import argparse
import resource
import time

from common import enable_pacing, result

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(env, members):
    status = env["call.status"].create(
        {
            "name": "Bench recall",
            "behavior": "to_call",
            "schedule_call": True,
            "delay_days": 1,
        }
    )
    # other running campaigns would add their due members to the cron's work
    paused = env["call.campaign"].search([("state", "=", "running")])
    paused.write({"state": "paused"})
    campaign = env["call.campaign"].create(
        {"name": "Bench campaign", "state": "running", "default_status_id": False}
    )
    campaign.status_ids |= status
    cr = env.cr
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, active, type, is_company, lang,
                                    create_date, write_date)
           SELECT 'Bench ' || g, 'Bench ' || g, true, 'contact', false, 'en_US',
                  now(), now()
             FROM generate_series(1, %s) g RETURNING id""",
        [members],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id, state,
                   next_call_date, active, priority, company_id, attempt_count,
                   create_uid, write_uid, create_date, write_date)
           SELECT %s, p, %s, 'scheduled', now() at time zone 'UTC' + interval '1 day',
                  true, '0', %s, 0, 1, 1, now(), now()
             FROM unnest(%s) p""",
        [campaign.id, status.id, campaign.company_id.id, partner_ids],
    )
    enable_pacing(env, campaign, partner_ids)
    env.cr.commit()
    return campaign, status, partner_ids, paused


def run_cron(env, batch):
    Member = env["call.campaign.member"]
    done = 0
    start = time.perf_counter()
    while True:
        batch_members = Member._cron_schedule_calls(batch_size=batch)
        env.cr.commit()
        env.invalidate_all()
        if not batch_members:
            break
        done += len(batch_members)
    return time.perf_counter() - start, done


def run_baseline(env, campaign, batch):
    """The same activities through the bare ORM: what any add-on pays."""
    env.cr.execute(
        """SELECT id, next_call_date::date FROM call_campaign_member
            WHERE campaign_id = %s ORDER BY id""",
        [campaign.id],
    )
    rows = env.cr.fetchall()
    Activity = env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
    model_id = env["ir.model"]._get_id("call.campaign.member")
    type_id = env.ref("call_campaign.mail_activity_type_call").id
    start = time.perf_counter()
    for offset in range(0, len(rows), batch):
        Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": member_id,
                    "activity_type_id": type_id,
                    "summary": "Bench recall",
                    "date_deadline": deadline,
                    "user_id": campaign.user_id.id,
                }
                for member_id, deadline in rows[offset : offset + batch]
            ]
        )
        env.cr.commit()
        env.invalidate_all()
    return time.perf_counter() - start, len(rows)


def delete_activities(env, campaign):
    """Back to the starting line: no activity, no follower."""
    for table in ("mail_activity", "mail_followers"):
        env.cr.execute(
            f"""DELETE FROM {table} WHERE res_model = 'call.campaign.member'
                  AND res_id IN (SELECT id FROM call_campaign_member WHERE campaign_id = %s)""",
            [campaign.id],
        )
    env.cr.commit()


def cleanup(env, campaign, status, partner_ids, paused):
    paused.write({"state": "running"})
    delete_activities(env, campaign)
    env.cr.execute("DELETE FROM call_interaction WHERE campaign_id = %s", [campaign.id])
    env.cr.execute(
        "DELETE FROM call_campaign_member WHERE campaign_id = %s", [campaign.id]
    )
    env.cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign.id])
    env.cr.execute("DELETE FROM call_status WHERE id = %s", [status.id])
    env.cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
    env.cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    config.parse_config(args.odoo_args)
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        campaign, status, partner_ids, paused = setup(env, args.members)
        try:
            base_time, base_done = run_baseline(env, campaign, args.batch)
            base_peak = peak_mb()
            delete_activities(env, campaign)
            cron_time, cron_done = run_cron(env, args.batch)
            cron_peak = peak_mb()
            print(f"members:               {args.members} (batch {args.batch})")
            print(
                f"cron _cron_schedule_calls: {cron_time:8.2f} s for {cron_done} calls "
                f"({cron_done / cron_time:,.0f}/s), peak RSS {cron_peak:,.0f} MB"
            )
            print(
                f"baseline mail.activity.create: {base_time:8.2f} s for {base_done} calls "
                f"({base_done / base_time:,.0f}/s), peak RSS {base_peak:,.0f} MB"
            )
            print(f"ratio cron / baseline: {cron_time / base_time:.2f}x")
            result(
                f"Scheduling cron, {args.members:,} due members",
                cron_time * 1000,
                "bare ORM batch create of the same activities",
                base_time * 1000,
                aim=0.5,
                note=f"peak RSS {cron_peak:,.0f} MB",
            )
        finally:
            cleanup(env, campaign, status, partner_ids, paused)


if __name__ == "__main__":
    main()
