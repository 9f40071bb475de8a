"""Vetting decisions: each one locks the company, checks the lifecycle, records and tells.

pending → approved | rejected | changes_requested; changes_requested → pending (the company
resubmits); approved → suspended → approved (reinstated).
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Invalid
from procurement.notifications import notify
from procurement.states import check_transition

from ..models import Supplier, SupplierStatusChange
from ._common import company_link, company_recipients, lock_supplier


def supplier_set_status(
    *,
    supplier: Supplier,
    to: str,
    actor,
    action: str,
    reason: str = "",
    recipients: Callable = company_recipients,
    template: str,
    link_for: Callable = lambda supplier: company_link(),
    extra_context: dict | None = None,
    allowed_from: frozenset | None = None,
) -> Supplier:
    """The one way a company's status changes. Refuses (InvalidTransition) anything the lifecycle does not allow.

    `allowed_from` narrows the lifecycle for one decision: approving and reinstating both lead to
    "approved", but approval is for a company awaiting vetting and reinstatement for a suspended one.
    """
    with transaction.atomic():
        supplier = lock_supplier(supplier.pk)
        transitions = Supplier.TRANSITIONS
        if allowed_from is not None:
            transitions = {
                status: (targets if status in allowed_from else set()) for status, targets in transitions.items()
            }
        check_transition(supplier, to, transitions)
        previous = supplier.status
        before = {"status": previous, "status_reason": supplier.status_reason}
        now = timezone.now()
        supplier.status = to
        supplier.status_reason = reason
        if to == Supplier.Status.PENDING:
            supplier.submitted_at = now
        if to == Supplier.Status.APPROVED and supplier.approved_at is None:
            supplier.approved_at = now
        supplier.save(update_fields=["status", "status_reason", "submitted_at", "approved_at", "updated_at"])
        SupplierStatusChange.objects.create(
            supplier=supplier, from_status=previous, to_status=to, reason=reason, actor=actor, at=now
        )
        audit_record(actor=actor, action=action, obj=supplier, before=before, data={"reason": reason})
        notify(
            event=action,
            recipients=recipients(supplier),
            template=template,
            context={"supplier": supplier, "reason": reason, **(extra_context or {})},
            link=link_for(supplier),
        )
    return supplier


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason: the company will see it."), field="reason", code="required")
    return reason


def supplier_approve(*, supplier: Supplier, actor) -> Supplier:
    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.APPROVED,
        actor=actor,
        action="supplier.approve",
        template="supplier_approved",
        allowed_from=frozenset({Supplier.Status.PENDING}),
    )


def supplier_reject(*, supplier: Supplier, actor, reason: str) -> Supplier:
    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.REJECTED,
        actor=actor,
        action="supplier.reject",
        reason=_required(reason),
        template="supplier_rejected",
    )


def supplier_request_changes(*, supplier: Supplier, actor, reason: str) -> Supplier:
    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.CHANGES_REQUESTED,
        actor=actor,
        action="supplier.request_changes",
        reason=_required(reason),
        template="supplier_changes_requested",
    )


def supplier_suspend(*, supplier: Supplier, actor, reason: str) -> Supplier:
    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.SUSPENDED,
        actor=actor,
        action="supplier.suspend",
        reason=_required(reason),
        template="supplier_suspended",
    )


def supplier_reinstate(*, supplier: Supplier, actor, reason: str = "") -> Supplier:
    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.APPROVED,
        actor=actor,
        action="supplier.reinstate",
        reason=(reason or "").strip(),
        template="supplier_reinstated",
        allowed_from=frozenset({Supplier.Status.SUSPENDED}),
    )


# What the vetting page offers, by name: (service, needs a reason).
DECISIONS = {
    "approve": (supplier_approve, False),
    "reject": (supplier_reject, True),
    "request_changes": (supplier_request_changes, True),
    "suspend": (supplier_suspend, True),
    "reinstate": (supplier_reinstate, False),
}
