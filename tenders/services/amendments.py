"""Amendments (addenda) of a published tender, each a numbered version."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Invalid
from procurement.notifications import notify
from procurement.storage import StoredFiles, stored_files

from .. import selectors, signals
from ..models import Tender, TenderDocument, TenderVersion
from ..timeline import TIMELINE_FIELDS, amendment_min_deadline, format_local, timeline_errors
from .common import (
    AMENDABLE_FIELDS,
    NOT_AMENDABLE,
    TenderValidationError,
    clean_fields,
    document_build,
    require_entity_official,
    set_classifications,
    tender_snapshot,
    utc_iso,
    validate_content,
)
from .custodians import SealedReserve, reserve_set_store, uses_reserve_prices


def _reserve_inputs(snapshot: dict) -> tuple:
    params = snapshot.get("evaluation_params") or {}
    return (
        Decimal(snapshot["estimated_value"]),
        Decimal(str(params.get("reserve_range_pct", 0))),
        int(params.get("reserve_count") or 0),
    )


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
    reserve_prices: SealedReserve | None = None,
) -> AmendmentResult:
    """Change a published tender as a numbered amendment (addendum).

    Takes FOR UPDATE on the tender (tender_for_update), so it waits for bid submissions in flight.
    A change less than AMENDMENT_EXTENSION_DAYS before the submission deadline must move the
    deadline so that at least that many days remain. A refused amendment leaves no stored document.
    A change of what the reserve prices are drawn from (base price, range, count) needs a new draw,
    sealed in the official's browser to the tender's public key (`reserve_prices`), stored as this
    amendment's set.
    """
    with stored_files() as files:
        return _tender_amend(
            tender=tender,
            actor=actor,
            reason=reason,
            data=data,
            classifications=classifications,
            new_document=new_document,
            new_document_title=new_document_title,
            new_document_kind=new_document_kind,
            reserve_prices=reserve_prices,
            files=files,
        )


def _tender_amend(
    *,
    tender: Tender,
    actor,
    reason: str,
    data: dict[str, Any],
    classifications,
    new_document,
    new_document_title: str,
    new_document_kind: str,
    reserve_prices: SealedReserve | None,
    files: StoredFiles,
) -> AmendmentResult:
    reason = reason.strip()
    if not reason:
        raise TenderValidationError({"reason": _("Explain what the amendment changes and why.")})
    not_amendable = sorted(set(data) & NOT_AMENDABLE)
    fields = clean_fields({k: v for k, v in data.items() if k in AMENDABLE_FIELDS})
    document = None
    if new_document is not None:
        try:
            document = document_build(
                tender=tender,
                actor=actor,
                file=new_document,
                title=new_document_title,
                kind=new_document_kind,
                amendment_number=0,  # set below, once the amendment number is known under the lock
                files=files,
            )
        except ValidationError as exc:
            raise TenderValidationError({"new_document": exc.messages[0]}) from exc
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        now = timezone.now()
        if tender.status != Tender.Status.PUBLISHED:
            raise Conflict(_("Only a tender open for bids can be amended."), code="not_amendable")
        if tender.submission_deadline <= now:
            raise Conflict(_("The submission deadline has passed: the tender can no longer be amended."))
        if any(data.get(f) not in (None, getattr(tender, f)) for f in not_amendable):
            raise TenderValidationError(
                {not_amendable[0]: _("This cannot change after publication: cancel and re-tender instead.")}
            )
        before = tender_snapshot(tender)
        for name, value in fields.items():
            setattr(tender, name, value)
        errors = validate_content(tender)
        moved = tuple(f for f in TIMELINE_FIELDS if before[f] != utc_iso(getattr(tender, f)))
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
        set_classifications(tender, classifications)
        if document is not None:
            document.amendment_number = tender.version
            document.save()
        after = tender_snapshot(tender)
        changed = [f for f in after if before.get(f) != after.get(f)]
        if not changed:
            raise Invalid(_("Nothing was changed, so there is nothing to amend."), code="no_changes")
        redraw = uses_reserve_prices(tender) and _reserve_inputs(before) != _reserve_inputs(after)
        if redraw and reserve_prices is None:
            raise Invalid(
                _("The base price or the reserve-price range changed: the reserve prices must be drawn again."),
                field="reserve_prices",
            )
        if reserve_prices is not None and not redraw:
            raise Invalid(_("The reserve prices are redrawn only when their base changes."), field="reserve_prices")
        if redraw:
            reserve_set_store(tender=tender, reserve=reserve_prices, actor=actor)
        version = TenderVersion.objects.create(
            tender=tender, amendment_number=tender.version, reason=reason, snapshot=after, created_by=actor
        )
        audit_record(
            actor=actor,
            action="tender.amend",
            obj=tender,
            data={
                "amendment": tender.version,
                "changed": changed,
                "changes": {f: {"from": before.get(f), "to": after.get(f)} for f in changed},
                "reason": reason,
            },
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
