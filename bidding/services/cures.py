"""Defect cures (보완 요청, Prozorro's 24-hour rule): a bidder may supply a missing or defective
formal document within a window instead of being disqualified for it.

- `cure_request`: an official of the tender's entity asks for one document of a curable kind
  (CureRequest.Kind; price and technical proposal contents are never curable). The window is
  CURE_WINDOW (default 24 hours) from the request, by the database clock.
- `cure_submit`: a member of the bidding company uploads the document. The database clock decides:
  `clock_timestamp() < due_at` is checked under the request's lock, so an upload one second late is
  refused whether or not the worker has marked the request lapsed.
- `cure_requests_lapse_due`: the beat sweep marks overdue requests lapsed (and tells both sides).
  Only then may the bid be disqualified for it: the qualification review (contracts) and the
  compliance review (envelopes) refuse to fail a bid while a request on it is open.

Cure documents are stored in the clear: they arrive after opening, when the bid's documents are
open to the entity anyway, and they carry no price (docs/sealing.md, "Defect cures").
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.states import check_transition
from procurement.storage import stored_files
from procurement.uploads import validate_upload
from suppliers.selectors import membership_for_user
from tenders.selectors import tender_entity_officials, tender_for_update
from tenders.services.common import require_entity_official

from .. import selectors
from ..models import Bid, CureRequest

# Bids still in evaluation: opened (or qualified, the qualification review may look again).
CURABLE_BID_STATUSES = frozenset({Bid.Status.OPENED, Bid.Status.QUALIFIED})
MAX_WINDOW = timedelta(days=14)


class CureWindowClosed(Conflict):
    code = "cure_window_closed"


def _db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def cure_request(*, bid: Bid, actor, kind: str, defect: str, window: timedelta | None = None) -> CureRequest:
    """Ask the bidder for a missing or defective document of a curable kind."""
    if kind in CureRequest.NEVER_CURABLE:
        raise Invalid(_("Price and technical proposal contents can never be corrected after opening."), field="kind")
    if kind not in CureRequest.Kind.values:
        raise Invalid(_("This kind of document cannot be requested as a correction."), field="kind")
    defect = (defect or "").strip()
    if not defect:
        raise Invalid(_("Say what is missing or defective; the bidder will read it."), field="defect")
    window = window or settings.CURE_WINDOW
    if not timedelta(0) < window <= MAX_WINDOW:
        raise Invalid(_("The correction window must be between a minute and 14 days."), field="window")
    with transaction.atomic():
        tender = tender_for_update(bid.tender_id)
        require_entity_official(tender, actor)
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        if bid.status not in CURABLE_BID_STATUSES:
            raise Conflict(
                _("Corrections can only be requested for bids still being evaluated."), code="not_evaluating"
            )
        if CureRequest.objects.filter(bid=bid, kind=kind, status=CureRequest.Status.OPEN).exists():
            raise Conflict(_("A correction of this document is already requested."), code="already_requested")
        now = _db_now()
        request = CureRequest.objects.create(
            bid=bid, tender=tender, kind=kind, defect=defect, requested_by=actor, requested_at=now, due_at=now + window
        )
        notify(
            event="bid.cure_requested",
            recipients=selectors.bid_supplier_members(bid),
            template="cure_requested",
            context={"tender": tender, "request": request},
            link=request.get_absolute_url(),
        )
        audit_record(
            actor=actor,
            action="bid.cure_request",
            obj=bid,
            data={"tender": tender.pk, "kind": kind, "defect": defect, "due_at": request.due_at.isoformat()},
        )
    return request


def cure_submit(*, request: CureRequest, actor, file) -> CureRequest:
    """Supply the requested document, before the window ends by the database clock."""
    membership = membership_for_user(actor)
    if membership is None or membership.supplier_id != request.bid.supplier_id or not membership.may_bid:
        raise Forbidden(
            _("Only your company's administrators and bidders can supply this document."), code="not_member"
        )
    content_type = validate_upload(file)
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:255]
    # The file is stored before the transaction (slow I/O) and deleted again if it does not commit.
    with stored_files() as files:
        stored_name = files.save(request.file, name, file)
        with transaction.atomic():
            # FOR UPDATE: the lapse sweep and a second upload wait for this one, and it for them.
            locked = CureRequest.objects.select_for_update().select_related("tender").get(pk=request.pk)
            if locked.status != CureRequest.Status.OPEN:
                raise CureWindowClosed(
                    _("This correction request is closed: %(status)s.") % {"status": locked.get_status_display()}
                )
            now = _db_now()
            if now >= locked.due_at:
                raise CureWindowClosed(_("The correction window ended; the document was not accepted."))
            check_transition(locked, CureRequest.Status.CURED, CureRequest.TRANSITIONS)
            locked.file = stored_name
            locked.status = CureRequest.Status.CURED
            locked.closed_at = now
            locked.cured_by = actor
            locked.original_name = name
            locked.content_type = content_type
            locked.size = file.size
            locked.sha256 = digest.hexdigest()
            locked.save()
            notify(
                event="bid.cure_supplied",
                recipients=tender_entity_officials(locked.tender),
                template="cure_closed",
                context={"tender": locked.tender, "request": locked},
                link=reverse("bidding:cure", args=[locked.pk]),
            )
            audit_record(
                actor=actor,
                action="bid.cure_submit",
                obj=locked.bid,
                data={"tender": locked.tender_id, "kind": locked.kind, "sha256": locked.sha256, "size": locked.size},
            )
    return locked


def cure_lapse(*, request_id: int) -> bool:
    """Mark one request lapsed if its window is over by the database clock. True when it did now."""
    with transaction.atomic():
        locked = CureRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id).select_related("tender")
        request = locked.first()
        if request is None or request.status != CureRequest.Status.OPEN or _db_now() < request.due_at:
            return False
        request.status = CureRequest.Status.LAPSED
        request.closed_at = _db_now()
        request.save(update_fields=["status", "closed_at"])
        notify(
            event="bid.cure_lapsed",
            recipients=[*selectors.bid_supplier_members(request.bid), *tender_entity_officials(request.tender)],
            template="cure_closed",
            context={"tender": request.tender, "request": request},
            link=reverse("bidding:cure", args=[request.pk]),
        )
        audit_record(
            actor=None,
            action="bid.cure_lapse",
            obj=request.bid,
            data={"tender": request.tender_id, "kind": request.kind, "due_at": request.due_at.isoformat()},
        )
    return True


def cure_requests_lapse_due(*, limit: int = 100) -> list[int]:
    """What the beat sweep does: lapse every open request whose window is over. Ids lapsed now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM bidding_curerequest WHERE status = 'open' AND due_at <= clock_timestamp()"
            " ORDER BY due_at LIMIT %s",
            [limit],
        )
        due = [row[0] for row in cursor.fetchall()]
    return [pk for pk in due if cure_lapse(request_id=pk)]
