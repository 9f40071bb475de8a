"""Who may do what with companies: one place for pages, the API and the admin site.

A company's members see their own company and its documents, never another's; its administrators
manage its profile and people. Platform admins vet and keep the sanctions register; auditors read
everything and change nothing. The directory and the sanctions register are public (no permission).
"""

import rules

from procurement.permissions import is_auditor, is_platform_admin, is_supplier_user

from .selectors import membership_for_user


@rules.predicate
def has_company(user) -> bool:
    return membership_for_user(user) is not None


@rules.predicate
def is_member_of(user, supplier) -> bool:
    membership = membership_for_user(user)
    return bool(supplier is not None and membership is not None and membership.supplier_id == supplier.pk)


@rules.predicate
def is_administrator_of(user, supplier) -> bool:
    membership = membership_for_user(user)
    return bool(
        supplier is not None
        and membership is not None
        and membership.supplier_id == supplier.pk
        and membership.is_administrator
    )


@rules.predicate
def is_member_of_document_company(user, document) -> bool:
    membership = membership_for_user(user)
    return bool(document is not None and membership is not None and membership.supplier_id == document.supplier_id)


@rules.predicate
def is_administrator_of_document_company(user, document) -> bool:
    membership = membership_for_user(user)
    return bool(
        document is not None
        and membership is not None
        and membership.supplier_id == document.supplier_id
        and membership.is_administrator
    )


@rules.predicate
def is_member_of_membership_company(user, member) -> bool:
    """`member` is a SupplierMember or a SupplierInvitation: both name their company by supplier_id."""
    membership = membership_for_user(user)
    return bool(
        member is not None
        and membership is not None
        and membership.supplier_id == member.supplier_id
        and membership.is_administrator
    )


company_member = is_supplier_user & is_member_of
company_administrator = is_supplier_user & is_administrator_of
oversight = is_platform_admin | is_auditor

# The company workspace ("My company") and registration.
rules.add_perm("suppliers.use_company_workspace", is_supplier_user)
rules.add_perm("suppliers.register_supplier", is_supplier_user & ~has_company)
rules.add_perm("suppliers.view_company", company_member | oversight)
rules.add_perm("suppliers.change_company", company_administrator)
rules.add_perm("suppliers.resubmit_company", company_administrator)
rules.add_perm("suppliers.view_members", company_member | oversight)
rules.add_perm("suppliers.manage_members", company_administrator)
rules.add_perm("suppliers.manage_member", is_supplier_user & is_member_of_membership_company)
rules.add_perm("suppliers.upload_document", company_member)
rules.add_perm("suppliers.view_document", (is_supplier_user & is_member_of_document_company) | oversight)
rules.add_perm("suppliers.delete_document", is_supplier_user & is_administrator_of_document_company)

# Vetting and the sanctions register.
rules.add_perm("suppliers.view_vetting", oversight)
rules.add_perm("suppliers.vet_supplier", is_platform_admin)
rules.add_perm("suppliers.record_sanction", is_platform_admin)
rules.add_perm("suppliers.lift_sanction", is_platform_admin)

# Admin site: platform admins manage the reference data; auditors may look. Status changes and
# sanctions still go through the services (the admin shows them read-only).
rules.add_perm("suppliers", oversight)
for model in ("supplier", "sanction", "classification", "suppliermember", "supplierdocument"):
    rules.add_perm(f"suppliers.view_{model}", oversight)
rules.add_perm("suppliers.change_supplier", is_platform_admin)
rules.add_perm("suppliers.add_classification", is_platform_admin)
rules.add_perm("suppliers.change_classification", is_platform_admin)
rules.add_perm("suppliers.delete_classification", is_platform_admin)
