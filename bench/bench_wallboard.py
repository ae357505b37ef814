"""The wallboard under load: simulated agents changing state through dialers
over JSON-RPC, wallboards open in browsers' stead (an Odoo session and a
websocket each), on two Odoo servers.

Two phases with the same load, one wallboard open then ``--viewers`` open:
the time of a tick (one snapshot sent to every viewer, from the job's own
log line) must not grow with the viewers, nor the servers' CPU per change
(Odoo and PostgreSQL processes, the bus's sending to each viewer included);
the push latency is the time from an agent's change being committed (the
dialer's call returned) to each open wallboard showing it. Then every
viewer opens its wallboard again ten times
(``get_wallboard``, ``@api.readonly``): with ``--replica`` the servers run
with ``--db_replica_host`` on a streaming replica of the cluster and the
transactions counted on each side show where the reads went.

    python3 bench/bench_wallboard.py -d DB --agents 200 --viewers 50 -- -c odoo.conf
"""

import argparse
import itertools
import json
import os
import random
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg2
import websocket
from common import p99_ms, parse_server_bench, result, start_servers, stop_servers
from dialer_client import OdooRpc

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-wallboard"  # noqa: S105  (users of a throw-away bench database)
CYCLE = ("ready", "on_call", "ready", "paused")
# the tick's own work (the job also waits for the second to end)
JOB_DONE = re.compile(r"Wallboard tick in ([\d.]+)s")


def setup(env, agents, viewers, dialers, tag):
    """The floor: agents in one running campaign, all ready; dialers with
    API keys acting for them; managers with a password for the browsers."""
    Users = env["res.users"].with_context(no_reset_password=True)

    def users(kind, count, group, password=None):
        return Users.create(
            [
                {
                    **({"password": password} if password else {}),
                    "name": f"Wallboard {kind} {tag} {i}",
                    "login": f"wallboard_{kind}_{tag}_{i}",
                    "groups_id": [Command.set(env.ref(group).ids)],
                }
                for i in range(count)
            ]
        )

    agent_users = users("agent", agents, "call_campaign.group_call_agent")
    dialer_users = users("dialer", dialers, "call_campaign.group_call_dialer")
    managers = users(
        "manager", min(viewers, 10), "call_campaign.group_call_manager", PASSWORD
    )
    campaign = env["call.campaign"].create(
        {
            "name": f"Bench wallboard {tag}",
            "state": "running",
            "agent_ids": [Command.set(agent_users.ids)],
        }
    )
    agent_users._set_call_agent_state("ready")
    expiry = fields.Datetime.now() + timedelta(days=1)
    keys = [
        (
            user.login,
            env["res.users.apikeys"].with_user(user)._generate("rpc", "b", expiry),
        )
        for user in dialer_users
    ]
    env.cr.commit()
    return {
        "campaign_id": campaign.id,
        "agent_ids": agent_users.ids,
        "user_ids": (agent_users | dialer_users | managers).ids,
        "keys": keys,
        "managers": managers.mapped("login"),
        "company_id": env.company.id,
        "reason_id": env.ref("call_campaign.call_pause_reason_break").id,
    }


def cleanup(env, floor):
    env.cr.execute(
        "DELETE FROM res_users_apikeys WHERE user_id = ANY(%s)", [floor["user_ids"]]
    )
    env["call.campaign"].browse(floor["campaign_id"]).write(
        {"state": "done", "active": False}
    )
    env["res.users"].browse(floor["user_ids"]).write({"active": False})
    env.cr.commit()


class Floor:
    """The changes sent and who has seen them: a change counts for a viewer
    the first time a snapshot it receives shows the agent in that state."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latest = {}  # agent id: (sequence, state, time sent)
        self.viewers = []
        self.phase = 0
        self.sequence = itertools.count()
        self.changes = 0  # sent so far

    def changing(self, agent_id, state):
        with self.lock:
            previous = self.latest.get(agent_id)
            self.changes += 1
            for viewer in self.viewers:
                if previous and viewer.seen.get(agent_id, -1) < previous[0]:
                    viewer.missed[self.phase] = viewer.missed.get(self.phase, 0) + 1
            # sequence, state, sent, phase, committed (the call returned)
            self.latest[agent_id] = [
                next(self.sequence),
                state,
                time.perf_counter(),
                self.phase,
                None,
            ]
            return self.latest[agent_id][0]

    def committed(self, agent_id, sequence):
        """The change's call returned: it is committed, the push may go."""
        with self.lock:
            change = self.latest.get(agent_id)
            if change and change[0] == sequence:
                change[4] = time.perf_counter()

    def joined(self, viewers):
        """New viewers read the floor when they open: what they were not
        pushed is not theirs to measure."""
        with self.lock:
            for viewer in viewers:
                viewer.seen = {
                    agent: change[0] for agent, change in self.latest.items()
                }
            self.viewers += viewers
            self.phase += 1

    def received(self, viewer, snapshot, at):
        with self.lock:
            for row in snapshot["agents"]:
                change = self.latest.get(row["user_id"])
                if (
                    change
                    and viewer.seen.get(row["user_id"], -1) < change[0]
                    and row["state"] == change[1]
                ):
                    viewer.seen[row["user_id"]] = change[0]
                    # from the commit (the call's return); a push seen before
                    # the call returned counts from when it was sent
                    base = change[4] if change[4] is not None else change[2]
                    viewer.latencies.setdefault(change[3], []).append(
                        max(at - base, 0.0)
                    )


