"""Cart, orders and their approval (docs/architecture.md §11).

Placing an order locks, in this order, the entity's budget row, the agreements (by id) and the
items (by id), so two placements never deadlock and never together spend more budget, more
ceiling or more stock than there is. Stock is taken when the order is placed (also while it waits
for approval) and given back if it is declined or cancelled.

An item repriced or withdrawn after it went into the cart is refused at ordering with a message
naming it: the cart remembers the price the official saw, and an order is a commitment of public
money at a price the official agreed to. Once placed, an order keeps its prices; a later price
change never touches it.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.money import MONEY_CONTEXT, decimal_parse
from procurement.notifications import notify
from procurement.states import check_transition
from tenders.selectors import is_approver_of, is_official_of

from ..models import (
    CartLine,
    CatalogueItem,
    EntityBudget,
    FrameworkAgreement,
    MiniCompetition,
    Order,
    OrderLine,
    Region,
)
from .common import (
    clean_quantity,
    clean_text,
    entity_officials,
    money,
    next_reference,
    require_entity_official,
    supplier_members,
)

MAX_LINES = 50


# --- cart --------------------------------------------------------------------------------------------


def cart_add(*, actor, item: CatalogueItem, quantity) -> CartLine:
    require_entity_official(actor)
    quantity = clean_quantity(quantity)
    if item.status != CatalogueItem.Status.PUBLISHED:
        raise Conflict(_("This item is not in the catalogue."), code="not_published")
    if quantity < item.min_order_quantity:
        raise Invalid(_("The minimum order for this item is %(n)s.") % {"n": item.min_order_quantity}, field="quantity")
    with transaction.atomic():
        if CartLine.objects.filter(user=actor).exclude(item=item).count() >= MAX_LINES:
            raise Conflict(_("A cart holds at most %(n)s items.") % {"n": MAX_LINES}, code="cart_full")
        line, _created = CartLine.objects.update_or_create(
            user=actor, item=item, defaults={"quantity": quantity, "unit_price_seen": item.unit_price}
        )
    return line


def cart_update(*, actor, line_id: int, quantity) -> CartLine | None:
    """Change a line's quantity (0 removes it)."""
    quantity = clean_quantity(quantity, low=0)
    line = CartLine.objects.filter(user=actor, pk=line_id).select_related("item").first()
    if line is None:
        raise Invalid(_("That line is not in your cart."), field="line")
    if quantity == 0:
        line.delete()
        return None
    if quantity < line.item.min_order_quantity:
        raise Invalid(
            _("The minimum order for this item is %(n)s.") % {"n": line.item.min_order_quantity}, field="quantity"
        )
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_accept_prices(*, actor) -> int:
    """The official has seen the current prices: take them into the cart. Returns lines changed."""
    changed = 0
    for line in CartLine.objects.filter(user=actor).select_related("item"):
        if line.unit_price_seen != line.item.unit_price:
            line.unit_price_seen = line.item.unit_price
            line.save(update_fields=["unit_price_seen"])
            changed += 1
    return changed


# --- placing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """One line to order: the item, how many, and the unit price the official agreed to."""

    item_id: int
    quantity: int
    unit_price: Decimal


def _budget_for_update(entity_id: int) -> EntityBudget:
    year = timezone.localdate().year
    budget = EntityBudget.objects.select_for_update().filter(entity_id=entity_id, year=year).first()
    if budget is None:
        raise Conflict(
            _("Your entity has no catalogue budget for %(year)s. Ask your budget officer to set it.") % {"year": year},
            code="no_budget",
        )
    return budget


def _clean_wanted(lines) -> list[Wanted]:
    if not lines:
        raise Invalid(_("The order has no items."), field="lines")
    if len(lines) > MAX_LINES:
        raise Invalid(_("An order holds at most %(n)s items.") % {"n": MAX_LINES}, field="lines")
    cleaned, seen = [], set()
    for line in lines:
        if line.item_id in seen:
            raise Invalid(_("Each item may appear once per order."), field="lines")
        seen.add(line.item_id)
        price = decimal_parse(line.unit_price, field="unit_price", low=Decimal("0.01"), places=2)
        cleaned.append(Wanted(int(line.item_id), clean_quantity(line.quantity), price))
    return cleaned


