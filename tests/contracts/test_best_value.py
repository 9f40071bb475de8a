"""Best value: the committee declares before it sees anything, scores, and the ranking is computed.

Criteria Approach (max 60) + Team (max 40) = 100 points; weights technical 80 / price 20; a bid
needs 70 % of the technical maximum (70 points).
"""

from decimal import Decimal

import pytest

from bidding.models import Bid
from contracts import services
from contracts.models import Assessment, CommitteeMember
from procurement.errors import DomainError
from procurement.models import Outbox

from .conftest import BEST_VALUE_PARAMS, opened_tender

pytestmark = pytest.mark.django_db


def best_value_tender(official, prices):
    return opened_tender(official, prices, method="best_value", evaluation_params=BEST_VALUE_PARAMS)


def committee(tender, official, *users):
    members = [services.committee_member_add(tender=tender, actor=official, user=u) for u in users]
    for member in members:
        services.conflict_declare(member=member, actor=member.user, no_conflict=True)
    return members


def score(member, bids_points: dict, *, submit=True):
    """bids_points: {bid_id: (approach, team)}."""
    scores = {}
    for bid_id, (approach, team) in bids_points.items():
        scores[(bid_id, 0)] = str(approach)
        scores[(bid_id, 1)] = str(team)
    services.scores_save(member=member, actor=member.user, scores=scores, submit=submit)


def bid_of(tender, user) -> int:
    return Bid.objects.get(tender=tender, supplier=user.supplier_membership.supplier).pk


