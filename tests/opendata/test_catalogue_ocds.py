"""OCDS for the catalogue shop: the framework competition with its agreements (techniques), call-off
orders as processes of their own linked to it (relatedProcesses `framework`), deliveries with the units
accepted, invoices and payments (`contracts.implementation.transactions`), for orders and for contract
milestones; orders below the publication threshold are never published. Valid with libcoveocds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from catalogue import services
from catalogue.models import FrameworkCall, Invoice
from contracts import services as contract_services
from procurement.audit import audit_record
from suppliers.models import Classification
from tenders.models import Tender
from tests.catalogue.conftest import make_agreement, make_item, order, set_budget
from tests.contracts.test_awards import after_standstill

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url  # libcoveocds fetches the extension from here (validation.py)
    settings.CATALOGUE_PUBLICATION_THRESHOLD = Decimal("10000000")
    return live_server


def get(url: str, status: int = 200):
    response = Client().get(url)
    assert response.status_code == status, response.content[:500]
    return response.json() if status == 200 else None


def framework_process(official):
    """A framework competition awarded, agreements concluded with the two best bidders."""
    from tests.contracts.test_awards import evaluated_tender

    tender, users = evaluated_tender(official, prices=("90000000", "95000000", "99000000"))
    today = timezone.localdate()
    FrameworkCall.objects.create(
        tender=tender,
        max_suppliers=2,
        ceiling=Decimal("300000000"),
        start_date=today,
        end_date=today + timedelta(days=365),
        created_by=official,
        classification=Classification.objects.get(code="30200000"),
    )
    award = contract_services.award_propose(tender=tender, actor=official)
    with after_standstill(award):
        contract_services.award_finalise(award=award, actor=official)
    candidates = services.framework_candidates(tender)
    agreements = services.agreements_conclude(tender=tender, actor=official, bid_ids=[c.bid_id for c in candidates[:2]])
    return tender, users, agreements


def test_a_framework_competition_says_so_and_each_agreement_is_an_award(official):
    tender, _users, agreements = framework_process(official)
    services.agreement_set_status(agreement=agreements[1], actor=official, to="suspended", reason="품질 점검")

    package = get(f"/api/v1/ocds/records/{tender.ocid}/")
    assert_valid_ocds(package)
    assert_valid_ocds(get(f"/api/v1/ocds/releases/{tender.ocid}/"))

    release = package["records"][0]["compiledRelease"]
    techniques = release["tender"]["techniques"]
    assert techniques["hasFrameworkAgreement"] is True
    assert techniques["frameworkAgreement"]["maximumParticipants"] == 2
    assert techniques["frameworkAgreement"]["ceilingPerSupplier"] == {"amount": 300000000, "currency": "KRW"}
    assert techniques["frameworkAgreement"]["method"] == "withAndWithoutReopeningCompetition"
    by_id = {a["id"]: a for a in release["awards"]}
    first, second = (by_id[f"agreement-{a.reference}"] for a in agreements)
    assert first["agreementStatus"] == "active"
    assert first["value"] == {"amount": 300000000, "currency": "KRW"}
    assert second["agreementStatus"] == "suspended"
    assert second["agreementStatusReason"] == "품질 점검"
    supplier_ids = {s["id"] for award in (first, second) for s in award["suppliers"]}
    assert supplier_ids <= {p["id"] for p in release["parties"] if "supplier" in p["roles"]}


def with_ocid(agreement) -> str:
    """The test agreement's tender comes from a factory, unpublished: publish it (ocid, date), audited."""
    ocid = f"ocds-koneps-{agreement.tender.reference}"
    with transaction.atomic():
        Tender.objects.filter(pk=agreement.tender_id).update(ocid=ocid, published_at=agreement.concluded_at)
        audit_record(actor=None, action="test.ocid", obj=agreement.tender)
    return ocid


def deliver_accept_invoice_pay(placed, official, supplier_user):
    """Part delivered, one unit rejected, redelivered, all accepted; invoiced, approved, paid."""
    line = placed.lines.get()
    first = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 10})
    services.delivery_mark_delivered(delivery=first, actor=supplier_user)
    [dl] = first.lines.all()
    services.delivery_inspect(delivery=first, actor=official, verdicts={dl.pk: (9, "액정 파손")})
    second = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 3})
    services.delivery_mark_delivered(delivery=second, actor=supplier_user)
    [dl] = second.lines.all()
    services.delivery_inspect(delivery=second, actor=official, verdicts={dl.pk: (3, "")})
    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={line.pk: 12})
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="PAY-1")
    return invoice


