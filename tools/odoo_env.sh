#!/usr/bin/env bash
# shellcheck disable=SC2034  # the CC_* variables are read by the sourcing scripts
# Shared helpers for tools/demo.sh and tools/test.sh.  Source it, do not run it.
#
# Locating Odoo 18 (cc_find_odoo):
#   a) the interpreter ($CC_PYTHON, default python3) can `import odoo` and it is 18.x;
#   b) else $ODOO_SRC names an Odoo 18 source tree (it has odoo-bin): it is put on
#      PYTHONPATH and its missing Python requirements are pip-installed;
#      a tree previously cloned into .local/odoo by the demo is used the same way;
#   c) else (only with --allow-clone, i.e. the demo) upstream 18.0 is cloned into
#      .local/odoo (shallow) and used as in b).
# The add-on is exposed to Odoo as `call_campaign` through the symlink
# .local/addons/call_campaign -> repo root.
#
# Private PostgreSQL cluster (cc_pg_start / cc_pg_stop): data in .local/pg, port
# $CC_PGPORT (default 55432), unix socket in the data dir, listening on 127.0.0.1
# only, trust authentication.  Odoo connects as role $CC_PGUSER (default odoo,
# created as needed: Odoo refuses to run as the `postgres` role).
#
# Environment knobs: CC_PYTHON, ODOO_SRC, CC_PGPORT, CC_PGUSER, CC_PGDATA,
# CC_ODOO_GIT_URL, CC_ODOO_BRANCH.

if [ -z "${BASH_VERSION:-}" ]; then
    echo "odoo_env.sh must be sourced from bash" >&2
    # shellcheck disable=SC2317
    return 1 2>/dev/null || exit 1
fi

CC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
CC_LOCAL="$CC_ROOT/.local"
CC_MODULE="call_campaign"
CC_PYTHON="${CC_PYTHON:-python3}"
CC_PGPORT="${CC_PGPORT:-55432}"
CC_PGUSER="${CC_PGUSER:-odoo}"
CC_PGDATA="${CC_PGDATA:-$CC_LOCAL/pg}"
CC_ODOO_GIT_URL="${CC_ODOO_GIT_URL:-https://github.com/odoo/odoo}"
CC_ODOO_BRANCH="${CC_ODOO_BRANCH:-18.0}"
CC_ODOO_CONF="$CC_LOCAL/odoo.conf"
CC_LOGS="$CC_LOCAL/logs"
CC_ODOO_MODE=""        # python | src | none
CC_ODOO_SRC=""         # source tree root when mode=src
CC_ADDONS_PATH=""      # comma separated, for --addons-path
CC_PG_STARTED=0        # 1 when cc_pg_start started the server itself
CC_PG_BINDIR=""
CC_PGSOCK=""
export CC_ROOT CC_LOCAL CC_MODULE CC_PYTHON

cc_info() { printf '[call_campaign] %s\n' "$*" >&2; }
cc_die() { printf '[call_campaign] ERROR: %s\n' "$*" >&2; exit 1; }
cc_is_root() { [ "$(id -u)" = "0" ]; }

