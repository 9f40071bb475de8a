"""Registering a company and keeping its profile up to date."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.roles import Role

from ..models import Supplier, SupplierMember, SupplierStatusChange
from ..validators import validate_registration_number
from ._common import lock_supplier, platform_admins, vetting_link

IDENTITY_FIELDS = ("name_ko", "name_en", "country", "registration_number")
PROFILE_FIELDS = ("address", "representative", "contact_email", "phone", "size_class")


def _duplicate_error() -> Conflict:
    return Conflict(
        _("A company with this registration number is already registered. Ask its administrator to invite you."),
        field="registration_number",
        code="duplicate",
    )


def _checked_number(country: str, number: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        return validate_registration_number(country, number)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], field="registration_number", code="invalid") from exc


def supplier_register(*, user, data: dict, classifications) -> Supplier:
    """A supplier user registers their company; they become its first administrator, and it awaits vetting."""
    if user.role != Role.SUPPLIER:
        raise Forbidden(_("Only supplier accounts can register a company."))
    if SupplierMember.objects.filter(user=user).exists():
        raise Conflict(_("You already belong to a company. A user can belong to one company only."))
    values = {name: data[name] for name in IDENTITY_FIELDS + PROFILE_FIELDS if name in data}
    values["registration_number"] = _checked_number(values["country"], values["registration_number"])
    if Supplier.objects.filter(country=values["country"], registration_number=values["registration_number"]).exists():
        raise _duplicate_error()
    try:
        with transaction.atomic():
            supplier = Supplier.objects.create(status=Supplier.Status.PENDING, submitted_at=timezone.now(), **values)
            supplier.classifications.set(classifications)
            SupplierMember.objects.create(user=user, supplier=supplier, role=SupplierMember.Role.ADMINISTRATOR)
            SupplierStatusChange.objects.create(supplier=supplier, to_status=supplier.status, actor=user)
            audit_record(
                actor=user,
                action="supplier.register",
                obj=supplier,
                data={
                    "country": supplier.country,
                    "registration_number": supplier.registration_number,
                    "classifications": sorted(c.code for c in classifications),
                },
            )
            notify(
                event="supplier.submitted",
                recipients=platform_admins(),
                template="supplier_submitted",
                context={"supplier": supplier, "resubmitted": False},
                link=vetting_link(supplier),
            )
    except IntegrityError as exc:
        # Two registrations of the same number (or by the same user) racing: the constraint decides.
        if SupplierMember.objects.filter(user=user).exists():
            raise Conflict(_("You already belong to a company. A user can belong to one company only.")) from exc
        raise _duplicate_error() from exc
    return supplier


def supplier_update(*, supplier: Supplier, actor, data: dict, classifications=None) -> Supplier:
    """The company's administrator edits its profile; its identity only while vetting has not approved it."""
    try:
        with transaction.atomic():
            supplier = lock_supplier(supplier.pk)
            if "registration_number" in data:
                data = {
                    **data,
                    "registration_number": _checked_number(
                        data.get("country", supplier.country), data["registration_number"]
                    ),
                }
            identity_changes = [n for n in IDENTITY_FIELDS if n in data and data[n] != getattr(supplier, n)]
            if identity_changes and not supplier.identity_editable:
                raise Conflict(
                    _("The legal names and registration number of an approved company cannot be changed here.")
                )
            changed = {}
            for name in PROFILE_FIELDS + IDENTITY_FIELDS:
                if name in data and data[name] != getattr(supplier, name):
                    changed[name] = {"from": getattr(supplier, name), "to": data[name]}
                    setattr(supplier, name, data[name])
            supplier.save()
            codes_before = sorted(supplier.classifications.values_list("code", flat=True))
            if classifications is not None:
                supplier.classifications.set(classifications)
                codes_after = sorted(c.code for c in classifications)
                if codes_after != codes_before:
                    changed["classifications"] = {"from": codes_before, "to": codes_after}
            if changed:
                audit_record(actor=actor, action="supplier.update", obj=supplier, data={"changes": changed})
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    return supplier


def supplier_resubmit(*, supplier: Supplier, actor) -> Supplier:
    """After making the changes vetting asked for, the company sends itself back to the queue."""
    from .vetting import supplier_set_status

    return supplier_set_status(
        supplier=supplier,
        to=Supplier.Status.PENDING,
        actor=actor,
        action="supplier.resubmit",
        recipients=lambda supplier: platform_admins(),
        template="supplier_submitted",
        link_for=vetting_link,
        extra_context={"resubmitted": True},
    )
