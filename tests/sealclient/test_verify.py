"""The verifier re-runs a real opening from its public bundle and names every tampering.

The tenders are opened by the portal's own services on the real database; the bundle comes from
the public endpoint or bidding.bundle, as an outsider would download it.
"""

import copy
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from bidding.bundle import opening_bundle
from bidding.models import OpenedBid, OpeningRecord
from sealclient import sealing
from sealclient.cli import main as cli
from sealclient.verify import verify_bundle
from tests.bidding.helpers import bidder, close_and_open, published_tender, set_times, submit
from tests.sealclient.helpers import VALUES, reserve_tender
from tests.sealclient.helpers import opened_reserve_tender as opened_reserve_tender_made

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened_reserve_tender():
    return opened_reserve_tender_made()


def _by_supplier(report, user):
    return next(b for b in report.bids if b.supplier_id == user.supplier_membership.supplier_id)


def test_the_verifier_agrees_with_an_honest_opening_and_recomputes_every_number(opened_reserve_tender):
    tender, record, users = opened_reserve_tender
    report = verify_bundle(opening_bundle(tender))
    assert report.ok, report.summary()
    assert report.planned_price == record.planned_price
    assert report.floor_price == record.floor_price
    assert _by_supplier(report, users[0]).outcome == "below_floor"
    assert _by_supplier(report, users[3]).outcome == "above_planned"
    # The bid tampered with in the database: flagged by the portal and, from the bundle, by the verifier.
    assert OpenedBid.objects.get(bid__supplier=users[4].supplier_membership.supplier).outcome == "commitment_failed"
    assert _by_supplier(report, users[4]).outcome == "commitment_failed"
    first = [_by_supplier(report, users[1]), _by_supplier(report, users[2])]
    assert [(b.rank, b.tied) for b in first] == [(1, True), (1, True)]
    assert sorted(report.winners) == sorted(u.supplier_membership.supplier_id for u in users[1:3])


def test_the_public_endpoint_serves_the_bundle_only_after_opening(client):
    tender = published_tender()
    submit(tender, bidder(), price="90000000")
    url = f"/api/v1/tenders/{tender.reference}/opening-bundle/"
    assert client.get(url).status_code == 404
    set_times(tender, deadline=-2)
    assert client.get(url).status_code == 404  # closed, not opened: the key stays secret
    close_and_open(tender)
    response = client.get(url)
    assert response.status_code == 200
    assert verify_bundle(response.json()).ok


def test_a_price_changed_in_the_published_record_is_named(opened_reserve_tender):
    tender, _record, users = opened_reserve_tender
    supplier = users[1].supplier_membership.supplier
    OpenedBid.objects.filter(bid__supplier=supplier).update(price=Decimal(94_000_000))
    report = verify_bundle(opening_bundle(tender))
    assert [str(d) for d in report.differences] == [
        f"bid of supplier {supplier.pk}: price differs (published '94000000.00', recomputed '95000000')"
    ]


def test_a_changed_planned_price_and_a_moved_winner_are_named(opened_reserve_tender):
    tender, _record, users = opened_reserve_tender
    OpeningRecord.objects.filter(tender=tender).update(planned_price=Decimal(99_999_999))
    OpenedBid.objects.filter(bid__supplier=users[3].supplier_membership.supplier).update(outcome="ranked", rank=1)
    messages = [str(d) for d in verify_bundle(opening_bundle(tender)).differences]
    assert any(m.startswith("planned price: differs") for m in messages)
    supplier_id = users[3].supplier_membership.supplier_id
    assert (
        f"bid of supplier {supplier_id}: outcome differs (published 'ranked', recomputed 'above_planned')" in messages
    )
    assert f"bid of supplier {supplier_id}: rank differs (published 1, recomputed None)" in messages


def test_a_swapped_ciphertext_in_the_bundle_fails_its_commitment(opened_reserve_tender):
    tender, _record, users = opened_reserve_tender
    bundle = opening_bundle(tender)
    bids = {b["supplier_id"]: b for b in bundle["bids"]}
    first, second = (u.supplier_membership.supplier_id for u in users[:2])
    bids[first]["content"], bids[second]["content"] = bids[second]["content"], bids[first]["content"]
    messages = [str(d) for d in verify_bundle(bundle).differences]
    assert f"bid of supplier {first}: commitment check differs (published True, recomputed False)" in messages
    assert f"bid of supplier {second}: commitment check differs (published True, recomputed False)" in messages


def test_a_wrong_private_key_is_named_and_nothing_opens(opened_reserve_tender):
    tender, _record, _users = opened_reserve_tender
    bundle = opening_bundle(tender)
    bundle["tender"]["private_key"] = sealing.b64encode(sealing.keypair()[1])
    report = verify_bundle(bundle)
    assert str(report.differences[0]) == (
        "tender key: the published private key does not belong to the tender's public key"
    )
    assert all(b.outcome == "commitment_failed" for b in report.bids if b.commitment_ok is False)


