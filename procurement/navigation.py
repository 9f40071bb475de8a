"""Role-aware navigation: an item shows when the user holds its permission (None: everyone)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    perm: str | None = None


NAV_ITEMS = [
    NavItem(_("Home"), "home"),
    NavItem(_("My dashboard"), "dashboard", "procurement.view_dashboard"),
    NavItem(_("Tenders"), "tenders:list"),
    NavItem(_("Workspace"), "tenders:workspace", "tenders.view_workspace"),
    NavItem(_("Alerts"), "tenders:alerts", "tenders.manage_subscription"),
    NavItem(_("My bids"), "bidding:my_bids", "bidding.view_own_bids"),
    NavItem(_("Evaluations"), "contracts:evaluations", "contracts.view_evaluations"),
    NavItem(_("Awards"), "contracts:awards"),
    NavItem(_("Contracts"), "contracts:contracts", "contracts.view_contract_workspace"),
    NavItem(_("Suppliers"), "suppliers:directory"),
    NavItem(_("Sanctions register"), "suppliers:sanctions"),
    NavItem(_("My company"), "suppliers:company", "suppliers.use_company_workspace"),
    NavItem(_("Supplier vetting"), "suppliers:vetting_queue", "suppliers.view_vetting"),
    NavItem(_("Reports"), "contracts:reports", "contracts.view_reports"),
    NavItem(_("Audit log"), "audit_log", "procurement.view_audit_log"),
    NavItem(_("Red flags"), "integrity:dashboard", "integrity.view_flags"),
    NavItem(_("Administration"), "admin:index", "procurement"),
]


def nav_for(request) -> list[dict]:
    items = [
        {"label": item.label, "url": reverse(item.url_name)}
        for item in NAV_ITEMS
        if not item.perm or request.user.has_perm(item.perm)
    ]
    # The most specific item containing the current page is the active one (/tenders/workspace/
    # is "Workspace", not "Tenders").
    matches = [item["url"] for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    active = max(matches, key=len) if matches else ("/" if request.path == "/" else None)
    for item in items:
        item["active"] = item["url"] == active
    return items
