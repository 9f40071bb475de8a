"""Invoices and payment (docs/architecture.md §11): the supplier invoices accepted units (of an order,
or an accepted contract milestone), the buyer approves and pays; a payment later than
CATALOGUE_PAYMENT_DAYS after the invoice is late and the supplier may claim interest on it."""

import math
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from procurement.audit import audit_record
from procurement.errors import Conflict, Invalid, InvalidTransition
from procurement.money import MONEY_CONTEXT
from procurement.notifications import notify
from procurement.states import check_transition

from ..models import Delivery, Invoice, InvoiceLine, LatePaymentClaim, Order, OrderLine
from .common import (
    clean_quantity,
    clean_text,
    entity_officials,
    money,
    next_reference,
    require_member_of,
    require_official_of,
    supplier_members,
)


def invoiceable(line: OrderLine) -> int:
    """Accepted units of the line not on a live invoice yet."""
    invoiced = line.invoice_lines.filter(voided=False).aggregate(n=Sum("quantity"))["n"] or 0
    return line.accepted_quantity - invoiced


def _amounts(supply: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    rate = settings.CATALOGUE_VAT_RATE_PCT
    vat = money(MONEY_CONTEXT.multiply(supply, rate) / 100)
    return supply, rate, vat, supply + vat


def _tell_buyers(invoice: Invoice, entity_id: int) -> None:
    notify(
        event="invoice.issued",
        recipients=entity_officials(entity_id),
        template="catalogue_invoice_issued",
        context={"invoice": invoice},
        link=invoice.get_absolute_url(),
    )


def invoice_issue(*, order: Order, actor, quantities: dict) -> Invoice:
    """Invoice accepted units: `quantities` = {order line id: units}, each at most what is accepted
    and not yet invoiced."""
    require_member_of(actor, order.supplier_id)
    with transaction.atomic():
        # The order row serialises invoicing with inspection: two invoices cannot both take the same units.
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (Order.Status.IN_DELIVERY, Order.Status.COMPLETED):
            raise InvalidTransition(_("Nothing of this order has been accepted yet."))
        lines = {line.pk: line for line in order.lines.all()}
        rows = []
        for key, value in (quantities or {}).items():
            if value in (None, "", 0, "0"):
                continue
            try:
                line = lines[int(key)]
            except (KeyError, TypeError, ValueError):
                raise Invalid(_("That line is not part of this order."), field="quantities") from None
            units = clean_quantity(value, field=f"line_{line.pk}")
            left = invoiceable(line)
            if units > left:
                raise Invalid(
                    _("Only %(n)s accepted units of “%(item)s” are not invoiced yet.") % {"n": left, "item": line.name},
                    field=f"line_{line.pk}",
                )
            rows.append((line, units))
        if not rows:
            raise Invalid(_("Invoice at least one accepted unit."), field="quantities")
        supply = money(sum((MONEY_CONTEXT.multiply(line.unit_price, n) for line, n in rows), Decimal(0)))
        supply, rate, vat, total = _amounts(supply)
        accepted_at = Delivery.objects.filter(
            order=order,
            status=Delivery.Status.INSPECTED,
            lines__order_line__in=[line for line, _n in rows],
            lines__accepted_quantity__gt=0,
        ).aggregate(at=Max("inspected_at"))["at"]
        now = timezone.now()
        invoice = Invoice.objects.create(
            number=next_reference("INV"),
            entity_id=order.entity_id,
            supplier_id=order.supplier_id,
            order=order,
            currency=order.currency,
            supply_amount=supply,
            vat_rate_pct=rate,
            vat_amount=vat,
            total=total,
            accepted_at=accepted_at or now,
            issued_by=actor,
            issued_at=now,
            due_at=now + timedelta(days=settings.CATALOGUE_PAYMENT_DAYS),
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    order_line=line,
                    description=line.name,
                    quantity=n,
                    unit_price=line.unit_price,
                    amount=money(MONEY_CONTEXT.multiply(line.unit_price, n)),
                )
                for line, n in rows
            ]
        )
        audit_record(
            actor=actor,
            action="invoice.issue",
            obj=invoice,
            data={"order": order.pk, "lines": [[line.pk, n] for line, n in rows], "supply": supply, "vat": vat},
        )
        _tell_buyers(invoice, order.entity_id)
    return invoice


def milestone_invoice_issue(*, milestone: Milestone, actor) -> Invoice:
    """Invoice an accepted contract milestone (the same acceptance → invoice → payment flow)."""
    contract = milestone.contract
    require_member_of(actor, contract.supplier_id)
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().select_related("contract").get(pk=milestone.pk)
        if milestone.status != Milestone.Status.ACCEPTED or milestone.contract.status == Contract.Status.DRAFT:
            raise InvalidTransition(_("Only an accepted milestone can be invoiced."))
        if not milestone.amount:
            raise Conflict(_("This milestone has no amount to invoice."), code="no_amount")
        if Invoice.objects.filter(milestone=milestone).exclude(status=Invoice.Status.REJECTED).exists():
            raise Conflict(_("This milestone has already been invoiced."), code="already_invoiced")
        supply, rate, vat, total = _amounts(milestone.amount)
        now = timezone.now()
        invoice = Invoice.objects.create(
            number=next_reference("INV"),
            entity_id=contract.entity_id,
            supplier_id=contract.supplier_id,
            milestone=milestone,
            currency=contract.currency,
            supply_amount=supply,
            vat_rate_pct=rate,
            vat_amount=vat,
            total=total,
            accepted_at=milestone.accepted_at or now,
            issued_by=actor,
            issued_at=now,
            due_at=now + timedelta(days=settings.CATALOGUE_PAYMENT_DAYS),
        )
        InvoiceLine.objects.create(
            invoice=invoice, description=milestone.title[:300], quantity=1, unit_price=supply, amount=supply
        )
        audit_record(
            actor=actor,
            action="invoice.issue",
            obj=invoice,
            data={"contract": contract.pk, "milestone": milestone.pk, "supply": supply, "vat": vat},
        )
        _tell_buyers(invoice, contract.entity_id)
    return invoice


