"""What the scheduler (beat sweep, ETA tasks, the open_overdue_tenders command) asks for: advance
every tender whose next moment has come, by calling the same services a person would."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Now

from procurement.errors import DomainError
from tenders.models import Tender

from ..keys import QuorumMissing, TooEarly
from ..models import OpeningRecord
from .envelopes import price_envelopes_open
from .opening import bid_close_tender, bid_open_all
from .quorum import opening_quorum_wait

logger = logging.getLogger(__name__)


@dataclass
class AdvanceReport:
    closed: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def tender_advance(*, tender_id: int, actor=None, report: AdvanceReport | None = None) -> AdvanceReport:
    """Close the tender if its deadline has passed, then open it if its opening time has come.

    Both steps check the database clock themselves and are idempotent, so an early, late or
    repeated call is harmless.
    """
    report = report or AdvanceReport()
    status = Tender.objects.filter(pk=tender_id).values_list("status", flat=True).first()
    if status == Tender.Status.PUBLISHED:
        if bid_close_tender(tender_id=tender_id, actor=actor) is None:
            report.waiting.append(tender_id)
            return report
        report.closed.append(tender_id)
    try:
        record = bid_open_all(tender_id=tender_id, actor=actor)
        if record.stage == OpeningRecord.Stage.TECHNICAL_PUBLISHED:
            # Two envelopes: the compliant bids' prices, once the complaint window is over.
            price_envelopes_open(tender_id=tender_id, actor=actor)
    except TooEarly:
        report.waiting.append(tender_id)
    except QuorumMissing:
        # Each released share queues the opening again; until then wait, then escalate.
        opening_quorum_wait(tender_id=tender_id)
        report.waiting.append(tender_id)
    except DomainError as exc:  # cancelled meanwhile, or nothing left to open
        logger.info("tender %s not opened: %s", tender_id, exc)
    else:
        report.opened.append(tender_id)
    return report


def tenders_due_claim(*, limit: int = 50) -> list[int]:
    """Ids of tenders due now by the database clock, skipping any another worker is busy with.

    SKIP LOCKED in a short transaction: a tender being opened (FOR UPDATE held) is not waited for;
    the next sweep looks again. The lock ends with this transaction — the services lock for real.
    """
    with transaction.atomic():
        return list(
            Tender.objects.select_for_update(skip_locked=True)
            .filter(status__in=(Tender.Status.PUBLISHED, Tender.Status.CLOSED), next_check__lte=Now())
            .order_by("next_check")
            .values_list("pk", flat=True)[:limit]
        )


def tenders_advance_due(*, limit: int = 50) -> AdvanceReport:
    """Advance every tender that is due — including everything left over while the scheduler was down."""
    report = AdvanceReport()
    for tender_id in tenders_due_claim(limit=limit):
        try:
            tender_advance(tender_id=tender_id, report=report)
        except Exception as exc:
            logger.exception("tender %s could not be advanced", tender_id)
            report.failed.append((tender_id, f"{type(exc).__name__}: {exc}"))
    return report
