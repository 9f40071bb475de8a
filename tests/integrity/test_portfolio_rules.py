"""Rules over many tenders (nightly) at, just above and just below their thresholds, and a small
market where three suppliers rotate wins on one buyer's tenders."""

from decimal import Decimal

import pytest

from integrity import services
from integrity.models import Flag
from tests.factories import ProcuringEntityFactory

from .conftest import run


def _pair_flags(rule_id, *suppliers):
    return [f for f in Flag.objects.filter(rule=rule_id) if set(suppliers) <= set(f.suppliers.all())]


# --- the market test --------------------------------------------------------------------------------


def test_three_suppliers_rotating_wins_on_one_buyers_tenders_raise_rotation_and_concentration(market):
    """A, B and C bid on each of the buyer's six tenders and win in turn; A, the ring leader, takes
    the big contracts. An honest supplier elsewhere wins one tender of another buyer."""
    a, b, c = market.suppliers(3)
    for winner, value in [(a, 300), (b, 50), (c, 50), (a, 300), (b, 50), (c, 50)]:
        prices = {s: value * 1_000_000 + (0 if s == winner else 1_000_000 * (1 + i)) for i, s in enumerate((a, b, c))}
        market.won(list(prices.items()), winner, estimated_value=Decimal(value * 1_100_000))
    honest = market.supplier()
    other_buyer = market.tender(entity=ProcuringEntityFactory())
    market.won([(honest, 10_000_000), (a, 11_000_000)], honest, tender=other_buyer)

    runs = services.integrity_run_all()
    assert {r.rule for r in runs} >= {"bid_rotation", "award_concentration"}

    [rotation] = Flag.objects.filter(rule="bid_rotation")
    assert set(rotation.suppliers.all()) == {a, b, c}
    assert rotation.entity == market.entity
    assert rotation.value == 6
    assert [step["winner"] for step in rotation.evidence["sequence"]] == [a.pk, b.pk, c.pk] * 2
    assert rotation.tenders.count() == 6

    [concentration] = Flag.objects.filter(rule="award_concentration")
    assert list(concentration.suppliers.all()) == [a]
    assert concentration.value == Decimal("75.00")  # 600 of 800 million
    assert not Flag.objects.filter(rule__in=["bid_rotation", "award_concentration"], suppliers=honest).exists()


def test_two_tenders_are_not_yet_a_rotation(market):
    a, b = market.suppliers(2)
    market.won([(a, 90_000_000), (b, 91_000_000)], a)
    market.won([(a, 91_000_000), (b, 90_000_000)], b)
    assert run("bid_rotation") == []


def test_a_group_where_one_member_never_wins_is_not_a_rotation(market):
    a, b, c = market.suppliers(3)
    for winner in (a, b, a):
        market.won([(a, 90_000_000), (b, 90_500_000), (c, 99_000_000)], winner)
    assert run("bid_rotation") == []


def test_rotation_threshold_of_four_tenders_ignores_three(market, thresholds):
    thresholds("bid_rotation", min_tenders=4)
    a, b = market.suppliers(2)
    for winner in (a, b, a):
        market.won([(a, 90_000_000), (b, 91_000_000)], winner)
    assert run("bid_rotation") == []
    market.won([(a, 90_000_000), (b, 91_000_000)], b)
    assert len(run("bid_rotation")) == 1


# --- concentration ----------------------------------------------------------------------------------


def _awards(market, shares):
    """One award per (supplier, value in millions)."""
    for supplier, millions in shares:
        market.won([(supplier, millions * 1_000_000)], supplier)


def test_a_share_exactly_at_the_threshold_is_flagged(market):
    a, b, c = market.suppliers(3)
    _awards(market, [(a, 250), (a, 250), (b, 200), (b, 100), (c, 200)])
    [flag] = run("award_concentration")
    assert list(flag.suppliers.all()) == [a]
    assert flag.value == Decimal("50.00")
    assert flag.evidence["awards_total"] == 5


