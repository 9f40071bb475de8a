"""Who may do what with tenders: one place for pages, the API and the admin site.

Officials act only for their own entity; drafts (and tenders pending approval) are seen only by
that entity's officials and by auditors (read-only); suppliers and the public never see them.
"""

import rules

from procurement.permissions import has_role, is_auditor, is_official, is_platform_admin, is_supplier_user
from procurement.roles import Role

from .models import Tender
from .selectors import is_approver_of, is_official_of, official_entity


@rules.predicate
def is_entity_official(user) -> bool:
    """An official (MFA enrolled) who belongs to a procuring entity."""
    return official_entity(user) is not None


@rules.predicate
def official_of_tender_entity(user, tender) -> bool:
    return tender is not None and is_official_of(user, tender.entity_id)


@rules.predicate
def tender_is_public(user, tender) -> bool:
    return tender is not None and tender.is_public


@rules.predicate
def tender_is_draft(user, tender) -> bool:
    return tender is not None and tender.status == Tender.Status.DRAFT


@rules.predicate
def tender_is_published(user, tender) -> bool:
    return tender is not None and tender.status == Tender.Status.PUBLISHED


@rules.predicate
def tender_is_pending_approval(user, tender) -> bool:
    return tender is not None and tender.status == Tender.Status.PENDING_APPROVAL


@rules.predicate
def tender_can_be_cancelled(user, tender) -> bool:
    return tender is not None and Tender.Status.CANCELLED in Tender.TRANSITIONS[tender.status]


@rules.predicate
def tender_can_be_unsuccessful(user, tender) -> bool:
    return tender is not None and Tender.Status.UNSUCCESSFUL in Tender.TRANSITIONS[tender.status]


@rules.predicate
def tender_can_be_retendered(user, tender) -> bool:
    return tender is not None and tender.status in (Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL)


@rules.predicate
def entity_needs_approval(user, tender) -> bool:
    return tender is not None and tender.entity.requires_second_approval


@rules.predicate
def is_second_approver(user, tender) -> bool:
    return tender is not None and is_approver_of(user, tender.entity_id) and tender.created_by_id != user.pk


@rules.predicate
def is_tender_drafter(user, tender) -> bool:
    return tender is not None and tender.created_by_id == user.pk


@rules.predicate
def has_company(user) -> bool:
    return getattr(user, "supplier_membership", None) is not None


@rules.predicate
def clarifications_open(user, tender) -> bool:
    return tender is not None and tender.clarifications_open


is_company_member = is_supplier_user & has_company
is_observer = has_role(Role.OBSERVER)
manages_tender = official_of_tender_entity

rules.add_perm("tenders.view_tender", tender_is_public | official_of_tender_entity | is_auditor)
rules.add_perm("tenders.add_tender", is_entity_official)
rules.add_perm("tenders.change_tender", manages_tender & tender_is_draft)
rules.add_perm("tenders.publish_tender", manages_tender & tender_is_draft & ~entity_needs_approval)
rules.add_perm("tenders.submit_tender", manages_tender & tender_is_draft & entity_needs_approval)
rules.add_perm("tenders.approve_tender", manages_tender & tender_is_pending_approval & is_second_approver)
rules.add_perm(
    "tenders.return_tender", manages_tender & tender_is_pending_approval & (is_second_approver | is_tender_drafter)
)
rules.add_perm("tenders.amend_tender", manages_tender & tender_is_published)
rules.add_perm("tenders.cancel_tender", manages_tender & tender_can_be_cancelled)
rules.add_perm("tenders.mark_unsuccessful_tender", manages_tender & tender_can_be_unsuccessful)
rules.add_perm("tenders.retender_tender", manages_tender & tender_can_be_retendered)
rules.add_perm("tenders.answer_clarification", manages_tender & tender_is_public)
rules.add_perm("tenders.ask_clarification", is_company_member & tender_is_public & clarifications_open)
rules.add_perm("tenders.follow_tender", rules.is_authenticated & tender_is_public)
rules.add_perm("tenders.view_workspace", is_entity_official)
rules.add_perm("tenders.manage_subscription", is_company_member)
# Key custodians (docs/architecture.md, "Sealing"): who may enrol a key, and who invites observers.
rules.add_perm("tenders.hold_tender_keys", is_official | is_auditor | is_observer)
rules.add_perm("tenders.invite_observer", is_entity_official)

# Admin site: platform admins manage entities and officials; tenders are read-only there for them
# and for auditors (changes go through the services, never the admin).
rules.add_perm("tenders", is_platform_admin | is_auditor)
for model in ("procuringentity", "official"):
    rules.add_perm(f"tenders.view_{model}", is_platform_admin | is_auditor)
    rules.add_perm(f"tenders.add_{model}", is_platform_admin)
    rules.add_perm(f"tenders.change_{model}", is_platform_admin)
    rules.add_perm(f"tenders.delete_{model}", is_platform_admin)
for model in ("tenderversion", "clarification", "invitation", "subscription"):
    rules.add_perm(f"tenders.view_{model}", is_platform_admin | is_auditor)
