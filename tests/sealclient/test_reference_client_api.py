"""The reference client end to end over HTTP against a live portal: seal a bid from a file, submit it
to the bids API with a token (a retry with the same idempotency key makes no second bid), and after
the quorum opening verify the opening and prove what was sealed — the same commands a supplier or an
observer runs."""

import json

import pytest
from rest_framework.authtoken.models import Token

from bidding.models import BidVersion, OpenedBid
from sealclient.cli import main as cli
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reference_client_seals_submits_verifies_and_proves_over_http(live_server, tmp_path, capsys):
    tender = published_tender(evaluation_method="floor_rate_reserve", estimated_value=100_000_000)
    submit(tender, bidder(), price="97000000", picks=(1, 2))  # a rival sealed by the bid page's path
    user = bidder()
    supplier = user.supplier_membership.supplier
    token = Token.objects.create(user=user)
    (tmp_path / "proposal.pdf").write_bytes(pdf_with("reference client proposal"))
    bid = {
        "tender_id": tender.pk,
        "supplier_id": supplier.pk,
        "price": "95000000",
        "reserve_picks": [2, 7],
        "documents": [{"path": "proposal.pdf", "content_type": "application/pdf"}],
    }
    (tmp_path / "bid.json").write_text(json.dumps(bid))
    sealed_path = tmp_path / "sealed.json"

    assert cli(["seal", "--bid", str(tmp_path / "bid.json"), "--url", live_server.url, "--out", str(sealed_path)]) == 0
    capsys.readouterr()
    sealed = sealed_path.read_text()
    assert "95000000" not in sealed
    assert "reference client proposal" not in sealed

    assert cli(["submit", str(sealed_path), "--url", live_server.url, "--token", token.key]) == 0
    receipt = json.loads(capsys.readouterr().out)
    version = BidVersion.objects.get(supplier=supplier)
    assert receipt["commitment"] == version.commitment
    # A retry (network error, double run) returns the first receipt and makes no second bid.
    assert cli(["submit", str(sealed_path), "--url", live_server.url, "--token", token.key]) == 0
    assert json.loads(capsys.readouterr().out)["commitment"] == version.commitment
    assert BidVersion.objects.filter(supplier=supplier).count() == 1

    close_and_open(tender)
    opened = OpenedBid.objects.get(bid__supplier=supplier)
    assert (opened.outcome, str(opened.price)) == ("ranked", "95000000.00")

    assert cli(["verify", "--url", live_server.url, "--tender", tender.reference]) == 0
    assert "agrees with the sealed data" in capsys.readouterr().out
    keep = str(sealed_path.with_suffix(".keep.json"))
    args = ["prove", "--url", live_server.url, "--tender", tender.reference, "--supplier", str(supplier.pk)]
    assert cli([*args, "--keep", keep]) == 0
    assert "exactly what this salt's owner sealed" in capsys.readouterr().out


def test_the_api_refuses_a_wrong_token_with_a_clear_error(live_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    tender = published_tender()
    sealed_path = tmp_path / "sealed.json"
    sealed_path.write_text(
        json.dumps({"tender": tender.pk, "content": "AAAA", "documents": [], "plaintext_hash": "0" * 64})
    )
    assert cli(["submit", str(sealed_path), "--url", live_server.url, "--token", "not-a-token"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: 403 from ")
    assert "Invalid token." in error


def test_the_reference_client_seals_and_submits_two_envelopes_and_verifies_both_stages(
    live_server, tmp_path, capsys, official, settings
):
    from datetime import timedelta

    from bidding import services

    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=0)
    tender = published_tender(entity=official.official.entity, created_by=official, envelopes=2)
    user = bidder()
    supplier = user.supplier_membership.supplier
    token = Token.objects.create(user=user)
    (tmp_path / "method.pdf").write_bytes(pdf_with("two envelope method statement"))
    bid = {"tender_id": tender.pk, "supplier_id": supplier.pk, "price": "93000000", "documents": ["method.pdf"]}
    (tmp_path / "bid.json").write_text(json.dumps(bid))
    sealed_path = tmp_path / "sealed.json"
    assert cli(["seal", "--bid", str(tmp_path / "bid.json"), "--url", live_server.url, "--out", str(sealed_path)]) == 0
    sealed = json.loads(sealed_path.read_text())
    assert {"price_content", "price_plaintext_hash"} <= set(sealed)  # the tender's API said two envelopes
    assert cli(["submit", str(sealed_path), "--url", live_server.url, "--token", token.key]) == 0
    capsys.readouterr()
    version = BidVersion.objects.get(supplier=supplier)
    assert version.price_commitment
    assert version.price_commitment != version.commitment

    record = close_and_open(tender)
    row = OpenedBid.objects.get(opening=record)
    assert row.price is None  # the technical stage only
    services.technical_assess(opened_bid=row, actor=official, compliant=True)
    services.technical_publish(tender_id=tender.pk, actor=official)
    services.price_envelopes_open(tender_id=tender.pk)
    row.refresh_from_db()
    assert str(row.price) == "93000000.00"
    assert cli(["verify", "--url", live_server.url, "--tender", tender.reference]) == 0
    assert "agrees with the sealed data" in capsys.readouterr().out
