"""Shared fixtures: the people every test talks about, MFA enrolment, private services."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from procurement.roles import Role
from tests.factories import OfficialFactory, SupplierMemberFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in live_server tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _shipped_reference_data(request):
    """Data migrations' rows (the CPV list) are gone after a transactional test flushed the tables."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or (marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from suppliers.classifications import cpv_ensure

    cpv_ensure()


def enrol_totp(user) -> str:
    """Give `user` a TOTP authenticator; returns the secret so a test can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def official(db):
    """Olivia: procuring official of her entity, enrolled in MFA."""
    membership = OfficialFactory(user__email="olivia@agency.example")
    enrol_totp(membership.user)
    # Her entity's default key custodians: the platform (always) and an auditor, 2 of 2.
    from tests.sealing import custodian_make

    membership.entity.default_custodians.add(custodian_make())
    return membership.user


@pytest.fixture
def supplier_user(db):
    """Sam: administrator of an approved supplier company."""
    return SupplierMemberFactory(user__email="sam@supplier.example").user


@pytest.fixture
def other_supplier_user(db):
    """Tara: administrator of a different approved company."""
    return SupplierMemberFactory(user__email="tara@rival.example").user


@pytest.fixture
def auditor(db):
    user = UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    enrol_totp(user)
    return user


@pytest.fixture
def platform_admin(db):
    user = UserFactory(email="adam@platform.example", role=Role.ADMIN, is_staff=True)
    enrol_totp(user)
    return user


@pytest.fixture
def outsider(db):
    """Oscar: signed up, belongs to nothing."""
    return UserFactory(email="oscar@nowhere.example")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class PrivateRedis:
    """A redis-server this test owns: it may stop and start it without touching the machine's own."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    yield redis
    redis.stop()


WORKER_CACHE_PREFIX = "worker-test"


class CeleryWorker:
    """A real `celery worker` process (solo pool) against the test database and a given broker.

    `settings_module` lets a test change worker-only settings (tests.bidding.worker_settings
    shortens the Redis visibility timeout); the fixed cache prefix lets a test read what the worker
    wrote to its cache (the broker's Redis).
    """

    def __init__(self, broker_url: str, database_name: str, settings_module: str = "procurement.test_settings"):
        self.broker_url = broker_url
        self.database_name = database_name
        self.settings_module = settings_module
        self.proc = None

    def start(self, *extra_args: str):
        from django.conf import settings

        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.database_name}"
            ),
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "CACHE_KEY_PREFIX": WORKER_CACHE_PREFIX,
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the files it renders, where the test reads them
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--pool", "solo", "-l", "warning",
             "--without-gossip", "--without-mingle", *extra_args],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        return self

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def cache_get(self, key: str):
        """A value the worker put in its Django cache."""
        import pickle

        import redis

        raw = redis.Redis.from_url(self.broker_url).get(f"{WORKER_CACHE_PREFIX}:1:{key}")
        return pickle.loads(raw) if raw is not None else None


@pytest.fixture
def celery_worker_factory(transactional_db):
    from django.db import connection

    workers = []

    def start(broker_url: str, *extra_args: str, settings_module: str = "procurement.test_settings") -> CeleryWorker:
        worker = CeleryWorker(broker_url, connection.settings_dict["NAME"], settings_module).start(*extra_args)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll `predicate` until it is truthy; fail the test with a clear message when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s: {getattr(predicate, '__doc__', None) or predicate}")


@pytest.fixture
def use_broker():
    """Point this process's Celery publisher at another broker URL for one test."""
    from procurement.celery import app

    original = app.conf.broker_url

    def switch(url: str):
        app.conf.broker_url = url
        # Drop the cached pools; close() alone keeps a producer pool made before any connection pool.
        app.close()
        app.amqp._producer_pool = None

    yield switch
    switch(original)


@pytest.fixture
def stored_media(settings, tmp_path):
    """Storage in a folder of this test's own; call the fixture's value to list what is stored."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def stored() -> list[str]:
        root = settings.MEDIA_ROOT
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return stored


@pytest.fixture
def private_postgres():
    """Make private PostgreSQL clusters (tests/support/pgcluster.py) that this test may stop, restart,
    back up and restore; every one is stopped and removed afterwards."""
    import tempfile

    from tests.support.pgcluster import PrivatePostgres

    made = []

    def make(*, archive: bool = False) -> PrivatePostgres:
        root = Path(tempfile.mkdtemp(prefix="pgcluster-"))
        root.chmod(0o755)
        # With archiving, WAL goes to <root>/backup/wal: the layout of BACKUP_DIR (scripts/pitr.py).
        cluster = PrivatePostgres(root, archive=root / "backup" / "wal" if archive else None).init().start()
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.stop(mode="immediate")
        shutil.rmtree(cluster.root, ignore_errors=True)