def orders_place(*, actor, lines: list[Wanted], delivery_address: str, region: str, note: str = "") -> list[Order]:
    """Place one order per agreement for `lines`, within the budget, the ceilings and the stock."""
    entity = require_entity_official(actor)
    wanted = _clean_wanted(lines)
    address = clean_text(
        delivery_address, field="delivery_address", message=_("Give the delivery address."), max_length=300
    )
    if region not in Region.values:
        raise Invalid(_("Choose the delivery region."), field="region")
    note = (note or "").strip()[:2000]
    today = timezone.localdate()
    with transaction.atomic():
        # Lock order: budget → agreements (by id) → items (by id); see the module docstring.
        budget = _budget_for_update(entity.pk)
        items = {i.pk: i for i in CatalogueItem.objects.filter(pk__in=[w.item_id for w in wanted]).only("agreement_id")}
        if len(items) != len(wanted):
            raise Invalid(_("An item in the order does not exist."), field="lines")
        agreements = {
            a.pk: a
            for a in FrameworkAgreement.objects.select_for_update()
            .filter(pk__in={i.agreement_id for i in items.values()})
            .order_by("pk")
        }
        items = {i.pk: i for i in CatalogueItem.objects.select_for_update().filter(pk__in=list(items)).order_by("pk")}
        problems = []
        by_agreement: dict[int, list[tuple[Wanted, CatalogueItem]]] = defaultdict(list)
        for w in wanted:
            item = items[w.item_id]
            agreement = agreements[item.agreement_id]
            if item.status != CatalogueItem.Status.PUBLISHED:
                problems.append(_("“%(item)s” has been withdrawn from the catalogue.") % {"item": item.name})
            elif item.unit_price != w.unit_price:
                problems.append(
                    _("The price of “%(item)s” changed from %(old)s to %(new)s; review your cart.")
                    % {"item": item.name, "old": f"{w.unit_price:,.0f}", "new": f"{item.unit_price:,.0f}"}
                )
            elif w.quantity < item.min_order_quantity:
                problems.append(
                    _("The minimum order for “%(item)s” is %(n)s.") % {"item": item.name, "n": item.min_order_quantity}
                )
            elif w.quantity > item.stock:
                problems.append(_("Only %(n)s of “%(item)s” are left in stock.") % {"item": item.name, "n": item.stock})
            elif region not in item.regions:
                problems.append(_("“%(item)s” is not delivered to that region.") % {"item": item.name})
            if agreement.status != FrameworkAgreement.Status.ACTIVE or not (
                agreement.start_date <= today <= agreement.end_date
            ):
                problems.append(
                    _("The agreement %(ref)s is not in force; its items cannot be ordered.")
                    % {"ref": agreement.reference}
                )
            by_agreement[agreement.pk].append((w, item))
        if problems:
            raise Conflict(" ".join(dict.fromkeys(str(p) for p in problems)), code="cart_changed")
        totals = {
            pk: money(sum((MONEY_CONTEXT.multiply(w.unit_price, w.quantity) for w, _i in pairs), Decimal(0)))
            for pk, pairs in by_agreement.items()
        }
        for pk, total in totals.items():
            if total >= settings.CATALOGUE_MINI_COMPETITION_THRESHOLD:
                raise Conflict(
                    _(
                        "An order of %(total)s from %(ref)s is at or above %(limit)s: it must go to a "
                        "second-stage competition among the agreement's suppliers."
                    )
                    % {
                        "total": f"{total:,.0f}",
                        "ref": agreements[pk].reference,
                        "limit": f"{settings.CATALOGUE_MINI_COMPETITION_THRESHOLD:,.0f}",
                    },
                    code="mini_competition",
                )
            agreement = agreements[pk]
            if agreement.ordered_total + total > agreement.ceiling:
                raise Conflict(
                    _("The order exceeds the agreement %(ref)s's remaining ceiling (%(left)s left).")
                    % {"ref": agreement.reference, "left": f"{agreement.remaining:,.0f}"},
                    code="ceiling",
                )
        grand = sum(totals.values(), Decimal(0))
        if budget.committed + grand > budget.amount:
            raise Conflict(
                _("The order (%(total)s) exceeds your entity's remaining catalogue budget (%(left)s).")
                % {"total": f"{grand:,.0f}", "left": f"{budget.remaining:,.0f}"},
                code="budget",
            )
        orders = []
        for pk, pairs in by_agreement.items():
            agreement, total = agreements[pk], totals[pk]
            needs_approval = total > budget.approval_limit
            order = Order.objects.create(
                reference=next_reference("CO"),
                entity=entity,
                budget=budget,
                agreement=agreement,
                supplier_id=agreement.supplier_id,
                status=Order.Status.PENDING_APPROVAL if needs_approval else Order.Status.PLACED,
                currency=agreement.currency,
                total=total,
                delivery_address=address,
                region=region,
                note=note,
                placed_by=actor,
                placed_at=None if needs_approval else timezone.now(),
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        item=item,
                        name=item.name_ko,
                        unit=item.unit,
                        unit_price=w.unit_price,
                        price_version=item.price_version,
                        quantity=w.quantity,
                    )
                    for w, item in pairs
                ]
            )
            for w, item in pairs:
                item.stock -= w.quantity
                item.save(update_fields=["stock", "updated_at"])
            agreement.ordered_total += total
            agreement.save(update_fields=["ordered_total"])
            audit_record(
                actor=actor,
                action="order.place",
                obj=order,
                data={
                    "status": order.status,
                    "total": total,
                    "agreement": agreement.pk,
                    "lines": [[w.item_id, w.quantity, w.unit_price] for w, _i in pairs],
                },
            )
            orders.append(order)
        budget.committed += grand
        budget.save(update_fields=["committed"])
        CartLine.objects.filter(user=actor, item_id__in=[w.item_id for w in wanted]).delete()
        for order in orders:
            _tell_placed(order) if order.status == Order.Status.PLACED else _tell_approvers(order, actor)
    return orders