class Viewer(threading.Thread):
    """A browser with the wallboard open: a session, the snapshot read once,
    then the company's channel on a websocket; it never polls."""

    def __init__(self, floor, base, gevent_port, db, login, company_id):
        super().__init__(daemon=True)
        self.floor, self.base, self.db = floor, base, db
        self.company_id = company_id
        self.seen, self.latencies, self.missed = {}, {}, {}
        self.pushes = 0
        self.stopping = threading.Event()
        self.cookie = self._login(login)
        self.wallboard()
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{gevent_port}/websocket?version=18.0-5",
            cookie=self.cookie,
            origin=f"http://127.0.0.1:{gevent_port}",
            timeout=30,
        )
        self.ws.send(
            json.dumps(
                {
                    "event_name": "subscribe",
                    "data": {
                        "channels": [f"call_campaign.wallboard_{company_id}"],
                        "last": 0,
                    },
                }
            )
        )
        self.ws.settimeout(1)

    def _post(self, path, params):
        request = urllib.request.Request(
            self.base + path,
            json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            {"Content-Type": "application/json", "Cookie": getattr(self, "cookie", "")},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
            cookie = response.headers.get("Set-Cookie", "")
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"], cookie

    def _login(self, login):
        _result, cookie = self._post(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": PASSWORD},
        )
        return cookie.split(";", 1)[0]

    def wallboard(self):
        """Opening the wallboard: the snapshot, read over the web client's
        route (a read-only request)."""
        snapshot, _cookie = self._post(
            "/web/dataset/call_kw/call.campaign/get_wallboard",
            {
                "model": "call.campaign",
                "method": "get_wallboard",
                "args": [],
                "kwargs": {},
            },
        )
        return snapshot

    def run(self):
        while not self.stopping.is_set():
            try:
                message = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except websocket.WebSocketConnectionClosedException:
                return
            at = time.perf_counter()
            for notification in json.loads(message):
                if notification["message"]["type"] == "call_campaign/wallboard":
                    self.pushes += 1
                    self.floor.received(self, notification["message"]["payload"], at)

    def close(self):
        self.stopping.set()
        self.join(5)
        self.ws.close()


def change_states(floor, client, agent_ids, reason_id, stop, rng):
    """One dialer reporting its agents' states: each agent changes every 10
    to 30 seconds (never faster than a push should take)."""
    due = {agent: time.perf_counter() + rng.uniform(0, 10) for agent in agent_ids}
    step = dict.fromkeys(agent_ids, 0)
    while not stop.is_set():
        agent = min(due, key=due.get)
        wait = due[agent] - time.perf_counter()
        if wait > 0 and stop.wait(wait):
            return
        step[agent] += 1
        state = CYCLE[step[agent] % len(CYCLE)]
        sequence = floor.changing(agent, state)
        for attempt in range(3):
            try:
                client.call(
                    "res.users",
                    "set_call_agent_state",
                    state,
                    reason_id=reason_id if state == "paused" else None,
                    agent_id=agent,
                )
                floor.committed(agent, sequence)
                break
            except OSError:  # a worker recycled under the dialer: again
                if attempt == 2:
                    raise
                time.sleep(0.5)
        if sum(step.values()) % 5 == 0:  # the floor: a trivial call, same load
            client.call("res.partner", "search", [], limit=1)
        due[agent] = time.perf_counter() + rng.uniform(10, 30)


def process_cpu(roots):
    """CPU seconds of these processes and all their descendants, the reaped
    ones included (``cutime``, ``cstime``)."""
    parents, times = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields_ = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields_[1])
        times[int(entry)] = sum(int(value) for value in fields_[11:15])
    wanted, grown = set(roots), True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in wanted}
        grown = bool(children - wanted)
        wanted |= children
    return sum(times.get(pid, 0) for pid in wanted) / os.sysconf("SC_CLK_TCK")


