"""Closing and opening: the clock, the one key-unwrapping path, commitments, ranking, catch-up."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from bidding import selectors, services
from bidding.keys import QuorumMissing, TooEarly, opening_private_key
from bidding.models import (
    Bid,
    BidDocument,
    BidVersion,
    KeyShareRelease,
    OpenedBid,
    OpenedDocument,
    OpeningRecord,
    TenderClosing,
)
from procurement.errors import DomainError
from procurement.models import AuditEntry
from tenders.models import Tender
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, set_times, submit
from tests.sealing import shares_release

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _callers(name: str, folders=("*",)) -> list[str]:
    found = []
    for folder in folders:
        for path in ROOT.glob(f"{folder}/**/*.py"):
            relative = path.relative_to(ROOT)
            # The product only: tests and the benchmarks open keys of their own throwaway tenders.
            if (
                relative.parts[0] in {"tests", "bench", ".venv", "var", "node_modules", "sealclient"}
                or "migrations" in relative.parts
            ):
                continue
            if f"{name}(" in path.read_text(encoding="utf-8"):
                found.append(str(relative))
    return sorted(found)


def test_the_platform_key_opens_its_share_in_one_place_and_the_tender_key_is_used_by_opening_only():
    assert _callers("platform_unseal_share") == ["bidding/keys.py", "procurement/sealing.py"]
    assert (ROOT / "bidding" / "keys.py").read_text().count("platform_unseal_share(") == 1
    # The two-envelope technical stage is bid_open_all's other branch (same transaction, same lock).
    assert _callers("opening_private_key") == [
        "bidding/keys.py",
        "bidding/services/envelopes.py",
        "bidding/services/opening.py",
    ]
    # The server never makes a tender key pair, never seals a bid, never splits a key.
    assert _callers("PrivateKey.generate") == []
    assert _callers("SealedBox(PublicKey") == []
    assert _callers("split") == [] or all("shamir" not in p for p in _callers("split"))


def test_the_key_path_refuses_before_the_opening_time_by_the_database_clock(tender, time_machine):
    set_times(tender, deadline=-10, opening=30)
    services.bid_close_tender(tender_id=tender.pk)
    shares_release(tender)
    time_machine.move_to(tender.opening_at.replace(year=tender.opening_at.year + 1))  # Python says: long past
    with pytest.raises(TooEarly):
        opening_private_key(tender)
    set_times(tender, opening=-1)
    assert bytes(opening_private_key(tender)) == tender.test_private_key


def test_the_key_path_needs_k_shares_the_platform_share_alone_is_not_enough(tender):
    set_times(tender, deadline=-10, opening=-1)
    services.bid_close_tender(tender_id=tender.pk)
    assert KeyShareRelease.objects.filter(tender=tender).count() == 1  # the platform's, at closing
    with pytest.raises(QuorumMissing):
        opening_private_key(tender)
    shares_release(tender, count=1)
    assert bytes(opening_private_key(tender)) == tender.test_private_key


def test_opening_refuses_before_the_opening_time_and_changes_nothing(tender, supplier_user):
    submit(tender, supplier_user)
    set_times(tender, deadline=-10, opening=60)
    with pytest.raises(TooEarly):
        services.bid_open_all(tender_id=tender.pk)
    assert not OpeningRecord.objects.exists()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED  # not even closed by the refused call
    assert Bid.objects.get().status == Bid.Status.SUBMITTED


def test_closing_waits_for_the_deadline_by_the_database_clock(tender, supplier_user):
    submit(tender, supplier_user)
    assert services.bid_close_tender(tender_id=tender.pk) is None
    set_times(tender, deadline=-1)
    closing = services.bid_close_tender(tender_id=tender.pk)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED
    assert tender.next_check == tender.opening_at
    assert closing.bid_count == 1
    assert closing.commitments == [Bid.objects.get().current_version.commitment]
    assert services.bid_close_tender(tender_id=tender.pk).pk == closing.pk
    assert AuditEntry.objects.filter(action="tender.closed").count() == 1


def test_the_closing_list_has_current_versions_only_and_no_withdrawn_bid(tender):
    sam, tara, uma = bidder(), bidder(), bidder()
    submit(tender, sam, price="100")
    replaced = submit(tender, sam, price="99").version
    submit(tender, tara)
    withdrawn = submit(tender, uma).bid
    services.bid_withdraw(bid=withdrawn, actor=uma)
    set_times(tender, deadline=-1)
    closing = services.bid_close_tender(tender_id=tender.pk)
    assert closing.bid_count == 2
    assert replaced.commitment in closing.commitments
    assert withdrawn.current_version.commitment not in closing.commitments


def test_opening_decrypts_verifies_ranks_and_moves_everything_on(tender):
    sam, tara, uma = bidder(), bidder(), bidder()
    submit(tender, sam, price="95000000", documents=[("proposal.pdf", pdf_with("sam's plan"))])
    submit(tender, tara, price="90000000")
    submit(tender, uma, price="99000000")
    record = close_and_open(tender)
    assert record.outcome == OpeningRecord.Outcome.OPENED
    assert (record.bid_count, record.valid_count) == (3, 3)
    assert record.reference_price == tender.estimated_value
    ranked = list(OpenedBid.objects.filter(opening=record).order_by("rank"))
    assert [int(ob.price) for ob in ranked] == [90_000_000, 95_000_000, 99_000_000]
    assert [ob.rank for ob in ranked] == [1, 2, 3]
    assert all(ob.commitment_ok for ob in ranked)
    assert ranked[0].price_ratio == Decimal("90.0000")
    assert set(Bid.objects.values_list("status", flat=True)) == {Bid.Status.OPENED}
    document = OpenedDocument.objects.get()
    assert document.name == "proposal.pdf"
    assert document.hash_ok
    assert b"sam's plan" in bytes(document.content)
    assert tender.status == Tender.Status.OPENED
    assert tender.next_check is None
    entry = AuditEntry.objects.get(action="bid.open_all")
    assert len(entry.data["bids"]) == 3


def test_a_withdrawn_bid_is_never_opened(tender):
    sam, tara = bidder(), bidder()
    submit(tender, sam, price="95000000")
    withdrawn = submit(tender, tara, price="1000").bid
    services.bid_withdraw(bid=withdrawn, actor=tara)
    record = close_and_open(tender)
    assert record.bid_count == 1
    assert record.withdrawn_count == 1
    assert not OpenedBid.objects.filter(bid=withdrawn).exists()
    assert Bid.objects.get(pk=withdrawn.pk).status == Bid.Status.WITHDRAWN


def test_replaced_versions_stay_sealed_and_only_the_current_one_is_opened(tender, supplier_user):
    submit(tender, supplier_user, price="95000000")
    submit(tender, supplier_user, price="94000000")
    record = close_and_open(tender)
    opened = OpenedBid.objects.get(opening=record)
    assert opened.price == Decimal(94_000_000)
    assert opened.version.number == 2
    assert BidVersion.objects.filter(bid__tender=tender).count() == 2


def test_a_tampered_ciphertext_is_flagged_and_left_out_of_the_ranking(tender):
    sam, tara, uma = bidder(), bidder(), bidder()
    submit(tender, sam, price="95000000")
    victim = submit(tender, tara, price="90000000").version
    submit(tender, uma, price="99000000")
    set_times(tender, deadline=-2)
    services.bid_close_tender(tender_id=tender.pk)
    shares_release(tender)
    # A rogue database administrator flips one byte of the sealed content.
    tampered = bytearray(bytes(victim.sealed_content))
    tampered[-1] ^= 0x01
    BidVersion.objects.filter(pk=victim.pk).update(sealed_content=bytes(tampered))
    set_times(tender, opening=-1)
    record = services.bid_open_all(tender_id=tender.pk)
    flagged = OpenedBid.objects.get(bid=victim.bid)
    assert not flagged.commitment_ok
    assert flagged.outcome == OpenedBid.Outcome.COMMITMENT_FAILED
    assert flagged.rank is None
    assert flagged.price is None
    assert "does not match" in flagged.problem
    assert Bid.objects.get(pk=victim.bid_id).status == Bid.Status.DISQUALIFIED
    ranks = dict(OpenedBid.objects.filter(opening=record).values_list("bid__supplier_id", "rank"))
    assert ranks[sam.supplier_membership.supplier_id] == 1
    assert record.valid_count == 2


def test_a_ciphertext_replaced_together_with_its_commitment_is_caught_by_the_published_list(tender):
    sam = bidder()
    victim = submit(tender, sam, price="95000000").version
    set_times(tender, deadline=-2)
    services.bid_close_tender(tender_id=tender.pk)
    shares_release(tender)
    # The attacker re-seals another price to the (public) tender key and recomputes the commitment.
    forged = submit(published_tender(), bidder()).version  # any other valid ciphertext
    from procurement.sealing import commitment

    new_commitment = commitment(
        ciphertexts=[bytes(forged.sealed_content)], tender_ref=tender.reference, supplier_id=sam.pk, version=1
    )
    BidVersion.objects.filter(pk=victim.pk).update(
        sealed_content=bytes(forged.sealed_content), commitment=new_commitment
    )
    set_times(tender, opening=-1)
    services.bid_open_all(tender_id=tender.pk)
    flagged = OpenedBid.objects.get(bid=victim.bid)
    assert not flagged.commitment_ok


def test_a_tampered_document_is_flagged(tender, supplier_user):
    version = submit(tender, supplier_user, documents=[("p.pdf", pdf_with("plan"))]).version
    document = BidDocument.objects.get(version=version)
    BidDocument.objects.filter(pk=document.pk).update(ciphertext=bytes(document.ciphertext)[:-1] + b"\x00")
    record = close_and_open(tender)
    assert not OpenedBid.objects.get(opening=record).commitment_ok
    assert record.outcome == OpeningRecord.Outcome.UNSUCCESSFUL


def test_no_valid_bid_makes_the_tender_unsuccessful_with_a_record(tender):
    record = close_and_open(tender)
    assert record.bid_count == 0
    assert record.outcome == OpeningRecord.Outcome.UNSUCCESSFUL
    assert tender.status == Tender.Status.UNSUCCESSFUL
    assert "No valid bid" in tender.unsuccessful_reason


def test_equal_prices_share_a_rank_and_are_marked_as_a_tie(tender):
    for price in ("90000000", "90000000", "95000000"):
        submit(tender, bidder(), price=price)
    record = close_and_open(tender)
    rows = list(OpenedBid.objects.filter(opening=record).order_by("rank", "submitted_at"))
    assert [(r.rank, r.tied) for r in rows] == [(1, True), (1, True), (3, False)]


def test_a_cancelled_tender_is_not_opened(tender, official, supplier_user):
    from tenders.services import tender_cancel

    submit(tender, supplier_user)
    tender_cancel(tender=tender, actor=official, reason="Budget withdrawn")
    set_times(tender, deadline=-2, opening=-1)
    with pytest.raises(DomainError, match="closed tender"):
        services.bid_open_all(tender_id=tender.pk)
    assert not OpeningRecord.objects.exists()


def test_opening_writes_its_progress_to_the_cache_after_each_batch(tender, monkeypatch, settings):
    for _ in range(5):
        submit(tender, bidder())
    seen = []
    from bidding.services import opening

    original = opening._progress

    def spy(tender_id, done, total):
        original(tender_id, done, total)
        seen.append(cache.get(selectors.progress_key(tender_id)))

    monkeypatch.setattr(opening, "_progress", spy)
    settings.OPENING_BATCH_BIDS = 2
    close_and_open(tender)
    assert seen[:4] == [{"done": n, "total": 5} for n in (0, 2, 4, 5)]
    assert selectors.opening_progress(tender.pk) == {"done": 5, "total": 5}


def test_opening_survives_the_cache_being_down(tender, monkeypatch):
    from bidding.services import opening

    class DownCache:
        def set(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    submit(tender, bidder())
    monkeypatch.setattr(opening, "cache", DownCache())
    record = close_and_open(tender)
    assert record.valid_count == 1


def test_the_sweep_catches_up_a_tender_whose_deadline_and_opening_passed_while_it_was_down(supplier_user):
    overdue = published_tender()
    submit(overdue, supplier_user)
    future = published_tender()
    set_times(overdue, deadline=-3600, opening=-1800)  # nothing ran for an hour
    shares_release(overdue)  # a custodian released its share meanwhile; the platform's comes at closing
    report = services.tenders_advance_due()
    assert report.closed == [overdue.pk]
    assert report.opened == [overdue.pk]
    overdue.refresh_from_db()
    future.refresh_from_db()
    assert overdue.status == Tender.Status.OPENED
    assert overdue.next_check is None
    assert future.status == Tender.Status.PUBLISHED
    assert services.tenders_advance_due().opened == []


def test_the_sweep_closes_at_the_deadline_and_opens_later(supplier_user):
    tender = published_tender()
    submit(tender, supplier_user)
    set_times(tender, deadline=-1, opening=3600)
    report = services.tenders_advance_due()
    assert report.closed == [tender.pk]
    assert report.opened == []
    assert report.waiting == [tender.pk]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED
    assert tender.next_check == tender.opening_at
    shares_release(tender)
    set_times(tender, opening=-1)
    assert services.tenders_advance_due().opened == [tender.pk]


def test_the_management_command_opens_overdue_tenders(supplier_user):
    tender = published_tender()
    submit(tender, supplier_user)
    set_times(tender, deadline=-20, opening=-10)
    shares_release(tender)
    out = io.StringIO()
    call_command("open_overdue_tenders", stdout=out)
    assert tender.reference in out.getvalue()
    assert TenderClosing.objects.filter(tender=tender).exists()
    assert OpeningRecord.objects.filter(tender=tender).exists()


def test_bid_set_status_moves_opened_bids_through_evaluation(tender, official):
    submit(tender, bidder(), price="90000000")
    submit(tender, bidder(), price="95000000")
    close_and_open(tender)
    first, second = Bid.objects.order_by("opened__rank")
    first = services.bid_set_status(bid=first, to=Bid.Status.QUALIFIED, actor=official)
    assert first.status == Bid.Status.QUALIFIED
    services.bid_set_status(bid=first, to=Bid.Status.AWARDED, actor=official)
    with pytest.raises(DomainError, match="reason"):
        services.bid_set_status(bid=second, to=Bid.Status.DISQUALIFIED, actor=official)
    second = services.bid_set_status(bid=second, to=Bid.Status.DISQUALIFIED, actor=official, reason="Late bond")
    assert second.status_reason == "Late bond"
    from procurement.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.bid_set_status(bid=second, to=Bid.Status.AWARDED, actor=official)
    with pytest.raises(ValueError, match="bid_open_all"):
        services.bid_set_status(bid=second, to=Bid.Status.OPENED, actor=official)
    assert AuditEntry.objects.filter(action="bid.qualified").count() == 1


def test_a_sealed_bid_cannot_be_moved_by_bid_set_status(tender, official, supplier_user):
    from procurement.errors import InvalidTransition

    bid = submit(tender, supplier_user).bid
    with pytest.raises(InvalidTransition):
        services.bid_set_status(bid=bid, to=Bid.Status.QUALIFIED, actor=official)
