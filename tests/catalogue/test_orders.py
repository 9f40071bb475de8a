"""Ordering from the catalogue: budget, ceiling, approval limit, stock; repriced and withdrawn items."""

from decimal import Decimal

import pytest

from catalogue import services
from catalogue.models import CartLine, CatalogueItem, EntityBudget, FrameworkAgreement, Order
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.models import AuditEntry, Outbox

from .conftest import make_agreement, make_item, order, set_budget

pytestmark = pytest.mark.django_db


def test_an_order_within_the_limit_goes_straight_to_the_supplier(official, item, budget, supplier_user):
    [placed] = order(official, (item, 3))

    assert placed.status == Order.Status.PLACED
    assert placed.total == Decimal("3000000")
    item.refresh_from_db()
    assert item.stock == 97
    budget.refresh_from_db()
    assert budget.committed == Decimal("3000000")
    assert placed.agreement.__class__.objects.get(pk=placed.agreement_id).ordered_total == Decimal("3000000")
    assert Outbox.objects.filter(event="order.placed", recipient=supplier_user).exists()
    assert AuditEntry.objects.filter(action="order.place", object_id=str(placed.pk)).exists()


def test_an_order_above_the_limit_waits_for_a_second_official(official, second_official, item, budget, supplier_user):
    [placed] = order(official, (item, 6))  # 6,000,000 > 5,000,000

    assert placed.status == Order.Status.PENDING_APPROVAL
    assert Outbox.objects.filter(event="order.approval_requested", recipient=second_official).exists()
    assert not Outbox.objects.filter(event="order.placed").exists()

    with pytest.raises(Forbidden):
        services.order_approve(order=placed, actor=official)  # her own order
    approved = services.order_approve(order=placed, actor=second_official)

    assert approved.status == Order.Status.PLACED
    assert approved.approved_by == second_official
    assert Outbox.objects.filter(event="order.placed", recipient=supplier_user).exists()


def test_an_official_without_the_right_to_approve_cannot_approve(official, item, budget):
    from tests.conftest import enrol_totp
    from tests.factories import OfficialFactory

    colleague = OfficialFactory(entity=official.official.entity, can_approve=False).user
    enrol_totp(colleague)
    [placed] = order(official, (item, 6))

    with pytest.raises(Forbidden):
        services.order_approve(order=placed, actor=colleague)


def test_a_declined_order_gives_back_budget_ceiling_and_stock(official, second_official, item, budget):
    [placed] = order(official, (item, 6))

    services.order_decline(order=placed, actor=second_official, reason="예산 재검토")

    item.refresh_from_db()
    budget.refresh_from_db()
    assert (item.stock, budget.committed) == (100, 0)
    assert FrameworkAgreement.objects.get(pk=item.agreement_id).ordered_total == 0
    with pytest.raises(InvalidTransition):
        services.order_approve(order=placed, actor=second_official)


def test_ordering_beyond_the_budget_is_refused_and_changes_nothing(official, item):
    set_budget(official, amount="2500000")

    with pytest.raises(Conflict) as refused:
        order(official, (item, 3))

    assert refused.value.code == "budget"
    assert not Order.objects.exists()
    item.refresh_from_db()
    assert item.stock == 100
    assert EntityBudget.objects.get().committed == 0


def test_ordering_beyond_the_agreements_ceiling_is_refused(official, supplier_user, budget):
    small = make_agreement(official, supplier_user, ceiling="2000000")
    item = make_item(small, supplier_user, official)

    order(official, (item, 2))
    with pytest.raises(Conflict) as refused:
        order(official, (item, 1))

    assert refused.value.code == "ceiling"
    assert FrameworkAgreement.objects.get(pk=small.pk).ordered_total == Decimal("2000000")


def test_ordering_more_than_the_stock_is_refused(official, agreement, supplier_user, budget):
    item = make_item(agreement, supplier_user, official, stock=2)

    with pytest.raises(Conflict) as refused:
        order(official, (item, 3))

    assert "Only 2" in refused.value.message


def test_an_item_repriced_after_it_went_into_the_cart_is_refused_until_the_buyer_accepts_the_price(
    official, item, budget, supplier_user
):
    services.cart_add(actor=official, item=item, quantity=2)
    change = services.price_change_request(
        item=item, actor=supplier_user, new_price="1040000", reason="원자재 가격 상승"
    )
    services.price_change_decide(change=change, actor=official, approve=True)

    with pytest.raises(Conflict) as refused:
        services.orders_place_from_cart(actor=official, delivery_address="세종", region="sejong")
    assert "changed from 1,000,000 to 1,040,000" in refused.value.message
    assert not Order.objects.exists()

    services.cart_accept_prices(actor=official)
    [placed] = services.orders_place_from_cart(actor=official, delivery_address="세종", region="sejong")
    assert placed.total == Decimal("2080000")
    assert not CartLine.objects.filter(user=official).exists()


