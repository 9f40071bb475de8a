"""Browser journey: an official drafts and publishes a tender; suppliers and the public follow it."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from procurement.tasks import outbox_sweep
from tenders import services
from tenders.models import Tender
from tests.conftest import enrol_totp
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory
from tests.sealing import custodian_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "2027년 정부청사 전산장비 구매"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_an_official_publishes_and_amends_a_tender_that_suppliers_and_the_public_follow(page, browser, live_server):
    official = OfficialFactory(user__email="olivia@agency.example", entity__name_en="Public Procurement Service")
    secret = enrol_totp(official.user)
    official.entity.default_custodians.add(custodian_make())  # with the platform: 2 of 2
    sam = SupplierMemberFactory(
        user__email="sam@supplier.example", supplier__name_ko="한빛정보통신", supplier__name_en="Hanbit ICT"
    )
    services.subscription_update(supplier=sam.supplier, actor=sam.user, classifications=[], entities=[official.entity])
    page.on("dialog", lambda dialog: dialog.accept())

    # The official logs in with her authenticator and drafts a tender.
    log_in_with_totp(page, official.user.email, PASSWORD, secret)
    page.goto("/tenders/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description").fill("<p>데스크톱 350대 <script>alert(1)</script></p>")
    page.get_by_label("Estimated value").fill("980000000")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    tender = Tender.objects.get(title=TITLE)
    assert "<script" not in tender.description

    # … attaches a specification …
    page.get_by_role("link", name="Attach a document").click()
    page.get_by_label("Title").fill("구매 규격서")
    page.get_by_label("File").set_input_files(
        files=[{"name": "specification.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("link", name="구매 규격서")).to_be_visible()

    # … and publishes it: the tender key is made and split to the custodians in her browser.
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Make the key and publish").click()
    # libsodium's WebAssembly loads and the key is made before the form posts: slow on a busy machine.
    expect(page.get_by_text(re.compile(r"Published as \d{4}-\d{5}"))).to_be_visible(timeout=30_000)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    expect(page.get_by_text("(Asia/Seoul)").first).to_be_visible()
    expect(page.locator("time[data-countdown]")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))

    # The subscribed supplier is notified (no worker in this test: deliver the outbox in-process).
    outbox_sweep()
    supplier_page = new_page(browser, live_server)
    log_in(supplier_page, sam.user.email, PASSWORD)
    supplier_page.goto("/notifications/")
    expect(supplier_page.get_by_role("link", name=re.compile(f"New tender {tender.reference}"))).to_be_visible()

    # The public finds it by a Korean word inside a compound in its title, and downloads the specification.
    public = new_page(browser, live_server)
    public.goto("/tenders/")
    public.get_by_label("Search", exact=True).fill("전산")
    public.get_by_role("button", name="Search").click()
    expect(public.get_by_role("link", name=TITLE)).to_be_visible()
    public.get_by_role("link", name=TITLE).click()
    with public.expect_download() as download:
        public.get_by_role("link", name="구매 규격서").click()
    assert download.value.suggested_filename == "specification.pdf"

    # A supplier asks a question; the official answers; the answer is public without the company's name.
    supplier_page.goto(tender.get_absolute_url())
    supplier_page.get_by_label("Your question").fill("모니터를 24인치로 대체 납품할 수 있습니까?")
    supplier_page.get_by_role("button", name="Send the question").click()
    expect(supplier_page.get_by_text("Your question was sent")).to_be_visible()
    page.goto(tender.get_absolute_url())
    page.get_by_role("textbox", name="Answer").fill("아니요, 27인치 QHD만 인정됩니다.")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_text("Answer published.")).to_be_visible()
    supplier_page.goto(tender.get_absolute_url())
    questions = supplier_page.locator("#questions")
    expect(questions).to_contain_text("27인치 QHD만 인정됩니다")
    for identity in ("한빛정보통신", "Hanbit ICT", sam.user.email):
        expect(questions).not_to_contain_text(identity)
    public.goto(tender.get_absolute_url())
    expect(public.locator("#questions")).to_contain_text("24인치로 대체 납품")
    assert "한빛정보통신" not in public.content()
    assert "Hanbit ICT" not in public.content()

    # Two days before the deadline the official amends it: the form proposes a later deadline.
    old_deadline = tender.submission_deadline
    with time_machine.travel(old_deadline - timedelta(days=2), tick=True):
        page.goto(tender.get_absolute_url())
        page.get_by_role("link", name="Amend").click()
        expect(page.get_by_text("The submission deadline must move")).to_be_visible()
        page.get_by_label("Reason for the amendment").fill("납품 장소 추가")
        page.get_by_label("Place of delivery").fill("정부세종청사, 정부서울청사")
        page.get_by_role("button", name="Publish the amendment").click()
        expect(page.get_by_text("Amendment 1 published.")).to_be_visible()
        outbox_sweep()  # the notice is due at the travelled-to time
    tender.refresh_from_db()
    assert tender.version == 1
    assert tender.submission_deadline >= old_deadline - timedelta(days=2) + timedelta(days=3)
    page.get_by_role("link", name=re.compile("1 amendment")).click()
    expect(page.locator('tr[data-field="submission_deadline"]')).to_be_visible()
    expect(page.locator('tr[data-field="delivery_place"]')).to_contain_text("정부서울청사")

    # The supplier, who follows the entity, hears about the amendment.
    supplier_page.goto("/notifications/")
    expect(supplier_page.get_by_role("link", name=re.compile(f"Tender {tender.reference} amended"))).to_be_visible()