def test_a_call_off_order_is_its_own_process_linked_to_the_framework_with_deliveries_and_payment(
    official, supplier_user
):
    set_budget(official, amount="100000000", limit="50000000")
    agreement = make_agreement(official, supplier_user)
    framework_ocid = with_ocid(agreement)
    item = make_item(agreement, supplier_user, official, price="1000000")
    [placed] = order(official, (item, 12))  # 12,000,000: above the 10,000,000 threshold
    invoice = deliver_accept_invoice_pay(placed, official, supplier_user)
    ocid = f"ocds-koneps-{placed.reference}"

    releases = get(f"/api/v1/ocds/releases/{ocid}/")
    assert_valid_ocds(releases)
    record = get(f"/api/v1/ocds/records/{ocid}/")
    assert_valid_ocds(record)
    listing = get("/api/v1/ocds/orders/releases/")
    assert_valid_ocds(listing)
    assert_valid_ocds(get("/api/v1/ocds/orders/records/"))
    assert {r["ocid"] for r in listing["releases"]} == {ocid}

    keys = [r["id"].removeprefix(f"{ocid}-") for r in releases["releases"]]
    assert keys[0] == "order"
    assert keys[-1] == "completed"
    assert f"invoice-{invoice.number}-paid" in keys
    compiled = record["records"][0]["compiledRelease"]
    [related] = compiled["relatedProcesses"]
    assert related["relationship"] == ["framework"]
    assert related["scheme"] == "ocid"
    assert related["identifier"] == framework_ocid
    assert related["uri"].endswith(f"/api/v1/ocds/records/{framework_ocid}/")
    assert compiled["tender"]["competitive"] is False
    [award] = compiled["awards"]
    [contract] = compiled["contracts"]
    assert contract["awardID"] == award["id"] == compiled["tender"]["id"] == placed.reference
    assert contract["status"] == "terminated"
    assert contract["value"] == {"amount": 12000000, "currency": "KRW"}
    milestones = {m["id"]: m for m in contract["implementation"]["milestones"]}
    assert milestones["delivery-1"]["status"] == "partiallyMet"
    assert milestones["delivery-1"]["deliveryLines"][0] == {
        "id": str(placed.lines.get().pk),
        "quantity": 10,
        "acceptedQuantity": 9,
    }
    assert milestones["delivery-2"]["status"] == "met"
    [payment] = contract["implementation"]["transactions"]
    assert payment["value"] == {"amount": 13200000, "currency": "KRW"}  # VAT 10 %
    assert payment["payer"]["id"] == f"KR-ENTITY-{official.official.entity.code}"
    assert payment["payee"]["id"].startswith("KR-BRN-")
    [ocds_invoice] = contract["implementation"]["invoices"]
    assert (ocds_invoice["status"], ocds_invoice["paidLate"]) == ("paid", False)
    # Private details never: the delivery address and the officials.
    text = str(releases)
    assert "정부세종청사" not in text
    assert official.email not in text


def test_orders_below_the_threshold_or_awaiting_approval_are_not_published(official, second_official, supplier_user):
    set_budget(official, amount="100000000", limit="15000000")
    agreement = make_agreement(official, supplier_user)
    item = make_item(agreement, supplier_user, official, price="1000000")
    [small] = order(official, (item, 3))  # 3,000,000: below the threshold
    [waiting] = order(official, (item, 20))  # above the approval limit: waits for Bob
    assert waiting.status == "pending_approval"

    for placed in (small, waiting):
        get(f"/api/v1/ocds/releases/ocds-koneps-{placed.reference}/", status=404)
        get(f"/api/v1/ocds/records/ocds-koneps-{placed.reference}/", status=404)
    assert get("/api/v1/ocds/orders/releases/")["releases"] == []

    services.order_approve(order=waiting, actor=second_official)
    assert {r["ocid"] for r in get("/api/v1/ocds/orders/releases/")["releases"]} == {f"ocds-koneps-{waiting.reference}"}
    # Cancelled after placement: stays published, as ended with its reason.
    services.order_cancel(order=waiting, actor=official, reason="예산 재배정")
    package = get(f"/api/v1/ocds/records/ocds-koneps-{waiting.reference}/")
    assert_valid_ocds(package)
    [contract] = package["records"][0]["compiledRelease"]["contracts"]
    assert (contract["status"], contract["statusReason"]) == ("terminated", "예산 재배정")


