"""Writes for tenders: drafting, publication, amendments, clarifications, cancellation, re-tender.

Every transition: lock the row, check Tender.TRANSITIONS, change, audit, notify — one transaction.
Other apps move a tender on (closed, opened, evaluated, awarded, contracted) through
`tender_set_status`; they never write `Tender.status` themselves.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import DomainError
from procurement.notifications import notify
from procurement.sealing import keypair_generate
from procurement.states import check_transition
from procurement.uploads import validate_upload

from . import selectors, signals
from .models import Clarification, Invitation, Subscription, Tender, TenderDocument, TenderFollow, TenderVersion
from .policies import evaluation_policy, method_policy
from .sanitise import sanitise_html
from .timeline import TIMELINE_FIELDS, amendment_min_deadline, format_local, timeline_errors

# Fields an official edits on a draft (and, except where noted, through an amendment).
EDITABLE_FIELDS = (
    "title",
    "description",
    "method",
    "method_justification",
    "category",
    "estimated_value",
    "currency",
    "delivery_place",
    "delivery_period",
    "eligibility",
    "evaluation_method",
    "evaluation_params",
    "clarification_deadline",
    "submission_deadline",
    "opening_at",
)
# Changing these after publication would change who may bid or how bids are compared (and the
# reserve prices bidding sealed for them): cancel and re-tender instead.
NOT_AMENDABLE = frozenset({"method", "category", "evaluation_method", "currency"})
AMENDABLE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in NOT_AMENDABLE)


class TenderValidationError(DomainError):
    """Several problems, each tied to a field; `errors` maps field name → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field, code="invalid")


def _tender_link(tender: Tender) -> str:
    return reverse("tenders:detail", args=[tender.pk])


# --- drafting --------------------------------------------------------------------------------------


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise what forms and the API hand in: sanitised HTML, complete evaluation parameters."""
    cleaned = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if "description" in cleaned:
        cleaned["description"] = sanitise_html(cleaned["description"])
    if "title" in cleaned:
        cleaned["title"] = " ".join(str(cleaned["title"]).split())
    return cleaned


def _validate_content(tender: Tender) -> dict[str, str]:
    """Rules on a tender's content (not its timeline), keyed by field."""
    errors: dict[str, str] = {}
    if not tender.title.strip():
        errors["title"] = _("Give the tender a title.")
    if tender.estimated_value is None or tender.estimated_value <= Decimal(0):
        errors["estimated_value"] = _("The estimated value must be more than zero.")
    if method_policy(tender.method).needs_justification and not tender.method_justification.strip():
        errors["method_justification"] = _("A limited (direct) procurement needs a written justification.")
    try:
        tender.evaluation_params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    except ValidationError as exc:
        for param, messages in exc.message_dict.items():
            errors.setdefault(f"evaluation_params.{param}", messages[0])
    return errors


def _set_classifications(obj, classifications) -> None:
    if classifications is not None and hasattr(obj, "classifications"):
        obj.classifications.set(classifications)


def tender_create(*, actor, data: dict[str, Any], classifications=None) -> Tender:
    """A new draft for the actor's own entity."""
    entity = selectors.official_entity(actor)
    if entity is None:
        raise DomainError(_("Only officials of a procuring entity can draft tenders."))
    fields = _clean_fields(data)
    with transaction.atomic():
        tender = Tender(entity=entity, created_by=actor, **fields)
        errors = _validate_content(tender)
        if errors:
            raise TenderValidationError(errors)
        tender.save()
        _set_classifications(tender, classifications)
        audit_record(actor=actor, action="tender.create", obj=tender, data={"title": tender.title})
    return tender


