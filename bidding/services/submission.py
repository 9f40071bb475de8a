"""Submitting, replacing and withdrawing sealed bids: the deadline rush path, kept short and lean.

One transaction per call, in this order (docs/architecture.md §7):

1. FOR KEY SHARE on the tender row — a shared lock: submissions to one tender never wait for each
   other, but opening and amendments (FOR UPDATE) wait for every submission in flight, and no
   submission starts between their check and their change;
2. re-read status and deadline under that lock; a retried idempotency key returns the first receipt;
3. lock the company's Bid row (FOR UPDATE), so two submissions of the same company serialise;
4. insert the sealed version (encrypted in the bidder's browser), queue the
   notification to the company's own members, and write the audit entry (it takes no lock).

Whether the bid is in time is decided in step 1, by clock_timestamp() right after the shared lock
is granted (docs/architecture.md, invariant 2): how long the transaction then takes — bookkeeping, a slow disk — never
turns a bid late. Opening takes FOR UPDATE, so it waits for every transaction that holds the
tender, and one that reaches the tender after closing sees the new status and is refused.
"""

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid, NotFound
from procurement.notifications import notify
from procurement.permissions import is_supplier_user
from procurement.sealing import SEAL_OVERHEAD, commitment, price_commitment
from procurement.states import check_transition
from suppliers.models import Sanction, Supplier, SupplierMember
from suppliers.selectors import membership_for_user, sanctions_running_q
from tenders.models import Tender
from tenders.policies import evaluation_policy, method_policy

from .. import selectors
from ..consortia import consortium_for_submission
from ..content import MAX_DOCUMENTS
from ..models import Bid, BidDocument, BidVersion
from ..models_consortium import ConsortiumMember

logger = logging.getLogger(__name__)


class LateBid(Conflict):
    code = "deadline_passed"


@dataclass(frozen=True)
class SubmissionResult:
    version: BidVersion
    created: bool  # False: the idempotency key had been used, this is the first receipt again
    audit_seq: int | None = None  # the entry this submission wrote (None for a retry)

    @property
    def bid(self) -> Bid:
        return self.version.bid


# Largest sealed content (the bid's JSON with up to MAX_LINES lines, plus the sealed-box overhead).
MAX_CONTENT_BYTES = 256 * 1024
PLAINTEXT_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SealedSubmission:
    """Everything that will be written: ciphertexts made in the bidder's browser (or by sealclient),
    and the salted hash of the plaintext that the bidder can later prove."""

    content: bytes
    documents: tuple[bytes, ...] = ()
    plaintext_hash: str = ""
    # Two-envelope tenders: the price envelope and its salted hash (`content` is then the technical one).
    price: bytes = b""
    price_plaintext_hash: str = ""

    def __repr__(self) -> str:
        return f"SealedSubmission({len(self.content)} bytes, {len(self.documents)} documents, {len(self.price)} price)"

    def ciphertexts(self) -> list[bytes]:
        return [self.content, *self.documents]


def reserve_pick_rules(tender: Tender) -> tuple[int | None, int | None]:
    """(reserve_count, picks_per_bidder) for a procedure with reserve prices, else (None, None)."""
    return evaluation_policy(tender.evaluation_method).reserve_pick_rules(tender.evaluation_params)


