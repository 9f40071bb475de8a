"""Best value: a committee scores a technical proposal; technical and price scores are weighted."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tenders.policies import BestValue, evaluation_policy

T0 = datetime(2026, 11, 1, tzinfo=UTC)
PARAMS = {
    "technical_weight": 80,
    "price_weight": 20,
    "technical_threshold_pct": 70,
    "technical_criteria": [{"name": "Approach", "max_score": 60}, {"name": "Team", "max_score": 40}],
}


class FakeTender:
    evaluation_method = "best_value"
    evaluation_params = PARAMS


def test_it_states_what_it_involves():
    procedure = evaluation_policy("best_value")
    assert procedure is BestValue
    assert procedure.needs_committee
    assert procedure.needs_technical_proposal
    assert not procedure.uses_reserve_prices
    assert not procedure.has_floor
    assert procedure.has_qualification_review
    assert procedure.params_template == "tenders/procedures/best_value.html"
    assert procedure.reserve_pick_rules(PARAMS) == (None, None)


def test_the_weights_must_add_up_to_one_hundred():
    with pytest.raises(ValidationError) as refused:
        BestValue.clean({**PARAMS, "price_weight": 30})
    assert "price_weight" in refused.value.message_dict


def test_it_needs_at_least_one_named_criterion():
    with pytest.raises(ValidationError) as refused:
        BestValue.clean({**PARAMS, "technical_criteria": [{"name": "", "max_score": 10}]})
    assert "technical_criteria" in refused.value.message_dict


def test_opening_ranks_by_price_and_leaves_the_scores_to_evaluation():
    from sealclient.rules import Candidate

    candidates = [
        Candidate(bid_id=1, price=Decimal(100), usable=True),
        Candidate(bid_id=2, price=Decimal(90), usable=True),
    ]
    BestValue.ranking.rank(candidates, planned_price=None, floor_price=None)
    assert [c.rank for c in candidates] == [2, 1]


def test_evaluation_weights_technical_and_price_and_drops_bids_under_the_threshold():
    from contracts.policies import Standing

    standings = [
        Standing(bid_id=1, price=Decimal(100_000_000), submitted_at=T0),
        Standing(bid_id=2, price=Decimal(90_000_000), submitted_at=T0),
        Standing(bid_id=3, price=Decimal(80_000_000), submitted_at=T0),
    ]
    scores = {1: [Decimal(85), Decimal(90)], 2: [Decimal(75), Decimal(70)], 3: [Decimal(60), Decimal(65)]}
    BestValue.evaluation.compute(standings, tender=FakeTender, scores=scores)
    one, two, three = standings
    assert (one.technical_score, one.price_score, one.total_score) == (Decimal(70), Decimal(18), Decimal(88))
    assert (two.technical_score, two.price_score, two.total_score) == (Decimal(58), Decimal(20), Decimal(78))
    assert three.below_threshold
    assert three.total_score is None
    assert [s.bid_id for s in BestValue.evaluation.ranked(standings)] == [1, 2]
