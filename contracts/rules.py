"""Who may do what with evaluations, awards, complaints, contracts and reports.

Deny by default. Officials act only for their own entity (and only with the official role: an
evaluator who also has an Official row does not act as one). Committee members see nothing of a
tender's bids until they have declared no conflict of interest. Auditors read everything from
opening on and can change nothing: no write permission below includes them.
"""

import rules

from procurement.permissions import is_auditor, is_evaluator, is_official, is_platform_admin, is_supplier_user
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.rules import is_entity_official
from tenders.selectors import is_official_of

from .models import Award, CommitteeMember, Contract, Evaluation


def _tender_of(obj):
    if obj is None:
        return None
    if isinstance(obj, Tender):
        return obj
    return getattr(obj, "tender", None)


@rules.predicate
def official_of_entity(user, obj) -> bool:
    """An official (MFA enrolled, official role) of the entity of the tender / award / contract."""
    tender = _tender_of(obj)
    return tender is not None and is_official_of(user, tender.entity_id)


@rules.predicate
def tender_opened_or_later(user, tender) -> bool:
    return tender is not None and hasattr(tender, "opening_record")


@rules.predicate
def tender_needs_committee(user, tender) -> bool:
    return tender is not None and evaluation_policy(tender.evaluation_method).needs_committee


@rules.predicate
def is_committee_member(user, tender) -> bool:
    return (
        tender is not None
        and user.is_authenticated
        and CommitteeMember.objects.filter(tender=tender, user=user).exists()
    )


@rules.predicate
def is_cleared_member(user, tender) -> bool:
    """On the committee and declared no conflict of interest: may see the bids and score."""
    if tender is None or not user.is_authenticated:
        return False
    member = CommitteeMember.objects.filter(tender=tender, user=user).select_related("conflict_declaration").first()
    return member is not None and member.is_cleared


@rules.predicate
def member_undeclared(user, tender) -> bool:
    if tender is None or not user.is_authenticated:
        return False
    return CommitteeMember.objects.filter(tender=tender, user=user, conflict_declaration__isnull=True).exists()


@rules.predicate
def evaluation_in_progress(user, tender) -> bool:
    evaluation = Evaluation.objects.filter(tender=tender).first() if tender is not None else None
    return evaluation is not None and evaluation.status == Evaluation.Status.IN_PROGRESS


@rules.predicate
def award_in_standstill(user, award) -> bool:
    return award is not None and award.status == Award.Status.STANDSTILL


@rules.predicate
def award_is_public(user, award) -> bool:
    return award is not None and award.is_public


@rules.predicate
def is_bidding_member(user) -> bool:
    membership = membership_for_user(user)
    return membership is not None and membership.may_bid


@rules.predicate
def is_contract_party(user, contract) -> bool:
    """The entity's officials or any member of the supplier (of any consortium member)."""
    if contract is None:
        return False
    if is_official_of(user, contract.entity_id):
        return True
    membership = membership_for_user(user)
    if membership is None:
        return False
    from .selectors import contract_signatories

    return membership.supplier_id == contract.supplier_id or membership.supplier_id in contract_signatories(contract)


@rules.predicate
def contract_is_public(user, contract) -> bool:
    return contract is not None and contract.is_public


@rules.predicate
def is_contract_supplier_member(user, contract) -> bool:
    membership = membership_for_user(user)
    return (
        contract is not None
        and membership is not None
        and membership.supplier_id == contract.supplier_id
        and membership.may_bid
    )


@rules.predicate
def may_sign_contract(user, contract) -> bool:
    from .services.contracts import signing_party

    return contract is not None and signing_party(contract, user) is not None


@rules.predicate
def contract_awaits_signature(user, contract) -> bool:
    from .services.contracts import pending_version

    return (
        contract is not None
        and contract.status in (Contract.Status.DRAFT, Contract.Status.ACTIVE)
        and pending_version(contract) is not None
    )


# Pages and lists.
rules.add_perm("contracts.view_evaluations", is_official | is_evaluator | is_auditor)
rules.add_perm("contracts.view_contract_workspace", is_entity_official | is_supplier_user)
rules.add_perm("contracts.view_reports", is_auditor)
rules.add_perm("contracts.export_csv", is_auditor)

# One tender's evaluation: its entity's officials and auditors from opening on, cleared members.
rules.add_perm(
    "contracts.read_evaluation",
    tender_opened_or_later & (official_of_entity | is_auditor | ((is_evaluator | is_official) & is_cleared_member)),
)
rules.add_perm("contracts.view_committee", official_of_entity | is_auditor)
rules.add_perm("contracts.manage_evaluation", official_of_entity & tender_opened_or_later)
rules.add_perm("contracts.manage_committee", official_of_entity & tender_needs_committee)
rules.add_perm("contracts.declare_conflict", (is_evaluator | is_official) & member_undeclared & tender_opened_or_later)
rules.add_perm("contracts.score_bids", (is_evaluator | is_official) & is_cleared_member & evaluation_in_progress)

# Awards: public once bidders are told; the entity manages them; bidders complain.
rules.add_perm("contracts.read_award", award_is_public | official_of_entity | is_auditor)
rules.add_perm("contracts.manage_award", official_of_entity)
rules.add_perm("contracts.lodge_complaint", is_supplier_user & is_bidding_member & award_in_standstill)
rules.add_perm("contracts.decide_complaint", official_of_entity)

# Contracts: public once signed by both; parties (and auditors) see drafts.
rules.add_perm("contracts.read_contract", contract_is_public | is_contract_party | is_auditor)
rules.add_perm("contracts.draw_up_contract", official_of_entity)
rules.add_perm("contracts.manage_contract", official_of_entity)
rules.add_perm(
    "contracts.sign_contract", (is_official | is_supplier_user) & may_sign_contract & contract_awaits_signature
)
rules.add_perm("contracts.deliver_milestone", is_supplier_user & is_contract_supplier_member)


@rules.predicate
def tender_award_is_final(user, tender) -> bool:
    return Award.objects.filter(tender=tender, status=Award.Status.FINAL).exists()


# Award reports: auditors and the entity's own officials once bids are opened; everyone once the
# award is final (its data is what makes the award reproducible from public data).
rules.add_perm(
    "contracts.download_award_report",
    tender_award_is_final | (tender_opened_or_later & (is_auditor | official_of_entity)),
)

# Admin site: read-only for platform admins and auditors (changes go through the services).
rules.add_perm("contracts", is_platform_admin | is_auditor)
for model in ("evaluation", "award", "complaint", "contract", "contractversion", "signature", "reportfile"):
    rules.add_perm(f"contracts.view_{model}", is_platform_admin | is_auditor)
