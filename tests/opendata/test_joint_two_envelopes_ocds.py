"""OCDS of issue 13's parts together: a consortium bidding in a two-envelope tender with a fixed bid
security. The consortium is the tenderer from the technical opening on (never its lead company alone),
the security rule is in the notice, and the whole record is valid OCDS (libcoveocds)."""

from datetime import timedelta

import pytest
from django.test import Client

from bidding import services
from bidding.models import OpenedBid
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit_two
from tests.bidding.joint import attach_security, company, form_consortium

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url  # libcoveocds fetches the extension from here (validation.py)
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=0)
    return live_server


def record_of(tender) -> dict:
    response = Client().get(f"/api/v1/ocds/records/{tender.ocid}/")
    assert response.status_code == 200
    return response.json()


def test_a_consortium_in_a_two_envelope_tender_is_one_tenderer_at_both_openings(official):
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        envelopes=2,
        consortium_allowed=True,
        bid_security_kind="fixed",
        bid_security_value=3_000_000,
    )
    lead, partners, rival = bidder(), [bidder(), bidder()], bidder()
    consortium = form_consortium(tender, lead, partners)
    attach_security(tender, lead, amount=3_000_000)
    attach_security(tender, rival, amount=3_000_000)
    submit_two(tender, lead, price="91000000")
    submit_two(tender, rival, price="93000000")
    record = close_and_open(tender)
    consortium_id = f"{tender.ocid}-consortium-{consortium.pk}"

    package = record_of(tender)
    assert_valid_ocds(package)
    technical = next(r for r in package["records"][0]["releases"] if r["id"].endswith("-technical-opening"))
    assert {t["id"] for t in technical["tender"]["tenderers"]} == {
        consortium_id,
        f"KR-BRN-{company(rival).registration_number}",
    }

    for opened in OpenedBid.objects.filter(opening=record):
        services.technical_assess(opened_bid=opened, actor=official, compliant=True)
    services.technical_publish(tender_id=tender.pk, actor=official)
    services.price_envelopes_open(tender_id=tender.pk)

    package = record_of(tender)
    assert_valid_ocds(package)
    compiled = package["records"][0]["compiledRelease"]
    tenderers = {t["id"] for t in compiled["tender"]["tenderers"]}
    assert tenderers == {consortium_id, f"KR-BRN-{company(rival).registration_number}"}
    assert compiled["tender"]["bidSecurity"] == {"type": "fixed", "value": {"amount": 3000000, "currency": "KRW"}}
    assert compiled["tender"]["envelopes"] == 2
    parties = {p["id"]: p for p in compiled["parties"]}
    members = {m["id"] for m in parties[consortium_id]["consortium"]["members"]}
    assert members == {f"KR-BRN-{company(u).registration_number}" for u in (lead, *partners)}
    assert all("tenderer" in parties[m]["roles"] for m in members)
    details = {d["tenderers"][0]["id"]: d for d in compiled["bids"]["details"]}
    assert details[consortium_id]["value"]["amount"] == 91000000
