"""A private PostgreSQL cluster a test (or a bench drill) owns: it may stop, restart, back up and
restore it without touching the machine's own server.

Debian's `postgresql` package puts the server binaries under /usr/lib/postgresql/<version>/bin.
PostgreSQL refuses to run as root, so when we are root the cluster's folders belong to the
`postgres` user and every server program runs as that user.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg2


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} not found: install Debian's postgresql package")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres() -> dict:
    """Popen arguments that drop to the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        shutil.chown(path, entry.pw_uid, entry.pw_gid)
        for child in path.rglob("*"):
            os.chown(child, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


class PrivatePostgres:
    """One cluster in `root`/<name>; `archive` (a folder) turns on WAL archiving into it."""

    def __init__(self, root: Path, *, name: str = "data", archive: Path | None = None, port: int | None = None):
        self.root = Path(root)
        self.data = self.root / name
        self.archive = archive
        self.port = port or free_port()
        self.log = self.root / f"{name}.log"

    # -- life cycle ---------------------------------------------------------------------------
    def run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), check=check, capture_output=True, text=True, cwd=self.root, **_as_postgres(), **kwargs
        )

    def init(self) -> "PrivatePostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.archive is not None:
            self.archive.mkdir(parents=True, exist_ok=True)
        _chown(self.root)
        if self.archive is not None:
            _chown(self.archive)
        self.run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        lines = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.root}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "fsync = off",  # a test cluster: speed over crash safety of the test machine
            "full_page_writes = on",
        ]
        if self.archive is not None:
            lines += [
                "archive_mode = on",
                f"archive_command = 'test ! -f {self.archive}/%f && cp %p {self.archive}/%f'",
            ]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# private test cluster\n" + "\n".join(lines) + "\n")
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        return self

    def set_port(self, port: int) -> None:
        """A restored copy runs beside its original: give it its own port (last setting wins)."""
        self.port = port
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {port}\nunix_socket_directories = '{self.root}'\n")

    def start(self, timeout: int = 60) -> "PrivatePostgres":
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(timeout), "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def standby(self, name: str = "replica") -> "PrivatePostgres":
        """A streaming replica of this (running) cluster, started on its own port."""
        replica = PrivatePostgres(self.root, name=name)
        self.run(
            pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        with open(replica.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {replica.port}\narchive_mode = off\nhot_standby = on\n")
        return replica.start()

    # -- use ----------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)
        conn.autocommit = True
        return conn

    def sql(self, query: str, params=None, dbname: str = "postgres"):
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def clone_database(self, *, source_url: str, dbname: str) -> str:
        """Copy a database (schema, data, no owners or grants) from another server into this cluster.

        Faster than running every migration again: the test database is already migrated.
        """
        self.sql(f'CREATE DATABASE "{dbname}"')
        dump = subprocess.run(
            [pg_bin("pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(dbname)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        return self.url(dbname)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.sql("SELECT 1")
                return
            except psycopg2.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"the private cluster on port {self.port} did not come up; see {self.log}")
