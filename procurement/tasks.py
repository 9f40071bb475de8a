from celery import shared_task
from django.conf import settings

from . import audit, notifications
from .models import LogLeaf


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def outbox_deliver(outbox_id: int) -> bool:
    return notifications.outbox_deliver(outbox_id=outbox_id)


@shared_task(time_limit=300, soft_time_limit=280)
def outbox_sweep() -> int:
    """Beat job: deliver whatever is due (missed enqueues, retries, rows left by a dead worker)."""
    delivered = 0
    for outbox_id in notifications.outbox_due_ids():
        delivered += notifications.outbox_deliver(outbox_id=outbox_id)
    return delivered


@shared_task(bind=True, acks_late=True, time_limit=120, soft_time_limit=100, max_retries=60)
def transparency_publish_head(self, through_seq: int | None = None) -> int:
    """Beat job, and after every opening and award: integrate committed entries, sign a head if grown.

    With `through_seq`, retry until that entry is in the tree (an older transaction elsewhere may
    hold the integration horizon back for a moment). Also drops the audit guard's stale coverage rows.
    """
    audit.audit_coverage_prune()
    if not settings.TRANSPARENCY_SIGNING_KEY:
        return audit.transparency_integrate()
    head = audit.transparency_head_sign()
    if through_seq is not None and not LogLeaf.objects.filter(entry_id=through_seq, index__lt=head.tree_size).exists():
        raise self.retry(countdown=2)
    return head.tree_size


@shared_task(time_limit=60, soft_time_limit=50)
def health_probe() -> dict:
    """Beat job: record the health history (procurement.healthlog)."""
    from . import healthlog

    report = healthlog.health_probe_record()
    return {
        "database_ms": report.database_ms,
        "redis": report.redis_ok,
        "opened": report.opened,
        "closed": report.closed,
    }
