"""Charts laid out in Python and drawn as inline SVG by the templates: no JavaScript, nothing inline
that the CSP refuses (colours are SVG presentation attributes), and they print."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.formats import date_format

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return float(value)


def flags_over_time(months: list[tuple[date, int]]) -> dict | None:
    """Vertical bars: flags per month of occurrence."""
    if not months or not any(n for _, n in months):
        return None
    top = _nice_max(max(n for _, n in months))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(months)
    bars = []
    for i, (month, n) in enumerate(months):
        height = plot_h * n / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.15, 1),
                y=round(TOP + plot_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=date_format(month, "Y-m"),
                value=n,
            )
        )
    ticks = [Tick(round(TOP + plot_h - plot_h * k / 4, 1), f"{int(top * k / 4)}") for k in range(5)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": TOP + plot_h,
        "label_y": TOP + plot_h + 16,
        "bars": bars,
        "ticks": ticks,
    }


def flags_per_entity(rows: list[tuple[str, int, int]]) -> dict | None:
    """Horizontal bars: the entities with the most flags."""
    if not rows:
        return None
    label_w = 220
    row_h = 24
    top = _nice_max(max(n for _, _, n in rows))
    plot_w = WIDTH - label_w - RIGHT - 30
    bars = [
        Bar(
            x=label_w,
            y=8 + i * row_h,
            width=round(max(plot_w * n / top, 2), 1),
            height=row_h - 8,
            label=name,
            value=n,
        )
        for i, (name, _entity_id, n) in enumerate(rows)
    ]
    return {"width": WIDTH, "height": 16 + len(rows) * row_h, "label_x": label_w - 8, "bars": bars}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    won: bool
    label: str


def bidding_history(bids: list[dict]) -> dict | None:
    """One dot per opened bid: when (x) and its price as a percentage of the estimate (y); wins filled."""
    priced = [b for b in bids if b["pct"] is not None]
    if not priced:
        return None
    times = [b["at"] for b in priced]
    first, last = min(times), max(times)
    span = (last - first).total_seconds() or 1.0
    pcts = [float(b["pct"]) for b in priced] + [100.0]
    low, high = min(pcts), max(pcts)
    pad = max((high - low) * 0.1, 1.0)
    low, high = low - pad, high + pad
    plot_w = WIDTH - LEFT - RIGHT - 20
    plot_h = HEIGHT - TOP - BOTTOM

    def y_of(pct: float) -> float:
        return round(TOP + plot_h - (pct - low) / (high - low) * plot_h, 1)

    dots = [
        Dot(
            x=round(LEFT + 20 + (b["at"] - first).total_seconds() / span * plot_w, 1),
            y=y_of(float(b["pct"])),
            won=b["won"],
            label=f"{b['reference']} · {Decimal(b['pct']).quantize(Decimal('0.01'))}%",
        )
        for b in priced
    ]
    step = _tick_step(high - low)
    ticks = []
    value = (int(low // step) + 1) * step
    while value < high:
        ticks.append(Tick(y_of(value), f"{value:g}%"))
        value += step
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": TOP + plot_h,
        "label_y": TOP + plot_h + 16,
        "reference_y": y_of(100.0),
        "dots": dots,
        "ticks": ticks,
        "first": _day(first),
        "last": _day(last),
    }


def _day(value: datetime) -> str:
    return date_format(value, "Y-m-d")


def _tick_step(span: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100):
        if span / step <= 6:
            return step
    return 200
