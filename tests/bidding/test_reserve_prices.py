"""복수예비가격: the draw, the picks, the planned price and the floor — against hand-computed cases."""

import hashlib
import math
from decimal import Decimal

import pytest

from bidding.content import reserve_picks_clean
from bidding.models import OpenedBid, OpeningRecord
from procurement.errors import DomainError
from sealclient.reserve import floor_price_compute, planned_price_compute, reserve_prices_draw, reserve_slices
from tenders.models import ReservePriceSet
from tests.bidding.helpers import bidder, close_and_open, submit
from tests.sealing import publish, reserve_redraw, reserve_seal, reserve_values_of

BASE = Decimal(100_000_000)


class LowestRng:
    """Picks the lowest whole unit of every slice."""

    def randint(self, a, b):
        return a


class HighestRng:
    def randint(self, a, b):
        return b


def test_the_range_is_cut_into_fifteen_equal_slices():
    slices = reserve_slices(base_price=BASE, range_pct=Decimal(2), count=15)
    assert len(slices) == 15
    assert slices[0].low == Decimal(98_000_000)
    assert slices[-1].high == Decimal(102_000_000)
    widths = {round(s.high - s.low, 6) for s in slices}
    assert widths == {Decimal("266666.666667")}


def test_each_drawn_price_is_a_whole_unit_inside_its_own_slice():
    for _ in range(50):
        values = reserve_prices_draw(base_price=BASE, range_pct=Decimal(2), count=15)
        slices = reserve_slices(base_price=BASE, range_pct=Decimal(2), count=15)
        assert len(values) == 15
        for value, slice_ in zip(values, slices, strict=True):
            assert value == value.to_integral_value()
            assert slice_.low <= value
            assert value < slice_.high or (slice_.number == 15 and value <= slice_.high)


def test_the_lowest_and_highest_possible_draws_are_the_slice_edges_hand_computed():
    # Slice i starts at 98,000,000 + i × 266,666.67; its first whole unit is the ceiling.
    lowest = reserve_prices_draw(base_price=BASE, range_pct=Decimal(2), count=15, rng=LowestRng())
    assert lowest[:3] == [Decimal(98_000_000), Decimal(98_266_667), Decimal(98_533_334)]
    assert lowest[-1] == Decimal(101_733_334)
    highest = reserve_prices_draw(base_price=BASE, range_pct=Decimal(2), count=15, rng=HighestRng())
    # Half-open slices: the last unit below the next slice's start; the last slice includes +2 %.
    assert highest[:2] == [Decimal(98_266_666), Decimal(98_533_333)]
    assert highest[-1] == Decimal(102_000_000)


def test_a_wider_range_for_local_governments_scales_the_slices():
    lowest = reserve_prices_draw(base_price=BASE, range_pct=Decimal(3), count=15, rng=LowestRng())
    assert lowest[0] == Decimal(97_000_000)
    assert lowest[1] == Decimal(97_400_000)


VALUES = [Decimal(99_000_000 + n * 100_000) for n in range(1, 16)]  # 99,100,000 … 100,500,000


def test_the_four_most_picked_are_averaged_and_ties_go_to_the_lower_number():
    picks = [(1, 2), (2, 3), (2, 4), (3, 5), (6, 7)]
    # Counts: 2→3, 3→2, then 1, 4, 5, 6, 7 once each: the tie takes 1 and 4 (lower numbers first).
    result = planned_price_compute(values=VALUES, picks=picks, averaged=4)
    assert result.pick_counts[2] == 3
    assert result.pick_counts[3] == 2
    assert result.pick_counts[15] == 0
    assert result.chosen == (2, 3, 1, 4)
    # (99.2 + 99.3 + 99.1 + 99.4) million / 4
    assert result.planned_price == Decimal(99_250_000)


def test_the_planned_price_is_rounded_down_to_a_whole_unit():
    values = list(VALUES)
    values[1] = Decimal(99_200_003)  # number 2
    result = planned_price_compute(values=values, picks=[(1, 2), (3, 4)], averaged=4)
    # 397,000,003 / 4 = 99,250,000.75 → 99,250,000
    assert result.planned_price == Decimal(99_250_000)


def test_without_any_picks_the_four_lowest_numbers_are_used():
    result = planned_price_compute(values=VALUES, picks=[], averaged=4)
    assert result.chosen == (1, 2, 3, 4)
    assert result.planned_price == Decimal(99_250_000)


