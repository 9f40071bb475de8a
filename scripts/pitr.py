#!/usr/bin/env python3
"""Base backups and point-in-time restore of the portal's PostgreSQL (`make backup`, `make restore`).

    python scripts/pitr.py archive-command           # what to set as the server's archive_command
    python scripts/pitr.py enable-archiving          # ALTER SYSTEM archive_mode/archive_command (then restart it)
    python scripts/pitr.py backup                    # a base backup into $BACKUP_DIR/base/<UTC time>/
    python scripts/pitr.py restore --target-time T --into DIR [--port P] [--start]

A restore never touches the running server: it builds a new data directory from the newest base
backup finished before T and the archived WAL up to T, and (with --start) starts it, promoted, on
its own port; switching the portal over is the operator's step (README: Backup and restore).

Settings come from the environment: BACKUP_DATABASE_URL (a superuser or a role with REPLICATION;
default DATABASE_ADMIN_URL, then DATABASE_URL), BACKUP_DIR (default var/backup; `wal/` in it must
be where the server's archive_command copies WAL, so on the database host). The PostgreSQL client
and server programs are Debian's (/usr/lib/postgresql/<version>/bin). Run as root, the restored
folder is given to the `postgres` user and the server runs as that user.
"""

import argparse
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else (shutil.which(name) or name)


