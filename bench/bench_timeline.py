"""First page of a big customer timeline next to a plain ``search_read``.

Not part of the test suite. Inserts one customer with ``--events`` timeline
events (SQL: setup is not measured), then times, in the same run, reading the
timeline's first page the way the screens do (``call_timeline_ids`` of the
contact form, and the timeline view's ``web_search_read``) and a plain
``search_read`` of 80 rows of the same table; everything is removed after::

    python3 bench/bench_timeline.py -d call_campaign_demo -- --addons-path=... \\
        --db_host=... --db_port=... --db_user=...
"""

import argparse
import statistics
import time

from common import result

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

PAGE = 80


def timed(env, function, repeat):
    samples = []
    for _i in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, max(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    config.parse_config(args.odoo_args)
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Timeline bench customer"})
        campaign = env["call.campaign"].search([], limit=1) or env[
            "call.campaign"
        ].create({"name": "Timeline bench"})
        status = env.ref("call_campaign.call_status_call")
        cr.execute(
            """INSERT INTO call_interaction (kind, date, partner_id, campaign_id, user_id,
                                             status_id, note, company_id)
               SELECT (ARRAY['status_change', 'call', 'note', 'forward'])[1 + g %% 4],
                      now() at time zone 'UTC' - g * interval '1 minute', %s, %s, %s, %s,
                      'event ' || g, %s
                 FROM generate_series(1, %s) g""",
            [
                partner.id,
                campaign.id,
                env.uid,
                status.id,
                campaign.company_id.id,
                args.events,
            ],
        )
        cr.execute("ANALYZE call_interaction")
        fields = [
            "kind",
            "date",
            "campaign_id",
            "user_id",
            "status_id",
            "next_call_date",
            "to_user_id",
            "to_campaign_id",
            "note",
            "kind_icon",
            "kind_color",
        ]
        Interaction = env["call.interaction"]
        try:
            tab = timed(
                env, lambda: partner.call_timeline_ids.read(fields), args.repeat
            )
            view = timed(
                env,
                lambda: Interaction.web_search_read(
                    [("partner_id", "=", partner.id)],
                    {f: {} for f in fields},
                    limit=PAGE,
                    # what Odoo's list and kanban views ask: exact up to 10,000
                    count_limit=10001,
                ),
                args.repeat,
            )
            count = timed(
                env,
                lambda: partner.read(["call_interaction_count_label"]),
                args.repeat,
            )
            plain = timed(
                env,
                lambda: Interaction.search_read([], ["kind"], limit=PAGE),
                args.repeat,
            )
        finally:
            cr.rollback()
    print(
        f"customer with {args.events} events, first page of {PAGE}, median of {args.repeat}"
    )
    print(
        f"timeline tab (call_timeline_ids + read): {tab[0]:6.2f} ms (max {tab[1]:.2f})"
    )
    print(
        f"timeline view (web_search_read):          {view[0]:6.2f} ms (max {view[1]:.2f})"
    )
    print(
        f"plain search_read of {PAGE} rows:            {plain[0]:6.2f} ms (max {plain[1]:.2f})"
    )
    floor = f"plain search_read of {PAGE} rows"
    result(
        f"Timeline tab, first page ({args.events:,} events)",
        tab[0],
        floor,
        plain[0],
        note="aim: <= 10 ms",
    )
    result(
        f"Timeline view, first page + bounded count ({args.events:,} events)",
        view[0],
        floor,
        plain[0],
        note="aim: <= 10 ms",
    )
    result(
        f"Contact form's timeline count, bounded ({args.events:,} events)",
        count[0],
        floor,
        plain[0],
        note="aim: <= 10 ms",
    )


if __name__ == "__main__":
    main()
