"""Rules opening applies to every bid outside its sealed content: the consortium and the bid security.

Each rule takes the whole set of opened bids and answers {bid id: public reason} for those it
rejects, with a fixed number of queries whatever the number of bids, so that a set-based opening
can call it once per tender. Eligibility is judged at the submission deadline (docs/architecture.md §10).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.models import Sanction, Supplier
from suppliers.selectors import sanctions_running_q
from tenders.models import Tender

from .models import BidSecurity, Consortium, ConsortiumMember, OpenedBid


def security_min_valid_until(tender: Tender) -> date:
    """The first day a bid security may end on: BID_SECURITY_VALIDITY_DAYS after the deadline (local date)."""
    return timezone.localdate(tender.submission_deadline) + timedelta(days=settings.BID_SECURITY_VALIDITY_DAYS)


@dataclass(frozen=True)
class RuledBid:
    bid_id: int
    supplier_id: int
    consortium_id: int | None
    price: Decimal | None  # None when the content could not be read (already rejected)


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def consortium_rejections(*, tender: Tender, bids: Sequence[RuledBid]) -> dict[int, str]:
    """Consortium bids whose consortium is not confirmed, or with a member that did not confirm in
    time or was not eligible at the deadline; and bids alone by a company bound in a consortium."""
    deadline = tender.submission_deadline
    consortium_ids = {b.consortium_id for b in bids if b.consortium_id}
    consortia = {
        c.pk: c
        for c in Consortium.objects.filter(pk__in=consortium_ids).prefetch_related(
            Prefetch("members", queryset=ConsortiumMember.objects.select_related("supplier"))
        )
    }
    member_ids = {m.supplier_id for c in consortia.values() for m in c.members.all()}
    debarred = set(
        Sanction.objects.filter(sanctions_running_q(deadline), supplier_id__in=member_ids).values_list(
            "supplier_id", flat=True
        )
    )
    alone = [b for b in bids if not b.consortium_id]
    bound = set(
        ConsortiumMember.objects.filter(
            tender=tender,
            supplier_id__in=[b.supplier_id for b in alone],
            is_lead=False,
            status__in=ConsortiumMember.BINDING_STATUSES,
        ).values_list("supplier_id", flat=True)
    )
    rejected: dict[int, str] = {}
    for bid in bids:
        if not bid.consortium_id:
            if bid.supplier_id in bound:
                rejected[bid.bid_id] = _("The company bid alone while a member of a consortium on this tender.")
            continue
        consortium = consortia[bid.consortium_id]
        reason = _consortium_problem(consortium, debarred=debarred)
        if reason:
            rejected[bid.bid_id] = reason
    return rejected


def _consortium_problem(consortium: Consortium, *, debarred: set[int]) -> str:
    if consortium.status == Consortium.Status.INVALID:
        return consortium.status_reason or _("The consortium was invalidated before the deadline.")
    if consortium.status != Consortium.Status.CONFIRMED:
        return _("The consortium was not confirmed by every member.")
    members = list(consortium.members.all())
    for member in members:
        # The time of each confirmation was checked by its service, by the database clock.
        if member.status != ConsortiumMember.Status.CONFIRMED or member.responded_at is None:
            return _("%(member)s did not confirm its membership before the deadline.") % {
                "member": member.supplier.name
            }
    if sum((m.share for m in members), Decimal(0)) != Decimal(100):
        return _("The members' shares do not add up to 100%.")
    for member in members:
        if member.supplier_id in debarred:
            return _("%(member)s was debarred at the submission deadline.") % {"member": member.supplier.name}
        if member.supplier.status != Supplier.Status.APPROVED:
            return _("%(member)s was not an approved supplier at opening.") % {"member": member.supplier.name}
    return ""


def security_rejections(*, tender: Tender, bids: Sequence[RuledBid]) -> dict[int, str]:
    """Bids without a sufficient, verified bid security valid long enough after the deadline."""
    if not tender.requires_bid_security:
        return {}
    securities = {
        s.supplier_id: s
        for s in BidSecurity.objects.filter(tender=tender, supplier_id__in=[b.supplier_id for b in bids])
    }
    first_day = security_min_valid_until(tender)
    rejected: dict[int, str] = {}
    for bid in bids:
        if bid.price is None:
            continue
        security = securities.get(bid.supplier_id)
        required = tender.bid_security_required(bid.price)
        if security is None:
            rejected[bid.bid_id] = _("No bid security was attached (%(required)s required).") % {
                "required": _money(required, tender.currency)
            }
        elif not security.is_verified:
            rejected[bid.bid_id] = _("The issuer did not confirm the bid security: %(answer)s") % {
                "answer": security.verification_message
            }
        elif security.status != BidSecurity.Status.HELD:
            rejected[bid.bid_id] = _("The bid security is no longer held (%(status)s).") % {
                "status": security.get_status_display()
            }
        elif security.valid_until < first_day:
            rejected[bid.bid_id] = _("The bid security ends on %(end)s; it had to be valid until %(day)s.") % {
                "end": security.valid_until.isoformat(),
                "day": first_day.isoformat(),
            }
        elif (security.currency != tender.currency or security.amount < required) and not tender.bid_security_is_rate:
            rejected[bid.bid_id] = _("The bid security of %(amount)s is less than the %(required)s required.") % {
                "amount": _money(security.amount, security.currency),
                "required": _money(required, tender.currency),
            }
        elif security.currency != tender.currency or security.amount < required:
            rejected[bid.bid_id] = _(
                "The bid security of %(amount)s is less than the %(required)s required (%(rate)s%% of the price)."
            ) % {
                "amount": _money(security.amount, security.currency),
                "required": _money(required, tender.currency),
                "rate": f"{Decimal(str(tender.bid_security_value)).normalize():f}",
            }
    return rejected


def opening_rejections(*, tender: Tender, bids: Sequence[RuledBid]) -> dict[int, tuple[str, str]]:
    """{bid id: (OpenedBid outcome, public reason)}: the consortium first, then the security."""
    rejected = {
        bid_id: (OpenedBid.Outcome.CONSORTIUM_INVALID, reason)
        for bid_id, reason in consortium_rejections(tender=tender, bids=bids).items()
    }
    for bid_id, reason in security_rejections(tender=tender, bids=bids).items():
        rejected.setdefault(bid_id, (OpenedBid.Outcome.SECURITY_REJECTED, reason))
    return rejected
