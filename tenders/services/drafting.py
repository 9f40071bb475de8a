"""Drafts: create, edit, documents, invitations."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden
from procurement.notifications import notify
from procurement.storage import stored_files

from .. import selectors
from ..models import Invitation, Tender, TenderDocument
from ..policies import method_policy
from .common import (
    TenderValidationError,
    clean_fields,
    document_build,
    require_entity_official,
    set_classifications,
    tender_link,
    validate_content,
)
from .custodians import tender_custodians_default


def tender_create(*, actor, data: dict[str, Any], classifications=None, system: bool = False) -> Tender:
    """A new draft for the actor's own entity (`system`: made by another app's service for a method
    officials do not choose, e.g. a catalogue second-stage competition)."""
    entity = selectors.official_entity(actor)
    if entity is None:
        raise Forbidden(_("Only officials of a procuring entity can draft tenders."))
    fields = clean_fields(data)
    if "method" in fields and not method_policy(fields["method"]).chosen_by_officials and not system:
        raise Conflict(_("This procurement method is started by the portal, not chosen on a tender."))
    with transaction.atomic():
        tender = Tender(entity=entity, created_by=actor, **fields)
        errors = validate_content(tender)
        if errors:
            raise TenderValidationError(errors)
        tender.save()
        set_classifications(tender, classifications)
        tender_custodians_default(tender=tender)
        audit_record(actor=actor, action="tender.create", obj=tender, data={"title": tender.title})
    return tender


def tender_update_draft(*, tender: Tender, actor, data: dict[str, Any], classifications=None) -> Tender:
    """Edit a draft. Published tenders change only through tender_amend."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        if tender.status != Tender.Status.DRAFT:
            raise Conflict(_("Only a draft can be edited; a published tender changes through an amendment."))
        fields = clean_fields(data)
        if fields.get("method", tender.method) != tender.method and not (
            method_policy(tender.method).chosen_by_officials and method_policy(fields["method"]).chosen_by_officials
        ):
            raise Conflict(_("The procurement method of this tender is set by the portal and cannot be changed."))
        before = {name: getattr(tender, name) for name in fields}
        for name, value in fields.items():
            setattr(tender, name, value)
        errors = validate_content(tender)
        if errors:
            raise TenderValidationError(errors)
        tender.save()
        set_classifications(tender, classifications)
        audit_record(
            actor=actor,
            action="tender.update",
            obj=tender,
            data={"fields": sorted(fields)},
            before={name: value for name, value in before.items() if value != getattr(tender, name)},
        )
    return tender


def tender_document_add(*, tender: Tender, actor, file, title: str, kind: str) -> TenderDocument:
    """Attach a document to a draft (published tenders get documents through tender_amend)."""
    _document_add_check(tender, actor)  # before storing anything: a refusal leaves no file behind
    with stored_files() as files:
        document = document_build(
            tender=tender, actor=actor, file=file, title=title, kind=kind, amendment_number=0, files=files
        )
        with transaction.atomic():
            locked = selectors.tender_for_update(tender.pk)
            _document_add_check(locked, actor)
            document.save()
            audit_record(
                actor=actor,
                action="tender.document_add",
                obj=locked,
                data={"document": document.pk, "name": document.original_name, "sha256": document.sha256},
            )
    return document


def _document_add_check(tender: Tender, actor) -> None:
    require_entity_official(tender, actor)
    if tender.status != Tender.Status.DRAFT:
        raise Conflict(_("Documents of a published tender change only through an amendment."))


def tender_document_remove(*, document: TenderDocument, actor) -> None:
    with transaction.atomic():
        tender = selectors.tender_for_update(document.tender_id)
        if tender.status != Tender.Status.DRAFT:
            raise Conflict(_("Documents of a published tender cannot be removed."))
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
            raise Conflict(_("Only restricted and limited tenders have invitations."))
        if method_policy(tender.method).invitations_from_framework:
            raise Conflict(_("Every supplier under the framework agreement is invited; the list cannot be changed."))
        wanted = {s.pk: s for s in suppliers}
        current = set(tender.invitations.values_list("supplier_id", flat=True))
        if tender.status != Tender.Status.DRAFT and current - set(wanted):
            raise Conflict(_("After publication suppliers can be invited, not uninvited."))
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
                link=tender_link(tender),
            )
