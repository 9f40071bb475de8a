"""Documents rendered by Celery with progress: the contract document and the catalogue invoice.

The same mechanism as the award report (contracts.services.reports): the request gets or creates one
`ReportFile` for what the document shows (its `fingerprint`) and queues its rendering once; the page
polls a status fragment with htmx and offers the file when it is ready. Rendering claims the row
with a conditional UPDATE, so a task delivered twice, or two people asking at once, renders once.

Each kind names a producer `(report, progress) -> (pdf bytes, filename)`, looked up by import path so
that contracts does not import the apps whose documents it renders.
"""

import logging
import time
from importlib import import_module

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from bidding.models import ClockTimestamp

from ..models import ReportFile
from ..pdf import sha256_hex
from .reports import REQUEUE_AFTER, _claim, _progress

logger = logging.getLogger(__name__)

PRODUCERS = {
    ReportFile.Kind.CONTRACT: "contracts.services.contracts.contract_document_produce",
    ReportFile.Kind.INVOICE: "catalogue.pdf.invoice_document_produce",
}

# How long an inline request (commands, tests) waits for another renderer that holds the claim.
INLINE_WAIT_SECONDS = 60


class Superseded(Exception):
    """What the document shows changed between the request and the rendering: this file is not made."""


def _producer(kind: str):
    module, _dot, name = PRODUCERS[kind].rpartition(".")
    return getattr(import_module(module), name)


def document_current(*, kind: str, object_type: str, object_id, fingerprint: str, language: str) -> ReportFile | None:
    """The document's file as it stands (any status), or None if never requested: what a status
    fragment shows, without asking again (a failed one waits for the person to ask again)."""
    return ReportFile.objects.filter(
        kind=kind, object_type=object_type, object_id=str(object_id), language=language, fingerprint=fingerprint
    ).first()


def document_request(
    *, kind: str, object_type: str, object_id, fingerprint: str, language: str, actor=None, inline: bool = False
) -> ReportFile:
    """Get or create the document's file and queue its rendering once (again if it failed or waited
    longer than REQUEUE_AFTER: a lost task). `inline` renders it now (commands, tests, the demo) and
    waits for another renderer that holds the claim. Returns the ReportFile (ready or not)."""
    key = {
        "kind": kind,
        "object_type": object_type,
        "object_id": str(object_id),
        "language": language,
        "fingerprint": fingerprint,
    }
    actor = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            report, created = ReportFile.objects.get_or_create(**key, defaults={"requested_by": actor})
    except IntegrityError:
        report, created = ReportFile.objects.get(**key), False
    if report.status == ReportFile.Status.READY:
        return report
    rearmed = report.status == ReportFile.Status.FAILED and bool(
        ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.FAILED).update(
            status=ReportFile.Status.PENDING, progress=0, error="", created_at=ClockTimestamp()
        )
    )
    lost = bool(
        ReportFile.objects.filter(
            pk=report.pk, status=ReportFile.Status.PENDING, created_at__lt=timezone.now() - REQUEUE_AFTER
        ).update(created_at=ClockTimestamp())
    )
    if inline:
        document_render(report_id=report.pk)
        deadline = time.monotonic() + INLINE_WAIT_SECONDS
        report.refresh_from_db()
        while report.status == ReportFile.Status.RENDERING and time.monotonic() < deadline:
            time.sleep(0.1)
            report.refresh_from_db()
        return report
    if created or rearmed or lost:
        from ..tasks import document_render as render_task

        transaction.on_commit(lambda: render_task.delay(report.pk))
    report.refresh_from_db()
    return report


def document_render(*, report_id: int) -> bool:
    """Render one requested document. Safe to call twice: only the claimant renders."""
    if not _claim(report_id):
        return False
    report = ReportFile.objects.get(pk=report_id)
    try:
        pdf, filename = _producer(report.kind)(report, lambda pct: _progress(report_id, pct))
        digest = sha256_hex(pdf)
        report.file.save(filename, ContentFile(pdf), save=False)
        ReportFile.objects.filter(pk=report_id).update(
            file=report.file.name,
            filename=filename,
            size=len(pdf),
            sha256=digest,
            status=ReportFile.Status.READY,
            progress=100,
            generated_at=timezone.now(),
            error="",
        )
    except Exception as exc:  # any failure is recorded on the row and shown on the page
        if not isinstance(exc, Superseded):
            logger.exception("document %s failed", report_id)
        ReportFile.objects.filter(pk=report_id).update(
            status=ReportFile.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        return False
    return True
