"""Reads: evaluations, awards, contracts and what each person may see of them; a tender's audit trail."""

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from bidding.models import Bid, OpenedBid, OpeningRecord, TenderClosing
from procurement.models import AuditEntry
from procurement.permissions import is_auditor
from suppliers.models import SupplierMember
from suppliers.selectors import membership_for_user
from tenders.models import Official, ReservePriceSet, Tender
from tenders.selectors import is_official_of, official_entity

from .models import Assessment, Award, CommitteeMember, Complaint, Contract, Evaluation, Score

# Tenders that have reached evaluation (auditors see every one of them read-only).
EVALUATION_STATUSES = (
    Tender.Status.OPENED,
    Tender.Status.EVALUATED,
    Tender.Status.AWARDED,
    Tender.Status.CONTRACTED,
    Tender.Status.UNSUCCESSFUL,
)


def with_opening_flag(qs: QuerySet[Tender]) -> QuerySet[Tender]:
    """Mark each tender with `has_opening`: a tender that ended unsuccessful without any bid was never
    opened, so it has no evaluation or award report to link to."""
    return qs.annotate(has_opening=Exists(OpeningRecord.objects.filter(tender=OuterRef("pk"))))


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
    qs = with_opening_flag(Tender.objects.select_related("entity").order_by("-status_changed_at"))
    if is_auditor(user):
        return qs.filter(status__in=EVALUATION_STATUSES)
    if not user.is_authenticated:
        return qs.none()
    query = Q(committee__user=user) & ~Q(status__in=Tender.PRIVATE_STATUSES)
    entity = official_entity(user)
    if entity is not None:
        query |= Q(entity_id=entity.pk, status__in=EVALUATION_STATUSES)
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


def complaints_visible(*, award: Award, user) -> QuerySet[Complaint]:
    """Officials of the entity and auditors see every complaint; a bidder sees its own."""
    qs = award.complaints.select_related("supplier", "lodged_by", "decided_by").prefetch_related("documents")
    if is_official_of(user, award.tender.entity_id) or is_auditor(user):
        return qs
    membership = membership_for_user(user)
    if membership is not None:
        return qs.filter(supplier_id=membership.supplier_id)
    return qs.none()


# --- contracts -------------------------------------------------------------------------------------


def contracts_visible_to(user) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("tender", "entity", "supplier")
    if is_auditor(user):
        return qs
    query = Q(status__in=Contract.PUBLIC_STATUSES)
    entity = official_entity(user)
    if entity is not None:
        query |= Q(entity_id=entity.pk)
    membership = membership_for_user(user)
    if membership is not None:
        query |= Q(supplier_id=membership.supplier_id)
        # A consortium's members are parties to its contract too.
        query |= Q(pk__in=Contract.objects.filter(**_consortium_member_filter(membership.supplier_id)).values("pk"))
    return qs.filter(query)


def _consortium_member_filter(supplier_id: int) -> dict:
    return {
        "award__bid__consortium__members__supplier_id": supplier_id,
        "award__bid__consortium__members__status": "confirmed",
    }


def contract_signatories(contract: Contract) -> list[int]:
    """Companies that sign for the supplier's side: every member of a consortium (lead first), else the one."""
    from bidding.models import ConsortiumMember

    consortium_id = contract.award.bid.consortium_id
    if consortium_id is None:
        return [contract.supplier_id]
    return list(
        ConsortiumMember.objects.filter(
            consortium_id=consortium_id, status=ConsortiumMember.Status.CONFIRMED
        ).values_list("supplier_id", flat=True)
    )


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


def actor_organisations(user_ids: set[int]) -> dict[int, str]:
    """Who acted, as the public may see it: the official's entity or the supplier's company name."""
    names = {
        o.user_id: o.entity.name_ko for o in Official.objects.filter(user_id__in=user_ids).select_related("entity")
    }
    for member in SupplierMember.objects.filter(user_id__in=user_ids).select_related("supplier"):
        names.setdefault(member.user_id, member.supplier.name_ko)
    return names


def tender_audit_trail(tender: Tender) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(tender_audit_q(tender)).order_by("seq")


def tender_audit_last_seq(tender: Tender) -> int:
    return AuditEntry.objects.filter(tender_audit_q(tender)).aggregate(last=Max("seq"))["last"] or 0


# --- what the public may see of an evaluation, once the award is public ------------------------------


def committee_letters(tender: Tender) -> dict[int, str]:
    """Committee members as A, B, C … in the order they were appointed: stable per tender, no names."""
    members = CommitteeMember.objects.filter(tender=tender).order_by("appointed_at", "id").values_list("id", flat=True)
    return {member_id: _letter(index) for index, member_id in enumerate(members)}


def _letter(index: int) -> str:
    # A … Z, then AA, AB … (a committee is small; the rule is only there so that it never fails).
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def evaluation_public(tender: Tender) -> list[dict] | None:
    """Each assessed bid's review decision, reasons and scores, with each member's score per criterion.

    Public once an award of the tender is (procurement law publishes the grounds of an award): None
    before. Members appear only as letters; their comments stay internal.
    """
    if not Award.objects.filter(tender=tender, status__in=Award.PUBLIC_STATUSES).exists():
        return None
    evaluation = evaluation_of(tender)
    if evaluation is None:
        return None
    letters = committee_letters(tender)
    scores: dict[int, list[Score]] = {}
    for score in Score.objects.filter(member__tender=tender).order_by("bid_id", "member_id", "criterion"):
        scores.setdefault(score.bid_id, []).append(score)
    rows = []
    for assessment in assessments_of(evaluation):
        rows.append(
            {
                "bid": assessment.bid_id,
                "supplier": assessment.bid.supplier.name_ko,
                "rank": assessment.rank,
                "admissible": assessment.admissible,
                "set_aside_reason": assessment.set_aside_reason,
                "decision": assessment.decision,
                "reason": assessment.reason,
                "technical_points": assessment.technical_points,
                "technical_score": assessment.technical_score,
                "price_score": assessment.price_score,
                "total_score": assessment.total_score,
                "scores": [
                    {
                        "member": letters[score.member_id],
                        "criterion": score.criterion,
                        "criterion_name": score.criterion_name,
                        "max_score": score.max_score,
                        "value": score.value,
                    }
                    for score in sorted(
                        scores.get(assessment.bid_id, []), key=lambda s: (letters[s.member_id], s.criterion)
                    )
                ],
            }
        )
    return rows
