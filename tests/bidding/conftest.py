"""People and tenders the bidding tests talk about.

Sam (`supplier_user`) and Tara (`other_supplier_user`) bid for two approved companies; Olivia
(`official`) is the official of the buying entity; Audrey the auditor; Adam the platform admin.
"""

import pytest
from django.test import Client

from tests.bidding.helpers import published_tender


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages in English, whatever the deployment's default (Korean) and its catalogues."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tender(official):
    """Open for bids (lowest price), bought by Olivia's entity; deadline in ten days."""
    return published_tender(entity=official.official.entity, created_by=official)


@pytest.fixture
def reserve_tender(official):
    """A floor-rate tender with multiple reserve prices (defaults: 15 within ±2 %, pick 2, average 4)."""
    return published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="floor_rate_reserve",
        estimated_value=100_000_000,
    )


@pytest.fixture
def client_for():
    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


WORKER_CACHE_PREFIX = "bidding-worker-test"


class BiddingWorker:
    """A real `celery worker` process (solo pool) against the test database and a private broker.

    Like tests.conftest.CeleryWorker, plus a choice of settings module (tests.bidding.worker_settings
    shortens the Redis visibility timeout) and a fixed cache key prefix, so the test can read what
    the worker writes to its cache (the broker's Redis).
    """

    def __init__(self, broker_url: str, database_name: str, settings_module: str):
        self.broker_url = broker_url
        self.database_name = database_name
        self.settings_module = settings_module
        self.proc = None

    def start(self):
        import os
        import subprocess
        import sys

        from django.conf import settings

        from tests.conftest import ROOT

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
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--pool", "solo", "-l", "warning",
             "--without-gossip", "--without-mingle"],
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
def bidding_worker(transactional_db):
    from django.db import connection

    workers = []

    def start(broker_url: str, *, settings_module: str = "procurement.test_settings") -> BiddingWorker:
        worker = BiddingWorker(broker_url, connection.settings_dict["NAME"], settings_module).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
