#!/usr/bin/env bash
# Sets up everything the portal needs on a Debian/Ubuntu machine, or checks that it is there.
# Safe to run again and again: on a machine that is already set up it changes nothing and prints
# one line.
#
#   scripts/setup.sh                 system libraries, .venv, PostgreSQL, Redis
#   scripts/setup.sh --test          also Chromium and poppler-utils, for the test suite
#   scripts/setup.sh --migrate       also apply the database migrations
#   scripts/setup.sh --no-services   only system libraries and .venv (lint, check-deploy)
#
# PostgreSQL and Redis: a service named by DATABASE_URL / REDIS_URL is only checked. Without those
# variables the local one on 127.0.0.1 is used if it runs, started if installed, installed (as
# root) if missing. A running PostgreSQL or Redis is never stopped or restarted.
#
# Two database roles: with DATABASE_OWNER_URL set, DATABASE_URL is the application's role. The
# database is prepared as DATABASE_ADMIN_URL (default: user postgres on the owner's server), which
# creates both roles (`manage.py database_roles create`); migrations run as the owner, which then
# grants the application role its rights (insert-only on the audit log).
#
# Environment: PYTHON (interpreter for a new .venv), SETUP_SKIP_APT=1 (do not check Debian
# packages), SETUP_WAIT_SECONDS (how long to wait for a service, default 30).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT_DIR=$(pwd)
VENV="$ROOT_DIR/.venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.setup-stamp"
SETUP_LOG="$ROOT_DIR/var/log/setup.log"
WAIT_SECONDS="${SETUP_WAIT_SECONDS:-30}"
export SETUP_WAIT_SECONDS="$WAIT_SECONDS" # read by the Python helpers below

DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/procurement"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379/0"

WANT_TEST=0
WANT_MIGRATE=0
WANT_SERVICES=1

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

for arg in "$@"; do
    case "$arg" in
        --test) WANT_TEST=1 ;;
        --migrate) WANT_MIGRATE=1 ;;
        --no-services) WANT_SERVICES=0 ;;
        -h | --help) usage; exit 0 ;;
        *) printf 'setup: unknown option %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
    esac
done
if [ "$WANT_MIGRATE" -eq 1 ] && [ "$WANT_SERVICES" -eq 0 ]; then
    printf 'setup: --migrate needs the database; it cannot be combined with --no-services\n' >&2
    exit 2
fi

mkdir -p "$ROOT_DIR/var/log" "$ROOT_DIR/var/media"
: >"$SETUP_LOG"

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

SUMMARY=()

say() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: warning: %s\n' "$*" >&2; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

# Runs a noisy command with its output kept in var/log/setup.log; on failure shows the last lines.
run_logged() {
    local out rc
    out=$(mktemp)
    if "$@" >"$out" 2>&1; then
        cat "$out" >>"$SETUP_LOG"
        rm -f "$out"
        return 0
    else
        rc=$?
    fi
    cat "$out" >>"$SETUP_LOG"
    printf 'setup: error: this command failed (exit %s): %s\n' "$rc" "$*" >&2
    printf '%s\n' '----- last lines of its output (all of it is in var/log/setup.log) -----' >&2
    tail -n 40 "$out" >&2
    rm -f "$out"
    exit "$rc"
}

# --------------------------------------------------------------------------------------------
# Debian packages
# --------------------------------------------------------------------------------------------

APT_UPDATED=0

have_dpkg() { command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; }

pkg_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [[ "$status" == *"ok installed"* ]]
}

# Installs the given packages as root; as anyone else prints the command to run and stops.
apt_install() {
    if [ "$IS_ROOT" -ne 1 ]; then
        die "missing system packages: $*
  Install them, then run this again:
    sudo apt-get update && sudo apt-get install -y $*"
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        run_logged apt-get update -q
        APT_UPDATED=1
    fi
    say "installing $* (apt-get)"
    run_logged apt-get install -y -q "$@"
}

