"""Reads: what each person may see of tenders, search, recipients of tender news, version diffs."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.permissions import is_official
from procurement.roles import Role
from procurement.search import TRIGRAM_THRESHOLD, SearchFields, matching, search  # noqa: F401 (re-exported)

from .models import (
    Clarification,
    Custodian,
    Invitation,
    ObserverInvitation,
    ProcuringEntity,
    Subscription,
    Tender,
    TenderCustodian,
    TenderFollow,
    TenderVersion,
)
from .policies import method_policy
from .timeline import format_local

User = get_user_model()


def tender_for_update(tender_id: int) -> Tender:
    """Lock one tender row for a change that must not interleave with bid submissions.

    Plain FOR UPDATE (not `no_key=True`): it conflicts with the FOR KEY SHARE that every bid insert
    takes on its tender through the foreign key, so opening and amendments — the two callers this is
    for — wait for the submissions in flight, and no submission starts between their check and their
    change. Call inside `transaction.atomic()`.
    """
    return Tender.objects.select_for_update().get(pk=tender_id)


def official_entity(user) -> ProcuringEntity | None:
    """The entity a user acts for, or None: the one answer to "is this user an official, and of what?"
    for pages, rules and services of every app.

    Only an active user with the official role who has enrolled in MFA acts for an entity. An
    evaluator may hold an Official record (the committee member of an entity) yet never acts for
    the entity.
    """
    if not is_official(user):
        return None
    official = getattr(user, "official", None)
    return official.entity if official is not None else None


def is_official_of(user, entity_id: int) -> bool:
    """Does `user` act for the entity `entity_id` (see official_entity)?"""
    if not is_official(user):
        return False
    official = getattr(user, "official", None)
    return official is not None and official.entity_id == entity_id


def is_approver_of(user, entity_id: int) -> bool:
    """An official of the entity with the right to give the second approval (four-eyes rule)."""
    return is_official_of(user, entity_id) and user.official.can_approve


def tenders_public() -> QuerySet[Tender]:
    """Tenders anyone may see: everything past drafting, including cancelled and unsuccessful ones."""
    # Sorted: the same SQL every time, which the partial indexes' condition (tenders.models) must match.
    # The search documents are for the database only: not loaded (a page of results would carry them).
    return (
        Tender.objects.exclude(status__in=sorted(Tender.PRIVATE_STATUSES))
        .select_related("entity")
        .defer(*Tender.SEARCH_FIELDS)
    )


def tenders_visible_to(user) -> QuerySet[Tender]:
    """Public tenders, plus drafts of the user's own entity (officials) or of every entity (auditors)."""
    from procurement.permissions import is_auditor

    qs = Tender.objects.select_related("entity")
    if is_auditor(user):
        return qs
    entity = official_entity(user)
    if entity is not None:
        return qs.filter(~Q(status__in=Tender.PRIVATE_STATUSES) | Q(entity=entity))
    return qs.exclude(status__in=Tender.PRIVATE_STATUSES)


def with_classifications(qs: QuerySet[Tender]) -> QuerySet[Tender]:
    return qs.prefetch_related("classifications")


def classification_codes(obj) -> list[str]:
    """Sorted classification codes of a tender or subscription."""
    return sorted(obj.classifications.values_list("code", flat=True))


def tender_get_visible(*, user, tender_id: int) -> Tender:
    """The tender if the user may see it; 404 otherwise, so drafts do not even admit they exist."""
    return get_object_or_404(with_classifications(tenders_visible_to(user)), pk=tender_id)


def tenders_latest_published(*, limit: int = 8) -> QuerySet[Tender]:
    return tenders_public().filter(status=Tender.Status.PUBLISHED).order_by("-published_at")[:limit]


# Tenders' search (procurement.search, docs/architecture.md §12): title as the heading, description as body.
TENDER_SEARCH = SearchFields(
    simple="search_simple",
    english="search_english",
    bigrams="search_bigrams",
    text=("title", "description"),
    heading=("title",),
)
# Newest first: the public list's index (tender_public_newest_idx) serves it.
_NEWEST = ("-published_at", "-id")


