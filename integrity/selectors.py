"""Reads: the auditor's dashboard, a tender's public flags, draft warnings, charts' data."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .indicators import Indicator, rule_get, rules_for_stage
from .models import Flag, Stage


def flags_for_auditor(
    *,
    rule: str = "",
    entity_id: int | None = None,
    supplier_id: int | None = None,
    tender_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    review: str = "",
    include_cleared: bool = False,
) -> QuerySet[Flag]:
    flags = Flag.objects.select_related("tender", "entity", "reviewed_by")
    if not include_cleared:
        flags = flags.filter(cleared_at__isnull=True)
    if rule:
        flags = flags.filter(rule=rule)
    if entity_id:
        flags = flags.filter(Q(entity_id=entity_id) | Q(tender__entity_id=entity_id))
    if supplier_id:
        flags = flags.filter(Exists(Flag.suppliers.through.objects.filter(flag=OuterRef("pk"), supplier=supplier_id)))
    if tender_id:
        flags = flags.filter(Exists(Flag.tenders.through.objects.filter(flag=OuterRef("pk"), tender=tender_id)))
    if since:
        flags = flags.filter(occurred_at__date__gte=since)
    if until:
        flags = flags.filter(occurred_at__date__lte=until)
    if review:
        flags = flags.filter(review=review)
    return flags.order_by("-occurred_at", "-id")


def tender_award_is_public(tender) -> bool:
    from contracts.models import Award

    return Award.objects.filter(tender=tender, status__in=[Award.Status.STANDSTILL, Award.Status.FINAL]).exists()


def flags_public_for_tender(tender) -> list[Flag]:
    """The flags the public sees on a tender's page: none before its award is public."""
    if not tender.is_public or not tender_award_is_public(tender):
        return []
    return list(Flag.objects.filter(tenders=tender, cleared_at__isnull=True).order_by("stage", "rule", "id").distinct())


@dataclass(frozen=True)
class DraftWarning:
    rule: Indicator
    value: object
    threshold: object
    evidence: dict


def draft_warnings(tender) -> list[DraftWarning]:
    """The drafting-stage rules over a draft as it stands now (the draft changes, so nothing stored).
    `tender` may be a saved draft or the values of the form being edited (method, category,
    submission_deadline)."""
    warnings = []
    for rule in rules_for_stage(Stage.DRAFTING):
        result = rule.check_draft(tender)
        if result:
            warnings.append(DraftWarning(rule, result["value"], result["threshold"], result["evidence"]))
    return warnings


def flags_by_month(flags: QuerySet[Flag], *, months: int = 12) -> list[tuple[date, int]]:
    """Flag counts per month of occurrence for the last `months` months (empty months included)."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    counts = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in flags.filter(occurred_at__date__gte=first)
        .order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    result = []
    month = first
    while month <= today:
        result.append((month, counts.get(month, 0)))
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def flags_by_entity(flags: QuerySet[Flag], *, top: int = 10) -> list[tuple[str, int, int]]:
    """(entity name, entity id, flags) for the entities with the most flags."""
    from tenders.models import ProcuringEntity

    counts = (
        flags.exclude(entity__isnull=True)
        .order_by()
        .values("entity_id")
        .annotate(n=Count("id"))
        .order_by("-n", "entity_id")[:top]
    )
    names = ProcuringEntity.objects.in_bulk([row["entity_id"] for row in counts])
    return [(names[row["entity_id"]].name, row["entity_id"], row["n"]) for row in counts]


def flag_rule(flag: Flag) -> Indicator | None:
    return rule_get(flag.rule)


def supplier_bidding_history(supplier, *, limit: int = 200) -> dict:
    """A supplier's opened bids (public from the opening on): when, price ÷ estimate, won or not."""
    from bidding.models import OpenedBid
    from contracts.models import Award

    won = set(
        Award.objects.filter(supplier=supplier, status__in=[Award.Status.STANDSTILL, Award.Status.FINAL]).values_list(
            "bid_id", flat=True
        )
    )
    opened = (
        OpenedBid.objects.filter(supplier=supplier)
        .select_related("opening__tender")
        .order_by("-opening__opened_at")[:limit]
    )
    bids = []
    for ob in opened:
        tender = ob.opening.tender
        pct = ob.price * 100 / tender.estimated_value if ob.price is not None and tender.estimated_value else None
        bids.append(
            {"at": ob.opening.opened_at, "pct": pct, "won": ob.bid_id in won, "reference": tender.reference or ""}
        )
    bids.reverse()
    return {"bids": bids, "count": len(bids), "wins": sum(1 for b in bids if b["won"])}
