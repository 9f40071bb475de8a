"""Browser journey through the catalogue shop: an official searches, compares and orders above her
approval limit; a second official approves; the supplier delivers part; the official rejects a line;
the supplier redelivers; the official accepts; the supplier invoices; the official pays; the public
prompt-payment dashboard shows it."""

import re

import pytest
from playwright.sync_api import expect

from catalogue.models import Invoice, Order
from tests.catalogue.conftest import make_agreement, make_item, set_budget
from tests.conftest import enrol_totp
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tick(page, label: str) -> None:
    """Tick a box by its label, as a person does (KRDS lets the label take the click)."""
    page.locator("label").filter(has_text=re.compile(re.escape(label))).first.click()


def another_page(browser, live_server):
    """A second person's browser (own cookies), so that each person signs in once."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_search_compare_order_approve_deliver_reject_redeliver_accept_invoice_pay(page, browser, live_server):
    olivia = OfficialFactory(user__email="olivia@agency.example", user__full_name="Olivia").user
    olivia_secret = enrol_totp(olivia)
    bob = OfficialFactory(user__email="bob@agency.example", entity=olivia.official.entity, can_approve=True).user
    bob_secret = enrol_totp(bob)
    sam = SupplierMemberFactory(user__email="sam@supplier.example").user
    agreement = make_agreement(olivia, sam)
    make_item(agreement, sam, olivia, name="업무용 노트북 14인치", name_en="Office notebook 14-inch", price="1100000")
    make_item(agreement, sam, olivia, name="업무용 노트북 16인치", name_en="Office notebook 16-inch", price="1300000")
    make_item(agreement, sam, olivia, name="모니터 27인치", name_en="Monitor 27-inch", price="300000")
    set_budget(olivia, amount="50000000", limit="5000000")

    # Olivia searches, compares two notebooks and orders five of the cheaper one (5.5 M > her 5 M limit).
    log_in_with_totp(page, olivia.email, PASSWORD, olivia_secret)
    page.goto("/catalogue/")
    page.get_by_role("textbox", name="Search").fill("notebook")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 items")).to_be_visible()
    tick(page, "Compare Office notebook 14-inch")
    tick(page, "Compare Office notebook 16-inch")
    page.get_by_role("button", name=re.compile("Compare the ticked items")).click()
    expect(page.get_by_role("heading", name="Compare items")).to_be_visible()
    expect(page.get_by_role("cell", name="1,300,000", exact=False)).to_be_visible()
    page.get_by_label("Quantity Office notebook 14-inch").fill("5")
    page.get_by_role("button", name="Add to cart Office notebook 14-inch").click()
    expect(page.get_by_text("is in your cart")).to_be_visible()
    page.goto("/catalogue/cart/")
    page.get_by_label("Delivery address").fill("정부세종청사 6동 물품관리실")
    page.get_by_label("Delivery region").select_option("sejong")
    page.get_by_role("button", name="Place the order").click()
    expect(page.get_by_text("waits for a second official's approval")).to_be_visible()
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_APPROVAL

    # Bob approves.
    bob_page = another_page(browser, live_server)
    log_in_with_totp(bob_page, bob.email, PASSWORD, bob_secret)
    bob_page.goto(order.get_absolute_url())
    bob_page.get_by_role("button", name="Approve the order").click()
    expect(bob_page.get_by_text("approved and sent to the supplier")).to_be_visible()
    bob_page.context.close()

    # Sam dispatches three of the five and reports them delivered.
    sam_page = another_page(browser, live_server)
    log_in(sam_page, sam.email, PASSWORD)
    sam_page.goto(order.get_absolute_url())
    sam_page.get_by_label("Units to dispatch 업무용 노트북").fill("3")
    sam_page.get_by_role("button", name="Record dispatch").click()
    expect(sam_page.get_by_text("recorded as dispatched")).to_be_visible()
    sam_page.get_by_role("button", name=re.compile("Report delivered")).click()
    expect(sam_page.get_by_text("reported as delivered")).to_be_visible()

    # Olivia inspects: two accepted, one rejected with a reason.
    page.goto(order.get_absolute_url())
    page.get_by_role("link", name=re.compile("Inspect")).click()
    page.get_by_label(re.compile("Units accepted")).fill("2")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.get_by_text("Say why units of")).to_be_visible()  # a rejection needs its reason
    page.get_by_label(re.compile("Units accepted")).fill("2")
    page.get_by_label(re.compile("Reason for rejecting units")).fill("화면 불량 1대")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.get_by_text("2 accepted, 1 rejected")).to_be_visible()

    # Sam redelivers the three still owed (the rejected one and the two never sent).
    sam_page.goto(order.get_absolute_url())
    expect(sam_page.get_by_label("Units to dispatch 업무용 노트북")).to_have_value("3")
    sam_page.get_by_role("button", name="Record dispatch").click()
    sam_page.get_by_role("button", name=re.compile("Report delivered")).click()
    expect(sam_page.get_by_text("reported as delivered")).to_be_visible()

    # Olivia accepts everything: the order is complete.
    page.goto(order.get_absolute_url())
    page.get_by_role("link", name=re.compile("Inspect")).click()
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.get_by_text("Delivered and accepted").first).to_be_visible()

    # Sam invoices the five accepted notebooks (5,500,000 + 10 % VAT).
    sam_page.goto(order.get_absolute_url())
    sam_page.get_by_role("link", name="Issue an invoice").click()
    sam_page.get_by_role("button", name="Issue the invoice").click()
    expect(sam_page.get_by_text("6,050,000").first).to_be_visible()
    sam_page.context.close()
    invoice = Invoice.objects.get()

    # Olivia approves and pays it; the public dashboard shows her entity paid one invoice, on time.
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="Approve the invoice").click()
    page.get_by_label("Payment reference (transfer number)").fill("dBrain-2026-000123")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("The payment has been recorded.")).to_be_visible()
    # (the PDF itself is checked in tests/catalogue: rendering it here would only slow the journey)
    expect(page.get_by_role("link", name="Printable invoice (PDF)")).to_be_visible()

    page.context.clear_cookies()
    page.goto("/catalogue/payments/")
    row = page.get_by_role("row", name=re.compile(re.escape(olivia.official.entity.name_en)))
    expect(row).to_contain_text("1")
    expect(row).to_contain_text("0.0%")
    expect(page.locator("figure.catalogue-chart svg")).to_be_visible()
