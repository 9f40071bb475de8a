from celery import shared_task
from django.conf import settings

from . import audit, notifications


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


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def transparency_publish_head() -> int:
    """Beat job, and after every opening and award: integrate committed entries, sign a head if grown."""
    if not settings.TRANSPARENCY_SIGNING_KEY:
        return audit.transparency_integrate()
    return audit.transparency_head_sign().tree_size
