"""Evaluating an opened tender: set-aside bids, committee scores (best value), review down the ranking.

Locks, always in this order so that two services never wait on each other in a cycle: the tender
row (tenders.selectors.tender_for_update, FOR UPDATE), then the evaluation row, then bid rows (taken
by bidding.services.bid_set_status).
"""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.models import Bid, OpenedBid, OpeningRecord
from bidding.selectors import cure_open_for_bid
from bidding.services import bid_set_status
from procurement.audit import audit_record
from procurement.errors import Conflict, InvalidTransition
from procurement.notifications import notify
from procurement.states import check_transition
from tenders.models import Tender
from tenders.policies import evaluation_policy, method_policy
from tenders.selectors import tender_for_update
from tenders.services import tender_mark_unsuccessful, tender_set_status
from tenders.services.common import require_entity_official

from ..models import Assessment, CommitteeMember, Evaluation, Score
from ..policies import Standing
from .common import clean_reason, members_of_supplier


def _evaluation_for_update(tender_id: int) -> Evaluation:
    return Evaluation.objects.select_for_update(of=("self",)).select_related("tender").get(tender_id=tender_id)


def _standings(assessments: list[Assessment]) -> list[Standing]:
    return [
        Standing(
            bid_id=a.bid_id,
            price=a.opened_bid.price,
            submitted_at=a.opened_bid.submitted_at,
            technical_points=a.technical_points,
            technical_score=a.technical_score,
            price_score=a.price_score,
            total_score=a.total_score,
        )
        for a in assessments
    ]


def _apply_ranks(assessments: list[Assessment], ranked: list[Standing]) -> None:
    by_bid = {a.bid_id: a for a in assessments}
    for a in assessments:
        a.rank = None
    for position, standing in enumerate(ranked, start=1):
        by_bid[standing.bid_id].rank = position


def _disqualify(bid: Bid, *, actor, reason: str, tender: Tender) -> None:
    """Disqualify with a reason the supplier sees (their notification and the award page)."""
    if bid.status == Bid.Status.DISQUALIFIED:
        return
    bid_set_status(bid=bid, to=Bid.Status.DISQUALIFIED, actor=actor, reason=reason)
    notify(
        event="bid.disqualified",
        recipients=members_of_supplier(bid.supplier_id),
        template="bid_disqualified",
        context={"tender": tender, "reason": reason},
        link=reverse("tenders:detail", args=[tender.pk]),
    )


def evaluation_start(*, tender: Tender, actor) -> Evaluation:
    """Start evaluating an opened tender: one assessment per opened bid, set-aside bids disqualified.

    Idempotent: a started evaluation is returned as it is.
    """
    with transaction.atomic():
        tender = tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        existing = Evaluation.objects.filter(tender=tender).first()
        if existing is not None:
            return existing
        if not method_policy(tender.method).awarded_by_evaluation:
            raise Conflict(
                _("This tender is awarded where it was started (a second-stage competition: its offers page)."),
                code="awarded_elsewhere",
            )
        procedure = evaluation_policy(tender.evaluation_method)
        record = OpeningRecord.objects.filter(tender=tender).first()
        # Two envelopes with a committee (best value): the committee scores the technical envelopes
        # while the prices are still sealed, so the evaluation starts at the technical stage.
        technical_stage = (
            procedure.needs_committee
            and record is not None
            and record.stage == OpeningRecord.Stage.TECHNICAL
            and tender.status == Tender.Status.CLOSED
        )
        if tender.status != Tender.Status.OPENED and not technical_stage:
            raise InvalidTransition(
                _("Only a tender whose bids have been opened can be evaluated (this one is “%(status)s”).")
                % {"status": tender.get_status_display()}
            )
        if record is None:
            raise Conflict(_("This tender has no opening record."), code="not_opened")
        policy = procedure.evaluation
        evaluation = Evaluation.objects.create(tender=tender, method=tender.evaluation_method, started_by=actor)
        opened = list(OpenedBid.objects.filter(opening=record).select_related("bid", "bid__supplier"))
        assessments = []
        set_aside = []
        for row in opened:
            awaiting_price = technical_stage and row.outcome == OpenedBid.Outcome.AWAITING_PRICE
            reason = "" if awaiting_price else policy.set_aside_reason(row)
            assessments.append(
                Assessment(
                    evaluation=evaluation,
                    bid=row.bid,
                    opened_bid=row,
                    admissible=not reason,
                    set_aside_reason=reason,
                )
            )
            if reason:
                set_aside.append({"bid": row.bid_id, "reason": reason})
                _disqualify(row.bid, actor=actor, reason=reason, tender=tender)
        if not procedure.needs_committee:
            admissible = [a for a in assessments if a.admissible]
            _apply_ranks(admissible, policy.ranked(_standings(admissible)))
        Assessment.objects.bulk_create(assessments)
        audit_record(
            actor=actor,
            action="evaluation.start",
            obj=evaluation,
            before={"status": None},
            data={
                "tender": tender.pk,
                "method": tender.evaluation_method,
                "set_aside": set_aside,
                "ranking": [{"bid": a.bid_id, "rank": a.rank} for a in assessments if a.rank],
            },
        )
    return evaluation


