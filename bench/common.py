"""Shared by the benches: opening the database, timing, the SQL set-up of a
big campaign, and the result lines ``bench/run.py`` gathers into a table.

Each bench prints, besides its own readable lines, one line per figure::

    BENCH-RESULT {"figure": ..., "value": ..., "floor": ..., "floor_value": ...,
                  "unit": "ms", "aim": 2.0}

``aim`` is the highest ratio value / floor the issue accepts (None: no aim).
"""

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

# every pacing limit on (issue 15): attempt caps on the campaigns, the
# contact-pressure budget on their company; the queue checks them all
PACING = {"max_attempts_total": 10, "max_attempts_per_day": 3}
BUDGET = {"call_pressure_per_day": 3, "call_pressure_per_week": 10}


def enable_pacing(env, campaigns, partner_ids):
    """The benches run with every limit on, and with one contact in a hundred
    over its call budget and one in a hundred without a good number."""
    campaigns.write(PACING)
    campaigns.company_id.write(BUDGET)
    env.cr.execute(
        """UPDATE res_partner
              SET call_pressure_until = CASE WHEN id %% 100 = 1
                      THEN now() at time zone 'UTC' + interval '1 day' END,
                  call_undialable = (id %% 100 = 2)
            WHERE id = ANY(%s) AND id %% 100 IN (1, 2)""",
        [partner_ids],
    )
    env.cr.execute("ANALYZE res_partner")


def odoo_server_command():
    """How to start an Odoo server process: ``odoo-bin`` of a source tree or
    the ``odoo`` script of an installed Odoo. (``python -m odoo`` would do,
    but a server with workers re-runs its own ``argv[0]`` for the gevent
    process, which fails on ``odoo/__main__.py``.)"""
    source_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    if source_bin.is_file():
        return [sys.executable, str(source_bin)]
    script = shutil.which("odoo")
    if script:
        return [script]
    return [sys.executable, "-m", "odoo"]


def parse_server_bench(parser, port):
    """The arguments every multi-server bench takes (the database, the
    servers, the Odoo options after ``--``), parsed; Odoo's configuration
    read, the database's registry opened: ``(args, registry)``."""
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--workers", type=int, default=2, help="per server")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    return args, open_registry(args.database, args.odoo_args)


def start_servers(odoo_args, database, count, port, workers, options=None):
    """``count`` Odoo servers on one database, as ``count`` machines would
    (each with ``workers`` workers, no cron thread, no websockets unless
    ``options(index)`` gives a server more options); their JSON-RPC URLs
    once they answer."""
    servers = [
        subprocess.Popen(
            [
                *odoo_server_command(),
                *odoo_args,
                "-d",
                database,
                "--db-filter",
                f"^{database}$",
                f"--workers={workers}",
                f"--http-port={port + index}",
                "--gevent-port=0",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
                "--log-level=warn",
                "--limit-time-real=600",
                *(options(index) if options else ()),
            ],
        )
        for index in range(count)
    ]
    urls = [f"http://127.0.0.1:{port + index}/jsonrpc" for index in range(count)]
    payload = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": "common", "method": "version", "args": []},
        }
    ).encode()
    for url in urls:
        for _i in range(120):
            try:
                request = urllib.request.Request(
                    url, payload, {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=10):
                    break
            except OSError:
                time.sleep(1)
    return servers, urls


def stop_servers(servers):
    for server in servers:
        if server.poll() is None:
            server.terminate()
    for server in servers:
        server.wait(60)


def open_registry(database, odoo_args):
    config.parse_config(odoo_args)
    return odoo.modules.registry.Registry(database)


def superuser_env(cr, context=None):
    return api.Environment(cr, SUPERUSER_ID, dict(context or {}, tracking_disable=True))


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(samples):
    return statistics.median(samples) * 1000


def p99_ms(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def timed(function, repeat, before=None):
    """Run ``function`` ``repeat`` times; the seconds of each run."""
    samples = []
    for _i in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def result(figure, value, floor, floor_value, aim=None, unit="ms", note=""):
    """Print one figure of the table next to its floor."""
    ratio = value / floor_value if floor_value else None
    print(
        "BENCH-RESULT "
        + json.dumps(
            {
                "figure": figure,
                "value": round(value, 3),
                "floor": floor,
                "floor_value": round(floor_value, 3),
                "ratio": round(ratio, 3) if ratio is not None else None,
                "aim": aim,
                "unit": unit,
                "note": note,
                "cores": os.cpu_count(),
            }
        ),
        flush=True,
    )


def insert_partners(cr, count, prefix):
    """``count`` contacts by SQL (set-up is not measured); their ids."""
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, active, type, is_company, lang,
                                    create_date, write_date)
           SELECT %s || g, %s || g, true, 'contact', false, 'en_US', now(), now()
             FROM generate_series(1, %s) g RETURNING id""",
        [prefix, prefix, count],
    )
    return [row[0] for row in cr.fetchall()]


def insert_members(
    cr, campaign, status, partner_ids, state="queued", behavior="to_call"
):
    """Members of ``campaign`` for these contacts by SQL, one in four of
    priority 1, as a real queue."""
    cr.execute(
        """INSERT INTO call_campaign_member (campaign_id, partner_id, status_id, behavior,
                   state, active, priority, company_id, attempt_count,
                   create_uid, write_uid, create_date, write_date)
           SELECT %s, p, %s, %s, %s, true,
                  (ARRAY['0', '0', '0', '1'])[1 + (p %% 4)], %s, 0, 1, 1, now(), now()
             FROM unnest(%s) p""",
        [campaign.id, status.id, behavior, state, campaign.company_id.id, partner_ids],
    )
    cr.execute("ANALYZE call_campaign_member")


def vacuum(registry, table):
    """What autovacuum does to a table in steady state (VACUUM cannot run in
    a transaction): the benches measure a campaign that has settled, not one
    inserted a second ago."""
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        try:
            cr.execute(f"VACUUM (ANALYZE) {table}")
        finally:
            cr._cnx.autocommit = False


def archive_partners(cr, partner_ids):
    # deleting a million contacts means a million foreign-key checks: archive
    cr.execute(
        "UPDATE res_partner SET active = false WHERE id = ANY(%s)", [partner_ids]
    )
