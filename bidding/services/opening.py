"""Closing a tender at its deadline and opening its bids at the opening time — exactly once.

Both services lock the tender FOR UPDATE first (tenders.selectors.tender_for_update), so they wait
for every submission in flight (those hold FOR KEY SHARE) and two openings never run side by side:
the second waits, then finds the first one's record and returns it. Opening is one transaction: a
worker killed half-way leaves nothing behind, and the next attempt (redelivered task, the sweep,
an official's "Open now", the open_overdue_tenders command) does the whole job.
"""

import json
import logging
from collections import defaultdict, namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BigIntegerField, Case, OuterRef, Subquery, Sum, TextField, Value, When
from django.db.models.functions import Coalesce, Length
from django.urls import reverse
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

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
    BidDocument,
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


# Bids are opened in batches (settings.OPENING_BATCH_BIDS / _BYTES; docs/architecture.md, "Opening"):
# per batch one read of the sealed bytes, one of the documents, one insert of the opened rows (and
# one of their documents), one status update per outcome and one progress write — a handful of
# statements per batch instead of several per bid. The byte bound keeps memory flat with large documents.


@dataclass
class _Opened:
    """One bid as decrypted, before ranking (the one-envelope opening holds it for its batch only)."""

    bid: Bid
    version: BidVersion
    commitment_ok: bool
    problem: str = ""
    content: dict | None = None
    documents: list | None = None  # [(manifest entry, plaintext bytes, hash ok)]

    @property
    def usable(self) -> bool:
        return self.commitment_ok and not self.problem


@dataclass
class _Row:
    """What ranking, the record and the audit entry need of an opened bid once it is stored."""

    pk: int
    bid_id: int
    commitment: str
    commitment_ok: bool
    outcome: str
    price: Decimal | None
    reserve_picks: list
    status: str  # the bid's status after opening
    rank: int | None = None
    tied: bool = False
    price_ratio: Decimal | None = None
    rejected: bool = False  # set aside for its consortium or bid security (opening_rules)

    @property
    def usable(self) -> bool:
        return self.price is not None and not self.rejected


# What the one-envelope opening reads of a bid and its current version: tuples, not model instances
# (building 10,000 instances was a good part of opening 5,000 bids). Same attribute names as the models.
_VersionRef = namedtuple("_VersionRef", "pk commitment price_commitment supplier_id number submitted_at")
_BidRef = namedtuple("_BidRef", "pk supplier_id current_version_id sealed_bytes current_version")


def _bids_to_open(tender: Tender) -> list[_BidRef]:
    """Every bid not withdrawn, in bid order, with its current version but not its sealed bytes
    (read batch by batch); `sealed_bytes` is the size of the content and documents, for batching."""
    documents = (
        BidDocument.objects.filter(version=OuterRef("current_version"))
        .order_by()
        .values("version")
        .annotate(total=Sum("ciphertext_size"))
        .values("total")
    )
    rows = (
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED)
        .annotate(
            sealed_bytes=Length("current_version__sealed_content")
            + Coalesce(Subquery(documents, output_field=BigIntegerField()), 0)
        )
        .order_by("pk")
        .values_list(
            "pk",
            "supplier_id",
            "current_version_id",
            "sealed_bytes",
            "current_version__commitment",
            "current_version__price_commitment",
            "current_version__supplier_id",
            "current_version__number",
            "current_version__submitted_at",
        )
    )
    return [
        _BidRef(pk, supplier_id, version_id, size, _VersionRef(version_id, *version))
        for pk, supplier_id, version_id, size, *version in rows
    ]


def _batches(bids: list[_BidRef]):
    batch: list[_BidRef] = []
    size = 0
    most_bids, most_bytes = settings.OPENING_BATCH_BIDS, settings.OPENING_BATCH_BYTES
    for bid in bids:
        full = len(batch) >= most_bids or size + bid.sealed_bytes > most_bytes
        if batch and full:
            yield batch
            batch, size = [], 0
        batch.append(bid)
        size += bid.sealed_bytes
    if batch:
        yield batch


