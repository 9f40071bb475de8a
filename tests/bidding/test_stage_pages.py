"""Pages of the technical stage and of document corrections: who sees and does what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bidding.models import CureRequest, OpenedBid
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit_two

pytestmark = pytest.mark.django_db


@pytest.fixture
def technical(official):
    tender = published_tender(entity=official.official.entity, created_by=official, envelopes=2)
    alpha = bidder(supplier__name_en="Alpha", user__email="alpha@supplier.example")
    beta = bidder(supplier__name_en="Beta", user__email="beta@supplier.example")
    submit_two(tender, alpha, price="81000000", documents=[("plan.pdf", pdf_with("PLAN-A"))])
    submit_two(tender, beta, price="90000000")
    close_and_open(tender)
    return tender, alpha, beta


def row_of(tender, user) -> OpenedBid:
    return OpenedBid.objects.get(opening__tender=tender, supplier=user.supplier_membership.supplier)


def test_the_technical_stage_is_for_the_entity_and_auditors_only(technical, official, auditor, client_for, outsider):
    tender, alpha, _beta = technical
    url = f"/bids/tender/{tender.pk}/technical/"
    page = client_for(official).get(url)
    assert page.status_code == 200
    assert "Alpha" in page.content.decode()
    assert client_for(auditor).get(url).status_code == 200
    for user in (alpha, outsider):
        assert client_for(user).get(url).status_code in (403, 404)
    refused = client_for(alpha).post(f"/bids/opened/{row_of(tender, alpha).pk}/technical/", {"compliant": "yes"})
    assert refused.status_code == 403
    assert row_of(tender, alpha).technical_compliant is None


def test_an_official_decides_and_publishes_from_the_page_and_the_public_sees_the_reasons(
    technical, official, client_for, settings
):
    tender, alpha, beta = technical
    client = client_for(official)
    client.post(f"/bids/opened/{row_of(tender, alpha).pk}/technical/", {"compliant": "no", "reason": "공정계획 누락"})
    client.post(f"/bids/opened/{row_of(tender, beta).pk}/technical/", {"compliant": "yes"})
    response = client.post(f"/bids/tender/{tender.pk}/technical/publish/", follow=True)
    assert "technical results are published" in response.content.decode()
    public = client_for().get(f"/bids/tender/{tender.pk}/opening/").content.decode()
    assert "공정계획 누락" in public
    assert "will not be opened unless a complaint is upheld" in public
    assert "81,000,000" not in public


def test_a_bidder_supplies_a_correction_from_its_page_and_another_company_cannot_see_it(
    technical, official, client_for, stored_media
):
    tender, alpha, beta = technical
    bid = row_of(tender, alpha).bid
    response = client_for(official).post(
        f"/bids/{bid.pk}/cure/", {"kind": "certificate", "defect": "품질인증서 사본 누락"}, follow=True
    )
    assert "the bidder has until" in response.content.decode()
    cure = CureRequest.objects.get()
    assert "품질인증서 사본 누락" in client_for(alpha).get(f"/bids/{bid.pk}/").content.decode()
    assert client_for(beta).get(f"/bids/cure/{cure.pk}/").status_code == 404
    upload = SimpleUploadedFile("cert.pdf", pdf_with("CERT-OK"), "application/pdf")
    client_for(alpha).post(f"/bids/cure/{cure.pk}/", {"file": upload})
    cure.refresh_from_db()
    assert cure.status == CureRequest.Status.CURED
    download = client_for(official).get(f"/bids/cure/{cure.pk}/file/")
    assert download.status_code == 200
    assert b"CERT-OK" in download.content
    assert client_for(beta).get(f"/bids/cure/{cure.pk}/file/").status_code == 404
    # The technical stage shows the correction beside the bid.
    assert "Document supplied" in client_for(official).get(f"/bids/tender/{tender.pk}/technical/").content.decode()