def test_the_ranking_combines_average_technical_points_and_the_price_score(official, evaluator, second_evaluator):
    tender, (a, b, c) = best_value_tender(official, ["100000000", "90000000", "80000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    one, two = committee(tender, official, evaluator, second_evaluator)
    ids = {name: bid_of(tender, user) for name, user in (("a", a), ("b", b), ("c", c))}
    score(one, {ids["a"]: (50, 35), ids["b"]: (45, 30), ids["c"]: (30, 30)})
    score(two, {ids["a"]: (55, 35), ids["b"]: (40, 30), ids["c"]: (40, 25)})

    services.evaluation_calculate(evaluation=evaluation, actor=official)

    rows = {x.bid_id: x for x in Assessment.objects.filter(evaluation=evaluation)}
    # Points: A (85+90)/2 = 87.5, B (75+70)/2 = 72.5, C (60+65)/2 = 62.5 < 70 → set aside.
    assert rows[ids["a"]].technical_points == Decimal("87.5")
    assert rows[ids["a"]].technical_score == Decimal("70")  # 80 × 87.5 / 100
    assert rows[ids["b"]].technical_score == Decimal("58")  # 80 × 72.5 / 100
    # Price: lowest technically qualified price is B's 90,000,000 (C, cheaper, is not qualified).
    assert rows[ids["a"]].price_score == Decimal("18")  # 20 × 90 / 100
    assert rows[ids["b"]].price_score == Decimal("20")
    assert rows[ids["a"]].total_score == Decimal("88")
    assert rows[ids["a"]].rank == 1
    assert rows[ids["b"]].total_score == Decimal("78")
    assert rows[ids["b"]].rank == 2
    assert not rows[ids["c"]].admissible
    assert rows[ids["c"]].rank is None
    assert "62.5" in rows[ids["c"]].set_aside_reason
    assert Bid.objects.get(pk=ids["c"]).status == Bid.Status.DISQUALIFIED

    services.assessment_review(assessment=rows[ids["a"]], actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    evaluation.refresh_from_db()
    assert evaluation.winner_id == ids["a"]


def test_equal_totals_go_to_the_lower_price(official, evaluator):
    tender, (a, b) = best_value_tender(official, ["100000000", "80000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    (member,) = committee(tender, official, evaluator)
    # A: 80 points → 64 + price 20×80/100 = 16 → 80. B: 75 points → 60 + 20 → 80.
    score(member, {bid_of(tender, a): (50, 30), bid_of(tender, b): (45, 30)})

    services.evaluation_calculate(evaluation=evaluation, actor=official)

    first, second = Assessment.objects.filter(evaluation=evaluation).order_by("rank")
    assert first.total_score == second.total_score == Decimal("80")
    assert first.bid_id == bid_of(tender, b)


def test_equal_totals_and_prices_go_to_the_earlier_submission(official, evaluator):
    tender, (a, b) = best_value_tender(official, ["90000000", "90000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    (member,) = committee(tender, official, evaluator)
    score(member, {bid_of(tender, a): (50, 30), bid_of(tender, b): (50, 30)})

    services.evaluation_calculate(evaluation=evaluation, actor=official)

    assert Assessment.objects.get(evaluation=evaluation, rank=1).bid_id == bid_of(tender, a)


def test_the_ranking_waits_for_every_declaration_and_every_score(official, evaluator, second_evaluator):
    tender, (a,) = best_value_tender(official, ["90000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    first = services.committee_member_add(tender=tender, actor=official, user=evaluator)
    services.committee_member_add(tender=tender, actor=official, user=second_evaluator)
    with pytest.raises(DomainError, match="declare"):
        services.evaluation_calculate(evaluation=evaluation, actor=official)
    services.conflict_declare(member=first, actor=evaluator, no_conflict=True)
    second = CommitteeMember.objects.get(user=second_evaluator)
    services.conflict_declare(
        member=second, actor=second_evaluator, no_conflict=False, statement="My brother works there."
    )
    with pytest.raises(DomainError, match="submit their scores"):
        services.evaluation_calculate(evaluation=evaluation, actor=official)
    with pytest.raises(DomainError, match="Score every criterion"):
        services.scores_save(member=first, actor=evaluator, scores={(bid_of(tender, a), 0): "50"}, submit=True)

    score(first, {bid_of(tender, a): (50, 30)})
    services.evaluation_calculate(evaluation=evaluation, actor=official)

    assert Assessment.objects.get(evaluation=evaluation).technical_points == Decimal("80")
    assert Outbox.objects.filter(event="committee.recused", recipient=official).exists()


def test_a_member_who_declared_a_conflict_cannot_score(official, evaluator):
    tender, (a,) = best_value_tender(official, ["90000000"])
    services.evaluation_start(tender=tender, actor=official)
    member = services.committee_member_add(tender=tender, actor=official, user=evaluator)
    services.conflict_declare(member=member, actor=evaluator, no_conflict=False, statement="Former employer.")

    with pytest.raises(DomainError):
        services.scores_save(member=member, actor=evaluator, scores={(bid_of(tender, a), 0): "50"})


def test_a_member_without_a_declaration_cannot_score(official, evaluator):
    tender, (a,) = best_value_tender(official, ["90000000"])
    services.evaluation_start(tender=tender, actor=official)
    member = services.committee_member_add(tender=tender, actor=official, user=evaluator)

    with pytest.raises(DomainError, match="Declare"):
        services.scores_save(member=member, actor=evaluator, scores={(bid_of(tender, a), 0): "50"})


def test_scores_outside_the_criterion_range_are_refused(official, evaluator):
    tender, (a,) = best_value_tender(official, ["90000000"])
    services.evaluation_start(tender=tender, actor=official)
    (member,) = committee(tender, official, evaluator)

    with pytest.raises(DomainError, match="0 to 60"):
        services.scores_save(member=member, actor=evaluator, scores={(bid_of(tender, a), 0): "61"})


def test_only_evaluators_and_officials_of_the_entity_can_sit_on_the_committee(
    official, rival_official, supplier_user, evaluator
):
    tender, _users = best_value_tender(official, ["90000000"])
    for outsider in (rival_official, supplier_user):
        with pytest.raises(DomainError):
            services.committee_member_add(tender=tender, actor=official, user=outsider)
    with pytest.raises(DomainError):
        services.committee_member_add(tender=tender, actor=rival_official, user=evaluator)
    assert not CommitteeMember.objects.exists()


def test_one_members_declaration_is_theirs_alone(official, evaluator, second_evaluator):
    tender, _users = best_value_tender(official, ["90000000"])
    member = services.committee_member_add(tender=tender, actor=official, user=evaluator)
    with pytest.raises(DomainError):
        services.conflict_declare(member=member, actor=second_evaluator, no_conflict=True)
    with pytest.raises(DomainError):
        services.conflict_declare(member=member, actor=official, no_conflict=True)
