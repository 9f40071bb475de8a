"""OCDS for joint bidding and bid securities: the consortium is one tenderer whose members are parties
with their shares; every member's signature is in the contract; a rejected security says so. Valid
against the standard with the koneps extension (libcoveocds)."""

import pytest
from django.test import Client

from contracts import services
from tests.bidding.joint import company
from tests.contracts.test_consortium_contracts import won_by_consortium
from tests.contracts.test_contracts import sign, terms

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server


def get_json(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_consortiums_tender_from_opening_to_signed_contract_is_valid_ocds(official):
    award, lead, partners, _rival = won_by_consortium(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    for user in (official, lead, *partners):
        sign(contract, user)
    tender = award.tender
    members = [company(lead), *(company(p) for p in partners)]

    record_package = get_json(f"/api/v1/ocds/records/{tender.ocid}/")
    [record] = record_package["records"]
    release = record["compiledRelease"]

    consortium_id = f"{tender.ocid}-consortium-{award.bid.consortium_id}"
    parties = {p["id"]: p for p in release["parties"]}
    consortium = parties[consortium_id]
    assert set(consortium["roles"]) == {"tenderer", "supplier"}
    assert consortium["consortium"]["performance"] == "joint"
    assert [(m["id"], m["share"], m.get("lead", False)) for m in consortium["consortium"]["members"]] == [
        (f"KR-BRN-{members[0].registration_number}", 50, True),
        (f"KR-BRN-{members[1].registration_number}", 30, False),
        (f"KR-BRN-{members[2].registration_number}", 20, False),
    ]
    for member in members:
        assert set(parties[f"KR-BRN-{member.registration_number}"]["roles"]) == {"tenderer", "supplier"}
    assert {"id": consortium_id, "name": award.bid.consortium.name} in release["tender"]["tenderers"]
    assert release["awards"][0]["suppliers"] == [{"id": consortium_id, "name": award.bid.consortium.name}]
    assert release["tender"]["jointBiddingAllowed"] is True
    assert release["tender"]["bidSecurity"] == {"type": "percentOfBid", "rate": 5}
    [ocds_contract] = release["contracts"]
    assert ocds_contract["status"] == "active"
    signatories = {s["signatory"]["id"] for s in ocds_contract["signatures"] if s["party"] == "supplier"}
    assert signatories == {f"KR-BRN-{m.registration_number}" for m in members}
    assert_valid_ocds(record_package)
    assert_valid_ocds(get_json(f"/api/v1/ocds/releases/{tender.ocid}/"))


def test_a_bid_rejected_for_its_security_is_published_with_the_reason(official):
    from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
    from tests.bidding.joint import attach_security

    tender = published_tender(
        entity=official.official.entity, created_by=official, bid_security_kind="percent", bid_security_value=5
    )
    short, enough = bidder(), bidder()
    attach_security(tender, short, amount=1_000_000)
    attach_security(tender, enough, amount=5_000_000)
    submit(tender, short, price="90000000")
    submit(tender, enough, price="95000000")
    close_and_open(tender)

    package = get_json(f"/api/v1/ocds/releases/{tender.ocid}/")

    opening = next(r for r in package["releases"] if r["id"].endswith("-opening"))
    outcomes = {d["tenderers"][0]["id"]: d for d in opening["bids"]["details"]}
    rejected = outcomes[f"KR-BRN-{company(short).registration_number}"]
    assert rejected["openingOutcome"] == "securityRejected"
    assert rejected["status"] == "disqualified"
    assert "less than" in rejected["problem"]
    assert_valid_ocds(package)
