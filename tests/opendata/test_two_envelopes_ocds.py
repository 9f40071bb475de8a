"""OCDS of a two-envelope tender: the technical opening, the published technical results and the
price opening are separate releases; a non-compliant bid's price is never in them; valid OCDS."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from bidding import services
from bidding.models import OpenedBid
from contracts.services import evaluation_start
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit_two

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url  # libcoveocds fetches the extension from here (validation.py)
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=0)
    return live_server


def package_of(tender) -> dict:
    response = Client().get(f"/api/v1/ocds/releases/{tender.ocid}/")
    assert response.status_code == 200
    return response.json()


def test_a_two_envelope_tender_publishes_its_stages_and_never_the_unopened_price(official):
    tender = published_tender(entity=official.official.entity, created_by=official, envelopes=2)
    compliant, failing = bidder(), bidder()
    submit_two(tender, compliant, price="91000000")
    submit_two(tender, failing, price="77777000")
    record = close_and_open(tender)
    assert_valid_ocds(package_of(tender))  # the technical opening: no price anywhere
    rows = {r.supplier_id: r for r in OpenedBid.objects.filter(opening=record)}
    good = rows[compliant.supplier_membership.supplier.pk]
    bad = rows[failing.supplier_membership.supplier.pk]
    services.technical_assess(opened_bid=good, actor=official, compliant=True)
    services.technical_assess(opened_bid=bad, actor=official, compliant=False, reason="시공 실적 미달")
    services.technical_publish(tender_id=tender.pk, actor=official)
    services.price_envelopes_open(tender_id=tender.pk)
    evaluation_start(tender=tender, actor=official)

    package = package_of(tender)
    assert_valid_ocds(package)
    text = json.dumps(package, ensure_ascii=False)
    assert "77777000" not in text
    by_key = {r["id"].removeprefix(f"{tender.ocid}-"): r for r in package["releases"]}
    assert by_key["tender-0"]["tender"]["envelopes"] == 2
    assert "Two envelopes" in by_key["tender-0"]["tender"]["submissionMethodDetails"]
    technical = {d["id"]: d for d in by_key["technical-opening"]["bids"]["details"]}
    assert all("value" not in d for d in technical.values())
    results = {d["id"]: d for d in by_key["technical-results"]["bids"]["details"]}
    assert "status" not in results[str(bad.bid_id)]  # not final before the complaint window ends
    assert results[str(bad.bid_id)]["technicalResult"] == {
        "compliant": False,
        "reason": "시공 실적 미달",
        "date": results[str(bad.bid_id)]["technicalResult"]["date"],
    }
    prices = {d["id"]: d for d in by_key["price-opening"]["bids"]["details"]}
    assert prices[str(good.bid_id)]["value"]["amount"] == 91000000
    assert prices[str(bad.bid_id)]["status"] == "disqualified"
    assert prices[str(bad.bid_id)]["priceOpened"] is False
    assert prices[str(bad.bid_id)]["openingOutcome"] == "priceNotOpened"
    assert "value" not in prices[str(bad.bid_id)]
