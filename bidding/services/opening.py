"""Closing a tender at its deadline and opening its bids at the opening time — exactly once.

Both services lock the tender FOR UPDATE first (tenders.selectors.tender_for_update), so they wait
for every submission in flight (those hold FOR KEY SHARE) and two openings never run side by side:
the second waits, then finds the first one's record and returns it. Opening is one transaction: a
worker killed half-way leaves nothing behind, and the next attempt (redelivered task, the sweep,
an official's "Open now", the open_overdue_tenders command) does the whole job.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.audit import audit_record, transparency_request_head
from procurement.errors import Conflict
from procurement.notifications import notify
from sealclient.reserve import floor_price_compute, planned_price_compute
from sealclient.rules import Candidate, OpenedContent, Problem, bid_open
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.selectors import tender_for_update
from tenders.services import tender_mark_unsuccessful, tender_set_status

from .. import selectors
from ..content import problem_message
from ..keys import QuorumMissing, TooEarly, opening_private_key, opening_time_reached, platform_share_release
from ..models import (
    Bid,
    BidSecurity,
    BidVersion,
    ClockTimestamp,
    ConsortiumMember,
    OpenedBid,
    OpenedDocument,
    OpeningRecord,
    TenderClosing,
)
from ..opening_rules import RuledBid, opening_rejections
from .consortium import company_users
from .quorum import custodians_notify_share_due
from .reserve_prices import reserve_values_unseal
from .submission import reserve_pick_rules

logger = logging.getLogger(__name__)


def _db_deadline_passed(tender_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp() >= submission_deadline FROM tenders_tender WHERE id = %s", [tender_id])
        return bool(cursor.fetchone()[0])


def _close_locked(tender: Tender, *, actor) -> TenderClosing | None:
    """Close a tender the caller has locked FOR UPDATE, if its deadline has passed by the DB clock."""
    existing = TenderClosing.objects.filter(tender=tender).first()
    if existing is not None:
        return existing
    if tender.status != Tender.Status.PUBLISHED or not _db_deadline_passed(tender.pk):
        return None
    # Two-envelope bids publish both commitments: the technical and the price envelope's.
    pairs = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values_list(
            "current_version__commitment", "current_version__price_commitment"
        )
    )
    commitments = sorted(c for pair in pairs for c in pair if c)
    closing = TenderClosing.objects.create(tender=tender, bid_count=len(pairs), commitments=commitments)
    # The deadline has passed by the database clock: the platform may now give up its share
    # (one share opens nothing), and the other custodians are asked for theirs.
    platform_share_release(tender)
    custodians_notify_share_due(tender)
    tender_set_status(
        tender=tender,
        to=Tender.Status.CLOSED,
        actor=actor,
        data={"bids": len(pairs), "commitments": commitments},
        next_check=tender.opening_at,
    )
    return closing


def bid_close_tender(*, tender_id: int, actor=None) -> TenderClosing | None:
    """At the submission deadline: published → closed, and the list of commitments becomes public.

    Returns the closing (also when it had happened already), or None when it is not due (before the
    deadline by the database clock, or the tender is not open for bids).
    """
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        return _close_locked(tender, actor=actor)


# --- opening ---------------------------------------------------------------------------------------


def _progress(tender_id: int, done: int, total: int) -> None:
    """Tell the opening page how far the decryption is. Best effort: the cache may be down."""
    try:
        cache.set(selectors.progress_key(tender_id), {"done": done, "total": total}, selectors.PROGRESS_TTL)
    except Exception:  # noqa: BLE001 - progress is informational; opening must not fail on it
        logger.debug("opening progress not cached for tender %s", tender_id)


@dataclass
class _Opened:
    """One bid as decrypted, before ranking."""

    bid: Bid
    version: BidVersion
    commitment_ok: bool
    problem: str = ""
    content: dict | None = None
    documents: list | None = None  # [(manifest entry, plaintext bytes, hash ok)]


def _decrypt_one(bid: Bid, *, tender: Tender, private_key, closing: TenderClosing | None, reserve_rules) -> _Opened:
    """The checks of sealclient.rules.bid_open (the verifier runs the same), plus the closing list."""
    version = bid.current_version
    opened = bid_open(
        private_key=bytes(private_key),
        ciphertexts=version.ciphertexts(),
        stored_commitment=version.commitment,
        tender_reference=tender.reference,
        supplier_id=version.supplier_id,
        version=version.number,
        currency=tender.currency,
        reserve_rules=reserve_rules,
    )
    if opened.commitment_ok and closing is not None and version.commitment not in closing.commitments:
        opened = OpenedContent(False, Problem("commitment_not_published"))
    return _Opened(
        bid, version, opened.commitment_ok, problem_message(opened.problem), opened.content, opened.documents or None
    )


def _planned_price(tender: Tender, private_key, opened: list[_Opened]) -> dict:
    """Reserve prices, pick counts, planned and floor price (floor-rate method), for the record."""
    params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    floor_rate = Decimal(params["floor_rate"])
    # Refuses (DomainError) without a draw, or when it fails its commitment or its slices: the
    # planned price never silently falls back to the base price.
    values = reserve_values_unseal(tender=tender, private_key=private_key)
    picks = [o.content["reserve_picks"] for o in opened if o.commitment_ok and not o.problem]
    result = planned_price_compute(values=values, picks=picks, averaged=params["picks_averaged"])
    return {
        "planned_price": result.planned_price,
        "floor_rate": floor_rate,
        "floor_price": floor_price_compute(planned_price=result.planned_price, floor_rate=floor_rate),
        "reserve_prices": [
            {
                "number": number,
                "value": str(values[number - 1]),
                "picks": result.pick_counts[number],
                "chosen": number in result.chosen,
            }
            for number in range(1, len(values) + 1)
        ],
    }


def _open_locked(tender: Tender, *, actor) -> OpeningRecord:
    closing = TenderClosing.objects.filter(tender=tender).first()
    # The tender key from k custodians' shares; refuses before the opening time and without a quorum.
    private_key = opening_private_key(tender)
    reserve_count, picks_required = reserve_pick_rules(tender)
    reserve_rules = (reserve_count, picks_required) if reserve_count else None
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).select_related("current_version").order_by("pk")
    )
    withdrawn = Bid.objects.filter(tender=tender, status=Bid.Status.WITHDRAWN).count()
    total = len(bids)
    record = OpeningRecord.objects.create(
        tender=tender,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        evaluation_method=tender.evaluation_method,
        currency=tender.currency,
        bid_count=total,
        withdrawn_count=withdrawn,
    )
    _progress(tender.pk, 0, total)
    opened: list[_Opened] = []
    rows: dict[int, OpenedBid] = {}
    for done, bid in enumerate(bids, start=1):
        item = _decrypt_one(bid, tender=tender, private_key=private_key, closing=closing, reserve_rules=reserve_rules)
        opened.append(item)
        rows[bid.pk] = _store_opened(record, item, tender=tender)
        _progress(tender.pk, done, total)
    return _rank_and_finish(
        tender, record, opened=opened, rows=rows, private_key=private_key, reserve_rules=reserve_rules, actor=actor
    )


def _rank_and_finish(
    tender: Tender,
    record: OpeningRecord,
    *,
    opened: list[_Opened],
    rows: dict[int, OpenedBid],
    private_key,
    reserve_rules,
    actor,
    action: str = "bid.open_all",
    extra: dict | None = None,
    before_status: str = Bid.Status.SUBMITTED,
    before_outcome: str | None = None,
) -> OpeningRecord:
    """Planned price, ranking, the record's figures, the audit entry and the tender's next status.

    Shared by the one-envelope opening and the price stage of a two-envelope tender (whose `opened`
    and `rows` are then the price envelopes of the technically compliant bids only).
    """
    # Consortium and bid security, checked outside the sealed content (docs/architecture.md §10).
    rejected = _rules_rejections(tender, opened, rows)
    summary = _planned_price(tender, private_key, opened) if reserve_rules else {}
    planned = summary.get("planned_price")
    reference = planned if planned is not None else tender.estimated_value
    candidates = [
        Candidate(
            bid_id=o.bid.pk,
            price=Decimal(o.content["price"]) if o.commitment_ok and not o.problem else None,
            usable=o.commitment_ok and not o.problem and o.bid.pk not in rejected,
            outcome=rejected[o.bid.pk][0]
            if o.bid.pk in rejected
            else OpenedBid.Outcome.RANKED
            if o.commitment_ok and not o.problem
            else (OpenedBid.Outcome.COMMITMENT_FAILED if not o.commitment_ok else OpenedBid.Outcome.INVALID),
        )
        for o in opened
    ]
    evaluation_policy(tender.evaluation_method).ranking.rank(
        candidates, planned_price=planned, floor_price=summary.get("floor_price")
    )
    for candidate in candidates:
        row = rows[candidate.bid_id]
        row.outcome = candidate.outcome
        row.rank = candidate.rank
        row.tied = candidate.tied
        if row.price is not None and reference:
            row.price_ratio = (row.price * 100 / reference).quantize(Decimal("0.0001"))
    OpenedBid.objects.bulk_update(rows.values(), ["outcome", "rank", "tied", "price_ratio", "problem"])

    valid = sum(1 for c in candidates if c.outcome == OpenedBid.Outcome.RANKED)
    record.valid_count = valid
    record.reference_price = reference
    record.planned_price = planned
    record.floor_rate = summary.get("floor_rate")
    record.floor_price = summary.get("floor_price")
    record.reserve_prices = summary.get("reserve_prices", [])
    record.outcome = OpeningRecord.Outcome.OPENED if valid else OpeningRecord.Outcome.UNSUCCESSFUL
    record.private_key = bytes(private_key)
    record.save()
    entry = audit_record(
        actor=actor,
        action=action,
        obj=record,
        data={
            "tender": tender.pk,
            "bids": [
                {
                    "bid": row.bid_id,
                    "commitment": row.commitment,
                    "commitment_ok": row.commitment_ok,
                    "outcome": row.outcome,
                    "price": row.price,
                    "rank": row.rank,
                    **({"rejected": row.problem} if row.bid_id in rejected else {}),
                }
                for row in rows.values()
            ],
            "planned_price": planned,
            "floor_price": record.floor_price,
            **(extra or {}),
        },
        # Every bid moved on by this opening, before and after: the database accepts the bids'
        # changes because this entry names them (procurement migration 0005).
        related={
            "bidding.bid": {
                o.bid.pk: {
                    "status": (
                        before_status,
                        Bid.Status.DISQUALIFIED if o.bid.pk in rejected else _opened_status(o),
                    ),
                    "outcome": (before_outcome, rows[o.bid.pk].outcome),
                    "rank": (None, rows[o.bid.pk].rank),
                }
                for o in opened
            }
        },
    )
    transparency_request_head(after=entry)
    if valid:
        tender_set_status(
            tender=tender,
            to=Tender.Status.OPENED,
            actor=actor,
            data={"bids": record.bid_count, "valid": valid},
            next_check=None,
        )
    else:
        tender_mark_unsuccessful(
            tender=tender,
            actor=actor,
            reason=_("No valid bid was received (%(count)s opened).") % {"count": record.bid_count},
        )
    return record


def _rules_rejections(tender: Tender, opened: list[_Opened], rows: dict[int, OpenedBid]) -> dict[int, tuple]:
    """Consortium and bid-security rules on every readable bid at once; rejected bids are disqualified
    with the public reason, and a rejected security is marked so (bidding.opening_rules)."""
    ruled = [
        RuledBid(o.bid.pk, o.bid.supplier_id, o.bid.consortium_id, rows[o.bid.pk].price)
        for o in opened
        if o.commitment_ok and not o.problem
    ]
    rejected = opening_rejections(tender=tender, bids=ruled)
    if not rejected:
        return {}
    for bid_id, (_outcome, reason) in rejected.items():
        rows[bid_id].problem = reason
        Bid.objects.filter(pk=bid_id, status=Bid.Status.OPENED).update(
            status=Bid.Status.DISQUALIFIED, status_reason=reason, status_changed_at=ClockTimestamp()
        )
        if _outcome == OpenedBid.Outcome.SECURITY_REJECTED:
            BidSecurity.objects.filter(
                tender=tender, supplier_id=rows[bid_id].supplier_id, status=BidSecurity.Status.HELD
            ).update(status=BidSecurity.Status.REJECTED, status_reason=reason)
        # The bidder (a consortium's members too) learns why, beyond the public record.
        notify(
            event="bid.rejected_at_opening",
            recipients=company_users(_bidder_companies(rows[bid_id])),
            template="bid_rejected_at_opening",
            context={"tender": tender, "reason": reason},
            link=reverse("bidding:opening", args=[tender.pk]),
        )
    return rejected


def _bidder_companies(row: OpenedBid) -> list[int]:
    consortium_id = row.bid.consortium_id
    if consortium_id is None:
        return [row.supplier_id]
    return list(ConsortiumMember.objects.filter(consortium_id=consortium_id).values_list("supplier_id", flat=True))


def _opened_status(item: _Opened) -> str:
    return Bid.Status.OPENED if item.commitment_ok else Bid.Status.DISQUALIFIED


def _store_opened(
    record: OpeningRecord, item: _Opened, *, tender: Tender, usable_outcome: str = OpenedBid.Outcome.RANKED
) -> OpenedBid:
    """Write one opened bid and move its Bid on (opened, or disqualified when its commitment failed).

    A technical envelope (two-envelope tenders) has no price: the row waits for the price stage.
    """
    content = item.content or {}
    usable = item.commitment_ok and not item.problem
    priced = usable and "price" in content
    row = OpenedBid.objects.create(
        opening=record,
        bid=item.bid,
        supplier_id=item.bid.supplier_id,
        version=item.version,
        commitment=item.version.commitment,
        commitment_ok=item.commitment_ok,
        outcome=usable_outcome
        if usable
        else (OpenedBid.Outcome.COMMITMENT_FAILED if not item.commitment_ok else OpenedBid.Outcome.INVALID),
        problem=item.problem,
        price=Decimal(content["price"]) if priced else None,
        price_commitment=item.version.price_commitment,
        currency=tender.currency,
        price_lines=content.get("lines", []) if usable else [],
        declarations=content.get("declarations", {}) if usable else {},
        reserve_picks=content.get("reserve_picks", []) if usable else [],
        submitted_at=item.version.submitted_at,
    )
    if item.documents:
        OpenedDocument.objects.bulk_create(
            OpenedDocument(
                opened_bid=row,
                position=entry.get("position", index),
                name=str(entry.get("name", ""))[:255],
                content_type=str(entry.get("content_type", ""))[:120],
                size=len(data),
                sha256=str(entry.get("sha256", ""))[:64],
                content=data,
                hash_ok=ok,
            )
            for index, (entry, data, ok) in enumerate(item.documents)
        )
    new_status = _opened_status(item)
    # One row at a time, in bid order: each bid moves on together with its opened record.
    Bid.objects.filter(pk=item.bid.pk).update(
        status=new_status,
        status_reason="" if item.commitment_ok else item.problem,
        status_changed_at=ClockTimestamp(),
    )
    return row


def bid_open_all(*, tender_id: int, actor=None) -> OpeningRecord:
    """Open every sealed bid of a tender, once. Safe to call again, concurrently, or after a crash.

    - FOR UPDATE on the tender: waits for submissions in flight; a concurrent second call waits
      here, then returns the first call's record.
    - A tender whose deadline passed but that was never closed (scheduler down) is closed first.
    - Refuses (TooEarly) before the opening time by the database clock, and (QuorumMissing) while
      fewer than k custodians' shares recombine to the tender's key.
    - Decrypts the current version of every bid not withdrawn, verifies each commitment (a mismatch
      or a ciphertext that does not decrypt is flagged and left out of the ranking), ranks under the
      tender's evaluation method, stores the record and moves the tender to opened (or unsuccessful
      when no bid is valid) — all in one transaction.
    """
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        existing = OpeningRecord.objects.filter(tender=tender).first()
        if existing is not None:
            return existing
        if not opening_time_reached(tender.pk):
            raise TooEarly(_("The bids of this tender cannot be opened before its opening time."))
        if tender.status == Tender.Status.PUBLISHED:
            _close_locked(tender, actor=actor)
            tender.refresh_from_db()
        if tender.status != Tender.Status.CLOSED:
            raise Conflict(
                _("Only a closed tender can be opened (this one is “%(status)s”).")
                % {"status": tender.get_status_display()},
                code="not_closed",
            )
        if tender.envelopes == 2:
            from .envelopes import technical_open_locked  # the two-envelope stages build on this module

            record = technical_open_locked(tender, actor=actor)
        else:
            record = _open_locked(tender, actor=actor)
    _progress(tender_id, record.bid_count, record.bid_count)
    return record


__all__ = ["QuorumMissing", "TooEarly", "bid_close_tender", "bid_open_all"]
