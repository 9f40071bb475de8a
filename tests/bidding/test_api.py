"""The bids API: same rules and services as the pages."""

import json
import uuid

import pytest

from bidding.models import Bid, BidVersion, OpenedDocument
from tests.bidding.helpers import bidder, close_and_open, pdf_with, submit
from tests.sealing import api_body

pytestmark = pytest.mark.django_db


def body(tender, user=None, **kwargs):
    """A sealed bid as a client posts it (for the supplier of `user`, or a fresh company)."""
    user = user or bidder()
    return api_body(tender, user.supplier_membership.supplier, **kwargs)


def test_posting_a_bid_returns_its_receipt_and_a_retry_returns_the_same_one(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/bids/", body(tender, supplier_user), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == 201
    receipt = first.json()
    assert receipt["commitment"] == BidVersion.objects.get().commitment
    assert receipt["tender"]["reference"] == tender.reference
    retry = client.post(
        "/api/v1/bids/",
        body(tender, supplier_user, price="1"),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert retry.status_code == 200
    assert retry.json()["commitment"] == receipt["commitment"]
    assert BidVersion.objects.count() == 1


def test_a_bid_without_an_idempotency_key_is_refused(client_for, tender, supplier_user):
    response = client_for(supplier_user).post("/api/v1/bids/", body(tender), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"


def test_sealed_documents_travel_base64_and_open_with_the_bid(client_for, tender, supplier_user):
    sealed = body(tender, supplier_user, documents=[("proposal.pdf", "application/pdf", pdf_with("secret"))])
    response = client_for(supplier_user).post(
        "/api/v1/bids/", sealed, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 201
    assert len(response.json()["ciphertext_sha256"]) == 2
    close_and_open(tender)
    assert b"secret" in bytes(OpenedDocument.objects.get().content)


@pytest.mark.parametrize("field", ["price", "lines", "declarations", "reserve_picks"])
def test_plaintext_bid_fields_are_refused_with_a_clear_422(client_for, tender, supplier_user, field):
    data = {**body(tender, supplier_user), field: "95000000"}
    response = client_for(supplier_user).post(
        "/api/v1/bids/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert "sealed" in json.dumps(response.json())
    assert not Bid.objects.exists()


def test_the_request_body_of_a_bid_holds_no_price(client_for, tender, supplier_user):
    """What a request log (or a proxy) would record of a submission: ciphertext, never the price."""
    payload = json.dumps(body(tender, supplier_user, price="123456789"))
    response = client_for(supplier_user).post(
        "/api/v1/bids/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 201
    assert "123456789" not in payload
    assert "123,456,789" not in payload
    assert "declarations" not in payload


def test_the_api_refuses_multipart_so_documents_never_spool_to_disk(client_for, tender, supplier_user):
    response = client_for(supplier_user).post(
        "/api/v1/bids/", {"tender": tender.pk, "price": "1"}, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 415


def test_a_ciphertext_that_is_not_base64_is_refused_naming_the_field(client_for, tender, supplier_user):
    response = client_for(supplier_user).post(
        "/api/v1/bids/",
        {**body(tender, supplier_user), "content": "not base64!"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "content"


def test_officials_and_outsiders_cannot_post_bids(client_for, tender, official, outsider):
    for user in (official, outsider):
        response = client_for(user).post(
            "/api/v1/bids/", body(tender), content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert response.status_code == 403
    assert not Bid.objects.exists()


def test_a_late_api_bid_is_refused_with_409(client_for, tender, supplier_user):
    from tests.bidding.helpers import set_times

    sealed = body(tender, supplier_user)
    set_times(tender, deadline=-1)
    response = client_for(supplier_user).post(
        "/api/v1/bids/", sealed, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"


def test_withdrawing_through_the_api(client_for, tender, supplier_user, other_supplier_user):
    bid = submit(tender, supplier_user).bid
    assert client_for(other_supplier_user).post(f"/api/v1/bids/{bid.pk}/withdraw/").status_code == 404
    response = client_for(supplier_user).post(f"/api/v1/bids/{bid.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["kind"] == "withdrawal"
    assert Bid.objects.get().status == Bid.Status.WITHDRAWN


def test_the_public_opening_record_lists_prices_ranks_and_commitments(client_for, tender):
    sam, tara = bidder(), bidder()
    commitments = {
        submit(tender, sam, price="95000000").version.commitment,
        submit(tender, tara, price="90000000").version.commitment,
    }
    assert client_for().get(f"/api/v1/tenders/{tender.pk}/opening/").status_code == 404
    close_and_open(tender)
    record = client_for().get(f"/api/v1/tenders/{tender.pk}/opening/").json()
    bids = record["opening"]["bids"]
    assert [(b["rank"], b["price"]) for b in bids] == [(1, "90000000.00"), (2, "95000000.00")]
    assert {b["commitment"] for b in bids} == commitments == set(record["commitments"])
    assert all(b["commitment_ok"] for b in bids)
