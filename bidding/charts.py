"""The charts of an opening record — the bid distribution and the reserve-price picks — laid out in
Python and drawn as inline SVG by the template (no JavaScript; the CSP allows it, and it prints and
reads without a browser). Each chart sits next to a table with the same numbers."""

from dataclasses import dataclass
from decimal import Decimal

from .models import OpenedBid, OpeningRecord

WIDTH = 640
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 40


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    css: str
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    css: str


def _scale(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return round(LEFT + (value - low) / span * (WIDTH - LEFT - RIGHT), 1)


def bid_distribution(record: OpeningRecord, bids: list[OpenedBid]) -> dict | None:
    """Each priced bid as a dot at its % of the reference price; the reference (100 %) and the floor
    rate as vertical lines. Dots at nearly the same % are stacked so none hides another."""
    priced = [b for b in bids if b.price_ratio is not None]
    if not priced or not record.reference_price:
        return None
    ratios = [float(b.price_ratio) for b in priced]
    markers_at = [100.0]
    if record.floor_rate is not None:
        markers_at.append(float(record.floor_rate))
    low = min(ratios + markers_at)
    high = max(ratios + markers_at)
    pad = max((high - low) * 0.08, 0.5)
    low, high = low - pad, high + pad
    step = _tick_step(high - low)
    first = int(low // step + 1) * step
    ticks = []
    value = first
    while value < high:
        ticks.append(Tick(_scale(value, low, high), f"{value:g}%"))
        value += step
    stacks: dict[int, int] = {}
    dots = []
    baseline = HEIGHT - BOTTOM - 10
    for bid in sorted(priced, key=lambda b: b.price_ratio):
        x = _scale(float(bid.price_ratio), low, high)
        bucket = int(x // 8)
        level = stacks.get(bucket, 0)
        stacks[bucket] = level + 1
        css = {
            OpenedBid.Outcome.RANKED: "is-ranked",
            OpenedBid.Outcome.BELOW_FLOOR: "is-below",
            OpenedBid.Outcome.ABOVE_PLANNED: "is-above",
        }.get(bid.outcome, "is-flagged")
        if bid.rank == 1:
            css += " is-first"
        dots.append(
            Dot(x, max(baseline - level * 12, TOP + 6), css, f"{bid.supplier.name}: {bid.price_ratio.normalize():f}%")
        )
    markers = [Marker(_scale(100.0, low, high), _reference_label(record), "is-reference")]
    if record.floor_rate is not None:
        markers.append(
            Marker(
                _scale(float(record.floor_rate), low, high), f"{Decimal(record.floor_rate).normalize():f}%", "is-floor"
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "top": TOP,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "ticks": ticks,
        "dots": dots,
        "markers": markers,
        "axis_title_y": HEIGHT - 6,
        "centre": LEFT + (WIDTH - LEFT - RIGHT) / 2,
    }


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar: the reserve price's number
    value: int  # above the bar: its picks
    chosen: bool
    title: str

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


PICKS_HEIGHT = 220
PICKS_BOTTOM = 44


def reserve_picks(record: OpeningRecord) -> dict | None:
    """One bar per reserve price: how many bidders picked it; the prices averaged into the planned
    price are filled, the others outlined. The y axis counts picks in whole numbers."""
    prices = record.reserve_prices or []
    if not prices:
        return None
    most = max((int(p.get("picks", 0)) for p in prices), default=0)
    top_value = max(most, 1)
    step = max(1, -(-top_value // 5))  # at most about five gridlines
    top_value = -(-top_value // step) * step
    plot_top, axis_y = TOP, PICKS_HEIGHT - PICKS_BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(prices)
    bars = []
    for index, price in enumerate(prices):
        picks = int(price.get("picks", 0))
        height = round((axis_y - plot_top) * picks / top_value, 1)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(axis_y - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                label=str(price["number"]),
                value=picks,
                chosen=bool(price.get("chosen")),
                title=f"{price['number']}: {picks}",
            )
        )
    gridlines = [
        Tick(round(axis_y - (axis_y - plot_top) * value / top_value, 1), str(value))
        for value in range(0, top_value + 1, step)
    ]
    return {
        "width": WIDTH,
        "height": PICKS_HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": axis_y,
        "label_y": axis_y + 16,
        "axis_title_y": PICKS_HEIGHT - 6,
        "centre": LEFT + (WIDTH - LEFT - RIGHT) / 2,
        "middle_y": plot_top + (axis_y - plot_top) / 2,
        "bars": bars,
        "gridlines": gridlines,  # Tick.x holds the line's y here
    }


def _reference_label(record: OpeningRecord) -> str:
    return "100%"


def _tick_step(span: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 50, 100):
        if span / step <= 10:
            return step
    return 200
