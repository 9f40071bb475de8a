"""Publication, directly or after a second official's approval; return to draft."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden
from procurement.notifications import notify
from procurement.states import check_transition

from .. import selectors
from ..models import Tender, TenderVersion
from ..policies import method_policy
from ..timeline import timeline_errors
from .common import (
    TenderValidationError,
    require_entity_official,
    tender_link,
    tender_snapshot,
    validate_content,
)
from .custodians import TenderSealing, custodian_rules_errors, tender_sealing_store


def tender_validate_for_publication(tender: Tender, *, now: datetime) -> None:
    """Everything that must hold at publication, every problem next to its field."""
    errors = validate_content(tender)
    errors.update(
        timeline_errors(
            method=tender.method,
            category=tender.category,
            clarification_deadline=tender.clarification_deadline,
            submission_deadline=tender.submission_deadline,
            opening_at=tender.opening_at,
            now=now,
        )
    )
    if method_policy(tender.method).invitation_only and not tender.invitations.exists():
        errors["invitations"] = _("Invite at least one supplier to a restricted or limited tender.")
    errors.update(
        custodian_rules_errors(
            tender=tender,
            custodians=[tc.custodian for tc in tender.custodians.select_related("custodian")],
            threshold=tender.custodian_threshold,
        )
    )
    if errors:
        raise TenderValidationError(errors)


def _allocate_reference(now: datetime) -> str:
    """The next number of this year's sequence, e.g. 2026-00042 (one atomic upsert, no race)."""
    year = timezone.localtime(now).year
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tenders_referencecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = tenders_referencecounter.last + 1 RETURNING last",
            [year],
        )
        number = cursor.fetchone()[0]
    return f"{year}-{number:05d}"


def tender_reference_assign(*, tender: Tender) -> Tender:
    """Give a draft its reference before the key ceremony, which seals the reserve prices to it.

    A draft that is never published leaves a gap in the year's sequence, as a rolled-back
    publication always did.
    """
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        if tender.reference is None and tender.status in Tender.PRIVATE_STATUSES:
            tender.reference = _allocate_reference(timezone.now())
            tender.save(update_fields=["reference"])
    return tender


# What publication sets, recorded in its entry with the values before (the timeline as published).
_PUBLISHED_FIELDS = (
    "status",
    "published_at",
    "clarification_deadline",
    "submission_deadline",
    "opening_at",
    "estimated_value",
)


def _publish(tender: Tender, *, actor, sealing: TenderSealing, approved_by=None) -> Tender:
    """The publication itself; the caller holds the row lock and has checked who may publish.

    Its steps: check the notice, give it its reference, store the key ceremony's public material
    (public key, one sealed share per named custodian, the sealed reserve prices and their
    commitment), publish, record the version, audit, announce.
    """
    now = timezone.now()
    check_transition(tender, Tender.Status.PUBLISHED, Tender.TRANSITIONS)
    before = {field: getattr(tender, field) for field in _PUBLISHED_FIELDS}
    tender_validate_for_publication(tender, now=now)
    tender.reference = tender.reference or _allocate_reference(now)
    tender.ocid = f"{settings.OCDS_PREFIX}-{tender.reference}"
    tender.version = 0
    tender_sealing_store(tender=tender, sealing=sealing, actor=actor)
    tender.status = Tender.Status.PUBLISHED
    tender.status_changed_at = now
    tender.published_at = now
    tender.approved_by = approved_by
    tender.next_check = tender.submission_deadline
    tender.save()
    TenderVersion.objects.create(
        tender=tender,
        amendment_number=0,
        reason=_("Original notice"),
        snapshot=tender_snapshot(tender),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="tender.publish",
        obj=tender,
        before=before,
        data={
            "reference": tender.reference,
            "ocid": tender.ocid,
            "approved_by": approved_by.email if approved_by else None,
            "submission_deadline": tender.submission_deadline,
            "public_key_sha256": hashlib.sha256(tender.public_key).hexdigest(),
        },
    )
    notify(
        event="tender.published",
        recipients=selectors.tender_announcement_recipients(tender),
        template="tender_published",
        context={"tender": tender, "restricted": method_policy(tender.method).invitation_only},
        link=tender_link(tender),
    )
    # The custodians learn now that a share is theirs, so that they can be there after the deadline.
    notify(
        event="tender.custodian_named",
        recipients=[tc.custodian.user for tc in selectors.tender_custodians(tender) if tc.custodian.user_id],
        template="custodian_named",
        context={"tender": tender},
        link=reverse("tenders:custodian"),
    )
    return tender


