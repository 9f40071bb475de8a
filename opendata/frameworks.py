"""OCDS for the catalogue shop (docs/opendata.md, "The catalogue shop").

The standard's model of framework agreements (its guidance "Framework agreements"):

- the framework competition is the first stage: its tender says `techniques.hasFrameworkAgreement`,
  and each agreement concluded is an award (`agreement-<reference>`) in that contracting process;
- each call-off order (납품요구) published is a contracting process of its own (`<prefix>-<order
  reference>`), linked to the first stage by `relatedProcesses` (relationship `framework`), with a
  minimal tender (`competitive: false`), one award and one contract (the order), its deliveries as
  milestones (units delivered and accepted at inspection), its invoices and their payments
  (`contracts.implementation.transactions`);
- a contract milestone of a competitive tender invoiced and paid appears the same way in that
  tender's contract.

Only orders placed at or above CATALOGUE_PUBLICATION_THRESHOLD are published; an order waiting for
internal approval or declined never is. A published order that is cancelled stays published, as
terminated with its reason (a consumer who has it must learn that it ended).
"""

from datetime import time

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from catalogue.models import Delivery, DeliveryLine, FrameworkAgreement, Invoice, Order, OrderLine
from procurement.models import AuditEntry

# Orders' cancellation and invoices' rejection are dated by their audit entries (the models keep no
# timestamp for them); agreements' status changes likewise.
_CANCEL, _REJECT = "order.cancel", "invoice.reject"
_AGREEMENT_ACTIONS = ("agreement.active", "agreement.suspended", "agreement.terminated")
DIRECT_CALL_OFF = "Direct call-off order under a framework agreement (다수공급자계약 납품요구)"


def _ocds():
    from . import ocds  # opendata.ocds imports this module; the helpers are read at call time

    return ocds


# --- the framework competition (first stage) -------------------------------------------------------


def framework_call_of(tender):
    return getattr(tender, "framework_call", None)


def framework_techniques(call) -> dict:
    """`tender.techniques` (and the agreements' period) of a framework competition's notice."""
    ocds = _ocds()
    currency = call.tender.currency
    method = (
        "withAndWithoutReopeningCompetition"
        if settings.CATALOGUE_MINI_COMPETITION_THRESHOLD
        else "withoutReopeningCompetition"
    )
    period = {
        "startDate": ocds._day(call.start_date, time.min),
        "endDate": ocds._day(call.end_date, time(23, 59, 59)),
    }
    return {
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "method": method,
                "maximumParticipants": call.max_suppliers,
                "period": period,
                "ceilingPerSupplier": ocds._value(call.ceiling, currency),
                "maximumPriceIncreasePercent": ocds._number(call.max_price_increase_pct),
                "description": (
                    "Multiple-award schedule (다수공급자계약): each awarded supplier lists items at its own "
                    "agreed prices; any public buyer orders directly below "
                    f"{ocds._amount(settings.CATALOGUE_MINI_COMPETITION_THRESHOLD)} {currency}, and through "
                    "a second-stage competition among the agreement's suppliers at or above it."
                ),
            },
        },
        "contractPeriod": period,
    }


def competition_of(tender):
    return getattr(tender, "mini_competition", None)


def competition_related(tender) -> dict | None:
    """A second-stage competition's link to its framework process (relatedProcesses, `framework`)."""
    competition = competition_of(tender)
    if competition is None:
        return None
    return framework_related(competition.framework.tender, title=None)


def framework_related(framework_tender, *, title: str | None) -> dict:
    ocds = _ocds()
    ocid = framework_tender.ocid
    return ocds.compact(
        {
            "id": "1",
            "relationship": ["framework"],
            "title": title or framework_tender.title,
            "scheme": "ocid",
            "identifier": ocid,
            "uri": ocds.absolute(reverse("api-ocds-record", args=[ocid])) if ocid else None,
        }
    )


def agreement_award_id(agreement: FrameworkAgreement) -> str:
    return f"agreement-{agreement.reference}"