def test_a_share_just_below_the_threshold_is_not_flagged(market):
    a, b, c = market.suppliers(3)
    _awards(market, [(a, 249), (a, 250), (b, 200), (b, 100), (c, 200)])
    assert run("award_concentration") == []


def test_too_few_awards_are_not_judged(market):
    a, b = market.suppliers(2)
    _awards(market, [(a, 900), (a, 900), (a, 900), (b, 1)])
    assert run("award_concentration") == []


# --- repeated single bids between one buyer and one supplier ------------------------------------------


def test_three_single_bid_awards_to_one_supplier_are_flagged_two_are_not(market):
    a, b = market.suppliers(2)
    for _ in range(3):
        market.won([(a, 90_000_000)], a)
    for _ in range(2):
        market.won([(b, 90_000_000)], b)
    [flag] = run("repeat_single_bid_pair")
    assert list(flag.suppliers.all()) == [a]
    assert flag.value == 3


# --- always losing to the same winner ----------------------------------------------------------------


def test_three_losses_to_one_winner_are_flagged_two_are_not(market):
    winner, loser, other = market.suppliers(3)
    for _ in range(3):
        market.won([(winner, 90_000_000), (loser, 95_000_000)], winner)
    for _ in range(2):
        market.won([(winner, 90_000_000), (other, 95_000_000)], winner)
    [flag] = run("same_loser")
    assert flag.evidence["winner"] == winner.pk
    assert flag.evidence["loser"] == loser.pk
    assert flag.value == 3


def test_a_loser_that_once_beat_the_winner_is_not_flagged(market):
    winner, loser = market.suppliers(2)
    for _ in range(4):
        market.won([(winner, 90_000_000), (loser, 95_000_000)], winner)
    market.won([(winner, 95_000_000), (loser, 90_000_000)], loser)
    assert run("same_loser") == []


# --- fixed ratio to the estimate (cover bidding) -------------------------------------------------------


@pytest.mark.parametrize(("last_pct", "flagged"), [("105.10", True), ("105.11", False), ("105.09", True)])
def test_a_cover_bidder_at_a_fixed_share_of_the_estimate(market, last_pct, flagged):
    leader, cover = market.suppliers(2)
    for n, pct in enumerate(["105.00", "105.05", last_pct]):
        estimate = Decimal(100_000_000 + n * 7_000_000)
        market.won(
            [(leader, estimate * Decimal("0.9") - n * 123_457), (cover, estimate * Decimal(pct) / 100)],
            leader,
            estimated_value=estimate,
        )
    flags = run("fixed_price_ratio")
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].evidence["steady_bidder"] == cover.pk
        assert flags[0].value <= Decimal("0.1")


def test_two_tenders_do_not_make_a_pattern(market):
    leader, cover = market.suppliers(2)
    for n in range(2):
        estimate = Decimal(100_000_000 + n * 7_000_000)
        market.won([(leader, estimate * Decimal("0.9")), (cover, estimate * Decimal("1.05"))], leader,
                   estimated_value=estimate)  # fmt: skip
    assert run("fixed_price_ratio") == []


# --- BRIAS-style regional market groups ---------------------------------------------------------------


def _regional_market(market, together: int):
    """Ten goods tenders in Seoul; A and B bid together on `together` of them and win them all."""
    a, b, rival = market.suppliers(3)
    for n in range(10):
        if n < together:
            market.won([(a, 90_000_000), (b, 91_000_000)], a if n % 2 else b, delivery_place="서울특별시 중구 세종대로")
        else:
            market.won([(rival, 90_000_000)], rival, delivery_place="서울특별시 종로구")
    return a, b


def test_a_pair_bidding_together_on_half_a_regional_market_is_flagged(market):
    a, b = _regional_market(market, together=5)
    [flag] = run("market_group")
    assert set(flag.suppliers.all()) == {a, b}
    assert flag.evidence["region"] == "서울특별시"
    assert flag.value == Decimal("50.00")


def test_a_pair_bidding_together_on_four_of_ten_is_not_flagged(market):
    _regional_market(market, together=4)
    assert run("market_group") == []