def _needs_committee(evaluation: Evaluation) -> bool:
    return evaluation_policy(evaluation.method).needs_committee


def next_for_review(evaluation: Evaluation) -> Assessment | None:
    """The bid the official reviews next: the best-ranked one not yet reviewed, unless one has passed."""
    if _needs_committee(evaluation) and evaluation.scored_at is None:
        return None
    assessments = evaluation.assessments.filter(admissible=True, rank__isnull=False)
    if assessments.filter(decision=Assessment.Decision.PASSED).exists():
        return None
    return assessments.filter(decision=Assessment.Decision.PENDING).order_by("rank").first()


def assessment_review(*, assessment: Assessment, actor, passed: bool, reason: str = "") -> Assessment:
    """Record the qualification review of the next bid in the ranking: pass, or fail with a reason."""
    reason = (reason or "").strip()
    if not passed:
        reason = clean_reason(reason, message=_("Give the reason for disqualifying the bid; the bidder will see it."))
    with transaction.atomic():
        tender = tender_for_update(assessment.evaluation.tender_id)
        require_entity_official(tender, actor)
        evaluation = _evaluation_for_update(tender.pk)
        if evaluation.status != Evaluation.Status.IN_PROGRESS:
            raise InvalidTransition(_("The evaluation is completed; it can only be reopened by a complaint."))
        assessment = Assessment.objects.select_related("bid", "opened_bid").get(pk=assessment.pk)
        expected = next_for_review(evaluation)
        if expected is None:
            if _needs_committee(evaluation) and evaluation.scored_at is None:
                raise Conflict(_("Calculate the committee's ranking before reviewing bids."), code="not_scored")
            raise Conflict(_("No bid is waiting for review."), code="nothing_to_review")
        if expected.pk != assessment.pk:
            raise Conflict(
                _("Review the bids in ranking order: rank %(rank)s comes next.") % {"rank": expected.rank},
                code="out_of_order",
            )
        if not passed and cure_open_for_bid(assessment.bid_id):
            # A bid asked to correct a document keeps its window (bidding.services.cures).
            raise Conflict(
                _("A document correction is still open for this bid: decide after its window ends."),
                code="cure_pending",
            )
        before = {"decision": assessment.decision, "reason": assessment.reason}
        if passed:
            if assessment.bid.status == Bid.Status.OPENED:
                bid_set_status(bid=assessment.bid, to=Bid.Status.QUALIFIED, actor=actor, reason=reason)
            assessment.decision = Assessment.Decision.PASSED
        else:
            _disqualify(assessment.bid, actor=actor, reason=reason, tender=tender)
            assessment.decision = Assessment.Decision.FAILED
        assessment.reason = reason
        assessment.decided_by = actor
        assessment.decided_at = timezone.now()
        assessment.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="evaluation.review",
            obj=assessment,
            before=before,
            data={
                "tender": tender.pk,
                "bid": assessment.bid_id,
                "rank": assessment.rank,
                "decision": assessment.decision,
                "reason": reason,
                "round": evaluation.round,
            },
        )
    return assessment