def _decided(invoice: Invoice, *, event: str, template_context: dict) -> None:
    notify(
        event=event,
        recipients=supplier_members(invoice.supplier_id),
        template="catalogue_invoice_decided",
        context={"invoice": invoice, **template_context},
        link=invoice.get_absolute_url(),
    )


def invoice_approve(*, invoice: Invoice, actor) -> Invoice:
    require_official_of(actor, invoice.entity_id)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        check_transition(invoice, Invoice.Status.APPROVED, Invoice.TRANSITIONS)
        invoice.status = Invoice.Status.APPROVED
        invoice.approved_by = actor
        invoice.approved_at = timezone.now()
        invoice.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=actor, action="invoice.approve", obj=invoice, data={"total": invoice.total})
        _decided(invoice, event="invoice.approved", template_context={"what": "approved"})
    return invoice


def invoice_reject(*, invoice: Invoice, actor, reason: str) -> Invoice:
    """Send an invoice back: its units can be invoiced again, correctly."""
    require_official_of(actor, invoice.entity_id)
    reason = clean_text(reason, field="reason", message=_("Give the reason for rejecting the invoice."))
    with transaction.atomic():
        if invoice.order_id:
            Order.objects.select_for_update().get(pk=invoice.order_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        check_transition(invoice, Invoice.Status.REJECTED, Invoice.TRANSITIONS)
        invoice.status = Invoice.Status.REJECTED
        invoice.rejection_reason = reason
        invoice.save(update_fields=["status", "rejection_reason"])
        invoice.lines.update(voided=True)
        audit_record(actor=actor, action="invoice.reject", obj=invoice, data={"reason": reason})
        _decided(invoice, event="invoice.rejected", template_context={"what": "rejected", "reason": reason})
    return invoice


def invoice_pay(*, invoice: Invoice, actor, payment_reference: str) -> Invoice:
    """Record the payment of an approved invoice, now; late if after its due time."""
    require_official_of(actor, invoice.entity_id)
    reference = clean_text(
        payment_reference,
        field="payment_reference",
        message=_("Give the payment's reference (the transfer number)."),
        max_length=100,
    )
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        check_transition(invoice, Invoice.Status.PAID, Invoice.TRANSITIONS)
        invoice.status = Invoice.Status.PAID
        invoice.paid_by = actor
        invoice.paid_at = timezone.now()
        invoice.payment_reference = reference
        invoice.save(update_fields=["status", "paid_by", "paid_at", "payment_reference"])
        audit_record(
            actor=actor,
            action="invoice.pay",
            obj=invoice,
            data={"total": invoice.total, "reference": reference, "late": invoice.is_late},
        )
        _decided(invoice, event="invoice.paid", template_context={"what": "paid"})
    return invoice


def days_late(invoice: Invoice) -> int:
    """Whole days (rounded up) between the due time and the payment, or now while unpaid."""
    seconds = ((invoice.paid_at or timezone.now()) - invoice.due_at).total_seconds()
    return max(math.ceil(seconds / 86400), 0)


def late_interest(invoice: Invoice, days: int) -> Decimal:
    rate = settings.CATALOGUE_LATE_INTEREST_PCT
    return money(MONEY_CONTEXT.multiply(invoice.total, rate) * days / (100 * 365))


def late_claim_file(*, invoice: Invoice, actor, note: str = "") -> LatePaymentClaim:
    """The supplier claims interest on an invoice paid (or still unpaid) past its due time."""
    require_member_of(actor, invoice.supplier_id)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == Invoice.Status.REJECTED or not invoice.is_late:
            raise Conflict(_("This invoice is not late; there is nothing to claim."), code="not_late")
        if LatePaymentClaim.objects.filter(invoice=invoice).exists():
            raise Conflict(_("A claim for this invoice has already been filed."), code="already_claimed")
        days = days_late(invoice)
        claim = LatePaymentClaim.objects.create(
            invoice=invoice,
            days_late=days,
            interest=late_interest(invoice, days),
            note=(note or "").strip()[:2000],
            filed_by=actor,
        )
        audit_record(
            actor=actor, action="invoice.late_claim", obj=invoice, data={"days_late": days, "interest": claim.interest}
        )
        notify(
            event="invoice.late_claim",
            recipients=entity_officials(invoice.entity_id),
            template="catalogue_late_claim_filed",
            context={"invoice": invoice, "claim": claim},
            link=invoice.get_absolute_url(),
        )
    return claim


def late_claim_settle(*, claim: LatePaymentClaim, actor) -> LatePaymentClaim:
    require_official_of(actor, claim.invoice.entity_id)
    with transaction.atomic():
        claim = LatePaymentClaim.objects.select_for_update().get(pk=claim.pk)
        check_transition(claim, LatePaymentClaim.Status.SETTLED, LatePaymentClaim.TRANSITIONS)
        claim.status = LatePaymentClaim.Status.SETTLED
        claim.settled_by = actor
        claim.settled_at = timezone.now()
        claim.save(update_fields=["status", "settled_by", "settled_at"])
        audit_record(
            actor=actor, action="invoice.late_claim_settle", obj=claim.invoice, data={"interest": claim.interest}
        )
        _decided(claim.invoice, event="invoice.claim_settled", template_context={"what": "claim_settled"})
    return claim
