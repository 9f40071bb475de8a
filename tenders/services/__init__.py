"""Writes for tenders: drafting, publication, amendments, clarifications, cancellation, re-tender.

Every transition: lock the row, check Tender.TRANSITIONS, change, audit, notify — one transaction.
Other apps move a tender on (closed, opened, evaluated, awarded, contracted) through
`tender_set_status`; they never write `Tender.status` themselves.
"""

from .alerts import subscription_update, tender_follow
from .amendments import AmendmentResult, tender_amend
from .clarifications import clarification_answer, clarification_ask
from .common import AMENDABLE_FIELDS, EDITABLE_FIELDS, NOT_AMENDABLE, TenderValidationError, tender_snapshot
from .custodians import (
    SealedReserve,
    TenderSealing,
    custodian_enrol,
    custodian_platform_ensure,
    entity_custodian_defaults_set,
    observer_accept,
    observer_invitation_revoke,
    observer_invite,
    reserve_sealing_parse,
    tender_custodians_set,
    tender_sealing_parse,
)
from .drafting import (
    tender_create,
    tender_document_add,
    tender_document_remove,
    tender_invitations_set,
    tender_update_draft,
)
from .lifecycle import RETENDERABLE, tender_cancel, tender_mark_unsuccessful, tender_retender, tender_set_status
from .outages import tender_postpone_for_outage, tenders_postpone_for_outages
from .publication import (
    tender_approve,
    tender_publish,
    tender_reference_assign,
    tender_return_to_draft,
    tender_submit_for_approval,
    tender_validate_for_publication,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "EDITABLE_FIELDS",
    "NOT_AMENDABLE",
    "RETENDERABLE",
    "AmendmentResult",
    "SealedReserve",
    "TenderSealing",
    "TenderValidationError",
    "clarification_answer",
    "clarification_ask",
    "custodian_enrol",
    "custodian_platform_ensure",
    "entity_custodian_defaults_set",
    "observer_accept",
    "observer_invitation_revoke",
    "observer_invite",
    "reserve_sealing_parse",
    "subscription_update",
    "tender_amend",
    "tender_approve",
    "tender_cancel",
    "tender_create",
    "tender_custodians_set",
    "tender_document_add",
    "tender_document_remove",
    "tender_follow",
    "tender_invitations_set",
    "tender_mark_unsuccessful",
    "tender_postpone_for_outage",
    "tender_publish",
    "tender_reference_assign",
    "tender_retender",
    "tender_return_to_draft",
    "tender_sealing_parse",
    "tender_set_status",
    "tender_snapshot",
    "tender_submit_for_approval",
    "tender_update_draft",
    "tender_validate_for_publication",
    "tenders_postpone_for_outages",
]