# apt-get install, only when root and when apt-get exists.
cc_apt_install() {
    if ! cc_is_root || ! command -v apt-get >/dev/null 2>&1; then
        return 1
    fi
    cc_info "apt-get install $*"
    if [ -z "${CC_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
        CC_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

# pip install into $CC_PYTHON, quietly.
cc_pip_install() {
    "$CC_PYTHON" -m pip install -q --disable-pip-version-check "$@"
}

# .local/addons/call_campaign -> ../.. (the repo root), relative so the clone can move.
cc_link_addon() {
    mkdir -p "$CC_LOCAL/addons" "$CC_LOGS"
    local link="$CC_LOCAL/addons/$CC_MODULE"
    if [ ! -L "$link" ] || [ "$(readlink "$link")" != "../.." ]; then
        rm -rf "$link"
        ln -s ../.. "$link"
    fi
}

# ---------------------------------------------------------------------------
# Odoo
# ---------------------------------------------------------------------------

# Major version of the odoo importable by $CC_PYTHON (with the current PYTHONPATH).
_cc_python_odoo_major() {
    (cd "$CC_LOCAL" && "$CC_PYTHON" -c \
        'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) || true
}

# Major version of a source tree, read from odoo/release.py without importing odoo.
_cc_src_odoo_major() {
    local src="$1"
    [ -f "$src/odoo-bin" ] && [ -f "$src/odoo/release.py" ] || return 0
    "$CC_PYTHON" - "$src/odoo/release.py" <<'PY' 2>/dev/null || true
import sys
ns = {}
with open(sys.argv[1]) as f:
    exec(compile(f.read(), sys.argv[1], "exec"), ns)
print(ns["version_info"][0])
PY
}

# Use a source tree: PYTHONPATH + missing requirements.
_cc_use_src() {
    local src
    src="$(cd "$1" && pwd -P)"
    CC_ODOO_MODE=src
    CC_ODOO_SRC="$src"
    case ":${PYTHONPATH:-}:" in
        *":$src:"*) ;;
        *) export PYTHONPATH="$src${PYTHONPATH:+:$PYTHONPATH}" ;;
    esac
    if [ -f "$src/requirements.txt" ]; then
        "$CC_PYTHON" "$CC_ROOT/tools/odoo_requirements.py" --install "$src/requirements.txt" \
            || cc_die "could not install Odoo's Python requirements from $src/requirements.txt"
    fi
    if [ "$(_cc_python_odoo_major)" != "18" ]; then
        cc_die "the Odoo tree in $src does not import with $CC_PYTHON (see the errors above)"
    fi
}

# cc_find_odoo [--allow-clone]: sets CC_ODOO_MODE/CC_ODOO_SRC/CC_ADDONS_PATH.
# Returns 1 (mode none) when Odoo 18 cannot be found.
cc_find_odoo() {
    local allow_clone=0
    [ "${1:-}" = "--allow-clone" ] && allow_clone=1
    cc_link_addon
    CC_ODOO_MODE=none
    local major
    major="$(_cc_python_odoo_major)"
    if [ "$major" = "18" ]; then
        CC_ODOO_MODE=python
    elif [ -n "$major" ]; then
        cc_info "$CC_PYTHON imports Odoo $major, not 18: ignoring it"
    fi
    if [ "$CC_ODOO_MODE" = none ] && [ -n "${ODOO_SRC:-}" ]; then
        if [ "$(_cc_src_odoo_major "$ODOO_SRC")" = "18" ]; then
            cc_info "using the Odoo 18 source tree in \$ODOO_SRC ($ODOO_SRC)"
            _cc_use_src "$ODOO_SRC"
        else
            cc_info "\$ODOO_SRC ($ODOO_SRC) is not an Odoo 18 source tree (no odoo-bin or wrong version): ignoring it"
        fi
    fi
    if [ "$CC_ODOO_MODE" = none ] && [ "$(_cc_src_odoo_major "$CC_LOCAL/odoo")" = "18" ]; then
        cc_info "using the Odoo 18 clone in .local/odoo"
        _cc_use_src "$CC_LOCAL/odoo"
    fi
    if [ "$CC_ODOO_MODE" = none ] && [ "$allow_clone" = 1 ]; then
        command -v git >/dev/null 2>&1 || cc_apt_install git || cc_die "git is needed to clone Odoo"
        cc_info "Odoo 18 not found: cloning $CC_ODOO_GIT_URL ($CC_ODOO_BRANCH, depth 1) into .local/odoo"
        rm -rf "$CC_LOCAL/odoo.partial"
        git clone -q --depth 1 --branch "$CC_ODOO_BRANCH" "$CC_ODOO_GIT_URL" "$CC_LOCAL/odoo.partial" \
            || cc_die "git clone of $CC_ODOO_GIT_URL failed (set ODOO_SRC to an Odoo 18 source tree instead)"
        mv "$CC_LOCAL/odoo.partial" "$CC_LOCAL/odoo"
        _cc_use_src "$CC_LOCAL/odoo"
    fi
    [ "$CC_ODOO_MODE" != none ] || return 1
    local odoo_paths
    odoo_paths="$(cd "$CC_LOCAL" && "$CC_PYTHON" - <<'PY'
import os
import odoo
base = next(p for p in odoo.__path__ if os.path.isfile(os.path.join(p, "release.py")))
paths = [os.path.join(base, "addons"), os.path.join(os.path.dirname(base), "addons")]
print(",".join(os.path.realpath(p) for p in paths if os.path.isdir(p)))
PY
)" || cc_die "could not compute Odoo's addons path"
    CC_ADDONS_PATH="$odoo_paths,$CC_LOCAL/addons"
    export CC_ADDONS_PATH
    return 0
}

# Run the Odoo CLI: cc_odoo [subcommand] [options...]
cc_odoo() {
    "$CC_PYTHON" -m odoo "$@"
}

