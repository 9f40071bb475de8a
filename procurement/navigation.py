"""Role-aware navigation: an item shows when the user holds its permission (None: everyone).

The kernel knows no app's pages: each app registers its own items from `AppConfig.ready()` with
`nav_register`, placing them by `order` (lower first) so that the menu reads the same whatever
order the apps start in.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    perm: str | None = None
    order: int = 500


_ITEMS: dict[str, NavItem] = {}


def nav_register(*items: NavItem) -> None:
    """Add items to the menu; registering a URL name again replaces its item."""
    for item in items:
        _ITEMS[item.url_name] = item


def nav_items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: item.order)


def nav_register_kernel() -> None:
    nav_register(
        NavItem(_("Home"), "home", order=0),
        NavItem(_("My dashboard"), "dashboard", "procurement.view_dashboard", order=5),
        NavItem(_("Audit log"), "audit_log", "procurement.view_audit_log", order=900),
        NavItem(_("Administration"), "admin:index", "procurement", order=1000),
    )


def nav_for(request) -> list[dict]:
    items = [
        {"label": item.label, "url": reverse(item.url_name)}
        for item in nav_items()
        if not item.perm or request.user.has_perm(item.perm)
    ]
    # The most specific item containing the current page is the active one (/tenders/workspace/
    # is "Workspace", not "Tenders").
    matches = [item["url"] for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    active = max(matches, key=len) if matches else ("/" if request.path == "/" else None)
    for item in items:
        item["active"] = item["url"] == active
    return items
