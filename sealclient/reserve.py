"""복수예비가격 (multiple reserve prices): the draw at publication and the planned price at opening.

The one implementation of these rules: the portal (bidding), the reference client and the verifier
all use it.

Pure arithmetic, no database. The numbers follow KONEPS' practice for goods and services:

- Draw: the range base × (1 − r%) … base × (1 + r%) is cut into `count` (15) equal slices; one price
  is drawn uniformly (with the operating system's CSPRNG) in each slice and rounded to a whole
  currency unit that lies inside its slice. Price number i (1-based) comes from slice i, so the
  numbers also run from the lowest price to the highest.
- Picks: each bidder picks `picks_per_bidder` (2) distinct numbers as part of its sealed bid.
- Planned price (예정가격): the `picks_averaged` (4) most-picked numbers over all bids whose
  commitment verified are averaged, rounded down to a whole unit (원 미만 절사).
- Ties: numbers picked equally often are taken in ascending number order (so the lower price goes
  first). This is our documented rule — deterministic and reproducible by anyone from the published
  pick counts; KONEPS does not publish its own tie rule in a form we could verify.
- Floor price (낙찰하한금액): floor rate % × planned price, rounded up to a whole unit, so a bid equal
  to the rounded floor is at (not below) the floor.
"""

import math
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

_system_random = secrets.SystemRandom()
# The sealed JSON of a draw: {"schema", "tender", "amendment", "base_price", "range_pct", "values"}.
RESERVE_SCHEMA = "koneps-reserve-prices-v1"


@dataclass(frozen=True)
class ReserveSlice:
    number: int
    low: Decimal  # inclusive
    high: Decimal  # exclusive, except for the last slice


def reserve_slices(*, base_price: Decimal, range_pct: Decimal, count: int) -> list[ReserveSlice]:
    base = Decimal(base_price)
    low = base * (1 - Decimal(range_pct) / 100)
    high = base * (1 + Decimal(range_pct) / 100)
    width = (high - low) / count
    return [
        ReserveSlice(number=i + 1, low=low + width * i, high=high if i == count - 1 else low + width * (i + 1))
        for i in range(count)
    ]


def _whole_units_in(slice_: ReserveSlice, *, last: bool) -> tuple[int, int]:
    first = math.ceil(slice_.low)
    last_unit = math.floor(slice_.high) if last else math.ceil(slice_.high) - 1
    return first, last_unit


def reserve_value_fits(slice_: ReserveSlice, value: Decimal, *, last: bool) -> bool:
    """Whether `value` is one the draw could have given for this slice."""
    if not value.is_finite() or value != value.to_integral_value():
        return False
    first, last_unit = _whole_units_in(slice_, last=last)
    if first <= last_unit:
        return first <= value <= last_unit
    return value == ((slice_.low + slice_.high) / 2).to_integral_value()


def reserve_prices_draw(
    *, base_price: Decimal, range_pct: Decimal, count: int, rng: secrets.SystemRandom | None = None
) -> list[Decimal]:
    """`count` prices, price i uniform over the whole units of slice i.

    A slice narrower than one unit (only for tiny base prices) contains no whole unit; it then gets
    the unit nearest its middle.
    """
    rng = rng or _system_random
    slices = reserve_slices(base_price=base_price, range_pct=range_pct, count=count)
    values = []
    for index, slice_ in enumerate(slices):
        first, last = _whole_units_in(slice_, last=index == count - 1)
        if first <= last:
            values.append(Decimal(rng.randint(first, last)))
        else:
            values.append(((slice_.low + slice_.high) / 2).to_integral_value())
    return values


@dataclass(frozen=True)
class PlannedPrice:
    pick_counts: dict[int, int]  # number → how many bids picked it
    chosen: tuple[int, ...]  # the numbers averaged, in the order they were taken
    planned_price: Decimal


def planned_price_compute(
    *, values: Sequence[Decimal], picks: Iterable[Sequence[int]], averaged: int = 4
) -> PlannedPrice:
    """The `averaged` most-picked prices (ties: lower number first), averaged and rounded down."""
    counts = Counter(number for bid_picks in picks for number in bid_picks)
    numbers = range(1, len(values) + 1)
    pick_counts = {n: counts.get(n, 0) for n in numbers}
    ranked = sorted(numbers, key=lambda n: (-pick_counts[n], n))
    chosen = tuple(ranked[:averaged])
    total = sum((Decimal(values[n - 1]) for n in chosen), Decimal(0))
    planned = (total / len(chosen)).to_integral_value(rounding=ROUND_FLOOR)
    return PlannedPrice(pick_counts=pick_counts, chosen=chosen, planned_price=planned)


def floor_price_compute(*, planned_price: Decimal, floor_rate: Decimal) -> Decimal:
    """floor_rate is a percentage (87.745 means 87.745 %); rounded up to a whole unit."""
    return (Decimal(planned_price) * Decimal(floor_rate) / 100).to_integral_value(rounding=ROUND_CEILING)


def reserve_values_outside_slices(*, values: Sequence[Decimal], base_price: Decimal, range_pct: Decimal) -> list[int]:
    """The numbers (1-based) of the values that `reserve_prices_draw` could not have drawn."""
    slices = reserve_slices(base_price=base_price, range_pct=range_pct, count=len(values))
    return [
        slice_.number
        for index, (value, slice_) in enumerate(zip(values, slices, strict=True))
        if not reserve_value_fits(slice_, value, last=index == len(values) - 1)
    ]
