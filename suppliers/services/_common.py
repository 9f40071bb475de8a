"""Pieces every supplier service uses: who to tell, and how to lock a company."""

from django.urls import reverse

from procurement.models import User
from procurement.roles import Role

from ..models import Supplier


def company_recipients(supplier: Supplier) -> list[User]:
    """Everyone who acts for the company (its members with an active account)."""
    return list(User.objects.filter(supplier_membership__supplier=supplier, is_active=True))


def company_administrators(supplier: Supplier) -> list[User]:
    from ..models import SupplierMember

    return list(
        User.objects.filter(
            supplier_membership__supplier=supplier,
            supplier_membership__role=SupplierMember.Role.ADMINISTRATOR,
            is_active=True,
        )
    )


def platform_admins() -> list[User]:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True))


def lock_supplier(supplier_id: int) -> Supplier:
    """The company row, locked until the end of the caller's transaction.

    Every status change and every membership change takes this lock first, so two admins deciding at
    once, or a decision racing the company's resubmission, are applied one after the other and each
    sees the other's result.
    """
    return Supplier.objects.select_for_update().get(pk=supplier_id)


def company_link() -> str:
    return reverse("suppliers:company")


def vetting_link(supplier: Supplier) -> str:
    return reverse("suppliers:vetting_detail", args=[supplier.pk])
