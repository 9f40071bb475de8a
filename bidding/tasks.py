"""Celery tasks: thin, take ids, idempotent (the services check the clock and their own state).

- `tenders_sweep` (beat, every 30 s): advances whatever is due — also everything missed while the
  worker or beat was down — and schedules a short-horizon ETA task for tenders due within
  ETA_HORIZON, so that a deadline is acted on within seconds rather than at the next sweep.
- `tender_advance`: close and/or open one tender. acks_late + reject_on_worker_lost: if the worker
  dies mid-opening the message goes back to the queue and the rerun does the whole job (the
  half-done transaction was rolled back by PostgreSQL).

ETAs are never far in the future: with Redis an ETA beyond the visibility timeout is delivered
again and again (docs/architecture.md §7), so only the sweep schedules them, and only minutes ahead.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import selectors, services

logger = logging.getLogger(__name__)

ETA_HORIZON = timedelta(minutes=5)
# Opening decrypts every bid of a tender in one transaction; large tenders take a while.
OPEN_TIME_LIMIT = 900


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=OPEN_TIME_LIMIT,
    soft_time_limit=OPEN_TIME_LIMIT - 30,
)
def tender_advance(tender_id: int) -> dict:
    report = services.tender_advance(tender_id=tender_id)
    if report.waiting or (report.closed and not report.opened):
        # Just closed, or woke a moment early: be prompt for what comes next too.
        schedule_prompt_advances(tender_ids=[tender_id])
    return {"closed": report.closed, "opened": report.opened, "waiting": report.waiting}


@shared_task(time_limit=OPEN_TIME_LIMIT, soft_time_limit=OPEN_TIME_LIMIT - 30)
def tenders_sweep() -> dict:
    report = services.tenders_advance_due()
    scheduled = schedule_prompt_advances()
    if report.failed:
        logger.warning("sweep: %s tender(s) failed: %s", len(report.failed), report.failed)
    return {"closed": report.closed, "opened": report.opened, "failed": len(report.failed), "scheduled": scheduled}


@shared_task(time_limit=120, soft_time_limit=100)
def cures_sweep() -> dict:
    """Lapse the document corrections whose window is over (the upload checks the clock itself)."""
    return {"lapsed": len(services.cure_requests_lapse_due())}


def schedule_prompt_advances(*, now=None, tender_ids=None) -> int:
    """ETA tasks for deadlines and openings within ETA_HORIZON, once per tender and moment."""
    now = now or timezone.now()
    scheduled = 0
    for tender_id, moment in selectors.tenders_due_soon(now=now, until=now + ETA_HORIZON, tender_ids=tender_ids):
        marker = f"bidding:eta:{tender_id}:{moment.timestamp():.0f}"
        try:
            if not cache.add(marker, 1, timeout=int(ETA_HORIZON.total_seconds()) * 2):
                continue
        except Exception:  # noqa: BLE001 - without the cache an extra (idempotent) task is harmless
            logger.debug("ETA marker not cached for tender %s", tender_id)
        # A second late: the services compare with the database clock, so never arrive before it.
        tender_advance.apply_async(args=[tender_id], eta=moment + timedelta(seconds=1))
        scheduled += 1
    return scheduled