def evaluation_complete(*, evaluation: Evaluation, actor) -> Evaluation:
    """Close the evaluation: the bid that passed review is the proposed winner (tender → evaluated).

    With no bid left to review and none passed, the tender ends unsuccessful.
    """
    with transaction.atomic():
        tender = tender_for_update(evaluation.tender_id)
        require_entity_official(tender, actor)
        evaluation = _evaluation_for_update(tender.pk)
        check_transition(evaluation, Evaluation.Status.COMPLETED, Evaluation.TRANSITIONS)
        if _needs_committee(evaluation) and evaluation.scored_at is None:
            raise Conflict(_("Calculate the committee's ranking first."), code="not_scored")
        winner = evaluation.assessments.filter(decision=Assessment.Decision.PASSED).select_related("bid").first()
        pending = next_for_review(evaluation)
        if winner is None and pending is not None:
            raise Conflict(
                _("Review the bids first: rank %(rank)s is waiting for review.") % {"rank": pending.rank},
                code="review_pending",
            )
        before = {"status": evaluation.status, "winner_id": evaluation.winner_id}
        evaluation.status = Evaluation.Status.COMPLETED
        evaluation.completed_at = timezone.now()
        evaluation.completed_by = actor
        evaluation.winner = winner.bid if winner else None
        evaluation.save(update_fields=["status", "completed_at", "completed_by", "winner"])
        audit_record(
            actor=actor,
            action="evaluation.complete",
            obj=evaluation,
            before=before,
            data={"tender": tender.pk, "winner": winner.bid_id if winner else None, "round": evaluation.round},
        )
        if winner is not None:
            if tender.status == Tender.Status.OPENED:
                tender_set_status(
                    tender=tender,
                    to=Tender.Status.EVALUATED,
                    actor=actor,
                    data={"winner": winner.bid_id, "round": evaluation.round},
                )
        else:
            for bid in Bid.objects.filter(tender=tender, status__in=(Bid.Status.OPENED, Bid.Status.QUALIFIED)):
                bid_set_status(bid=bid, to=Bid.Status.NOT_AWARDED, actor=actor)
            tender_mark_unsuccessful(
                tender=tender, actor=actor, reason=_("No bid passed the evaluation, so nothing can be awarded.")
            )
    return evaluation


def evaluation_reopen_locked(*, evaluation: Evaluation, actor, reason: str) -> Evaluation:
    """Reopen a completed evaluation (complaint upheld, award cancelled); the caller holds the locks.

    The bid that had passed goes back to review; disqualifications stand (a disqualified bid is
    final in bidding's lifecycle). Best value: members may revise their scores and the ranking is
    calculated again.
    """
    check_transition(evaluation, Evaluation.Status.IN_PROGRESS, Evaluation.TRANSITIONS)
    before = {"status": evaluation.status, "round": evaluation.round, "winner_id": evaluation.winner_id}
    evaluation.status = Evaluation.Status.IN_PROGRESS
    evaluation.round += 1
    evaluation.winner = None
    evaluation.completed_at = None
    evaluation.completed_by = None
    evaluation.reopened_reason = reason
    fields = ["status", "round", "winner", "completed_at", "completed_by", "reopened_reason"]
    evaluation.assessments.filter(decision=Assessment.Decision.PASSED).update(
        decision=Assessment.Decision.PENDING, reason="", decided_by=None, decided_at=None
    )
    if _needs_committee(evaluation):
        evaluation.scored_at = None
        fields.append("scored_at")
        evaluation.assessments.filter(admissible=True).update(
            technical_points=None, technical_score=None, price_score=None, total_score=None, rank=None
        )
        CommitteeMember.objects.filter(tender_id=evaluation.tender_id).update(scores_submitted_at=None)
    evaluation.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="evaluation.reopen",
        obj=evaluation,
        before=before,
        data={"tender": evaluation.tender_id, "round": evaluation.round, "reason": reason},
    )
    return evaluation


