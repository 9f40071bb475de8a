"""Catalogue reads: search with facets, what each person may see, the prompt-payment figures."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Left
from django.utils import timezone

from procurement.pagination import round_estimate
from procurement.permissions import is_auditor
from procurement.search import SearchFields, first_ids, matching, planner_rows, search, search_terms
from suppliers.selectors import membership_for_user
from tenders.selectors import official_entity

from .models import CartLine, CatalogueItem, Certification, EntityBudget, FrameworkAgreement, Invoice, Order, Region

# --- catalogue search ----------------------------------------------------------------------------------


def items_published() -> QuerySet[CatalogueItem]:
    """What buyers and the public see: published items of agreements in force."""
    today = timezone.localdate()
    return (
        CatalogueItem.objects.filter(
            status=CatalogueItem.Status.PUBLISHED,
            agreement__status=FrameworkAgreement.Status.ACTIVE,
            agreement__start_date__lte=today,
            agreement__end_date__gte=today,
        )
        .select_related("supplier", "classification", "agreement")
        .defer(*CatalogueItem.SEARCH_FIELDS)
    )


# The catalogue's search (procurement.search, as tenders'): the names are the heading.
ITEM_SEARCH = SearchFields(
    simple="search_simple",
    english="search_english",
    bigrams="search_bigrams",
    text=("name_ko", "name_en"),
    heading=("name_ko", "name_en"),
)


def items_search(qs: QuerySet[CatalogueItem], query: str, *, estimate_on=None) -> QuerySet[CatalogueItem]:
    """Full text over names, model and specification in Korean and English, ranked (name matches
    first, then the lower price). A very common word ranks a window of the first matches PostgreSQL
    finds through the indexes (no order: the scan stops there); a sort by price covers every match."""
    return search(qs, ITEM_SEARCH, query, window_order=(), then=("unit_price", "pk"), estimate_on=estimate_on)


def _published_items() -> QuerySet[CatalogueItem]:
    """Published items on the item table alone: what PostgreSQL estimates well (it reads the
    agreements' dates as far more selective than they are: nearly every agreement is in force)."""
    return CatalogueItem.objects.filter(status=CatalogueItem.Status.PUBLISHED)


@dataclass
class Filters:
    q: str = ""
    cpv: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    region: str = ""
    max_lead_days: int | None = None
    size: str = ""
    certification: str = ""
    in_stock: bool = False
    agreement: int | None = None
    sort: str = ""


SORTS = {"price": ("unit_price", "pk"), "-price": ("-unit_price", "pk"), "lead": ("lead_time_days", "pk")}
LEAD_BUCKETS = ((3, "≤ 3"), (7, "≤ 7"), (14, "≤ 14"), (30, "≤ 30"))


def _apply(qs, f: Filters, *, skip: tuple[str, ...] = ()):
    """The filters of `f`, but those named in `skip` (facets count without their own filter)."""
    if f.cpv and "cpv" not in skip:
        qs = qs.filter(classification__code__startswith=f.cpv[:8])
    if f.price_min is not None:
        qs = qs.filter(unit_price__gte=f.price_min)
    if f.price_max is not None:
        qs = qs.filter(unit_price__lte=f.price_max)
    if f.region and "region" not in skip:
        qs = qs.filter(regions__contains=[f.region])
    if f.max_lead_days is not None and "lead" not in skip:
        qs = qs.filter(lead_time_days__lte=f.max_lead_days)
    if f.size and "size" not in skip:
        qs = qs.filter(supplier__size_class=f.size)
    if f.certification and "certification" not in skip:
        qs = qs.filter(certifications__contains=[f.certification])
    if f.in_stock:
        qs = qs.filter(stock__gt=0)
    if f.agreement:
        qs = qs.filter(agreement_id=f.agreement)
    return qs


def catalogue_search(f: Filters) -> QuerySet[CatalogueItem]:
    qs = _apply(items_published(), f)
    if f.q and f.sort not in SORTS:
        return items_search(qs, f.q, estimate_on=_apply(_published_items(), f))
    return matching(qs, ITEM_SEARCH, f.q).order_by(*SORTS.get(f.sort, ("name_ko", "pk")))


_FACET_FILTERS = ("cpv", "region", "lead", "size", "certification")


def catalogue_facets(f: Filters) -> dict:
    """Counts per value of each facet, over the results of every other filter (so a buyer sees how
    many items each choice would leave).

    One grouped statement: the matches of the filters no facet lifts, each facet's own filter as a
    flag, then one GROUP BY per facet over them. When PostgreSQL expects more than twice
    CATALOGUE_FACET_SAMPLE_ROWS such matches, only the first CATALOGUE_FACET_SAMPLE_ROWS it finds are
    counted (the scan stops there) and the counts are scaled to its estimate, rounded to two
    significant figures; "approximate" says so. The first rows found are in the table's order, not
    a random sample: the counts are a guide, the filters they lead to are exact.
    """
    from suppliers.models import Classification, Supplier

    base = matching(_apply(items_published(), f, skip=_FACET_FILTERS), ITEM_SEARCH, f.q).order_by()
    flags = {
        "cpv": Q(classification__code__startswith=f.cpv[:8]) if f.cpv else None,
        "region": Q(regions__contains=[f.region]) if f.region else None,
        "lead": Q(lead_time_days__lte=f.max_lead_days) if f.max_lead_days is not None else None,
        "size": Q(supplier__size_class=f.size) if f.size else None,
        "certification": Q(certifications__contains=[f.certification]) if f.certification else None,
    }
    base = base.annotate(
        **{
            f"f_{name}": ExpressionWrapper(q, output_field=BooleanField()) if q is not None else Value(True)
            for name, q in flags.items()
        }
    ).values_list(
        Left("classification__code", 2),
        "supplier__size_class",
        "lead_time_days",
        "regions",
        "certifications",
        *(f"f_{name}" for name in flags),
    )
    items = matching(_apply(_published_items(), f, skip=_FACET_FILTERS), ITEM_SEARCH, f.q).order_by()
    matches = planner_rows(items)
    sample_rows = max(settings.CATALOGUE_FACET_SAMPLE_ROWS, 1)
    sampled = matches > 2 * sample_rows
    if sampled:
        # The first rows PostgreSQL finds on the item table (through the search's indexes, no sort:
        # the scan stops there), fetched as ids first (as a subquery it was planned as a sequential
        # scan evaluating the search on every row); the agreements' terms apply to them after.
        # Without a search, the filters' own scan stops early: no bitmap of every published item.
        sample = first_ids(items, sample_rows) if search_terms(f.q) else items.values("pk")[:sample_rows]
        base = base.filter(pk__in=sample)
    sql, params = base.query.sql_with_params()

    def others(name: str) -> str:
        return " AND ".join(f"f_{other}" for other in flags if other != name)

    buckets = ", ".join(f"({days})" for days, _label in LEAD_BUCKETS)
    statement = f"""
        WITH m (cpv, size, lead, regions, certs, {", ".join(f"f_{n}" for n in flags)}) AS MATERIALIZED ({sql})
        SELECT 'cpv', cpv, count(*) FROM m WHERE {others("cpv")} GROUP BY cpv
        UNION ALL SELECT 'region', r, count(*) FROM m, unnest(regions) AS r WHERE {others("region")} GROUP BY r
        UNION ALL SELECT 'certification', c, count(*) FROM m, unnest(certs) AS c
            WHERE {others("certification")} GROUP BY c
        UNION ALL SELECT 'size', size, count(*) FROM m WHERE {others("size")} GROUP BY size
        UNION ALL SELECT 'lead', b.days::text, count(*) FROM m, (VALUES {buckets}) AS b (days)
            WHERE lead <= b.days AND {others("lead")} GROUP BY b.days
    """  # noqa: S608 - our own SQL around Django's; values are parameters
    counts: dict[str, dict] = {name: {} for name in flags}
    with connections[base.db].cursor() as cursor:
        cursor.execute(statement, params)
        for facet, value, n in cursor.fetchall():
            counts[facet][value] = n
    scale = max(1.0, matches / sample_rows) if sampled else 1.0
    if scale != 1.0:
        for facet in flags:
            counts[facet] = {value: round_estimate(round(n * scale)) for value, n in counts[facet].items()}

    cpv_counts = counts["cpv"]
    titles = {c.code[:2]: c.title for c in Classification.objects.filter(parent__isnull=True)} if cpv_counts else {}
    region_counts, cert_counts, size_counts = counts["region"], counts["certification"], counts["size"]
    return {
        "approximate": scale != 1.0,
        "cpv": sorted(((code, titles.get(code, code), n) for code, n in cpv_counts.items()), key=lambda t: t[0]),
        "region": [
            (value, label, region_counts.get(value, 0)) for value, label in Region.choices if region_counts.get(value)
        ],
        "certification": [
            (value, label, cert_counts.get(value, 0))
            for value, label in Certification.choices
            if cert_counts.get(value)
        ],
        "size": [
            (value, label, size_counts.get(value, 0))
            for value, label in Supplier.SizeClass.choices
            if size_counts.get(value)
        ],
        "lead": [(days, label, counts["lead"].get(str(days), 0)) for days, label in LEAD_BUCKETS],
    }


def items_for_compare(ids: list[int]) -> list[CatalogueItem]:
    wanted = list(dict.fromkeys(ids))[: settings.CATALOGUE_COMPARE_MAX]
    found = {i.pk: i for i in items_published().filter(pk__in=wanted)}
    return [found[i] for i in wanted if i in found]


def cart_for(user) -> list[CartLine]:
    return list(
        CartLine.objects.filter(user=user).select_related("item", "item__supplier", "item__agreement").order_by("pk")
    )


# --- agreements, orders, invoices: who sees what ----------------------------------------------------------


def agreements_public() -> QuerySet[FrameworkAgreement]:
    return FrameworkAgreement.objects.select_related("supplier", "entity", "classification", "tender")


def agreements_of_supplier(user) -> QuerySet[FrameworkAgreement]:
    membership = membership_for_user(user)
    if membership is None:
        return FrameworkAgreement.objects.none()
    return agreements_public().filter(supplier_id=membership.supplier_id)


def orders_visible_to(user) -> QuerySet[Order]:
    """An official's entity's orders, a supplier's orders, or everything (auditors)."""
    qs = Order.objects.select_related("entity", "supplier", "agreement", "placed_by")
    if is_auditor(user):
        return qs
    entity = official_entity(user)
    if entity is not None:
        return qs.filter(entity=entity)
    membership = membership_for_user(user)
    if membership is not None and membership.may_bid:
        return qs.filter(supplier_id=membership.supplier_id)
    return qs.none()


def orders_public() -> QuerySet[Order]:
    return Order.objects.filter(
        status__in=Order.PUBLIC_STATUSES, total__gte=settings.CATALOGUE_PUBLICATION_THRESHOLD
    ).select_related("entity", "supplier", "agreement")


def invoices_visible_to(user) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("entity", "supplier", "order", "milestone")
    if is_auditor(user):
        return qs
    entity = official_entity(user)
    if entity is not None:
        return qs.filter(entity=entity)
    membership = membership_for_user(user)
    if membership is not None and membership.may_bid:
        return qs.filter(supplier_id=membership.supplier_id)
    return qs.none()


def milestones_to_invoice(user) -> QuerySet:
    """Accepted milestones (with an amount) of the user's company's contracts not on a live invoice."""
    from contracts.models import Milestone

    membership = membership_for_user(user)
    if membership is None or not membership.may_bid:
        return Milestone.objects.none()
    invoiced = Invoice.objects.exclude(status=Invoice.Status.REJECTED).filter(milestone__isnull=False)
    return (
        Milestone.objects.filter(
            contract__supplier_id=membership.supplier_id, status=Milestone.Status.ACCEPTED, amount__gt=0
        )
        .exclude(pk__in=invoiced.values("milestone_id"))
        .select_related("contract")
    )


def budget_of(entity) -> EntityBudget | None:
    if entity is None:
        return None
    return EntityBudget.objects.filter(entity=entity, year=timezone.localdate().year).first()


# --- prompt payment ------------------------------------------------------------------------------------


@dataclass
class PaymentStats:
    entity_id: int
    entity_name: str
    paid: int
    paid_late: int
    overdue_unpaid: int
    median_days: float | None

    @property
    def late_share_pct(self) -> float | None:
        done = self.paid + self.overdue_unpaid
        return None if not done else round(100 * (self.paid_late + self.overdue_unpaid) / done, 1)


def payment_stats(*, since_days: int = 365) -> list[PaymentStats]:
    """Per buying entity: invoices paid, the median days from acceptance to payment, the share paid
    late (paid after the due time, plus unpaid past it)."""
    now = timezone.now()
    since = now - timedelta(days=since_days)
    rows = (
        Invoice.objects.filter(issued_at__gte=since)
        .exclude(status=Invoice.Status.REJECTED)
        .values_list("entity_id", "entity__name_ko", "entity__name_en", "status", "accepted_at", "paid_at", "due_at")
    )
    from django.utils.translation import get_language

    english = get_language() == "en"
    by_entity: dict[int, dict] = {}
    for entity_id, name_ko, name_en, status, accepted_at, paid_at, due_at in rows:
        e = by_entity.setdefault(
            entity_id, {"name": name_en if english else name_ko, "days": [], "late": 0, "overdue": 0}
        )
        if status == Invoice.Status.PAID:
            e["days"].append(max((paid_at - accepted_at).total_seconds() / 86400, 0))
            if paid_at > due_at:
                e["late"] += 1
        elif due_at < now:
            e["overdue"] += 1
    stats = [
        PaymentStats(
            entity_id=pk,
            entity_name=e["name"],
            paid=len(e["days"]),
            paid_late=e["late"],
            overdue_unpaid=e["overdue"],
            median_days=round(median(e["days"]), 1) if e["days"] else None,
        )
        for pk, e in by_entity.items()
    ]
    return sorted(stats, key=lambda s: (s.median_days is None, s.median_days or 0, s.entity_name))


def payment_chart(stats: list[PaymentStats]) -> dict | None:
    """A horizontal bar per entity: median days to pay, with the legal limit as a line (inline SVG)."""
    shown = [s for s in stats if s.median_days is not None][:20]
    if not shown:
        return None
    limit = settings.CATALOGUE_PAYMENT_DAYS
    top = max([s.median_days for s in shown] + [limit]) * 1.15 or 1
    left, width, bar, gap = 180, 640, 18, 8
    plot = width - left - 60
    bars = []
    for index, s in enumerate(shown):
        y = 10 + index * (bar + gap)
        length = round(plot * s.median_days / top, 1)
        bars.append(
            {
                "y": y,
                "text_y": y + bar - 4,
                "width": max(length, 1),
                "label": s.entity_name[:24],
                "value": f"{s.median_days:g}",
                "value_x": left + length + 6,
                "late": s.median_days > limit,
            }
        )
    height = 10 + len(shown) * (bar + gap) + 24
    limit_x = round(left + plot * limit / top, 1)
    return {
        "width": width,
        "height": height,
        "left": left,
        "bars": bars,
        "limit_x": limit_x,
        "limit": limit,
        "axis_y": height - 20,
    }