def orders_place_from_cart(*, actor, delivery_address: str, region: str, note: str = "") -> list[Order]:
    lines = [Wanted(line.item_id, line.quantity, line.unit_price_seen) for line in CartLine.objects.filter(user=actor)]
    if not lines:
        raise Invalid(_("Your cart is empty."), field="lines")
    return orders_place(actor=actor, lines=lines, delivery_address=delivery_address, region=region, note=note)


def _tell_placed(order: Order) -> None:
    notify(
        event="order.placed",
        recipients=supplier_members(order.supplier_id),
        template="catalogue_order_placed",
        context={"order": order},
        link=order.get_absolute_url(),
    )


def _tell_approvers(order: Order, actor) -> None:
    notify(
        event="order.approval_requested",
        recipients=entity_officials(order.entity_id, approvers_only=True).exclude(pk=actor.pk),
        template="catalogue_order_approval_requested",
        context={"order": order},
        link=order.get_absolute_url(),
    )


# --- approval, decline, cancellation ------------------------------------------------------------------


def order_approve(*, order: Order, actor) -> Order:
    """A second official with the right to approve places an order above the entity's limit."""
    if not is_approver_of(actor, order.entity_id):
        raise Forbidden(_("Only an official of the entity who may approve can approve orders."))
    if order.placed_by_id == actor.pk:
        raise Forbidden(_("The official who placed the order cannot approve it."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        check_transition(order, Order.Status.PLACED, Order.TRANSITIONS)
        order.status = Order.Status.PLACED
        order.approved_by = actor
        order.placed_at = timezone.now()
        order.save(update_fields=["status", "approved_by", "placed_at"])
        audit_record(actor=actor, action="order.approve", obj=order, data={"total": order.total})
        _tell_placed(order)
        notify(
            event="order.approved",
            recipients=[order.placed_by],
            template="catalogue_order_decided",
            context={"order": order, "approved": True},
            link=order.get_absolute_url(),
        )
    return order


def _release(order: Order) -> None:
    """Give the order's budget, ceiling and stock back (inside the caller's transaction, which holds
    the order row). Locks in the placing order: budget → agreement → items."""
    budget = EntityBudget.objects.select_for_update().get(pk=order.budget_id)
    agreement = FrameworkAgreement.objects.select_for_update().get(pk=order.agreement_id)
    lines = list(order.lines.all())
    # A second-stage competition's order took no stock (its lines name the requested items only).
    competed = MiniCompetition.objects.filter(order=order).exists()
    quantities = {} if competed else {line.item_id: line.quantity for line in lines if line.item_id is not None}
    for item in CatalogueItem.objects.select_for_update().filter(pk__in=list(quantities)).order_by("pk"):
        item.stock += quantities[item.pk]
        item.save(update_fields=["stock", "updated_at"])
    agreement.ordered_total -= order.total
    agreement.save(update_fields=["ordered_total"])
    budget.committed -= order.total
    budget.save(update_fields=["committed"])


def order_decline(*, order: Order, actor, reason: str) -> Order:
    if not is_approver_of(actor, order.entity_id):
        raise Forbidden(_("Only an official of the entity who may approve can decline orders."))
    reason = clean_text(reason, field="reason", message=_("Give the reason for declining."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        check_transition(order, Order.Status.DECLINED, Order.TRANSITIONS)
        _release(order)
        order.status = Order.Status.DECLINED
        order.status_reason = reason
        order.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="order.decline", obj=order, data={"reason": reason})
        notify(
            event="order.declined",
            recipients=[order.placed_by],
            template="catalogue_order_decided",
            context={"order": order, "approved": False, "reason": reason},
            link=order.get_absolute_url(),
        )
    return order


def order_cancel(*, order: Order, actor, reason: str) -> Order:
    """The buying entity cancels an order nothing of which has been dispatched yet."""
    if not is_official_of(actor, order.entity_id):
        raise Forbidden(_("Only an official of the buying entity can cancel the order."))
    reason = clean_text(reason, field="reason", message=_("Give the reason for cancelling."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        check_transition(order, Order.Status.CANCELLED, Order.TRANSITIONS)
        if order.deliveries.exists():
            raise InvalidTransition(_("Part of the order has been dispatched; it can no longer be cancelled."))
        was_placed = order.status == Order.Status.PLACED
        _release(order)
        order.status = Order.Status.CANCELLED
        order.status_reason = reason
        order.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="order.cancel", obj=order, data={"reason": reason})
        if was_placed:
            notify(
                event="order.cancelled",
                recipients=supplier_members(order.supplier_id),
                template="catalogue_order_cancelled",
                context={"order": order, "reason": reason},
                link=order.get_absolute_url(),
            )
    return order
