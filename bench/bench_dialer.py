"""The example dialer (``dialer_client.py``) against two Odoo servers: round
trips per dialled call and the latency of each dialer call next to a trivial
RPC call's, measured in the same run, and the proof that nothing was given
twice, lost or doubled.

``--lines`` lines of one predictive dialer share ``--agents`` agents; the
simulated PBX answers about a third of the calls. An answered call is handed
over to a ready agent (none ready: the customer is *dropped*), who logs a
result as the call screen does. 1% of the reports are sent twice (a lost
answer), 5% of the hang-up records come late: after the agent's result, or
in the end-of-shift file (``register_call_outcomes``, sent twice too).
Afterwards, read in the database: every dialled call is one record with one
outcome event, every answered call one result, one attempt per call::

    python3 bench/bench_dialer.py -d DB --members 20000 --lines 20 --agents 10 -- -c odoo.conf
"""

import argparse
import itertools
import queue
import random
import statistics
import threading
import time
import uuid
from collections import defaultdict
from datetime import timedelta

from common import parse_server_bench, result, start_servers, stop_servers
from dialer_client import MEMBER, DialResult, Line, OdooRpc

from odoo import SUPERUSER_ID, Command, api, fields

# what the simulated PBX hears, in proportions
OUTCOMES = [
    ("answered", 35),
    ("no_answer", 25),
    ("busy", 15),
    ("voicemail", 15),
    ("failed", 5),
    ("invalid_number", 5),
]


def setup(env, members, agents, tag):
    def user(login, group):
        return env["res.users"].create(
            {
                "name": login,
                "login": login,
                "password": login,
                "groups_id": [Command.set(env.ref(group).ids)],
            }
        )

    dialer = user(f"bench_dialer_{tag}", "call_campaign.group_call_dialer")
    team = env["res.users"].browse(
        [
            user(f"bench_agent_{tag}_{i}", "call_campaign.group_call_agent").id
            for i in range(agents)
        ]
    )
    campaign = env["call.campaign"].create(
        {
            "name": f"Bench dialer {tag}",
            "state": "running",
            "agent_ids": [Command.set((dialer | team).ids)],
            "reservation_minutes": 60,
            # the agents' results are logged at once: no wrap-up to wait for
            "wrapup_seconds": 0,
        }
    )
    env.cr.execute(
        """INSERT INTO res_partner (name, complete_name, phone, active, type,
                                    is_company, lang, create_date, write_date)
           SELECT 'Dialled ' || g, 'Dialled ' || g, '+48 600 ' || lpad(g::text, 6, '0'),
                  true, 'contact', false, 'en_US', now(), now()
             FROM generate_series(1, %s) g RETURNING id""",
        [members],
    )
    partner_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id, behavior,
                   state, active, priority, company_id, attempt_count,
                   create_uid, write_uid, create_date, write_date)
           SELECT %s, p, %s, 'to_call', 'queued', true, '0', %s, 0, 1, 1, now(), now()
             FROM unnest(%s) p""",
        [
            campaign.id,
            env.ref("call_campaign.call_status_call").id,
            campaign.company_id.id,
            partner_ids,
        ],
    )
    env.cr.execute("ANALYZE call_campaign_member")
    expiry = fields.Datetime.now() + timedelta(days=1)
    keys = {
        person.id: (
            person.login,
            env["res.users.apikeys"]
            .with_user(person)
            ._generate("rpc", "bench", expiry),
        )
        for person in dialer | team
    }
    env.cr.commit()
    return campaign.id, dialer.id, team.ids, keys, partner_ids


def cleanup(env, campaign_id, user_ids, partner_ids):
    env.cr.execute("DELETE FROM res_users_apikeys WHERE user_id = ANY(%s)", [user_ids])
    env.cr.execute(
        """DELETE FROM mail_activity WHERE call_member_id IN (
               SELECT id FROM call_campaign_member WHERE campaign_id = %s)""",
        [campaign_id],
    )
    for table in ("call_interaction", "call_campaign_call", "call_campaign_member"):
        env.cr.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign_id])  # noqa: S608
    env.cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign_id])
    env.cr.execute(
        "UPDATE res_partner SET active = false WHERE id = ANY(%s)", [partner_ids]
    )
    env["res.users"].browse(user_ids).write({"active": False})
    env.cr.commit()


class Pbx:
    """Outcomes in the proportions of ``OUTCOMES``; a call id per call."""

    def __init__(self, seed, tag):
        self.random = random.Random(seed)
        self.tag, self.count = tag, 0

    def dial(self, number):
        self.count += 1
        (outcome,) = self.random.choices(
            [o for o, _w in OUTCOMES], weights=[w for _o, w in OUTCOMES]
        )
        answered = outcome == "answered"
        uid = f"{self.tag}-{id(self)}-{self.count}"
        return DialResult(
            call_uid=uid,
            outcome=outcome,
            ring_seconds=self.random.randint(3, 30),
            talk_seconds=self.random.randint(20, 900) if answered else 0,
            recording_url=f"https://pbx.example.com/rec/{uid}.ogg"
            if answered
            else None,
        )


class Agents:
    """The agents' side: a pool of ready agents, and one thread per agent
    that talks (a few milliseconds) and logs a result on the member, as the
    call screen's Save does, then is ready again."""

    def __init__(self, rpcs, status_ids, seed):
        self.ready = queue.Queue()
        self.inboxes = {agent_id: queue.Queue() for agent_id in rpcs}
        self.rpcs, self.status_ids = rpcs, status_ids
        self.random = random.Random(seed)
        self.logged = 0
        self.errors = []
        self.threads = [
            threading.Thread(target=self._work, args=(agent_id,)) for agent_id in rpcs
        ]
        for agent_id, rpc in rpcs.items():
            rpc.call("res.users", "set_call_agent_state", "ready")
            self.ready.put(agent_id)
        for thread in self.threads:
            thread.start()

    def take(self):
        try:
            return self.ready.get_nowait()
        except queue.Empty:
            return None

    def connect(self, agent_id, member_id, dial_result):
        logged = threading.Event()
        self.inboxes[agent_id].put((member_id, logged))
        return logged

    def stop(self):
        for inbox in self.inboxes.values():
            inbox.put(None)
        for thread in self.threads:
            thread.join()

    def _work(self, agent_id):
        rpc = self.rpcs[agent_id]
        while (work := self.inboxes[agent_id].get()) is not None:
            member_id, logged = work
            try:
                time.sleep(self.random.uniform(0.02, 0.2))
                rpc.call(
                    MEMBER,
                    "log_call",
                    [member_id],
                    status=self.random.choice(self.status_ids),
                    note="Bench call",
                )
                self.logged += 1
            except Exception as error:  # noqa: BLE001
                self.errors.append(error)
            finally:
                logged.set()
                self.ready.put(agent_id)