def agreement_events(history, agreements: list[FrameworkAgreement], status_entries: list[AuditEntry]) -> None:
    """Each agreement concluded is an award of the framework process; its later status changes update it."""
    ocds = _ocds()
    by_id = {str(a.pk): a for a in agreements}
    for agreement in agreements:
        base = {
            "id": agreement_award_id(agreement),
            "title": agreement.title,
            "suppliers": [history.supplier_ref(agreement.supplier)],
        }
        history.events.append(
            ocds._Event(
                phase=4,
                at=agreement.concluded_at,
                key=agreement_award_id(agreement),
                tag=["award"],
                sections={
                    "parties": [history.supplier_party(agreement.supplier, "supplier")],
                    "awards": [
                        {
                            **base,
                            "status": "active",
                            "date": ocds._dt(agreement.concluded_at),
                            "value": ocds._value(agreement.ceiling, agreement.currency),
                            "contractPeriod": {
                                "startDate": ocds._day(agreement.start_date, time.min),
                                "endDate": ocds._day(agreement.end_date, time(23, 59, 59)),
                            },
                            "agreementStatus": "active",
                        }
                    ],
                },
            )
        )
    for entry in status_entries:
        agreement = by_id.get(entry.object_id)
        if agreement is None:
            continue
        status = entry.action.removeprefix("agreement.")
        history.events.append(
            ocds._Event(
                phase=4,
                at=entry.at,
                key=f"{agreement_award_id(agreement)}-{status}-{entry.seq}",
                tag=["awardUpdate"],
                sections={
                    "awards": [
                        ocds.compact(
                            {
                                "id": agreement_award_id(agreement),
                                "agreementStatus": status,
                                "agreementStatusReason": (entry.data or {}).get("reason"),
                            }
                        )
                    ]
                },
            )
        )


def agreement_status_entries(agreements: list[FrameworkAgreement]) -> list[AuditEntry]:
    if not agreements:
        return []
    return list(
        AuditEntry.objects.filter(
            object_type="catalogue.frameworkagreement",
            object_id__in=[str(a.pk) for a in agreements],
            action__in=_AGREEMENT_ACTIONS,
        ).order_by("seq")
    )


# --- invoices and payments (orders and contract milestones) ----------------------------------------


def rejection_dates(invoices: list[Invoice]) -> dict[str, object]:
    rejected = [str(i.pk) for i in invoices if i.status == Invoice.Status.REJECTED]
    if not rejected:
        return {}
    return dict(
        AuditEntry.objects.filter(object_type="catalogue.invoice", object_id__in=rejected, action=_REJECT)
        .order_by("seq")
        .values_list("object_id", "at")
    )


def invoice_events(invoice: Invoice, *, rejected_at, buyer_ref: dict, payee_ref: dict) -> list[tuple]:
    """(time, key suffix, invoice object, transactions) for each public step of one invoice."""
    ocds = _ocds()
    currency = invoice.currency
    issued = ocds.compact(
        {
            "id": invoice.number,
            "status": "issued",
            "milestoneID": str(invoice.milestone.number) if invoice.milestone_id else None,
            "dateAccepted": ocds._dt(invoice.accepted_at),
            "dateIssued": ocds._dt(invoice.issued_at),
            "dueDate": ocds._dt(invoice.due_at),
            "supplyValue": ocds._value(invoice.supply_amount, currency),
            "vatValue": ocds._value(invoice.vat_amount, currency),
            "value": ocds._value(invoice.total, currency),
        }
    )
    steps = [(invoice.issued_at, "issued", issued, None)]
    if invoice.approved_at:
        steps.append(
            (
                invoice.approved_at,
                "approved",
                {**issued, "status": "approved", "dateApproved": ocds._dt(invoice.approved_at)},
                None,
            )
        )
    if invoice.paid_at:
        paid = {
            **issued,
            "status": "paid",
            "dateApproved": ocds._dt(invoice.approved_at),
            "datePaid": ocds._dt(invoice.paid_at),
            "paidLate": invoice.paid_at > invoice.due_at,
        }
        transaction = {
            "id": invoice.number,
            "date": ocds._dt(invoice.paid_at),
            "value": ocds._value(invoice.total, currency),
            "payer": buyer_ref,
            "payee": payee_ref,
        }
        steps.append((invoice.paid_at, "paid", ocds.compact(paid), transaction))
    if invoice.status == Invoice.Status.REJECTED and rejected_at is not None:
        steps.append((rejected_at, "rejected", {**issued, "status": "rejected"}, None))
    return steps


def milestone_invoice_events(history, contract, milestones: list) -> None:
    """A competitive tender's contract: its milestones' invoices and payments (acceptance → invoice → payment)."""
    ocds = _ocds()
    invoices = [invoice for milestone in milestones for invoice in milestone.invoices.all()]
    if not invoices:
        return
    rejected = rejection_dates(invoices)
    payee = history.supplier_ref(contract.supplier)
    for invoice in invoices:
        for at, step, data, transaction in invoice_events(
            invoice, rejected_at=rejected.get(str(invoice.pk)), buyer_ref=history.buyer, payee_ref=payee
        ):
            implementation = {"invoices": [data]}
            if transaction:
                implementation["transactions"] = [transaction]
            history.events.append(
                ocds._Event(
                    phase=4,
                    at=at,
                    key=f"contract-{contract.reference}-invoice-{invoice.number}-{step}",
                    tag=["implementationUpdate"],
                    sections={
                        "contracts": [
                            {
                                "id": contract.reference,
                                "awardID": str(contract.award_id),
                                "implementation": implementation,
                            }
                        ]
                    },
                )
            )