def tenders_search(qs: QuerySet[Tender], query: str) -> QuerySet[Tender]:
    """Full-text search over title and description, for Korean and English, ranked (title matches
    first; procurement.search says how, and how a very common word is ranked within a window)."""
    return search(qs, TENDER_SEARCH, query, window_order=_NEWEST, then=_NEWEST)


def tenders_matching(qs: QuerySet[Tender], query: str) -> QuerySet[Tender]:
    """The same matches as tenders_search, unranked, for another sort."""
    return matching(qs, TENDER_SEARCH, query)


def tender_supplier_may_bid(*, tender: Tender, supplier) -> bool:
    """Whether the method lets this company bid: open → everyone; restricted and limited → invited only.

    Only the method's rule: the caller (bidding) still checks status, deadline, vetting and sanctions.
    """
    if supplier is None:
        return False
    if not method_policy(tender.method).invitation_only:
        return True
    return Invitation.objects.filter(tender=tender, supplier=supplier).exists()


def _members_of_suppliers(supplier_filter: Q) -> QuerySet:
    from suppliers.models import Supplier

    return User.objects.filter(
        Q(is_active=True),
        Q(supplier_membership__supplier__status=Supplier.Status.APPROVED),
        supplier_filter,
    ).distinct()


def significant_prefix(code: str) -> str:
    """The digits that place a CPV code in the tree: 30200000 (a group) → "302", 90000000 → "90".

    CPV codes are 8 digits padded with zeros below their level (division XX000000, group XXX00000,
    class XXXX0000, category XXXXX000); a check digit after a dash is ignored.
    """
    digits = code.split("-", 1)[0].strip()
    return digits[: max(2, len(digits.rstrip("0")))]


def classification_match_q(code: str, *, field: str = "classifications__code") -> Q:
    """Classifications related to `code`: its ancestors and itself, its descendants, and the rest of
    its group (the first SUBSCRIPTION_MATCH_PREFIX digits: CPV division 2 + group 1)."""
    digits = code.split("-", 1)[0].strip()
    prefix = significant_prefix(digits)
    ancestors = [prefix[:i].ljust(len(digits), "0") for i in range(2, len(prefix) + 1)]
    group = digits[: settings.SUBSCRIPTION_MATCH_PREFIX]
    return (
        Q(**{f"{field}__in": ancestors}) | Q(**{f"{field}__startswith": prefix}) | Q(**{f"{field}__startswith": group})
    )


def subscriptions_matching(tender: Tender) -> QuerySet[Subscription]:
    """Active alerts that match the tender's entity or one of its classifications."""
    match = Q(entities=tender.entity)
    for code in classification_codes(tender):
        match |= classification_match_q(code)
    return Subscription.objects.filter(is_active=True).filter(match).distinct()


def tender_subscribed_users(tender: Tender) -> QuerySet:
    """Members of vetted suppliers whose alerts match the tender's classifications or entity."""
    return _members_of_suppliers(
        Q(supplier_membership__supplier__tender_subscription__in=subscriptions_matching(tender))
    )


def supplier_members(suppliers) -> QuerySet:
    return _members_of_suppliers(Q(supplier_membership__supplier__in=suppliers))


def tender_invited_users(tender: Tender) -> QuerySet:
    return _members_of_suppliers(Q(supplier_membership__supplier__tender_invitations__tender=tender))


def tender_announcement_recipients(tender: Tender) -> list:
    """Who hears about a newly published tender: invited suppliers only, when the method says so."""
    if method_policy(tender.method).invitation_only:
        return list(tender_invited_users(tender))
    return list(tender_subscribed_users(tender))


