"""Two-envelope tenders: the technical envelopes open first, the price envelopes of compliant bids later.

The stages (docs/architecture.md §6, docs/sealing.md "Two envelopes"), each one transaction that
locks the tender FOR UPDATE first and then the opening record, like the one-envelope opening:

1. `technical_open_locked` (called by bid_open_all at the opening time): the tender key is
   recombined from the custodians' shares — once — and only the technical envelopes (declarations
   and documents) are decrypted. The key is held on the record, unpublished.
2. `technical_assess`: the entity's officials (or evaluators acting through them) find each bid
   compliant or not, with a reason; a bid with an open document correction (cures) cannot be
   found non-compliant until its window is over.
3. `technical_publish`: the results and reasons become public and the complaint window
   (TECHNICAL_COMPLAINT_WINDOW) starts; bidders may complain (`technical_complaint_lodge`), the
   officials answer (`technical_complaint_decide`; upheld: the bid is found compliant).
4. `price_envelopes_open` (the scheduler, at the end of the window by the database clock, with no
   complaint left open): the results become final — non-compliant bids are disqualified — and the
   price envelopes of compliant bids are decrypted and ranked with the same code as a one-envelope
   opening; the others are never decrypted, and the record says so. Exactly once: the record's
   stage is the guard, checked under the tender's lock.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from procurement.audit import audit_record, transparency_request_head
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.notifications import notify
from procurement.states import check_transition
from sealclient.rules import Problem, price_open, technical_open
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.selectors import tender_entity_officials, tender_for_update
from tenders.services.common import require_entity_official

from .. import selectors
from ..content import problem_message
from ..keys import TooEarly, opening_private_key
from ..models import Bid, BidVersion, CureRequest, OpenedBid, OpeningRecord, TechnicalComplaint, TenderClosing
from .opening import _Opened, _progress, _rank_and_finish, _store_opened
from .status import bid_set_status
from .submission import reserve_pick_rules

logger = logging.getLogger(__name__)


class TechnicalNotFinal(Conflict):
    """The price envelopes wait for the technical results to be published and their window to pass."""

    code = "technical_not_final"


def _db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _record_for_update(tender: Tender) -> OpeningRecord:
    # FOR UPDATE on the record, after the tender's lock: stage changes are serialised.
    record = OpeningRecord.objects.select_for_update().filter(tender=tender).first()
    if record is None or (record.stage == OpeningRecord.Stage.COMPLETE and not record.is_two_stage):
        raise Conflict(_("This tender has no technical stage."), code="not_two_envelopes")
    return record


# --- stage 1: the technical envelopes --------------------------------------------------------------


def technical_open_locked(tender: Tender, *, actor) -> OpeningRecord:
    """Decrypt the technical envelope of every bid not withdrawn; the caller (bid_open_all) holds the
    tender's lock and has checked the opening time. Price envelopes stay sealed."""
    closing = TenderClosing.objects.filter(tender=tender).first()
    private_key = opening_private_key(tender)
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).select_related("current_version").order_by("pk")
    )
    record = OpeningRecord.objects.create(
        tender=tender,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        evaluation_method=tender.evaluation_method,
        currency=tender.currency,
        bid_count=len(bids),
        withdrawn_count=Bid.objects.filter(tender=tender, status=Bid.Status.WITHDRAWN).count(),
        stage=OpeningRecord.Stage.TECHNICAL,
        # Held for the price stage, never shown: the record publishes `private_key` only when complete.
        held_key=bytes(private_key),
    )
    _progress(tender.pk, 0, len(bids))
    rows = []
    for done, bid in enumerate(bids, start=1):
        version = bid.current_version
        opened = technical_open(
            private_key=bytes(private_key),
            ciphertexts=version.ciphertexts(),
            stored_commitment=version.commitment,
            tender_reference=tender.reference,
            supplier_id=version.supplier_id,
            version=version.number,
        )
        published = closing is None or (
            version.commitment in closing.commitments and version.price_commitment in closing.commitments
        )
        if opened.commitment_ok and not published:
            opened.commitment_ok, opened.problem = False, Problem("commitment_not_published")
        item = _Opened(
            bid,
            version,
            opened.commitment_ok,
            problem_message(opened.problem),
            opened.content,
            opened.documents or None,
        )
        row = _store_opened(record, item, tender=tender, usable_outcome=OpenedBid.Outcome.AWAITING_PRICE)
        if row.outcome != OpenedBid.Outcome.AWAITING_PRICE:
            # Opening itself found the technical envelope unusable: not compliant, for that reason.
            row.technical_compliant = False
            row.technical_reason = row.problem
            row.save(update_fields=["technical_compliant", "technical_reason"])
        rows.append(row)
        _progress(tender.pk, done, len(bids))
    record.valid_count = sum(1 for r in rows if r.outcome == OpenedBid.Outcome.AWAITING_PRICE)
    record.save(update_fields=["valid_count"])
    Tender.objects.filter(pk=tender.pk).update(next_check=None)  # the officials act next
    entry = audit_record(
        actor=actor,
        action="bid.open_technical",
        obj=record,
        data={
            "tender": tender.pk,
            "bids": [
                {"bid": r.bid_id, "commitment": r.commitment, "commitment_ok": r.commitment_ok, "outcome": r.outcome}
                for r in rows
            ],
        },
        # Every bid this stage moved on (the database refuses unnamed changes: procurement 0005).
        related={
            "bidding.bid": {
                r.bid_id: {
                    "status": (
                        Bid.Status.SUBMITTED,
                        Bid.Status.OPENED if r.commitment_ok else Bid.Status.DISQUALIFIED,
                    ),
                    "outcome": (None, r.outcome),
                }
                for r in rows
            }
        },
    )
    transparency_request_head(after=entry)
    notify(
        event="tender.technical_opened",
        recipients=tender_entity_officials(tender),
        template="technical_opened",
        context={"tender": tender, "count": len(rows)},
        link=reverse("bidding:technical", args=[tender.pk]),
    )
    return record


