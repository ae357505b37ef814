#!/usr/bin/env bash
# THE test command of the call_campaign add-on.
#
#   tools/test.sh [--static-only | --odoo-only] [--tags TEST_TAGS] [--no-nodemo]
#
# 1. static checks: `pre-commit run --all-files` (OCA's 18.0 hooks, see
#    .pre-commit-config.yaml) - no Odoo needed; each hook counts once;
# 2. when Odoo 18 is found (importable by $CC_PYTHON, or $ODOO_SRC, or a
#    .local/odoo clone left by the demo; never cloned here): in a private
#    PostgreSQL cluster, installs call_campaign in a fresh database with demo
#    data (cc_test_demo) and one without (cc_test_nodemo), running its tests
#    with Odoo's runner (the source of truth; pytest-odoo runs the same tests,
#    see README), then checks each log with checklog-odoo: an unexpected
#    WARNING or ERROR fails the run.
# Last line: "N passed, N failed".  Exit status non-zero on any failure.
#
# Env: CC_PYTHON (interpreter, default python3), ODOO_SRC, CC_PGPORT (55432),
#      CC_KEEP_DB=1 keeps the test databases, CC_TEST_HTTP_PORT (58069),
#      CC_TEST_TIMEOUT (seconds per Odoo run, default 1800).
set -euo pipefail

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

static=1
odoo=1
tags="/call_campaign"
nodemo=1
while [ $# -gt 0 ]; do
    case "$1" in
        --static-only) odoo=0 ;;
        --odoo-only) static=0 ;;
        --tags)
            [ $# -ge 2 ] || { echo "--tags needs a value" >&2; exit 2; }
            tags="$2"
            shift
            ;;
        --tags=*) tags="${1#--tags=}" ;;
        --no-nodemo) nodemo=0 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source=tools/odoo_env.sh
. "$(dirname "$0")/odoo_env.sh"
cd "$CC_ROOT"
cc_link_addon

NOT_FOUND_MSG="Odoo 18 not found: the Odoo test suite did NOT run"
total_passed=0
total_failed=0
odoo_missing=0

# Drop the test databases and stop the cluster if we started it (idempotent).
# shellcheck disable=SC2317  # also called by the EXIT trap
cleanup() {
    [ "$pg_in_use" = 1 ] || return 0
    pg_in_use=0
    if [ "${CC_KEEP_DB:-0}" != 1 ] && cc_pg_is_running; then
        for db in "${dbs[@]}"; do
            cc_db_drop "$db" 2>/dev/null || true
        done
    fi
    if [ "$CC_PG_STARTED" = 1 ]; then
        cc_pg_stop
    fi
}
pg_in_use=0
dbs=()

finish() {
    cleanup
    echo
    if [ "$odoo_missing" = 1 ]; then
        echo "$NOT_FOUND_MSG"
    fi
    echo "$total_passed passed, $total_failed failed"
    if [ "$total_failed" -gt 0 ]; then
        exit 1
    fi
    exit 0
}

# ----------------------------------------------------------------- static part
PRE_COMMIT_REQ="pre-commit==4.7.0"
CHECKLOG_REQ="checklog-odoo==1.0"
if [ "$static" = 1 ]; then
    echo "== static checks (pre-commit run --all-files)"
    if ! "$CC_PYTHON" -m pre_commit --version >/dev/null 2>&1; then
        cc_info "installing $PRE_COMMIT_REQ"
        cc_pip_install "$PRE_COMMIT_REQ"
    fi
    static_log="$CC_LOCAL/logs/pre-commit.log"
    mkdir -p "$CC_LOCAL/logs"
    set +e
    "$CC_PYTHON" -m pre_commit run --all-files --show-diff-on-failure --color never \
        2>&1 | tee "$static_log"
    pc_rc=${PIPESTATUS[0]}
    set -e
    sp=$(grep -cE '\.\.\.(Passed|\(no files to check\)Skipped)$' "$static_log" || true)
    sf=$(grep -cE '\.\.\.Failed$' "$static_log" || true)
    if [ "$pc_rc" != 0 ] && [ "$sf" = 0 ]; then
        echo "FAIL pre-commit exited with $pc_rc"
        sf=1
    fi
    total_passed=$((total_passed + sp))
    total_failed=$((total_failed + sf))
