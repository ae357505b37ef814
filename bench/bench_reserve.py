"""Predictive dialers reserving numbers at once: four dialers on two Odoo
servers call ``reserve_numbers`` over JSON-RPC until the campaign is empty;
no member may be given twice. The latency of one call is next to a trivial
RPC call's under the same load.

    python3 bench/bench_reserve.py -d DB --members 20000 -- -c odoo.conf
"""

import argparse
import statistics
import threading
import uuid
from datetime import timedelta

from common import (
    insert_members,
    insert_partners,
    parse_server_bench,
    result,
    start_servers,
    stop_servers,
)
from dialer_client import OdooRpc

from odoo import SUPERUSER_ID, Command, api, fields


def setup(env, members, dialers, tag):
    group = env.ref("call_campaign.group_call_dialer")
    users = env["res.users"].create(
        [
            {
                "name": f"bench_reserve_{tag}_{i}",
                "login": f"bench_reserve_{tag}_{i}",
                "groups_id": [Command.set(group.ids)],
            }
            for i in range(dialers)
        ]
    )
    campaign = env["call.campaign"].create(
        {
            "name": f"Bench reserve {tag}",
            "state": "running",
            "agent_ids": [Command.set(users.ids)],
            "reservation_minutes": 60,
        }
    )
    partner_ids = insert_partners(env.cr, members, f"Reserve {tag} ")
    env.cr.execute(
        "UPDATE res_partner SET phone = '+48 600 ' || id WHERE id = ANY(%s)",
        [partner_ids],
    )
    insert_members(
        env.cr, campaign, env.ref("call_campaign.call_status_call"), partner_ids
    )
    expiry = fields.Datetime.now() + timedelta(days=1)
    keys = [
        (
            user.login,
            env["res.users.apikeys"].with_user(user)._generate("rpc", "bench", expiry),
        )
        for user in users
    ]
    env.cr.commit()
    return campaign.id, users.ids, keys, partner_ids


def cleanup(env, campaign_id, user_ids, partner_ids):
    env.cr.execute("DELETE FROM res_users_apikeys WHERE user_id = ANY(%s)", [user_ids])
    for table in ("call_campaign_call", "call_campaign_member"):
        env.cr.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign_id])  # noqa: S608
    env.cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign_id])
    env.cr.execute(
        "UPDATE res_partner SET active = false WHERE id = ANY(%s)", [partner_ids]
    )
    env["res.users"].browse(user_ids).write({"active": False})
    env.cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--dialers", type=int, default=4)
    parser.add_argument("--count", type=int, default=50, help="numbers per call")
    args, registry = parse_server_bench(parser, port=8099)
    tag = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        campaign_id, user_ids, keys, partner_ids = setup(
            env, args.members, args.dialers, tag
        )
    servers, urls = start_servers(
        args.odoo_args, args.database, args.servers, args.port, args.workers
    )
    bases = [url.removesuffix("/jsonrpc") for url in urls]
    try:
        clients = [
            OdooRpc(bases[i % len(bases)], args.database, *key)
            for i, key in enumerate(keys)
        ]
        for client in clients:
            for _i in range(5):  # warm every worker up
                client.call("res.partner", "search", [], limit=1)
            client.latencies.clear()
        given, errors = [], []
        lock = threading.Lock()

        def dial(client):
            try:
                while True:
                    client.call("res.partner", "search", [], limit=1)
                    rows = client.call(
                        "call.campaign", "reserve_numbers", [campaign_id], args.count
                    )
                    if not rows:
                        return
                    with lock:
                        given.extend(row["member_id"] for row in rows)
            except Exception as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=dial, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        twice = len(given) - len(set(given))
        latencies = [t for c in clients for t in c.latencies["reserve_numbers"]]
        floor = [t for c in clients for t in c.latencies["search"]]
        print(
            f"{len(given)} members reserved by {args.dialers} dialers on "
            f"{args.servers} servers in {len(latencies)} calls; given twice: {twice}"
        )
        result(
            f"reserve_numbers({args.count}) over JSON-RPC, median "
            f"({args.dialers} dialers at once, {args.servers} servers)",
            statistics.median(latencies) * 1000,
            "trivial RPC call (search, limit 1)",
            statistics.median(floor) * 1000,
            note=f"given twice: {twice} of {len(given):,}",
        )
        if twice or len(given) != args.members:
            raise SystemExit(f"given twice: {twice}, reserved {len(given)}")
    finally:
        stop_servers(servers)
        with registry.cursor() as cr:
            cleanup(
                api.Environment(cr, SUPERUSER_ID, {}),
                campaign_id,
                user_ids,
                partner_ids,
            )


if __name__ == "__main__":
    main()
