"""A campaign of a million members, in-process: “Next call” next to the
single SQL statement that is its floor, a mass status change next to the
bare ORM writes of the same rows, and the campaign screens next to a plain
``search_read`` of the campaign.

Not part of the test suite (``bench/run.py`` runs it). The members are
inserted with SQL (set-up is not measured) and removed at the end::

    python3 bench/bench_scale.py -d DB --members 1000000 -- -c odoo.conf
"""

import argparse
import re
import time
import uuid
from datetime import timedelta

from common import (
    PACING,
    archive_partners,
    enable_pacing,
    insert_members,
    insert_partners,
    median_ms,
    open_registry,
    result,
    superuser_env,
    timed,
    vacuum,
)

from odoo import Command, fields


def setup(env, members, tag):
    agent = env["res.users"].create(
        {
            "name": f"Scale agent {tag}",
            "login": f"scale_{tag}",
            "groups_id": [Command.set(env.ref("call_campaign.group_call_agent").ids)],
        }
    )
    campaign = env["call.campaign"].create(
        {
            "name": f"Scale {tag}",
            "state": "running",
            "agent_ids": [Command.set(agent.ids)],
            "reservation_minutes": 60,
        }
    )
    status = env.ref("call_campaign.call_status_call")
    partner_ids = insert_partners(env.cr, members, f"Scale {tag} ")
    insert_members(env.cr, campaign, status, partner_ids)
    enable_pacing(env, campaign, partner_ids)
    env.cr.commit()
    return agent, campaign, partner_ids


def floor_statement(cr, campaign_id, uid, now, limit=1):
    """The same decision and reservation as one statement on the same data:
    same filters, same tiers' order, same lock."""
    cr.execute(
        """UPDATE call_campaign_member r
              SET reserved_user_id = %(uid)s,
                  reserved_until = %(now)s + interval '60 minutes'
            WHERE r.id IN (
                  SELECT m.id FROM call_campaign_member m
                   WHERE m.active AND m.campaign_id = %(campaign)s
                     AND m.state IN ('queued', 'scheduled')
                     AND (m.next_call_date IS NULL OR m.next_call_date <= %(now)s)
                     AND (m.reserved_until IS NULL OR m.reserved_until < %(now)s)
                     AND m.behavior NOT IN ('priority', 'my_record')
                     AND (m.user_id IS NULL OR m.user_id = %(uid)s)
                     AND (SELECT p.call_undialable FROM res_partner p
                           WHERE p.id = m.partner_id) IS NOT TRUE
                     AND COALESCE((SELECT p.call_pressure_until FROM res_partner p
                                    WHERE p.id = m.partner_id) <= %(now)s, true)
                     AND (m.day_attempts_reset IS NULL OR m.day_attempts_reset <= %(now)s
                          OR m.day_attempt_count < %(per_day)s)
                     AND COALESCE(m.attempt_count, 0) < %(total)s
                ORDER BY m.priority DESC, m.next_call_date ASC NULLS FIRST, m.id
                   LIMIT %(limit)s FOR UPDATE OF m SKIP LOCKED)
        RETURNING r.id""",
        {
            "uid": uid,
            "campaign": campaign_id,
            "now": now,
            "per_day": PACING["max_attempts_per_day"],
            "total": PACING["max_attempts_total"],
            "limit": limit,
        },
    )
    return cr.fetchall()


def bench_next_call(registry, agent, campaign, calls):
    with registry.cursor() as cr:
        env = superuser_env(cr)
        member_env = env(user=agent.id, su=False)
        Member = member_env["call.campaign.member"]
        Member.next_for_agent(campaign.ids)  # warm-up (caches, calling hours)
        cr.commit()
        ours = timed(
            lambda: Member.next_for_agent(campaign.ids),
            calls,
            before=member_env.invalidate_all,
        )
        now = fields.Datetime.now()
        floor = timed(lambda: floor_statement(cr, campaign.id, agent.id, now), calls)
        cr.rollback()
    result(
        "Next call in-process, 1 agent (median)",
        median_ms(ours),
        "one SQL statement",
        median_ms(floor),
        aim=2.0,
    )


