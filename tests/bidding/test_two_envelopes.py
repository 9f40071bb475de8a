"""Two envelopes: technical envelopes open first; prices open only for compliant bids, after the
technical results are published and their complaint window has passed; the other price envelopes
are never decrypted — not by the portal, and not by anyone holding the published opening bundle."""

import json
from datetime import timedelta

import pytest
from nacl.public import SealedBox

from bidding import services
from bidding.bundle import opening_bundle
from bidding.keys import TooEarly
from bidding.models import Bid, OpenedBid, OpeningRecord, TechnicalComplaint, TenderClosing
from bidding.services.envelopes import TechnicalNotFinal
from contracts.services import evaluation_start
from procurement.errors import Conflict, Invalid, InvalidTransition
from procurement.models import AuditEntry, Outbox
from sealclient.sealing import b64decode, unseal
from sealclient.verify import verify_bundle
from tenders.services.common import validate_content
from tests.bidding.helpers import (
    bidder,
    close_and_open,
    end_complaint_window,
    pdf_with,
    published_tender,
    submit,
    submit_two,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(official):
    return published_tender(entity=official.official.entity, created_by=official, envelopes=2)


@pytest.fixture
def three_bids(two):
    """Alpha (lowest price), Beta and Gamma bid with a technical proposal each."""
    users = {name: bidder(supplier__name_en=name) for name in ("Alpha", "Beta", "Gamma")}
    prices = {"Alpha": "81000000", "Beta": "90000000", "Gamma": "95000000"}
    versions = {
        name: submit_two(two, user, price=prices[name], documents=[("proposal.pdf", pdf_with(f"PLAN-{name}"))]).version
        for name, user in users.items()
    }
    return users, versions


def rows_by_name(record) -> dict[str, OpenedBid]:
    return {row.supplier.name_en: row for row in OpenedBid.objects.filter(opening=record).select_related("supplier")}


def test_a_two_envelope_bid_gets_a_commitment_per_envelope_on_its_receipt_and_in_the_closing(two, three_bids):
    from bidding.receipts import receipt_for_version

    _users, versions = three_bids
    receipt = receipt_for_version(versions["Alpha"]).as_json()
    assert receipt["commitment"] == versions["Alpha"].commitment
    assert receipt["price_commitment"] == versions["Alpha"].price_commitment
    assert receipt["commitment"] != receipt["price_commitment"]
    close_and_open(two)
    closing = TenderClosing.objects.get(tender=two)
    assert closing.bid_count == 3
    assert {v.commitment for v in versions.values()} | {v.price_commitment for v in versions.values()} == set(
        closing.commitments
    )


def test_a_two_envelope_tender_refuses_a_bid_without_its_price_envelope_and_a_one_envelope_tender_one_with_it(two):
    with pytest.raises(Invalid) as refused:
        submit(two, bidder())
    assert refused.value.field == "price_content"
    one = published_tender()
    user = bidder()
    with pytest.raises(Invalid) as refused:
        # A one-envelope tender: sealing the price separately is refused, not silently ignored.
        submit_two(one, user)
    assert refused.value.field == "price_content"


def test_best_value_may_be_chosen_with_two_envelopes_and_three_envelopes_never(official):
    # Its committee scores the technical envelopes (tests/contracts/test_best_value_two_envelopes.py).
    draft = published_tender(entity=official.official.entity, created_by=official)
    draft.evaluation_method, draft.envelopes = "best_value", 2
    draft.evaluation_params = {}
    assert "envelopes" not in validate_content(draft)
    draft.envelopes = 3
    assert "envelopes" in validate_content(draft)


def test_at_the_opening_time_only_technical_envelopes_open_and_the_key_stays_unpublished(two, three_bids):
    record = close_and_open(two)
    assert record.stage == OpeningRecord.Stage.TECHNICAL
    rows = rows_by_name(record)
    assert {r.outcome for r in rows.values()} == {OpenedBid.Outcome.AWAITING_PRICE}
    assert all(r.price is None and not r.price_opened and r.commitment_ok for r in rows.values())
    assert bytes(rows["Beta"].documents.get().content) == pdf_with("PLAN-Beta")
    assert record.private_key is None
    assert record.held_key is not None
    assert opening_bundle(two) is None  # nothing re-runnable (nor the key) before the prices open
    assert two.status == "closed"
    assert set(Bid.objects.filter(tender=two).values_list("status", flat=True)) == {Bid.Status.OPENED}


def test_opening_a_price_envelope_before_the_technical_results_are_final_is_refused(two, three_bids, official):
    record = close_and_open(two)
    with pytest.raises(TechnicalNotFinal):
        services.price_envelopes_open(tender_id=two.pk)
    for row in rows_by_name(record).values():
        services.technical_assess(opened_bid=row, actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    # Published, but the complaint window (24 hours by default) is still running by the database clock.
    with pytest.raises(TooEarly):
        services.price_envelopes_open(tender_id=two.pk)
    assert not OpenedBid.objects.filter(opening=record, price_opened=True).exists()
    assert OpeningRecord.objects.get(pk=record.pk).stage == OpeningRecord.Stage.TECHNICAL_PUBLISHED


def test_a_non_compliant_decision_needs_a_reason_and_results_cannot_change_after_publication(two, three_bids, official):
    record = close_and_open(two)
    rows = rows_by_name(record)
    with pytest.raises(Invalid):
        services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason=" ")
    with pytest.raises(Conflict):
        services.technical_publish(tender_id=two.pk, actor=official)  # undecided bids
    for row in rows.values():
        services.technical_assess(opened_bid=row, actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    with pytest.raises(InvalidTransition):
        services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason="late change")


def test_only_the_entitys_officials_decide_compliance(two, three_bids, outsider):
    from procurement.errors import Forbidden

    record = close_and_open(two)
    with pytest.raises(Forbidden):
        services.technical_assess(opened_bid=rows_by_name(record)["Alpha"], actor=outsider, compliant=True)


def test_the_price_of_a_non_compliant_bid_is_never_decrypted_and_the_bundle_cannot_reveal_it(
    two, three_bids, official, monkeypatch
):
    users, versions = three_bids
    record = close_and_open(two)
    rows = rows_by_name(record)
    services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason="No site manager")
    services.technical_assess(opened_bid=rows["Beta"], actor=official, compliant=True)
    services.technical_assess(opened_bid=rows["Gamma"], actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    # Published, not yet final: the complaint window runs, the bid is not disqualified yet.
    assert Bid.objects.get(pk=rows["Alpha"].bid_id).status == Bid.Status.OPENED
    told = Outbox.objects.filter(event="bid.technical_result", recipient=users["Alpha"]).get()
    assert "never be opened" in told.body

    # Every decryption the price stage makes goes through libsodium's sealed box: record them.
    decrypted = []
    real_decrypt = SealedBox.decrypt

    def spy(box, ciphertext, *args, **kwargs):
        decrypted.append(bytes(ciphertext))
        return real_decrypt(box, ciphertext, *args, **kwargs)

    monkeypatch.setattr(SealedBox, "decrypt", spy)
    end_complaint_window(two)
    record = services.price_envelopes_open(tender_id=two.pk)
    monkeypatch.undo()

    alpha_price_ct = bytes(versions["Alpha"].sealed_price)
    assert alpha_price_ct not in decrypted
    assert bytes(versions["Beta"].sealed_price) in decrypted
    rows = rows_by_name(record)
    alpha_bid = Bid.objects.get(pk=rows["Alpha"].bid_id)
    assert alpha_bid.status == Bid.Status.DISQUALIFIED
    assert "No site manager" in alpha_bid.status_reason
    assert rows["Alpha"].outcome == OpenedBid.Outcome.PRICE_NOT_OPENED
    assert rows["Alpha"].price is None
    assert not rows["Alpha"].price_opened
    assert [rows["Beta"].rank, rows["Gamma"].rank] == [1, 2]
    assert record.stage == OpeningRecord.Stage.COMPLETE
    assert record.held_key is None
    # The stored price envelope is still the ciphertext that was submitted.
    assert bytes(Bid.objects.get(pk=rows["Alpha"].bid_id).current_version.sealed_price) == alpha_price_ct
    entry = AuditEntry.objects.get(action="bid.open_prices")
    assert entry.data["price_not_opened"] == [rows["Alpha"].bid_id]

    # The bundle publishes the tender's private key; Alpha's price envelope is only a hash in it.
    bundle = opening_bundle(two)
    private = b64decode(bundle["tender"]["private_key"])
    alpha = next(b for b in bundle["bids"] if b["supplier_id"] == rows["Alpha"].supplier_id)
    assert alpha["price_content"] is None
    assert "81000000" not in json.dumps(bundle)
    readable = []
    for item in bundle["bids"]:
        for ct in [item["content"], *item["documents"], item.get("price_content")]:
            if ct:
                readable.append(unseal(private, b64decode(ct)))
    assert not any(b"81000000" in plaintext for plaintext in readable)
    assert alpha_price_ct not in [b64decode(ct) for item in bundle["bids"] for ct in [item.get("price_content")] if ct]
    # The verifier re-runs both stages from the bundle alone and agrees with the record.
    report = verify_bundle(bundle)
    assert report.ok, report.summary()
    assert report.winners == [rows["Beta"].supplier_id]


def test_the_price_stage_runs_once(two, three_bids, official):
    record = close_and_open(two)
    for row in rows_by_name(record).values():
        services.technical_assess(opened_bid=row, actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    end_complaint_window(two)
    first = services.price_envelopes_open(tender_id=two.pk)
    again = services.price_envelopes_open(tender_id=two.pk)
    assert first.pk == again.pk
    assert AuditEntry.objects.filter(action="bid.open_prices").count() == 1
    assert services.bid_open_all(tender_id=two.pk).stage == OpeningRecord.Stage.COMPLETE


def test_the_scheduler_opens_the_prices_when_the_window_ends_and_evaluation_follows_the_method(
    two, three_bids, official, settings
):
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=0)
    record = close_and_open(two)
    rows = rows_by_name(record)
    services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason="No licence")
    for name in ("Beta", "Gamma"):
        services.technical_assess(opened_bid=rows[name], actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    report = services.tenders_advance_due()
    assert two.pk in report.opened
    two.refresh_from_db()
    assert two.status == "opened"
    evaluation = evaluation_start(tender=two, actor=official)
    ranked = {a.bid.supplier.name_en: a for a in evaluation.assessments.select_related("bid__supplier")}
    assert not ranked["Alpha"].admissible
    assert ranked["Beta"].rank == 1
    assert ranked["Gamma"].rank == 2


def test_a_floor_rate_tender_draws_its_planned_price_from_the_compliant_bids_picks(official, settings):
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=0)
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="floor_rate_reserve",
        estimated_value=100_000_000,
        envelopes=2,
    )
    submit_two(tender, bidder(), price="99000000", picks=(1, 2))
    submit_two(tender, bidder(), price="98000000", picks=(14, 15))
    record = close_and_open(tender)
    first, second = OpenedBid.objects.filter(opening=record).order_by("pk")
    services.technical_assess(opened_bid=first, actor=official, compliant=True)
    services.technical_assess(opened_bid=second, actor=official, compliant=False, reason="Expired licence")
    services.technical_publish(tender_id=tender.pk, actor=official)
    record = services.price_envelopes_open(tender_id=tender.pk)
    picked = {r["number"] for r in record.reserve_prices if r["picks"]}
    assert picked == {1, 2}  # the non-compliant bid's picks were never opened, so never counted
    assert verify_bundle(opening_bundle(tender)).ok


