"""Latency of “Next call” over JSON-RPC under concurrent agents, next to the
floor of any RPC call (a ``search`` with limit 1) measured in the same run.

Not part of the test suite (``bench/run.py`` runs it). Needs a database with
call_campaign installed; the script inserts the members with SQL (set-up is
not measured), starts ``--servers`` Odoo servers on one database, as two
machines would (each with ``--workers`` workers, no cron thread), spreads
``--agents`` threads over them, each asking for ``--calls`` next calls, while
the scheduling cron runs meanwhile in this process; then it stops the
servers and removes what it made::

    python3 bench/bench_next_call.py -d DB --members 1000000 --servers 2 -- -c odoo.conf

Everything after ``--`` is given to Odoo (the bench adds ``--workers``).
"""

import argparse
import json
import statistics
import threading
import time
import urllib.request
import uuid
from datetime import timedelta

from common import (
    enable_pacing,
    p99_ms,
    parse_server_bench,
    result,
    start_servers,
    stop_servers,
)

from odoo import SUPERUSER_ID, api, fields


def setup(env, members, agents, tag):
    group = env.ref("call_campaign.group_call_agent")
    users = env["res.users"].create(
        [
            {
                "name": f"Bench agent {i}",
                "login": f"bench_{tag}_{i}",
                "password": f"bench_{tag}_{i}",
                "groups_id": [(6, 0, group.ids)],
            }
            for i in range(agents)
        ]
    )
    campaign = env["call.campaign"].create(
        {
            "name": f"Bench queue {tag}",
            "state": "running",
            "agent_ids": [(6, 0, users.ids)],
            "reservation_minutes": 60,
        }
    )
    status = env.ref("call_campaign.call_status_call")
    env.cr.execute(
        """INSERT INTO res_partner (name, complete_name, active, type, is_company, lang,
                                    create_date, write_date)
           SELECT 'Queue ' || g, 'Queue ' || g, true, 'contact', false, 'en_US', now(), now()
             FROM generate_series(1, %s) g RETURNING id""",
        [members],
    )
    partner_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id, behavior,
                   state, active, priority, company_id, attempt_count,
                   create_uid, write_uid, create_date, write_date)
           SELECT %s, p, %s, 'to_call', 'queued', true,
                  (ARRAY['0', '0', '0', '1'])[1 + (p %% 4)], %s, 0, 1, 1, now(), now()
             FROM unnest(%s) p""",
        [campaign.id, status.id, campaign.company_id.id, partner_ids],
    )
    # work for the scheduling cron meanwhile: a tenth as many members of
    # another campaign whose calls are due to be planned
    cron_status = env["call.status"].create(
        {"name": f"Bench plan {tag}", "behavior": "to_call", "schedule_call": True}
    )
    cron_campaign = env["call.campaign"].create(
        {"name": f"Bench cron {tag}", "state": "running", "default_status_id": False}
    )
    cron_campaign.status_ids |= cron_status
    env.cr.execute(
        """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id, behavior,
                   state, next_call_date, active, priority, company_id, attempt_count,
                   create_uid, write_uid, create_date, write_date)
           SELECT %s, p, %s, 'to_call', 'scheduled',
                  now() at time zone 'UTC' - interval '1 minute', true, '0', %s, 0,
                  1, 1, now(), now()
             FROM unnest(%s) p""",
        [
            cron_campaign.id,
            cron_status.id,
            cron_campaign.company_id.id,
            partner_ids[: max(1, members // 10)],
        ],
    )
    enable_pacing(env, campaign | cron_campaign, partner_ids)
    env.cr.execute("ANALYZE call_campaign_member")
    # integrators call with API keys: a password costs a deliberately slow hash
    # per call, which would hide everything else
    keys = [
        env["res.users.apikeys"]
        .with_user(user)
        ._generate("rpc", "bench", fields.Datetime.now() + timedelta(days=1))
        for user in users
    ]
    env.cr.commit()
    return (
        [(user.id, key) for user, key in zip(users, keys, strict=True)],
        (campaign | cron_campaign).ids,
        partner_ids,
    )


def enable_compliance(env, partner_ids):
    """Every shipped compliance rule on (registries left out: the campaign
    runs), the customers spread over their countries as SQL would import
    them: 40% French, 20% Polish (half with a consent), 20% American of an
    unknown zone, 20% German (no rule)."""
    rules = env["call.compliance.rule"].with_context(active_test=False).search([])
    rules.write({"active": True, "registry_ids": [(5, 0, 0)]})
    ref = env.ref
    env.cr.execute(
        """UPDATE res_partner p
              SET call_country_id = CASE WHEN p.id %% 5 < 2 THEN %s WHEN p.id %% 5 = 2 THEN %s
                                         WHEN p.id %% 5 = 3 THEN %s ELSE %s END,
                  call_tz = CASE WHEN p.id %% 5 < 2 THEN 'Europe/Paris'
                                 WHEN p.id %% 5 = 2 THEN 'Europe/Warsaw'
                                 WHEN p.id %% 5 = 3 THEN NULL ELSE 'Europe/Berlin' END
            WHERE p.id = ANY(%s)""",
        [
            ref("base.fr").id,
            ref("base.pl").id,
            ref("base.us").id,
            ref("base.de").id,
            partner_ids,
        ],
    )
    env.cr.execute(
        """INSERT INTO call_consent (partner_id, basis, date, create_uid, write_uid,
                                     create_date, write_date)
           SELECT p, 'consent', now() at time zone 'UTC' - interval '1 day', 1, 1, now(), now()
             FROM unnest(%s) p WHERE p %% 10 = 2""",
        [partner_ids],
    )
    env.cr.execute("ANALYZE res_partner")
    env.cr.execute("ANALYZE call_consent")
    env.cr.commit()
    return f"{len(rules)} rules of {len(rules.country_ids)} countries"


def release(registry, campaign_id):
    """The members the first run reserved go back to the queue."""
    with registry.cursor() as cr:
        cr.execute(
            """UPDATE call_campaign_member SET reserved_user_id = NULL,
                      reserved_until = NULL
                WHERE campaign_id = %s AND reserved_user_id IS NOT NULL""",
            [campaign_id],
        )


def cleanup(env, users, campaign_ids, partner_ids):
    env.cr.execute(
        "DELETE FROM res_users_apikeys WHERE user_id = ANY(%s)",
        [[uid for uid, _key in users]],
    )
    env.cr.execute(
        """DELETE FROM mail_activity WHERE call_member_id IN (
               SELECT id FROM call_campaign_member WHERE campaign_id = ANY(%s))""",
        [campaign_ids],
    )
    env.cr.execute(
        "DELETE FROM call_interaction WHERE campaign_id = ANY(%s)", [campaign_ids]
    )
    env.cr.execute(
        "DELETE FROM call_campaign_member WHERE campaign_id = ANY(%s)", [campaign_ids]
    )
    env.cr.execute("DELETE FROM call_campaign WHERE id = ANY(%s)", [campaign_ids])
    env.cr.execute("DELETE FROM call_consent WHERE partner_id = ANY(%s)", [partner_ids])
    env.cr.execute("UPDATE call_compliance_rule SET active = false")
    # deleting a million contacts means a million foreign-key checks: archive
    env.cr.execute(
        "UPDATE res_partner SET active = false WHERE id = ANY(%s)", [partner_ids]
    )
    env["res.users"].browse([uid for uid, _login in users]).write({"active": False})
    env.cr.commit()


def rpc(url, db, user, model, method, args, kwargs=None):
    payload = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [db, user[0], user[1], model, method, args, kwargs or {}],
            },
        }
    ).encode()
    request = urllib.request.Request(url, payload, {"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    elapsed = time.perf_counter() - start
    if "error" in answer:
        raise RuntimeError(answer["error"]["data"]["message"])
    return elapsed, answer["result"]


def run_agents(users, calls, call):
    latencies, results, errors = [], [], []
    lock = threading.Lock()

    def agent(user):
        try:
            for _i in range(calls):
                elapsed, answer = call(user)
                with lock:
                    latencies.append(elapsed)
                    results.append(answer)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=agent, args=(user,)) for user in users]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return latencies, results, time.perf_counter() - start


def summary(name, latencies, wall):
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    print(
        f"{name:32} median {median * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
        f"{len(ordered) / wall:7.0f} calls/s"
    )
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument(
        "--compliance",
        action="store_true",
        help="then the same Next calls with every shipped compliance rule on",
    )
    args, registry = parse_server_bench(parser, port=8079)
    tag = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        users, campaign_ids, partner_ids = setup(env, args.members, args.agents, tag)
    campaign_id = campaign_ids[0]
    servers, urls = start_servers(
        args.odoo_args, args.database, args.servers, args.port, args.workers
    )
    # agent i talks to server i modulo the number of servers
    server_of = {user: urls[i % len(urls)] for i, user in enumerate(users)}

    def call(model, method, call_args, kwargs=None):
        return lambda user: rpc(
            server_of[user], args.database, user, model, method, call_args, kwargs
        )

    floor_call = call("res.partner", "search", [[]], {"limit": 1})
    cron_stop = threading.Event()
    cron_runs = []

    def cron():
        """The scheduling cron, meanwhile, on its own connection."""
        while not cron_stop.is_set():
            with registry.cursor() as cron_cr:
                cron_env = api.Environment(cron_cr, SUPERUSER_ID, {})
                cron_env["call.campaign.member"]._cron_schedule_calls()
            cron_runs.append(1)
            cron_stop.wait(0.5)

    try:
        # warm every worker up (registry, caches) before measuring anything
        run_agents(users, 20, floor_call)
        next_call = call("call.campaign.member", "next_for_agent", [[campaign_id]])

        def measure():
            """Each agent alternates a trivial call and a next call: both see
            the same load (the other agents, the cron meanwhile)."""
            floor_latencies = []
            cron_stop.clear()

            def pair(user):
                floor_elapsed, _answer = floor_call(user)
                floor_latencies.append(floor_elapsed)
                return next_call(user)

            cron_thread = threading.Thread(target=cron)
            cron_thread.start()
            try:
                latencies, results, wall = run_agents(users, args.calls, pair)
            finally:
                cron_stop.set()
                cron_thread.join()
            return latencies, floor_latencies, results, wall

        latencies, floor_latencies, results, wall = measure()
        floor, floor_wall = floor_latencies, wall
        given = [member_id for member_id in results if member_id]
        duplicates = len(given) - len(set(given))
        print(
            f"members: {args.members}, agents: {args.agents} x {args.calls} calls, "
            f"{args.servers} servers x {args.workers} workers, "
            f"scheduling cron runs meanwhile: {len(cron_runs)}"
        )
        floor_median = summary("floor: search limit 1", floor, floor_wall)
        median = summary("next_for_agent", latencies, wall)
        print(
            f"members given: {len(given)}, duplicates: {duplicates}, "
            f"empty answers: {len(results) - len(given)}"
        )
        setting = (
            f"{args.members:,} members, {args.agents} agents, {args.servers} servers"
        )
        note = f"duplicates: {duplicates}, errors: 0"
        result(
            f"Next call over JSON-RPC, median ({setting})",
            median * 1000,
            "trivial RPC call (search, limit 1)",
            floor_median * 1000,
            aim=1.2,
            note=note,
        )
        result(
            f"Next call over JSON-RPC, p99 ({setting})",
            p99_ms(latencies),
            "trivial RPC call (search, limit 1)",
            p99_ms(floor),
            aim=1.5,
            note=note,
        )
        if duplicates:
            raise SystemExit(f"{duplicates} members were given twice")
        if args.compliance:
            with registry.cursor() as cr:
                on = enable_compliance(
                    api.Environment(cr, SUPERUSER_ID, {}), partner_ids
                )
            # the same agents on the same queue (what they took is handed back)
            release(registry, campaign_id)
            latencies, _floor, results, wall = measure()
            on_median = summary("next_for_agent, every rule on", latencies, wall)
            given = [member_id for member_id in results if member_id]
            result(
                f"Next call over JSON-RPC with every compliance rule on, median ({setting})",
                on_median * 1000,
                "Next call over JSON-RPC, rules off (same run)",
                median * 1000,
                aim=1.2,
                note=f"{on}; given: {len(given)}, duplicates: "
                f"{len(given) - len(set(given))}",
            )
    finally:
        stop_servers(servers)
        with registry.cursor() as cr:
            cleanup(
                api.Environment(cr, SUPERUSER_ID, {}), users, campaign_ids, partner_ids
            )


if __name__ == "__main__":
    main()
