"""Delivery and inspection (검수): the supplier dispatches part or all of an order and reports it
delivered; the buyer inspects each line, accepting units or rejecting them with a reason. Rejected
units are owed again (a redelivery is a new delivery); the order is complete when every unit has
been accepted (docs/architecture.md §11)."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Invalid, InvalidTransition
from procurement.notifications import notify
from procurement.states import check_transition

from ..models import Delivery, DeliveryLine, Order, OrderLine
from .common import clean_quantity, entity_officials, require_member_of, require_official_of, supplier_members


def outstanding(line: OrderLine) -> int:
    """Units of the line still to be dispatched: ordered − accepted − in deliveries not yet inspected."""
    in_flight = (
        DeliveryLine.objects.filter(order_line=line)
        .exclude(delivery__status=Delivery.Status.INSPECTED)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    return line.quantity - line.accepted_quantity - in_flight


def _buyers(order: Order):
    """The officials who placed and approved the order (inspection is theirs to arrange)."""
    return entity_officials(order.entity_id).filter(pk__in=[order.placed_by_id, order.approved_by_id])


def delivery_dispatch(*, order: Order, actor, quantities: dict, note: str = "") -> Delivery:
    """Dispatch `quantities` ({order line id: units}) of the order; at most what is outstanding."""
    require_member_of(actor, order.supplier_id)
    with transaction.atomic():
        # The order row serialises everything that counts its units (dispatch, inspection, invoicing).
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (Order.Status.PLACED, Order.Status.IN_DELIVERY):
            raise InvalidTransition(_("Only a placed order can be delivered."))
        lines = {line.pk: line for line in order.lines.all()}
        wanted = {}
        for key, value in (quantities or {}).items():
            if value in (None, "", 0, "0"):
                continue
            try:
                line = lines[int(key)]
            except (KeyError, TypeError, ValueError):
                raise Invalid(_("That line is not part of this order."), field="quantities") from None
            units = clean_quantity(value, field=f"line_{line.pk}")
            left = outstanding(line)
            if units > left:
                raise Invalid(
                    _("Only %(n)s of “%(item)s” remain to be delivered.") % {"n": left, "item": line.name},
                    field=f"line_{line.pk}",
                )
            wanted[line.pk] = units
        if not wanted:
            raise Invalid(_("Enter the quantity of at least one line."), field="quantities")
        number = order.deliveries.count() + 1
        delivery = Delivery.objects.create(
            order=order, number=number, note=(note or "").strip()[:2000], dispatched_by=actor
        )
        DeliveryLine.objects.bulk_create(
            [DeliveryLine(delivery=delivery, order_line_id=pk, quantity=units) for pk, units in wanted.items()]
        )
        if order.status == Order.Status.PLACED:
            check_transition(order, Order.Status.IN_DELIVERY, Order.TRANSITIONS)
            order.status = Order.Status.IN_DELIVERY
            order.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="delivery.dispatch",
            obj=order,
            data={"delivery": number, "lines": {str(k): v for k, v in wanted.items()}},
        )
        notify(
            event="delivery.dispatched",
            recipients=_buyers(order),
            template="catalogue_delivery_dispatched",
            context={"order": order, "delivery": delivery},
            link=order.get_absolute_url(),
        )
    return delivery


def delivery_mark_delivered(*, delivery: Delivery, actor) -> Delivery:
    require_member_of(actor, delivery.order.supplier_id)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=delivery.order_id)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        check_transition(delivery, Delivery.Status.DELIVERED, Delivery.TRANSITIONS)
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.save(update_fields=["status", "delivered_at"])
        audit_record(actor=actor, action="delivery.delivered", obj=delivery.order, data={"delivery": delivery.number})
        notify(
            event="delivery.delivered",
            recipients=_buyers(delivery.order),
            template="catalogue_delivery_delivered",
            context={"order": delivery.order, "delivery": delivery},
            link=delivery.order.get_absolute_url(),
        )
    return delivery


def delivery_inspect(*, delivery: Delivery, actor, verdicts: dict) -> Delivery:
    """Inspect a delivered shipment: `verdicts` = {delivery line id: (units accepted, reason)}.

    Every line needs a verdict; a line with units rejected needs a reason. Accepted units count
    towards the order line; rejected ones are owed again.
    """
    require_official_of(actor, delivery.order.entity_id)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=delivery.order_id)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        check_transition(delivery, Delivery.Status.INSPECTED, Delivery.TRANSITIONS)
        results = []
        for line in delivery.lines.select_related("order_line").select_for_update(of=("self",)):
            verdict = verdicts.get(line.pk) or verdicts.get(str(line.pk))
            if verdict is None:
                raise Invalid(_("Give a verdict for every line."), field=f"line_{line.pk}")
            accepted, reason = verdict
            accepted = clean_quantity(accepted, field=f"line_{line.pk}", low=0, high=line.quantity)
            reason = (reason or "").strip()[:2000]
            if accepted < line.quantity and not reason:
                raise Invalid(
                    _("Say why units of “%(item)s” are rejected.") % {"item": line.order_line.name},
                    field=f"reason_{line.pk}",
                )
            line.accepted_quantity = accepted
            line.rejection_reason = reason if accepted < line.quantity else ""
            line.save(update_fields=["accepted_quantity", "rejection_reason"])
            order_line = OrderLine.objects.select_for_update().get(pk=line.order_line_id)
            order_line.accepted_quantity += accepted
            order_line.save(update_fields=["accepted_quantity"])
            results.append(
                {
                    "line": line.order_line_id,
                    "accepted": accepted,
                    "rejected": line.quantity - accepted,
                    "reason": line.rejection_reason,
                }
            )
        delivery.status = Delivery.Status.INSPECTED
        delivery.inspected_at = timezone.now()
        delivery.inspected_by = actor
        delivery.save(update_fields=["status", "inspected_at", "inspected_by"])
        audit_record(
            actor=actor, action="delivery.inspect", obj=order, data={"delivery": delivery.number, "lines": results}
        )
        if all(line.accepted_quantity == line.quantity for line in order.lines.all()):
            check_transition(order, Order.Status.COMPLETED, Order.TRANSITIONS)
            order.status = Order.Status.COMPLETED
            order.completed_at = timezone.now()
            order.save(update_fields=["status", "completed_at"])
            audit_record(actor=actor, action="order.complete", obj=order, data={})
        notify(
            event="delivery.inspected",
            recipients=supplier_members(order.supplier_id),
            template="catalogue_delivery_inspected",
            context={
                "order": order,
                "delivery": delivery,
                "results": results,
                "rejected": any(r["rejected"] for r in results),
            },
            link=order.get_absolute_url(),
        )
    return delivery
