"""Integrity boxes on other apps' pages, each included by one line of their templates:

- {% integrity_tender_panel tender %}: a draft's warnings (its entity's officials), a tender's public
  flags once the award is public (everyone), a link to the dashboard (auditors);
- {% integrity_supplier_history supplier %}: a supplier's bidding history chart on its public page.
"""

from django import template

from tenders.models import Tender

from .. import charts, selectors

register = template.Library()


def _manages_draft(user, tender) -> bool:
    return tender.status in Tender.PRIVATE_STATUSES and (
        user.has_perm("tenders.change_tender", tender) or user.has_perm("tenders.approve_tender", tender)
    )


@register.inclusion_tag("integrity/_tender_panel_body.html", takes_context=True)
def integrity_tender_panel(context, tender=None, live=False):
    """`live`: on the tender form, where the warnings follow the fields (a new draft has no tender yet)."""
    tender = tender or context.get("tender")
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"show": False}
    if tender is None or tender.pk is None:
        return {"show": live and user.has_perm("tenders.add_tender"), "live": live, "warnings": []}
    warnings = selectors.draft_warnings(tender) if _manages_draft(user, tender) else []
    flags = selectors.flags_public_for_tender(tender)
    is_auditor = user.has_perm("integrity.view_flags")
    return {
        "show": bool(warnings or flags or (is_auditor and tender.is_public) or (live and _manages_draft(user, tender))),
        "live": live,
        "tender": tender,
        "warnings": warnings,
        "flags": flags,
        "is_auditor": is_auditor,
    }


@register.inclusion_tag("integrity/_supplier_history.html")
def integrity_supplier_history(supplier):
    history = selectors.supplier_bidding_history(supplier)
    return {"history": history, "chart": charts.bidding_history(history["bids"])}