# --- best value: the committee's ranking ---------------------------------------------------------


def evaluation_calculate(*, evaluation: Evaluation, actor) -> Evaluation:
    """Turn the committee's submitted scores into technical, price and total scores and a ranking.

    Every member must have declared; every member without a conflict must have submitted scores.
    Bids under the technical threshold are disqualified with the figures as the reason.
    """
    with transaction.atomic():
        tender = tender_for_update(evaluation.tender_id)
        require_entity_official(tender, actor)
        evaluation = _evaluation_for_update(tender.pk)
        if not _needs_committee(evaluation):
            raise Conflict(_("Only best-value evaluations have committee scores."), code="not_best_value")
        if evaluation.status != Evaluation.Status.IN_PROGRESS:
            raise InvalidTransition(_("The evaluation is completed."))
        if evaluation.scored_at is not None:
            raise Conflict(_("The ranking has already been calculated."), code="already_scored")
        record = OpeningRecord.objects.filter(tender=tender).first()
        two_stage = record is not None and record.is_two_stage
        if two_stage and record.stage == OpeningRecord.Stage.TECHNICAL and evaluation.technical_scored_at:
            raise Conflict(
                _("The technical results are decided; publish them on the technical stage page."),
                code="technical_scored",
            )
        if two_stage and record.stage == OpeningRecord.Stage.TECHNICAL_PUBLISHED:
            raise Conflict(
                _("The prices of the compliant bids open after the complaint window; calculate the ranking then."),
                code="technical_not_final",
            )
        members = list(CommitteeMember.objects.filter(tender=tender).select_related("conflict_declaration", "user"))
        undeclared = [m for m in members if m.declaration is None]
        if undeclared:
            raise Conflict(
                _("Waiting for %(count)s committee member(s) to declare conflicts of interest.")
                % {"count": len(undeclared)},
                code="committee_pending",
            )
        cleared = [m for m in members if m.is_cleared]
        if not cleared:
            raise Conflict(
                _("The committee needs at least one member without a conflict of interest."), code="no_committee"
            )
        waiting = [m for m in cleared if m.scores_submitted_at is None]
        if waiting:
            raise Conflict(
                _("Waiting for %(count)s committee member(s) to submit their scores.") % {"count": len(waiting)},
                code="scores_pending",
            )
        if two_stage and record.stage == OpeningRecord.Stage.TECHNICAL:
            return _technical_calculate(evaluation, tender=tender, cleared=cleared, actor=actor)
        policy = evaluation_policy(evaluation.method).evaluation
        if two_stage:
            _admit_opened_prices(evaluation, policy=policy, actor=actor, tender=tender)
        assessments = list(
            evaluation.assessments.filter(admissible=True).select_related("opened_bid", "bid", "bid__supplier")
        )
        totals = _member_totals(cleared, [a.bid_id for a in assessments])
        standings = policy.compute(
            _standings(assessments), tender=tender, scores=totals, **({"threshold_decided": True} if two_stage else {})
        )
        by_bid = {s.bid_id: s for s in standings}
        for a in assessments:
            s = by_bid[a.bid_id]
            a.technical_points, a.technical_score = s.technical_points, s.technical_score
            a.price_score, a.total_score = s.price_score, s.total_score
            if s.below_threshold:
                a.admissible = False
                a.set_aside_reason = policy.threshold_reason(tender, s)
                _disqualify(a.bid, actor=actor, reason=a.set_aside_reason, tender=tender)
        _apply_ranks(assessments, policy.ranked(standings))
        Assessment.objects.bulk_update(
            assessments,
            [
                "technical_points",
                "technical_score",
                "price_score",
                "total_score",
                "admissible",
                "set_aside_reason",
                "rank",
            ],
        )
        evaluation.scored_at = timezone.now()
        evaluation.save(update_fields=["scored_at"])
        audit_record(
            actor=actor,
            action="evaluation.calculate",
            obj=evaluation,
            before={"scored_at": None},  # refused above once scored
            data={
                "tender": tender.pk,
                "round": evaluation.round,
                "members": [m.user_id for m in cleared],
                "results": [
                    {
                        "bid": a.bid_id,
                        "technical_points": a.technical_points,
                        "technical_score": a.technical_score,
                        "price_score": a.price_score,
                        "total_score": a.total_score,
                        "rank": a.rank,
                    }
                    for a in assessments
                ],
            },
        )
    return evaluation


