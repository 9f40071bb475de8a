"""Reads: who may bid, a supplier's own bids, what is public about a tender's bids and when.

Disclosure phases of a tender's bids (the one rule every page, API view and export follows):

- sealed (until the tender is closed at its deadline): nothing about bids is shown to anyone but
  the bidding supplier itself — not the count, not to officials, auditors or the admin site;
- closed (after the deadline, before opening): the number of bids and their commitments
  (TenderClosing); bidder names stay hidden until opening, as on KONEPS;
- opened: the OpeningRecord — bidders, prices, ranks, commitment checks, reserve prices.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.permissions import is_supplier_user
from suppliers.selectors import membership_for_user, supplier_eligibility
from tenders.models import Tender
from tenders.selectors import tender_supplier_may_bid

from .consortia import consortium_reasons
from .models import (
    Bid,
    BidVersion,
    ConsortiumMember,
    CureRequest,
    KeyShareRelease,
    OpenedBid,
    OpeningRecord,
    TenderClosing,
)


def supplier_reasons(supplier) -> list[str]:
    """Why the company may not bid at all right now ([] when it may): vetting and sanctions."""
    return list(supplier_eligibility(supplier=supplier).reasons)


@dataclass(frozen=True)
class BidEligibility:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    supplier: object = None

    def __bool__(self) -> bool:
        return self.allowed


def bidder_reasons(*, tender: Tender, user):
    """(company, reasons) for everything about the bidder: membership, role, vetting, sanctions, invitation.

    The tender's own phase (published, before the deadline) is not checked here: the submission
    decides that under its lock by the database clock; pages add it with `bid_eligibility`.
    """
    membership = membership_for_user(user)
    if membership is None or not is_supplier_user(user):
        return None, [_("Only members of a registered supplier company can bid.")]
    supplier = membership.supplier
    reasons: list[str] = []
    if not membership.may_bid:
        reasons.append(_("Your role in the company does not allow you to submit bids."))
    reasons.extend(supplier_reasons(supplier))
    if not tender_supplier_may_bid(tender=tender, supplier=supplier):
        reasons.append(_("Only suppliers invited by the procuring entity may bid on this tender."))
    return supplier, reasons


def bid_eligibility(*, tender: Tender, user) -> BidEligibility:
    """May `user` submit (or replace) a bid for their company on `tender` now? With every reason if not.

    The deadline here is by the web server's clock, for the page; the submission itself decides by
    the database clock at commit.
    """
    supplier, reasons = bidder_reasons(tender=tender, user=user)
    if supplier is None:
        return BidEligibility(False, reasons)
    reasons.extend(consortium_reasons(tender=tender, supplier=supplier))
    if tender.status != Tender.Status.PUBLISHED:
        reasons.insert(0, _("This tender is not open for bids."))
    elif not tender.is_open_for_bids:
        reasons.insert(0, _("The submission deadline has passed."))
    return BidEligibility(not reasons, reasons, supplier)


def open_now_offered(*, user, tender: Tender) -> bool:
    """Whether to offer `user` the "Open now" button: allowed to open, and the opening time has come.

    By the web server's clock, for the page only; the opening service checks the database clock.
    """
    return (
        tender.opening_at is not None
        and tender.opening_at <= timezone.now()
        and user.has_perm("bidding.open_tender", tender)
    )


def bid_of_supplier(*, tender: Tender, supplier) -> Bid | None:
    if supplier is None:
        return None
    return Bid.objects.filter(tender=tender, supplier=supplier).select_related("current_version").first()


def bids_of_supplier(*, supplier) -> QuerySet[Bid]:
    """A company's own bids, newest first (the "My bids" list)."""
    return (
        Bid.objects.filter(supplier=supplier)
        .select_related("tender", "tender__entity", "current_version")
        .order_by("-created_at", "-id")
    )


