"""Joint bidding rules shared by the services, the submission and the opening (docs/architecture.md §10)."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from procurement.errors import Conflict, Forbidden
from suppliers.models import Supplier
from suppliers.selectors import supplier_eligibility
from tenders.models import Tender
from tenders.selectors import tender_supplier_may_bid

from .models import Consortium, ConsortiumMember


def shares_problem(shares: list[Decimal]) -> str:
    """Why these shares cannot form a consortium ('' when they can)."""
    minimum = Decimal(settings.CONSORTIUM_MIN_SHARE_PCT)
    if len(shares) < 2:
        return _("A consortium needs at least two companies.")
    if len(shares) > settings.CONSORTIUM_MAX_MEMBERS:
        return _("A consortium has at most %(n)s companies.") % {"n": settings.CONSORTIUM_MAX_MEMBERS}
    if any(share < minimum for share in shares):
        return _("Every company's share must be at least %(min)s%%.") % {"min": minimum}
    total = sum(shares, Decimal(0))
    if total != Decimal(100):
        return _("The shares must add up to 100%% (they add up to %(total)s%%).") % {"total": total}
    return ""


def member_problems(*, tender: Tender, supplier: Supplier, at=None) -> list[str]:
    """Why this company cannot be in a consortium on this tender ([] when it can)."""
    reasons = list(supplier_eligibility(supplier=supplier, at=at).reasons)
    if not tender_supplier_may_bid(tender=tender, supplier=supplier):
        reasons.append(_("Only suppliers invited by the procuring entity may bid on this tender."))
    return reasons


def consortium_for_submission(*, tender: Tender, supplier: Supplier) -> Consortium | None:
    """At submission, inside its transaction: the consortium the bid is for, or None for a bid alone.

    Refuses a member that is not the lead, a consortium not confirmed by every member, and one with
    a member no longer eligible. One query for a company bidding alone (the rush path).
    """
    membership = (
        ConsortiumMember.objects.filter(tender=tender, supplier=supplier, status__in=ConsortiumMember.BINDING_STATUSES)
        .select_related("consortium")
        .first()
    )
    if membership is None:
        return None
    consortium = membership.consortium
    if not membership.is_lead:
        raise Forbidden(
            _("Your company is a member of the consortium “%(name)s” on this tender: only its lead submits the bid.")
            % {"name": consortium.name},
            code="consortium_member",
        )
    if consortium.status != Consortium.Status.CONFIRMED:
        raise Conflict(
            _("Every member of the consortium must confirm before its bid can be submitted."),
            code="consortium_unconfirmed",
        )
    for member in consortium.members.select_related("supplier"):
        reasons = member_problems(tender=tender, supplier=member.supplier)
        if reasons:
            raise Forbidden(f"{member.supplier.name}: {reasons[0]}", code="member_ineligible")
    return consortium


def consortium_reasons(*, tender: Tender, supplier: Supplier) -> list[str]:
    """Why joint bidding stops this company from submitting now ([] when nothing does), for pages."""
    try:
        consortium_for_submission(tender=tender, supplier=supplier)
    except (Conflict, Forbidden) as refusal:
        return [str(refusal.message)]
    return []