def tender_update_draft(*, tender: Tender, actor, data: dict[str, Any], classifications=None) -> Tender:
    """Edit a draft. Published tenders change only through tender_amend."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        if tender.status != Tender.Status.DRAFT:
            raise DomainError(_("Only a draft can be edited; a published tender changes through an amendment."))
        fields = _clean_fields(data)
        for name, value in fields.items():
            setattr(tender, name, value)
        errors = _validate_content(tender)
        if errors:
            raise TenderValidationError(errors)
        tender.save()
        _set_classifications(tender, classifications)
        audit_record(actor=actor, action="tender.update", obj=tender, data={"fields": sorted(fields)})
    return tender


def _document_build(*, tender: Tender, actor, file, title: str, kind: str, amendment_number: int) -> TenderDocument:
    """Check what the file really is, hash it and store it; the caller saves the row in its transaction.

    Storage happens before (outside) the transaction: it is slow I/O, and an orphan file is harmless.
    """
    content_type = validate_upload(file)
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    original_name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:255]
    document = TenderDocument(
        tender=tender,
        kind=kind,
        title=(title or "").strip()[:200] or original_name[:200],
        original_name=original_name,
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        amendment_number=amendment_number,
        uploaded_by=actor,
    )
    document.file.save(original_name, file, save=False)
    return document


def tender_document_add(*, tender: Tender, actor, file, title: str, kind: str) -> TenderDocument:
    """Attach a document to a draft (published tenders get documents through tender_amend)."""
    document = _document_build(tender=tender, actor=actor, file=file, title=title, kind=kind, amendment_number=0)
    with transaction.atomic():
        locked = selectors.tender_for_update(tender.pk)
        _require_entity_official(locked, actor)
        if locked.status != Tender.Status.DRAFT:
            raise DomainError(_("Documents of a published tender change only through an amendment."))
        document.save()
        audit_record(
            actor=actor,
            action="tender.document_add",
            obj=locked,
            data={"document": document.pk, "name": document.original_name, "sha256": document.sha256},
        )
    return document


def tender_document_remove(*, document: TenderDocument, actor) -> None:
    with transaction.atomic():
        tender = selectors.tender_for_update(document.tender_id)
        if tender.status != Tender.Status.DRAFT:
            raise DomainError(_("Documents of a published tender cannot be removed."))
        audit_record(
            actor=actor,
            action="tender.document_remove",
            obj=tender,
            data={"document": document.pk, "name": document.original_name},
        )
        document.delete()
    transaction.on_commit(lambda: document.file.delete(save=False))


def tender_invitations_set(*, tender: Tender, actor, suppliers) -> None:
    """Who is invited to a restricted or limited tender (before publication; more may be added later)."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        if not method_policy(tender.method).invitation_only:
            raise DomainError(_("Only restricted and limited tenders have invitations."))
        wanted = {s.pk: s for s in suppliers}
        current = set(tender.invitations.values_list("supplier_id", flat=True))
        if tender.status != Tender.Status.DRAFT and current - set(wanted):
            raise DomainError(_("After publication suppliers can be invited, not uninvited."))
        tender.invitations.exclude(supplier_id__in=wanted).delete()
        added = [s for pk, s in wanted.items() if pk not in current]
        Invitation.objects.bulk_create([Invitation(tender=tender, supplier=s, invited_by=actor) for s in added])
        audit_record(
            actor=actor,
            action="tender.invitations_set",
            obj=tender,
            data={"suppliers": sorted(wanted), "added": sorted(s.pk for s in added)},
        )
        if added and tender.status == Tender.Status.PUBLISHED:
            notify(
                event="tender.published",
                recipients=selectors.supplier_members(added),
                template="tender_published",
                context={"tender": tender, "restricted": True},
                link=_tender_link(tender),
            )


# --- publication ---------------------------------------------------------------------------------


def tender_validate_for_publication(tender: Tender, *, now: datetime) -> None:
    """Everything that must hold at publication, every problem next to its field."""
    errors = _validate_content(tender)
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


def _utc_iso(moment: datetime | None) -> str | None:
    # In UTC, so that the same instant always gives the same text (forms hand in local times).
    return moment.astimezone(UTC).isoformat() if moment else None


