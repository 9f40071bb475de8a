"""Drill: two Celery beats run at once (issue 16 item 8) — one schedules, the other stands by and
takes over when the first dies.

Both beats (real `celery beat` processes, procurement.beat.LeaderScheduler) send a one-second
task to a private Redis with no worker, so the queue's length counts what was scheduled.
"""

import os
import subprocess
import sys
import time

import pytest
import redis
from django.db import connection

from tests.conftest import ROOT, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_beat(broker_url: str, schedule_file) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.beat_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "procurement",
            "beat",
            "-l",
            "warning",
            "--schedule",
            str(schedule_file),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_beats_schedule_each_task_once_and_the_standby_takes_over(private_redis, tmp_path):
    private_redis.start()
    queue = redis.Redis.from_url(private_redis.url)
    sent = lambda: queue.llen("celery")  # noqa: E731
    first = start_beat(private_redis.url, tmp_path / "first")
    second = None
    try:
        wait_until(lambda: sent() >= 2, timeout=60)  # the first beat leads
        second = start_beat(private_redis.url, tmp_path / "second")
        time.sleep(4)  # the second is up and standing by
        before = sent()
        time.sleep(8)
        during = sent() - before
        assert 5 <= during <= 10, f"{during} messages in 8 s: one scheduler sends about 8"

        first.kill()
        first.wait()
        resumed_from = sent()
        wait_until(lambda: sent() >= resumed_from + 3, timeout=30)  # the standby took the lock
        before = sent()
        time.sleep(6)
        assert 3 <= sent() - before <= 8
    finally:
        for beat in (first, second):
            if beat is not None and beat.poll() is None:
                beat.kill()
                beat.wait()
