"""Running the rules and storing their flags; reviews; where bids came from.

Flags never block a procedure: nothing here is called by another app's transaction, except
`bid_origin_writer`'s one INSERT of keyed hashes, which the submission runs as its last write.
"""

import hashlib
import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from procurement.audit import audit_record
from procurement.client_address import client_address
from procurement.errors import Invalid

from .indicators import Indicator, all_rules, rules_for_stage
from .models import BidOrigin, Flag, RuleRun, Stage, TenderCheck

logger = logging.getLogger(__name__)

# Any constant: the advisory lock that keeps two sweeps (or a sweep and the nightly run) apart.
_RUN_LOCK_KEY = 0x494E5447  # "INTG"


# --- running rules -----------------------------------------------------------------------------------


def _store(rule: Indicator, findings, *, run_started) -> list[int]:
    """Upsert the findings as flags (same key: same flag) and link their tenders and suppliers."""
    if not findings:
        return []
    values = [
        (
            rule.id,
            rule.stage,
            f.key,
            f.tender_id,
            f.entity_id,
            f.value,
            f.threshold,
            _json(f.evidence),
            f.occurred_at,
            run_started,
            run_started,
            Flag.Review.OPEN,
            "",
        )
        for f in findings
    ]
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor,
            """INSERT INTO integrity_flag (rule, stage, key, tender_id, entity_id, value, threshold, evidence,
                                           occurred_at, detected_at, updated_at, review, review_note)
               VALUES %s
               ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, threshold = EXCLUDED.threshold,
                   evidence = EXCLUDED.evidence, occurred_at = EXCLUDED.occurred_at,
                   updated_at = EXCLUDED.updated_at, cleared_at = NULL
               RETURNING id, key""",
            values,
            template="(%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s)",
            page_size=1000,
            fetch=True,
        )
        ids = {key: pk for pk, key in returned}
        flag_ids = list(ids.values())
        cursor.execute("DELETE FROM integrity_flag_tenders WHERE flag_id = ANY(%s)", [flag_ids])
        cursor.execute("DELETE FROM integrity_flag_suppliers WHERE flag_id = ANY(%s)", [flag_ids])
        tender_links = {(ids[f.key], t) for f in findings for t in (*f.tender_ids, f.tender_id) if t}
        supplier_links = {(ids[f.key], s) for f in findings for s in f.supplier_ids}
        if tender_links:
            execute_values(
                cursor, "INSERT INTO integrity_flag_tenders (flag_id, tender_id) VALUES %s", sorted(tender_links),
                page_size=5000,
            )  # fmt: skip
        if supplier_links:
            execute_values(
                cursor, "INSERT INTO integrity_flag_suppliers (flag_id, supplier_id) VALUES %s",
                sorted(supplier_links), page_size=5000,
            )  # fmt: skip
    return flag_ids


def _json(value) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def rule_run(*, rule: Indicator, tender_ids: list[int] | None = None) -> RuleRun:
    """Run one rule over some tenders (None: over everything) and store what it finds.

    Flags of the rule in that scope that this run did not find again are cleared, not deleted.
    """
    scope_ids = tender_ids if rule.per_tender else None
    started = timezone.now()
    began = time.perf_counter()
    with transaction.atomic():
        findings = rule.find(tender_ids=scope_ids)
        _store(rule, findings, run_started=started)
        stale = Flag.objects.filter(rule=rule.id, cleared_at__isnull=True, updated_at__lt=started)
        if scope_ids is not None:
            stale = stale.filter(tender_id__in=scope_ids)
        cleared = stale.update(cleared_at=started)
        return RuleRun.objects.create(
            rule=rule.id,
            scope="all" if scope_ids is None else f"tenders:{len(scope_ids)}",
            started_at=started,
            seconds=time.perf_counter() - began,
            found=len(findings),
            cleared=cleared,
        )


def rules_run_stage(*, stage: str, tender_ids: list[int] | None = None) -> list[RuleRun]:
    # One commit for the stage: each rule's query takes milliseconds for a few tenders, a commit more.
    with transaction.atomic():
        return [rule_run(rule=rule, tender_ids=tender_ids) for rule in rules_for_stage(stage)]


def _try_run_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
        return cursor.fetchone()[0]


def _release_run_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [_RUN_LOCK_KEY])


def integrity_due(*, limit: int = 500) -> dict[str, list[int]]:
    """Tenders whose publication, opening or public award the rules have not looked at yet."""
    from bidding.models import OpeningRecord
    from contracts.models import Award
    from tenders.models import Tender

    checks = TenderCheck.objects.filter(tender=OuterRef("pk"))
    published = (
        Tender.objects.filter(published_at__isnull=False)
        .exclude(status__in=Tender.PRIVATE_STATUSES)
        .exclude(Exists(checks.filter(published_at__isnull=False)))
        .order_by("published_at")
        .values_list("pk", flat=True)[:limit]
    )
    opened = (
        Tender.objects.filter(Exists(OpeningRecord.objects.filter(tender=OuterRef("pk"))))
        .exclude(Exists(checks.filter(opened_at__isnull=False)))
        .values_list("pk", flat=True)[:limit]
    )
    live_award = Award.objects.filter(tender=OuterRef("pk"), status__in=[Award.Status.STANDSTILL, Award.Status.FINAL])
    awarded = (
        Tender.objects.filter(Exists(live_award))
        .exclude(Exists(checks.filter(award_id__in=live_award.values("pk"))))
        .values_list("pk", flat=True)[:limit]
    )
    return {Stage.DRAFTING: list(published), Stage.OPENING: list(opened), Stage.AWARD: list(awarded)}


