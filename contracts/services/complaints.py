"""Complaints during the standstill: a bidder lodges one with grounds and documents; the entity answers.

Upheld → the award is cancelled and the evaluation reopened. Dismissed → the answer with its
reasons goes to the complainant; the award becomes final when the standstill ends.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.models import Bid
from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.notifications import notify
from procurement.states import check_transition
from procurement.storage import StoredFiles, stored_files
from procurement.uploads import validate_upload
from suppliers.selectors import membership_for_user
from tenders.selectors import tender_for_update
from tenders.services.common import require_entity_official

from ..models import Award, Complaint, ComplaintDocument
from .awards import award_cancel_locked
from .common import clean_reason, entity_officials, members_of_supplier

MAX_COMPLAINT_DOCUMENTS = 5


def _document_build(file, *, files: StoredFiles) -> ComplaintDocument:
    """Check the file by its content and store it; the row is saved in the complaint's transaction."""
    try:
        content_type = validate_upload(file)
    except ValidationError as exc:
        raise Invalid(
            f"{getattr(file, 'name', '')}: {exc.messages[0]}", field="documents", code="invalid_upload"
        ) from None
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:200]
    document = ComplaintDocument(
        original_name=name, content_type=content_type, size=file.size, sha256=digest.hexdigest()
    )
    files.save(document.file, name, file)
    return document


def _complainant_bid(*, award: Award, tender_id: int, membership) -> Bid:
    """The complaining company's opened bid, if it may complain now; a domain error otherwise.

    Asked twice: before any document is stored (so a refused complaint writes nothing) and again
    under the award's lock (where the answer is authoritative).
    """
    bid = Bid.objects.filter(tender_id=tender_id, supplier_id=membership.supplier_id, opened__isnull=False).first()
    if bid is None:
        raise Forbidden(_("Only companies whose bid was opened on this tender can complain."))
    if bid.pk == award.bid_id:
        raise Forbidden(_("The winning bidder cannot complain against its own award."), code="winner")
    if award.status != Award.Status.STANDSTILL or timezone.now() >= award.standstill_until:
        raise InvalidTransition(_("Complaints can only be lodged while the standstill period runs."))
    if Complaint.objects.filter(award=award, supplier_id=bid.supplier_id, status=Complaint.Status.OPEN).exists():
        raise Conflict(_("Your company already has an open complaint on this award."), code="open_complaint")
    return bid


def complaint_lodge(*, award: Award, actor, grounds: str, documents=()) -> Complaint:
    """A bidder other than the winner complains against an award while its standstill runs."""
    grounds = clean_reason(grounds, message=_("State the grounds of the complaint."), field="grounds")
    membership = membership_for_user(actor)
    if membership is None or not membership.may_bid:
        raise Forbidden(_("Only the administrators and bidders of a bidding company can lodge a complaint."))
    if len(documents) > MAX_COMPLAINT_DOCUMENTS:
        raise Invalid(_("Attach at most %(n)s documents.") % {"n": MAX_COMPLAINT_DOCUMENTS}, field="documents")
    _complainant_bid(award=Award.objects.get(pk=award.pk), tender_id=award.tender_id, membership=membership)
    with stored_files() as files:
        built = [_document_build(f, files=files) for f in documents]
        with transaction.atomic():
            tender = tender_for_update(award.tender_id)
            award = Award.objects.select_for_update().get(pk=award.pk)
            bid = _complainant_bid(award=award, tender_id=tender.pk, membership=membership)
            complaint = Complaint.objects.create(
                award=award, bid=bid, supplier_id=bid.supplier_id, lodged_by=actor, grounds=grounds
            )
            for document in built:
                document.complaint = complaint
            ComplaintDocument.objects.bulk_create(built)
            audit_record(
                actor=actor,
                action="complaint.lodge",
                obj=complaint,
                before={"status": None},
                data={
                    "tender": tender.pk,
                    "award": award.pk,
                    "supplier": bid.supplier_id,
                    "documents": [{"name": d.original_name, "sha256": d.sha256} for d in built],
                },
            )
            notify(
                event="complaint.lodged",
                recipients=entity_officials(tender),
                template="complaint_lodged",
                context={"tender": tender, "award": award, "complaint": complaint},
                link=reverse("contracts:complaint", args=[complaint.pk]),
            )
    return complaint


def complaint_decide(*, complaint: Complaint, actor, upheld: bool, decision: str) -> Complaint:
    """The entity's answer, with reasons. Upholding cancels the award and reopens the evaluation."""
    decision = clean_reason(decision, message=_("Give the reasons for the answer."), field="decision")
    with transaction.atomic():
        tender = tender_for_update(complaint.award.tender_id)
        require_entity_official(tender, actor)
        award = Award.objects.select_for_update(of=("self",)).select_related("tender").get(pk=complaint.award_id)
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        to = Complaint.Status.UPHELD if upheld else Complaint.Status.DISMISSED
        check_transition(complaint, to, Complaint.TRANSITIONS)
        before = {"status": complaint.status}
        complaint.status = to
        complaint.decision = decision
        complaint.decided_by = actor
        complaint.decided_at = timezone.now()
        complaint.save(update_fields=["status", "decision", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=f"complaint.{to}",
            obj=complaint,
            before=before,
            data={"tender": tender.pk, "award": award.pk, "decision": decision},
        )
        notify(
            event=f"complaint.{to}",
            recipients=members_of_supplier(complaint.supplier_id),
            template="complaint_decided",
            context={"tender": tender, "award": award, "complaint": complaint, "upheld": upheld},
            link=reverse("contracts:complaint", args=[complaint.pk]),
        )
        if upheld:
            award_cancel_locked(
                tender=tender,
                award=award,
                actor=actor,
                reason=_("Complaint upheld: %(decision)s") % {"decision": decision},
            )
    return complaint
