"""Celery entry points: thin callers of integrity.services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def integrity_sweep() -> dict:
    """Every minute (beat): tender-level rules for what was published, opened or awarded since."""
    return services.integrity_sweep()


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def integrity_nightly() -> int:
    """Every night (beat): every rule over every record."""
    return len(services.integrity_run_all())