def db_work(port, db):
    """Transactions and rows read in the database, counted by one PostgreSQL
    server (the primary or its replica: same host, another port)."""
    connection = psycopg2.connect(
        host=config["db_host"] or None,
        port=port,
        user=config["db_user"] or None,
        dbname=db,
    )
    try:
        with connection.cursor() as cr:
            cr.execute(
                "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
                "FROM pg_stat_database WHERE datname = current_database()"
            )
            return cr.fetchone()
    finally:
        connection.close()


def print_latencies(latencies):
    """The push latencies' distribution, for reading the tail."""
    ordered = sorted(latencies)
    if ordered:
        print(
            "push latency (ms): "
            + ", ".join(
                f"p{q} {ordered[min(len(ordered) - 1, len(ordered) * q // 100)] * 1000:.0f}"
                for q in (50, 90, 95, 99)
            )
            + f", max {ordered[-1] * 1000:.0f}"
        )


def wait_for_port(port, seconds=120):
    for _i in range(seconds):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"nothing listens on port {port}")


def run_phase(floor, viewers, seconds, roots, log):
    """Let the floor run ``seconds`` with these viewers: the ticks' times
    and the servers' CPU per change sent (milliseconds)."""
    offset = log.stat().st_size
    cpu, changes = process_cpu(roots), floor.changes
    time.sleep(seconds)
    cpu, changes = process_cpu(roots) - cpu, floor.changes - changes
    with log.open() as lines:
        lines.seek(offset)
        jobs = [float(match[1]) for match in JOB_DONE.finditer(lines.read())]
    return jobs, cpu * 1000 / max(changes, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--dialers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=40, help="per phase")
    parser.add_argument(
        "--replica", action="store_true", help="serve the reads from a replica"
    )
    args, registry = parse_server_bench(parser, port=8109)
    tag = uuid.uuid4().hex[:6]
    label = " (replica)" if args.replica else ""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        floor_data = setup(env, args.agents, args.viewers, args.dialers, tag)
        cr.execute("SELECT pg_backend_pid(), current_setting('port')::int")
        backend, pg_port = cr.fetchone()
    with open(f"/proc/{backend}/stat") as stat:
        postmaster = int(stat.read().rsplit(")", 1)[1].split()[1])
    replica_port = None
    if args.replica:
        replica_port = int(pg_port) + 10
        subprocess.run(
            ["bash", "-c", ". tools/odoo_env.sh && cc_pg_replica_start"],
            cwd=ROOT,
            check=True,
            env=dict(os.environ, CC_PGPORT=str(pg_port)),
        )
    logs = Path(tempfile.mkdtemp(prefix="bench_wallboard_"))
    gevent = [args.port + 50 + index for index in range(args.servers)]

    def options(index):
        extra = [
            f"--gevent-port={gevent[index]}",
            f"--logfile={logs / f'server{index}.log'}",
            # the tick's own time
            "--log-handler=odoo.addons.call_campaign.models.call_campaign_wallboard:DEBUG",
        ]
        if index == 0:
            extra.append("--max-cron-threads=1")
        if replica_port:
            extra += [
                "--db_replica_host=127.0.0.1",
                f"--db_replica_port={replica_port}",
            ]
        return extra

    started = time.perf_counter()
    servers, urls = start_servers(
        args.odoo_args, args.database, args.servers, args.port, args.workers, options
    )
    bases = [url.removesuffix("/jsonrpc") for url in urls]
    for port in gevent:  # the websocket process starts after the workers
        wait_for_port(port)
    floor = Floor()
    stop = threading.Event()
    viewers, threads = [], []
    try:
        clients = [
            OdooRpc(bases[i % len(bases)], args.database, *key)
            for i, key in enumerate(floor_data["keys"])
        ]

        def viewer(index):
            return Viewer(
                floor,
                bases[index % len(bases)],
                gevent[index % len(gevent)],
                args.database,
                floor_data["managers"][index % len(floor_data["managers"])],
                floor_data["company_id"],
            )

        viewers.append(viewer(0))
        floor.joined(viewers[:1])
        viewers[0].start()
        agents = floor_data["agent_ids"]
        for index, client in enumerate(clients):
            thread = threading.Thread(
                target=change_states,
                args=(
                    floor,
                    client,
                    agents[index :: len(clients)],
                    floor_data["reason_id"],
                    stop,
                    random.Random(index),
                ),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        time.sleep(10)  # every agent has changed once: the steady state
        print(
            f"servers up, floor moving: {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        roots = [server.pid for server in servers] + [postmaster]
        log = logs / "server0.log"
        jobs_one, cpu_one = run_phase(floor, viewers, args.seconds, roots, log)
        print(f"phase 1 done: {time.perf_counter() - started:.0f} s", flush=True)
        more = [viewer(index) for index in range(1, args.viewers)]
        floor.joined(more)
        for each in more:
            each.start()
        viewers += more
        time.sleep(10)
        jobs_all, cpu_all = run_phase(floor, viewers, args.seconds, roots, log)
        floor.joined([])  # what is sent from now on is not measured
        stop.set()
        for thread in threads:
            thread.join(60)
        print(f"phase 2 done: {time.perf_counter() - started:.0f} s", flush=True)
        # the reads: every viewer opens its wallboard ten times
        time.sleep(2)
        before = [db_work(pg_port, args.database)]
        if replica_port:
            before.append(db_work(replica_port, args.database))
        reads = 0
        for _round in range(10):
            for each in viewers:
                each.wallboard()
                reads += 1
        time.sleep(2)  # PostgreSQL publishes its statistics within a second
        after = [db_work(pg_port, args.database)]
        if replica_port:
            after.append(db_work(replica_port, args.database))
    finally:
        stop.set()
        for each in viewers:
            each.close()
        stop_servers(servers)
        if args.replica:
            subprocess.run(
                ["bash", "-c", ". tools/odoo_env.sh && cc_pg_replica_stop"],
                cwd=ROOT,
                check=False,
                env=dict(os.environ, CC_PGPORT=str(pg_port)),
            )
    with registry.cursor() as cr:
        cleanup(api.Environment(cr, SUPERUSER_ID, {}), floor_data)
    latencies = [value for each in viewers for value in each.latencies.get(2, [])]
    missed = sum(each.missed.get(2, 0) for each in viewers)
    trivial = [
        value for client in clients for value in client.latencies.get("search", [])
    ]
    changes = sum(
        len(client.latencies.get("set_call_agent_state", [])) for client in clients
    )
    print(
        f"{args.agents} agents, {changes} state changes by {args.dialers} dialers; "
        f"pushes: {len(jobs_one)} with 1 wallboard, {len(jobs_all)} with "
        f"{len(viewers)} in {args.seconds} s each; {len(latencies)} changes seen "
        f"on the wallboards, {missed} superseded before a push showed them; "
        f"server CPU per change {cpu_one:.0f} ms and {cpu_all:.0f} ms"
    )
    print_latencies(latencies)
    changes_rpc = [
        value
        for client in clients
        for value in client.latencies.get("set_call_agent_state", [])
    ]
    print(f"set_call_agent_state p99 {p99_ms(changes_rpc):.0f} ms")
    median = sorted(jobs_one)[len(jobs_one) // 2] * 1000
    result(
        f"wallboard tick (snapshot and send), {len(viewers)} wallboards open{label}",
        sorted(jobs_all)[len(jobs_all) // 2] * 1000,
        "same, 1 wallboard open",
        median,
        aim=1.25,
    )
    result(
        f"servers' CPU per agent change, {len(viewers)} wallboards open{label}",
        cpu_all,
        "same, 1 wallboard open",
        cpu_one,
        note="Odoo and PostgreSQL; the bus sends each push to every viewer",
    )
    result(
        f"wallboard push latency p99, {args.agents} agents, {len(viewers)} "
        f"wallboards{label}",
        p99_ms(latencies),
        "trivial RPC p99 (same load)",
        p99_ms(trivial),
        note="aim: <= 2000 ms",
    )
    work = [(a[0] - b[0], a[1] - b[1]) for a, b in zip(after, before, strict=True)]
    print(
        f"{reads} wallboard opens: {work[0][0]} transactions, {work[0][1]} rows read "
        "on the primary"
        + (
            f"; {work[1][0]} transactions, {work[1][1]} rows read on the replica"
            if replica_port
            else ""
        )
    )
    result(
        f"{reads} wallboard opens: rows read on the primary{label}",
        work[0][1],
        "rows read on the replica" if replica_port else "wallboard opens",
        work[1][1] if replica_port else reads,
        unit="rows",
        note="the reads leave the primary (Odoo checks its registry there on "
        "every request)"
        if replica_port
        else "",
    )


if __name__ == "__main__":
    main()
