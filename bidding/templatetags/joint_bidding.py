"""{% joint_bidding_panel %}: joint bidding and bid security on a tender's page (docs/architecture.md §10)."""

from django import template

from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.selectors import is_official_of

from .. import selectors
from ..models import BidSecurity

register = template.Library()


@register.inclusion_tag("bidding/_joint_panel_body.html", takes_context=True)
def joint_bidding_panel(context, tender=None):
    tender = tender or context.get("tender")
    request = context.get("request")
    user = getattr(request, "user", None)
    if tender is None or user is None or not tender.is_public:
        return {"show": False}
    if not (tender.consortium_allowed or tender.requires_bid_security):
        return {"show": False}
    membership = membership_for_user(user)
    supplier = membership.supplier if membership is not None else None
    consortium = selectors.consortium_of_supplier(tender=tender, supplier=supplier) if supplier else None
    opened = tender.status not in (Tender.Status.PUBLISHED, Tender.Status.CLOSED)
    return {
        "show": True,
        "tender": tender,
        "supplier": supplier,
        "consortium": consortium,
        "may_form": supplier is not None
        and membership.may_bid
        and tender.consortium_allowed
        and tender.is_open_for_bids
        and consortium is None,
        "security": BidSecurity.objects.filter(tender=tender, supplier=supplier).first() if supplier else None,
        "official_view": opened and is_official_of(user, tender.entity_id),
    }
