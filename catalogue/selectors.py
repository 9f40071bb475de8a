"""Catalogue reads: search with facets, what each person may see, the prompt-payment figures."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from procurement.permissions import is_auditor
from suppliers.selectors import membership_for_user
from tenders.selectors import official_entity

from .models import CartLine, CatalogueItem, Certification, EntityBudget, FrameworkAgreement, Invoice, Order, Region

# --- catalogue search ----------------------------------------------------------------------------------


def items_published() -> QuerySet[CatalogueItem]:
    """What buyers and the public see: published items of agreements in force."""
    today = timezone.localdate()
    return CatalogueItem.objects.filter(
        status=CatalogueItem.Status.PUBLISHED,
        agreement__status=FrameworkAgreement.Status.ACTIVE,
        agreement__start_date__lte=today,
        agreement__end_date__gte=today,
    ).select_related("supplier", "classification", "agreement")


def items_search(qs: QuerySet[CatalogueItem], query: str) -> QuerySet[CatalogueItem]:
    """Full text over names, model and specification in Korean and English, ranked.

    As tenders_search (tenders/selectors.py): 'simple' for Korean whole words, 'english' for stems,
    substring and trigram similarity on the names for Korean compounds and typos; every term must
    match one way or another; name matches rank first.
    """
    terms = [t for t in query.split() if t][:10]
    if not terms:
        return qs
    simple_query = SearchQuery(query, config="simple", search_type="websearch")
    english_query = SearchQuery(query, config="english", search_type="websearch")
    every_term = Q()
    for term in terms:
        every_term &= Q(name_ko__icontains=term) | Q(name_en__icontains=term)
    # Every branch can use an index (the two text-search GIN indexes, the trigram indexes on the
    # names: `icontains` on UPPER(name), `<%` word similarity on the name itself), so PostgreSQL
    # combines bitmap scans instead of computing a vector and a similarity for every item.
    qs = qs.annotate(
        simple_match=SearchVector("name_ko", "name_en", "model_number", "specification", config="simple"),
        english_match=SearchVector("name_en", "specification", config="english"),
    ).filter(
        Q(simple_match=simple_query)
        | Q(english_match=english_query)
        | every_term
        | Q(name_ko__trigram_word_similar=query)
        | Q(name_en__trigram_word_similar=query)
    )
    qs = qs.annotate(
        name_similarity=Greatest(TrigramWordSimilarity(query, "name_ko"), TrigramWordSimilarity(query, "name_en"))
    )
    name_hit = Q()
    for term in terms:
        name_hit &= Q(name_ko__icontains=term) | Q(name_en__icontains=term)
    return qs.annotate(
        rank=SearchRank(
            SearchVector("name_ko", "name_en", weight="A", config="simple")
            + SearchVector("specification", weight="B", config="simple"),
            simple_query,
        ),
        relevance=Greatest(F("rank"), F("name_similarity"))
        + Case(When(name_hit, then=Value(1.0)), default=Value(0.0), output_field=FloatField()),
    ).order_by("-relevance", "unit_price", "pk")


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


def _apply(qs, f: Filters, *, skip: str = ""):
    if f.cpv and skip != "cpv":
        qs = qs.filter(classification__code__startswith=f.cpv[:8])
    if f.price_min is not None:
        qs = qs.filter(unit_price__gte=f.price_min)
    if f.price_max is not None:
        qs = qs.filter(unit_price__lte=f.price_max)
    if f.region and skip != "region":
        qs = qs.filter(regions__contains=[f.region])
    if f.max_lead_days is not None and skip != "lead":
        qs = qs.filter(lead_time_days__lte=f.max_lead_days)
    if f.size and skip != "size":
        qs = qs.filter(supplier__size_class=f.size)
    if f.certification and skip != "certification":
        qs = qs.filter(certifications__contains=[f.certification])
    if f.in_stock:
        qs = qs.filter(stock__gt=0)
    if f.agreement:
        qs = qs.filter(agreement_id=f.agreement)
    return qs


def catalogue_search(f: Filters) -> QuerySet[CatalogueItem]:
    qs = _apply(items_published(), f)
    if f.q:
        qs = items_search(qs, f.q)
        if f.sort in SORTS:
            qs = qs.order_by(*SORTS[f.sort])
        return qs
    return qs.order_by(*SORTS.get(f.sort, ("name_ko", "pk")))


def catalogue_facets(f: Filters) -> dict:
    """Counts per value of each facet, over the results of every other filter (so a buyer sees how
    many items each choice would leave)."""
    from suppliers.models import Classification, Supplier

    def base(skip):
        qs = _apply(items_published(), f, skip=skip)
        return items_search(qs, f.q).order_by() if f.q else qs.order_by()

    # CPV division (2 digits) counts, with their titles.
    cpv_counts = {}
    for code, n in base("cpv").values_list("classification__code").annotate(n=Count("pk")):
        cpv_counts[code[:2]] = cpv_counts.get(code[:2], 0) + n
    titles = {c.code[:2]: c.title for c in Classification.objects.filter(parent__isnull=True)} if cpv_counts else {}
    region_counts = _array_counts(base("region"), "regions")
    cert_counts = _array_counts(base("certification"), "certifications")
    size_counts = dict(base("size").values_list("supplier__size_class").annotate(n=Count("pk")))
    lead_qs = base("lead")
    lead = [(days, label, lead_qs.filter(lead_time_days__lte=days).count()) for days, label in LEAD_BUCKETS]
    return {
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
        "lead": lead,
    }


def _array_counts(qs, field: str) -> dict:
    """How many items carry each value of an array column (one unnest, grouped in the database)."""
    from django.db import connection

    sql, params = qs.values("pk").query.sql_with_params()
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v, count(*) FROM catalogue_catalogueitem i, unnest(i.{column}) AS v "  # noqa: S608 - our SQL
            f"WHERE i.id IN ({sql}) GROUP BY v",
            params,
        )
        return dict(cursor.fetchall())


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
