"""Joint bidding and bid security pages: who sees what, before and after the deadline; and the
opening rules cost the same number of queries for any number of bids."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bidding.models import Bid, BidSecurity, IssuedGuarantee, SecurityIssuer
from bidding.opening_rules import RuledBid, opening_rejections
from procurement.models import AuditEntry
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
from tests.bidding.joint import attach_security, company, form_consortium


@pytest.fixture
def tender(official):
    return published_tender(
        entity=official.official.entity,
        created_by=official,
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=5,
    )


def test_before_the_deadline_only_the_members_see_the_consortium(tender, official, supplier_user, client_for):
    lead, partner = bidder(), bidder()
    consortium = form_consortium(tender, lead, [partner], shares=(70, 30))
    url = f"/bids/consortia/{consortium.pk}/"

    assert client_for(partner).get(url).status_code == 200
    for outsider in (supplier_user, official, None):
        assert client_for(outsider).get(url).status_code in (302, 404)


def test_the_official_sees_every_security_only_after_opening(tender, official, supplier_user, client_for):
    attach_security(tender, supplier_user, amount=5_000_000)
    submit(tender, supplier_user, price="100000000")
    url = f"/bids/tender/{tender.pk}/securities/"
    assert client_for(official).get(url).status_code == 404

    close_and_open(tender)

    page = client_for(official).get(url)
    assert page.status_code == 200
    assert company(supplier_user).name in page.content.decode()


def test_a_supplier_attaches_a_guarantee_on_the_page_and_sees_the_issuers_answer(tender, supplier_user, client_for):
    issuer = SecurityIssuer.objects.create(code="SGI", name_ko="서울보증보험", name_en="SGI", kind="surety")
    IssuedGuarantee.objects.create(
        issuer=issuer,
        number="SGI-1",
        principal_registration_number=company(supplier_user).registration_number,
        beneficiary_reference="2099-99999",  # issued for another tender
        amount=5_000_000,
        valid_until="2099-12-31",
    )
    client = client_for(supplier_user)

    response = client.post(
        f"/bids/tender/{tender.pk}/securities/",
        {"issuer": issuer.pk, "number": "SGI-1", "amount": "5000000", "valid_until": "2099-12-31"},
        follow=True,
    )

    assert "issued this guarantee for 2099-99999" in response.content.decode()
    security = BidSecurity.objects.get()
    assert security.verification == BidSecurity.Verification.FAILED
    assert AuditEntry.objects.filter(action="bid_security.attach").exists()


def test_a_partners_user_confirms_on_the_consortium_page(tender, client_for):
    lead, partner = bidder(), bidder()
    consortium = form_consortium(tender, lead, [partner], shares=(70, 30), confirm=False)
    member = consortium.members.get(supplier=company(partner))

    client_for(lead).post(f"/bids/consortia/members/{member.pk}/answer/", {"answer": "confirm"})
    member.refresh_from_db()
    assert member.status == "invited"  # the lead cannot answer for its partner

    client_for(partner).post(f"/bids/consortia/members/{member.pk}/answer/", {"answer": "confirm"})
    consortium.refresh_from_db()
    assert consortium.status == "confirmed"


def test_the_opening_rules_run_in_the_same_number_of_queries_for_any_number_of_bids(official):
    def ruled(count):
        tender = published_tender(
            entity=official.official.entity,
            created_by=official,
            consortium_allowed=True,
            bid_security_kind="percent",
            bid_security_value=5,
        )
        bids = []
        for _ in range(count):
            lead, partner = bidder(), bidder()
            form_consortium(tender, lead, [partner], shares=(60, 40))
            attach_security(tender, lead, amount=1_000_000)
            bid = submit(tender, lead).bid
            bids.append(RuledBid(bid.pk, bid.supplier_id, bid.consortium_id, Decimal(100_000_000)))
        return tender, bids

    counts = []
    for count in (2, 6):
        tender, bids = ruled(count)
        with CaptureQueriesContext(connection) as queries:
            rejected = opening_rejections(tender=tender, bids=bids)
        counts.append(len(queries))
        assert len(rejected) == count  # 1,000,000 < 5 % of 100,000,000
    assert counts[0] == counts[1]
    assert Bid.objects.count() == 8
