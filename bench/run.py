#!/usr/bin/env python3
"""Every bench, one command: its own database, every figure next to its floor.

Finds Odoo and starts the private PostgreSQL cluster the way ``tools/demo.sh``
and ``tools/test.sh`` do (``tools/odoo_env.sh``), creates the database
``cc_bench`` there with the add-on (no demo data), runs each bench of this
folder at the sizes of the performance issue (``--quick``: small sizes, a
smoke run), prints the Markdown table of the figures and drops the
database. ``--readme`` also writes the table into README.md between its
``bench:begin`` / ``bench:end`` markers.

    python3 bench/run.py --quick
    python3 bench/run.py --readme
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DB = "cc_bench"

FULL = {
    "bench_scale.py": ["--members", "1000000", "--calls", "200", "--mass", "10000"],
    "bench_next_call.py": [
        "--members",
        "1000000",
        "--agents",
        "10",
        "--calls",
        "300",
        "--servers",
        "2",
        "--compliance",
    ],
    "bench_schedule_calls.py": ["--members", "100000"],
    "bench_timeline.py": ["--events", "1000000"],
    "bench_add_members.py": ["--contacts", "100000"],
    "bench_dialer.py": ["--members", "20000", "--lines", "20", "--agents", "10"],
    "bench_reserve.py": ["--members", "20000", "--dialers", "4"],
    "bench_wallboard.py": ["--agents", "200", "--viewers", "50"],
    "bench_wallboard.py --replica": ["--agents", "200", "--viewers", "50"],
}
QUICK = {
    "bench_scale.py": ["--members", "20000", "--calls", "50", "--mass", "1000"],
    "bench_next_call.py": [
        "--members",
        "20000",
        "--agents",
        "4",
        "--calls",
        "50",
        "--servers",
        "2",
        "--compliance",
    ],
    "bench_schedule_calls.py": ["--members", "5000"],
    "bench_timeline.py": ["--events", "20000"],
    "bench_add_members.py": ["--contacts", "5000"],
    "bench_dialer.py": [
        "--members",
        "2000",
        "--lines",
        "20",
        "--agents",
        "10",
        "--calls",
        "5",
    ],
    "bench_reserve.py": ["--members", "2000", "--dialers", "4"],
    "bench_wallboard.py": ["--agents", "40", "--viewers", "5", "--seconds", "10"],
    "bench_wallboard.py --replica": [
        "--agents",
        "40",
        "--viewers",
        "5",
        "--seconds",
        "10",
    ],
}


def odoo_environment():
    """The Python that imports Odoo 18, its configuration file and the
    environment it needs, as tools/odoo_env.sh finds them."""
    script = (
        ". tools/odoo_env.sh && cc_find_odoo --allow-clone >&2 && cc_pg_start >&2 "
        "&& cc_write_odoo_conf && printf '%s\\n%s\\n%s\\n' \"$CC_PYTHON\" "
        '"$CC_ODOO_CONF" "${PYTHONPATH:-}"'
    )
    out = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True
    ).stdout.splitlines()
    python, conf, pythonpath = (out + ["", "", ""])[:3]
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return python, conf, env


def drop_database():
    subprocess.run(
        ["bash", "-c", f". tools/odoo_env.sh && cc_pg_start >&2 && cc_db_drop {DB}"],
        cwd=ROOT,
        check=True,
    )


def create_database(python, conf, env):
    drop_database()
    subprocess.run(
        [
            python,
            "-m",
            "odoo",
            "-c",
            conf,
            "-d",
            DB,
            "-i",
            "call_campaign",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_bench(python, conf, env, name, sizes):
    """One bench; ``name`` is its file, maybe followed by flags."""
    script, *flags = name.split()
    print(f"\n## {name} {' '.join(sizes)}", flush=True)
    process = subprocess.Popen(
        [python, str(BENCH / script), "-d", DB, *flags, *sizes, "--", "-c", conf],
        cwd=BENCH,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    rows = []
    for line in process.stdout:
        if line.startswith("BENCH-RESULT "):
            rows.append(json.loads(line.split(" ", 1)[1]))
        print(line, end="", flush=True)
    if process.wait():
        rows.append({"figure": f"{name} failed (exit {process.returncode})"})
    return rows


def verdict(row):
    limit = re.match(r"aim: <= ([\d.]+) ms", row.get("note", ""))
    if limit:
        met = "met" if row["value"] <= float(limit[1]) else "missed"
        return f"≤ {limit[1]} ms: {met}"
    if row.get("aim") is None or row.get("ratio") is None:
        return row.get("note", "")
    met = "met" if row["ratio"] <= row["aim"] else "missed"
    return f"≤ {row['aim']}×: {met}"


def table(rows, cores, quick):
    lines = [
        f"Measured by `python3 bench/run.py{' --quick' if quick else ''}` on "
        f"{cores} cores, {time.strftime('%Y-%m-%d')}; each floor in the same run.",
        "",
        "| figure | value | floor (same run) | floor value | ratio | aim |",
        "|---|---:|---|---:|---:|---|",
    ]
    for row in rows:
        if "value" not in row:
            lines.append(f"| {row['figure']} | | | | | |")
            continue
        unit = row.get("unit", "ms")
        ratio = f"{row['ratio']:.2f}×" if row.get("ratio") is not None else ""
        lines.append(
            f"| {row['figure']} | {row['value']:,.2f} {unit} | {row['floor']} | "
            f"{row['floor_value']:,.2f} {unit} | {ratio} | {verdict(row)} |"
        )
    return "\n".join(lines)


def write_readme(text, partial, scripts=()):
    """Write the table between the README's markers. After ``--only``, the
    rows of the benches that ran replace their rows of the table there (by
    figure), the others stay; a failure row of a bench that ran goes."""
    readme = ROOT / "README.md"
    content = readme.read_text()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in content or end not in content:
        sys.exit("README.md has no bench:begin / bench:end markers")
    head, rest = content.split(begin, 1)
    old, tail = rest.split(end, 1)
    if partial:
        new_rows = {
            line.split("|")[1].strip(): line
            for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| figure")
        }
        stale = tuple(f"{script} failed" for script in scripts)
        lines = []
        for line in old.strip().splitlines():
            figure = line.split("|")[1].strip() if line.startswith("| ") else None
            if figure and figure.startswith(stale) and figure not in new_rows:
                continue
            lines.append(new_rows.pop(figure, line) if figure else line)
        lines += new_rows.values()
        text = "\n".join(lines)
    readme.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--readme", action="store_true", help="write the table into README.md"
    )
    parser.add_argument("--only", nargs="*", help="run only these bench files")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    python, conf, env = odoo_environment()
    plan = QUICK if args.quick else FULL
    if args.only:
        plan = {
            name: sizes
            for name, sizes in plan.items()
            if name.split()[0] in args.only or name in args.only
        }
    create_database(python, conf, env)
    rows = []
    try:
        for script, sizes in plan.items():
            rows += run_bench(python, conf, env, script, sizes)
    finally:
        if not args.keep:
            drop_database()
    text = table(rows, os.cpu_count(), args.quick)
    print("\n" + text)
    if args.readme:
        write_readme(text, partial=bool(args.only), scripts=plan)
    failed = [row for row in rows if "value" not in row]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