def tender_publish(*, tender: Tender, actor, sealing: TenderSealing) -> Tender:
    """Publish a draft directly (entities that do not require a second official's approval)."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        if tender.status != Tender.Status.DRAFT:
            # Direct publication starts from a draft; a pending tender is published by tender_approve.
            check_transition(tender, Tender.Status.PUBLISHED, {})
        if tender.entity.requires_second_approval:
            raise Conflict(
                _("%(entity)s requires a second official to approve each publication: submit it for approval.")
                % {"entity": tender.entity.name},
                code="approval_required",
            )
        return _publish(tender, actor=actor, sealing=sealing)


def tender_submit_for_approval(*, tender: Tender, actor) -> Tender:
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        check_transition(tender, Tender.Status.PENDING_APPROVAL, Tender.TRANSITIONS)
        # Checked now too, so an approver is never asked to approve what cannot be published.
        tender_validate_for_publication(tender, now=timezone.now())
        before = {"status": tender.status}
        tender.status = Tender.Status.PENDING_APPROVAL
        tender.status_changed_at = timezone.now()
        tender.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, action="tender.submit_for_approval", obj=tender, before=before)
        notify(
            event="tender.approval_requested",
            recipients=selectors.tender_entity_officials(tender, approvers_only=True).exclude(pk=actor.pk),
            template="tender_approval_requested",
            context={"tender": tender, "drafter": actor},
            link=tender_link(tender),
        )
    return tender


def _require_approver(tender: Tender, actor) -> None:
    require_entity_official(tender, actor)
    if not selectors.is_approver_of(actor, tender.entity_id):
        raise Forbidden(_("You are not authorised to approve publications."), code="not_approver")
    if actor.pk == tender.created_by_id:
        raise Forbidden(_("A second official must approve: you drafted this tender."), code="same_official")


def tender_approve(*, tender: Tender, actor, sealing: TenderSealing) -> Tender:
    """A second official approves a pending tender, which publishes it (the ceremony runs in the
    approver's browser)."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_approver(tender, actor)
        # Approval publishes only what was submitted for it; a draft goes through submission first.
        check_transition(tender, Tender.Status.PUBLISHED, {Tender.Status.PENDING_APPROVAL: {Tender.Status.PUBLISHED}})
        return _publish(tender, actor=actor, sealing=sealing, approved_by=actor)


def tender_return_to_draft(*, tender: Tender, actor, reason: str) -> Tender:
    """The approver sends a pending tender back to its drafter with a reason (or the drafter withdraws it)."""
    reason = reason.strip()
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        if actor.pk != tender.created_by_id:
            _require_approver(tender, actor)
        check_transition(tender, Tender.Status.DRAFT, Tender.TRANSITIONS)
        before = {"status": tender.status}
        tender.status = Tender.Status.DRAFT
        tender.status_changed_at = timezone.now()
        tender.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, action="tender.return_to_draft", obj=tender, before=before, data={"reason": reason})
        if actor.pk != tender.created_by_id:
            notify(
                event="tender.returned",
                recipients=[tender.created_by],
                template="tender_returned",
                context={"tender": tender, "reason": reason, "approver": actor},
                link=tender_link(tender),
            )
    return tender
