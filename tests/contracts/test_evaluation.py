"""Evaluation by method, against rankings computed by hand; review order; refusals.

Floor-rate tenders here have no reserve-price draw, so the planned price is the estimated value
(100,000,000 KRW) and the floor is 87.745 % of it: 87,745,000.
"""

from decimal import Decimal

import pytest

from bidding.models import Bid
from contracts import services
from contracts.models import Assessment, Evaluation
from procurement.errors import DomainError, InvalidTransition
from procurement.models import AuditEntry, Outbox
from tenders.models import Tender
from tests.bidding.helpers import published_tender

from .conftest import opened_tender

pytestmark = pytest.mark.django_db


def ranking(evaluation) -> list[tuple[int, str]]:
    """[(rank, price)] of the ranked bids, best first."""
    rows = evaluation.assessments.filter(rank__isnull=False).select_related("opened_bid").order_by("rank")
    return [(a.rank, str(a.opened_bid.price.normalize())) for a in rows]


def assessment_of(tender, user) -> Assessment:
    return Assessment.objects.get(bid__tender=tender, bid__supplier=user.supplier_membership.supplier)


# --- lowest price ------------------------------------------------------------------------------------


def test_lowest_price_ranks_by_price_and_the_official_confirms_the_lowest(official):
    tender, users = opened_tender(official, ["95000000", "90000000", "99000000"])

    evaluation = services.evaluation_start(tender=tender, actor=official)

    assert ranking(evaluation) == [(1, "9E+7"), (2, "9.5E+7"), (3, "9.9E+7")]
    lowest = assessment_of(tender, users[1])
    services.assessment_review(assessment=lowest, actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    evaluation.refresh_from_db()
    tender.refresh_from_db()
    assert evaluation.status == Evaluation.Status.COMPLETED
    assert evaluation.winner_id == lowest.bid_id
    assert tender.status == Tender.Status.EVALUATED
    assert Bid.objects.get(pk=lowest.bid_id).status == Bid.Status.QUALIFIED
    assert AuditEntry.objects.filter(action="tender.evaluated", object_id=str(tender.pk)).exists()


def test_equal_prices_go_to_the_earlier_submission(official):
    tender, users = opened_tender(official, ["90000000", "90000000", "85000000"])

    evaluation = services.evaluation_start(tender=tender, actor=official)

    assert assessment_of(tender, users[2]).rank == 1
    assert assessment_of(tender, users[0]).rank == 2  # submitted before users[1]
    assert assessment_of(tender, users[1]).rank == 3
    assert ranking(evaluation)[1:] == [(2, "9E+7"), (3, "9E+7")]


def test_a_failed_review_moves_on_to_the_next_bid_and_the_bidder_sees_the_reason(official):
    tender, users = opened_tender(official, ["90000000", "95000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    first = assessment_of(tender, users[0])

    services.assessment_review(
        assessment=first, actor=official, passed=False, reason="Performance record below the requirement."
    )

    bid = Bid.objects.get(pk=first.bid_id)
    assert bid.status == Bid.Status.DISQUALIFIED
    assert bid.status_reason == "Performance record below the requirement."
    notice = Outbox.objects.get(event="bid.disqualified", recipient=users[0])
    assert "Performance record below the requirement." in notice.body
    assert services.next_for_review(evaluation) == assessment_of(tender, users[1])


def test_disqualifying_without_a_reason_is_refused(official):
    tender, users = opened_tender(official, ["90000000", "95000000"])
    services.evaluation_start(tender=tender, actor=official)

    with pytest.raises(DomainError):
        services.assessment_review(assessment=assessment_of(tender, users[0]), actor=official, passed=False, reason=" ")

    assert Bid.objects.get(supplier=users[0].supplier_membership.supplier).status == Bid.Status.OPENED


def test_bids_are_reviewed_in_ranking_order(official):
    tender, users = opened_tender(official, ["90000000", "95000000"])
    services.evaluation_start(tender=tender, actor=official)

    with pytest.raises(DomainError, match="ranking order"):
        services.assessment_review(assessment=assessment_of(tender, users[1]), actor=official, passed=True)


def test_the_evaluation_cannot_be_completed_before_a_bid_has_passed_review(official):
    tender, _users = opened_tender(official, ["90000000", "95000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)

    with pytest.raises(DomainError, match="Review the bids first"):
        services.evaluation_complete(evaluation=evaluation, actor=official)


def test_when_every_bid_fails_review_the_tender_is_unsuccessful(official):
    tender, users = opened_tender(official, ["90000000", "95000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    for user in users:
        services.assessment_review(assessment=assessment_of(tender, user), actor=official, passed=False, reason="No.")

    services.evaluation_complete(evaluation=evaluation, actor=official)

    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL
    with pytest.raises(InvalidTransition):
        services.award_propose(tender=tender, actor=official)


def test_only_officials_of_the_entity_evaluate(official, rival_official, supplier_user, auditor):
    tender, _users = opened_tender(official, ["90000000"])
    for intruder in (rival_official, supplier_user, auditor):
        with pytest.raises(DomainError):
            services.evaluation_start(tender=tender, actor=intruder)
    assert not Evaluation.objects.exists()


def test_a_tender_whose_bids_are_not_opened_cannot_be_evaluated(official, supplier_user):
    tender = published_tender(entity=official.official.entity, created_by=official)
    with pytest.raises(InvalidTransition):
        services.evaluation_start(tender=tender, actor=official)


# --- floor rate with multiple reserve prices --------------------------------------------------------


def test_floor_rate_sets_aside_bids_outside_the_floor_and_planned_price_and_reviews_the_rest_upwards(official):
    prices = ["87000000", "92000000", "87745000", "101000000", "88000000"]
    tender, users = opened_tender(official, prices, method="floor_rate_reserve")
    assert tender.opening_record.floor_price == Decimal("87745000")

    evaluation = services.evaluation_start(tender=tender, actor=official)

    assert ranking(evaluation) == [(1, "8.7745E+7"), (2, "8.8E+7"), (3, "9.2E+7")]
    below, above = assessment_of(tender, users[0]), assessment_of(tender, users[3])
    assert not below.admissible
    assert "floor" in below.set_aside_reason
    assert not above.admissible
    assert "planned" in above.set_aside_reason
    assert Bid.objects.get(pk=below.bid_id).status == Bid.Status.DISQUALIFIED
    assert Bid.objects.get(pk=below.bid_id).status_reason == below.set_aside_reason

    # 적격심사: the bid at the floor fails, the next one passes and becomes the proposed winner.
    services.assessment_review(
        assessment=assessment_of(tender, users[2]), actor=official, passed=False, reason="적격심사 점수 미달"
    )
    services.assessment_review(assessment=assessment_of(tender, users[4]), actor=official, passed=True)
    assert services.next_for_review(evaluation) is None
    services.evaluation_complete(evaluation=evaluation, actor=official)
    evaluation.refresh_from_db()
    assert evaluation.winner.supplier == users[4].supplier_membership.supplier


def test_when_every_bid_is_below_the_floor_the_tender_is_unsuccessful_and_cannot_be_evaluated(official):
    tender, _users = opened_tender(official, ["80000000", "87744999"], method="floor_rate_reserve")

    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL
    assert tender.opening_record.valid_count == 0
    with pytest.raises(InvalidTransition):
        services.evaluation_start(tender=tender, actor=official)


def test_floor_rate_uses_the_planned_price_drawn_from_the_reserve_prices(official):
    tender, users = opened_tender(
        official, ["99000000", "93000000", "60000000"], method="floor_rate_reserve", reserve_prices=True
    )
    record = tender.opening_record
    assert len(record.reserve_prices) == 15
    assert record.planned_price

    evaluation = services.evaluation_start(tender=tender, actor=official)

    admissible = [
        p for p in (Decimal(99_000_000), Decimal(93_000_000)) if record.floor_price <= p <= record.planned_price
    ]
    assert [a.opened_bid.price for a in evaluation.assessments.filter(admissible=True).order_by("rank")] == sorted(
        admissible
    )
    assert not assessment_of(tender, users[2]).admissible