def test_a_clear_majority_beats_lower_numbers():
    picks = [(14, 15)] * 3 + [(12, 13)] * 2 + [(1, 2)]
    result = planned_price_compute(values=VALUES, picks=picks, averaged=4)
    assert result.chosen == (14, 15, 12, 13)
    # (100.4 + 100.5 + 100.2 + 100.3) million / 4
    assert result.planned_price == Decimal(100_350_000)


def test_the_floor_is_the_floor_rate_of_the_planned_price_rounded_up():
    # 99,250,000 × 87.745 % = 87,086,912.5 → 87,086,913
    assert floor_price_compute(planned_price=Decimal(99_250_000), floor_rate=Decimal("87.745")) == Decimal(87_086_913)
    assert floor_price_compute(planned_price=Decimal(100_000_000), floor_rate=Decimal("87.745")) == Decimal(87_745_000)


@pytest.mark.parametrize(
    ("picks", "message"),
    [
        ((3,), "exactly 2"),
        ((3, 4, 5), "exactly 2"),
        ((3, 3), "different"),
        ((0, 4), "from 1 to 15"),
        ((4, 16), "from 1 to 15"),
        (("x", 2), "numbers"),
    ],
)
def test_a_bidder_picks_exactly_two_distinct_numbers_from_one_to_fifteen(picks, message):
    with pytest.raises(DomainError, match=message):
        reserve_picks_clean(picks, reserve_count=15, picks_required=2)


def test_picks_are_numbers_not_values_and_are_kept_sorted():
    assert reserve_picks_clean(["15", 3], reserve_count=15, picks_required=2) == (3, 15)


@pytest.mark.django_db
def test_publication_stores_fifteen_sealed_prices_and_their_commitment_only(reserve_tender):
    reserve_set = ReservePriceSet.objects.get(tender=reserve_tender)
    assert reserve_set.count == 15
    assert reserve_set.range_pct == Decimal(2)
    assert reserve_set.base_price == BASE
    sealed = bytes(reserve_set.ciphertext)
    # Ciphertext, not the JSON document.
    assert b"values" not in sealed
    assert b"koneps" not in sealed
    assert reserve_set.commitment == hashlib.sha256(sealed).hexdigest()
    # Only the tender's private key reads it (which the server does not have before opening).
    values = reserve_values_of(reserve_tender, reserve_tender.test_private_key)
    slices = reserve_slices(base_price=BASE, range_pct=Decimal(2), count=15)
    assert all(s.low <= v <= s.high for v, s in zip(values, slices, strict=True))


@pytest.mark.django_db
def test_publishing_a_floor_rate_tender_stores_its_sealed_draw_in_the_same_transaction(official):
    from tenders import services as tender_services
    from tests.tenders.conftest import tender_data

    draft = tender_services.tender_create(
        actor=official, data=tender_data(evaluation_method="floor_rate_reserve", evaluation_params={})
    )
    assert not ReservePriceSet.objects.filter(tender=draft).exists()
    published = publish(tender=draft, actor=official)
    assert ReservePriceSet.objects.filter(tender=published, amendment_number=0).count() == 1


@pytest.mark.django_db
def test_a_lowest_price_tender_has_no_reserve_prices(tender):
    assert not ReservePriceSet.objects.filter(tender=tender).exists()


def _replace_reserve_values(tender, values):
    """Test setup: swap the random draw for known values, sealed and committed the same way."""
    sealed = reserve_seal(tender, bytes(tender.public_key), amendment=0, values=values)
    ReservePriceSet.objects.filter(tender=tender).update(ciphertext=sealed.ciphertext, commitment=sealed.commitment)


def _open_refused(tender, message):
    user = bidder()
    submit(tender, user, price="95000000", picks=(1, 2))
    with pytest.raises(DomainError, match=message):
        close_and_open(tender)
    assert not OpeningRecord.objects.filter(tender=tender).exists()


@pytest.mark.django_db
def test_opening_refuses_reserve_prices_that_differ_from_their_published_commitment(reserve_tender):
    sealed = reserve_seal(reserve_tender, bytes(reserve_tender.public_key), amendment=0, values=VALUES)
    # The ciphertext swapped in the database after publication: the commitment no longer matches.
    ReservePriceSet.objects.filter(tender=reserve_tender).update(ciphertext=sealed.ciphertext)
    _open_refused(reserve_tender, "commitment")