def integrity_sweep(*, limit: int = 500) -> dict[str, int]:
    """Run the tender-level rules for what was published, opened or awarded since the last sweep.

    Needs no hook in the other apps: it reads their committed rows. Safe to run twice (flags are
    upserted by key); a second sweep running at the same moment returns at once.
    """
    from contracts.models import Award

    if not _try_run_lock():
        return {}
    try:
        due = integrity_due(limit=limit)
        done = {}
        for stage, tender_ids in due.items():
            if not tender_ids:
                continue
            rules_run_stage(stage=stage, tender_ids=tender_ids)
            now = timezone.now()
            if stage == Stage.AWARD:
                awards = dict(
                    Award.objects.filter(
                        tender_id__in=tender_ids, status__in=[Award.Status.STANDSTILL, Award.Status.FINAL]
                    ).values_list("tender_id", "pk")
                )
                rows = [TenderCheck(tender_id=t, award_id=awards.get(t)) for t in tender_ids]
                fields = ["award_id"]
            else:
                column = "published_at" if stage == Stage.DRAFTING else "opened_at"
                rows = [TenderCheck(tender_id=t, **{column: now}) for t in tender_ids]
                fields = [column]
            TenderCheck.objects.bulk_create(rows, update_conflicts=True, unique_fields=["tender"], update_fields=fields)
            done[stage] = len(tender_ids)
        return done
    finally:
        _release_run_lock()


def integrity_run_all() -> list[RuleRun]:
    """Every rule over every record: the nightly run (portfolio rules need the whole picture; the
    tender-level rules are re-run too, so a changed threshold reaches old tenders)."""
    if not _try_run_lock():
        logger.info("integrity: another run holds the lock; nightly run skipped")
        return []
    try:
        return [rule_run(rule=rule) for rule in all_rules()]
    finally:
        _release_run_lock()


# --- reviews -----------------------------------------------------------------------------------------


def flag_review(*, flag: Flag, actor, outcome: str, note: str) -> Flag:
    """An auditor's review of a flag, with a note; audited. A flag can be reviewed again (new note)."""
    note = (note or "").strip()
    if outcome not in Flag.Review.values or outcome == Flag.Review.OPEN:
        raise Invalid(_("Choose the outcome of the review."), field="outcome")
    if not note:
        raise Invalid(_("Write a note: what you checked and what you found."), field="note")
    with transaction.atomic():
        # The row lock keeps two auditors' reviews from interleaving with their audit entries.
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        previous = flag.review
        flag.review = outcome
        flag.review_note = note
        flag.reviewed_by = actor
        flag.reviewed_at = timezone.now()
        flag.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="integrity.flag_reviewed",
            obj=flag,
            data={
                "rule": flag.rule,
                "key": flag.key,
                "changes": {"review": {"from": previous, "to": outcome}},
                "note": note,
            },
        )
    return flag


# --- where bids came from ------------------------------------------------------------------------------


def _keyed(value: str) -> str:
    return hmac.new(settings.INTEGRITY_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def client_network(request) -> str:
    """The network a bid came from: the client's address as the portal knows it everywhere
    (procurement.client_address, behind TRUSTED_PROXY_COUNT proxies), IPv6 cut to its /64 (one
    household or office network)."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


FINGERPRINT_HEADERS = (
    "HTTP_USER_AGENT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
)


def client_fingerprint(request) -> tuple[str, str]:
    """(fingerprint text, source). A page may send one it computed (a hidden `client_fingerprint`
    field or an `X-Client-Fingerprint` header); otherwise the browser's identifying headers."""
    sent = (request.headers.get("X-Client-Fingerprint") or request.POST.get("client_fingerprint") or "").strip()
    if sent:
        return sent[:512], "client"
    return "|".join(request.META.get(h, "") for h in FINGERPRINT_HEADERS), "headers"


def bid_origin_record(*, request, version) -> None:
    """Keep keyed hashes of where a bid version was sent from, after the fact (a caller that could
    not pass `bid_origin_writer` to the submission); a failure is logged, never raised."""
    write = bid_origin_writer(request)
    if write is None:
        return
    try:
        write(version)
    except DatabaseError:
        logger.exception("integrity: could not record the origin of bid version %s", version.pk)


def bid_origin_writer(request):
    """What `bidding.services.bid_submit(also=...)` calls inside the bid's own transaction: one
    INSERT of keyed hashes computed here, before the transaction (a retried submission keeps the
    first origin). None when the hashes cannot be made: the bid is never refused for it."""
    try:
        fingerprint, source = client_fingerprint(request)
        network_hash = _keyed(f"net|{client_network(request)}")
        fingerprint_hash = _keyed(f"fp|{fingerprint}")
    except Exception:  # a misconfigured key costs the origin, never the bid
        logger.exception("integrity: could not hash the origin of a bid")
        return None

    def write(version) -> None:
        BidOrigin.objects.bulk_create(
            [
                BidOrigin(
                    version_id=version.pk,
                    tender_id=version.tender_id,
                    supplier_id=version.supplier_id,
                    network_hash=network_hash,
                    fingerprint_hash=fingerprint_hash,
                    fingerprint_source=source,
                )
            ],
            ignore_conflicts=True,
        )

    return write
