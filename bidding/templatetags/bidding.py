"""{% bid_tender_panel %}: the bidding box on a tender's page (included by templates/bidding/_tender_panel.html)."""

from django import template

from suppliers.selectors import supplier_for_user

from .. import selectors
from ..models import Bid

register = template.Library()


@register.inclusion_tag("bidding/_tender_panel_body.html", takes_context=True)
def bid_tender_panel(context, tender=None):
    tender = tender or context.get("tender")
    request = context.get("request")
    user = getattr(request, "user", None)
    if tender is None or user is None or not tender.is_public:
        return {"show": False}
    supplier = supplier_for_user(user)
    own_bid = selectors.bid_of_supplier(tender=tender, supplier=supplier) if supplier is not None else None
    eligibility = None
    if tender.is_open_for_bids and supplier is not None and (own_bid is None or own_bid.status == Bid.Status.SUBMITTED):
        eligibility = selectors.bid_eligibility(tender=tender, user=user)
    closing = selectors.tender_closing(tender)
    record = selectors.tender_opening(tender) if closing is not None else None
    return {
        "show": True,
        "tender": tender,
        "own_bid": own_bid,
        "eligibility": eligibility,
        "closing": closing,
        "record": record,
        "can_open": record is None and selectors.open_now_offered(user=user, tender=tender),
        "may_view_technical": record is not None
        and record.is_two_stage
        and user.has_perm("bidding.view_technical", tender),
        "csrf_token": context.get("csrf_token"),
        "signed_in": user.is_authenticated,
        "is_supplier_role": user.is_authenticated and user.role == "supplier",
        "request_path": request.path,
    }


@register.filter
def money(value, currency: str = "") -> str:
    """1234567.00 → "1,234,567" (cents kept only when there are any)."""
    if value is None or value == "":
        return "—"
    from decimal import Decimal

    number = Decimal(value)
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
    return f"{text} {currency}".strip()