@pytest.mark.django_db
def test_opening_refuses_a_reserve_price_outside_its_slice(reserve_tender):
    _replace_reserve_values(reserve_tender, [Decimal(98_000_000)] * 15)
    _open_refused(reserve_tender, "outside its slice")


@pytest.mark.django_db
def test_opening_refuses_to_go_on_without_a_draw(reserve_tender):
    ReservePriceSet.objects.filter(tender=reserve_tender).delete()
    _open_refused(reserve_tender, "no sealed reserve prices")


# The lowest whole unit of each slice of 100,000,000 ± 2 %: 98,000,000, 98,266,667, 98,533,334, …
SLICE_VALUES = [Decimal(math.ceil(s.low)) for s in reserve_slices(base_price=BASE, range_pct=Decimal(2), count=15)]


@pytest.mark.django_db
def test_opening_publishes_all_fifteen_prices_the_pick_counts_the_planned_price_and_the_floor(reserve_tender):
    _replace_reserve_values(reserve_tender, SLICE_VALUES)
    # Numbers 2 (3 picks), 3 (2), then 1 and 4 (ties: lower first): (98,000,000 + 98,266,667 +
    # 98,533,334 + 98,800,000) / 4 = 98,400,000.25 → planned 98,400,000; floor 86,341,080.
    prices_and_picks = [
        ("86341079", (1, 2)),  # one unit below the floor: set aside
        ("86341080", (2, 3)),  # exactly at the floor: valid, the lowest
        ("95000000", (2, 4)),
        ("98400001", (3, 5)),  # above the planned price: set aside
        ("98400000", (6, 7)),  # at the planned price: valid
    ]
    users = [bidder() for _ in prices_and_picks]
    for user, (price, picks) in zip(users, prices_and_picks, strict=True):
        submit(reserve_tender, user, price=price, picks=picks)
    record = close_and_open(reserve_tender)
    assert record.planned_price == Decimal(98_400_000)
    assert record.floor_rate == Decimal("87.745")
    assert record.floor_price == Decimal(86_341_080)
    assert [r["value"] for r in record.reserve_prices] == [str(v) for v in SLICE_VALUES]
    assert [r["number"] for r in record.reserve_prices if r["chosen"]] == [1, 2, 3, 4]
    assert {r["number"]: r["picks"] for r in record.reserve_prices}[2] == 3
    by_price = {str(int(ob.price)): ob for ob in OpenedBid.objects.filter(opening=record)}
    assert by_price["86341079"].outcome == OpenedBid.Outcome.BELOW_FLOOR
    assert by_price["86341079"].rank is None
    assert by_price["98400001"].outcome == OpenedBid.Outcome.ABOVE_PLANNED
    assert by_price["98400001"].rank is None
    assert by_price["86341080"].rank == 1
    assert by_price["95000000"].rank == 2
    assert by_price["98400000"].rank == 3
    assert by_price["86341080"].price_ratio == Decimal("87.7450")
    assert record.valid_count == 3


@pytest.mark.django_db
def test_an_amendment_of_the_base_price_needs_a_new_sealed_draw(official):
    from datetime import timedelta

    from django.utils import timezone

    from tenders import services as tender_services
    from tests.tenders.conftest import tender_data

    published = publish(
        tender=tender_services.tender_create(actor=official, data=tender_data(evaluation_method="floor_rate_reserve")),
        actor=official,
    )
    data = {"estimated_value": Decimal(200_000_000), "submission_deadline": timezone.now() + timedelta(days=12),
            "opening_at": timezone.now() + timedelta(days=12, hours=1)}  # fmt: skip
    with pytest.raises(DomainError, match="drawn again"):
        tender_services.tender_amend(tender=published, actor=official, reason="Budget raised", data=data)
    published.estimated_value = Decimal(200_000_000)
    tender_services.tender_amend(
        tender=published, actor=official, reason="Budget raised", data=data,
        reserve_prices=reserve_redraw(published, amendment=1),
    )  # fmt: skip
    sets = list(ReservePriceSet.objects.filter(tender=published).order_by("amendment_number"))
    assert [s.amendment_number for s in sets] == [0, 1]
    assert sets[1].base_price == Decimal(200_000_000)
