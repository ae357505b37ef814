#!/usr/bin/env bash
# Runs the browser tours N times in a row, optionally with CPU hogs beside
# them, to prove they do not flake.
#
#   tools/tours_stress.sh [--runs N] [--busy K]
#
# Installs call_campaign with demo data in a database of the private cluster
# (cc_tours), then runs the tour tests N times with pytest-odoo; with
# --busy K, K processes spin on the CPU meanwhile. Prints one line per run
# and "N passed, N failed" (runs). Needs Odoo 18, as tools/test.sh; installs
# pytest-odoo, websocket-client and Chromium when they are missing.
set -euo pipefail

runs=10
busy=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift ;;
        --busy) busy="$2"; shift ;;
        -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source=tools/odoo_env.sh
. "$(dirname "$0")/odoo_env.sh"
cd "$CC_ROOT"
cc_link_addon
cc_find_odoo || cc_die "Odoo 18 not found"
# what the runs need beside Odoo, at the pins of test-requirements.txt
pin() { grep -E "^$1([=<>~ ]|$)" "$CC_ROOT/test-requirements.txt" | head -n 1; }
if ! (cd "$CC_LOCAL" && "$CC_PYTHON" -c 'import pytest_odoo' 2>/dev/null); then
    cc_info "installing $(pin pytest-odoo)"
    cc_pip_install "$(pin pytest-odoo)" || cc_die "could not install pytest-odoo"
fi
if ! (cd "$CC_LOCAL" && "$CC_PYTHON" -c 'import websocket' 2>/dev/null); then
    cc_info "installing websocket-client (Odoo browser tests)"
    cc_pip_install websocket-client || cc_die "could not install websocket-client"
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1; then
    cc_apt_install chromium || cc_die "no Chromium on PATH: the tours cannot run"
fi
cc_pg_start
cc_write_odoo_conf
db=cc_tours
hogs=()
cleanup() {
    for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
    cc_db_drop "$db" 2>/dev/null || true
    if [ "$CC_PG_STARTED" = 1 ]; then cc_pg_stop; fi
}
trap cleanup EXIT

cc_db_drop "$db"
"$CC_PYTHON" -m odoo -c "$CC_ODOO_CONF" -d "$db" -i "$CC_MODULE" --stop-after-init \
    --log-level=warn >"$CC_LOGS/$db-install.log" 2>&1 || cc_die "install failed"

for _ in $(seq "$busy"); do
    "$CC_PYTHON" -c 'while True: pass' &
    hogs+=($!)
done
passed=0
failed=0
for run in $(seq "$runs"); do
    start=$(date +%s)
    if "$CC_PYTHON" -m pytest -q --odoo-config="$CC_ODOO_CONF" --odoo-database="$db" \
        tests/test_call_campaign_tour.py >"$CC_LOGS/$db-run$run.log" 2>&1; then
        passed=$((passed + 1))
        echo "run $run: passed ($(($(date +%s) - start)) s, $busy CPU hogs)"
    else
        failed=$((failed + 1))
        echo "run $run: FAILED ($(($(date +%s) - start)) s), see .local/logs/$db-run$run.log"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
