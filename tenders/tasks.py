"""Celery tasks of tenders: thin, idempotent callers of the services."""

from celery import shared_task

from .services.outages import tenders_postpone_for_outages


@shared_task(time_limit=300, soft_time_limit=280)
def outage_postponements() -> list[int]:
    """Beat job: postpone the deadlines a recorded outage affects (tenders.services.outages)."""
    return tenders_postpone_for_outages()