def tender_snapshot(tender: Tender) -> dict[str, Any]:
    """Every public field as it stands, JSON-ready: what a TenderVersion keeps."""
    return {
        "reference": tender.reference,
        "entity": tender.entity.code,
        "title": tender.title,
        "description": tender.description,
        "method": tender.method,
        "method_justification": tender.method_justification,
        "category": tender.category,
        "classifications": selectors.classification_codes(tender),
        "estimated_value": str(tender.estimated_value),
        "currency": tender.currency,
        "delivery_place": tender.delivery_place,
        "delivery_period": tender.delivery_period,
        "eligibility": tender.eligibility,
        "evaluation_method": tender.evaluation_method,
        "evaluation_params": tender.evaluation_params,
        "clarification_deadline": _utc_iso(tender.clarification_deadline),
        "submission_deadline": _utc_iso(tender.submission_deadline),
        "opening_at": _utc_iso(tender.opening_at),
        "documents": [
            {"title": d.title, "kind": d.kind, "original_name": d.original_name, "sha256": d.sha256}
            for d in tender.documents.order_by("uploaded_at", "id")
        ],
    }


def _publish(tender: Tender, *, actor, approved_by=None) -> Tender:
    """The publication itself; the caller holds the row lock and has checked who may publish."""
    now = timezone.now()
    check_transition(tender, Tender.Status.PUBLISHED, Tender.TRANSITIONS)
    tender_validate_for_publication(tender, now=now)
    tender.reference = _allocate_reference(now)
    tender.ocid = f"{settings.OCDS_PREFIX}-{tender.reference}"
    tender.public_key, tender.wrapped_private_key = keypair_generate()
    tender.status = Tender.Status.PUBLISHED
    tender.status_changed_at = now
    tender.published_at = now
    tender.approved_by = approved_by
    tender.version = 0
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
        link=_tender_link(tender),
    )
    signals.tender_published.send(sender=Tender, tender=tender, actor=actor)
    return tender


def _require_entity_official(tender: Tender, actor) -> None:
    entity = selectors.official_entity(actor)
    if entity is None or entity.pk != tender.entity_id:
        raise DomainError(_("Only officials of %(entity)s can do this.") % {"entity": tender.entity.name})


def tender_publish(*, tender: Tender, actor) -> Tender:
    """Publish a draft directly (entities that do not require a second official's approval)."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_entity_official(tender, actor)
        if tender.status != Tender.Status.DRAFT:
            # Direct publication starts from a draft; a pending tender is published by tender_approve.
            check_transition(tender, Tender.Status.PUBLISHED, {})
        if tender.entity.requires_second_approval:
            raise DomainError(
                _("%(entity)s requires a second official to approve each publication: submit it for approval.")
                % {"entity": tender.entity.name},
                code="approval_required",
            )
        return _publish(tender, actor=actor)


def tender_submit_for_approval(*, tender: Tender, actor) -> Tender:
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_entity_official(tender, actor)
        check_transition(tender, Tender.Status.PENDING_APPROVAL, Tender.TRANSITIONS)
        # Checked now too, so an approver is never asked to approve what cannot be published.
        tender_validate_for_publication(tender, now=timezone.now())
        tender.status = Tender.Status.PENDING_APPROVAL
        tender.status_changed_at = timezone.now()
        tender.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, action="tender.submit_for_approval", obj=tender)
        notify(
            event="tender.approval_requested",
            recipients=selectors.tender_entity_officials(tender, approvers_only=True).exclude(pk=actor.pk),
            template="tender_approval_requested",
            context={"tender": tender, "drafter": actor},
            link=_tender_link(tender),
        )
    return tender


def _require_approver(tender: Tender, actor) -> None:
    _require_entity_official(tender, actor)
    if not actor.official.can_approve:
        raise DomainError(_("You are not authorised to approve publications."), code="not_approver")
    if actor.pk == tender.created_by_id:
        raise DomainError(_("A second official must approve: you drafted this tender."), code="same_official")


def tender_approve(*, tender: Tender, actor) -> Tender:
    """A second official approves a pending tender, which publishes it."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_approver(tender, actor)
        # Approval publishes only what was submitted for it; a draft goes through submission first.
        check_transition(tender, Tender.Status.PUBLISHED, {Tender.Status.PENDING_APPROVAL: {Tender.Status.PUBLISHED}})
        return _publish(tender, actor=actor, approved_by=actor)


