"""The rush path stays lean: the statements of one API submission are counted, so they cannot creep
back (bench/rush.py measures the throughput they allow)."""

import uuid

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from bidding.models import BidVersion
from tests.sealing import api_body

pytestmark = pytest.mark.django_db

# Token lookup, the company, the tender; in the transaction (its begin and commit are a savepoint
# pair here): the tender's shared lock with the idempotency lookup, membership with vetting,
# sanctions and consortium in one, the Bid row, the version, the current version, the members told
# and their outbox row, the audit entry (two), the origin hashes. Nothing after commit: the
# receipt's documents are the ones just written. (33 before issue 16, then 21.)
SUBMISSION_STATEMENTS = 15


def _api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def test_a_first_submission_through_the_api_runs_a_bounded_number_of_statements(
    tender, supplier_user, django_assert_max_num_queries
):
    client = _api_client(supplier_user)
    body = api_body(tender, supplier_user.supplier_membership.supplier)
    with django_assert_max_num_queries(SUBMISSION_STATEMENTS):
        response = client.post(
            "/api/v1/bids/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["transparency"]["status"] == "pending"
    assert receipt["commitment"] == BidVersion.objects.get().commitment


def test_a_replacement_costs_at_most_four_statements_more_and_a_retry_no_more(
    tender, supplier_user, django_assert_max_num_queries
):
    client = _api_client(supplier_user)
    supplier = supplier_user.supplier_membership.supplier
    key = str(uuid.uuid4())
    first = client.post("/api/v1/bids/", api_body(tender, supplier), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert first.status_code == 201
    # The replacement reads the existing bid and its current version; its receipt, tender and company.
    with django_assert_max_num_queries(SUBMISSION_STATEMENTS + 4):
        replaced = client.post("/api/v1/bids/", api_body(tender, supplier, price="94000000"),
                               content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert replaced.status_code == 201
    assert replaced.json()["version"] == 2
    with django_assert_max_num_queries(SUBMISSION_STATEMENTS):
        retry = client.post("/api/v1/bids/", api_body(tender, supplier), content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert retry.status_code == 200
    assert retry.json()["commitment"] == first.json()["commitment"]
    assert BidVersion.objects.count() == 2