# Write .local/odoo.conf (db connection, addons path, data dir).  Needs cc_pg_start.
cc_write_odoo_conf() {
    mkdir -p "$CC_LOCAL/data"
    cat >"$CC_ODOO_CONF" <<EOF
; generated by tools/odoo_env.sh at each run, do not edit
[options]
addons_path = $CC_ADDONS_PATH
data_dir = $CC_LOCAL/data
db_host = $CC_PGSOCK
db_port = $CC_PGPORT
db_user = $CC_PGUSER
db_password = False
http_interface = 127.0.0.1
EOF
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

_cc_find_pg_bindir() {
    local d
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
        return 0
    fi
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

# Server binaries, installed with apt (postgresql-15) when missing and root.
cc_pg_ensure_binaries() {
    if CC_PG_BINDIR="$(_cc_find_pg_bindir)"; then
        return 0
    fi
    cc_info "PostgreSQL server binaries (initdb, pg_ctl) not found: installing postgresql-15"
    cc_apt_install postgresql-15 || cc_apt_install postgresql \
        || cc_die "PostgreSQL server binaries are missing; install postgresql-15 (initdb, pg_ctl)"
    CC_PG_BINDIR="$(_cc_find_pg_bindir)" || cc_die "initdb/pg_ctl still not found after installing PostgreSQL"
}

# Run a command as the cluster owner: `postgres` when we are root, else ourselves.
_cc_as_pg() {
    if cc_is_root; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            # shellcheck disable=SC2016  # expanded by the inner shell
            su postgres -s /bin/sh -c '"$0" "$@"' "$@"
        fi
    else
        "$@"
    fi
}

_cc_pg_ctl() { _cc_as_pg "$CC_PG_BINDIR/pg_ctl" -D "$CC_PGDATA" "$@"; }

# psql as superuser `postgres` over the private socket.
cc_psql() {
    local psql="$CC_PG_BINDIR/psql"
    [ -x "$psql" ] || psql="psql"
    "$psql" -X -q -v ON_ERROR_STOP=1 -h "$CC_PGSOCK" -p "$CC_PGPORT" -U postgres -d postgres "$@"
}

_cc_pg_paths() {
    local key
    key="$(printf '%s' "$CC_ROOT" | cksum | cut -d' ' -f1)"
    if cc_is_root; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql \
            --shell /bin/bash postgres 2>/dev/null || cc_die "there is no 'postgres' user to own the cluster"
        mkdir -p "$(dirname "$CC_PGDATA")"
        # The `postgres` user must be able to reach the data dir.
        if ! _cc_as_pg test -x "$(dirname "$CC_PGDATA")"; then
            CC_PGDATA="${TMPDIR:-/tmp}/call_campaign-pg-$key"
            cc_info "user postgres cannot reach .local: using $CC_PGDATA for the cluster"
        fi
    fi
    CC_PGSOCK="$CC_PGDATA"
    # unix socket paths are limited to 107 bytes
    if [ "$(printf '%s' "$CC_PGSOCK/.s.PGSQL.$CC_PGPORT" | wc -c)" -gt 100 ]; then
        CC_PGSOCK="${TMPDIR:-/tmp}/cc-pgsock-$key"
    fi
}

# Runtime settings, rewritten before each start (so the clone can move).
_cc_pg_write_runtime_conf() {
    local conf="$CC_PGDATA/call_campaign.conf" sock_escaped
    sock_escaped="${CC_PGSOCK//\'/\'\'}"
    local tmp
    tmp="$(mktemp)"
    cat >"$tmp" <<EOF
# written by tools/odoo_env.sh before each start
port = $CC_PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock_escaped'
max_connections = 100
# throw-away development cluster: durability is not needed
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    cat "$tmp" >"$conf"
    rm -f "$tmp"
    if cc_is_root; then chown postgres: "$conf"; fi
}

# Port the running server of our data dir listens on (line 4 of postmaster.pid).
_cc_pg_running_port() {
    sed -n 4p "$CC_PGDATA/postmaster.pid" 2>/dev/null || true
}

cc_pg_is_running() {
    [ -n "$CC_PG_BINDIR" ] || CC_PG_BINDIR="$(_cc_find_pg_bindir)" || return 1
    [ -f "$CC_PGDATA/PG_VERSION" ] || return 1
    _cc_pg_ctl status >/dev/null 2>&1
}

# Start (or reuse) the private cluster.  Sets CC_PG_STARTED=1 when it started it.
cc_pg_start() {
    cc_pg_ensure_binaries
    _cc_pg_paths
    mkdir -p "$CC_PGDATA" "$CC_PGSOCK" "$CC_LOGS"
    if cc_is_root; then chown postgres: "$CC_PGSOCK"; fi
    if [ ! -f "$CC_PGDATA/PG_VERSION" ]; then
        cc_info "initdb: private PostgreSQL cluster in ${CC_PGDATA#"$CC_ROOT"/}"
        if cc_is_root; then chown postgres: "$CC_PGDATA"; fi
        chmod 700 "$CC_PGDATA"
        _cc_as_pg "$CC_PG_BINDIR/initdb" -D "$CC_PGDATA" -U postgres --auth=trust \
            -E UTF8 --locale=C >"$CC_LOGS/initdb.log" 2>&1 \
            || { cat "$CC_LOGS/initdb.log" >&2; cc_die "initdb failed"; }
        echo "include_if_exists = 'call_campaign.conf'" >>"$CC_PGDATA/postgresql.conf"
    fi
    if cc_pg_is_running; then
        local port
        port="$(_cc_pg_running_port)"
        if [ -n "$port" ] && [ "$port" != "$CC_PGPORT" ]; then
            cc_info "the cluster is already running on port $port (not $CC_PGPORT): using it"
            CC_PGPORT="$port"
        fi
        cc_info "reusing the running PostgreSQL cluster (port $CC_PGPORT)"
        CC_PG_STARTED=0
    else
        _cc_pg_write_runtime_conf
        cc_info "starting PostgreSQL on 127.0.0.1:$CC_PGPORT (socket in ${CC_PGSOCK#"$CC_ROOT"/})"
        if ! _cc_pg_ctl -w -t 60 -l "$CC_PGDATA/server.log" start >/dev/null; then
            tail -n 20 "$CC_PGDATA/server.log" >&2 || true
            cc_die "PostgreSQL did not start (is port $CC_PGPORT already used? set CC_PGPORT)"
        fi
        CC_PG_STARTED=1
    fi
    # Role used by Odoo (Odoo refuses to connect as `postgres`).
    if [ "$(cc_psql -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$CC_PGUSER'")" != "1" ]; then
        cc_psql -c "CREATE ROLE \"$CC_PGUSER\" LOGIN SUPERUSER CREATEDB" >/dev/null
    fi
    export CC_PGPORT CC_PGSOCK CC_PGUSER
}

cc_pg_stop() {
    [ -n "$CC_PG_BINDIR" ] || CC_PG_BINDIR="$(_cc_find_pg_bindir)" || return 0
    [ -n "$CC_PGSOCK" ] || _cc_pg_paths
    if cc_pg_is_running; then
        cc_info "stopping PostgreSQL (pg_ctl stop -m fast)"
        _cc_pg_ctl -w -t 60 stop -m fast >/dev/null || cc_info "pg_ctl stop failed"
    fi
    CC_PG_STARTED=0
}

# A streaming replica of the private cluster, as a read scale-out would have
# it (the wallboard bench): a base backup of the primary in .local/pg_replica,
# started in hot standby on $CC_PG_REPLICA_PORT (default: primary port + 10).
cc_pg_replica_start() {
    cc_pg_start
    CC_PG_REPLICA_PORT="${CC_PG_REPLICA_PORT:-$((CC_PGPORT + 10))}"
    local data="$CC_LOCAL/pg_replica"
    cc_pg_replica_stop
    mkdir -p "$data"
    if cc_is_root; then chown postgres: "$data"; fi
    chmod 700 "$data"
    cc_info "pg_basebackup: streaming replica in ${data#"$CC_ROOT"/}, port $CC_PG_REPLICA_PORT"
    _cc_as_pg "$CC_PG_BINDIR/pg_basebackup" -D "$data" -h "$CC_PGSOCK" -p "$CC_PGPORT" \
        -U postgres -X stream -R -c fast >"$CC_LOGS/pg_basebackup.log" 2>&1 \
        || { cat "$CC_LOGS/pg_basebackup.log" >&2; cc_die "pg_basebackup failed"; }
    _cc_as_pg "$CC_PG_BINDIR/pg_ctl" -D "$data" -w -t 120 -l "$data/server.log" \
        -o "-p $CC_PG_REPLICA_PORT" start >/dev/null \
        || { tail -n 20 "$data/server.log" >&2; cc_die "the replica did not start"; }
    export CC_PG_REPLICA_PORT
}

cc_pg_replica_stop() {
    local data="$CC_LOCAL/pg_replica"
    [ -n "$CC_PG_BINDIR" ] || CC_PG_BINDIR="$(_cc_find_pg_bindir)" || return 0
    if [ -f "$data/PG_VERSION" ]; then
        _cc_as_pg "$CC_PG_BINDIR/pg_ctl" -D "$data" -w -t 60 stop -m fast >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
}

cc_db_exists() {
    [ "$(cc_psql -tA -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = "1" ]
}

# Drop a database and its filestore.
cc_db_drop() {
    local db="$1"
    if cc_db_exists "$db"; then
        cc_psql -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null
    fi
    rm -rf "$CC_LOCAL/data/filestore/$db"
}
