"""What the JSON API does with hostile bodies: a 400 with an error body, never a 500."""

import uuid

import pytest

from tests.factories import SupplierMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier_client(client):
    client.force_login(SupplierMemberFactory().user)
    client.raise_request_exception = False
    return client


def post_raw(client, body: str | bytes):
    return client.post("/api/v1/bids/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_deeply_nested_json_is_refused_with_a_400(supplier_client):
    response = post_raw(supplier_client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_nesting_inside_strings_does_not_count(supplier_client):
    response = post_raw(supplier_client, '{"tender": "' + "[" * 1000 + '"}')
    assert response.status_code == 422
    assert response.json()["field"] == "tender"  # a field error from the serializer, not a parse error


def test_a_body_over_the_size_limit_is_refused_before_it_is_parsed(supplier_client, settings):
    settings.API_JSON_MAX_BYTES = 1000
    response = post_raw(supplier_client, '{"price": "' + "1" * 2000 + '"}')
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("body", ['{"price": "\\u0000"}', '{"\\u0000": 1}', '{"price": "\\ud800"}', "NaN", "{"])
def test_text_the_database_refuses_and_broken_json_answer_400(supplier_client, body):
    response = post_raw(supplier_client, body)
    assert response.status_code == 400
    assert response.json()["detail"]
