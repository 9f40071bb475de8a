"""Outage-aware postponement: when the portal was unavailable or degraded shortly before a tender's
deadline, the portal moves the deadline itself, publicly, as KONEPS's terms do.

The rule (settings, docs/architecture.md §9): a recorded health interval (procurement.healthlog) of
a counted component that lasted at least OUTAGE_MIN_SECONDS (or is still open and has) and that
overlaps the OUTAGE_POSTPONE_WINDOW_MINUTES before a tender's submission deadline postpones that
deadline — and the opening with it — by OUTAGE_POSTPONE_HOURS. The change is an amendment-like
version made by the portal (no official), with the outage named as its reason, audited, notified to
everyone the tender's amendments reach (bidders included, through tenders.signals) and published
like every version.

Never retroactive: a deadline that has passed by the database clock stays where it was, because
after it custodians may release their key shares (bidding.keys) and bids must not be accepted
again. Once per outage: a tender postponed since an interval began is not postponed again for it
(or for another interval recorded for the same outage from another source).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.models import HealthInterval
from procurement.notifications import notify

from .. import selectors, signals
from ..models import Tender, TenderPostponement, TenderVersion
from ..timeline import format_local
from .common import tender_snapshot

logger = logging.getLogger(__name__)


def _database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _window() -> timedelta:
    return timedelta(minutes=settings.OUTAGE_POSTPONE_WINDOW_MINUTES)


def _counts(interval: HealthInterval, now: datetime) -> bool:
    if interval.component not in settings.OUTAGE_POSTPONE_COMPONENTS:
        return False
    return ((interval.ended_at or now) - interval.started_at).total_seconds() >= settings.OUTAGE_MIN_SECONDS


def _affects(interval: HealthInterval, deadline: datetime, now: datetime) -> bool:
    """The interval overlaps the window before the deadline, and the deadline has not passed."""
    end = interval.ended_at or now
    return deadline > now and interval.started_at < deadline and end > deadline - _window()


def outage_intervals_relevant(*, now: datetime) -> list[HealthInterval]:
    """Intervals that can still affect a future deadline: open, or ended within the window."""
    candidates = HealthInterval.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now - _window())).order_by(
        "started_at"
    )
    return [interval for interval in candidates if _counts(interval, now)]


def tenders_postpone_for_outages() -> list[int]:
    """Beat job: postpone every open tender that a recorded outage affects; returns their ids."""
    if not settings.OUTAGE_POSTPONE_ENABLED:
        return []
    now = _database_now()
    postponed = []
    for interval in outage_intervals_relevant(now=now):
        end = interval.ended_at or now
        tender_ids = Tender.objects.filter(
            status=Tender.Status.PUBLISHED,
            submission_deadline__gt=max(now, interval.started_at),
            submission_deadline__lt=end + _window(),
        ).values_list("pk", flat=True)
        for tender_id in tender_ids:
            try:
                if tender_postpone_for_outage(tender_id=tender_id, interval_id=interval.pk) is not None:
                    postponed.append(tender_id)
            except Exception:
                # One tender's failure must not keep the others' notices back; the next run retries it.
                logger.exception("Outage postponement of tender %s failed", tender_id)
    return postponed


def tender_postpone_for_outage(*, tender_id: int, interval_id: int) -> TenderPostponement | None:
    """Postpone one tender for one recorded outage, if the rule says so; None when it does not apply."""
    with transaction.atomic():
        # FOR UPDATE: waits for the bid submissions in flight (they hold KEY SHARE), as amendments do.
        tender = selectors.tender_for_update(tender_id)
        interval = HealthInterval.objects.get(pk=interval_id)
        now = _database_now()
        if tender.status != Tender.Status.PUBLISHED or tender.submission_deadline is None:
            return None
        if not (_counts(interval, now) and _affects(interval, tender.submission_deadline, now)):
            return None
        if tender.postponements.filter(created_at__gte=interval.started_at).exists():
            return None  # already postponed for this outage
        delay = timedelta(hours=settings.OUTAGE_POSTPONE_HOURS)
        previous = tender.submission_deadline
        before = tender_snapshot(tender)
        tender.submission_deadline = previous + delay
        if tender.opening_at is not None:
            tender.opening_at += delay
        tender.next_check = tender.submission_deadline
        tender.version += 1
        tender.save(update_fields=["submission_deadline", "opening_at", "next_check", "version", "updated_at"])
        after = tender_snapshot(tender)
        changed = [f for f in after if before.get(f) != after.get(f)]
        # Stored once for everyone, in the deployment's language, like an official's reason.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "The portal was unavailable or degraded from %(start)s to %(end)s (%(what)s), within "
                "%(window)s minutes before the submission deadline. Under the portal's terms the deadline is "
                "postponed by %(hours)s hours, from %(previous)s to %(new)s, and the opening with it."
            ) % {
                "start": format_local(interval.started_at),
                "end": format_local(interval.ended_at) if interval.ended_at else _("ongoing"),
                "what": interval.get_component_display(),
                "window": settings.OUTAGE_POSTPONE_WINDOW_MINUTES,
                "hours": settings.OUTAGE_POSTPONE_HOURS,
                "previous": format_local(previous),
                "new": format_local(tender.submission_deadline),
            }
        version = TenderVersion.objects.create(
            tender=tender, amendment_number=tender.version, reason=reason, snapshot=after, created_by=None
        )
        postponement = TenderPostponement.objects.create(
            tender=tender,
            interval=interval,
            version=version,
            previous_deadline=previous,
            new_deadline=tender.submission_deadline,
        )
        audit_record(
            actor=None,
            action="tender.postpone_outage",
            obj=tender,
            data={
                "amendment": tender.version,
                "interval": interval.pk,
                "component": interval.component,
                "previous_deadline": previous,
                "new_deadline": tender.submission_deadline,
                "changed": changed,
            },
        )
        notify(
            event="tender.amended",
            recipients=selectors.tender_interested_users(tender),
            template="tender_amended",
            context={
                "tender": tender,
                "version": version,
                "changed_labels": [str(selectors.SNAPSHOT_LABELS.get(f, f)) for f in changed],
                "deadline_extended": True,
            },
            link=reverse("tenders:versions", args=[tender.pk]),
        )
        signals.tender_amended.send(sender=Tender, tender=tender, version=version, changed_fields=changed, actor=None)
    return postponement