fi

[ "$odoo" = 1 ] || finish

# ------------------------------------------------------------------- Odoo part
echo "== Odoo test suite"
# shellcheck disable=SC2119  # no --allow-clone: the test command never clones
if ! cc_find_odoo; then
    odoo_missing=1
    echo "$NOT_FOUND_MSG"
    echo "(make \`$CC_PYTHON -c 'import odoo'\` work with Odoo 18, or set ODOO_SRC to an Odoo 18 source tree)"
    if [ "$static" = 0 ]; then
        total_failed=$((total_failed + 1))
    fi
    finish
fi
cc_info "Odoo 18 found ($CC_ODOO_MODE${CC_ODOO_SRC:+: $CC_ODOO_SRC})"

if ! command -v checklog-odoo >/dev/null 2>&1 \
    && ! (cd "$CC_LOCAL" && "$CC_PYTHON" -c 'import checklog_odoo' 2>/dev/null); then
    cc_info "installing $CHECKLOG_REQ"
    cc_pip_install "$CHECKLOG_REQ"
fi
if ! (cd "$CC_LOCAL" && "$CC_PYTHON" -c 'import websocket' 2>/dev/null); then
    cc_info "installing websocket-client (Odoo browser tests)"
    cc_pip_install websocket-client || cc_info "could not install websocket-client"
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1; then
    cc_info "no Chromium on PATH: browser (tour) tests will be skipped by Odoo"
fi

trap cleanup EXIT
trap 'exit 130' INT TERM

pg_in_use=1
cc_pg_start
cc_write_odoo_conf
mkdir -p "$CC_LOGS"
http_port="${CC_TEST_HTTP_PORT:-58069}"
run_timeout="${CC_TEST_TIMEOUT:-1800}"

run_suite() {
    local db="$1"
    shift
    local log="$CC_LOGS/$db.log"
    dbs+=("$db")
    cc_db_drop "$db"
    echo "-- $db: odoo -i $CC_MODULE --test-tags $tags $*  (log: ${log#"$CC_ROOT"/})"
    local -a limit=()
    if command -v timeout >/dev/null 2>&1; then
        limit=(timeout --kill-after=30 "$run_timeout")
    fi
    set +e
    "${limit[@]}" "$CC_PYTHON" -m odoo -c "$CC_ODOO_CONF" -d "$db" -i "$CC_MODULE" \
        --test-enable --test-tags "$tags" --stop-after-init --log-level=test \
        --http-port "$http_port" --http-interface 127.0.0.1 --max-cron-threads 0 \
        "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" = 124 ] && [ "${#limit[@]}" -gt 0 ]; then
        echo "$db: odoo was stopped after $run_timeout s (CC_TEST_TIMEOUT)"
    fi
    # Odoo's runner: "N failed, N error(s) of N tests when loading database"
    local line p=0 f=0 tests failed errors
    line="$(grep -E 'odoo\.tests\.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" \
        | tail -n 1 || true)"
    if [ -n "$line" ]; then
        read -r failed errors tests < <(echo "$line" \
            | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/')
        f=$((failed + errors))
        p=$((tests - f))
        echo "$db: $tests tests, $p passed, $f failed"
    else
        echo "FAIL $db: no test result in the log (odoo exited with $rc)"
        f=1
    fi
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "FAIL $db: odoo exited with $rc"
        f=1
    fi
    # an unexpected WARNING or ERROR anywhere in the install or test log
    if "$CC_PYTHON" -m checklog_odoo --no-echo "$log"; then
        echo "$db: log clean (checklog-odoo)"
        p=$((p + 1))
    else
        echo "FAIL $db: unexpected warnings or errors in the log (checklog-odoo, above)"
        f=$((f + 1))
    fi
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    if [ "${CC_KEEP_DB:-0}" != 1 ]; then
        cc_db_drop "$db"
    fi
}

run_suite cc_test_demo
if [ "$nodemo" = 1 ]; then
    run_suite cc_test_nodemo --without-demo=all
fi

finish
