"""Reads: evaluations, awards, contracts and what each person may see of them; a tender's audit trail."""

from django.db.models import Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from bidding.models import Bid, OpenedBid, OpeningRecord, TenderClosing
from procurement.models import AuditEntry
from procurement.permissions import is_auditor
from tenders.models import ReservePriceSet, Tender

from .models import Assessment, Award, CommitteeMember, Complaint, Contract, Evaluation, Score
from .services.common import is_entity_official, supplier_membership

# Tenders that have reached evaluation (auditors see every one of them read-only).
EVALUATION_STATUSES = (
    Tender.Status.OPENED,
    Tender.Status.EVALUATED,
    Tender.Status.AWARDED,
    Tender.Status.CONTRACTED,
    Tender.Status.UNSUCCESSFUL,
)


def evaluation_of(tender: Tender) -> Evaluation | None:
    return Evaluation.objects.filter(tender=tender).select_related("winner", "winner__supplier").first()


def assessments_of(evaluation: Evaluation) -> list[Assessment]:
    """Ranked bids first (by rank), then the set-aside ones by price."""
    rows = list(
        evaluation.assessments.select_related("bid", "bid__supplier", "opened_bid", "decided_by").order_by(
            "rank", "opened_bid__price", "opened_bid__submitted_at"
        )
    )
    return sorted(rows, key=lambda a: (a.rank is None, a.rank or 0))


def opened_bids_for_tender(tender: Tender) -> list[OpenedBid]:
    return list(
        OpenedBid.objects.filter(opening__tender=tender)
        .select_related("supplier", "bid")
        .order_by("rank", "price", "submitted_at")
    )


def tenders_for_evaluation(user) -> QuerySet[Tender]:
    """The evaluations list: an official's entity's tenders from opening on; a member's committees;
    every tender from opening on for auditors."""
    qs = Tender.objects.select_related("entity").order_by("-status_changed_at")
    if is_auditor(user):
        return qs.filter(status__in=EVALUATION_STATUSES)
    if not user.is_authenticated:
        return qs.none()
    query = Q(committee__user=user) & ~Q(status__in=Tender.PRIVATE_STATUSES)
    official = getattr(user, "official", None)
    if official is not None and is_entity_official(user, official.entity_id):
        query |= Q(entity_id=official.entity_id, status__in=EVALUATION_STATUSES)
    return qs.filter(query).distinct()


def committee_of(tender: Tender) -> list[CommitteeMember]:
    return list(
        CommitteeMember.objects.filter(tender=tender).select_related("user", "conflict_declaration").order_by("id")
    )


def member_for(*, tender: Tender, user) -> CommitteeMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CommitteeMember.objects.filter(tender=tender, user=user).select_related("conflict_declaration").first()


def scores_by_member(tender: Tender) -> dict[int, dict[tuple[int, int], Score]]:
    result: dict[int, dict[tuple[int, int], Score]] = {}
    for score in Score.objects.filter(member__tender=tender):
        result.setdefault(score.member_id, {})[(score.bid_id, score.criterion)] = score
    return result


# --- awards ----------------------------------------------------------------------------------------


def awards_public() -> QuerySet[Award]:
    return Award.objects.filter(status__in=Award.PUBLIC_STATUSES).select_related("tender", "tender__entity", "supplier")


def award_current(tender: Tender) -> Award | None:
    """The live award (proposed, standstill or final), else the latest cancelled one."""
    awards = Award.objects.filter(tender=tender).select_related("supplier", "bid")
    return awards.filter(status__in=Award.ACTIVE_STATUSES).first() or awards.first()


def award_get_visible(*, user, award_id: int) -> Award:
    award = get_object_or_404(Award.objects.select_related("tender", "tender__entity", "supplier", "bid"), pk=award_id)
    if award.is_public or is_entity_official(user, award.tender.entity_id) or is_auditor(user):
        return award
    from django.http import Http404

    raise Http404


def complaints_visible(*, award: Award, user) -> QuerySet[Complaint]:
    """Officials of the entity and auditors see every complaint; a bidder sees its own."""
    qs = award.complaints.select_related("supplier", "lodged_by", "decided_by").prefetch_related("documents")
    if is_entity_official(user, award.tender.entity_id) or is_auditor(user):
        return qs
    membership = supplier_membership(user)
    if membership is not None:
        return qs.filter(supplier_id=membership.supplier_id)
    return qs.none()


# --- contracts -------------------------------------------------------------------------------------


def contracts_visible_to(user) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("tender", "entity", "supplier")
    if is_auditor(user):
        return qs
    query = Q(status__in=Contract.PUBLIC_STATUSES)
    official = getattr(user, "official", None) if user.is_authenticated else None
    if official is not None and is_entity_official(user, official.entity_id):
        query |= Q(entity_id=official.entity_id)
    membership = supplier_membership(user)
    if membership is not None:
        query |= Q(supplier_id=membership.supplier_id)
    return qs.filter(query)


def contract_get_visible(*, user, contract_id: int) -> Contract:
    return get_object_or_404(contracts_visible_to(user), pk=contract_id)


# --- the audit trail of one tender ---------------------------------------------------------------


def tender_audit_q(tender: Tender) -> Q:
    """Audit entries about a tender: the tender itself, its bids, closing, opening and reserve
    prices (bidding's objects, found by id), and every contracts entry (each carries data.tender)."""
    bid_ids = [str(pk) for pk in Bid.objects.filter(tender=tender).values_list("pk", flat=True)]
    openings = [str(pk) for pk in OpeningRecord.objects.filter(tender=tender).values_list("pk", flat=True)]
    closings = [str(pk) for pk in TenderClosing.objects.filter(tender=tender).values_list("pk", flat=True)]
    reserves = [str(pk) for pk in ReservePriceSet.objects.filter(tender=tender).values_list("pk", flat=True)]
    return (
        Q(object_type="tenders.tender", object_id=str(tender.pk))
        | Q(object_type="bidding.bid", object_id__in=bid_ids)
        | Q(object_type="bidding.openingrecord", object_id__in=openings)
        | Q(object_type="bidding.tenderclosing", object_id__in=closings)
        | Q(object_type="tenders.reservepriceset", object_id__in=reserves)
        | Q(object_type__startswith="contracts.", data__tender=tender.pk)
    )


def tender_audit_trail(tender: Tender) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(tender_audit_q(tender)).order_by("seq")


def tender_audit_last_seq(tender: Tender) -> int:
    return AuditEntry.objects.filter(tender_audit_q(tender)).aggregate(last=Max("seq"))["last"] or 0