# --- call-off orders (second stage) ----------------------------------------------------------------


def order_ocid(order: Order) -> str:
    return f"{settings.OCDS_PREFIX}-{order.reference}"


def orders_ocds_public(*, competition: bool = False) -> QuerySet[Order]:
    """Orders published as OCDS: placed at or above the publication threshold (a cancelled one too, once
    placed). Direct call-offs by default; with `competition`, those a second-stage competition placed
    (published inside the competition's process)."""
    return Order.objects.filter(
        Q(status__in=Order.PUBLIC_STATUSES) | Q(status=Order.Status.CANCELLED, placed_at__isnull=False),
        total__gte=settings.CATALOGUE_PUBLICATION_THRESHOLD,
        mini_competition__isnull=not competition,
    )


def orders_for_ocds(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related(
        "entity", "supplier", "agreement__tender", "agreement__classification"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("item__classification").order_by("id")),
        Prefetch(
            "deliveries",
            queryset=Delivery.objects.order_by("number").prefetch_related(
                Prefetch("lines", queryset=DeliveryLine.objects.order_by("order_line_id"))
            ),
        ),
        Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at", "id")),
    )


def order_by_ocid(ocid: str) -> Order | None:
    prefix = f"{settings.OCDS_PREFIX}-"
    if not ocid.startswith(prefix):
        return None
    return orders_for_ocds(orders_ocds_public()).filter(reference=ocid.removeprefix(prefix)).first()


def _order_items(order: Order) -> list[dict]:
    ocds = _ocds()
    items = []
    for line in order.lines.all():
        # A line won in a second-stage competition has no catalogue item: the agreement's category.
        classification = line.item.classification if line.item_id else order.agreement.classification
        items.append(
            {
                "id": str(line.pk),
                "description": line.name,
                "classification": {
                    "scheme": classification.scheme,
                    "id": classification.code,
                    "description": classification.title_ko,
                },
                "quantity": line.quantity,
                "unit": {"name": line.unit, "value": ocds._value(line.unit_price, order.currency)},
            }
        )
    return items


def order_releases(order: Order) -> list[dict]:
    """Every release of one published direct call-off order, oldest first (pass one from orders_for_ocds)."""
    ocds = _ocds()
    ocid = order_ocid(order)
    releases, last = [], None
    for _phase, at, key, tag, sections in sorted(order_events(order), key=lambda e: (e[0], e[1])):
        at = at if last is None or at >= last else last
        last = at
        if "tender" in sections:
            sections["tender"] = {"id": order.reference, **sections["tender"]}
        releases.append(
            {
                "ocid": ocid,
                "id": f"{ocid}-{key}",
                "date": ocds._dt(at),
                "tag": tag,
                "initiationType": "tender",
                "language": "ko",
                **sections,
            }
        )
    return releases


def competition_order_events(history, competition) -> None:
    """A second-stage competition's award: the order it placed is the award and contract of the
    competition's own contracting process (the standard's guidance), with its deliveries and payments."""
    ocds = _ocds()
    order = orders_for_ocds(orders_ocds_public(competition=True).filter(pk=competition.order_id)).first()
    if order is None:
        return
    for phase, at, key, tag, sections in order_events(order, competition=competition):
        history.events.append(ocds._Event(phase=3 + phase, at=at, key=key, tag=tag, sections=sections))


