#!/usr/bin/env bash
# THE test command of the call_campaign add-on.
#
#   tools/test.sh [--static-only | --odoo-only] [--tags TEST_TAGS] [--no-nodemo]
#
# 1. static checks (tools/static_checks.py: manifest, data files, XML ids, view
#    fields, CSV, .po, ruff, pylint-odoo mandatory checks) - no Odoo needed;
# 2. when Odoo 18 is found (importable by $CC_PYTHON, or $ODOO_SRC, or a
#    .local/odoo clone left by the demo; never cloned here): in a private
#    PostgreSQL cluster, installs call_campaign in a fresh database with demo
#    data (cc_test_demo) and one without (cc_test_nodemo), running its tests.
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
if [ "$static" = 1 ]; then
    echo "== static checks"
    result_file="$CC_LOCAL/static_result.json"
    rm -f "$result_file"
    set +e
    "$CC_PYTHON" tools/static_checks.py --result-file "$result_file"
    set -e
    if [ -f "$result_file" ]; then
        read -r sp sf < <("$CC_PYTHON" -c \
            'import json,sys; d=json.load(open(sys.argv[1])); print(d["passed"], d["failed"])' \
            "$result_file")
    else
        echo "FAIL static-checks: tools/static_checks.py crashed"
        sp=0
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
    local summary
    summary="$("$CC_PYTHON" tools/odoo_log_summary.py "$log" "$db" \
        --module "$CC_MODULE" --exit-code "$rc")"
    echo "$summary" | grep -v '^RESULT ' || true
    local p f
    read -r _ p f < <(echo "$summary" | grep '^RESULT ' | tail -n 1)
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
