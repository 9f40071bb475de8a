"""Calling a winner's bid security, and the contract's performance security (docs/architecture.md §10).

A bid security is called when the winner refuses to sign: its award was cancelled, or is final
with no contract signed. A performance security follows the bid security's model: attached by the
supplier, verified with the issuer through the same adapter, released or called by the official.
"""

from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.issuers import GuaranteeClaim, issuer_adapter
from bidding.models import BidSecurity, SecurityIssuer
from bidding.services.consortium import company_users
from bidding.services.securities import _amount, security_decide
from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.states import check_transition
from suppliers.selectors import membership_for_user
from tenders.services.common import require_entity_official

from ..models import Award, Contract, PerformanceSecurity
from .common import clean_reason, db_now


def bid_security_call(*, security: BidSecurity, actor, reason: str) -> BidSecurity:
    """The official calls (forfeits) the security of a winner that refused to sign its contract."""
    require_entity_official(security.tender, actor)
    reason = clean_reason(reason, message=_("Give the reason the security is called."))
    with transaction.atomic():
        security = BidSecurity.objects.select_for_update().select_related("tender").get(pk=security.pk)
        awards = Award.objects.filter(tender_id=security.tender_id, supplier_id=security.supplier_id)
        refused = awards.filter(status=Award.Status.CANCELLED).exists() or (
            awards.filter(status=Award.Status.FINAL).exists()
            and not Contract.objects.filter(
                tender_id=security.tender_id, supplier_id=security.supplier_id, signed_at__isnull=False
            ).exists()
        )
        if not refused:
            raise Conflict(
                _("Only the security of a winner that refused to sign its contract can be called."),
                code="not_a_refusal",
            )
        return security_decide(
            security, to=BidSecurity.Status.CALLED, actor=actor, reason=reason, action="bid_security.call"
        )


def _link(contract: Contract) -> str:
    return reverse("contracts:contract", args=[contract.pk])


def performance_security_required(contract: Contract):
    return (contract.value * settings.PERFORMANCE_SECURITY_PCT / 100).quantize(Decimal(1), rounding=ROUND_CEILING)


def performance_security_attach(
    *, contract: Contract, actor, issuer: SecurityIssuer, number: str, amount, valid_until: date
) -> PerformanceSecurity:
    """The contractor attaches its performance security; the issuer's answer is recorded."""
    membership = membership_for_user(actor)
    if membership is None or not membership.may_bid or membership.supplier_id != contract.supplier_id:
        raise Forbidden(_("Only the contractor's administrators and bidders can attach its performance security."))
    number = " ".join((number or "").split())[:60]
    if not number:
        raise Invalid(_("Enter the guarantee number."), field="number")
    amount = _amount(amount)
    required = performance_security_required(contract)
    if amount < required:
        raise Invalid(
            _("The performance security must be at least %(amount)s %(currency)s (%(pct)s%% of the contract).")
            % {"amount": f"{required:,.0f}", "currency": contract.currency, "pct": settings.PERFORMANCE_SECURITY_PCT},
            field="amount",
        )
    if valid_until < contract.end_date:
        raise Invalid(_("The guarantee must be valid until the contract's end date."), field="valid_until")
    answer = issuer_adapter().verify(
        GuaranteeClaim(
            issuer=issuer,
            number=number,
            principal_registration_number=membership.supplier.registration_number,
            beneficiary_reference=contract.reference,
            amount=amount,
            currency=contract.currency,
            valid_until=valid_until,
        )
    )
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status not in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
            raise Conflict(_("This contract is closed."), code="contract_closed")
        security, _created = PerformanceSecurity.objects.update_or_create(
            contract=contract,
            defaults={
                "supplier_id": contract.supplier_id,
                "issuer": issuer,
                "number": number,
                "amount": amount,
                "currency": contract.currency,
                "valid_until": valid_until,
                "status": PerformanceSecurity.Status.HELD,
                "verification": PerformanceSecurity.Verification.VERIFIED
                if answer.confirmed
                else PerformanceSecurity.Verification.FAILED,
                "verification_message": str(answer.message)[:1000],
                "verification_reference": answer.reference[:80],
                "verified_at": db_now(),
                "attached_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="performance_security.attach",
            obj=security,
            data={
                "contract": contract.pk,
                "issuer": issuer.code,
                "amount": amount,
                "verification": security.verification,
            },
        )
    return security


def performance_security_decide(
    *, security: PerformanceSecurity, actor, call: bool, reason: str = ""
) -> PerformanceSecurity:
    """Release the security once the contract is completed; call it when the contract was terminated."""
    require_entity_official(security.contract.tender, actor)
    reason = clean_reason(reason, message=_("Give the reason the security is called.")) if call else ""
    with transaction.atomic():
        security = PerformanceSecurity.objects.select_for_update().select_related("contract").get(pk=security.pk)
        needed = Contract.Status.TERMINATED if call else Contract.Status.COMPLETED
        if security.contract.status != needed:
            raise Conflict(
                _("A performance security is called after termination and released after completion."),
                code="contract_not_closed",
            )
        to = PerformanceSecurity.Status.CALLED if call else PerformanceSecurity.Status.RELEASED
        check_transition(security, to, PerformanceSecurity.TRANSITIONS)
        security.status, security.status_reason = to, reason
        security.decided_by, security.decided_at = actor, db_now()
        security.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
        action = "performance_security.call" if call else "performance_security.release"
        audit_record(
            actor=actor, action=action, obj=security, data={"contract": security.contract_id, "reason": reason}
        )
        notify(
            event=action,
            recipients=company_users([security.supplier_id]),
            template="bid_security_decided",
            context={"security": security, "tender": security.contract.tender, "reason": reason},
            link=_link(security.contract),
        )
    return security
