"""Celery tasks: thin, take ids, idempotent (the services check the clock and claim their rows).

- `awards_sweep` (beat, every minute): finalises every award whose standstill is over with no open
  complaint, through the same service an official calls (award_finalise checks the clock itself,
  so an early or repeated run is refused harmlessly), including any missed while beat was down.
- `award_report_render`: renders a large award report; the row's conditional claim makes a
  redelivered task a no-op.
- `document_render`: renders a contract document or an invoice (contracts.services.documents), the
  same way.
"""

import logging

from celery import shared_task

from .services import awards_finalise_due
from .services.documents import document_render as render_document
from .services.reports import award_report_render as render_report

logger = logging.getLogger(__name__)

REPORT_TIME_LIMIT = 900


@shared_task(time_limit=300, soft_time_limit=270)
def awards_sweep() -> dict:
    result = awards_finalise_due()
    if result["skipped"]:
        logger.info("awards sweep skipped: %s", result["skipped"])
    return {"finalised": len(result["finalised"]), "skipped": len(result["skipped"])}


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=REPORT_TIME_LIMIT,
    soft_time_limit=REPORT_TIME_LIMIT - 30,
)
def award_report_render(report_id: int) -> bool:
    return render_report(report_id=report_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120, soft_time_limit=100)
def document_render(report_id: int) -> bool:
    return render_document(report_id=report_id)
