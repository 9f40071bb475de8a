"""Issue 12's attempts to break the shop through the pages and the API (the services' own refusals are
in test_orders, test_items_and_agreements, test_delivery_and_invoices and test_concurrency): a supplier
touching another supplier's catalogue, orders and invoices; an item withdrawn or repriced while in the
cart; an invoice for more than was accepted; bad input in every form and body. Each attempt is refused
with a clear answer and changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue import services
from catalogue.models import CartLine, CatalogueItem, Delivery, Invoice, ItemPriceChange, Order

from .conftest import make_item, order, set_budget

pytestmark = pytest.mark.django_db


def snapshot(item) -> tuple:
    item = CatalogueItem.objects.get(pk=item.pk)
    return (item.status, item.stock, item.unit_price, item.name_ko, item.lead_time_days, item.price_version)


@pytest.fixture
def draft(agreement, supplier_user, official):
    return make_item(agreement, supplier_user, official, name="초안 품목", publish=False)


def test_another_supplier_cannot_touch_an_item_through_the_pages(
    client_for, item, draft, agreement, other_supplier_user, rival_agreement
):
    tara = client_for(other_supplier_user)
    before, before_draft = snapshot(item), snapshot(draft)
    form = {
        "name_ko": "위조 품목",
        "classification": item.classification_id,
        "unit": "EA",
        "unit_price": "1",
        "min_order_quantity": "1",
        "stock": "0",
        "lead_time_days": "1",
        "regions": ["seoul"],
    }
    # A draft is not even visible to another company; a published item is visible but not theirs.
    assert tara.get(reverse("catalogue:item_edit", args=[draft.pk])).status_code == 404
    assert tara.post(reverse("catalogue:item_edit", args=[draft.pk]), form).status_code == 404
    assert tara.post(reverse("catalogue:item_edit", args=[item.pk]), form).status_code == 403
    for target in (item, draft):
        for action, data in (
            ("submit", {}),
            ("withdraw", {"reason": "x"}),
            ("stock", {"stock": "0", "lead_time_days": "1"}),
            ("price", {"new_price": "1", "reason": "x"}),
            ("approve", {}),
            ("return", {"reason": "x"}),
        ):
            response = tara.post(reverse("catalogue:item_action", args=[target.pk, action]), data)
            assert response.status_code in (403, 404), (target, action, response.status_code)
    # Nor add items under someone else's agreement.
    assert tara.post(reverse("catalogue:item_new", args=[agreement.pk]), form).status_code == 403
    assert snapshot(item) == before
    assert snapshot(draft) == before_draft
    assert not CatalogueItem.objects.filter(name_ko="위조 품목").exists()
    assert not ItemPriceChange.objects.exists()
    # Her own agreement's page works: the refusals above are about ownership, not a broken page.
    assert tara.get(reverse("catalogue:item_new", args=[rival_agreement.pk])).status_code == 200


def test_a_supplier_cannot_approve_its_own_item_through_the_page(client_for, draft, supplier_user):
    services.item_submit(item=draft, actor=supplier_user)
    response = client_for(supplier_user).post(reverse("catalogue:item_action", args=[draft.pk, "approve"]))
    assert response.status_code == 403
    assert CatalogueItem.objects.get(pk=draft.pk).status == CatalogueItem.Status.PENDING


def test_another_supplier_cannot_touch_an_item_through_the_api(client_for, item, draft, other_supplier_user):
    api = client_for(other_supplier_user)
    before = snapshot(item)
    url = f"/api/v1/catalogue/items/{item.pk}/"
    for method in (api.put, api.patch, api.delete):
        response = method(url, {"unit_price": "1", "stock": 0}, content_type="application/json")
        assert response.status_code in (403, 405)
    assert api.post("/api/v1/catalogue/items/", {"name_ko": "x"}, content_type="application/json").status_code in (
        403,
        405,
    )
    assert api.get(f"/api/v1/catalogue/items/{draft.pk}/").status_code == 404  # drafts are their company's
    assert snapshot(item) == before


def test_another_supplier_cannot_deliver_or_invoice_an_order_it_did_not_get(
    client_for, official, item, budget, supplier_user, other_supplier_user, rival_agreement
):
    [placed] = order(official, (item, 2))
    line = placed.lines.get()
    tara = client_for(other_supplier_user)
    assert tara.post(reverse("catalogue:order_dispatch", args=[placed.pk]), {f"line_{line.pk}": "2"}).status_code == 404
    assert tara.get(reverse("catalogue:invoice_new", args=[placed.pk])).status_code == 404
    assert tara.get(f"/api/v1/catalogue/orders/{placed.pk}/").status_code == 404
    response = tara.post(
        f"/api/v1/catalogue/orders/{placed.pk}/invoices/",
        {"lines": [{"order_line": line.pk, "quantity": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 404
    # Her own order cannot carry Sam's order line either.
    own_item = make_item(rival_agreement, other_supplier_user, official, name="토너")
    [own] = order(official, (own_item, 1))
    response = tara.post(reverse("catalogue:order_dispatch", args=[own.pk]), {f"line_{line.pk}": "2"}, follow=True)
    assert "not part of this order" in response.content.decode()
    assert not Delivery.objects.exists()
    assert not Invoice.objects.exists()


def test_an_item_withdrawn_while_in_the_cart_is_refused_at_checkout_with_its_name(
    client_for, official, item, budget, supplier_user
):
    buyer = client_for(official)
    buyer.post(reverse("catalogue:cart_add", args=[item.pk]), {"quantity": "1"})
    services.item_withdraw(item=item, actor=supplier_user, reason="단종")
    response = buyer.post(reverse("catalogue:cart"), {"delivery_address": "세종", "region": "sejong"})
    assert response.status_code == 200
    text = response.content.decode()
    assert item.name_en in text or item.name_ko in text
    assert "withdrawn" in text or "no longer" in text
    assert not Order.objects.exists()
    assert CatalogueItem.objects.get(pk=item.pk).stock == 100


def test_an_item_repriced_while_in_the_cart_is_refused_until_the_buyer_takes_the_new_price(
    client_for, official, item, budget, supplier_user
):
    buyer = client_for(official)
    buyer.post(reverse("catalogue:cart_add", args=[item.pk]), {"quantity": "2"})
    change = services.price_change_request(item=item, actor=supplier_user, new_price="1040000", reason="원자재")
    services.price_change_decide(change=change, actor=official, approve=True)
    checkout = {"delivery_address": "세종", "region": "sejong"}

    refused = buyer.post(reverse("catalogue:cart"), checkout)
    assert refused.status_code == 200
    assert "1,040,000" in refused.content.decode()  # the new price is named
    assert not Order.objects.exists()

    buyer.post(reverse("catalogue:cart_accept_prices"))
    assert buyer.post(reverse("catalogue:cart"), checkout).status_code == 302
    placed = Order.objects.get()
    line = placed.lines.get()
    assert (line.unit_price, line.price_version, placed.total) == (Decimal("1040000"), 2, Decimal("2080000"))


def test_an_invoice_for_more_than_was_accepted_is_refused_through_the_form(
    client_for, official, item, budget, supplier_user
):
    [placed] = order(official, (item, 3))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 3})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    [dl] = delivery.lines.all()
    services.delivery_inspect(delivery=delivery, actor=official, verdicts={dl.pk: (2, "포장 파손")})
    sam = client_for(supplier_user)
    url = reverse("catalogue:invoice_new", args=[placed.pk])
    for quantity in ("3", "2.5", "-1", "abc", "99999999999999999999"):
        response = sam.post(url, {f"line_{line.pk}": quantity})
        assert response.status_code == 200, quantity
        assert not Invoice.objects.exists(), quantity
    assert "Only 2 accepted units" in sam.post(url, {f"line_{line.pk}": "3"}).content.decode()
    assert sam.post(url, {f"line_{line.pk}": "2"}).status_code == 302
    assert Invoice.objects.get().supply_amount == Decimal("2000000")


@pytest.mark.parametrize(
    "data",
    [
        {"delivery_address": "", "region": "sejong"},
        {"delivery_address": "세종", "region": "mars"},
        {"delivery_address": "세종" * 200, "region": "sejong"},
        {"delivery_address": "세종", "region": "sejong", "note": "x" * 3000},
        {},
    ],
)
def test_bad_checkout_input_is_refused_with_the_form_and_orders_nothing(client_for, official, item, budget, data):
    buyer = client_for(official)
    buyer.post(reverse("catalogue:cart_add", args=[item.pk]), {"quantity": "1"})
    response = buyer.post(reverse("catalogue:cart"), data)
    assert response.status_code == 200
    assert not Order.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.5", "", "10000001", "1e3"])
def test_bad_quantities_never_reach_the_cart(client_for, official, item, budget, quantity):
    response = client_for(official).post(reverse("catalogue:cart_add", args=[item.pk]), {"quantity": quantity})
    assert response.status_code == 302
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_price", "NaN"),
        ("unit_price", "-5"),
        ("unit_price", "1" * 30),
        ("stock", "-1"),
        ("lead_time_days", "999"),
        ("regions", "mars"),
        ("name_ko", ""),
        ("classification", "999999"),
    ],
)
def test_bad_item_form_input_is_shown_on_the_form(client_for, agreement, supplier_user, field, value):
    data = {
        "name_ko": "복사용지",
        "classification": agreement.classification_id,
        "unit": "BOX",
        "unit_price": "25000",
        "min_order_quantity": "1",
        "stock": "10",
        "lead_time_days": "3",
        "regions": ["seoul"],
        field: value,
    }
    response = client_for(supplier_user).post(reverse("catalogue:item_new", args=[agreement.pk]), data)
    assert response.status_code == 200
    assert not CatalogueItem.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-2", "0.5", "3", "99999999999999999999"])
def test_bad_dispatch_and_inspection_input_changes_nothing(client_for, official, item, budget, supplier_user, value):
    [placed] = order(official, (item, 2))
    line = placed.lines.get()
    sam = client_for(supplier_user)
    response = sam.post(reverse("catalogue:order_dispatch", args=[placed.pk]), {f"line_{line.pk}": value})
    assert response.status_code == 302
    assert not Delivery.objects.exists()

    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 2})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    [dl] = delivery.lines.all()
    response = client_for(official).post(
        reverse("catalogue:delivery_inspect", args=[placed.pk, delivery.pk]), {f"accept_{dl.pk}": value}
    )
    assert response.status_code == 200
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"lines": "everything"},
        {"lines": [{"item": "abc", "quantity": 1, "unit_price": "1000000"}]},
        {"lines": [{"item": 0, "quantity": 1, "unit_price": "1000000"}]},
        {"lines": [{"quantity": -1, "unit_price": "1000000"}]},
        {"lines": [{"quantity": 10**12, "unit_price": "1000000"}]},
        {"lines": [{"quantity": 1, "unit_price": "NaN"}]},
        {"lines": [{"quantity": 1, "unit_price": "1000000"}], "region": "mars"},
        {"lines": [{"quantity": 1, "unit_price": "1000000"}], "delivery_address": ""},
    ],
)
def test_bad_order_bodies_get_a_clear_error_and_order_nothing(client_for, official, item, budget, body):
    if isinstance(body, dict):
        for line in body["lines"] if isinstance(body["lines"], list) else []:
            line.setdefault("item", item.pk)
        body = {"delivery_address": "세종", "region": "sejong", **body}
    response = client_for(official).post("/api/v1/catalogue/orders/", body, content_type="application/json")
    assert response.status_code in (400, 404, 409, 422), response.content
    assert "code" in response.json() or "detail" in response.json()
    assert not Order.objects.exists()


def test_the_budget_cannot_be_overspent_through_the_api(client_for, official, item):
    set_budget(official, amount="2500000", limit="100000000")
    api = client_for(official)
    body = {
        "lines": [{"item": item.pk, "quantity": 3, "unit_price": "1000000"}],
        "delivery_address": "세종",
        "region": "sejong",
    }
    response = api.post("/api/v1/catalogue/orders/", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "budget"
    assert not Order.objects.exists()


def test_the_agreements_ceiling_cannot_be_exceeded_through_the_api(client_for, official, supplier_user, budget):
    from .conftest import make_agreement

    small = make_agreement(official, supplier_user, ceiling="2500000")
    item = make_item(small, supplier_user, official, price="1000000")
    body = {
        "lines": [{"item": item.pk, "quantity": 3, "unit_price": "1000000"}],
        "delivery_address": "세종",
        "region": "sejong",
    }
    response = client_for(official).post("/api/v1/catalogue/orders/", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "ceiling"
    assert not Order.objects.exists()
    small.refresh_from_db()
    assert small.ordered_total == 0
