"""The debarment register (부정당업자 제재): recorded and lifted by platform admins, public to all."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.permissions import is_platform_admin

from ..events import sanction_recorded
from ..models import Sanction, Supplier
from ._common import company_link, company_recipients, lock_supplier


def _require_admin(actor) -> None:
    if not is_platform_admin(actor):
        raise Forbidden(_("Only platform administrators keep the sanctions register."))


def sanction_record(
    *,
    supplier: Supplier,
    actor,
    starts_on: date,
    ends_on: date,
    legal_ground: str,
    reason: str,
    deciding_body: str,
) -> Sanction:
    _require_admin(actor)
    if ends_on < starts_on:
        raise Invalid(_("The sanction cannot end before it starts."), field="ends_on")
    for name, value in (("legal_ground", legal_ground), ("reason", reason), ("deciding_body", deciding_body)):
        if not (value or "").strip():
            raise Invalid(_("This field is required."), field=name, code="required")
    with transaction.atomic():
        # Serialises with vetting decisions on the same company, so eligibility never sees half of both.
        supplier = lock_supplier(supplier.pk)
        sanction = Sanction.objects.create(
            supplier=supplier,
            starts_on=starts_on,
            ends_on=ends_on,
            legal_ground=legal_ground.strip(),
            reason=reason.strip(),
            deciding_body=deciding_body.strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="supplier.sanction_record",
            obj=sanction,
            data={
                "supplier": supplier.pk,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "legal_ground": sanction.legal_ground,
                "deciding_body": sanction.deciding_body,
            },
        )
        notify(
            event="supplier.sanction_record",
            recipients=company_recipients(supplier),
            template="supplier_sanctioned",
            context={"supplier": supplier, "sanction": sanction},
            link=company_link(),
        )
        sanction_recorded.send(sender=Sanction, sanction=sanction, actor=actor)
    return sanction


def sanction_lift(*, sanction: Sanction, actor, reason: str) -> Sanction:
    """End a sanction early (a court stays it, or it was recorded in error). The record stays public."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason for lifting the sanction."), field="reason", code="required")
    with transaction.atomic():
        supplier = lock_supplier(sanction.supplier_id)
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if sanction.lifted_at is not None:
            raise Conflict(_("This sanction has already been lifted."))
        before = {"lifted_at": None, "lifted_reason": sanction.lifted_reason}
        sanction.lifted_at = timezone.now()
        sanction.lifted_reason = reason
        sanction.lifted_by = actor
        sanction.save(update_fields=["lifted_at", "lifted_reason", "lifted_by"])
        audit_record(
            actor=actor,
            action="supplier.sanction_lift",
            obj=sanction,
            before=before,
            data={"supplier": supplier.pk, "reason": reason},
        )
        notify(
            event="supplier.sanction_lift",
            recipients=company_recipients(supplier),
            template="supplier_sanction_lifted",
            context={"supplier": supplier, "sanction": sanction},
            link=company_link(),
        )
    return sanction
