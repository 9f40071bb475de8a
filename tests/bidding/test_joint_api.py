"""The API for consortia, bid securities and the technical stage: the same services and visibility
as the pages, the one error body (procurement.api), and someone else's objects do not exist (404).

Lena (`lead`) leads; Pia and Quinn (`partners`) are her partners; Sam and Tara bid alone.
"""

import pytest

from bidding import services
from bidding.models import BidSecurity, Consortium, ConsortiumMember
from tests.bidding.helpers import (
    bidder,
    close_and_open,
    end_complaint_window,
    pdf_with,
    published_tender,
    submit,
    submit_two,
)
from tests.bidding.joint import company, form_consortium
from tests.factories import IssuedGuaranteeFactory, SanctionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(official):
    return published_tender(
        entity=official.official.entity,
        created_by=official,
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=5,
    )


@pytest.fixture
def lead(db):
    return bidder(user__email="lena@hanbit.example")


@pytest.fixture
def partners(db):
    return [bidder(user__email="pia@partner.example"), bidder(user__email="quinn@partner.example")]


def terms(partners, shares=(50, 30, 20), **extra):
    return {
        "name": "한빛 공동수급체",
        "performance": "joint",
        "lead_share": str(shares[0]),
        "partners": [
            {"registration_number": company(u).registration_number, "share": str(s)}
            for u, s in zip(partners, shares[1:], strict=True)
        ],
        **extra,
    }


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_a_lead_forms_a_consortium_and_its_partners_confirm_through_the_api(tender, lead, partners, client_for):
    response = post(client_for(lead), f"/api/v1/tenders/{tender.pk}/consortia/", terms(partners))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "forming"
    assert [(m["supplier"]["id"], m["share"], m["status"]) for m in body["members"]] == [
        (company(lead).pk, "50.00", "confirmed"),
        (company(partners[0]).pk, "30.00", "invited"),
        (company(partners[1]).pk, "20.00", "invited"),
    ]
    url = f"/api/v1/consortia/{body['id']}/"
    # The lead cannot confirm for its partners.
    refused = post(client_for(lead), url + "confirm/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    for user in partners:
        answered = post(client_for(user), url + "confirm/")
        assert answered.status_code == 200
    assert answered.json()["status"] == "confirmed"
    assert client_for(partners[0]).get(url).json()["status"] == "confirmed"


def test_shares_that_do_not_add_up_and_a_debarred_partner_are_422s_naming_the_members(
    tender, lead, partners, client_for
):
    client = client_for(lead)
    short = post(client, f"/api/v1/tenders/{tender.pk}/consortia/", terms(partners, shares=(50, 30, 15)))
    assert short.status_code == 422
    assert short.json()["field"] == "members"
    assert "add up to 100%" in short.json()["detail"]
    SanctionFactory(supplier=company(partners[1]))
    debarred = post(client, f"/api/v1/tenders/{tender.pk}/consortia/", terms(partners))
    assert debarred.status_code == 422
    assert debarred.json()["code"] == "member_ineligible"
    unknown = post(
        client,
        f"/api/v1/tenders/{tender.pk}/consortia/",
        {**terms(partners), "partners": [{"registration_number": "999-99-99999", "share": "50"}]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "partners.0.registration_number"
    assert not Consortium.objects.exists()


def test_before_the_deadline_only_the_members_see_the_consortium(tender, lead, partners, client_for, official):
    consortium = form_consortium(tender, lead, partners)
    url = f"/api/v1/consortia/{consortium.pk}/"
    assert client_for(partners[1]).get(url).status_code == 200
    for stranger in (bidder(), official):
        response = client_for(stranger).get(url)
        assert response.status_code == 404
        assert set(response.json()) == {"detail", "code", "field", "errors"}
    assert client_for().get(url).status_code in (401, 403)
    assert post(client_for(bidder()), url + "confirm/").status_code == 404


def test_the_lead_changes_the_terms_with_put_and_the_partners_must_confirm_again(tender, lead, partners, client_for):
    consortium = form_consortium(tender, lead, partners)
    url = f"/api/v1/consortia/{consortium.pk}/"
    response = client_for(lead).put(url, terms(partners, shares=(60, 20, 20)), content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "forming"
    assert {m["share"] for m in response.json()["members"]} == {"60.00", "20.00"}
    assert consortium.members.get(supplier=company(partners[0])).status == ConsortiumMember.Status.INVITED
    partner_put = client_for(partners[0]).put(url, terms([lead, partners[1]]), content_type="application/json")
    assert partner_put.status_code == 403
    declined = post(client_for(partners[0]), url + "decline/")
    assert declined.status_code == 200
    assert post(client_for(lead), url + "dissolve/").json()["status"] == "dissolved"


def test_a_supplier_attaches_its_security_and_reads_the_issuers_answer(tender, supplier_user, client_for, official):
    guarantee = IssuedGuaranteeFactory(principal=company(supplier_user), tender=tender, amount=5_000_000)
    client = client_for(supplier_user)
    url = f"/api/v1/tenders/{tender.pk}/bid-security/"
    assert client.get(url).status_code == 404
    attach = {
        "issuer": guarantee.issuer.code,
        "number": guarantee.number,
        "amount": "5000000",
        "valid_until": guarantee.valid_until.isoformat(),
    }
    response = post(client, url, attach)
    assert response.status_code == 201, response.json()
    assert response.json()["verified"] is True
    assert response.json()["status"] == "held"
    assert client.get(url).json()["number"] == guarantee.number
    # Another tender's guarantee is recorded, not confirmed, with the issuer's reason.
    other = published_tender(entity=official.official.entity, created_by=official)
    foreign = IssuedGuaranteeFactory(principal=company(supplier_user), tender=other, amount=5_000_000)
    replaced = post(client, url, {**attach, "number": foreign.number, "issuer": foreign.issuer.code})
    assert replaced.json()["verified"] is False
    assert other.reference in replaced.json()["verification_message"]
    # Tara sees only her own (none); a bad date is a 422 naming the field.
    tara = bidder()
    assert client_for(tara).get(url).status_code == 404
    bad = post(client, url, {**attach, "valid_until": "2020-01-01"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "valid_until"
    assert BidSecurity.objects.filter(tender=tender).count() == 1


def test_the_technical_results_are_public_once_published_and_show_no_unopened_price(official, client_for, auditor):
    two = published_tender(entity=official.official.entity, created_by=official, envelopes=2)
    alpha, beta = bidder(supplier__name_en="Alpha"), bidder(supplier__name_en="Beta")
    submit_two(two, alpha, price="81000000", documents=[("a.pdf", pdf_with("A"))])
    submit_two(two, beta, price="90000000", documents=[("b.pdf", pdf_with("B"))])
    url = f"/api/v1/tenders/{two.pk}/technical-results/"
    assert client_for().get(url).status_code == 404  # not opened yet
    record = close_and_open(two)
    rows = {r.supplier.name_en: r for r in record.opened_bids.select_related("supplier")}
    services.technical_assess(opened_bid=rows["Alpha"], actor=official, compliant=False, reason="자격 미달")
    services.technical_assess(opened_bid=rows["Beta"], actor=official, compliant=True)
    assert client_for().get(url).status_code == 404  # decided, not published
    draft = client_for(auditor).get(url).json()
    assert {b["supplier"]["name_en"]: b["compliant"] for b in draft["bids"]} == {"Alpha": False, "Beta": True}

    services.technical_publish(tender_id=two.pk, actor=official)
    public = client_for().get(url).json()
    by_name = {b["supplier"]["name_en"]: b for b in public["bids"]}
    assert by_name["Alpha"]["reason"] == "자격 미달"
    assert by_name["Alpha"]["price_envelope"] == "sealed_not_to_be_opened"
    assert by_name["Beta"]["price_envelope"] == "sealed"
    assert public["complaints_until"] is not None

    end_complaint_window(two)
    services.price_envelopes_open(tender_id=two.pk)
    done = {b["supplier"]["name_en"]: b for b in client_for().get(url).json()["bids"]}
    assert done["Beta"]["price"] == "90000000.00"
    assert done["Alpha"]["price_envelope"] == "never_opened"
    assert done["Alpha"]["price"] is None
    assert "81000000" not in client_for().get(url).content.decode()


def test_a_one_envelope_tender_has_no_technical_results(tender, supplier_user, client_for):
    submit(tender, supplier_user)
    close_and_open(tender)
    response = client_for().get(f"/api/v1/tenders/{tender.pk}/technical-results/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