def database_url() -> str:
    for name in ("BACKUP_DATABASE_URL", "DATABASE_ADMIN_URL", "DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return "postgres://postgres@127.0.0.1:5432/procurement"


def backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR", ROOT / "var" / "backup")).resolve()


def libpq_url(url: str) -> str:
    """pg_basebackup and psql take a libpq URI; django-environ's `postgres://` is one already."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


def sql(url: str, query: str) -> str:
    """One value from psql (no Python driver needed: this script runs outside the virtualenv too)."""
    out = subprocess.run(
        [pg_bin("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", libpq_url(url), "-c", query],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def archive_command(archive: Path) -> str:
    return f"test ! -f {archive}/%f && cp %p {archive}/%f"


def as_postgres() -> dict:
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def give_to_postgres(path: Path) -> None:
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam("postgres")
    for item in [path, *path.rglob("*")]:
        os.chown(item, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def cmd_archive_command(args) -> int:
    print(archive_command(backup_dir() / "wal"))
    return 0


def cmd_enable_archiving(args) -> int:
    url, archive = database_url(), backup_dir() / "wal"
    archive.mkdir(parents=True, exist_ok=True)
    give_to_postgres(archive)
    sql(url, "ALTER SYSTEM SET wal_level = 'replica'")
    sql(url, "ALTER SYSTEM SET archive_mode = 'on'")
    sql(url, f"ALTER SYSTEM SET archive_command = '{archive_command(archive)}'")
    sql(url, "SELECT pg_reload_conf()")
    if sql(url, "SHOW archive_mode") != "on":
        print("archive_command is set; archive_mode takes effect when PostgreSQL restarts: restart it, then back up.")
        return 3
    print(f"WAL is archived into {archive}.")
    return 0


def cmd_backup(args) -> int:
    url, root = database_url(), backup_dir()
    if not args.no_wal_check:
        mode, command = sql(url, "SHOW archive_mode"), sql(url, "SHOW archive_command")
        if mode != "on" or not command or command == "(disabled)":
            print(
                "WAL archiving is off: a base backup alone restores only to the moment it was taken.\n"
                f"Set archive_mode = on and archive_command = '{archive_command(root / 'wal')}' on the server "
                "(`python scripts/pitr.py enable-archiving`, then restart PostgreSQL), or pass --no-wal-check.",
                file=sys.stderr,
            )
            return 2
    started = sql(url, "SELECT clock_timestamp()")
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = root / "base" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pg_bin("pg_basebackup"), "-d", libpq_url(url), "-D", str(target), "-X", "fetch", "--checkpoint=fast",
         "-Fp", "--no-sync" if args.no_sync else "--progress"],
        check=True,
    )  # fmt: skip
    # Close the current WAL segment so that everything up to now reaches the archive promptly.
    sql(url, "SELECT pg_switch_wal()")
    finished = sql(url, "SELECT clock_timestamp()")
    server = urlparse(url)
    meta = {"started_at": started, "finished_at": finished, "server": f"{server.hostname}:{server.port or 5432}"}
    (target / "backup_meta.json").write_text(json.dumps(meta, indent=2))
    print(f"Base backup {target} ({meta['finished_at']}).")
    return 0


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace(" ", "T"))
    if moment.tzinfo is None:
        raise SystemExit("Give the target time with its zone, e.g. 2026-12-01T10:00:00+09:00.")
    return moment


def cmd_restore(args) -> int:
    root, target_time = backup_dir(), _parse_time(args.target_time)
    bases = []
    for meta_file in sorted((root / "base").glob("*/backup_meta.json")):
        finished = _parse_time(json.loads(meta_file.read_text())["finished_at"])
        if finished <= target_time:
            bases.append((finished, meta_file.parent))
    if not bases:
        print(f"No base backup in {root / 'base'} finished before {target_time.isoformat()}.", file=sys.stderr)
        return 2
    base = max(bases)[1]
    into = Path(args.into).resolve()
    if into.exists() and any(into.iterdir()):
        print(f"{into} is not empty: a restore never overwrites a data directory.", file=sys.stderr)
        return 2
    shutil.copytree(base, into, dirs_exist_ok=True)
    (into / "backup_meta.json").unlink()
    for leftover in ("postmaster.pid", "postmaster.opts"):
        (into / leftover).unlink(missing_ok=True)
    wal = root / "wal"
    settings = [
        "",
        f"# point-in-time restore from {base.name} (scripts/pitr.py)",
        f"restore_command = 'cp {wal}/%f %p'",
        f"recovery_target_time = '{target_time.isoformat()}'",
        "recovery_target_action = 'promote'",
        # The copy must not archive into the original's WAL archive (another timeline of the same server).
        "archive_mode = 'off'",
    ]
    if args.port:
        settings += [f"port = {args.port}", f"unix_socket_directories = '{into}'"]
    with open(into / "postgresql.auto.conf", "a") as conf:
        conf.write("\n".join(settings) + "\n")
    (into / "recovery.signal").touch()
    into.chmod(0o700)
    give_to_postgres(into)
    print(f"Restored {base.name} into {into}; recovery replays WAL up to {target_time.isoformat()}.")
    if not args.start:
        print(f"Start it with: pg_ctl -D {into} start (as the postgres user).")
        return 0
    log = into.parent / f"{into.name}.log"
    subprocess.run(
        [pg_bin("pg_ctl"), "-D", str(into), "-l", str(log), "-w", "-t", "120", "start"], check=True, **as_postgres()
    )
    if args.port:
        url = f"postgres://postgres@127.0.0.1:{args.port}/postgres"
        deadline = time.monotonic() + 120
        while sql(url, "SELECT pg_is_in_recovery()") == "t":
            if time.monotonic() > deadline:
                print("Recovery did not finish within 120 s; see the log.", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"Promoted and serving on port {args.port}.")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("archive-command", help="print the archive_command for $BACKUP_DIR/wal")
    commands.add_parser("enable-archiving", help="turn WAL archiving on with ALTER SYSTEM (needs a superuser)")
    backup = commands.add_parser("backup", help="take a base backup into $BACKUP_DIR/base/")
    backup.add_argument("--no-wal-check", action="store_true", help="back up even if WAL archiving is off")
    backup.add_argument("--no-sync", action="store_true", help="do not fsync the copy (tests)")
    restore = commands.add_parser("restore", help="restore into a new data directory up to a moment")
    restore.add_argument("--target-time", required=True, help="ISO time with zone, e.g. 2026-12-01T10:00:00+09:00")
    restore.add_argument("--into", required=True, help="a new (empty or missing) data directory")
    restore.add_argument("--port", type=int, help="port of the restored server (default: the original's)")
    restore.add_argument("--start", action="store_true", help="start it and wait until it is promoted")
    args = parser.parse_args(argv)
    handler = {
        "archive-command": cmd_archive_command,
        "enable-archiving": cmd_enable_archiving,
        "backup": cmd_backup,
        "restore": cmd_restore,
    }[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
