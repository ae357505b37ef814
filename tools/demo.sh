#!/usr/bin/env bash
# The demo command of the call_campaign add-on.
#
#   tools/demo.sh            serve the demo in the foreground (Ctrl-C stops it)
#   tools/demo.sh --detach   serve it in the background (or CC_DEMO_DETACH=1)
#   tools/demo.sh stop       stop a detached demo server and the cluster
#
# Starts (or reuses) the private PostgreSQL cluster in .local/pg, finds Odoo 18
# (importable by $CC_PYTHON, else $ODOO_SRC, else a shallow clone of upstream
# 18.0 into .local/odoo), creates database call_campaign_demo with
# call_campaign and its demo data (or updates the add-on when the database
# already exists), sets the login admin / password admin and serves it on
# http://localhost:${CC_HTTP_PORT:-8069}.
#
# Env: CC_PYTHON, ODOO_SRC, CC_HTTP_PORT (8069), CC_PGPORT (55432),
#      CC_DEMO_DB (call_campaign_demo), CC_DEMO_DETACH=1.
set -euo pipefail

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

action=serve
detach="${CC_DEMO_DETACH:-0}"
while [ $# -gt 0 ]; do
    case "$1" in
        stop) action=stop ;;
        --detach | -d) detach=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source=tools/odoo_env.sh
. "$(dirname "$0")/odoo_env.sh"
cd "$CC_ROOT"

DB="${CC_DEMO_DB:-call_campaign_demo}"
HTTP_PORT="${CC_HTTP_PORT:-8069}"
PIDFILE="$CC_LOCAL/demo.pid"
SERVER_LOG="$CC_LOGS/demo-server.log"
URL="http://localhost:$HTTP_PORT"

server_pid() {
    local pid
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
    fi
}

stop_server() {
    local pid
    pid="$(server_pid)"
    if [ -n "$pid" ]; then
        cc_info "stopping the demo server (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            cc_info "the server did not stop in 30 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE"
}

if [ "$action" = stop ]; then
    stop_server
    cc_pg_stop
    echo "demo stopped"
    exit 0
fi

mkdir -p "$CC_LOGS"
# A detached server from a previous run holds the port and the database: restart it.
if [ -n "$(server_pid)" ]; then
    cc_info "a demo server is already running: restarting it"
    stop_server
fi

port_free() {
    "$CC_PYTHON" - "$1" <<'PY'
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}
if ! port_free "$HTTP_PORT"; then
    cc_die "port $HTTP_PORT is already in use: stop what uses it or set CC_HTTP_PORT"
fi

cc_find_odoo --allow-clone
cc_info "Odoo 18 found ($CC_ODOO_MODE${CC_ODOO_SRC:+: $CC_ODOO_SRC})"
cc_pg_start
cc_write_odoo_conf

if [ "$detach" != 1 ]; then
    # foreground: stop the cluster when we leave (Ctrl-C included), if we started it
    on_exit() {
        if [ "$CC_PG_STARTED" = 1 ]; then
            cc_pg_stop
        fi
    }
    trap on_exit EXIT
    trap 'exit 130' INT TERM
fi

module_state() {
    cc_psql -d "$DB" -tA -c \
        "SELECT state FROM ir_module_module WHERE name = '$CC_MODULE'" 2>/dev/null || true
}

install_log="$CC_LOGS/demo-install.log"
if cc_db_exists "$DB" && [ "$(module_state)" = installed ]; then
    cc_info "database $DB exists: updating $CC_MODULE (-u), log in ${install_log#"$CC_ROOT"/}"
    init_args=(-u "$CC_MODULE")
else
    if cc_db_exists "$DB"; then
        cc_info "database $DB exists without $CC_MODULE installed: recreating it"
        cc_db_drop "$DB"
    fi
    cc_info "creating database $DB with $CC_MODULE and demo data (a few minutes)," \
        "log in ${install_log#"$CC_ROOT"/}"
    init_args=(-i "$CC_MODULE")
fi
if ! cc_odoo -c "$CC_ODOO_CONF" -d "$DB" "${init_args[@]}" --stop-after-init \
    --no-http --max-cron-threads 0 >"$install_log" 2>&1; then
    tail -n 40 "$install_log" >&2
    cc_die "installing/updating $CC_MODULE failed (see ${install_log#"$CC_ROOT"/})"
fi
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$install_log" >/dev/null; then
    cc_info "the install log has errors:"
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$install_log" | head -n 10 >&2
fi
if [ "$(module_state)" != installed ]; then
    cc_die "$CC_MODULE is not installed in $DB (see ${install_log#"$CC_ROOT"/})"
fi

# Demo credentials: admin / admin.
cc_odoo shell -c "$CC_ODOO_CONF" -d "$DB" --no-http --max-cron-threads 0 \
    --log-level=warn >"$CC_LOGS/demo-shell.log" 2>&1 <<'PY' || cc_die "could not set the admin password (see .local/logs/demo-shell.log)"
admin = env.ref("base.user_admin")
admin.write({"login": "admin", "password": "admin", "active": True})
env.cr.commit()
PY

serve_args=(-c "$CC_ODOO_CONF" -d "$DB" --db-filter "^${DB}\$"
    --http-interface 127.0.0.1 --http-port "$HTTP_PORT")

banner() {
    echo
    echo "  Call Campaigns demo: $URL"
    echo "  login: admin    password: admin    (database $DB)"
    echo
}

if [ "$detach" = 1 ]; then
    rm -f "$PIDFILE"
    nohup "$CC_PYTHON" -m odoo "${serve_args[@]}" --pidfile "$PIDFILE" \
        >"$SERVER_LOG" 2>&1 </dev/null &
    bg_pid=$!
    ready=0
    for _ in $(seq 1 120); do
        if ! kill -0 "$bg_pid" 2>/dev/null; then
            tail -n 30 "$SERVER_LOG" >&2
            cc_die "the demo server exited (port $HTTP_PORT busy? set CC_HTTP_PORT)"
        fi
        if "$CC_PYTHON" - "$URL/web/login" <<'PY' 2>/dev/null; then
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
            ready=1
            break
        fi
        sleep 1
    done
    [ -s "$PIDFILE" ] || echo "$bg_pid" >"$PIDFILE"
    if [ "$ready" != 1 ]; then
        cc_info "the server does not answer on $URL yet (see ${SERVER_LOG#"$CC_ROOT"/})"
    fi
    banner
    echo "  running in the background (pid $(cat "$PIDFILE"), log ${SERVER_LOG#"$CC_ROOT"/})"
    echo "  stop it with: tools/demo.sh stop"
    exit 0
fi

banner
echo "  Ctrl-C stops the server and the database cluster."
echo
cc_odoo "${serve_args[@]}" || true