# --- stage 2: compliance --------------------------------------------------------------------------


def technical_assess(
    *, opened_bid: OpenedBid, actor, compliant: bool, reason: str = "", committee: bool = False
) -> OpenedBid:
    """Record whether a bid's technical envelope complies, with the reason bidders will read.

    Where the method has a committee (best value) its scores decide, against the technical
    threshold: only the evaluation's calculation records them (`committee=True`).
    """
    reason = (reason or "").strip()
    if not compliant and not reason:
        raise Invalid(
            _("Give the reason the bid does not comply; the bidder and the public will see it."), field="reason"
        )
    with transaction.atomic():
        tender = tender_for_update(opened_bid.opening.tender_id)
        require_entity_official(tender, actor)
        record = _record_for_update(tender)
        if record.stage != OpeningRecord.Stage.TECHNICAL:
            raise InvalidTransition(_("The technical results have been published and can no longer be changed."))
        if evaluation_policy(tender.evaluation_method).needs_committee and not committee:
            raise Conflict(
                _("The committee's technical scores decide compliance here: calculate them on the evaluation page."),
                code="committee_decides",
            )
        row = OpenedBid.objects.select_for_update().get(pk=opened_bid.pk, opening=record)
        if row.outcome != OpenedBid.Outcome.AWAITING_PRICE:
            raise Conflict(_("The opening already found this technical envelope unusable."), code="decided_by_opening")
        if not compliant and selectors.cure_open_for_bid(row.bid_id):
            raise Conflict(
                _("A document correction is still open for this bid: decide after its window ends."),
                code="cure_pending",
            )
        row.technical_compliant = compliant
        row.technical_reason = reason
        row.technical_decided_by = actor
        row.technical_decided_at = _db_now()
        row.save(
            update_fields=["technical_compliant", "technical_reason", "technical_decided_by", "technical_decided_at"]
        )
        audit_record(
            actor=actor,
            action="bid.technical_assess",
            obj=row.bid,
            data={"tender": tender.pk, "compliant": compliant, "reason": reason},
        )
    return row


def technical_publish(*, tender_id: int, actor) -> OpeningRecord:
    """Publish the technical results with their reasons and start the complaint window.

    The results become final — the non-compliant bids disqualified, their price envelopes closed for
    good — only when the window is over with no complaint left open (`price_envelopes_open`).
    """
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        require_entity_official(tender, actor)
        record = _record_for_update(tender)
        check_transition(
            record, OpeningRecord.Stage.TECHNICAL_PUBLISHED, OpeningRecord.STAGE_TRANSITIONS, field="stage"
        )
        rows = list(OpenedBid.objects.filter(opening=record).select_related("bid", "supplier").order_by("pk"))
        undecided = [r for r in rows if r.technical_compliant is None]
        if undecided:
            raise Conflict(
                _("Decide every bid first: %(count)s still without a technical decision.") % {"count": len(undecided)},
                code="undecided",
            )
        if CureRequest.objects.filter(tender=tender, status=CureRequest.Status.OPEN).exists():
            raise Conflict(_("A document correction window is still open."), code="cure_pending")
        now = _db_now()
        record.stage = OpeningRecord.Stage.TECHNICAL_PUBLISHED
        record.technical_published_at = now
        record.complaint_until = now + settings.TECHNICAL_COMPLAINT_WINDOW
        record.save(update_fields=["stage", "technical_published_at", "complaint_until"])
        # The scheduler opens the compliant bids' prices when the window is over.
        Tender.objects.filter(pk=tender.pk).update(next_check=record.complaint_until)
        for row in rows:
            notify(
                event="bid.technical_result",
                recipients=selectors.bid_supplier_members(row.bid),
                template="technical_result",
                context={"tender": tender, "row": row, "record": record},
                link=reverse("bidding:opening", args=[tender.pk]),
            )
        audit_record(
            actor=actor,
            action="bid.technical_publish",
            obj=record,
            data={
                "tender": tender.pk,
                "complaint_until": record.complaint_until.isoformat(),
                "results": [
                    {"bid": r.bid_id, "compliant": r.technical_compliant, "reason": r.technical_reason} for r in rows
                ],
            },
        )
    return record


