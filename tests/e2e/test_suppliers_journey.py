"""Browser journey: a new user signs up, registers a company, uploads its certificate, is approved."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from procurement.models import AuditEntry, Notification
from procurement.roles import Role
from procurement.tasks import outbox_sweep
from suppliers.classifications import cpv_ensure
from suppliers.demo import certificate_pdf
from suppliers.models import Supplier
from tests.conftest import enrol_totp
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "ceo@nuri-robotics.example"
SECRET_WORD = "a-long-Passphrase-2027"


def test_a_new_supplier_registers_uploads_a_certificate_and_is_approved(page, browser, live_server):
    cpv_ensure()  # the browser tests before this one flushed the tables the migration filled
    admin = UserFactory(email="vetting@platform.example", role=Role.ADMIN, is_staff=True)
    secret = enrol_totp(admin)

    # 1. Sign up and confirm the address from the mail (locmem backend, same process as live_server).
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(SECRET_WORD)
    page.get_by_label("Password (again)").fill(SECRET_WORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    [message] = [m for m in mail.outbox if EMAIL in m.to and "confirm-email" in m.body]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(EMAIL).first).to_be_visible()

    # 2. "My company" leads a user without a company to the registration form.
    page.get_by_role("link", name="My company").click()
    expect(page.get_by_role("heading", name="Register your company")).to_be_visible()
    page.get_by_label("Legal name (Korean)").fill("누리로보틱스 주식회사")
    page.get_by_label("Legal name (Latin)").fill("Nuri Robotics Co., Ltd.")
    page.get_by_label("Country of registration").select_option("KR")
    page.get_by_label("Business registration number").fill("124-81-00998")
    page.get_by_label("Representative").fill("김누리")
    page.get_by_label("Address").fill("서울특별시 강남구 테헤란로 1")
    page.get_by_label("Contact email").fill(EMAIL)
    page.get_by_label("Phone").fill("02-555-0100")
    page.get_by_label("Small or medium-sized enterprise (SME)").check()
    # The classification list narrows as one types; a ticked box stays.
    page.get_by_label("Search classifications").fill("computer equipment")
    expect(page.get_by_label("30200000 Computer equipment and supplies")).to_be_visible()
    expect(page.get_by_label("45000000 Construction work")).to_be_hidden()
    # KRDS draws the box on the label, as a person sees it; click there.
    page.locator("label", has_text="30200000 Computer equipment and supplies").click()
    expect(page.get_by_label("30200000 Computer equipment and supplies")).to_be_checked()
    page.get_by_label("Search classifications").fill("72")
    page.locator("label", has_text="72200000 Software programming and consultancy services").click()
    expect(page.get_by_label("30200000 Computer equipment and supplies")).to_be_visible()
    page.get_by_role("button", name="Register the company").click()

    expect(page.get_by_role("heading", name="Nuri Robotics Co., Ltd.")).to_be_visible()
    expect(page.get_by_test_id("company-status")).to_have_text("Awaiting vetting")

    # 3. Upload the registration certificate.
    page.get_by_label("Kind of document").select_option("registration_certificate")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "사업자등록증.pdf", "mimeType": "application/pdf", "buffer": certificate_pdf("Nuri", "x")}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("The document is uploaded.")).to_be_visible()
    expect(page.get_by_role("link", name="Business registration certificate")).to_be_visible()

    supplier = Supplier.objects.get(registration_number="1248100998")
    assert sorted(supplier.classifications.values_list("code", flat=True)) == ["30200000", "72200000"]

    # 4. A platform admin (with MFA) opens the vetting queue, checks the document and approves.
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    admin_page = context.new_page()
    log_in_with_totp(admin_page, admin.email, PASSWORD, secret)
    admin_page.get_by_role("link", name="Supplier vetting").click()
    admin_page.get_by_role("link", name="Nuri Robotics Co., Ltd.").click()
    with admin_page.expect_download() as download:
        admin_page.get_by_role("link", name="Business registration certificate").click()
    assert download.value.suggested_filename == "사업자등록증.pdf"
    admin_page.get_by_role("button", name="Approve").click()
    expect(admin_page.get_by_text("is now “Approved”")).to_be_visible()
    context.close()

    # 5. No worker runs in this test: deliver the outbox in-process, as the beat sweep would.
    outbox_sweep()

    page.reload()
    expect(page.get_by_test_id("company-status")).to_have_text("Approved")
    expect(page.get_by_text("The company may submit bids.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Notifications")).first.click()
    # Rendered in the recipient's language: she signed up in English, which her account keeps.
    approval = page.get_by_role("link", name=re.compile(re.escape("Nuri Robotics Co., Ltd.")))
    expect(approval).to_be_visible()
    assert Notification.objects.get(user__email=EMAIL, outbox__event="supplier.approve").link == "/suppliers/company/"
    approval.click()
    expect(page.get_by_test_id("company-status")).to_have_text("Approved")
    assert AuditEntry.objects.filter(action="supplier.approve", actor=admin).exists()

    # 6. The company is now in the public directory.
    page.get_by_role("link", name="Suppliers", exact=True).click()
    expect(page.get_by_role("link", name="Nuri Robotics Co., Ltd.")).to_be_visible()


def test_the_supplier_pages_have_no_accessibility_violations(page, browser, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from tests.factories import SanctionFactory, SupplierMemberFactory

    cpv_ensure()
    member = SupplierMemberFactory(user__email="sam@supplier.example", supplier__status=Supplier.Status.PENDING)
    SanctionFactory(supplier=member.supplier)
    approved = SupplierMemberFactory().supplier
    UserFactory(email="fresh@supplier.example")
    admin = UserFactory(email="vetting@platform.example", role=Role.ADMIN, is_staff=True)
    secret = enrol_totp(admin)
    axe = Axe()

    def violations(url):
        page.goto(url)
        return [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]]

    found = {}
    for url in ["/suppliers/directory/", approved.get_absolute_url(), "/suppliers/sanctions/"]:
        found[url] = violations(url)
    log_in(page, "fresh@supplier.example", PASSWORD)
    found["register"] = violations("/suppliers/register/")
    page.context.clear_cookies()
    log_in(page, "sam@supplier.example", PASSWORD)
    for url in ["/suppliers/company/", "/suppliers/company/edit/", "/suppliers/company/members/"]:
        found[url] = violations(url)
    page.context.clear_cookies()
    log_in_with_totp(page, admin.email, PASSWORD, secret)
    for url in [
        "/suppliers/vetting/",
        f"/suppliers/vetting/{member.supplier.pk}/",
        f"/suppliers/vetting/{member.supplier.pk}/sanctions/new/",
    ]:
        found[url] = violations(url)
    assert {url: v for url, v in found.items() if v} == {}