def bench_reserve_numbers(registry, campaign, repeat, count=100):
    """A predictive dialer reserving ``count`` numbers at once (each with
    its call record), next to one statement reserving as many rows."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        dialer = env["res.users"].create(
            {
                "name": f"Scale dialer {campaign.id}",
                "login": f"scale_dialer_{campaign.id}",
                "groups_id": [
                    Command.set(env.ref("call_campaign.group_call_dialer").ids)
                ],
            }
        )
        env["call.campaign"].browse(campaign.id).agent_ids |= dialer
        cr.commit()
        Campaign = env(user=dialer.id, su=False)["call.campaign"].browse(campaign.id)
        Campaign.reserve_numbers(count)  # warm-up
        ours = timed(
            lambda: Campaign.reserve_numbers(count),
            repeat,
            before=Campaign.env.invalidate_all,
        )
        now = fields.Datetime.now()
        floor = timed(
            lambda: floor_statement(cr, campaign.id, dialer.id, now, count), repeat
        )
        cr.rollback()
    result(
        f"reserve_numbers({count}) in-process (median)",
        median_ms(ours),
        f"one SQL statement reserving {count} rows",
        median_ms(floor),
        aim=3.0,
    )


def view_fields(model, view_type):
    """The stored and computed fields a view shows (not its sub-lists),
    read the way the web client reads them."""
    arch = model.get_views([(False, view_type)])["views"][view_type]["arch"]
    names = set(re.findall(r'<field name="([a-z_0-9]+)"', arch))
    return {
        name: {}
        for name in names
        if name in model._fields
        and model._fields[name].type not in ("one2many", "many2many")
    }


def bench_screens(registry, campaign, repeat):
    with registry.cursor() as cr:
        env = superuser_env(cr)
        manager = env.ref("base.user_admin")
        Campaign = env(user=manager.id, su=False)["call.campaign"]
        kanban_fields = view_fields(Campaign, "kanban")
        form_fields = view_fields(Campaign, "form") | {
            # the dashboard's stage funnel and calls per agent
            "stage_ids": {
                "fields": {"name": {}, "member_count": {}, "member_rate": {}}
            },
            "agent_stat_ids": {
                "fields": {
                    "user_id": {},
                    "member_count": {},
                    "call_count": {},
                    "success_count": {},
                }
            },
        }
        domain = [("id", "=", campaign.id)]
        plain = timed(
            lambda: Campaign.search_read(domain, ["name"]),
            repeat,
            before=Campaign.env.invalidate_all,
        )
        cards = timed(
            lambda: Campaign.web_search_read(domain, kanban_fields),
            repeat,
            before=Campaign.env.invalidate_all,
        )
        dashboard = timed(
            lambda: Campaign.browse(campaign.id).web_read(form_fields),
            repeat,
            before=Campaign.env.invalidate_all,
        )
    floor = median_ms(plain)
    result(
        "Campaign kanban with figures",
        median_ms(cards),
        "search_read of the campaign",
        floor,
        note="aim: <= 100 ms",
    )
    result(
        "Campaign form with dashboard",
        median_ms(dashboard),
        "search_read of the campaign",
        floor,
        note="aim: <= 100 ms",
    )


def bench_mass_status(registry, campaign, count):
    """``set_status`` on ``count`` members in one call, next to the bare ORM
    writes of the same rows: member write, interaction create, activity
    create, in batches."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        status = env["call.status"].create(
            {
                "name": "Scale recall",
                "behavior": "to_call",
                "schedule_call": True,
                "delay_days": 2,
            }
        )
        campaign.with_env(env).status_ids |= status
        cr.commit()
        Member = env["call.campaign.member"]
        members = Member.search(
            [("campaign_id", "=", campaign.id)], limit=2 * count, order="id"
        )
        first, second = members[:count], members[count:]
        start = time.perf_counter()
        first.set_status(status)
        env.flush_all()
        ours = time.perf_counter() - start
        cr.rollback()
        env.invalidate_all()
        activity_type = env.ref("call_campaign.mail_activity_type_call")
        model_id = env["ir.model"]._get_id("call.campaign.member")
        date = fields.Datetime.now() + timedelta(days=2)
        start = time.perf_counter()
        for offset in range(0, count, 1000):
            batch = second[offset : offset + 1000]
            batch._write_workflow(
                {"status_id": status.id, "next_call_date": date, "state": "scheduled"}
            )
            env["call.interaction"].sudo().create(
                [
                    {
                        "kind": "status_change",
                        "member_id": m.id,
                        "campaign_id": campaign.id,
                        "partner_id": m.partner_id.id,
                        "status_id": status.id,
                    }
                    for m in batch
                ]
            )
            env["mail.activity"].sudo().create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": m.id,
                        "activity_type_id": activity_type.id,
                        "date_deadline": date.date(),
                        "user_id": env.uid,
                    }
                    for m in batch
                ]
            )
        env.flush_all()
        floor = time.perf_counter() - start
        cr.rollback()
    result(
        f"Mass status change of {count:,} members",
        ours * 1000,
        "bare ORM writes of the same rows",
        floor * 1000,
        aim=1.2,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--mass", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    registry = open_registry(args.database, args.odoo_args)
    tag = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        agent, campaign, partner_ids = setup(superuser_env(cr), args.members, tag)
        agent, campaign = agent.id, campaign.id
    with registry.cursor() as cr:
        # what the hourly job does to the member counters the inserts wrote
        superuser_env(cr)["call.campaign.counter"]._cron_compact()
    vacuum(registry, "call_campaign_member")
    vacuum(registry, "call_campaign_counter")
    try:
        with registry.cursor() as cr:
            env = superuser_env(cr)
            agent_rec = env["res.users"].browse(agent)
            campaign_rec = env["call.campaign"].browse(campaign)
            print(f"campaign of {args.members:,} members", flush=True)
        bench_next_call(registry, agent_rec, campaign_rec, args.calls)
        bench_screens(registry, campaign_rec, args.repeat)
        bench_reserve_numbers(registry, campaign_rec, args.repeat)
        bench_mass_status(registry, campaign_rec, args.mass)
    finally:
        with registry.cursor() as cr:
            cr.execute(
                "DELETE FROM call_interaction WHERE campaign_id = %s", [campaign]
            )
            cr.execute(
                "DELETE FROM mail_activity WHERE res_model = 'call.campaign.member'"
                " AND res_id IN (SELECT id FROM call_campaign_member"
                " WHERE campaign_id = %s)",
                [campaign],
            )
            cr.execute(
                "DELETE FROM call_campaign_call WHERE campaign_id = %s", [campaign]
            )
            cr.execute(
                "DELETE FROM call_campaign_member WHERE campaign_id = %s", [campaign]
            )
            cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign])
            archive_partners(cr, partner_ids)
            cr.execute("UPDATE res_users SET active = false WHERE id = %s", [agent])


if __name__ == "__main__":
    main()