def test_a_complaint_holds_the_prices_and_an_upheld_one_opens_the_complainants_price(
    two, three_bids, official, client_for
):
    users, _versions = three_bids
    record = close_and_open(two)
    rows = rows_by_name(record)
    services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason="No site manager")
    for name in ("Beta", "Gamma"):
        services.technical_assess(opened_bid=rows[name], actor=official, compliant=True)
    services.technical_publish(tender_id=two.pk, actor=official)
    response = client_for(users["Alpha"]).post(
        f"/bids/tender/{two.pk}/technical/complaint/", {"grounds": "현장대리인 선임계를 제출했습니다."}, follow=True
    )
    assert "Your complaint was lodged" in response.content.decode()
    end_complaint_window(two)
    # The window is over but a complaint is open: the prices wait.
    with pytest.raises(TechnicalNotFinal):
        services.price_envelopes_open(tender_id=two.pk)
    complaint = TechnicalComplaint.objects.get()
    with pytest.raises(Conflict):
        # …and nobody complains once the window has ended.
        services.technical_complaint_lodge(tender_id=two.pk, actor=users["Beta"], grounds="late")
    services.technical_complaint_decide(complaint=complaint, actor=official, uphold=True, answer="선임계 확인됨")
    record = services.price_envelopes_open(tender_id=two.pk)
    rows = rows_by_name(record)
    assert rows["Alpha"].price_opened
    assert rows["Alpha"].rank == 1  # the lowest price, now that its bid complies
    assert Bid.objects.get(pk=rows["Alpha"].bid_id).status == Bid.Status.OPENED
    assert Outbox.objects.filter(event="bid.technical_complaint_decided", recipient=users["Alpha"]).exists()