def order_events(order: Order, *, competition=None) -> list[tuple]:
    """(phase, time, key, tag, sections) of an order's public steps: placement (award and contract),
    each delivery dispatched, delivered and inspected, each invoice's steps, the end.

    A direct call-off is a process of its own (a minimal tender, the related framework process);
    an order awarded by a second-stage `competition` is inside that competition's process."""
    ocds = _ocds()
    entity, supplier = order.entity, order.supplier
    buyer = {"id": ocds.entity_party_id(entity), "name": entity.name_ko}
    buyer_party = {
        **buyer,
        "identifier": {"scheme": ocds.ENTITY_SCHEME, "id": entity.code, "legalName": entity.name_ko},
        "roles": ["buyer", "procuringEntity"],
    }
    supplier_party = ocds.supplier_organization(supplier, ["supplier"])
    supplier_ref = {"id": ocds.supplier_party_id(supplier), "name": supplier.name_ko}
    framework = order.agreement.tender
    value = ocds._value(order.total, order.currency)
    items = _order_items(order)
    names = [line.name for line in order.lines.all()]
    title = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"
    related = framework_related(framework, title=order.agreement.title)
    events: list[tuple] = []  # (phase, at, key, tag, sections)
    prefix = f"order-{order.reference}-" if competition is not None else ""

    def contract(**fields) -> dict:
        return {"contracts": [{"id": order.reference, "awardID": order.reference, **fields}]}

    if competition is None:
        process = {
            "parties": [buyer_party, supplier_party],
            "buyer": buyer,
            "relatedProcesses": [related],
            "tender": {
                "title": title,
                "status": "complete",
                "competitive": False,
                "procurementMethodDetails": DIRECT_CALL_OFF,
                "procuringEntity": buyer,
                "items": items,
                "value": value,
            },
        }
    else:
        # The competition's notice has the buyer, the items and the related framework already.
        process = {
            "parties": [supplier_party],
            "tender": {"status": "complete"},
            "bids": {"details": [{"id": str(competition.winning_bid_id), "status": "awarded"}]},
        }
    events.append(
        (
            0,
            order.placed_at,
            f"order-{order.reference}" if competition is not None else "order",
            ["award", "contract"],
            {
                **process,
                "awards": [
                    {
                        "id": order.reference,
                        "title": title,
                        "status": "active",
                        "date": ocds._dt(order.placed_at),
                        "value": value,
                        "suppliers": [supplier_ref],
                        "items": items,
                    }
                ],
                **contract(
                    title=title,
                    status="active",
                    dateSigned=ocds._dt(order.placed_at),
                    value=value,
                    items=items,
                ),
            },
        )
    )
    for delivery in order.deliveries.all():
        lines = list(delivery.lines.all())
        milestone = {
            "id": f"delivery-{delivery.number}",
            "title": f"Delivery {delivery.number}",
            "type": "delivery",
            "status": "scheduled",
            "dateDispatched": ocds._dt(delivery.dispatched_at),
            "deliveryLines": [{"id": str(line.order_line_id), "quantity": line.quantity} for line in lines],
        }
        events.append(
            (
                1,
                delivery.dispatched_at,
                prefix + f"delivery-{delivery.number}-dispatched",
                ["implementationUpdate"],
                contract(implementation={"milestones": [milestone]}),
            )
        )
        if delivery.delivered_at:
            milestone = {**milestone, "dateDelivered": ocds._dt(delivery.delivered_at)}
            events.append(
                (
                    1,
                    delivery.delivered_at,
                    prefix + f"delivery-{delivery.number}-delivered",
                    ["implementationUpdate"],
                    contract(implementation={"milestones": [milestone]}),
                )
            )
        if delivery.inspected_at:
            accepted = sum(line.accepted_quantity or 0 for line in lines)
            delivered = sum(line.quantity for line in lines)
            status = "met" if accepted == delivered else "partiallyMet" if accepted else "notMet"
            milestone = ocds.compact(
                {
                    **milestone,
                    "status": status,
                    "dateMet": ocds._dt(delivery.inspected_at) if accepted else None,
                    "deliveryLines": [
                        {
                            "id": str(line.order_line_id),
                            "quantity": line.quantity,
                            "acceptedQuantity": line.accepted_quantity or 0,
                        }
                        for line in lines
                    ],
                }
            )
            events.append(
                (
                    1,
                    delivery.inspected_at,
                    prefix + f"delivery-{delivery.number}-inspected",
                    ["implementationUpdate"],
                    contract(implementation={"milestones": [milestone]}),
                )
            )
    invoices = list(order.invoices.all())
    rejected = rejection_dates(invoices)
    for invoice in invoices:
        for at, step, data, transaction in invoice_events(
            invoice, rejected_at=rejected.get(str(invoice.pk)), buyer_ref=buyer, payee_ref=supplier_ref
        ):
            implementation = {"invoices": [data]}
            if transaction:
                implementation["transactions"] = [transaction]
            events.append(
                (
                    1,
                    at,
                    f"invoice-{invoice.number}-{step}",
                    ["implementationUpdate"],
                    contract(implementation=implementation),
                )
            )
    if order.status == Order.Status.COMPLETED and order.completed_at:
        events.append(
            (
                2,
                order.completed_at,
                f"{prefix}completed",
                ["contractTermination"],
                contract(status="terminated", statusReason="Delivered and accepted in full."),
            )
        )
    elif order.status == Order.Status.CANCELLED:
        cancelled = (
            AuditEntry.objects.filter(object_type="catalogue.order", object_id=str(order.pk), action=_CANCEL)
            .order_by("seq")
            .first()
        )
        if cancelled is not None:
            events.append(
                (
                    2,
                    cancelled.at,
                    f"{prefix}cancelled",
                    ["contractTermination"],
                    contract(status="terminated", statusReason=order.status_reason or None),
                )
            )
    return events
