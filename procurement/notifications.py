"""Transactional outbox: events write rows; Celery delivers them, retrying until they are sent."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, Outbox

logger = logging.getLogger(__name__)


def notify(
    *, event: str, recipients: Iterable, template: str, context: dict | None = None, link: str = ""
) -> list[int]:
    """Queue a notification to each recipient, in the caller's transaction.

    `template` names `templates/emails/<template>_subject.txt` and `_body.txt`, rendered in each
    recipient's language now, so delivery needs nothing but the row. Never pass sealed bid content.
    """
    rows = []
    for user in {u.pk: u for u in recipients}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            ctx = {**(context or {}), "recipient": user, "link": link, "site_url": settings.SITE_URL}
            subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
            body = render_to_string(f"emails/{template}_body.txt", ctx)
        rows.append(Outbox(event=event, recipient=user, subject=subject[:255], body=body, link=link))
    created = Outbox.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    """Hand the rows to Celery for prompt delivery. If the broker is down the sweep delivers later."""
    from .tasks import outbox_deliver

    for outbox_id in ids:
        try:
            outbox_deliver.apply_async(args=[outbox_id], retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the event
            logger.warning("Outbox %s not queued (%s); the sweep will deliver it.", outbox_id, type(exc).__name__)
            return


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


# A claim lasts this long; a worker that dies mid-delivery leaves the row due again after it.
CLAIM_LEASE = timedelta(minutes=5)


def outbox_deliver(*, outbox_id: int) -> bool:
    """Deliver one row: email plus in-app notification. Safe to call twice or concurrently."""
    now = timezone.now()
    claimed = Outbox.objects.filter(pk=outbox_id, status=Outbox.Status.PENDING, next_try_at__lte=now).update(
        next_try_at=now + CLAIM_LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    row = Outbox.objects.select_related("recipient").get(pk=outbox_id)
    try:
        send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient.email])
    except Exception as exc:  # noqa: BLE001 - any mail failure is retried with back-off
        failed = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        Outbox.objects.filter(pk=row.pk).update(
            status=Outbox.Status.FAILED if failed else Outbox.Status.PENDING,
            next_try_at=timezone.now() + _backoff(row.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        logger.warning("Outbox %s delivery failed (attempt %s).", row.pk, row.attempts)
        return False
    with transaction.atomic():
        Notification.objects.get_or_create(
            outbox=row, defaults={"user": row.recipient, "text": row.subject, "link": row.link}
        )
        Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    return list(
        Outbox.objects.filter(status=Outbox.Status.PENDING, next_try_at__lte=timezone.now())
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