def test_only_bidders_of_the_tender_complain_about_its_technical_results(two, three_bids, official):
    from procurement.errors import Forbidden

    record = close_and_open(two)
    for row in rows_by_name(record).values():
        services.technical_assess(opened_bid=row, actor=official, compliant=True)
    with pytest.raises(Conflict):
        # Not published yet.
        services.technical_complaint_lodge(tender_id=two.pk, actor=three_bids[0]["Alpha"], grounds="too early")
    services.technical_publish(tender_id=two.pk, actor=official)
    with pytest.raises(Forbidden):
        services.technical_complaint_lodge(tender_id=two.pk, actor=bidder(), grounds="not a bidder")


@pytest.mark.django_db(transaction=True)
def test_the_price_stage_run_concurrently_opens_each_price_once(official):
    from tests.bidding.test_concurrency import in_threads

    tender = published_tender(entity=official.official.entity, created_by=official, envelopes=2)
    for i in range(4):
        submit_two(tender, bidder(), price=str(90_000_000 + i))
    record = close_and_open(tender)
    for row in OpenedBid.objects.filter(opening=record):
        services.technical_assess(opened_bid=row, actor=official, compliant=True)
    services.technical_publish(tender_id=tender.pk, actor=official)
    end_complaint_window(tender)
    records = in_threads(5, lambda i: services.price_envelopes_open(tender_id=tender.pk))
    assert len({r.pk for r in records}) == 1
    assert AuditEntry.objects.filter(action="bid.open_prices").count() == 1
    assert AuditEntry.objects.filter(action="tender.opened").count() == 1
    assert sorted(OpenedBid.objects.filter(opening=record).values_list("rank", flat=True)) == [1, 2, 3, 4]
