"""Each person's dashboard after signing in: panels contributed by the apps that own the data.

The kernel knows no app: each app may ship `<app>/dashboard.py` with `panels(user) -> list[Panel]`,
built from its own selectors, and returns nothing for people it has nothing to say to. Panels are
shown in `order`, then in INSTALLED_APPS order (the apps' dependency order), those with something in
them first.
"""

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.functional import Promise

from .permissions import is_auditor, is_evaluator, is_official, is_platform_admin, is_supplier_user


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


# Items a to-do panel shows; its "more" link leads to the whole list.
LIMIT = 8


def panel(
    key: str,
    *,
    order: int,
    title: str | Promise,
    rows: Iterable,
    item: Callable[[object], Item | None],
    empty: str | Promise = "",
    more: tuple[str, str | Promise] = ("", ""),
) -> Panel:
    """A to-do panel: the first LIMIT of `rows` that `item` turns into an Item (None skips a row).

    `rows` may be a queryset: it is read lazily and stops at LIMIT items.
    """
    items: list[Item] = []
    for row in rows:
        made = item(row)
        if made is not None:
            items.append(made)
            if len(items) >= LIMIT:
                break
    more_url, more_label = more
    return Panel(key=key, order=order, title=title, items=items, empty=empty, more_url=more_url, more_label=more_label)


PanelsFor = Callable[[object], list[Panel]]


def panels_by_role(
    user,
    *,
    official: PanelsFor | None = None,
    supplier: PanelsFor | None = None,
    evaluator: PanelsFor | None = None,
    auditor: PanelsFor | None = None,
    admin: PanelsFor | None = None,
) -> list[Panel]:
    """An app's `panels(user)`: the panels it builds for the user's role, none for other roles."""
    for asks, build in (
        (is_platform_admin, admin),
        (is_official, official),
        (is_supplier_user, supplier),
        (is_evaluator, evaluator),
        (is_auditor, auditor),
    ):
        if asks(user):
            return build(user) if build is not None else []
    return []


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