def _ciphertexts(batch: list[_BidRef]) -> dict[int, list[bytes]]:
    """version id → every ciphertext its commitment covers: the content, then each document by position."""
    version_ids = [bid.current_version_id for bid in batch]
    # The ids as one array parameter (the ORM's `__in` prepares every id on its own).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sealed_content FROM {BidVersion._meta.db_table} WHERE id = ANY(%s::bigint[])",  # noqa: S608 - the model's own table
            [version_ids],
        )
        found = {pk: [bytes(content)] for pk, content in cursor.fetchall()}
        cursor.execute(
            f"SELECT version_id, ciphertext FROM {BidDocument._meta.db_table}"  # noqa: S608 - the model's own table
            " WHERE version_id = ANY(%s::bigint[]) ORDER BY version_id, position",
            [version_ids],
        )
        for version_id, ciphertext in cursor.fetchall():
            found[version_id].append(bytes(ciphertext))
    return found


def _decrypt_one(
    bid: _BidRef,
    ciphertexts: list[bytes],
    *,
    tender: Tender,
    private_key: bytes,
    published: set[str] | None,
    reserve_rules,
) -> _Opened:
    """The checks of sealclient.rules.bid_open (the verifier runs the same), plus the closing list."""
    version = bid.current_version
    opened = bid_open(
        private_key=private_key,
        ciphertexts=ciphertexts,
        stored_commitment=version.commitment,
        tender_reference=tender.reference,
        supplier_id=version.supplier_id,
        version=version.number,
        currency=tender.currency,
        reserve_rules=reserve_rules,
    )
    if opened.commitment_ok and published is not None and version.commitment not in published:
        opened = OpenedContent(False, Problem("commitment_not_published"))
    return _Opened(
        bid, version, opened.commitment_ok, problem_message(opened.problem), opened.content, opened.documents or None
    )


def _opened_bid(
    record: OpeningRecord, item: _Opened, *, tender: Tender, usable_outcome: str = OpenedBid.Outcome.RANKED
) -> dict:
    """The opened row's values by attribute name (the other columns take the model's defaults). An
    unusable bid's row is final; a usable one is ranked afterwards — or, for a technical envelope
    (two-envelope tenders, no price), waits for the price stage."""
    content = item.content or {}
    usable = item.usable
    if usable:
        outcome = usable_outcome
    elif item.commitment_ok:
        outcome = OpenedBid.Outcome.INVALID
    else:
        outcome = OpenedBid.Outcome.COMMITMENT_FAILED
    version = item.version
    return {
        "opening_id": record.pk,
        "bid_id": item.bid.pk,
        "supplier_id": item.bid.supplier_id,
        "version_id": version.pk,
        "commitment": version.commitment,
        "commitment_ok": item.commitment_ok,
        "outcome": outcome,
        "problem": item.problem,
        "price": Decimal(content["price"]) if usable and "price" in content else None,
        "price_commitment": version.price_commitment,
        "currency": tender.currency,
        "price_lines": content.get("lines", []) if usable else [],
        "declarations": content.get("declarations", {}) if usable else {},
        "reserve_picks": content.get("reserve_picks", []) if usable else [],
        "submitted_at": version.submitted_at,
    }


def _opened_documents(pks: list[int], items: list[_Opened]) -> None:
    _values_insert(
        OpenedDocument,
        [
            {
                "opened_bid_id": pk,
                "position": entry.get("position", index),
                "name": str(entry.get("name", ""))[:255],
                "content_type": str(entry.get("content_type", ""))[:120],
                "size": len(data),
                "sha256": str(entry.get("sha256", ""))[:64],
                "content": data,
                "hash_ok": ok,
            }
            for pk, item in zip(pks, items, strict=True)
            for index, (entry, data, ok) in enumerate(item.documents or ())
        ],
        prepare=True,
    )


def _bids_move_on(items: list[_Opened]) -> None:
    """Opened, or disqualified with the reason when the commitment failed: one UPDATE per outcome
    (the ids as one array parameter: the ORM's `pk__in` prepares every id on its own)."""
    moves: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in items:
        moves[(_opened_status(item), "" if item.commitment_ok else item.problem)].append(item.bid.pk)
    with connection.cursor() as cursor:
        for (status, reason), bid_ids in moves.items():
            cursor.execute(
                f"UPDATE {Bid._meta.db_table} SET status = %s, status_reason = %s,"  # noqa: S608 - the model's own table
                " status_changed_at = clock_timestamp() WHERE id = ANY(%s::bigint[])",
                [status, reason, bid_ids],
            )