def technical_complaint_lodge(*, tender_id: int, actor, grounds: str) -> TechnicalComplaint:
    """A bidder contests the technical results (its own or another bid's) within the window."""
    grounds = (grounds or "").strip()
    if not grounds:
        raise Invalid(_("Give the grounds of the complaint."), field="grounds")
    membership = membership_for_user(actor)
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        record = _record_for_update(tender)
        bid = (
            Bid.objects.filter(tender=tender, supplier_id=membership.supplier_id).first()
            if membership is not None and membership.may_bid
            else None
        )
        if bid is None or not OpenedBid.objects.filter(opening=record, bid=bid).exists():
            raise Forbidden(_("Only bidders of this tender can complain about its technical results."))
        if record.stage != OpeningRecord.Stage.TECHNICAL_PUBLISHED:
            raise Conflict(_("The technical results are not open to complaints now."), code="not_published")
        if _db_now() >= record.complaint_until:
            raise Conflict(_("The complaint window on the technical results has ended."), code="window_closed")
        complaint = TechnicalComplaint.objects.create(opening=record, bid=bid, grounds=grounds, lodged_by=actor)
        notify(
            event="bid.technical_complaint",
            recipients=tender_entity_officials(tender),
            template="technical_complaint",
            context={"tender": tender, "complaint": complaint},
            link=reverse("bidding:technical", args=[tender.pk]),
        )
        audit_record(
            actor=actor, action="bid.technical_complaint", obj=bid, data={"tender": tender.pk, "grounds": grounds}
        )
    return complaint


def technical_complaint_decide(
    *, complaint: TechnicalComplaint, actor, uphold: bool, answer: str
) -> TechnicalComplaint:
    """Answer a complaint on the technical results. Upheld: the complainant's bid is found compliant
    (its price envelope will open). Either way the price stage waits until no complaint is open."""
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(_("Give your reasons; the bidder will read them."), field="answer")
    with transaction.atomic():
        tender = tender_for_update(complaint.opening.tender_id)
        require_entity_official(tender, actor)
        record = _record_for_update(tender)
        complaint = TechnicalComplaint.objects.select_for_update().get(pk=complaint.pk)
        check_transition(
            complaint,
            TechnicalComplaint.Status.UPHELD if uphold else TechnicalComplaint.Status.DISMISSED,
            TechnicalComplaint.TRANSITIONS,
        )
        if record.stage != OpeningRecord.Stage.TECHNICAL_PUBLISHED:
            raise InvalidTransition(_("The price envelopes are open: the technical results are final."))
        complaint.status = TechnicalComplaint.Status.UPHELD if uphold else TechnicalComplaint.Status.DISMISSED
        complaint.answer, complaint.decided_by, complaint.decided_at = answer, actor, _db_now()
        complaint.save(update_fields=["status", "answer", "decided_by", "decided_at"])
        if uphold:
            row = OpenedBid.objects.select_for_update().get(opening=record, bid=complaint.bid)
            if row.outcome == OpenedBid.Outcome.AWAITING_PRICE and not row.technical_compliant:
                row.technical_compliant, row.technical_reason = True, answer
                row.technical_decided_by, row.technical_decided_at = actor, complaint.decided_at
                row.save(
                    update_fields=[
                        "technical_compliant",
                        "technical_reason",
                        "technical_decided_by",
                        "technical_decided_at",
                    ]
                )
        notify(
            event="bid.technical_complaint_decided",
            recipients=selectors.bid_supplier_members(complaint.bid),
            template="technical_complaint_decided",
            context={"tender": tender, "complaint": complaint},
            link=reverse("bidding:opening", args=[tender.pk]),
        )
        audit_record(
            actor=actor,
            action="bid.technical_complaint_decide",
            obj=complaint.bid,
            data={"tender": tender.pk, "complaint": complaint.pk, "upheld": uphold, "answer": answer},
        )
    return complaint


# --- stage 3: the price envelopes of compliant bids -------------------------------------------------