def tender_return_to_draft(*, tender: Tender, actor, reason: str) -> Tender:
    """The approver sends a pending tender back to its drafter with a reason (or the drafter withdraws it)."""
    reason = reason.strip()
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_entity_official(tender, actor)
        if actor.pk != tender.created_by_id:
            _require_approver(tender, actor)
        check_transition(tender, Tender.Status.DRAFT, Tender.TRANSITIONS)
        tender.status = Tender.Status.DRAFT
        tender.status_changed_at = timezone.now()
        tender.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, action="tender.return_to_draft", obj=tender, data={"reason": reason})
        if actor.pk != tender.created_by_id:
            notify(
                event="tender.returned",
                recipients=[tender.created_by],
                template="tender_returned",
                context={"tender": tender, "reason": reason, "approver": actor},
                link=_tender_link(tender),
            )
    return tender


# --- amendments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendmentResult:
    tender: Tender
    version: TenderVersion
    changed_fields: list[str]


def tender_amend(
    *,
    tender: Tender,
    actor,
    reason: str,
    data: dict[str, Any],
    classifications=None,
    new_document=None,
    new_document_title: str = "",
    new_document_kind: str = TenderDocument.Kind.SPECIFICATION,
) -> AmendmentResult:
    """Change a published tender as a numbered amendment (addendum).

    Takes FOR UPDATE on the tender (tender_for_update), so it waits for bid submissions in flight.
    A change less than AMENDMENT_EXTENSION_DAYS before the submission deadline must move the
    deadline so that at least that many days remain.
    """
    reason = reason.strip()
    if not reason:
        raise TenderValidationError({"reason": _("Explain what the amendment changes and why.")})
    not_amendable = sorted(set(data) & NOT_AMENDABLE)
    fields = _clean_fields({k: v for k, v in data.items() if k in AMENDABLE_FIELDS})
    document = None
    if new_document is not None:
        try:
            document = _document_build(
                tender=tender,
                actor=actor,
                file=new_document,
                title=new_document_title,
                kind=new_document_kind,
                amendment_number=0,  # set below, once the amendment number is known under the lock
            )
        except ValidationError as exc:
            raise TenderValidationError({"new_document": exc.messages[0]}) from exc
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_entity_official(tender, actor)
        now = timezone.now()
        if tender.status != Tender.Status.PUBLISHED:
            raise DomainError(_("Only a tender open for bids can be amended."), code="not_amendable")
        if tender.submission_deadline <= now:
            raise DomainError(_("The submission deadline has passed: the tender can no longer be amended."))
        if any(data.get(f) not in (None, getattr(tender, f)) for f in not_amendable):
            raise TenderValidationError(
                {not_amendable[0]: _("This cannot change after publication: cancel and re-tender instead.")}
            )
        before = tender_snapshot(tender)
        for name, value in fields.items():
            setattr(tender, name, value)
        errors = _validate_content(tender)
        moved = tuple(f for f in TIMELINE_FIELDS if before[f] != _utc_iso(getattr(tender, f)))
        errors.update(
            timeline_errors(
                method=tender.method,
                category=tender.category,
                clarification_deadline=tender.clarification_deadline,
                submission_deadline=tender.submission_deadline,
                opening_at=tender.opening_at,
                now=now,
                period_start=tender.published_at,
                future_fields=moved,
            )
        )
        earliest = amendment_min_deadline(now=now)
        if "submission_deadline" not in errors and tender.submission_deadline < earliest:
            errors["submission_deadline"] = _(
                "An amendment must leave bidders at least %(days)s days: move the submission deadline to "
                "%(earliest)s or later."
            ) % {"days": settings.AMENDMENT_EXTENSION_DAYS, "earliest": format_local(earliest)}
        if errors:
            raise TenderValidationError(errors)
        tender.version += 1
        tender.next_check = tender.submission_deadline
        tender.save()
        _set_classifications(tender, classifications)
        if document is not None:
            document.amendment_number = tender.version
            document.save()
        after = tender_snapshot(tender)
        changed = [f for f in after if before.get(f) != after.get(f)]
        if not changed:
            raise DomainError(_("Nothing was changed, so there is nothing to amend."), code="no_changes")
        version = TenderVersion.objects.create(
            tender=tender, amendment_number=tender.version, reason=reason, snapshot=after, created_by=actor
        )
        audit_record(
            actor=actor,
            action="tender.amend",
            obj=tender,
            data={"amendment": tender.version, "changed": changed, "reason": reason},
        )
        notify(
            event="tender.amended",
            recipients=selectors.tender_interested_users(tender),
            template="tender_amended",
            context={
                "tender": tender,
                "version": version,
                "changed_labels": [str(selectors.SNAPSHOT_LABELS.get(f, f)) for f in changed],
                "deadline_extended": "submission_deadline" in changed,
            },
            link=reverse("tenders:versions", args=[tender.pk]),
        )
        signals.tender_amended.send(sender=Tender, tender=tender, version=version, changed_fields=changed, actor=actor)
    return AmendmentResult(tender=tender, version=version, changed_fields=changed)