def tender_interested_users(tender: Tender) -> list:
    """Who hears about amendments, answers, cancellation: followers plus those the notice went to.

    Suppliers who have started a bid are added by bidding (it receives the tenders.signals).
    """
    users = {u.pk: u for u in tender_announcement_recipients(tender)}
    for follow in TenderFollow.objects.filter(tender=tender, user__is_active=True).select_related("user"):
        users[follow.user_id] = follow.user
    return list(users.values())


def tender_entity_officials(tender: Tender, *, approvers_only: bool = False) -> QuerySet:
    # Evaluators may be attached to an entity too; questions and approvals are for its officials.
    qs = User.objects.filter(is_active=True, role=Role.OFFICIAL, official__entity=tender.entity)
    if approvers_only:
        qs = qs.filter(official__can_approve=True)
    return qs


def tender_is_followed_by(*, tender: Tender, user) -> bool:
    return bool(user.is_authenticated and TenderFollow.objects.filter(tender=tender, user=user).exists())


def clarifications_public(tender: Tender) -> QuerySet[Clarification]:
    """Answered questions, without anything that identifies who asked."""
    return tender.clarifications.filter(answered_at__isnull=False).only(
        "id", "tender_id", "question", "answer", "asked_at", "answered_at"
    )


def clarifications_open_count(tender: Tender) -> int:
    return tender.clarifications.filter(answered_at__isnull=True).count()


# --- versions and their differences --------------------------------------------------------------

SNAPSHOT_LABELS = {
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "method": gettext_lazy("Procurement method"),
    "method_justification": gettext_lazy("Justification for the method"),
    "category": gettext_lazy("Category"),
    "classifications": gettext_lazy("Classifications"),
    "estimated_value": gettext_lazy("Estimated value"),
    "currency": gettext_lazy("Currency"),
    "delivery_place": gettext_lazy("Place of delivery"),
    "delivery_period": gettext_lazy("Delivery period"),
    "eligibility": gettext_lazy("Eligibility requirements"),
    "evaluation_method": gettext_lazy("Evaluation method"),
    "evaluation_params": gettext_lazy("Evaluation parameters"),
    "envelopes": gettext_lazy("Envelopes"),
    "clarification_deadline": gettext_lazy("Clarification deadline"),
    "submission_deadline": gettext_lazy("Submission deadline"),
    "opening_at": gettext_lazy("Opening time"),
    "consortium_allowed": gettext_lazy("Joint bidding allowed"),
    "bid_security_kind": gettext_lazy("Bid security"),
    "bid_security_value": gettext_lazy("Bid security rate or amount"),
    "documents": gettext_lazy("Documents"),
}
_DATETIME_FIELDS = {"clarification_deadline", "submission_deadline", "opening_at"}


def format_amount(value) -> str:
    """An amount as people write it: 250000000.00 → "250,000,000" (cents only when there are any)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def _display(field: str, value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if field in _DATETIME_FIELDS:
        return format_local(parse_datetime(value))
    if field == "description":
        return strip_tags(value)
    if field == "estimated_value":
        return format_amount(value)
    if field == "method":
        return str(Tender.Method(value).label)
    if field == "category":
        return str(Tender.Category(value).label)
    if field == "evaluation_method":
        return str(Tender.EvaluationMethod(value).label)
    if field == "classifications":
        return ", ".join(value)
    if field == "documents":
        return ", ".join(f"{d['title']} ({d['original_name']})" for d in value)
    if field == "evaluation_params":
        return "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(value)


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: str
    after: str


def snapshot_diff(before: dict | None, after: dict) -> list[DiffRow]:
    """Field-by-field differences between two snapshots, in the order of SNAPSHOT_LABELS."""
    before = before or {}
    rows = []
    for field, label in SNAPSHOT_LABELS.items():
        if before.get(field) != after.get(field):
            rows.append(
                DiffRow(field, str(label), _display(field, before.get(field)), _display(field, after.get(field)))
            )
    return rows


def tender_versions_with_diffs(tender: Tender) -> list[tuple[TenderVersion, list[DiffRow]]]:
    versions = list(tender.versions.select_related("created_by"))
    result = []
    previous = None
    for version in versions:
        result.append((version, snapshot_diff(previous.snapshot, version.snapshot) if previous else []))
        previous = version
    return result


# --- the officials' workspace ---------------------------------------------------------------------

WORKSPACE_ORDER = [
    Tender.Status.DRAFT,
    Tender.Status.PENDING_APPROVAL,
    Tender.Status.PUBLISHED,
    Tender.Status.CLOSED,
    Tender.Status.OPENED,
    Tender.Status.EVALUATED,
    Tender.Status.AWARDED,
    Tender.Status.CONTRACTED,
    Tender.Status.UNSUCCESSFUL,
    Tender.Status.CANCELLED,
]


def workspace_for_entity(entity: ProcuringEntity) -> list[tuple[str, str, list[Tender]]]:
    """The entity's tenders grouped by status, each annotated with its open questions."""
    tenders = (
        Tender.objects.filter(entity=entity)
        .select_related("created_by")
        .annotate(open_questions=Count("clarifications", filter=Q(clarifications__answered_at__isnull=True)))
        .order_by("submission_deadline", "-created_at")
    )
    groups: dict[str, list[Tender]] = {status: [] for status in WORKSPACE_ORDER}
    for tender in tenders:
        groups[tender.status].append(tender)
    return [(status, Tender.Status(status).label, groups[status]) for status in WORKSPACE_ORDER if groups[status]]