def price_envelopes_open(*, tender_id: int, actor=None) -> OpeningRecord:
    """Open the price envelopes of the technically compliant bids, once, after the complaint window.

    Refuses (TechnicalNotFinal) before the results are published and (TooEarly) before the window is
    over by the database clock. A second call — concurrent, retried, or after a crash — finds the
    record complete under the tender's lock and returns it. Non-compliant bids' price envelopes are
    never decrypted: their rows stay `price_not_opened` and the audit entry lists them.
    """
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        record = _record_for_update(tender)
        if record.stage == OpeningRecord.Stage.COMPLETE:
            return record
        if record.stage != OpeningRecord.Stage.TECHNICAL_PUBLISHED:
            raise TechnicalNotFinal(_("The price envelopes open only after the technical results are published."))
        if _db_now() < record.complaint_until:
            raise TooEarly(_("The price envelopes open when the complaint window on the technical results is over."))
        if TechnicalComplaint.objects.filter(opening=record, status=TechnicalComplaint.Status.OPEN).exists():
            raise TechnicalNotFinal(_("A complaint on the technical results is still open."))
        closing = TenderClosing.objects.filter(tender=tender).first()
        private_key = PrivateKey(bytes(record.held_key))
        reserve_count, picks_required = reserve_pick_rules(tender)
        reserve_rules = (reserve_count, picks_required) if reserve_count else None
        compliant = list(
            OpenedBid.objects.filter(opening=record, technical_compliant=True, outcome=OpenedBid.Outcome.AWAITING_PRICE)
            .select_related("bid", "version")
            .order_by("pk")
        )
        # The results are final now: the non-compliant bids are disqualified, their prices never opened.
        not_opened = []
        for row in (
            OpenedBid.objects.filter(opening=record).exclude(pk__in=[r.pk for r in compliant]).select_related("bid")
        ):
            not_opened.append(row.bid_id)
            if row.outcome == OpenedBid.Outcome.AWAITING_PRICE:
                row.outcome = OpenedBid.Outcome.PRICE_NOT_OPENED
                row.save(update_fields=["outcome"])
            if row.bid.status == Bid.Status.OPENED:
                bid_set_status(
                    bid=row.bid,
                    to=Bid.Status.DISQUALIFIED,
                    actor=actor,
                    reason=_("Not technically compliant: %(reason)s") % {"reason": row.technical_reason},
                )
        opened: list[_Opened] = []
        rows: dict[int, OpenedBid] = {}
        for row in compliant:
            item = _price_decrypt(
                row.bid, row.version, tender=tender, private_key=private_key, closing=closing, rules=reserve_rules
            )
            usable = item.commitment_ok and not item.problem
            content = item.content or {}
            row.price_opened = True
            row.commitment_ok = item.commitment_ok
            row.problem = item.problem
            row.price = Decimal(content["price"]) if usable else None
            row.price_lines = content.get("lines", []) if usable else []
            row.reserve_picks = content.get("reserve_picks", []) if usable else []
            if not item.commitment_ok:
                bid_set_status(bid=row.bid, to=Bid.Status.DISQUALIFIED, actor=actor, reason=item.problem)
            opened.append(item)
            rows[row.bid_id] = row
        OpenedBid.objects.bulk_update(
            rows.values(), ["price_opened", "commitment_ok", "problem", "price", "price_lines", "reserve_picks"]
        )
        record.stage = OpeningRecord.Stage.COMPLETE
        record.price_opened_at = _db_now()
        record.held_key = None
        return _rank_and_finish(
            tender,
            record,
            opened=opened,
            rows=rows,
            private_key=private_key,
            reserve_rules=reserve_rules,
            actor=actor,
            action="bid.open_prices",
            extra={"price_not_opened": not_opened},
            before_status=Bid.Status.OPENED,
            before_outcome=OpenedBid.Outcome.AWAITING_PRICE,
        )


def _price_decrypt(bid: Bid, version: BidVersion, *, tender: Tender, private_key, closing, rules) -> _Opened:
    opened = price_open(
        private_key=bytes(private_key),
        ciphertext=bytes(version.sealed_price or b""),
        stored_commitment=version.price_commitment,
        tender_reference=tender.reference,
        supplier_id=version.supplier_id,
        version=version.number,
        currency=tender.currency,
        reserve_rules=rules,
    )
    if opened.commitment_ok and closing is not None and version.price_commitment not in closing.commitments:
        opened.commitment_ok, opened.problem = False, Problem("commitment_not_published")
    return _Opened(bid, version, opened.commitment_ok, problem_message(opened.problem), opened.content)


__all__ = [
    "TechnicalNotFinal",
    "price_envelopes_open",
    "technical_assess",
    "technical_complaint_decide",
    "technical_complaint_lodge",
    "technical_open_locked",
    "technical_publish",
]
