"""Every endpoint family answers a refusal with the status its meaning carries and one body shape:
{"detail": message, "code": machine-readable code, "field": the field at fault or null, "errors": {...}}.

A read-only family has no state to conflict with, so 409 comes only from the bids API.
"""

import uuid

import pytest
from django.test import Client

from tests.bidding.helpers import published_tender, set_times, submit
from tests.factories import OfficialFactory, SupplierFactory, TenderFactory
from tests.sealing import api_body

pytestmark = pytest.mark.django_db

SHAPE = {"detail", "code", "field", "errors"}


@pytest.fixture(autouse=True)
def in_english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def official_without_mfa(db):
    """Officials must enrol in MFA before they may use anything; this one has not."""
    return OfficialFactory(user__email="nomfa@agency.example").user


def bid_body(tender, supplier=None, **overrides) -> dict:
    """A bid sealed as the reference client seals it (for `supplier`, or a fresh company)."""
    return {**api_body(tender, supplier or SupplierFactory()), **overrides}


def post_bid(user, body, *, key: str | None = None):
    return client_for(user).post(
        "/api/v1/bids/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


def own(user):
    return user.supplier_membership.supplier


def assert_refused(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE, body
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    assert body["field"] == field
    return body


# --- 403 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tenders/",
        "/api/v1/bids/",
        "/api/v1/suppliers/",
        "/api/v1/awards/",
        "/api/v1/contracts/",
        "/api/v1/audit-log/",
    ],
)
def test_an_official_without_mfa_is_forbidden_in_every_family(official_without_mfa, url):
    assert_refused(client_for(official_without_mfa).get(url), 403, "mfa_required")


def test_the_audit_log_is_forbidden_to_a_supplier(supplier_user):
    assert_refused(client_for(supplier_user).get("/api/v1/audit-log/"), 403, "permission_denied")


def test_an_official_may_not_post_a_bid(official):
    tender = published_tender(entity=official.official.entity, created_by=official)
    assert_refused(post_bid(official, bid_body(tender)), 403, "permission_denied")


def test_a_company_that_may_not_bid_is_forbidden_not_invalid(official, outsider):
    tender = published_tender(entity=official.official.entity, created_by=official)
    member = SupplierFactory(status="pending").members.create(user=outsider, role="administrator")
    outsider.role = "supplier"
    outsider.save(update_fields=["role"])
    assert member.supplier.status == "pending"
    assert_refused(post_bid(outsider, bid_body(tender, member.supplier)), 403, "not_eligible")


# --- 404 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tenders/{draft}/",
        "/api/v1/tenders/{draft}/opening/",
        "/api/v1/bids/999999/",
        "/api/v1/suppliers/{pending}/",
        "/api/v1/awards/999999/",
        "/api/v1/contracts/999999/",
        "/api/v1/audit-log/?page=999",
    ],
)
def test_what_does_not_exist_or_is_not_public_is_not_found(url, official, supplier_user, auditor):
    draft = TenderFactory(entity=official.official.entity, created_by=official)
    pending = SupplierFactory(status="pending")
    user = auditor if "audit" in url else supplier_user
    assert_refused(client_for(user).get(url.format(draft=draft.pk, pending=pending.pk)), 404, "not_found")


def test_a_bid_for_a_tender_that_is_not_public_is_not_found(official, supplier_user, tender):
    draft = TenderFactory(entity=official.official.entity, created_by=official)
    supplier = supplier_user.supplier_membership.supplier
    body = {**bid_body(tender, supplier), "tender": draft.pk}
    assert_refused(post_bid(supplier_user, body), 404, "not_found")


def test_someone_elses_bid_is_not_found_not_forbidden(tender, supplier_user, other_supplier_user):
    bid = submit(tender, supplier_user).bid
    assert_refused(client_for(other_supplier_user).get(f"/api/v1/bids/{bid.pk}/"), 404, "not_found")
    response = client_for(other_supplier_user).post(f"/api/v1/bids/{bid.pk}/withdraw/")
    assert_refused(response, 404, "not_found")


# --- 409 -----------------------------------------------------------------------------------------


@pytest.fixture
def tender(official):
    return published_tender(entity=official.official.entity, created_by=official)


def test_a_late_bid_is_a_conflict(tender, supplier_user):
    set_times(tender, deadline=-1)
    assert_refused(post_bid(supplier_user, bid_body(tender, own(supplier_user))), 409, "deadline_passed")


def test_withdrawing_after_the_deadline_is_a_conflict(tender, supplier_user):
    bid = submit(tender, supplier_user).bid
    set_times(tender, deadline=-1)
    response = client_for(supplier_user).post(f"/api/v1/bids/{bid.pk}/withdraw/")
    assert_refused(response, 409, "not_withdrawable")


def test_bidding_again_after_withdrawing_is_a_conflict(tender, supplier_user):
    bid = submit(tender, supplier_user).bid
    assert client_for(supplier_user).post(f"/api/v1/bids/{bid.pk}/withdraw/").status_code == 200
    assert_refused(post_bid(supplier_user, bid_body(tender, own(supplier_user))), 409, "withdrawn")


# --- 422 -----------------------------------------------------------------------------------------


def test_a_plaintext_price_is_invalid_and_names_the_field(tender, supplier_user):
    body = bid_body(tender, own(supplier_user), price="95000000")
    assert_refused(post_bid(supplier_user, body), 422, "invalid", field="price")


def test_a_bid_missing_its_sealed_content_is_invalid_with_every_error(tender, supplier_user):
    body = bid_body(tender, own(supplier_user))
    del body["content"]
    del body["plaintext_hash"]
    result = assert_refused(post_bid(supplier_user, body), 422, "invalid", field="content")
    assert set(result["errors"]) == {"content", "plaintext_hash"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/tenders/?status=nonsense", "status"),
        ("/api/v1/tenders/?closing_from=yesterday", "closing_from"),
        ("/api/v1/suppliers/?size_class=giant", "size_class"),
        ("/api/v1/audit-log/?since=last-week", "since"),
    ],
)
def test_a_filter_that_cannot_be_read_is_invalid_not_ignored(auditor, url, field):
    assert_refused(client_for(auditor).get(url), 422, "invalid", field=field)