def workspace_next_action(tender: Tender, *, user) -> str:
    """What the entity has to do next with a tender, in a few words."""
    status = tender.status
    if status == Tender.Status.DRAFT:
        if tender.entity.requires_second_approval:
            return _("Complete it and submit it for approval")
        return _("Complete it and publish it")
    if status == Tender.Status.PENDING_APPROVAL:
        if is_approver_of(user, tender.entity_id) and tender.created_by_id != user.pk:
            return _("Approve or return it")
        return _("Waiting for a second official's approval")
    if status == Tender.Status.PUBLISHED:
        open_questions = getattr(tender, "open_questions", None)
        if open_questions is None:
            open_questions = clarifications_open_count(tender)
        if open_questions:
            return _("Answer %(count)s open question(s)") % {"count": open_questions}
        return _("Open for bids until %(deadline)s") % {"deadline": format_local(tender.submission_deadline)}
    if status == Tender.Status.CLOSED:
        return _("Waiting for the opening at %(opening)s") % {"opening": format_local(tender.opening_at)}
    if status == Tender.Status.OPENED:
        return _("Evaluate the bids")
    if status == Tender.Status.EVALUATED:
        return _("Propose the award")
    if status == Tender.Status.AWARDED:
        return _("Conclude the contract")
    if status == Tender.Status.CONTRACTED:
        return _("Manage the contract")
    if status == Tender.Status.UNSUCCESSFUL:
        return _("Re-tender it if still needed")
    return _("No action needed")


def custodians_eligible(tender: Tender) -> QuerySet[Custodian]:
    """Who may hold a share of this tender's key (see custodians_eligible_for_entity)."""
    return custodians_eligible_for_entity(tender.entity_id)


def custodians_eligible_for_entity(entity_id: int) -> QuerySet[Custodian]:
    """Who may hold shares of an entity's tender keys: the platform, the entity's officials, auditors
    and the outside observers the entity invited — with an active (current) key."""
    invited = ObserverInvitation.objects.filter(
        entity_id=entity_id, accepted_by=OuterRef("user_id"), accepted_at__isnull=False
    )
    return (
        Custodian.objects.filter(is_active=True)
        .filter(
            Q(kind__in=(Custodian.Kind.PLATFORM, Custodian.Kind.AUDITOR))
            | Q(kind=Custodian.Kind.OFFICIAL, user__official__entity_id=entity_id)
            | Q(Exists(invited), kind=Custodian.Kind.OBSERVER)
        )
        .select_related("user")
    )


