"""The budget holder (an official who may give the entity's second approvals) sees the entity's
catalogue budget, what is committed and what is spent; nobody else does, and nobody edits it there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue import services
from catalogue.budgets import budget_years
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory

from .conftest import make_item, order, set_budget

pytestmark = pytest.mark.django_db


def accept_all(placed, official, supplier_user):
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: line.quantity})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    [dl] = delivery.lines.all()
    services.delivery_inspect(delivery=delivery, actor=official, verdicts={dl.pk: (line.quantity, "")})
    return line


def test_the_budget_holder_sees_budget_committed_invoiced_and_spent(
    client_for, official, second_official, agreement, supplier_user
):
    set_budget(official, amount="50000000", limit="5000000")
    item = make_item(agreement, supplier_user, official, price="1000000")
    [paid_order] = order(official, (item, 3))
    line = accept_all(paid_order, official, supplier_user)
    invoice = services.invoice_issue(order=paid_order, actor=supplier_user, quantities={line.pk: 3})
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="P-1")
    [delivered] = order(official, (item, 2))
    line = accept_all(delivered, official, supplier_user)
    services.invoice_issue(order=delivered, actor=supplier_user, quantities={line.pk: 2})
    [waiting] = order(official, (item, 6))  # above the 5,000,000 limit: waits for a second official
    [declined] = order(official, (item, 7))
    services.order_decline(order=declined, actor=second_official, reason="불요")

    [year] = budget_years(official.official.entity_id)
    assert year.committed == Decimal("11000000")  # 3 + 2 + 6; the declined order gave its 7 back
    assert year.awaiting_approval == Decimal("6000000")
    assert year.completed_orders == Decimal("5000000")
    assert year.invoiced_unpaid == Decimal("2000000")
    assert year.paid == Decimal("3000000")
    assert year.paid_with_vat == Decimal("3300000")
    assert year.remaining == Decimal("39000000")
    assert year.orders == 3

    page = client_for(second_official).get(reverse("catalogue:budget"))
    assert page.status_code == 200
    text = page.content.decode()
    for figure in ("50,000,000", "11,000,000", "39,000,000", "3,000,000", "2,000,000", "3,300,000"):
        assert figure in text
    assert reverse("catalogue:budget") in text  # in the navigation for the budget holder
    assert waiting.reference not in text  # figures, not the orders (the order list has those)


def test_only_the_budget_holder_of_the_entity_sees_it(
    client_for, client, official, second_official, supplier_user, rival_official
):
    set_budget(official, amount="50000000")
    url = reverse("catalogue:budget")
    assert client.get(url).status_code == 302  # to sign in
    assert client_for(official).get(url).status_code == 403  # an official without the right to approve
    assert reverse("catalogue:budget") not in client_for(official).get(reverse("catalogue:search")).content.decode()
    assert client_for(supplier_user).get(url).status_code == 403
    assert client_for(rival_official).get(url).status_code == 403

    # Another entity's budget holder sees their own entity's (none), never this one's.
    other = OfficialFactory(entity=rival_official.official.entity, can_approve=True).user
    enrol_totp(other)
    page = client_for(other).get(url)
    assert page.status_code == 200
    assert "50,000,000" not in page.content.decode()
    assert "no catalogue budget" in page.content.decode()


def test_the_page_changes_nothing_and_editing_is_for_the_admin_site(client_for, official, second_official):
    budget = set_budget(official, amount="50000000")
    response = client_for(second_official).post(reverse("catalogue:budget"), {"amount": "999999999"})
    assert response.status_code in (403, 405)
    budget.refresh_from_db()
    assert budget.amount == Decimal("50000000")
    assert not second_official.has_perm("catalogue.change_entitybudget", budget)