def test_a_contract_milestone_accepted_invoiced_and_paid_is_in_the_tenders_contract(official):
    from tests.contracts.test_contracts import final_award, sign, terms

    award, users = final_award(official)
    contract = contract_services.contract_create(award=award, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, users[0])
    milestone = contract.milestones.get(number=1)
    contract_services.milestone_deliver(milestone=milestone, actor=users[0], note="1차 납품")
    contract_services.milestone_accept(milestone=milestone, actor=official)
    milestone.refresh_from_db()
    rejected = services.milestone_invoice_issue(milestone=milestone, actor=users[0])
    services.invoice_reject(invoice=rejected, actor=official, reason="사업자번호 오기")
    invoice = services.milestone_invoice_issue(milestone=milestone, actor=users[0])
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="M-1")
    assert Invoice.objects.filter(milestone=milestone).count() == 2

    ocid = award.tender.ocid
    assert_valid_ocds(get(f"/api/v1/ocds/releases/{ocid}/"))
    package = get(f"/api/v1/ocds/records/{ocid}/")
    assert_valid_ocds(package)

    [ocds_contract] = package["records"][0]["compiledRelease"]["contracts"]
    implementation = ocds_contract["implementation"]
    invoices = {i["id"]: i for i in implementation["invoices"]}
    assert invoices[rejected.number]["status"] == "rejected"
    assert invoices[invoice.number]["status"] == "paid"
    assert invoices[invoice.number]["milestoneID"] == "1"
    [payment] = implementation["transactions"]
    assert payment["id"] == invoice.number
    assert payment["value"] == {"amount": 55000000, "currency": "KRW"}
    assert {m["id"]: m["status"] for m in implementation["milestones"]}["1"] == "met"


def test_the_bulk_file_holds_the_published_orders_too(official, supplier_user):
    import json

    from opendata.services import bulk_file_build

    set_budget(official, amount="100000000", limit="50000000")
    agreement = make_agreement(official, supplier_user)
    with_ocid(agreement)
    item = make_item(agreement, supplier_user, official, price="1000000")
    [big] = order(official, (item, 11))
    [small] = order(official, (item, 2))

    bulk = bulk_file_build()
    with bulk.file.open("rb") as handle:
        package = json.loads(handle.read())
    ocids = {record["ocid"] for record in package["records"]}
    assert f"ocds-koneps-{big.reference}" in ocids
    assert f"ocds-koneps-{small.reference}" not in ocids
    assert_valid_ocds(package)


def test_a_second_stage_competition_is_linked_to_the_framework_and_its_order_is_its_award(
    official, second_official, supplier_user, other_supplier_user
):
    from tests.catalogue.conftest import agreement_under
    from tests.catalogue.test_mini_competitions import award, offer, start
    from tests.sealing import publish

    set_budget(official, amount="200000000", limit="5000000")
    agreement = make_agreement(official, supplier_user)
    framework_ocid = with_ocid(agreement)
    rival = agreement_under(agreement.call, official, other_supplier_user)
    item = make_item(agreement, supplier_user, official, price="1000000")
    competition = start(official, item, 60)
    publish(tender=competition.tender, actor=official)
    competition.refresh_from_db()
    offer(competition, supplier_user, "59000000")
    offer(competition, other_supplier_user, "57000000")
    competition = award(competition, second_official)
    placed = competition.order
    assert placed.agreement_id == rival.pk
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=other_supplier_user, quantities={line.pk: 60})
    services.delivery_mark_delivered(delivery=delivery, actor=other_supplier_user)
    [dl] = delivery.lines.all()
    services.delivery_inspect(delivery=delivery, actor=official, verdicts={dl.pk: (60, "")})
    invoice = services.invoice_issue(order=placed, actor=other_supplier_user, quantities={line.pk: 60})
    services.invoice_approve(invoice=invoice, actor=official)
    services.invoice_pay(invoice=invoice, actor=official, payment_reference="MC-1")

    ocid = competition.tender.ocid
    assert_valid_ocds(get(f"/api/v1/ocds/releases/{ocid}/"))
    package = get(f"/api/v1/ocds/records/{ocid}/")
    assert_valid_ocds(package)
    compiled = package["records"][0]["compiledRelease"]
    [related] = compiled["relatedProcesses"]
    assert (related["relationship"], related["identifier"]) == (["framework"], framework_ocid)
    assert compiled["tender"]["competitive"] is True
    assert compiled["tender"]["status"] == "complete"
    [ocds_award] = [a for a in compiled["awards"] if a["id"] == placed.reference]
    assert ocds_award["value"] == {"amount": 57000000, "currency": "KRW"}
    assert ocds_award["suppliers"][0]["id"].startswith("KR-BRN-")
    [contract] = compiled["contracts"]
    assert contract["status"] == "terminated"  # delivered and accepted in full
    [payment] = contract["implementation"]["transactions"]
    assert payment["value"] == {"amount": 62700000, "currency": "KRW"}
    winner = {d["id"]: d for d in compiled["bids"]["details"]}[str(competition.winning_bid_id)]
    assert winner["status"] == "awarded"
    # The order is in the competition's process, not a second one.
    get(f"/api/v1/ocds/records/ocds-koneps-{placed.reference}/", status=404)
    assert get("/api/v1/ocds/orders/releases/")["releases"] == []


def test_the_publication_policy_says_which_orders_are_published(settings):
    settings.LANGUAGE_CODE = "en"
    page = Client(headers={"accept-language": "en"}).get("/opendata/").content.decode()
    assert "/api/v1/ocds/orders/releases/" in page
    assert "10,000,000" in page  # the publication threshold
