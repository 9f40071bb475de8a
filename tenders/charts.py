"""A tender's timeline as a chart: publication, the questions deadline, the bid deadline and the
opening on one time axis, with today marked. Laid out in Python and drawn as inline SVG by
templates/tenders/_timeline_chart.html (no JavaScript); the list beside it gives the same dates."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 96
LEFT, RIGHT = 24, 24
AXIS_Y = 44


@dataclass(frozen=True)
class Event:
    x: float
    label: str
    when: str
    css: str
    above: bool  # labels alternate above and below the axis so that close dates do not collide


def tender_timeline(tender, *, now: datetime | None = None) -> dict | None:
    """None for a draft (nothing is scheduled in public yet) or without a deadline."""
    if not tender.published_at or not tender.submission_deadline:
        return None
    now = now or timezone.now()
    moments = [
        (_("Published"), tender.published_at, "is-published"),
        (_("Questions until"), tender.clarification_deadline, "is-questions"),
        (_("Bids due"), tender.submission_deadline, "is-deadline"),
        (_("Opening"), tender.opening_at, "is-opening"),
    ]
    moments = [(label, when, css) for label, when, css in moments if when]
    start = min(when for _label, when, _css in moments)
    end = max(when for _label, when, _css in moments)
    span = (end - start).total_seconds() or 1.0

    def x(when: datetime) -> float:
        return round(LEFT + (when - start).total_seconds() / span * (WIDTH - LEFT - RIGHT), 1)

    events = [
        Event(x(when), str(label), date_format(timezone.localtime(when), "m-d H:i"), css, index % 2 == 0)
        for index, (label, when, css) in enumerate(sorted(moments, key=lambda m: m[1]))
    ]
    today = x(now) if start <= now <= end else None
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": AXIS_Y,
        "events": events,
        "now_x": today,
        "elapsed_width": round(today - LEFT, 1) if today is not None else (WIDTH - LEFT - RIGHT if now > end else 0),
    }