# --- cancellation, unsuccessful, re-tender, other apps' transitions ------------------------------


def tender_cancel(*, tender: Tender, actor, reason: str) -> Tender:
    """Cancel with a public reason (draft, published or closed). Bids already sealed stay sealed."""
    reason = reason.strip()
    if not reason:
        raise TenderValidationError({"reason": _("Give the public reason for cancelling.")})
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        _require_entity_official(tender, actor)
        was_public = tender.is_public
        check_transition(tender, Tender.Status.CANCELLED, Tender.TRANSITIONS)
        tender.status = Tender.Status.CANCELLED
        tender.status_changed_at = timezone.now()
        tender.cancellation_reason = reason
        tender.next_check = None
        tender.save()
        audit_record(actor=actor, action="tender.cancel", obj=tender, data={"reason": reason})
        if was_public:
            notify(
                event="tender.cancelled",
                recipients=selectors.tender_interested_users(tender),
                template="tender_cancelled",
                context={"tender": tender, "reason": reason},
                link=_tender_link(tender),
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
            _require_entity_official(tender, actor)
        check_transition(tender, Tender.Status.UNSUCCESSFUL, Tender.TRANSITIONS)
        tender.status = Tender.Status.UNSUCCESSFUL
        tender.status_changed_at = timezone.now()
        tender.unsuccessful_reason = reason
        tender.next_check = None
        tender.save()
        audit_record(actor=actor, action="tender.mark_unsuccessful", obj=tender, data={"reason": reason})
        notify(
            event="tender.unsuccessful",
            recipients=selectors.tender_interested_users(tender),
            template="tender_unsuccessful",
            context={"tender": tender, "reason": reason},
            link=_tender_link(tender),
        )
        signals.tender_unsuccessful.send(sender=Tender, tender=tender, actor=actor, reason=reason)
    return tender


RETENDERABLE = frozenset({Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL})


def tender_retender(*, tender: Tender, actor) -> Tender:
    """Copy an unsuccessful or cancelled tender into a new draft (timeline left for the official to set)."""
    with transaction.atomic():
        old = selectors.tender_for_update(tender.pk)
        _require_entity_official(old, actor)
        if old.status not in RETENDERABLE:
            raise DomainError(
                _("Only an unsuccessful or cancelled tender can be re-tendered."), code="not_retenderable"
            )
        copy = Tender.objects.create(
            entity=old.entity,
            created_by=actor,
            retendered_from=old,
            **{f: getattr(old, f) for f in EDITABLE_FIELDS if f not in TIMELINE_FIELDS},
        )
        if selectors.has_classifications():
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
            clone.file.save(document.original_name, content, save=False)
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
        locked.status = to
        locked.status_changed_at = timezone.now()
        fields = ["status", "status_changed_at", "updated_at"]
        if next_check is not _UNSET:
            locked.next_check = next_check
            fields.append("next_check")
        elif to in Tender.TERMINAL_STATUSES:
            locked.next_check = None
            fields.append("next_check")
        locked.save(update_fields=fields)
        audit_record(actor=actor, action=f"tender.{to}", obj=locked, data=data or {})
    return locked


# --- clarifications ------------------------------------------------------------------------------


def clarification_ask(*, tender: Tender, actor, question: str) -> Clarification:
    """A supplier's member asks, until the clarification deadline; officials are told (not who asked)."""
    question = question.strip()
    if not question:
        raise TenderValidationError({"question": _("Write your question.")})
    supplier = selectors.supplier_of(actor)
    if supplier is None:
        raise DomainError(_("Only members of a registered company can ask questions."))
    with transaction.atomic():
        # No lock: a question changes nothing on the tender.
        tender = Tender.objects.select_related("entity").get(pk=tender.pk)
        if not tender.clarifications_open:
            raise DomainError(_("Questions are closed for this tender."), code="clarifications_closed")
        clarification = Clarification.objects.create(
            tender=tender, question=question[:5000], asked_by=actor, supplier=supplier
        )
        audit_record(actor=actor, action="tender.clarification_ask", obj=clarification, data={"tender": tender.pk})
        notify(
            event="tender.question",
            recipients=selectors.tender_entity_officials(tender),
            template="tender_question",
            context={"tender": tender, "clarification": clarification},
            link=_tender_link(tender),
        )
    return clarification


def clarification_answer(*, clarification: Clarification, actor, answer: str) -> Clarification:
    """The entity answers publicly; the asker and the tender's followers are told."""
    answer = answer.strip()
    if not answer:
        raise TenderValidationError({"answer": _("Write the answer.")})
    with transaction.atomic():
        clarification = (
            Clarification.objects.select_for_update().select_related("tender", "asked_by").get(pk=clarification.pk)
        )
        tender = clarification.tender
        _require_entity_official(tender, actor)
        if tender.status in Tender.TERMINAL_STATUSES:
            raise DomainError(_("This tender has ended; its questions can no longer be answered."))
        first_answer = clarification.answered_at is None
        clarification.answer = answer[:10000]
        clarification.answered_by = actor
        clarification.answered_at = timezone.now()
        clarification.save()
        audit_record(
            actor=actor,
            action="tender.clarification_answer",
            obj=clarification,
            data={"tender": tender.pk, "revised": not first_answer},
        )
        recipients = {u.pk: u for u in selectors.tender_interested_users(tender)}
        recipients[clarification.asked_by_id] = clarification.asked_by
        notify(
            event="tender.answered",
            recipients=recipients.values(),
            template="tender_answered",
            context={"tender": tender, "clarification": clarification},
            link=_tender_link(tender) + f"#q{clarification.pk}",
        )
    return clarification


# --- following and alerts ------------------------------------------------------------------------


def tender_follow(*, tender: Tender, user, follow: bool = True) -> bool:
    """Follow or unfollow a public tender. Returns whether the user now follows it."""
    if not tender.is_public:
        raise DomainError(_("This tender cannot be followed."))
    if follow:
        TenderFollow.objects.get_or_create(tender=tender, user=user)
    else:
        TenderFollow.objects.filter(tender=tender, user=user).delete()
    return follow


def subscription_update(*, supplier, actor, classifications, entities, is_active: bool = True) -> Subscription:
    """A company's alerts: new tenders in these classifications or from these entities."""
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(supplier=supplier)
        subscription.is_active = is_active
        subscription.save()
        _set_classifications(subscription, classifications)
        subscription.entities.set(entities)
        audit_record(
            actor=actor,
            action="tender.subscription_update",
            obj=subscription,
            data={
                "classifications": sorted(c.code for c in classifications),
                "entities": sorted(e.code for e in entities),
                "active": is_active,
            },
        )
    return subscription
