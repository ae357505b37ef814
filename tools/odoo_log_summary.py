#!/usr/bin/env python3
"""Summarise the log of one `odoo --test-enable --stop-after-init` run.

Usage: odoo_log_summary.py LOG DB [--module call_campaign] [--exit-code N]

Reads Odoo 18's closing line (odoo/service/server.py + odoo/tests/result.py):
    ... odoo.tests.result: N failed, N error(s) of N tests when loading database 'DB'
Passed = tests - failed - errors.  The run itself counts as one more failure
when the log has an ERROR/CRITICAL line that no failing test explains, no
closing line, 0 tests, no sign that the module was loaded, or Odoo exited
non-zero without failing tests.  Prints human-readable lines, then
``RESULT <passed> <failed>`` as the last line.
"""

import argparse
import re
import sys

LOG_LINE_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)
RESULT_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database '(?P<db>[^']+)'"
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("db")
    parser.add_argument("--module", default="call_campaign")
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()

    mod = re.escape(args.module)
    loaded_re = re.compile(rf"(Loading module {mod} \(|loading {mod}/)")
    result = None
    loaded = False
    errors = []  # (level, first line)
    with open(args.log, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = LOG_LINE_RE.match(line)
            if not m:
                continue
            if loaded_re.search(m.group("msg")):
                loaded = True
            if m.group("logger") == "odoo.tests.result":
                r = RESULT_RE.search(m.group("msg"))
                if r and r.group("db") == args.db:
                    result = {k: int(r.group(k)) for k in ("failed", "errors", "tests")}
                    continue
            if m.group("level") in ("ERROR", "CRITICAL"):
                errors.append(
                    (m.group("level"), f"{m.group('logger')}: {m.group('msg')}")
                )

    passed = failed = 0
    problems = []
    if result is None:
        problems.append("no 'odoo.tests.result: ... tests when loading database' line")
    else:
        failed = result["failed"] + result["errors"]
        passed = max(result["tests"] - failed, 0)
        print(
            f"{args.db}: {result['tests']} tests, {passed} passed, "
            f"{result['failed']} failed, {result['errors']} error(s)"
        )
        if result["tests"] == 0:
            problems.append("0 tests ran")
    if not loaded:
        problems.append(f"the log does not show module {args.module} being loaded")
    if errors and failed == 0:
        problems.append(
            f"{len(errors)} ERROR/CRITICAL log line(s), first: {errors[0][1]}"
        )
    if args.exit_code and failed == 0:
        problems.append(f"odoo exited with status {args.exit_code}")
    for p in problems:
        print(f"{args.db}: run failed: {p}")
    if problems:
        failed += 1
    if errors and failed:
        for level, msg in errors[:10]:
            print(f"{args.db}: {level} {msg[:300]}")
    print(f"RESULT {passed} {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
