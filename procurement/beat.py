"""Celery beat that acts only while it holds the scheduler lock: run two, one schedules.

Each beat process keeps one PostgreSQL connection of its own and asks for a session-level advisory
lock on it. The holder schedules as usual; the other ticks idly every STANDBY_SECONDS and takes
over as soon as the lock is free — which PostgreSQL makes it the moment the holder's connection
ends (the process died, was killed, or lost its network). A leader that loses its connection
stops sending before anything else. Every beat task is also idempotent (docs/architecture.md §7),
so even two schedulers at once would only waste work; the lock keeps them from doing so.

Enabled by CELERY_BEAT_SCHEDULER (settings) for `celery beat`; the Procfile, docker-compose.yml
and README use it.
"""

import contextlib
import logging

import psycopg2
from celery.beat import PersistentScheduler
from django.db import connections

logger = logging.getLogger(__name__)

LOCK_KEY = 0x4245415431  # "BEAT1"
STANDBY_SECONDS = 5.0


def _connect():
    settings = connections["default"].settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        connect_timeout=5,
        application_name="celery-beat-leader",
    )
    conn.autocommit = True
    return conn


class LeaderScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self._lock_conn = None
        super().__init__(*args, **kwargs)

    def _release(self) -> None:
        if self._lock_conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._lock_conn.close()
            self._lock_conn = None

    def is_leader(self) -> bool:
        """Hold the lock (checking the connection still lives) or try to take it."""
        try:
            if self._lock_conn is not None:
                with self._lock_conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
                return True
            conn = _connect()
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                taken = cursor.fetchone()[0]
            if not taken:
                conn.close()
                return False
            self._lock_conn = conn
            logger.warning("beat: this scheduler holds the lock and schedules the periodic tasks")
            return True
        except psycopg2.Error as exc:
            if self._lock_conn is not None:
                logger.warning("beat: lost the scheduler lock (%s); standing by", type(exc).__name__)
            self._release()
            return False

    def tick(self, *args, **kwargs):
        if not self.is_leader():
            return STANDBY_SECONDS
        return super().tick(*args, **kwargs)

    def close(self):
        self._release()
        super().close()
