"""{% contracts_tender_panel %}: evaluation, award and contract on a tender's page
(included by templates/contracts/_tender_panel.html)."""

from decimal import Decimal

from django import template

from .. import selectors
from ..models import Contract

register = template.Library()


@register.inclusion_tag("contracts/_tender_panel_body.html", takes_context=True)
def contracts_tender_panel(context, tender=None):
    tender = tender or context.get("tender")
    request = context.get("request")
    user = getattr(request, "user", None)
    if tender is None or user is None or not tender.is_public:
        return {"show": False}
    award = selectors.award_current(tender)
    visible_award = award if award is not None and user.has_perm("contracts.read_award", award) else None
    contract = Contract.objects.filter(tender=tender).first()
    return {
        "show": True,
        "tender": tender,
        "award": visible_award,
        "contract": contract if contract is not None and user.has_perm("contracts.read_contract", contract) else None,
        "can_evaluate": user.has_perm("contracts.read_evaluation", tender),
        "can_report": user.has_perm("contracts.download_award_report", tender),
    }


@register.filter
def score(value) -> str:
    """A score with up to four decimals and no trailing zeros: 71.5000 → "71.5"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.4f}".rstrip("0").rstrip(".")
