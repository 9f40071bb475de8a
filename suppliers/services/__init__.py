"""Supplier writes, one module per concern; import them from here."""

from .documents import DOCUMENT_CONTENT_TYPES, document_check, document_delete, document_upload
from .members import (
    invitation_accept,
    invitation_revoke,
    invitations_accept_for_user,
    member_invite,
    member_remove,
    member_set_role,
)
from .registration import supplier_register, supplier_resubmit, supplier_update
from .sanctions import sanction_lift, sanction_record
from .vetting import (
    DECISIONS,
    supplier_approve,
    supplier_reinstate,
    supplier_reject,
    supplier_request_changes,
    supplier_set_status,
    supplier_suspend,
)

__all__ = [
    "DECISIONS",
    "DOCUMENT_CONTENT_TYPES",
    "document_check",
    "document_delete",
    "document_upload",
    "invitation_accept",
    "invitation_revoke",
    "invitations_accept_for_user",
    "member_invite",
    "member_remove",
    "member_set_role",
    "sanction_lift",
    "sanction_record",
    "supplier_approve",
    "supplier_register",
    "supplier_reinstate",
    "supplier_reject",
    "supplier_request_changes",
    "supplier_resubmit",
    "supplier_set_status",
    "supplier_suspend",
    "supplier_update",
]
