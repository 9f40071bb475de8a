"""The health history: when the portal was unavailable or degraded, recorded as intervals.

Three sources, because no single one sees everything (docs/architecture.md §9):

- **The probe** (`health_probe_record`, a beat task every HEALTH_PROBE_SECONDS) measures the
  database's answer time and pings Redis, and opens or closes a `database` / `redis` interval.
- **Its own silence.** The probe runs in a worker that the beat feeds through Redis and that writes
  to the database: while any of them is down nothing is recorded. A gap longer than
  HEALTH_GAP_SECONDS since the last heartbeat becomes an `unobserved` interval when the probe
  next runs — this is how a database outage is recorded, after it.
- **The web's own 503s** (procurement.unavailable) are counted per minute in the cache (Redis);
  the probe turns minutes with 503s into `web` intervals once each minute is over.

Every interval that opens or closes is audited, so the transparency log carries the evidence any
postponement relies on.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .audit import audit_record
from .models import HealthHeartbeat, HealthInterval

logger = logging.getLogger(__name__)

WEB_KEY = "health:web503:{minute}"
WEB_KEY_TTL = 2 * 24 * 3600
# How far back the probe looks for the web's 503 counts after a long silence.
WEB_LOOKBACK_MINUTES = 24 * 60


def _minute(moment: float) -> int:
    return int(moment // 60)


def web_unavailable_note() -> None:
    """Count one 503 for a lost database in this minute's bucket. Best effort: never raises."""
    key = WEB_KEY.format(minute=_minute(time.time()))
    try:
        if not cache.add(key, 1, timeout=WEB_KEY_TTL):
            cache.incr(key)
    except Exception:
        logger.debug("web 503 not counted", exc_info=True)


@dataclass
class ProbeReport:
    at: datetime
    database_ms: float
    redis_ok: bool
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def _database_clock() -> tuple[datetime, float]:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now = cursor.fetchone()[0]
    return now, (time.monotonic() - started) * 1000


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def _audit(interval: HealthInterval, action: str) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=interval,
        data={
            "component": interval.component,
            "started_at": interval.started_at,
            "ended_at": interval.ended_at,
            "evidence": interval.evidence,
        },
    )


def _set_state(component: str, *, degraded: bool, now: datetime, evidence: dict, report: ProbeReport) -> None:
    current = HealthInterval.objects.select_for_update().filter(component=component, ended_at__isnull=True).first()
    if degraded and current is None:
        interval = HealthInterval.objects.create(component=component, started_at=now, evidence=evidence)
        _audit(interval, "health.degraded")
        report.opened.append(component)
    elif not degraded and current is not None:
        current.ended_at = now
        current.evidence = {**current.evidence, "recovered": evidence}
        current.save(update_fields=["ended_at", "evidence"])
        _audit(current, "health.recovered")
        report.closed.append(component)


def _record_closed(component: str, *, start: datetime, end: datetime, evidence: dict) -> HealthInterval:
    interval = HealthInterval.objects.create(component=component, started_at=start, ended_at=end, evidence=evidence)
    _audit(interval, "health.outage")
    return interval


def _web_minutes(first: int, last: int) -> dict[int, int]:
    """{minute: 503 count} for the finished minutes first..last (cache down: nothing known)."""
    if last < first:
        return {}
    keys = {WEB_KEY.format(minute=m): m for m in range(first, last + 1)}
    try:
        found = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        return {}
    return {keys[k]: int(v) for k, v in found.items() if v}


def _record_web(minutes: dict[int, int], report: ProbeReport) -> None:
    """Runs of consecutive minutes with 503s become one interval each (extending the last one)."""
    run: list[int] = []
    for minute in sorted(minutes):
        if run and minute != run[-1] + 1:
            _record_web_run(run, minutes)
            run = []
        run.append(minute)
    if run:
        _record_web_run(run, minutes)
        report.closed.append(HealthInterval.Component.WEB)


def _record_web_run(run: list[int], counts: dict[int, int]) -> None:
    start = datetime.fromtimestamp(run[0] * 60, tz=UTC)
    end = datetime.fromtimestamp((run[-1] + 1) * 60, tz=UTC)
    total = sum(counts[m] for m in run)
    previous = HealthInterval.objects.filter(component=HealthInterval.Component.WEB, ended_at=start).first()
    if previous is not None:
        previous.ended_at = end
        previous.evidence = {**previous.evidence, "responses_503": previous.evidence.get("responses_503", 0) + total}
        previous.save(update_fields=["ended_at", "evidence"])
        _audit(previous, "health.outage")
        return
    _record_closed(HealthInterval.Component.WEB, start=start, end=end, evidence={"responses_503": total})


def health_probe_record() -> ProbeReport:
    """One probe: heartbeat gap, database answer time, Redis, the web's 503 minutes. Idempotent and
    safe with two beats: concurrent probes queue on the heartbeat row and the second sees no gap."""
    now, database_ms = _database_clock()
    redis_ok = _redis_ok()
    report = ProbeReport(at=now, database_ms=round(database_ms, 1), redis_ok=redis_ok)
    gap_limit = timedelta(seconds=settings.HEALTH_GAP_SECONDS)
    this_minute = _minute(now.timestamp())
    with transaction.atomic():
        heartbeat, created = HealthHeartbeat.objects.get_or_create(
            pk=1, defaults={"last_at": now, "last_web_minute": this_minute - 1}
        )
        heartbeat = HealthHeartbeat.objects.select_for_update().get(pk=1)
        # Re-read the clock under the lock: a probe that waited for another must not see a gap.
        now, _ms = _database_clock()
        if not created and now - heartbeat.last_at > gap_limit:
            _record_closed(
                HealthInterval.Component.UNOBSERVED,
                start=heartbeat.last_at,
                end=now,
                evidence={
                    "last_probe": heartbeat.last_at,
                    "gap_seconds": round((now - heartbeat.last_at).total_seconds()),
                },
            )
            report.closed.append(HealthInterval.Component.UNOBSERVED)
        _set_state(
            HealthInterval.Component.DATABASE,
            degraded=database_ms > settings.HEALTH_DATABASE_SLOW_MS,
            now=now,
            evidence={"answer_ms": report.database_ms},
            report=report,
        )
        _set_state(
            HealthInterval.Component.REDIS, degraded=not redis_ok, now=now, evidence={"ping": redis_ok}, report=report
        )
        first = max(heartbeat.last_web_minute + 1, this_minute - WEB_LOOKBACK_MINUTES)
        _record_web(_web_minutes(first, this_minute - 1), report)
        heartbeat.last_at = now
        heartbeat.last_web_minute = max(heartbeat.last_web_minute, this_minute - 1)
        heartbeat.save()
    return report
