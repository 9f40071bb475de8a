"""Partial delivery, inspection per line with reasons, redelivery, invoices from accepted units only,
approval, payment, late payment and its claim; the same flow for a contract milestone."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from catalogue import services
from catalogue.models import Invoice, LatePaymentClaim, Order
from catalogue.pdf import invoice_pdf
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.models import AuditEntry, Outbox

from .conftest import make_item, order, set_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(official, item):
    set_budget(official, limit="10000000")
    desk = make_item(
        item.agreement, item.created_by, official, name="사무용 의자", name_en="Office chair", price="200000"
    )
    [placed] = order(official, (item, 4), (desk, 10))
    return placed


def lines_of(order):
    return {line.name: line for line in order.lines.all()}


def deliver(order, supplier_user, quantities):
    delivery = services.delivery_dispatch(order=order, actor=supplier_user, quantities=quantities)
    return services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)


def test_partial_delivery_rejection_redelivery_and_completion(placed, official, supplier_user):
    notebook, chair = lines_of(placed)["노트북 컴퓨터"], lines_of(placed)["사무용 의자"]
    first = deliver(placed, supplier_user, {notebook.pk: 4, chair.pk: 5})
    placed.refresh_from_db()
    assert placed.status == Order.Status.IN_DELIVERY
    with pytest.raises(Invalid):  # only 5 chairs remain to be delivered
        services.delivery_dispatch(order=placed, actor=supplier_user, quantities={chair.pk: 6})

    by_line = {dl.order_line_id: dl for dl in first.lines.all()}
    with pytest.raises(Invalid):  # a rejection needs a reason
        services.delivery_inspect(
            delivery=first, actor=official, verdicts={by_line[notebook.pk].pk: (3, ""), by_line[chair.pk].pk: (5, "")}
        )
    services.delivery_inspect(
        delivery=first,
        actor=official,
        verdicts={by_line[notebook.pk].pk: (3, "화면 불량 1대"), by_line[chair.pk].pk: (5, "")},
    )

    assert Outbox.objects.filter(event="delivery.inspected", recipient=supplier_user).exists()
    notebook.refresh_from_db()
    assert notebook.accepted_quantity == 3
    assert services.outstanding(notebook) == 1  # the rejected one is owed again
    second = deliver(placed, supplier_user, {notebook.pk: 1, chair.pk: 5})
    services.delivery_inspect(
        delivery=second, actor=official, verdicts={dl.pk: (dl.quantity, "") for dl in second.lines.all()}
    )

    placed.refresh_from_db()
    assert placed.status == Order.Status.COMPLETED
    actions = list(
        AuditEntry.objects.filter(object_id=str(placed.pk), object_type="catalogue.order")
        .values_list("action", flat=True)
        .order_by("seq")
    )
    assert actions == [
        "order.place",
        "delivery.dispatch",
        "delivery.delivered",
        "delivery.inspect",
        "delivery.dispatch",
        "delivery.delivered",
        "delivery.inspect",
        "order.complete",
    ]


def test_a_delivery_cannot_be_inspected_before_it_is_reported_delivered_nor_twice(placed, official, supplier_user):
    notebook = lines_of(placed)["노트북 컴퓨터"]
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={notebook.pk: 1})
    verdicts = {dl.pk: (1, "") for dl in delivery.lines.all()}
    with pytest.raises(InvalidTransition):
        services.delivery_inspect(delivery=delivery, actor=official, verdicts=verdicts)
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(delivery=delivery, actor=official, verdicts=verdicts)
    with pytest.raises(InvalidTransition):
        services.delivery_inspect(delivery=delivery, actor=official, verdicts=verdicts)


def test_only_the_orders_supplier_delivers_and_only_the_buyer_inspects(
    placed, official, supplier_user, other_supplier_user, rival_official
):
    notebook = lines_of(placed)["노트북 컴퓨터"]
    with pytest.raises(Forbidden):
        services.delivery_dispatch(order=placed, actor=other_supplier_user, quantities={notebook.pk: 1})
    delivery = deliver(placed, supplier_user, {notebook.pk: 1})
    for outsider in (rival_official, supplier_user):
        with pytest.raises(Forbidden):
            services.delivery_inspect(delivery=delivery, actor=outsider, verdicts={})


def test_an_invoice_takes_only_accepted_units_and_never_twice(placed, official, supplier_user):
    notebook, chair = lines_of(placed)["노트북 컴퓨터"], lines_of(placed)["사무용 의자"]
    with pytest.raises(InvalidTransition):  # nothing delivered yet
        services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 1})
    delivery = deliver(placed, supplier_user, {notebook.pk: 4})
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (3, "불량") for dl in delivery.lines.all()}
    )

    with pytest.raises(Invalid) as refused:
        services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 4})
    assert "Only 3 accepted units" in refused.value.message
    with pytest.raises(Invalid):  # chairs are not accepted at all
        services.invoice_issue(order=placed, actor=supplier_user, quantities={chair.pk: 1})

    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 3})
    assert (invoice.supply_amount, invoice.vat_amount, invoice.total) == (
        Decimal("3000000.00"),
        Decimal("300000.00"),
        Decimal("3300000.00"),
    )
    assert invoice.due_at - invoice.issued_at == timedelta(days=5)
    with pytest.raises(Invalid):
        services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 1})

    services.invoice_reject(invoice=invoice, actor=official, reason="사업자번호 오기")
    again = services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 3})
    assert again.number != invoice.number


def test_vat_follows_the_deployments_setting(placed, official, supplier_user, settings):
    settings.CATALOGUE_VAT_RATE_PCT = Decimal("0")
    notebook = lines_of(placed)["노트북 컴퓨터"]
    delivery = deliver(placed, supplier_user, {notebook.pk: 1})
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (1, "") for dl in delivery.lines.all()}
    )

    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 1})

    assert (invoice.vat_amount, invoice.total) == (Decimal("0.00"), Decimal("1000000.00"))


@pytest.fixture
def invoice(placed, official, supplier_user):
    notebook = lines_of(placed)["노트북 컴퓨터"]
    delivery = deliver(placed, supplier_user, {notebook.pk: 2})
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (2, "") for dl in delivery.lines.all()}
    )
    return services.invoice_issue(order=placed, actor=supplier_user, quantities={notebook.pk: 2})


def test_an_invoice_is_approved_then_paid_on_time(invoice, official, supplier_user):
    with pytest.raises(InvalidTransition):
        services.invoice_pay(invoice=invoice, actor=official, payment_reference="T-1")
    services.invoice_approve(invoice=invoice, actor=official)
    paid = services.invoice_pay(invoice=invoice, actor=official, payment_reference="dBrain-2027-0001")

    assert paid.status == Invoice.Status.PAID
    assert not paid.is_late
    assert Outbox.objects.filter(event="invoice.paid", recipient=supplier_user).exists()
    with pytest.raises(Conflict):
        services.late_claim_file(invoice=paid, actor=supplier_user)


def test_a_late_payment_is_flagged_and_the_supplier_claims_interest(invoice, official, supplier_user):
    services.invoice_approve(invoice=invoice, actor=official)
    with time_machine.travel(invoice.due_at + timedelta(days=10), tick=False):
        paid = services.invoice_pay(invoice=invoice, actor=official, payment_reference="late-1")
        assert paid.is_late
        claim = services.late_claim_file(invoice=paid, actor=supplier_user, note="지연이자 청구")

    assert claim.days_late == 10
    # 2,200,000 × 12 % × 10 / 365
    assert claim.interest == Decimal("7232.88")
    assert Outbox.objects.filter(event="invoice.late_claim", recipient=official).exists()
    with pytest.raises(Conflict):
        services.late_claim_file(invoice=paid, actor=supplier_user)
    services.late_claim_settle(claim=claim, actor=official)
    assert LatePaymentClaim.objects.get().status == LatePaymentClaim.Status.SETTLED


def test_an_unpaid_invoice_past_its_due_date_can_be_claimed_too(invoice, supplier_user):
    with time_machine.travel(invoice.due_at + timedelta(days=2, hours=1), tick=False):
        assert invoice.is_late
        claim = services.late_claim_file(invoice=invoice, actor=supplier_user)
    assert claim.days_late == 3


def test_only_the_buyer_approves_and_pays_and_only_the_supplier_claims(
    invoice, rival_official, other_supplier_user, supplier_user
):
    for outsider in (rival_official, supplier_user):
        with pytest.raises(Forbidden):
            services.invoice_approve(invoice=invoice, actor=outsider)
    with pytest.raises(Forbidden):
        services.late_claim_file(invoice=invoice, actor=other_supplier_user)


def test_the_invoice_pdf_is_reproducible_and_carries_the_amounts(invoice):
    from io import BytesIO

    from pypdf import PdfReader

    data = invoice_pdf(invoice)
    assert data == invoice_pdf(invoice)
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    assert invoice.number in text
    assert "2,200,000" in text
    assert "200,000" in text
    assert "전자세금계산서" in text


def test_an_accepted_contract_milestone_is_invoiced_once(official, supplier_user):
    from contracts import services as contract_services
    from tests.contracts.test_contracts import contract as _unused  # noqa: F401 - the fixture's module
    from tests.contracts.test_contracts import final_award, sign, terms

    award, users = final_award(official)
    contract = contract_services.contract_create(award=award, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, users[0])
    milestone = contract.milestones.get(number=1)
    with pytest.raises(InvalidTransition):
        services.milestone_invoice_issue(milestone=milestone, actor=users[0])
    contract_services.milestone_deliver(milestone=milestone, actor=users[0], note="1차 납품")
    contract_services.milestone_accept(milestone=milestone, actor=official)
    milestone.refresh_from_db()
    with pytest.raises(Forbidden):
        services.milestone_invoice_issue(milestone=milestone, actor=supplier_user)

    from django.test import Client
    from django.urls import reverse

    supplier = Client()
    supplier.force_login(users[0])
    listing = supplier.get(reverse("catalogue:invoices")).content.decode()
    assert reverse("catalogue:milestone_invoice", args=[milestone.pk]) in listing
    supplier.post(reverse("catalogue:milestone_invoice", args=[milestone.pk]))
    invoice = Invoice.objects.get(milestone=milestone)

    assert (invoice.supply_amount, invoice.total) == (Decimal("50000000.00"), Decimal("55000000.00"))
    assert invoice.accepted_at == milestone.accepted_at
    with pytest.raises(Conflict):
        services.milestone_invoice_issue(milestone=milestone, actor=users[0])
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="M-1")
    assert Invoice.objects.get(pk=invoice.pk).paid_at <= timezone.now()