def observer_invitations_of(entity: ProcuringEntity) -> QuerySet[ObserverInvitation]:
    return entity.observer_invitations.select_related("invited_by", "accepted_by")


def custodian_shares_of(user) -> QuerySet[TenderCustodian]:
    """The published tenders whose key shares this person holds (any of their keys, retired ones
    too), newest deadline first, with the release when there is one."""
    return (
        TenderCustodian.objects.filter(custodian__user=user, sealed_share__isnull=False)
        .exclude(tender__status__in=(Tender.Status.DRAFT, Tender.Status.PENDING_APPROVAL))
        .select_related("tender", "release")
        .order_by("-tender__submission_deadline", "-id")
    )


def custodian_of(user) -> Custodian | None:
    """The user's current custodian key, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Custodian.objects.filter(user=user, is_active=True).first()


def tender_custodians(tender: Tender) -> QuerySet[TenderCustodian]:
    return tender.custodians.select_related("custodian__user").order_by("id")


def _reserve_terms(tender: Tender, *, amendment: int) -> dict | None:
    from .policies import evaluation_policy

    policy = evaluation_policy(tender.evaluation_method)
    if not policy.uses_reserve_prices:
        return None
    params = policy.clean(tender.evaluation_params)
    return {
        "schema": "koneps-reserve-prices-v1",
        "tender": tender.reference,
        "amendment": amendment,
        "base_price": str(tender.estimated_value),
        "range_pct": str(params["reserve_range_pct"]),
        "count": params["reserve_count"],
    }


def tender_redraw_material(tender: Tender) -> dict | None:
    """What the amendment page's browser needs to draw the reserve prices again when the amendment
    changes their base (static/js/amend.mjs): the tender's public key and the current terms, for the
    amendment about to be published. None when the tender has no reserve prices."""
    from procurement.sealing import b64encode

    terms = _reserve_terms(tender, amendment=tender.version + 1)
    if terms is None or not tender.public_key:
        return None
    return {"public_key": b64encode(bytes(tender.public_key)), "reserve": terms}


def tender_ceremony_material(tender: Tender) -> dict:
    """What the publishing official's browser needs for the key ceremony: the named custodians'
    public keys, k, and what the reserve prices are drawn from (all public)."""
    from procurement.sealing import b64encode

    reserve = _reserve_terms(tender, amendment=tender.version)
    return {
        "threshold": tender.custodian_threshold,
        "custodians": [
            {"id": tc.custodian_id, "public_key": b64encode(bytes(tc.custodian.public_key))}
            for tc in tender_custodians(tender)
        ],
        "reserve": reserve,
    }


def tender_label(tender: Tender) -> str:
    """How lists name a tender: its reference (once published) and title."""
    return f"{tender.reference} {tender.title}" if tender.reference else tender.title


@dataclass(frozen=True)
class ServiceStatus:
    """The public record of outages and the deadlines they moved (tenders.services.outages)."""

    ongoing: list
    intervals: list
    postponements: list
    window_minutes: int
    postpone_hours: int
    min_minutes: int


def service_status(*, days: int = 90) -> ServiceStatus:
    from datetime import timedelta

    from django.utils import timezone

    from procurement.models import HealthInterval

    from .models import TenderPostponement

    since = timezone.now() - timedelta(days=days)
    intervals = list(
        HealthInterval.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since)).order_by("-started_at")[:200]
    )
    postponements = list(
        TenderPostponement.objects.filter(created_at__gte=since)
        .exclude(tender__status__in=sorted(Tender.PRIVATE_STATUSES))
        .select_related("tender", "interval")
        .order_by("-created_at")[:500]
    )
    return ServiceStatus(
        ongoing=[i for i in intervals if i.ended_at is None],
        intervals=intervals,
        postponements=postponements,
        window_minutes=settings.OUTAGE_POSTPONE_WINDOW_MINUTES,
        postpone_hours=settings.OUTAGE_POSTPONE_HOURS,
        min_minutes=round(settings.OUTAGE_MIN_SECONDS / 60),
    )
