"""Each person's dashboard after signing in: panels contributed by the apps that own the data.

The kernel knows no app: each app may ship `<app>/dashboard.py` with `panels(user) -> list[Panel]`,
built from its own selectors, and returns nothing for people it has nothing to say to. Panels are
shown in `order`, then in INSTALLED_APPS order (the apps' dependency order), those with something in
them first.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.functional import Promise


@dataclass(frozen=True)
class Item:
    """One thing on a panel: what it is, where it is, and what to do next."""

    label: str
    url: str
    detail: str = ""
    action: str = ""
    deadline: datetime | None = None  # shown with a live countdown


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    items: list[Item] = field(default_factory=list)
    empty: str | Promise = ""
    more_url: str = ""
    more_label: str | Promise = ""
    order: int = 100
    # Panels that report a state (system health) rather than a to-do list.
    facts: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def dashboard_panels(user) -> list[Panel]:
    rows: list[tuple[int, int, Panel]] = []
    for position, config in enumerate(apps.get_app_configs()):
        name = f"{config.name}.dashboard"
        if importlib.util.find_spec(name) is None:
            continue
        contribute = getattr(importlib.import_module(name), "panels", None)
        if contribute is None:
            continue
        rows.extend((panel.order, position, panel) for panel in contribute(user))
    # Panels with something to do come first; empty ones keep their place after them.
    rows.sort(key=lambda row: (not (row[2].items or row[2].facts), row[0], row[1]))
    return [panel for _order, _position, panel in rows]