def _values_insert(model, rows: list[dict], *, prepare: bool = False) -> list[int]:
    """`bulk_create` for the opening's big batches, in one INSERT … RETURNING id, from each row's
    values by attribute name and without model instances or the ORM's per-value preparation (which
    were most of an opening's own time): a column not given takes the field's default, values go as
    psycopg2 adapts them, JSON columns through the field (every column with `prepare`, for values
    taken from a bidder's content, as the ORM would). Same rows; returns their ids in order."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if any(f.has_db_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
        return [obj.pk for obj in model.objects.bulk_create(model(**row) for row in rows)]  # the ORM's way
    db = connections[DEFAULT_DB_ALIAS]  # the real connection once, not the proxy per value
    names = [f.attname for f in fields]
    if not prepare and not any(getattr(f, "encoder", None) for f in fields):
        return _columns_insert(model, fields, rows, db)
    prepared = {f.attname: f for f in fields if prepare or f.get_internal_type() == "JSONField"}
    defaults = {f.attname: f.get_default() for f in fields}
    values = []
    for row in rows:
        line = []
        for name in names:
            value = row[name] if name in row else defaults[name]
            line.append(prepared[name].get_db_prep_save(value, db) if name in prepared else value)
        values.append(tuple(line))
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    with db.cursor() as cursor:
        ids = execute_values(
            cursor.cursor,
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES %s RETURNING id",  # noqa: S608 - the model's own table
            values,
            page_size=len(values),
            fetch=True,
        )
    return [pk for (pk,) in ids]


def _columns_insert(model, fields: list, rows: list[dict], db) -> list[int]:
    """`_values_insert` as one array per column (INSERT … SELECT FROM unnest): psycopg2 adapts each
    array in one go instead of formatting every row (JSON as text, as Django's adapter dumps it)."""
    columns, params = [], []
    for field in fields:
        name, default = field.attname, field.get_default()
        column = [row.get(name, default) for row in rows]
        if field.get_internal_type() == "JSONField":
            column = [None if value is None else json.dumps(value) for value in column]
        columns.append(field.column)
        params.append((column, field.db_type(db)))
    names = ", ".join(db.ops.quote_name(column) for column in columns)
    arrays = ", ".join(f"%s::{db_type}[]" for _column, db_type in params)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) SELECT {names} FROM unnest({arrays})"  # noqa: S608 - the model's own table
            f" WITH ORDINALITY AS v({names}, ord) ORDER BY ord RETURNING id",
            [column for column, _db_type in params],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _batch_store(
    record: OpeningRecord, items: list[_Opened], *, tender: Tender, usable_outcome: str = OpenedBid.Outcome.RANKED
) -> list[tuple[int, dict]]:
    """Insert a batch's opened rows and documents and move its bids on, in the opening's transaction.
    Returns each row's id and values."""
    rows = [_opened_bid(record, item, tender=tender, usable_outcome=usable_outcome) for item in items]
    pks = _values_insert(OpenedBid, rows)
    _opened_documents(pks, items)
    _bids_move_on(items)
    return list(zip(pks, rows, strict=True))


def _store_opened(
    record: OpeningRecord, item: _Opened, *, tender: Tender, usable_outcome: str = OpenedBid.Outcome.RANKED
) -> OpenedBid:
    """One bid alone (the two-envelope technical stage): the batch path with a batch of one."""
    ((pk, values),) = _batch_store(record, [item], tender=tender, usable_outcome=usable_outcome)
    row = OpenedBid(id=pk, **values)
    row._state.adding, row._state.db = False, DEFAULT_DB_ALIAS
    return row


def _row(pk: int, values: dict, item: _Opened) -> _Row:
    return _Row(
        pk,
        values["bid_id"],
        values["commitment"],
        values["commitment_ok"],
        values["outcome"],
        values["price"],
        values["reserve_picks"],
        _opened_status(item),
    )


def _planned_price(tender: Tender, private_key, rows: list[_Row]) -> dict:
    """Reserve prices, pick counts, planned and floor price (floor-rate method), for the record."""
    params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    floor_rate = Decimal(params["floor_rate"])
    # Refuses (DomainError) without a draw, or when it fails its commitment or its slices: the
    # planned price never silently falls back to the base price.
    values = reserve_values_unseal(tender=tender, private_key=private_key)
    picks = [row.reserve_picks for row in rows if row.usable]
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


