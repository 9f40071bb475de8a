"""Writes for contracts: evaluation, committee, awards, complaints, contracts and report files.

Every transition: lock (tender first), check the lifecycle table, change, audit, notify — one
transaction. Audit entries of this app always carry `data["tender"]`, so a tender's audit trail
can be found (contracts.selectors.tender_audit_q).
"""

from .awards import (
    StandstillRunning,
    award_approve,
    award_cancel,
    award_finalise,
    award_propose,
    awards_due_ids,
    awards_finalise_due,
)
from .committee import committee_member_add, committee_member_remove, conflict_declare, scores_save
from .complaints import complaint_decide, complaint_lodge
from .contracts import (
    Terms,
    contract_amend,
    contract_complete,
    contract_create,
    contract_document_current,
    contract_document_ensure,
    contract_document_render,
    contract_document_request,
    contract_sign,
    contract_terminate,
    has_signed,
    milestone_accept,
    milestone_deliver,
    milestone_return,
    pending_version,
    signing_party,
)
from .evaluation import assessment_review, evaluation_calculate, evaluation_complete, evaluation_start, next_for_review

__all__ = [
    "StandstillRunning",
    "Terms",
    "assessment_review",
    "award_approve",
    "award_cancel",
    "award_finalise",
    "award_propose",
    "awards_due_ids",
    "awards_finalise_due",
    "committee_member_add",
    "committee_member_remove",
    "complaint_decide",
    "complaint_lodge",
    "conflict_declare",
    "contract_amend",
    "contract_complete",
    "contract_create",
    "contract_document_current",
    "contract_document_ensure",
    "contract_document_render",
    "contract_document_request",
    "contract_sign",
    "contract_terminate",
    "evaluation_calculate",
    "evaluation_complete",
    "evaluation_start",
    "has_signed",
    "milestone_accept",
    "milestone_deliver",
    "milestone_return",
    "next_for_review",
    "pending_version",
    "scores_save",
    "signing_party",
]
