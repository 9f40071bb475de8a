"""Cancellation, unsuccessful, re-tender, and the transitions other apps make (tender_set_status)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict
from procurement.notifications import notify
from procurement.states import check_transition
from procurement.storage import stored_files

from .. import selectors, signals
from ..models import Invitation, Tender, TenderDocument
from ..timeline import TIMELINE_FIELDS
from .common import (
    EDITABLE_FIELDS,
    TenderValidationError,
    require_entity_official,
    tender_link,
)


def tender_cancel(*, tender: Tender, actor, reason: str) -> Tender:
    """Cancel with a public reason (draft, published or closed). Bids already sealed stay sealed."""
    reason = reason.strip()
    if not reason:
        raise TenderValidationError({"reason": _("Give the public reason for cancelling.")})
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        was_public = tender.is_public
        check_transition(tender, Tender.Status.CANCELLED, Tender.TRANSITIONS)
        before = {"status": tender.status}
        tender.status = Tender.Status.CANCELLED
        tender.status_changed_at = timezone.now()
        tender.cancellation_reason = reason
        tender.next_check = None
        tender.save()
        audit_record(actor=actor, action="tender.cancel", obj=tender, before=before, data={"reason": reason})
        if was_public:
            notify(
                event="tender.cancelled",
                recipients=selectors.tender_interested_users(tender),
                template="tender_cancelled",
                context={"tender": tender, "reason": reason},
                link=tender_link(tender),
            )
        signals.tender_cancelled.send(sender=Tender, tender=tender, actor=actor, reason=reason)
    return tender


def tender_mark_unsuccessful(*, tender: Tender, actor, reason: str) -> Tender:
    """No valid bid (or award failed): the tender ends unsuccessful. `actor` None means the system.

    Bidding may call this from its own transaction (e.g. opening found no bids); it re-takes the lock.
    """
    reason = reason.strip()
    if not reason:
        raise TenderValidationError({"reason": _("Say why the tender was unsuccessful.")})
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        if actor is not None and getattr(actor, "is_authenticated", False):
            require_entity_official(tender, actor)
        check_transition(tender, Tender.Status.UNSUCCESSFUL, Tender.TRANSITIONS)
        before = {"status": tender.status}
        tender.status = Tender.Status.UNSUCCESSFUL
        tender.status_changed_at = timezone.now()
        tender.unsuccessful_reason = reason
        tender.next_check = None
        tender.save()
        audit_record(actor=actor, action="tender.mark_unsuccessful", obj=tender, before=before, data={"reason": reason})
        notify(
            event="tender.unsuccessful",
            recipients=selectors.tender_interested_users(tender),
            template="tender_unsuccessful",
            context={"tender": tender, "reason": reason},
            link=tender_link(tender),
        )
        signals.tender_unsuccessful.send(sender=Tender, tender=tender, actor=actor, reason=reason)
    return tender


RETENDERABLE = frozenset({Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL})


def tender_retender(*, tender: Tender, actor) -> Tender:
    """Copy an unsuccessful or cancelled tender into a new draft (timeline left for the official to set)."""
    with stored_files() as files, transaction.atomic():
        old = selectors.tender_for_update(tender.pk)
        require_entity_official(old, actor)
        if old.status not in RETENDERABLE:
            raise Conflict(_("Only an unsuccessful or cancelled tender can be re-tendered."), code="not_retenderable")
        copy = Tender.objects.create(
            entity=old.entity,
            created_by=actor,
            retendered_from=old,
            **{f: getattr(old, f) for f in EDITABLE_FIELDS if f not in TIMELINE_FIELDS},
        )
        copy.classifications.set(old.classifications.all())
        Invitation.objects.bulk_create(
            [Invitation(tender=copy, supplier_id=i.supplier_id, invited_by=actor) for i in old.invitations.all()]
        )
        for document in old.documents.all():
            with document.file.open("rb") as source:
                content = ContentFile(source.read(), name=document.original_name)
            clone = TenderDocument(
                tender=copy,
                kind=document.kind,
                title=document.title,
                original_name=document.original_name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                uploaded_by=actor,
            )
            files.save(clone.file, document.original_name, content)
            clone.save()
        audit_record(actor=actor, action="tender.retender", obj=copy, data={"from": old.pk, "reference": old.reference})
    return copy


# Transitions with their own services above; tender_set_status refuses them so nobody skips the
# validation, key generation or notices that go with them.
_OWN_SERVICES = {
    Tender.Status.DRAFT: "tender_return_to_draft",
    Tender.Status.PENDING_APPROVAL: "tender_submit_for_approval",
    Tender.Status.PUBLISHED: "tender_publish / tender_approve",
    Tender.Status.CANCELLED: "tender_cancel",
    Tender.Status.UNSUCCESSFUL: "tender_mark_unsuccessful",
}
_UNSET = object()


def tender_set_status(*, tender: Tender, to: str, actor, data: dict | None = None, next_check=_UNSET) -> Tender:
    """Move a tender on for another app (closed, opened, evaluated, awarded, contracted).

    Locks the row (FOR UPDATE), checks Tender.TRANSITIONS, sets the status and, if given, the next
    moment something is due (`next_check`, None when nothing is), and writes the audit entry
    "tender.<to>" with `data`. Runs in the caller's transaction when there is one. Returns the locked,
    updated tender. Notifications are the caller's.
    """
    if to in _OWN_SERVICES:
        raise ValueError(f"Use tenders.services.{_OWN_SERVICES[to]} to move a tender to {to}.")
    with transaction.atomic():
        locked = selectors.tender_for_update(tender.pk)
        check_transition(locked, to, Tender.TRANSITIONS)
        before = {"status": locked.status}
        previous_check = locked.next_check
        locked.status = to
        locked.status_changed_at = timezone.now()
        fields = ["status", "status_changed_at", "updated_at"]
        if next_check is not _UNSET:
            locked.next_check = next_check
            fields.append("next_check")
        elif to in Tender.TERMINAL_STATUSES:
            locked.next_check = None
            fields.append("next_check")
        if "next_check" in fields:
            before["next_check"] = previous_check
        locked.save(update_fields=fields)
        audit_record(actor=actor, action=f"tender.{to}", obj=locked, before=before, data=data or {})
    return locked