def _rank(tender: Tender, rows: list[_Row], *, planned, floor, reference) -> None:
    """Outcome, rank, tie and ratio to the reference price of every row, in memory."""
    candidates = [Candidate(bid_id=row.pk, price=row.price, usable=row.usable, outcome=row.outcome) for row in rows]
    evaluation_policy(tender.evaluation_method).ranking.rank(candidates, planned_price=planned, floor_price=floor)
    for row, candidate in zip(rows, candidates, strict=True):
        row.outcome, row.rank, row.tied = candidate.outcome, candidate.rank, candidate.tied
        if row.price is not None and reference:
            row.price_ratio = (row.price * 100 / reference).quantize(Decimal("0.0001"))


def _ranking_store(rows: list[_Row]) -> None:
    """Outcome, rank, tie and ratio of the given rows in one UPDATE."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OpenedBid._meta.db_table} AS o"  # noqa: S608 - the table name is the model's own
            " SET outcome = v.outcome, rank = v.rank, tied = v.tied, price_ratio = v.price_ratio"
            " FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::boolean[], %s::numeric[])"
            " AS v(id, outcome, rank, tied, price_ratio) WHERE o.id = v.id",
            [
                [row.pk for row in rows],
                [row.outcome for row in rows],
                [row.rank for row in rows],
                [row.tied for row in rows],
                [row.price_ratio for row in rows],
            ],
        )


def _open_locked(tender: Tender, *, actor) -> OpeningRecord:
    closing = TenderClosing.objects.filter(tender=tender).first()
    published = set(closing.commitments) if closing is not None else None
    # The tender key from k custodians' shares; refuses before the opening time and without a quorum.
    private_key = opening_private_key(tender)
    key = bytes(private_key)
    reserve_count, picks_required = reserve_pick_rules(tender)
    reserve_rules = (reserve_count, picks_required) if reserve_count else None
    bids = _bids_to_open(tender)
    total = len(bids)
    record = OpeningRecord.objects.create(
        tender=tender,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        evaluation_method=tender.evaluation_method,
        currency=tender.currency,
        bid_count=total,
        withdrawn_count=Bid.objects.filter(tender=tender, status=Bid.Status.WITHDRAWN).count(),
    )
    _progress(tender.pk, 0, total)
    rows: list[_Row] = []
    for batch in _batches(bids):
        ciphertexts = _ciphertexts(batch)
        items = [
            _decrypt_one(
                bid,
                ciphertexts[bid.current_version_id],
                tender=tender,
                private_key=key,
                published=published,
                reserve_rules=reserve_rules,
            )
            for bid in batch
        ]
        stored = _batch_store(record, items, tender=tender)
        rows.extend(_row(pk, values, item) for (pk, values), item in zip(stored, items, strict=True))
        _progress(tender.pk, len(rows), total)
    # The unusable rows were inserted final; only the usable ones change with the ranking.
    return _finish(tender, record, rows=rows, changed=[row for row in rows if row.usable], private_key=private_key,
                   reserve_rules=reserve_rules, actor=actor)  # fmt: skip


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
    """The price stage of a two-envelope tender: its `opened` and `rows` are the price envelopes of
    the technically compliant bids, whose rows exist already (every one is written again)."""
    ranked = []
    for item in opened:
        row = rows[item.bid.pk]
        usable = item.usable
        ranked.append(
            _Row(
                row.pk,
                row.bid_id,
                row.commitment,
                item.commitment_ok,
                OpenedBid.Outcome.RANKED
                if usable
                else (OpenedBid.Outcome.COMMITMENT_FAILED if not item.commitment_ok else OpenedBid.Outcome.INVALID),
                Decimal(item.content["price"]) if usable else None,
                item.content["reserve_picks"] if usable else [],
                _opened_status(item),
            )
        )
    return _finish(tender, record, rows=ranked, changed=ranked, private_key=private_key, reserve_rules=reserve_rules,
                   actor=actor, action=action, extra=extra, before_status=before_status,
                   before_outcome=before_outcome)  # fmt: skip


def _finish(
    tender: Tender,
    record: OpeningRecord,
    *,
    rows: list[_Row],
    changed: list[_Row],
    private_key,
    reserve_rules,
    actor,
    action: str = "bid.open_all",
    extra: dict | None = None,
    before_status: str = Bid.Status.SUBMITTED,
    before_outcome: str | None = None,
) -> OpeningRecord:
    """Planned price, ranking, the record's figures, the audit entry and the tender's next status."""
    summary = _planned_price(tender, private_key, rows) if reserve_rules else {}
    planned = summary.get("planned_price")
    reference = planned if planned is not None else tender.estimated_value
    # After the planned price (every readable bid's picks count, as the public verifier computes
    # it), before the ranking: the consortium and bid security, outside the sealed content.
    rejected = _rules_apply(tender, rows)
    _rank(tender, rows, planned=planned, floor=summary.get("floor_price"), reference=reference)
    _ranking_store(changed)

    valid = sum(1 for row in rows if row.outcome == OpenedBid.Outcome.RANKED)
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
                    **({"rejected": rejected[row.bid_id]} if row.bid_id in rejected else {}),
                }
                for row in rows
            ],
            "planned_price": planned,
            "floor_price": record.floor_price,
            **(extra or {}),
        },
        # Every bid moved on by this opening, before and after: the database accepts the bids'
        # changes because this entry names them (procurement migration 0005).
        related={
            "bidding.bid": {
                row.bid_id: {
                    "status": (before_status, row.status),
                    "outcome": (before_outcome, row.outcome),
                    "rank": (None, row.rank),
                }
                for row in rows
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


def _rules_apply(tender: Tender, rows: list[_Row]) -> dict[int, str]:
    """Run bidding.opening_rules on every readable bid at once; the rejected ones are set aside with
    their public reason (opened bid, bid, security) and their companies are told. {bid id: reason}."""
    readable = [row for row in rows if row.usable]
    if not readable:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, supplier_id, consortium_id FROM {Bid._meta.db_table} WHERE id = ANY(%s::bigint[])",  # noqa: S608 - the model's own table
            [[r.bid_id for r in readable]],
        )
        owners = {pk: (supplier_id, consortium_id) for pk, supplier_id, consortium_id in cursor.fetchall()}
    decided = opening_rejections(tender=tender, bids=[RuledBid(r.bid_id, *owners[r.bid_id], r.price) for r in readable])
    if not decided:
        return {}
    rejected = {bid_id: reason for bid_id, (_outcome, reason) in decided.items()}
    for row in readable:
        if row.bid_id in decided:
            row.outcome, row.rejected, row.status = decided[row.bid_id][0], True, Bid.Status.DISQUALIFIED

    def reason_by(field: str, key) -> Case:
        return Case(*(When(**{field: key(bid_id)}, then=Value(r)) for bid_id, r in rejected.items()),
                    output_field=TextField())  # fmt: skip

    by_bid = {row.bid_id: row for row in readable}
    OpenedBid.objects.filter(pk__in=[by_bid[b].pk for b in rejected]).update(
        problem=reason_by("pk", lambda b: by_bid[b].pk)
    )
    Bid.objects.filter(pk__in=list(rejected), status=Bid.Status.OPENED).update(
        status=Bid.Status.DISQUALIFIED, status_reason=reason_by("pk", lambda b: b), status_changed_at=ClockTimestamp()
    )
    short = [b for b, (outcome, _r) in decided.items() if outcome == OpenedBid.Outcome.SECURITY_REJECTED]
    if short:
        BidSecurity.objects.filter(
            tender=tender, supplier_id__in=[owners[b][0] for b in short], status=BidSecurity.Status.HELD
        ).update(
            status=BidSecurity.Status.REJECTED,
            status_reason=Case(
                *(When(supplier_id=owners[b][0], then=Value(rejected[b])) for b in short), output_field=TextField()
            ),
        )
    members = _consortium_companies([owners[b][1] for b in rejected if owners[b][1]])
    for bid_id, reason in rejected.items():
        supplier_id, consortium_id = owners[bid_id]
        # The bidder (every member of a consortium) learns why, beyond the public record.
        notify(
            event="bid.rejected_at_opening",
            recipients=company_users(members.get(consortium_id, [supplier_id])),
            template="bid_rejected_at_opening",
            context={"tender": tender, "reason": reason},
            link=reverse("bidding:opening", args=[tender.pk]),
        )
    return rejected


def _consortium_companies(consortium_ids: list[int]) -> dict[int, list[int]]:
    companies: dict[int, list[int]] = defaultdict(list)
    for consortium_id, supplier_id in ConsortiumMember.objects.filter(consortium_id__in=consortium_ids).values_list(
        "consortium_id", "supplier_id"
    ):
        companies[consortium_id].append(supplier_id)
    return companies


def _opened_status(item: _Opened) -> str:
    return Bid.Status.OPENED if item.commitment_ok else Bid.Status.DISQUALIFIED


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