def test_a_placed_order_keeps_its_price_when_the_item_is_repriced_later(official, item, budget, supplier_user):
    [placed] = order(official, (item, 2))
    change = services.price_change_request(item=item, actor=supplier_user, new_price="990000", reason="할인")
    services.price_change_decide(change=change, actor=official, approve=True)

    line = placed.lines.get()
    assert line.unit_price == Decimal("1000000")
    assert line.price_version == 1
    item.refresh_from_db()
    assert (item.unit_price, item.price_version) == (Decimal("990000"), 2)


def test_a_withdrawn_item_cannot_be_ordered(official, item, budget, supplier_user):
    services.cart_add(actor=official, item=item, quantity=1)
    services.item_withdraw(item=item, actor=supplier_user, reason="단종")

    with pytest.raises(Conflict) as refused:
        services.orders_place_from_cart(actor=official, delivery_address="세종", region="sejong")

    assert "withdrawn" in refused.value.message


def test_an_order_to_a_region_the_item_does_not_serve_is_refused(official, item, budget):
    with pytest.raises(Conflict):
        order(official, (item, 1), region="jeju")


def test_an_order_at_the_mini_competition_threshold_must_go_to_competition(official, item, settings):
    set_budget(official, amount="900000000")
    settings.CATALOGUE_MINI_COMPETITION_THRESHOLD = Decimal("50000000")

    with pytest.raises(Conflict) as refused:
        order(official, (item, 50))

    assert refused.value.code == "mini_competition"


def test_a_suspended_agreements_items_cannot_be_ordered(official, item, budget):
    services.agreement_set_status(agreement=item.agreement, actor=official, to="suspended", reason="품질 점검")

    with pytest.raises(Conflict):
        order(official, (item, 1))


def test_a_cart_with_two_suppliers_becomes_two_orders_in_one_budget_check(
    official, item, rival_agreement, other_supplier_user
):
    set_budget(official, amount="3000000")
    rival_item = make_item(rival_agreement, other_supplier_user, official, name="복합기", price="1500000")

    with pytest.raises(Conflict):  # 2,000,000 + 1,500,000 > 3,000,000 together
        order(official, (item, 2), (rival_item, 1))
    placed = order(official, (item, 1), (rival_item, 1))

    assert sorted(o.supplier_id for o in placed) == sorted([item.supplier_id, rival_item.supplier_id])
    assert EntityBudget.objects.get().committed == Decimal("2500000")


def test_no_budget_for_the_year_means_no_order(official, item):
    with pytest.raises(Conflict) as refused:
        order(official, (item, 1))
    assert refused.value.code == "no_budget"


@pytest.mark.parametrize(
    ("quantity", "price"),
    [(0, None), (-1, None), ("many", None), (10**9, None), (1, "-5"), (1, "1e999999"), (1, "abc")],
)
def test_bad_order_input_is_refused_with_the_field_at_fault(official, item, budget, quantity, price):
    line = services.Wanted(item.pk, quantity, price if price is not None else item.unit_price)
    with pytest.raises(Invalid):
        services.orders_place(actor=official, lines=[line], delivery_address="세종", region="sejong")
    assert not Order.objects.exists()


def test_ordering_an_item_that_does_not_exist_or_twice_in_one_order_is_refused(official, item, budget):
    with pytest.raises(Invalid):
        services.orders_place(
            actor=official, lines=[services.Wanted(999999, 1, "1")], delivery_address="x", region="sejong"
        )
    twice = [services.Wanted(item.pk, 1, item.unit_price)] * 2
    with pytest.raises(Invalid):
        services.orders_place(actor=official, lines=twice, delivery_address="x", region="sejong")


def test_suppliers_and_outsiders_cannot_order(supplier_user, outsider, item):
    for user in (supplier_user, outsider):
        with pytest.raises(Forbidden):
            services.orders_place(
                actor=user, lines=[services.Wanted(item.pk, 1, item.unit_price)], delivery_address="x", region="sejong"
            )


def test_an_order_can_be_cancelled_until_something_is_dispatched(official, item, budget, supplier_user):
    [
        first,
    ] = order(official, (item, 1))
    [
        second,
    ] = order(official, (item, 1))
    services.delivery_dispatch(order=second, actor=supplier_user, quantities={second.lines.get().pk: 1})

    services.order_cancel(order=first, actor=official, reason="중복 주문")
    with pytest.raises(InvalidTransition):
        services.order_cancel(order=second, actor=official, reason="취소")

    assert Order.objects.get(pk=first.pk).status == Order.Status.CANCELLED
    assert CatalogueItem.objects.get(pk=item.pk).stock == 99


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unaudited_change_of_an_orders_status_or_an_items_price(official, item, budget):
    from django.db import IntegrityError

    [placed] = order(official, (item, 1))
    with pytest.raises(IntegrityError, match=r"unaudited change to catalogue\.order"):
        Order.objects.filter(pk=placed.pk).update(status=Order.Status.COMPLETED)
    with pytest.raises(IntegrityError, match=r"unaudited change to catalogue\.catalogueitem"):
        CatalogueItem.objects.filter(pk=item.pk).update(unit_price=1)
    assert CatalogueItem.objects.get(pk=item.pk).unit_price == Decimal("1000000")
