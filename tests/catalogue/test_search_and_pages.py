"""Catalogue search (Korean and English, CPV, filters, facets), compare, the pages and the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue import selectors, services
from catalogue.models import Invoice, Order
from contracts.services.documents import document_render

from .conftest import make_item, order, set_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(agreement, rival_agreement, supplier_user, other_supplier_user, official):
    """Five items of two suppliers (one still a draft)."""
    return {
        "notebook": make_item(
            agreement,
            supplier_user,
            official,
            name="업무용노트북컴퓨터",
            name_en="Business notebook computer",
            price="1200000",
            lead_time_days=3,
            certifications=["green"],
        ),
        "desktop": make_item(
            agreement,
            supplier_user,
            official,
            name="데스크톱 컴퓨터",
            name_en="Desktop computer",
            price="900000",
            lead_time_days=10,
            regions=["busan"],
        ),
        "monitor": make_item(
            rival_agreement,
            other_supplier_user,
            official,
            name="모니터 27인치",
            name_en="27-inch monitor",
            price="300000",
            lead_time_days=5,
            certifications=["green", "energy"],
        ),
        "printer": make_item(
            rival_agreement,
            other_supplier_user,
            official,
            name="레이저 프린터",
            name_en="Laser printer",
            price="450000",
            stock=0,
        ),
        "draft": make_item(
            agreement, supplier_user, official, name="비공개 노트북", name_en="Secret notebook", publish=False
        ),
    }


def names(filters: selectors.Filters) -> set[str]:
    return {i.name_ko for i in selectors.catalogue_search(filters)}


def test_korean_words_inside_compounds_and_english_stems_are_found(shelf):
    assert names(selectors.Filters(q="노트북")) == {"업무용노트북컴퓨터"}  # inside a compound; never the draft
    assert names(selectors.Filters(q="computers")) == {"업무용노트북컴퓨터", "데스크톱 컴퓨터"}
    assert names(selectors.Filters(q="모니터")) == {"모니터 27인치"}
    assert names(selectors.Filters(q="프린터 레이저")) == {"레이저 프린터"}


def test_filters_narrow_and_facets_count_what_each_choice_would_leave(shelf):
    assert names(selectors.Filters(price_max=Decimal("500000"))) == {"모니터 27인치", "레이저 프린터"}
    assert names(selectors.Filters(region="busan")) == {"데스크톱 컴퓨터"}
    assert names(selectors.Filters(max_lead_days=5)) == {"업무용노트북컴퓨터", "모니터 27인치"}
    assert names(selectors.Filters(certification="green", in_stock=True)) == {"업무용노트북컴퓨터", "모니터 27인치"}
    assert names(selectors.Filters(cpv="302")) == {n.name_ko for k, n in shelf.items() if k != "draft"}

    facets = selectors.catalogue_facets(selectors.Filters(q="computer"))
    assert {code: n for code, _title, n in facets["cpv"]} == {"30": 2}
    assert {value: n for value, _label, n in facets["certification"]} == {"green": 1}
    assert {value: n for value, _label, n in facets["region"]} == {"seoul": 1, "sejong": 1, "busan": 1}
    lead = {days: n for days, _label, n in facets["lead"]}
    assert (lead[3], lead[7], lead[14]) == (1, 1, 2)


def test_compare_shows_at_most_four_published_items(client, shelf):
    ids = ",".join(str(i.pk) for i in shelf.values())
    response = client.get(reverse("catalogue:compare"), {"ids": ids})
    assert response.status_code == 200
    assert len(response.context["items"]) == 4
    assert "비공개 노트북" not in response.content.decode()


def test_the_public_sees_the_catalogue_but_not_drafts(client, shelf):
    response = client.get(reverse("catalogue:search"), {"q": "노트북"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Business notebook computer" in html  # the English page shows the English name
    assert "Secret notebook" not in html
    assert client.get(shelf["notebook"].get_absolute_url()).status_code == 200
    assert client.get(shelf["draft"].get_absolute_url()).status_code == 404


def test_a_bad_search_parameter_does_not_break_the_page(client, shelf):
    response = client.get(reverse("catalogue:search"), {"price_min": "1e999", "cpv": "abc", "region": "mars"})
    assert response.status_code == 200


def test_an_official_orders_through_the_pages(client_for, official, shelf):
    set_budget(official)
    client = client_for(official)
    item = shelf["notebook"]
    client.post(reverse("catalogue:cart_add", args=[item.pk]), {"quantity": "2"})
    response = client.post(reverse("catalogue:cart"), {"delivery_address": "정부세종청사 6동", "region": "sejong"})
    placed = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == placed.get_absolute_url()
    assert placed.total == Decimal("2400000")


def test_the_cart_and_orders_are_not_for_suppliers_or_the_public(client_for, client, supplier_user, shelf):
    assert client.get(reverse("catalogue:cart")).status_code == 302  # to sign-in
    assert client_for(supplier_user).get(reverse("catalogue:cart")).status_code == 403
    response = client_for(supplier_user).post(
        reverse("catalogue:cart_add", args=[shelf["notebook"].pk]), {"quantity": 1}
    )
    assert response.status_code == 403


def test_orders_are_public_only_above_the_threshold_and_without_private_details(
    client, client_for, official, shelf, rival_official, settings
):
    set_budget(official, amount="100000000", limit="100000000")
    settings.CATALOGUE_PUBLICATION_THRESHOLD = Decimal("2000000")
    [small] = order(official, (shelf["desktop"], 1), region="busan")
    [big] = order(official, (shelf["notebook"], 2))

    listing = client.get(reverse("catalogue:orders_public")).content.decode()
    assert big.reference in listing
    assert small.reference not in listing
    page = client.get(big.get_absolute_url()).content.decode()
    assert "정부세종청사" not in page  # the delivery address is the parties' business
    assert client.get(small.get_absolute_url()).status_code == 404
    assert client_for(rival_official).get(small.get_absolute_url()).status_code == 404


def test_the_prompt_payment_dashboard_shows_each_entity_with_a_chart(client, official, shelf, supplier_user):
    set_budget(official)
    [placed] = order(official, (shelf["notebook"], 1))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 1})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (1, "") for dl in delivery.lines.all()}
    )
    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={line.pk: 1})
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="T-1")
    Invoice.objects.filter(pk=invoice.pk).update(accepted_at=invoice.accepted_at - timedelta(days=2))

    response = client.get(reverse("catalogue:payments"))

    html = response.content.decode()
    [stats] = response.context["stats"]
    assert (stats.paid, stats.paid_late, stats.median_days, stats.late_share_pct) == (1, 0, 2.0, 0.0)
    assert "<svg" in html
    assert official.official.entity.name_en in html


def test_an_invoice_page_and_pdf_are_for_the_parties_only(
    client_for, official, shelf, supplier_user, other_supplier_user, rival_official
):
    set_budget(official)
    [placed] = order(official, (shelf["notebook"], 1))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 1})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (1, "") for dl in delivery.lines.all()}
    )
    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={line.pk: 1})
    pdf = reverse("catalogue:invoice_pdf", args=[invoice.pk])

    waiting = client_for(official).get(pdf)  # the PDF is rendered by the worker (contracts.services.documents)
    assert waiting.context["report"].status == "pending"
    document_render(report_id=waiting.context["report"].pk)
    assert client_for(official).get(pdf)["Content-Type"] == "application/pdf"
    assert client_for(supplier_user).get(invoice.get_absolute_url()).status_code == 200
    for outsider in (other_supplier_user, rival_official):
        assert client_for(outsider).get(pdf).status_code == 404
        assert (
            client_for(outsider).post(reverse("catalogue:invoice_action", args=[invoice.pk, "approve"])).status_code
            == 404
        )


# --- API ---------------------------------------------------------------------------------------------------


def test_the_api_searches_the_catalogue_and_refuses_unreadable_parameters(client, shelf):
    response = client.get("/api/v1/catalogue/items/", {"q": "computer", "sort": "price"})
    assert response.status_code == 200
    assert [r["name_ko"] for r in response.json()["results"]] == ["데스크톱 컴퓨터", "업무용노트북컴퓨터"]
    bad = client.get("/api/v1/catalogue/items/", {"price_min": "lots"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "price_min"


def test_the_api_places_an_order_at_the_agreed_price_only(client_for, official, shelf, supplier_user):
    set_budget(official)
    api = client_for(official)
    item = shelf["monitor"]
    body = {
        "lines": [{"item": item.pk, "quantity": 2, "unit_price": "299000"}],
        "delivery_address": "세종",
        "region": "sejong",
    }
    refused = api.post("/api/v1/catalogue/orders/", body, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "cart_changed"

    body["lines"][0]["unit_price"] = "300000"
    created = api.post("/api/v1/catalogue/orders/", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()[0]["total"] == "600000.00"
    assert (
        client_for(supplier_user).post("/api/v1/catalogue/orders/", body, content_type="application/json").status_code
        == 403
    )
    assert api.post("/api/v1/catalogue/orders/", {"lines": []}, content_type="application/json").status_code == 422


def test_the_api_refuses_invoicing_more_than_was_accepted(client_for, official, shelf, supplier_user):
    set_budget(official)
    [placed] = order(official, (shelf["notebook"], 2))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 2})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (1, "파손") for dl in delivery.lines.all()}
    )
    url = f"/api/v1/catalogue/orders/{placed.pk}/invoices/"

    too_many = client_for(supplier_user).post(
        url, {"lines": [{"order_line": line.pk, "quantity": 2}]}, content_type="application/json"
    )
    assert too_many.status_code == 422
    assert too_many.json()["field"] == f"line_{line.pk}"
    ok = client_for(supplier_user).post(
        url, {"lines": [{"order_line": line.pk, "quantity": 1}]}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["total"] == "1320000.00"
