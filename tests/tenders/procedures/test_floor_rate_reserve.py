"""Floor rate with multiple reserve prices (복수예비가격): reserve prices, a floor, then review."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bidding.models import OpenedBid
from sealclient.rules import Candidate
from tenders.policies import FloorRateReserve, evaluation_policy

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_it_states_what_it_involves():
    procedure = evaluation_policy("floor_rate_reserve")
    assert procedure is FloorRateReserve
    assert procedure.uses_reserve_prices
    assert procedure.has_floor
    assert procedure.has_qualification_review
    assert not procedure.needs_committee
    assert not procedure.needs_technical_proposal
    assert procedure.envelope_options == (1, 2)
    assert procedure.params_template == "tenders/procedures/floor_rate_reserve.html"


def test_the_national_defaults_fill_what_the_tender_leaves_out(settings):
    settings.EVALUATION_DEFAULTS = {
        **settings.EVALUATION_DEFAULTS,
        "floor_rate_reserve": {
            "floor_rate": "87.745",
            "reserve_range_pct": "2",
            "reserve_count": 15,
            "picks_per_bidder": 2,
            "picks_averaged": 4,
        },
    }
    assert FloorRateReserve.clean({"floor_rate": "88"}) == {
        "floor_rate": "88",
        "reserve_range_pct": "2",
        "reserve_count": 15,
        "picks_per_bidder": 2,
        "picks_averaged": 4,
    }
    assert FloorRateReserve.reserve_pick_rules({"reserve_count": 10, "picks_per_bidder": 3}) == (10, 3)


def test_it_refuses_to_average_more_reserve_prices_than_are_drawn():
    with pytest.raises(ValidationError) as refused:
        FloorRateReserve.clean({"reserve_count": 3, "picks_averaged": 4})
    assert "picks_averaged" in refused.value.message_dict


def test_opening_sets_aside_bids_below_the_floor_and_above_the_planned_price():
    candidates = [
        Candidate(bid_id=1, price=Decimal(86), usable=True),
        Candidate(bid_id=2, price=Decimal(88), usable=True),
        Candidate(bid_id=3, price=Decimal(95), usable=True),
        Candidate(bid_id=4, price=Decimal(101), usable=True),
    ]
    FloorRateReserve.ranking.rank(candidates, planned_price=Decimal(100), floor_price=Decimal(87))
    assert [(c.bid_id, c.outcome, c.rank) for c in candidates] == [
        (1, OpenedBid.Outcome.BELOW_FLOOR, None),
        (2, OpenedBid.Outcome.RANKED, 1),
        (3, OpenedBid.Outcome.RANKED, 2),
        (4, OpenedBid.Outcome.ABOVE_PLANNED, None),
    ]
