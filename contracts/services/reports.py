"""Award reports as cached files: requested, rendered by Celery with progress, kept.

Even a small report takes seconds to render, so the request never waits for it: the page shows
the progress (polled) and then the download (docs/architecture.md "Award report").

A report is cached per tender, language and fingerprint (contracts.reports.award_report_fingerprint):
any change to the tender or to its audit trail gives a new fingerprint, so a stale file is never
served. Rendering claims the row with a conditional UPDATE, so a task delivered twice (acks_late)
or a person clicking twice renders once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bidding.models import ClockTimestamp
from tenders.models import Tender

from ..models import ReportFile
from ..pdf import render_pdf, sha256_hex
from ..reports import (
    award_report_chain,
    award_report_data,
    award_report_fingerprint,
    canonical_sha256,
)

logger = logging.getLogger(__name__)

# A claim older than this was left by a renderer that died; another may take it over.
CLAIM_LEASE = timedelta(minutes=15)
# A request still waiting this long for a worker is queued again when someone asks (a lost task).
REQUEUE_AFTER = timedelta(minutes=2)


def award_report_current(*, tender: Tender, language: str) -> ReportFile | None:
    """The report for the tender as it stands now (any status), or None if never requested."""
    fingerprint = award_report_fingerprint(tender, language=language)
    return ReportFile.objects.filter(
        kind=ReportFile.Kind.AWARD_REPORT,
        object_type="tenders.tender",
        object_id=str(tender.pk),
        language=language,
        fingerprint=fingerprint,
    ).first()


def award_report_request(*, tender: Tender, actor, language: str, inline: bool = False) -> ReportFile:
    """Get or create the report for the tender as it stands and queue its rendering (`inline`: render
    it now, for commands and tests). A failed one is queued again. Returns the ReportFile.
    """
    fingerprint = award_report_fingerprint(tender, language=language)
    key = {
        "kind": ReportFile.Kind.AWARD_REPORT,
        "object_type": "tenders.tender",
        "object_id": str(tender.pk),
        "language": language,
        "fingerprint": fingerprint,
    }
    try:
        with transaction.atomic():
            report, created = ReportFile.objects.get_or_create(**key, defaults={"requested_by": actor})
    except IntegrityError:
        report, created = ReportFile.objects.get(**key), False
    rearmed = report.status == ReportFile.Status.FAILED and bool(
        ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.FAILED).update(
            status=ReportFile.Status.PENDING, progress=0, error="", created_at=ClockTimestamp()
        )
    )
    report.refresh_from_db()
    if report.status in (ReportFile.Status.READY, ReportFile.Status.RENDERING):
        return report
    # Queued once per new (or failed) file: pressing again, or many people asking, adds nothing to the
    # queue — unless the task seems lost (still waiting after REQUEUE_AFTER; the clock restarts).
    lost = bool(
        ReportFile.objects.filter(
            pk=report.pk, status=ReportFile.Status.PENDING, created_at__lt=timezone.now() - REQUEUE_AFTER
        ).update(created_at=ClockTimestamp())
    )
    if not (inline or created or rearmed or lost):
        return report
    if inline:
        award_report_render(report_id=report.pk)
        report.refresh_from_db()
    else:
        from ..tasks import award_report_render as render_task

        transaction.on_commit(lambda: render_task.delay(report.pk))
    return report


def _claim(report_id: int) -> bool:
    now = timezone.now()
    return bool(
        ReportFile.objects.filter(pk=report_id)
        .filter(
            Q(status=ReportFile.Status.PENDING)
            | Q(status=ReportFile.Status.RENDERING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .update(status=ReportFile.Status.RENDERING, claimed_at=now, progress=1)
    )


def _progress(report_id: int, pct: int) -> None:
    ReportFile.objects.filter(pk=report_id, status=ReportFile.Status.RENDERING).update(progress=pct)


def award_report_render(*, report_id: int) -> bool:
    """Render one requested award report. Safe to call twice: only the claimant renders."""
    if not _claim(report_id):
        return False
    report = ReportFile.objects.get(pk=report_id)
    try:
        tender = Tender.objects.get(pk=int(report.object_id))
        data = award_report_data(tender, language=report.language, progress=lambda pct: _progress(report_id, pct))
        content_hash = canonical_sha256(data)
        chain = award_report_chain()
        generated_at = timezone.now()
        with translation.override(report.language):
            footer = f"{_('Award report')} {tender.reference or tender.pk}"
        pdf = render_pdf(
            "pdf/award_report.html",
            {
                "report": data,
                "content_sha256": content_hash,
                "chain": chain,
                "generated_at": generated_at,
                "data_url": settings.SITE_URL.rstrip("/")
                + reverse("api-award-report-data", args=[tender.pk])
                + f"?language={report.language}",
                "footer_left": footer,
                "TIME_ZONE": settings.TIME_ZONE,
            },
            language=report.language,
            # Laying out the pages is most of the time: 60 % before, 90 % after.
            progress=lambda: _progress(report_id, 90),
        )
        digest = sha256_hex(pdf)
        filename = f"award-report-{tender.reference or tender.pk}-{report.language}-{digest[:12]}.pdf"
        report.file.save(filename, ContentFile(pdf), save=False)
        ReportFile.objects.filter(pk=report_id).update(
            file=report.file.name,
            filename=filename,
            size=len(pdf),
            sha256=digest,
            content_sha256=content_hash,
            status=ReportFile.Status.READY,
            progress=100,
            generated_at=generated_at,
            error="",
        )
    except Exception as exc:  # any failure is recorded on the row and shown to the auditor
        logger.exception("award report %s failed", report_id)
        ReportFile.objects.filter(pk=report_id).update(
            status=ReportFile.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        return False
    return True