def bid_versions(bid: Bid) -> QuerySet[BidVersion]:
    return bid.versions.select_related("submitted_by").prefetch_related("documents").order_by("number")


def version_for_idempotency_key(*, supplier, key) -> BidVersion | None:
    return BidVersion.objects.filter(supplier=supplier, idempotency_key=key).select_related("bid").first()


# --- public phases ---------------------------------------------------------------------------------


def tender_closing(tender: Tender) -> TenderClosing | None:
    return TenderClosing.objects.filter(tender=tender).first()


def tender_opening(tender: Tender) -> OpeningRecord | None:
    return (
        OpeningRecord.objects.filter(tender=tender)
        .prefetch_related(
            Prefetch(
                "opened_bids",
                queryset=OpenedBid.objects.select_related("supplier", "bid", "version", "bid__consortium").order_by(
                    "rank", "price", "submitted_at"
                ),
            ),
            # A consortium's bid shows its members and shares on the record (joint bidding).
            Prefetch(
                "opened_bids__bid__consortium__members",
                queryset=ConsortiumMember.objects.select_related("supplier").order_by("-is_lead", "id"),
            ),
        )
        .first()
    )


def tender_bids_are_open(tender: Tender) -> bool:
    """True once the tender's bids have been opened (the record exists)."""
    return OpeningRecord.objects.filter(tender_id=tender.pk).exists()


def opened_bids_ordered(record: OpeningRecord) -> list[OpenedBid]:
    """Ranked bids first by rank, then the set-aside ones by price, flagged ones last."""
    bids = list(record.opened_bids.all())

    def key(b: OpenedBid):
        return (b.rank is None, b.rank or 0, not b.commitment_ok, b.price is None, b.price or 0, b.submitted_at)

    return sorted(bids, key=key)


# --- opening progress (written by bid_open_all, read by the htmx fragment) -----------------------

PROGRESS_TTL = 3600


def progress_key(tender_id: int) -> str:
    return f"bidding:opening-progress:{tender_id}"


def opening_progress(tender_id: int) -> dict | None:
    """{"done": n, "total": m} while an opening runs; None when nothing is known (cache down, idle)."""
    try:
        return cache.get(progress_key(tender_id))
    except Exception:  # noqa: BLE001 - progress is a nicety; a cache outage must not break the page
        return None


# --- verification of receipts --------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentLookup:
    """What the public record says about a commitment hash."""

    found: bool
    tender: Tender | None = None
    phase: str = ""  # "closed" (listed at the deadline) or "opened"
    opened_bid: OpenedBid | None = None


def commitment_lookup(commitment: str) -> CommitmentLookup:
    """Find a commitment in the public record only: the closing lists and the opening records.

    A commitment of a tender still open for bids is reported as not found, exactly like an unknown
    one, so the verify page cannot be used to learn that a bid exists before the deadline.
    """
    commitment = (commitment or "").strip().lower()
    if len(commitment) != 64 or any(c not in "0123456789abcdef" for c in commitment):
        return CommitmentLookup(False)
    opened = (
        OpenedBid.objects.filter(commitment=commitment)
        .select_related("opening__tender", "opening__tender__entity", "supplier")
        .first()
    )
    if opened is not None:
        return CommitmentLookup(True, opened.opening.tender, "opened", opened)
    closing = (
        TenderClosing.objects.filter(commitments__contains=[commitment])
        .select_related("tender", "tender__entity")
        .first()
    )
    if closing is not None:
        return CommitmentLookup(True, closing.tender, "closed")
    return CommitmentLookup(False)


# --- who hears about what ---------------------------------------------------------------------------


