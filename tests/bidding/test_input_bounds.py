"""Numbers an attacker types into a bid: never a 500, always a message naming the field."""

import io
import uuid

import pytest
from django.urls import reverse

from sealclient.rules import Problem, bid_open, content_problem
from sealclient.sealing import CONTENT_SCHEMA, commitment, keypair, seal

pytestmark = pytest.mark.django_db

SIXTEEN_NINES = "9" * 16
DECLARATIONS = {"no_conflict_of_interest": True, "no_collusion": True}


def api_post(client, tender, **body):
    return client.post(
        "/api/v1/bids/",
        {"tender": tender.pk, "price": "1", "declarations": DECLARATIONS, **body},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


@pytest.mark.parametrize("price", ["9e999999", "-9e999999", "99999999999999999999"])
def test_a_sealed_price_out_of_bounds_is_a_public_problem_at_opening_not_a_crash(price):
    content = {
        "schema": CONTENT_SCHEMA,
        "tender": "2026-00001",
        "supplier": 7,
        "currency": "KRW",
        "price": price,
        "declarations": {"no_conflict_of_interest": True, "no_collusion": True},
    }
    problem = content_problem(content, tender_reference="2026-00001", supplier_id=7, currency="KRW", reserve_rules=None)
    assert problem == Problem("price_invalid")


def test_sealed_content_nested_too_deep_is_a_public_problem_at_opening_not_a_crash():
    public_key, private_key = keypair()
    ciphertext = seal(public_key, b"[" * 100_000 + b"]" * 100_000)
    stored = commitment(ciphertexts=[ciphertext], tender_ref="2026-00001", supplier_id=7, version=1)
    opened = bid_open(
        private_key=private_key,
        ciphertexts=[ciphertext],
        stored_commitment=stored,
        tender_reference="2026-00001",
        supplier_id=7,
        version=1,
        currency="KRW",
        reserve_rules=None,
    )
    assert opened.problem == Problem("undecryptable")


@pytest.mark.parametrize("body", [b"[" * 50_000 + b"]" * 50_000, b'{"commitment": "\\u0000"}'])
def test_a_hostile_receipt_uploaded_for_verification_is_refused_with_a_message(client, body):
    receipt = io.BytesIO(body)
    receipt.name = "receipt.json"
    client.raise_request_exception = False
    response = client.post(reverse("bidding:verify"), {"receipt": receipt}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "not a JSON receipt" in response.content.decode()