def check_database(registry, campaign_id, dialled, answered_handed):
    """Read back what the run wrote: lost or doubled records, attempts."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(*), count(DISTINCT call_uid),
                      count(*) FILTER (WHERE state != 'ended')
                 FROM call_campaign_call WHERE campaign_id = %s""",
            [campaign_id],
        )
        calls, uids, open_calls = cr.fetchone()
        cr.execute(
            """SELECT count(*) FILTER (WHERE outcomes != 1),
                      count(*) FILTER (WHERE c.outcome = 'answered'
                                         AND c.user_id IS NOT NULL AND results != 1)
                 FROM call_campaign_call c
                 JOIN LATERAL (
                      SELECT count(*) FILTER (WHERE i.kind = 'outcome') outcomes,
                             count(*) FILTER (WHERE i.kind = 'call') results
                        FROM call_interaction i WHERE i.call_id = c.id) h ON true
                WHERE c.campaign_id = %s""",
            [campaign_id],
        )
        bad_outcomes, bad_results = cr.fetchone()
        cr.execute(
            """SELECT COALESCE(sum(attempt_count), 0) FROM call_campaign_member
                WHERE campaign_id = %s""",
            [campaign_id],
        )
        (attempts,) = cr.fetchone()
    return {
        "lost": dialled - uids,
        "doubled": (calls - uids) + bad_outcomes + bad_results + abs(attempts - calls),
        "open": open_calls,
        "calls": calls,
        "attempts": attempts,
        "handed": answered_handed,
    }


def given_twice(lines):
    """Members given to a line while a line still held them (reserved to
    it or handed to an agent; let go once its report was on its way)."""
    by_member = defaultdict(list)
    for line in lines:
        for member_id, given, let_go in line.holds:
            by_member[member_id].append((given, let_go or float("inf")))
    twice = 0
    for spans in by_member.values():
        spans.sort()
        twice += sum(
            1
            for (_g, let_go), (given, _l) in itertools.pairwise(spans)
            if given < let_go
        )
    return twice


