"""Importing a do-not-call registry of ``--numbers`` numbers (issue 26).

Not part of the test suite. Times, as the wizard does it in the manager's
request: the first import of a registry (every number new), then a second
import replacing it (a tenth of the numbers gone, as many new). Reads and
normalises the file, COPY, the replacing statements, the contacts' refresh.
Everything is rolled back after::

    python3 bench/bench_dnc_import.py -d cc_bench --numbers 1000000 -- -c odoo.conf
"""

import argparse
import base64
import io
import time

from common import result

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    config.parse_config(args.odoo_args)
    registry = odoo.modules.registry.Registry(args.database)
    count = args.numbers
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        manager = env.ref("base.user_admin")
        env = env(user=manager, su=False)
        dnc = env["call.dnc.registry"].create(
            {"name": "Bench", "country_ids": [(6, 0, env.ref("base.fr").ids)]}
        )
        first = "number\n" + "\n".join(f"+336{i:08d}" for i in range(count)) + "\n"
        tenth = count // 10
        second = (
            "number\n"
            + "\n".join(f"+336{i:08d}" for i in range(tenth, count + tenth))
            + "\n"
        )
        # the floor: the bare COPY of the numbers into a temporary table
        start = time.perf_counter()
        cr.execute("CREATE TEMP TABLE bench_copy (number varchar)")
        cr._obj.copy_expert(
            "COPY bench_copy (number) FROM STDIN",
            io.StringIO("\n".join(f"+336{i:08d}" for i in range(count))),
        )
        floor = time.perf_counter() - start
        cr.execute("DROP TABLE bench_copy")
        print(f"bare COPY: {floor:.1f} s", flush=True)
        for label, text in (("first import", first), ("replacing import", second)):
            wizard = env["call.dnc.import"].create(
                {"registry_id": dnc.id, "file": base64.b64encode(text.encode())}
            )
            start = time.perf_counter()
            wizard.action_import()
            env.flush_all()
            seconds = time.perf_counter() - start
            print(
                f"{label}: {count} numbers in {seconds:.1f} s (added "
                f"{wizard.added_count}, removed {wizard.removed_count})",
                flush=True,
            )
            result(
                f"Registry import of {count:,} numbers, {label}",
                seconds * 1000,
                "bare COPY of the numbers",
                floor * 1000,
            )
        cr.rollback()


if __name__ == "__main__":
    main()
