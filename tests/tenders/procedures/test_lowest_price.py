"""Lowest price: no committee, no reserve prices, no floor; every valid bid ranked by price."""

from datetime import UTC, datetime
from decimal import Decimal

from bidding.models import OpenedBid
from sealclient.rules import Candidate
from tenders.policies import LowestPrice, evaluation_policy

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_it_states_what_it_involves():
    procedure = evaluation_policy("lowest_price")
    assert procedure is LowestPrice
    assert not procedure.needs_committee
    assert not procedure.needs_technical_proposal
    assert not procedure.uses_reserve_prices
    assert not procedure.has_floor
    assert procedure.has_qualification_review
    assert procedure.envelope_options == (1, 2)
    assert procedure.can_be_framework  # its valid bids in price order are a framework's suppliers (catalogue)
    assert procedure.params_template == ""


def test_it_has_no_parameters_and_no_reserve_picks():
    assert LowestPrice.clean({"floor_rate": "80"}) == {}
    assert LowestPrice.reserve_pick_rules({}) == (None, None)


def test_opening_ranks_every_valid_bid_by_price_equal_prices_sharing_a_rank():
    candidates = [
        Candidate(bid_id=1, price=Decimal(300), usable=True),
        Candidate(bid_id=2, price=Decimal(100), usable=True),
        Candidate(bid_id=3, price=Decimal(100), usable=True),
        Candidate(bid_id=4, price=None, usable=False, outcome=OpenedBid.Outcome.INVALID),
    ]
    LowestPrice.ranking.rank(candidates, planned_price=Decimal(150), floor_price=Decimal(200))
    assert [(c.bid_id, c.outcome, c.rank, c.tied) for c in candidates] == [
        (1, OpenedBid.Outcome.RANKED, 3, False),  # no floor and no planned price for this method
        (2, OpenedBid.Outcome.RANKED, 1, True),
        (3, OpenedBid.Outcome.RANKED, 1, True),
        (4, OpenedBid.Outcome.INVALID, None, False),
    ]


def test_evaluation_orders_by_price_then_the_earlier_submission():
    from contracts.policies import Standing

    later = datetime(2026, 11, 2, tzinfo=UTC)
    standings = [
        Standing(bid_id=1, price=Decimal(100), submitted_at=later),
        Standing(bid_id=2, price=Decimal(100), submitted_at=T0),
        Standing(bid_id=3, price=Decimal(90), submitted_at=later),
    ]
    assert [s.bid_id for s in LowestPrice.evaluation.ranked(standings)] == [3, 2, 1]