def run_shift(lines, floors, agents, calls):
    """Every line dials ``calls`` calls at once, a trivial call before each
    (the floor, under the same load); then the end-of-shift file, sent
    twice (the first answer lost). The file's reports and the wall time."""
    errors = []

    def run(line, floor_rpc):
        try:
            for _i in range(calls):
                # the trivial call, under the same load, as the floor
                floor_rpc.call("res.partner", "search", [], limit=1)
                if not line.dial_one():
                    break
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    # warm every worker up before measuring
    for floor_rpc in floors:
        for _i in range(10):
            floor_rpc.call("res.partner", "search", [], limit=1)
    for floor_rpc in floors:
        floor_rpc.latencies.clear()
    threads = [
        threading.Thread(target=run, args=pair)
        for pair in zip(lines, floors, strict=True)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    agents.stop()
    # the end-of-shift file, sent twice (the first answer lost)
    late_reports = [report for line in lines for report in line.late_reports]
    first = lines[0].rpc.call(MEMBER, "register_call_outcomes", late_reports)
    again = lines[0].rpc.call(MEMBER, "register_call_outcomes", late_reports)
    wall = time.perf_counter() - start
    if errors or agents.errors:
        raise (errors + agents.errors)[0]
    refused = [r for r in first if not r["ok"]]
    if refused:
        raise SystemExit(f"end-of-shift file refused: {refused[:3]}")
    if again != first:
        raise SystemExit("the end-of-shift file sent again wrote again")
    return late_reports, wall


def figures(registry, campaign_id, shift, args):
    """What the shift wrote, read back, and the figures of the table."""
    lines, floors, agents, late_reports, wall = shift
    dialled = sum(line.pbx.count for line in lines)
    handed = sum(1 for line in lines for _ in line.rpc.latencies.get("hand_over", []))
    checks = check_database(registry, campaign_id, dialled, handed)
    twice = given_twice(lines)
    latencies = defaultdict(list)
    for line in lines:
        for method, samples in line.rpc.latencies.items():
            latencies[method] += samples
    # the login is not part of the protocol; the file is one call for the shift
    trips = sum(line.rpc.round_trips - 1 for line in lines) / dialled
    floor = [t for rpc in floors for t in rpc.latencies["search"]]
    floor_median = statistics.median(floor) * 1000
    print(
        f"{dialled} calls dialled in {wall:.1f} s by {args.lines} lines over "
        f"{args.servers} servers, {args.agents} agents ({agents.logged} results "
        f"logged); late in the end-of-shift file: {len(late_reports)}"
    )
    print(f"database: {checks}; members given twice: {twice}")
    print(f"floor (search, limit 1): median {floor_median:.1f} ms")
    for method, samples in sorted(latencies.items()):
        print(
            f"{method:28} {len(samples):6} calls, median "
            f"{statistics.median(samples) * 1000:6.1f} ms"
        )
    setting = f"{args.lines} lines, {args.agents} agents, {args.servers} servers"
    note = f"given twice: {twice}, lost: {checks['lost']}, doubled: {checks['doubled']}"
    result(
        f"Dialer: round trips per dialled call ({setting})",
        trips,
        "a dial and a report, nothing else",
        2.0,
        unit="calls",
        note=note,
    )
    for method in ("next_number_for_agent", "hand_over", "register_call_outcome"):
        result(
            f"Dialer: {method} over JSON-RPC, median ({setting})",
            statistics.median(latencies[method]) * 1000,
            "trivial RPC call (search, limit 1)",
            floor_median,
            note=note,
        )
    if twice or checks["lost"] or checks["doubled"] or checks["open"]:
        raise SystemExit(f"given twice: {twice}, database: {checks}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--calls", type=int, default=50, help="per line")
    args, registry = parse_server_bench(parser, port=8089)
    tag = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        campaign_id, dialer_id, agent_ids, keys, partner_ids = setup(
            env, args.members, args.agents, tag
        )
        status_ids = [
            env.ref("call_campaign.call_status_interested").id,
            env.ref("call_campaign.call_status_not_interested").id,
        ]
    servers, urls = start_servers(
        args.odoo_args, args.database, args.servers, args.port, args.workers
    )
    bases = [url.removesuffix("/jsonrpc") for url in urls]
    try:
        agents = Agents(
            {
                agent_id: OdooRpc(bases[i % len(bases)], args.database, *keys[agent_id])
                for i, agent_id in enumerate(agent_ids)
            },
            status_ids,
            seed=1,
        )
        chance = random.Random(2)
        lines = [
            Line(
                OdooRpc(bases[i % len(bases)], args.database, *keys[dialer_id]),
                [campaign_id],
                Pbx(seed=100 + i, tag=tag),
                agents,
                late=lambda _r: chance.random() < 0.05,
                retry=lambda _r: chance.random() < 0.01,
            )
            for i in range(args.lines)
        ]
        floors = [
            OdooRpc(bases[i % len(bases)], args.database, *keys[dialer_id])
            for i in range(args.lines)
        ]

        late_reports, wall = run_shift(lines, floors, agents, args.calls)
        figures(
            registry, campaign_id, (lines, floors, agents, late_reports, wall), args
        )
    finally:
        stop_servers(servers)
        with registry.cursor() as cr:
            cleanup(
                api.Environment(cr, SUPERUSER_ID, {}),
                campaign_id,
                [dialer_id, *agent_ids],
                partner_ids,
            )


if __name__ == "__main__":
    main()