ensure_system_packages() {
    # WeasyPrint (PDFs) needs Pango; python-magic needs libmagic; Noto CJK renders Hangul where
    # the KRDS web font is not embedded.
    local wanted=(libpango-1.0-0 libpangoft2-1.0-0 libmagic1 fonts-noto-cjk)
    # Browser tests drive Debian's Chromium (Playwright cannot download its own here); the PDF
    # tests read documents back with pdftotext.
    if [ "$WANT_TEST" -eq 1 ]; then
        wanted+=(chromium poppler-utils)
    fi
    if [ "${SETUP_SKIP_APT:-0}" = 1 ]; then
        return
    fi
    if ! have_dpkg; then
        warn "not a Debian-like system: make sure these (or your system's equivalents) are installed: ${wanted[*]}"
        return
    fi
    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# --------------------------------------------------------------------------------------------
# Virtualenv
# --------------------------------------------------------------------------------------------

python_ok() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' 2>/dev/null; }

pick_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    if [ -x "$VPY" ] && python_ok "$VPY"; then
        :
    else
        local py
        py=$(pick_python) || die "Python 3.11 or 3.12 is needed (pyproject.toml); none found on PATH. Set PYTHON=/path/to/python3.11 to choose one."
        # Debian splits venv/ensurepip off into python3-venv.
        if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            if have_dpkg && [[ "$(readlink -f "$py")" == /usr/bin/* ]]; then
                apt_install python3-venv
            else
                die "$py has no venv/ensurepip module; install it (Debian: apt-get install python3-venv)"
            fi
        fi
        say "creating .venv with $py ($("$py" -c 'import platform; print(platform.python_version())'))"
        run_logged "$py" -m venv --clear "$VENV"
        rm -f "$STAMP"
    fi

    # Reinstall only when pyproject.toml (or the interpreter) changed since the last install.
    local want
    want=$("$VPY" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest(), sys.version.split()[0])')
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
        SUMMARY+=(".venv up to date")
        return
    fi
    say "installing Python packages into .venv (pip install -e '.[dev]'; a few minutes the first time)"
    run_logged "$VPY" -m pip install --disable-pip-version-check --progress-bar off --upgrade pip
    run_logged "$VPY" -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]'
    printf '%s\n' "$want" >"$STAMP"
    SUMMARY+=(".venv installed")
}

# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------

# pg_tool ACTION URL: reads the URL the way the settings do (django-environ) so that the check
# uses exactly the connection Django will use.
#   reachable  exit 0 when something accepts connections at the URL's host/port (or socket)
#   ensure-db  wait up to SETUP_WAIT_SECONDS, then create the URL's database when missing
#              exit 0 ok (prints "created" or "exists"), 2 unreachable, 3 authentication refused
pg_tool() {
    "$VPY" - "$@" <<'PY'
import os
import socket
import sys
import time

import environ

action, url = sys.argv[1], sys.argv[2]
cfg = environ.Env.db_url_config(url)
host = cfg.get("HOST") or ""
port = int(cfg.get("PORT") or 5432)


def reachable():
    try:
        if not host or host.startswith("/"):
            path = os.path.join(host or "/var/run/postgresql", f".s.PGSQL.{port}")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(2)
            sock.connect(path)
            sock.close()
        else:
            socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


if action == "reachable":
    sys.exit(0 if reachable() else 2)

deadline = time.monotonic() + float(os.environ.get("SETUP_WAIT_SECONDS", "30"))
while not reachable():
    if time.monotonic() > deadline:
        sys.exit(2)
    time.sleep(1)

import psycopg2  # noqa: E402
from psycopg2 import sql  # noqa: E402

params = {"user": cfg.get("USER"), "password": cfg.get("PASSWORD"), "host": host, "port": port}
params = {k: v for k, v in params.items() if v not in (None, "")}
params.update(cfg.get("OPTIONS") or {})
params["connect_timeout"] = 5
AUTH_WORDS = ("password authentication failed", "no password supplied", "peer authentication failed",
              "ident authentication failed", "no pg_hba.conf entry")


def connect(dbname):
    # A server that has just started may still refuse with "starting up"; retry until the deadline.
    while True:
        try:
            return psycopg2.connect(dbname=dbname, **params)
        except psycopg2.OperationalError as exc:
            text = str(exc).strip()
            if any(word in text.lower() for word in AUTH_WORDS):
                print(text, file=sys.stderr)
                sys.exit(3)
            if "does not exist" in text or time.monotonic() > deadline:
                raise
            time.sleep(1)


name = cfg["NAME"]
try:
    connect(name).close()
    print("exists")
    sys.exit(0)
except psycopg2.OperationalError as exc:
    # Only a missing database is ours to fix; a missing role or anything else is reported.
    if f'database "{name}" does not exist' not in str(exc):
        print(str(exc).strip(), file=sys.stderr)
        sys.exit(1)

errors = []
for maintenance_db in ("postgres", "template1"):
    try:
        conn = connect(maintenance_db)
        break
    except psycopg2.OperationalError as exc:
        errors.append(str(exc).strip())
else:
    print(f"cannot connect to create database {name}: " + " / ".join(errors), file=sys.stderr)
    sys.exit(1)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print("created")
    else:
        print("exists")
conn.close()
PY
}

# "VERSION CLUSTER" of the local cluster on port 5432 (Debian's postgresql-common), or nothing.
local_pg_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 { print $1, $2; exit }'
}

start_local_postgres() {
    local cluster version name
    cluster=$(local_pg_cluster)
    if [ -n "$cluster" ]; then
        read -r version name <<<"$cluster"
    elif [ -d /etc/postgresql ]; then
        version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
        name=main
    fi
    [ -n "${version:-}" ] || die "PostgreSQL is installed but no cluster was found (pg_lsclusters shows none)."
    if [ "$IS_ROOT" -ne 1 ]; then
        die "PostgreSQL $version/$name is installed but not running. Start it with:
    sudo pg_ctlcluster --skip-systemctl-redirect $version $name start
  or use the Docker stack instead: docker compose up"
    fi
    say "starting PostgreSQL $version/$name"
    run_logged pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
}

# A freshly installed Debian PostgreSQL accepts TCP logins only with a password (scram/md5) and
# socket logins only as the matching system user (peer). The portal's default DATABASE_URL logs in
# over TCP as "postgres" without a password, like the development machines it was built on. Making
# only the database with `su postgres -c createdb` would not help: Django still could not log in.
# Setting a password would have to be copied into everyone's DATABASE_URL. So, on the local
# development cluster only, and only when that login is refused, this trusts TCP connections
# from the loopback addresses (nothing from the network) and reloads the server, which keeps
# it running. Production sets DATABASE_URL with a password, and this never runs then.
allow_local_trust() {
    local cluster version name hba tmp marker
    marker="# procurement-portal scripts/setup.sh: local development trusts loopback TCP"
    cluster=$(local_pg_cluster)
    [ -n "$cluster" ] || return 1
    read -r version name <<<"$cluster"
    hba="/etc/postgresql/$version/$name/pg_hba.conf"
    [ -f "$hba" ] || return 1
    if grep -qF "$marker" "$hba"; then
        return 1
    fi
    say "PostgreSQL refused the passwordless login; adding loopback 'trust' lines to $hba (local development only)"
    tmp=$(mktemp)
    # pg_hba.conf takes the first matching line, so the trust lines go before the first rule.
    awk -v block="$marker\nhost    all    all    127.0.0.1/32    trust\nhost    all    all    ::1/128         trust" '
        !done && /^[[:space:]]*[^#[:space:]]/ { print block; done = 1 }
        { print }
        END { if (!done) print block }
    ' "$hba" >"$tmp"
    cat "$tmp" >"$hba" # keeps the file's owner and mode
    rm -f "$tmp"
    run_logged pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload
}

ensure_database() {
    local url rc result
    if [ -n "${DATABASE_URL:-}" ]; then
        url="$DATABASE_URL"
        rc=0
        result=$(pg_tool ensure-db "$url") || rc=$?
        case "$rc" in
            0) ;;
            2) die "PostgreSQL at DATABASE_URL does not answer (waited ${WAIT_SECONDS}s). Start it, or unset DATABASE_URL to use a local one." ;;
            3) die "PostgreSQL at DATABASE_URL refused the login (see the message above). Check the user and password in DATABASE_URL." ;;
            *) die "could not prepare the database named in DATABASE_URL (see the message above)." ;;
        esac
    else
        url="$DEFAULT_DATABASE_URL"
        if ! pg_tool reachable "$url"; then
            if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls -A /etc/postgresql)" ]; then
                start_local_postgres
            elif [ "$IS_ROOT" -eq 1 ] && have_dpkg; then
                apt_install postgresql
                # The package usually starts its new cluster; start it if it did not.
                pg_tool reachable "$url" || start_local_postgres
            else
                die "no PostgreSQL answers on 127.0.0.1:5432 and none is installed.
  Install one (Debian/Ubuntu: sudo apt-get install -y postgresql) and run this again,
  point DATABASE_URL at an existing server, or use the Docker stack instead: docker compose up"
            fi
        fi
        rc=0
        result=$(pg_tool ensure-db "$url") || rc=$?
        if [ "$rc" -eq 3 ] && [ "$IS_ROOT" -eq 1 ] && allow_local_trust; then
            rc=0
            result=$(pg_tool ensure-db "$url") || rc=$?
        fi
        case "$rc" in
            0) ;;
            2) die "PostgreSQL on 127.0.0.1:5432 did not come up within ${WAIT_SECONDS}s (its log is in /var/log/postgresql/)." ;;
            3) die "PostgreSQL on 127.0.0.1:5432 refused user postgres without a password.
  For local development add these lines at the top of pg_hba.conf and reload PostgreSQL:
    host all all 127.0.0.1/32 trust
    host all all ::1/128 trust
  or set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/procurement" ;;
            *) die "could not prepare the database (see the message above)." ;;
        esac
    fi
    local dbname
    dbname=$("$VPY" -c 'import sys, environ; print(environ.Env.db_url_config(sys.argv[1])["NAME"])' "$url")
    if [ "$result" = created ]; then
        SUMMARY+=("PostgreSQL: created database $dbname")
    else
        SUMMARY+=("PostgreSQL: database $dbname")
    fi
}

# --------------------------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------------------------

# redis_ping URL [WAIT_SECONDS]: exit 0 when the server answers PING, 2 when nothing answers,
# 3 when it answers but refuses (wrong password, TLS, ...).
redis_ping() {
    "$VPY" - "$1" "${2:-0}" <<'PY'
import sys
import time

import redis

url, wait = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + wait
while True:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        sys.exit(0)
    except redis.AuthenticationError as exc:  # a subclass of ConnectionError: check it first
        print(exc, file=sys.stderr)
        sys.exit(3)
    except (redis.ConnectionError, redis.TimeoutError):
        if time.monotonic() >= deadline:
            sys.exit(2)
    except redis.RedisError as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
    time.sleep(1)
PY
}

start_local_redis() {
    say "starting Redis on 127.0.0.1:6379 (keeps nothing on disk)"
    run_logged redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
}

ensure_redis() {
    local rc=0
    if [ -n "${REDIS_URL:-}" ]; then
        redis_ping "$REDIS_URL" "$WAIT_SECONDS" || rc=$?
        case "$rc" in
            0) ;;
            2) die "Redis at REDIS_URL does not answer (waited ${WAIT_SECONDS}s). Start it, or unset REDIS_URL to use a local one." ;;
            *) die "Redis at REDIS_URL answered but refused (see the message above). Check REDIS_URL." ;;
        esac
        SUMMARY+=("Redis: REDIS_URL")
        return
    fi
    redis_ping "$DEFAULT_REDIS_URL" || rc=$?
    case "$rc" in
        0) SUMMARY+=("Redis: 127.0.0.1:6379"); return ;;
        2) ;;
        *) die "something answers on 127.0.0.1:6379 but refuses PING (see above): set REDIS_URL to reach it, or free the port." ;;
    esac
    if ! command -v redis-server >/dev/null 2>&1; then
        if [ "$IS_ROOT" -eq 1 ] && have_dpkg; then
            apt_install redis-server
        else
            die "no Redis answers on 127.0.0.1:6379 and redis-server is not installed.
  Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) and run this again,
  point REDIS_URL at an existing server, or use the Docker stack instead: docker compose up"
        fi
    fi
    # The Debian package may have started its own server; start ours only if nothing answers.
    redis_ping "$DEFAULT_REDIS_URL" 2 || start_local_redis
    rc=0
    redis_ping "$DEFAULT_REDIS_URL" "$WAIT_SECONDS" || rc=$?
    if [ "$rc" -ne 0 ]; then
        die "Redis on 127.0.0.1:6379 did not come up within ${WAIT_SECONDS}s (is the port taken by something else?)."
    fi
    SUMMARY+=("Redis: 127.0.0.1:6379")
}

# --------------------------------------------------------------------------------------------

ensure_system_packages
ensure_venv
ADMIN_URL=""
if [ -n "${DATABASE_OWNER_URL:-}" ]; then
    ADMIN_URL="${DATABASE_ADMIN_URL:-$("$VPY" -c 'import sys
from urllib.parse import urlsplit, urlunsplit
u = urlsplit(sys.argv[1])
print(urlunsplit(u._replace(netloc="postgres@" + u.netloc.rpartition("@")[2])))' "$DATABASE_OWNER_URL")}"
fi
if [ "$WANT_SERVICES" -eq 1 ]; then
    if [ -z "$ADMIN_URL" ]; then
        ensure_database
    elif [ "$ADMIN_URL" = "$DEFAULT_DATABASE_URL" ]; then
        DATABASE_URL="" ensure_database # the local server: started or installed where needed
    else
        DATABASE_URL="$ADMIN_URL" ensure_database
    fi
    ensure_redis
fi
if [ "$WANT_MIGRATE" -eq 1 ]; then
    if [ -n "$ADMIN_URL" ]; then
        say "preparing the owner and application roles, applying migrations as the owner"
        DATABASE_APP_URL="$DATABASE_URL" DATABASE_URL="$ADMIN_URL" "$VPY" manage.py database_roles create >/dev/null
        DATABASE_URL="$DATABASE_OWNER_URL" "$VPY" manage.py migrate --noinput --verbosity 0
        DATABASE_APP_URL="$DATABASE_URL" DATABASE_URL="$DATABASE_OWNER_URL" "$VPY" manage.py database_roles grant >/dev/null
        SUMMARY+=("migrations applied as the owner role, application role granted")
    else
        say "applying migrations"
        "$VPY" manage.py migrate --noinput --verbosity 0
        SUMMARY+=("migrations applied")
    fi
fi

summary=$(printf '%s, ' "${SUMMARY[@]}")
say "ready (${summary%, })"