def _member_totals(cleared: list[CommitteeMember], bid_ids: list[int]) -> dict[int, list[Decimal]]:
    """{bid id: [each cleared member's summed points]}."""
    totals: dict[int, list[Decimal]] = {bid_id: [] for bid_id in bid_ids}
    for member in cleared:
        per_bid: dict[int, Decimal] = {}
        for score in Score.objects.filter(member=member, bid_id__in=totals):
            per_bid[score.bid_id] = per_bid.get(score.bid_id, Decimal(0)) + score.value
        for bid_id, total in per_bid.items():
            totals[bid_id].append(total)
    return totals


def _technical_calculate(evaluation: Evaluation, *, tender: Tender, cleared, actor) -> Evaluation:
    """Two envelopes, best value, before any price is open: the committee's points decide
    compliance — a bid under the technical threshold is not compliant, with the figures as the
    public reason — as `bidding.services.technical_assess` records it. The officials then publish
    the results on the technical stage page; the prices of the compliant bids open after the
    complaint window, and the ranking is calculated then (price score among them)."""
    from bidding.services import technical_assess

    policy = evaluation_policy(evaluation.method).evaluation
    assessments = list(evaluation.assessments.filter(admissible=True).select_related("opened_bid", "bid"))
    totals = _member_totals(cleared, [a.bid_id for a in assessments])
    standings = {s.bid_id: s for s in policy.technical(_standings(assessments), tender=tender, scores=totals)}
    for a in assessments:
        s = standings[a.bid_id]
        a.technical_points, a.technical_score = s.technical_points, s.technical_score
        reason = policy.threshold_reason(tender, s) if s.below_threshold else ""
        technical_assess(opened_bid=a.opened_bid, actor=actor, compliant=not s.below_threshold, reason=reason,
                         committee=True)  # fmt: skip
    Assessment.objects.bulk_update(assessments, ["technical_points", "technical_score"])
    evaluation.technical_scored_at = timezone.now()
    evaluation.save(update_fields=["technical_scored_at"])
    audit_record(
        actor=actor,
        action="evaluation.technical_calculate",
        obj=evaluation,
        before={"technical_scored_at": None},
        data={
            "tender": tender.pk,
            "members": [m.user_id for m in cleared],
            "results": [
                {
                    "bid": a.bid_id,
                    "technical_points": a.technical_points,
                    "technical_score": a.technical_score,
                    "compliant": not standings[a.bid_id].below_threshold,
                }
                for a in assessments
            ],
        },
    )
    return evaluation


def _admit_opened_prices(evaluation: Evaluation, *, policy, actor, tender: Tender) -> None:
    """Two envelopes, after the price stage: admissible are exactly the bids whose price opened
    and was found valid (the published technical results, complaints upheld included, decided which
    prices opened); the others are set aside with opening's reason and disqualified."""
    changed = []
    for a in evaluation.assessments.select_related("opened_bid", "bid"):
        reason = policy.set_aside_reason(a.opened_bid)
        if a.opened_bid.outcome == OpenedBid.Outcome.PRICE_NOT_OPENED and a.opened_bid.technical_reason:
            reason = a.opened_bid.technical_reason  # the committee's figures, as published
        admissible = not reason
        if admissible != a.admissible or (reason and not a.set_aside_reason):
            a.admissible = admissible
            a.set_aside_reason = "" if admissible else (a.set_aside_reason or reason)
            changed.append(a)
        if not admissible:
            _disqualify(a.bid, actor=actor, reason=a.set_aside_reason or reason, tender=tender)
    if changed:
        Assessment.objects.bulk_update(changed, ["admissible", "set_aside_reason"])
