"""Competition ranking of opened bids: 1 + the number of strictly lower prices; equal prices tie."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealclient.rules import RANKED, Candidate, FloorRateReserveRanking, LowestPriceRanking


def _candidates(prices, unusable=()):
    return [
        Candidate(bid_id=n, price=None if n in unusable else Decimal(p), usable=n not in unusable)
        for n, p in enumerate(prices)
    ]


@settings(suppress_health_check=[HealthCheck.too_slow])  # the machine may be busy; the inputs are small
@given(st.lists(st.integers(min_value=1, max_value=12), max_size=40), st.sets(st.integers(0, 39), max_size=5))
def test_each_rank_counts_the_strictly_lower_prices_and_equal_prices_are_tied(prices, unusable):
    candidates = LowestPriceRanking.rank(_candidates(prices, unusable))
    usable = [c for c in candidates if c.usable]
    for c in usable:
        assert c.outcome == RANKED
        assert c.rank == 1 + sum(1 for o in usable if o.price < c.price)
        assert c.tied == (sum(1 for o in usable if o.price == c.price) > 1)
    assert all(c.rank is None and not c.tied for c in candidates if not c.usable)


def test_amounts_written_differently_are_the_same_price():
    candidates = LowestPriceRanking.rank(
        [Candidate(1, Decimal("90000000"), True), Candidate(2, Decimal("90000000.00"), True)]
    )
    assert [(c.rank, c.tied) for c in candidates] == [(1, True), (1, True)]


def test_bids_set_aside_below_the_floor_or_above_the_planned_price_take_no_rank():
    candidates = FloorRateReserveRanking.rank(
        _candidates([80, 95, 95, 99, 120]), planned_price=Decimal(100), floor_price=Decimal(88)
    )
    assert [(c.outcome, c.rank, c.tied) for c in candidates] == [
        ("below_floor", None, False),
        (RANKED, 1, True),
        (RANKED, 1, True),
        (RANKED, 3, False),
        ("above_planned", None, False),
    ]
