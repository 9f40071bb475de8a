"""Property tests: whatever a client sends as a number or as a JSON body, the answer is a value or a
clear refusal (DomainError / 4xx), never an unhandled exception (a 500)."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bidding.content import MAX_PRICE, bid_input_clean
from procurement.errors import DomainError
from procurement.money import decimal_parse
from tests.bidding.helpers import published_tender
from tests.factories import OfficialFactory, SupplierMemberFactory

numbers_as_text = st.one_of(
    st.text(max_size=60),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
    st.from_regex(r"-?[0-9,]{0,45}(\.[0-9]{0,40})?([eE][-+]?[0-9]{1,12})?", fullmatch=True),
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars | numbers_as_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@given(value=numbers_as_text | json_values)
def test_decimal_parse_returns_a_bounded_number_or_refuses(value):
    try:
        number = decimal_parse(value, field="price", low=Decimal(0), places=2)
    except DomainError as exc:
        assert exc.field == "price"  # noqa: PT017 (a property: either outcome is fine)
    else:
        assert number.is_finite()
        assert 0 <= number <= MAX_PRICE
        assert number.as_tuple().exponent >= -2
        assert number == number.quantize(Decimal("0.01"))


@given(
    price=numbers_as_text,
    lines=st.lists(
        st.fixed_dictionaries(
            {"description": st.text(max_size=20), "quantity": numbers_as_text, "unit_price": numbers_as_text}
        ),
        max_size=3,
    ),
    currency=st.sampled_from(["KRW", "USD", "EUR"]),
)
def test_bid_content_checks_accept_or_refuse_every_price_and_line(price, lines, currency):
    try:
        bid = bid_input_clean(
            price=price,
            currency=currency,
            lines=lines,
            declarations={"no_conflict_of_interest": True, "no_collusion": True},
        )
    except DomainError as exc:
        assert exc.field in {"price", "lines"}  # noqa: PT017 (a property: either outcome is fine)
    else:
        assert 0 < bid.price <= MAX_PRICE
        assert all(line.amount <= MAX_PRICE for line in bid.lines)


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """A supplier's client and a published tender, made once for every generated body.

    Made inside a transaction that is rolled back when the module ends, so no later test sees them.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        official = OfficialFactory()
        tender = published_tender(entity=official.entity, created_by=official.user)
        client = Client(raise_request_exception=False)
        client.force_login(SupplierMemberFactory().user)
        yield client, tender
        transaction.set_rollback(True)


bid_bodies = st.fixed_dictionaries(
    {},
    optional={
        "tender": json_values,
        "price": json_values,
        "lines": st.lists(
            st.fixed_dictionaries(
                {}, optional={"description": json_values, "quantity": json_values, "unit_price": json_values}
            ),
            max_size=3,
        )
        | json_values,
        "declarations": st.dictionaries(st.text(max_size=30), json_values, max_size=3)
        | st.just({"no_conflict_of_interest": True, "no_collusion": True}),
        "reserve_picks": json_values,
        "documents": st.lists(
            st.fixed_dictionaries({}, optional={"name": json_values, "content_base64": json_values}), max_size=2
        )
        | json_values,
    },
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bid_bodies | json_values, use_real_tender=st.booleans(), raw_suffix=st.sampled_from(["", "x", "]", "\x00"]))
def test_the_bids_api_answers_every_json_body_without_a_server_error(api_world, body, use_real_tender, raw_suffix):
    client, tender = api_world
    if use_real_tender and isinstance(body, dict):
        body = {**body, "tender": tender.pk}
    response = client.post(
        "/api/v1/bids/",
        json.dumps(body) + raw_suffix,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"] == "application/json"