def bid_supplier_members(bid: Bid) -> QuerySet:
    """The people of the bidding company — the only ones told about its bid before opening."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, supplier_membership__supplier_id=bid.supplier_id)


def members_of_bidders(tender: Tender) -> QuerySet:
    """Members of every company that has a bid (not withdrawn) on the tender."""
    from django.contrib.auth import get_user_model

    supplier_ids = Bid.objects.filter(tender=tender).exclude(status=Bid.Status.WITHDRAWN).values("supplier_id")
    return get_user_model().objects.filter(is_active=True, supplier_membership__supplier_id__in=supplier_ids)


# --- the scheduler --------------------------------------------------------------------------------


def tenders_due_soon(*, now, until, tender_ids=None) -> list[tuple[int, object]]:
    """(id, moment) of tenders with a deadline or opening between now and `until` (for ETA tasks)."""
    qs = Tender.objects.filter(
        status__in=(Tender.Status.PUBLISHED, Tender.Status.CLOSED), next_check__gt=now, next_check__lte=until
    )
    if tender_ids is not None:
        qs = qs.filter(pk__in=tender_ids)
    return list(qs.values_list("pk", "next_check"))


def tender_custodian_of(*, tender: Tender, user):
    """The user's place among the tender's key custodians (with the key it was sealed to), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return tender.custodians.filter(custodian__user=user).select_related("custodian").first()


def key_share_release(tender_custodian) -> KeyShareRelease | None:
    return KeyShareRelease.objects.filter(tender_custodian=tender_custodian).first()


def key_share_progress(tender: Tender) -> dict:
    """How far the custodians' quorum is (public once the tender has closed)."""
    releases = KeyShareRelease.objects.filter(tender=tender)
    return {
        "needed": tender.custodian_threshold,
        "named": tender.custodians.count(),
        "released": releases.exclude(ok=False).count(),
        "bad": releases.filter(ok=False).count(),
    }


# --- joint bidding and bid securities (docs/architecture.md §10) ---------------------------------


def consortium_of_supplier(*, tender: Tender, supplier):
    """The live consortium the company is in on this tender (as lead or partner), or None."""
    from .models import ConsortiumMember

    member = (
        ConsortiumMember.objects.filter(tender=tender, supplier=supplier, status__in=ConsortiumMember.BINDING_STATUSES)
        .select_related("consortium")
        .first()
    )
    return member.consortium if member is not None else None


def consortium_visible_to(*, user, consortium) -> bool:
    """Its members' people always; the entity's officials and auditors once the deadline has passed;
    everyone once its bid is opened (the opening record names it)."""
    from procurement.permissions import is_auditor
    from tenders.selectors import is_official_of

    membership = membership_for_user(user)
    if membership is not None and consortium.members.filter(supplier_id=membership.supplier_id).exists():
        return True
    tender = consortium.tender
    if tender.status in (Tender.Status.DRAFT, Tender.Status.PENDING_APPROVAL, Tender.Status.PUBLISHED):
        return False
    if is_official_of(user, tender.entity_id) or is_auditor(user):
        return True
    return OpenedBid.objects.filter(bid__consortium=consortium).exists()


def consortium_members(consortium):
    return consortium.members.select_related("supplier", "responded_by").order_by("-is_lead", "id")


def bid_securities_of_tender(tender: Tender):
    """Every bid security on the tender, for its officials and auditors once the bids are opened."""
    from .models import BidSecurity

    return BidSecurity.objects.filter(tender=tender).select_related("supplier", "issuer").order_by("supplier__name_ko")


# --- defect cures ------------------------------------------------------------------------------------


def cure_open_for_bid(bid_id: int) -> bool:
    """Whether a document correction is still open for the bid (it may not be failed meanwhile)."""
    return CureRequest.objects.filter(bid_id=bid_id, status=CureRequest.Status.OPEN).exists()


def cure_requests_of_tender(tender: Tender) -> QuerySet[CureRequest]:
    return CureRequest.objects.filter(tender=tender).select_related("bid__supplier").order_by("-requested_at")


def cure_requests_of_supplier(supplier) -> QuerySet[CureRequest]:
    return CureRequest.objects.filter(bid__supplier=supplier).select_related("tender").order_by("-requested_at")
