"""Pieces every tender service shares: editable fields, content rules, snapshots, guards."""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.errors import Forbidden, Invalid
from procurement.storage import StoredFiles
from procurement.uploads import validate_upload

from .. import selectors
from ..models import BidSecurityKind, Tender, TenderDocument
from ..policies import evaluation_policy, method_policy
from ..sanitise import sanitise_html

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
    "envelopes",
    "clarification_deadline",
    "submission_deadline",
    "opening_at",
    "consortium_allowed",
    "bid_security_kind",
    "bid_security_value",
)
# Changing these after publication would change who may bid or how bids are compared (and the
# reserve prices bidding sealed for them): cancel and re-tender instead.
NOT_AMENDABLE = frozenset(
    {"method", "category", "evaluation_method", "currency", "envelopes", "consortium_allowed"}
)
AMENDABLE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in NOT_AMENDABLE)


class TenderValidationError(Invalid):
    """Several problems, each tied to a field; `errors` maps field name → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field, code="invalid")


def tender_link(tender: Tender) -> str:
    return reverse("tenders:detail", args=[tender.pk])


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise what forms and the API hand in: sanitised HTML, complete evaluation parameters."""
    cleaned = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if "description" in cleaned:
        cleaned["description"] = sanitise_html(cleaned["description"])
    if "title" in cleaned:
        cleaned["title"] = " ".join(str(cleaned["title"]).split())
    return cleaned


def validate_content(tender: Tender) -> dict[str, str]:
    """Rules on a tender's content (not its timeline), keyed by field."""
    errors: dict[str, str] = {}
    if not tender.title.strip():
        errors["title"] = _("Give the tender a title.")
    if tender.estimated_value is None or tender.estimated_value <= Decimal(0):
        errors["estimated_value"] = _("The estimated value must be more than zero.")
    errors.update(bid_security_errors(tender))
    if method_policy(tender.method).needs_justification and not tender.method_justification.strip():
        errors["method_justification"] = _("A limited (direct) procurement needs a written justification.")
    if tender.envelopes not in evaluation_policy(tender.evaluation_method).envelope_options:
        errors["envelopes"] = _("This evaluation method cannot be used with %(n)s envelopes.") % {"n": tender.envelopes}
    try:
        tender.evaluation_params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    except ValidationError as exc:
        for param, messages in exc.message_dict.items():
            errors.setdefault(f"evaluation_params.{param}", messages[0])
    return errors


def bid_security_errors(tender: Tender) -> dict[str, str]:
    """A required security names a rate in (0, 100] % or a positive amount; none names nothing."""
    kind, value = tender.bid_security_kind, tender.bid_security_value
    if kind == BidSecurityKind.NONE:
        tender.bid_security_value = None
        return {}
    if value is None or value <= 0:
        return {"bid_security_value": _("Give the bid security's rate or amount.")}
    if kind == BidSecurityKind.PERCENT and value > 100:
        return {"bid_security_value": _("A bid security rate is at most 100%.")}
    return {}


def set_classifications(obj, classifications) -> None:
    if classifications is not None:
        obj.classifications.set(classifications)


def document_build(
    *, tender: Tender, actor, file, title: str, kind: str, amendment_number: int, files: StoredFiles
) -> TenderDocument:
    """Check what the file really is, hash it and store it; the caller saves the row in its transaction.

    Storage happens before (outside) the transaction, it is slow I/O; `files` deletes it again if the
    caller's transaction does not commit.
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
    files.save(document.file, original_name, file)
    return document


def utc_iso(moment: datetime | None) -> str | None:
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
        "envelopes": tender.envelopes,
        "clarification_deadline": utc_iso(tender.clarification_deadline),
        "submission_deadline": utc_iso(tender.submission_deadline),
        "opening_at": utc_iso(tender.opening_at),
        "consortium_allowed": tender.consortium_allowed,
        "bid_security_kind": tender.bid_security_kind,
        "bid_security_value": str(tender.bid_security_value) if tender.bid_security_value is not None else None,
        "documents": [
            {"title": d.title, "kind": d.kind, "original_name": d.original_name, "sha256": d.sha256}
            for d in tender.documents.order_by("uploaded_at", "id")
        ],
    }


def require_entity_official(tender: Tender, actor) -> None:
    if not selectors.is_official_of(actor, tender.entity_id):
        raise Forbidden(_("Only officials of %(entity)s can do this.") % {"entity": tender.entity.name})