def sealed_submission_check(*, tender: Tender, sealed: SealedSubmission) -> None:
    """What the server can check without the key: shapes and sizes. The content itself is checked
    in the browser before sealing and again at opening (a malformed bid is rejected publicly)."""
    if not tender.public_key:
        raise Conflict(_("This tender is not open for bids."), code="not_open")
    if not SEAL_OVERHEAD < len(sealed.content) <= MAX_CONTENT_BYTES:
        raise Invalid(_("The sealed bid is empty or too large."), field="content")
    if len(sealed.documents) > MAX_DOCUMENTS:
        raise Invalid(_("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS}, field="documents")
    if any(not SEAL_OVERHEAD < len(d) <= settings.UPLOAD_MAX_BYTES + SEAL_OVERHEAD for d in sealed.documents):
        raise Invalid(_("A sealed document is empty or larger than the limit."), field="documents")
    if evaluation_policy(tender.evaluation_method).needs_technical_proposal and not sealed.documents:
        raise Invalid(_("Attach your technical proposal."), field="documents")
    if not PLAINTEXT_HASH.match(sealed.plaintext_hash):
        raise Invalid(_("The salted hash of the bid must be 64 hexadecimal digits."), field="plaintext_hash")
    if tender.envelopes == 2:
        if not SEAL_OVERHEAD < len(sealed.price) <= MAX_CONTENT_BYTES:
            raise Invalid(_("This tender takes two envelopes: seal the price envelope too."), field="price_content")
        if not PLAINTEXT_HASH.match(sealed.price_plaintext_hash):
            raise Invalid(
                _("The salted hash of the price envelope must be 64 hexadecimal digits."), field="price_plaintext_hash"
            )
    elif sealed.price:
        raise Invalid(_("This tender takes one envelope: put the price in it."), field="price_content")


def _lock_tender_shared(tender_id: int) -> tuple[str, bool, datetime]:
    """FOR KEY SHARE on the tender; returns (status, in time, the moment the lock was held)."""
    with connection.cursor() as cursor:
        # Shared lock: bids on one tender do not queue behind each other; opening and amendments
        # (FOR UPDATE) wait for this transaction, so they never interleave with a submission.
        # The outer SELECT runs only once the CTE has the lock: its clock_timestamp() is that moment.
        cursor.execute(
            "WITH held AS MATERIALIZED ("
            "SELECT status, submission_deadline FROM tenders_tender WHERE id = %s FOR KEY SHARE) "
            "SELECT status, submission_deadline, clock_timestamp() FROM held",
            [tender_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("This tender does not exist."), code="not_found")
    status, deadline, moment = row
    return status, moment < deadline, moment


def _lock_tender_for_submission(tender_id: int, *, supplier_id: int, key: uuid.UUID):
    """`_lock_tender_shared` and the idempotency lookup in one statement: (status, in time, moment,
    the id of the version an earlier request with this key created, or None).

    The lookup reads the statement's snapshot, which may predate the wait for the lock: a retry of
    the same key that committed meanwhile is caught by the unique index instead (bid_submit answers
    with the first receipt), as before.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH held AS MATERIALIZED ("
            "SELECT status, submission_deadline FROM tenders_tender WHERE id = %s FOR KEY SHARE) "
            "SELECT status, submission_deadline, clock_timestamp(), "
            "(SELECT id FROM bidding_bidversion WHERE supplier_id = %s AND idempotency_key = %s) "
            "FROM held",
            [tender_id, supplier_id, key],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("This tender does not exist."), code="not_found")
    status, deadline, moment, earlier_id = row
    return status, moment < deadline, moment, earlier_id


def _require_open(status: str, in_time: bool) -> None:
    if status != Tender.Status.PUBLISHED:
        raise Conflict(_("This tender is not open for bids."), code="not_open")
    if not in_time:
        raise LateBid(_("The submission deadline has passed: the bid was not accepted."))


def _require_bidder(*, tender: Tender, supplier, actor) -> None:
    """Membership, role, vetting, sanctions and invitation — asked inside the submission's transaction."""
    own, reasons = selectors.bidder_reasons(tender=tender, user=actor)
    if own is None or own.pk != supplier.pk:
        raise Forbidden(_("You can only bid for your own company."), code="not_member")
    if reasons:
        raise Forbidden(reasons[0], code="not_eligible")


def _require_bidder_and_consortium(*, tender: Tender, supplier, actor):
    """`_require_bidder`, then the consortium the bid is for (None for a bid alone), in one statement
    for the usual bidder — an approved, unsanctioned company's bidding member, bidding alone on an
    open tender. Anything else goes the long way, which gives the reasons (and the same answer)."""
    now = timezone.now()
    membership = (
        SupplierMember.objects.select_related("supplier")
        .filter(user_id=actor.pk)
        .annotate(
            sanctioned=Exists(Sanction.objects.filter(sanctions_running_q(now), supplier=OuterRef("supplier_id"))),
            in_consortium=Exists(
                ConsortiumMember.objects.filter(
                    tender=tender, supplier=OuterRef("supplier_id"), status__in=ConsortiumMember.BINDING_STATUSES
                )
            ),
        )
        .first()
    )
    plain = (
        membership is not None
        and membership.supplier_id == supplier.pk
        and membership.may_bid
        and is_supplier_user(actor)
        and membership.supplier.status == Supplier.Status.APPROVED
        and not membership.sanctioned
        and not method_policy(tender.method).invitation_only
    )
    if not plain:
        _require_bidder(tender=tender, supplier=supplier, actor=actor)
    if plain and not membership.in_consortium:
        return None
    # Joint bidding: only a confirmed consortium's lead submits, every member still eligible.
    return consortium_for_submission(tender=tender, supplier=supplier)


def _bid_for_update(*, tender: Tender, supplier, actor) -> Bid:
    """The company's Bid row, created if needed, locked (serialises one company's submissions).

    The first submission inserts the row in one statement and holds its lock until commit. Two first
    submissions of the same company at once: the second INSERT waits on the unique index for the
    first to commit, does nothing, and the SELECT … FOR UPDATE then finds and locks the first one's row.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Bid._meta.db_table} (tender_id, supplier_id, status, status_reason, created_by_id)"  # noqa: S608 - the model's own table
            " VALUES (%s, %s, %s, '', %s) ON CONFLICT (tender_id, supplier_id) DO NOTHING"
            " RETURNING id, status_changed_at, created_at",
            [tender.pk, supplier.pk, Bid.Status.SUBMITTED, actor.pk],
        )
        row = cursor.fetchone()
    if row is None:
        # No select_related: a row re-read after waiting for its lock would come with the join as of
        # before the wait (a NULL current version beside the new current_version_id).
        return Bid.objects.select_for_update().get(tender=tender, supplier=supplier)
    pk, changed_at, created_at = row
    return Bid(
        pk=pk,
        tender=tender,
        supplier=supplier,
        status=Bid.Status.SUBMITTED,
        status_changed_at=changed_at,
        created_at=created_at,
        created_by=actor,
    )


def bid_submit(
    *,
    tender: Tender,
    supplier,
    actor,
    sealed: SealedSubmission,
    idempotency_key: uuid.UUID | str,
    also: Callable[[BidVersion], None] | None = None,
) -> SubmissionResult:
    """Submit a sealed bid, or replace the company's current one with a new sealed version.

    The bid arrives sealed to the tender's public key; the server never sees its plaintext. A key
    used before returns that submission's version (created=False) without writing anything.
    `also`: called with a new version inside the same transaction, as its last write (the page and
    the API pass the integrity app's origin record: keyed hashes, one INSERT, no second commit).
    """
    key = uuid.UUID(str(idempotency_key))
    sealed_submission_check(tender=tender, sealed=sealed)
    try:
        with transaction.atomic():
            return _submit_locked(tender=tender, supplier=supplier, actor=actor, sealed=sealed, key=key, also=also)
    except IntegrityError as exc:
        # A retry of the same key that raced the first request past the lookup: the first one
        # committed while this one waited for the company's lock, and the unique index refused the
        # second version. The whole transaction is rolled back; answer with the first receipt.
        earlier = selectors.version_for_idempotency_key(supplier=supplier, key=key)
        if earlier is None:
            raise
        logger.info("idempotency key reused concurrently (%s); first receipt returned", type(exc).__name__)
        return SubmissionResult(earlier, created=False)


def _submit_locked(
    *, tender: Tender, supplier, actor, sealed: SealedSubmission, key: uuid.UUID, also: Callable | None
) -> SubmissionResult:
    """bid_submit inside its transaction: the steps of the module docstring, in order."""
    status, in_time, held_at, earlier_id = _lock_tender_for_submission(tender.pk, supplier_id=supplier.pk, key=key)
    # Before the deadline check: a retry after the deadline still gets its (in-time) receipt.
    if earlier_id is not None:
        return SubmissionResult(BidVersion.objects.select_related("bid").get(pk=earlier_id), created=False)
    _require_open(status, in_time)
    consortium = _require_bidder_and_consortium(tender=tender, supplier=supplier, actor=actor)
    locked_bid = _bid_for_update(tender=tender, supplier=supplier, actor=actor)
    if locked_bid.status == Bid.Status.WITHDRAWN:
        raise Conflict(
            _("Your company withdrew its bid on this tender; a withdrawn bid cannot be submitted again."),
            code="withdrawn",
        )
    check_transition(locked_bid, Bid.Status.SUBMITTED, {Bid.Status.SUBMITTED: {Bid.Status.SUBMITTED}})
    number = (locked_bid.current_version.number if locked_bid.current_version_id else 0) + 1
    before = {
        "status": locked_bid.status if number > 1 else None,  # None: the bid is new
        "current_version_id": locked_bid.current_version_id,
    }
    version = BidVersion.objects.create(
        bid=locked_bid,
        tender=tender,
        supplier=supplier,
        number=number,
        sealed_content=sealed.content,
        plaintext_hash=sealed.plaintext_hash,
        commitment=commitment(
            ciphertexts=sealed.ciphertexts(), tender_ref=tender.reference, supplier_id=supplier.pk, version=number
        ),
        idempotency_key=key,
        submitted_by=actor,
        submitted_at=held_at,
        sealed_price=sealed.price or None,
        price_plaintext_hash=sealed.price_plaintext_hash if sealed.price else "",
        price_commitment=price_commitment(
            ciphertext=sealed.price, tender_ref=tender.reference, supplier_id=supplier.pk, version=number
        )
        if sealed.price
        else "",
    )
    documents = BidDocument.objects.bulk_create(
        BidDocument(version=version, position=i, ciphertext=ct, ciphertext_size=len(ct))
        for i, ct in enumerate(sealed.documents)
    )
    # The receipt lists the documents' hashes: it need not read back what was just written (as if
    # prefetched: `version.documents.all()` answers from these rows).
    written = version.documents.all()
    written._result_cache, written._prefetch_done = documents, True
    version._prefetched_objects_cache = {"documents": written}
    locked_bid.current_version = version
    locked_bid.consortium = consortium
    locked_bid.save(update_fields=["current_version", "consortium"])
    replaced = number > 1
    notify(
        event="bid.replaced" if replaced else "bid.submitted",
        recipients=selectors.bid_supplier_members(locked_bid),
        template="bid_receipt",
        context={"kind": "replacement" if replaced else "submission", "version": version},
        link=reverse("bidding:receipt", args=[version.pk]),
    )
    # No tender in the entry: before the deadline nobody may learn which tender has bids. The
    # commitment links it to the tender's public closing list once the deadline has passed.
    entry = audit_record(
        actor=actor,
        action="bid.replace" if replaced else "bid.submit",
        obj=locked_bid,
        before=before,
        data={
            "version": number,
            "commitment": version.commitment,
            **({"price_commitment": version.price_commitment} if version.price_commitment else {}),
            "held_tender_at": held_at.isoformat(),
        },
    )
    version.bid = locked_bid
    if also is not None:
        also(version)
    return SubmissionResult(version, created=True, audit_seq=entry.seq)


def bid_withdraw(*, bid: Bid, actor, idempotency_key: uuid.UUID | str | None = None) -> Bid:
    """Withdraw a bid before the deadline. Its versions stay sealed in the record, never opened.

    A withdrawal is final (as on KONEPS: a withdrawn bid cannot be submitted again). Withdrawing a
    withdrawn bid returns it unchanged, so a retried request is harmless.
    """
    key = uuid.UUID(str(idempotency_key)) if idempotency_key else uuid.uuid4()
    membership = membership_for_user(actor)
    if membership is None or membership.supplier_id != bid.supplier_id or not membership.may_bid:
        raise Forbidden(_("Only your company's administrators and bidders can withdraw its bid."), code="not_member")
    with transaction.atomic():
        status, in_time, moment = _lock_tender_shared(bid.tender_id)
        locked = Bid.objects.select_for_update().get(pk=bid.pk)
        if locked.status == Bid.Status.WITHDRAWN:
            return locked
        _require_open(status, in_time)
        check_transition(locked, Bid.Status.WITHDRAWN, Bid.TRANSITIONS)
        before = {"status": locked.status}
        locked.status = Bid.Status.WITHDRAWN
        locked.status_changed_at = moment
        locked.withdrawn_at = moment
        locked.withdrawn_by = actor
        locked.withdrawal_key = key
        locked.save(update_fields=["status", "status_changed_at", "withdrawn_at", "withdrawn_by", "withdrawal_key"])
        notify(
            event="bid.withdrawn",
            recipients=selectors.bid_supplier_members(locked),
            template="bid_receipt",
            context={"kind": "withdrawal", "version": locked.current_version},
            link=reverse("bidding:withdrawal_receipt", args=[locked.pk]),
        )
        audit_record(
            actor=actor,
            action="bid.withdraw",
            obj=locked,
            before=before,
            data={"version": locked.current_version.number if locked.current_version_id else None},
        )
    return locked