def test_a_reserve_price_outside_its_slice_is_named():
    moved = [*VALUES[:6], VALUES[6] + 400_000, *VALUES[7:]]
    tender = reserve_tender()
    submit(tender, bidder(), price="95000000", picks=(1, 2))
    close_and_open(tender)
    # The portal refuses to open such a draw; a bundle edited to carry one is still caught.
    bundle = opening_bundle(tender)
    sealed = sealing.reserve_prices_seal(
        tender_public_key=bytes(tender.public_key), tender_reference=tender.reference, amendment=tender.version,
        base_price=Decimal(100_000_000), range_pct=Decimal(2), count=15, values=moved,
    )  # fmt: skip
    bundle["reserve_prices"] = {"ciphertext": sealing.b64encode(sealed.ciphertext), "commitment": sealed.commitment}
    messages = [str(d) for d in verify_bundle(bundle).differences if "reserve price 7" in str(d)]
    assert messages[0] == (
        f"reserve price 7: {moved[6]} lies outside slice 7 of the range, so it was not drawn by the rule"
    )


def test_a_reserve_price_ciphertext_that_does_not_match_its_commitment_is_named(opened_reserve_tender):
    tender, _record, _users = opened_reserve_tender
    bundle = opening_bundle(tender)
    bundle["reserve_prices"]["commitment"] = "0" * 64
    messages = [str(d) for d in verify_bundle(bundle).differences]
    assert messages[0].startswith("reserve prices: the ciphertext does not match the commitment published")


def test_the_command_exits_non_zero_and_names_each_difference(opened_reserve_tender, capsys):
    tender, _record, users = opened_reserve_tender
    call_command("verify_opening", tender.reference)
    assert "agrees with the sealed data" in capsys.readouterr().out
    OpenedBid.objects.filter(bid__supplier=users[1].supplier_membership.supplier).update(rank=2)
    with pytest.raises(SystemExit) as exited:
        call_command("verify_opening", tender.reference)
    assert exited.value.code == 1
    assert (
        f"bid of supplier {users[1].supplier_membership.supplier_id}: rank differs (published 2, recomputed 1)"
        in capsys.readouterr().err
    )


def test_the_cli_verifies_a_downloaded_bundle_and_a_bidder_proves_its_bid(opened_reserve_tender, tmp_path, capsys):
    tender, _record, _users = opened_reserve_tender
    bundle = opening_bundle(tender)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    assert cli(["verify", "--file", str(path)]) == 0
    tampered = copy.deepcopy(bundle)
    tampered["record"]["floor_price"] = "1"
    path.write_text(json.dumps(tampered))
    assert cli(["verify", "--file", str(path)]) == 1
    assert "floor price: differs" in capsys.readouterr().out


def test_a_bidder_proves_with_its_salt_what_it_sealed(tmp_path, capsys):
    content = sealing.bid_content(tender_reference="T-1", supplier_id=1, currency="KRW", price="5000")
    public, private = sealing.keypair()
    sealed = sealing.bid_seal(public, content)
    opened = tmp_path / "opened.json"
    opened.write_bytes(sealing.unseal(private, sealed.content_ct))
    salt = sealing.b64encode(sealed.salt)
    assert cli(["prove", "--salt", salt, "--content", str(opened), "--hash", sealed.plaintext_hash]) == 0
    assert "It matches the receipt." in capsys.readouterr().out
    opened.write_bytes(opened.read_bytes().replace(b"5000", b"4000"))
    assert cli(["prove", "--salt", salt, "--content", str(opened), "--hash", sealed.plaintext_hash]) == 1


def test_the_bundle_carries_the_closing_list_and_a_bid_it_lacks_is_named(opened_reserve_tender):
    """The commitments published at the deadline are in the bundle; one dropped from the bundle's bids
    (or a bid that is not in the list) is named once."""
    from bidding.models import TenderClosing

    tender, _record, users = opened_reserve_tender
    bundle = opening_bundle(tender)
    closing = TenderClosing.objects.get(tender=tender)
    assert bundle["closing"] == {"bid_count": closing.bid_count, "commitments": closing.commitments}
    supplier_id = users[1].supplier_membership.supplier_id
    bundle["bids"] = [b for b in bundle["bids"] if b["supplier_id"] != supplier_id]
    bundle["record"]["bids"] = [b for b in bundle["record"]["bids"] if b["supplier_id"] != supplier_id]
    messages = [str(d) for d in verify_bundle(bundle).differences]
    assert "closing list: 1 commitment(s) published at the deadline belong to no bid in the bundle" in messages
