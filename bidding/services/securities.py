"""Bid securities: attached by the bidder, verified with the issuer, released by the official.

Verification asks the issuer through settings.SECURITY_ISSUER_ADAPTER before the transaction starts
(it may be a slow network call); the answer is stored whatever it is. A percentage security can only
be compared with the price once the price is unsealed: opening does that (bidding.opening_rules).
Calling a winner's security (refusal to sign) is in contracts, which knows about awards.
"""

import time
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.states import check_transition
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.services.common import require_entity_official

from ..issuers import GuaranteeClaim, issuer_adapter
from ..models import Bid, BidSecurity, ConsortiumMember, SecurityIssuer
from ..opening_rules import security_min_valid_until
from .consortium import company_users
from .submission import _lock_tender_shared, _require_open


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(_("Enter the guarantee's amount."), field="amount") from None
    if amount <= 0:
        raise Invalid(_("Enter the guarantee's amount."), field="amount")
    return amount


def bid_security_attach(
    *, tender: Tender, actor, issuer: SecurityIssuer, number: str, amount, valid_until: date
) -> BidSecurity:
    """Attach (or replace) the actor's company's bid security on `tender`, verified with its issuer.

    The issuer's answer is recorded whether it confirms or not; the page shows it. A consortium's
    security is the lead's.
    """
    membership = membership_for_user(actor)
    if membership is None or not membership.may_bid:
        raise Forbidden(_("Only your company's administrators and bidders can attach its bid security."))
    supplier = membership.supplier
    if not tender.requires_bid_security:
        raise Conflict(_("This tender does not require a bid security."), code="no_security_required")
    number = " ".join((number or "").split())[:60]
    if not number:
        raise Invalid(_("Enter the guarantee number."), field="number")
    amount = _amount(amount)
    if not issuer.is_active:
        raise Invalid(_("Guarantees of this issuer are not accepted."), field="issuer")
    if valid_until < security_min_valid_until(tender):
        raise Invalid(
            _("The guarantee must be valid until at least %(day)s (%(days)s days after the deadline).")
            % {"day": security_min_valid_until(tender).isoformat(), "days": settings.BID_SECURITY_VALIDITY_DAYS},
            field="valid_until",
        )
    fixed = tender.bid_security_required()
    if fixed is not None and amount < fixed:
        raise Invalid(
            _("The bid security must be at least %(amount)s %(currency)s.")
            % {"amount": f"{fixed:,.0f}", "currency": tender.currency},
            field="amount",
        )
    if ConsortiumMember.objects.filter(
        tender=tender, supplier=supplier, is_lead=False, status__in=ConsortiumMember.BINDING_STATUSES
    ).exists():
        raise Forbidden(_("Your company is in a consortium on this tender: its lead attaches the bid security."))
    _issuer_calls_allow(supplier_id=supplier.pk, tender_id=tender.pk)
    # Outside the transaction: the issuer may be a slow remote service.
    answer = issuer_adapter().verify(
        GuaranteeClaim(
            issuer=issuer,
            number=number,
            principal_registration_number=supplier.registration_number,
            beneficiary_reference=tender.reference or "",
            amount=amount,
            currency=tender.currency,
            valid_until=valid_until,
        )
    )
    with transaction.atomic():
        status, in_time, moment = _lock_tender_shared(tender.pk)
        _require_open(status, in_time)
        security, _created = BidSecurity.objects.select_for_update().update_or_create(
            tender=tender,
            supplier=supplier,
            defaults={
                "issuer": issuer,
                "number": number,
                "amount": amount,
                "currency": tender.currency,
                "valid_until": valid_until,
                "status": BidSecurity.Status.HELD,
                "status_reason": "",
                "verification": BidSecurity.Verification.VERIFIED
                if answer.confirmed
                else BidSecurity.Verification.FAILED,
                "verification_message": str(answer.message)[:1000],
                "verification_reference": answer.reference[:80],
                "verified_at": moment,
                "attached_by": actor,
            },
        )
        # No tender and no amount in the entry: before opening the amount would hint at the price.
        audit_record(
            actor=actor,
            action="bid_security.attach",
            obj=security,
            data={"issuer": issuer.code, "verification": security.verification},
        )
    return security


def _issuer_calls_allow(*, supplier_id: int, tender_id: int) -> None:
    """At most SECURITY_VERIFICATIONS_PER_HOUR questions to issuers per company and tender: each is a
    call to an outside service, and guessing guarantee numbers must not be free."""
    key = f"security-verify:{tender_id}:{supplier_id}:{int(time.time() // 3600)}"
    try:
        cache.add(key, 0, timeout=3600)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not stop a supplier attaching its security
        return
    if count > settings.SECURITY_VERIFICATIONS_PER_HOUR:
        raise Conflict(
            _("Too many guarantees checked for this tender in the last hour; try again later."),
            code="too_many_verifications",
        )


def _security_link(security: BidSecurity) -> str:
    return reverse("bidding:securities", args=[security.tender_id])


def security_decide(security: BidSecurity, *, to: str, actor, reason: str, action: str) -> BidSecurity:
    """Move a locked-by-caller security on, audited, and tell its company."""
    check_transition(security, to, BidSecurity.TRANSITIONS)
    security.status = to
    security.status_reason = reason
    security.decided_by = actor
    security.decided_at = timezone.now()
    security.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=action, obj=security, data={"tender": security.tender_id, "reason": reason})
    notify(
        event=action,
        recipients=company_users([security.supplier_id]),
        template="bid_security_decided",
        context={"security": security, "tender": security.tender, "reason": reason},
        link=_security_link(security),
    )
    return security


def bid_security_release(*, security: BidSecurity, actor) -> BidSecurity:
    """The official returns a security after opening — not the winner's before its contract is signed."""
    tender = security.tender
    require_entity_official(tender, actor)
    with transaction.atomic():
        security = BidSecurity.objects.select_for_update().select_related("tender").get(pk=security.pk)
        tender = security.tender
        if tender.status in (Tender.Status.DRAFT, Tender.Status.PUBLISHED, Tender.Status.CLOSED):
            raise Conflict(_("Securities are released after the bids are opened."), code="too_early")
        winner = Bid.objects.filter(tender=tender, supplier_id=security.supplier_id, status=Bid.Status.AWARDED)
        if winner.exists() and tender.status != Tender.Status.CONTRACTED:
            raise Conflict(
                _("The winner's security is held until its contract is signed (or called if it refuses)."),
                code="winner_security",
            )
        return security_decide(
            security, to=BidSecurity.Status.RELEASED, actor=actor, reason="", action="bid_security.release"
        )
