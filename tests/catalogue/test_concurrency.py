"""Two officials ordering the last of a stock at once, and other races, with real threads and connections."""

from decimal import Decimal

import pytest

from catalogue import services
from catalogue.models import CatalogueItem, EntityBudget, Invoice, Order
from procurement.errors import Conflict, Invalid
from tests.bidding.test_concurrency import in_threads
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory

from .conftest import make_agreement, make_item, order, set_budget

pytestmark = pytest.mark.django_db(transaction=True)


def _attempt(work):
    try:
        return work()
    except (Conflict, Invalid) as exc:
        return exc


def test_two_officials_ordering_the_last_unit_at_once_get_one_order_and_one_clear_refusal(official, supplier_user):
    set_budget(official)
    colleague = OfficialFactory(entity=official.official.entity).user
    enrol_totp(colleague)
    agreement = make_agreement(official, supplier_user)
    item = make_item(agreement, supplier_user, official, stock=1)

    results = in_threads(2, lambda i: _attempt(lambda: order((official, colleague)[i], (item, 1))))

    placed = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(placed), len(refused)) == (1, 1)
    assert "Only 0" in refused[0].message
    assert CatalogueItem.objects.get(pk=item.pk).stock == 0
    assert Order.objects.count() == 1


def test_many_concurrent_orders_never_oversell_nor_overspend(official, supplier_user):
    set_budget(official, amount="7000000")  # room for 7 units of 1,000,000
    agreement = make_agreement(official, supplier_user)
    item = make_item(agreement, supplier_user, official, stock=10)
    buyers = [official]
    for _ in range(7):
        member = OfficialFactory(entity=official.official.entity).user
        enrol_totp(member)
        buyers.append(member)

    results = in_threads(8, lambda i: _attempt(lambda: order(buyers[i], (item, 1))))

    assert sum(isinstance(r, list) for r in results) == 7
    assert sum(isinstance(r, Conflict) and r.code == "budget" for r in results) == 1
    assert CatalogueItem.objects.get(pk=item.pk).stock == 3
    assert EntityBudget.objects.get().committed == Decimal("7000000")


def test_two_invoices_for_the_same_accepted_units_at_once_one_is_refused(official, supplier_user):
    set_budget(official)
    agreement = make_agreement(official, supplier_user)
    item = make_item(agreement, supplier_user, official)
    [placed] = order(official, (item, 2))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 2})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (2, "") for dl in delivery.lines.all()}
    )

    results = in_threads(
        2,
        lambda i: _attempt(lambda: services.invoice_issue(order=placed, actor=supplier_user, quantities={line.pk: 2})),
    )

    assert sum(isinstance(r, Invoice) for r in results) == 1
    assert sum(isinstance(r, Invalid) for r in results) == 1
