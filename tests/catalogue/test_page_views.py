"""Every catalogue page renders for the people it is for, and shows them what they act on."""

import pytest
from django.urls import reverse

from catalogue import services
from tests.factories import TenderFactory

from .conftest import make_item, order, set_budget

pytestmark = pytest.mark.django_db


def test_the_supplier_sees_its_items_and_can_edit_a_draft(client_for, agreement, supplier_user, official):
    draft = make_item(agreement, supplier_user, official, name="초안 품목", publish=False)
    supplier = client_for(supplier_user)
    assert "초안 품목" in supplier.get(reverse("catalogue:supplier_items")).content.decode()
    edit = supplier.get(reverse("catalogue:item_edit", args=[draft.pk]))
    assert edit.status_code == 200
    assert supplier.get(reverse("catalogue:item_new", args=[agreement.pk])).status_code == 200
    response = supplier.post(reverse("catalogue:item_action", args=[draft.pk, "submit"]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "pending"


def test_the_agency_reviews_items_and_price_changes(client_for, agreement, supplier_user, official):
    pending = make_item(agreement, supplier_user, official, name="검토 대기 품목", publish=False)
    services.item_submit(item=pending, actor=supplier_user)
    published = make_item(agreement, supplier_user, official, name="가격 변경 품목")
    services.price_change_request(item=published, actor=supplier_user, new_price="1010000", reason="인상")
    agency = client_for(official)
    page = agency.get(reverse("catalogue:review")).content.decode()
    assert "검토 대기 품목" in page
    assert "가격 변경 품목" in page
    agency.post(reverse("catalogue:item_action", args=[pending.pk, "approve"]))
    change = published.price_changes.get()
    agency.post(
        reverse("catalogue:item_action", args=[published.pk, "price_decide"]),
        {"change": change.pk, "decision": "approve"},
    )
    pending.refresh_from_db()
    published.refresh_from_db()
    assert (pending.status, str(published.unit_price)) == ("published", "1010000.00")
    assert agency.get(published.get_absolute_url()).status_code == 200


def test_agreement_pages_are_public(client, agreement, item):
    assert agreement.reference in client.get(reverse("catalogue:agreements")).content.decode()
    assert client.get(agreement.get_absolute_url()).status_code == 200


def test_the_framework_terms_form_and_the_conclusion_page_are_for_the_entitys_officials(
    client_for, official, rival_official
):
    draft = TenderFactory(entity=official.official.entity, created_by=official)
    url = reverse("catalogue:framework_call", args=[draft.pk])
    assert client_for(rival_official).get(url).status_code == 404
    assert client_for(official).get(url).status_code == 200


def test_order_and_invoice_lists_and_the_inspection_page_render(client_for, official, supplier_user, item):
    set_budget(official)
    [placed] = order(official, (item, 2))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 2})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    buyer, seller = client_for(official), client_for(supplier_user)
    assert placed.reference in buyer.get(reverse("catalogue:orders")).content.decode()
    assert placed.reference in seller.get(reverse("catalogue:orders")).content.decode()
    inspect = buyer.get(reverse("catalogue:delivery_inspect", args=[placed.pk, delivery.pk]))
    assert inspect.status_code == 200
    assert seller.get(reverse("catalogue:delivery_inspect", args=[placed.pk, delivery.pk])).status_code == 403
    buyer.post(
        reverse("catalogue:delivery_inspect", args=[placed.pk, delivery.pk]),
        {f"accept_{dl.pk}": "2" for dl in delivery.lines.all()},
    )
    assert seller.get(reverse("catalogue:invoice_new", args=[placed.pk])).status_code == 200
    seller.post(reverse("catalogue:invoice_new", args=[placed.pk]), {f"line_{line.pk}": "2"})
    invoice = placed.invoices.get()
    assert invoice.number in buyer.get(reverse("catalogue:invoices")).content.decode()
    assert "Approve the invoice" in buyer.get(invoice.get_absolute_url()).content.decode()
