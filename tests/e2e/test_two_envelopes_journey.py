"""Browser journey, two envelopes, with a real Celery worker: an official publishes a two-envelope
tender; two suppliers seal a technical and a price envelope in their browsers; at the opening time
only the technical envelopes open; the official finds one bidder non-compliant and publishes the
results; after the complaint window the worker opens the compliant bidder's price only; the
official awards it. The non-compliant bidder's price is never decrypted and never public."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bidding.models import OpenedBid, OpeningRecord
from bidding.tasks import tenders_sweep
from contracts.models import Award
from tenders.models import Tender
from tests.bidding.helpers import pdf_with, set_times
from tests.conftest import enrol_totp, wait_until
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory
from tests.sealing import custodian_make, shares_release

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TITLE = "2027년 청사 방수공사"
PRICES = {"Alpha": ("812,000,000", "팔억일천이백만 won"), "Beta": ("905,500,000", "구억오백오십만 won")}


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def seal_two_envelopes(page, tender, name: str) -> tuple[str, str]:
    """Fill, confirm and seal a two-envelope bid; returns the two commitments on the receipt."""
    price, words = PRICES[name]
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Submit a bid").click()
    expect(page.locator("[data-envelopes='2']")).to_be_visible()
    page.get_by_label(re.compile(r"^Total price")).fill(price)
    page.get_by_label("Technical proposal and other documents").set_input_files(
        files=[{"name": f"{name}-method.pdf", "mimeType": "application/pdf", "buffer": pdf_with(f"METHOD-{name}")}]
    )
    page.locator("label[for=id_no_conflict_of_interest]").click()
    page.locator("label[for=id_no_collusion]").click()
    page.get_by_role("button", name="Check the bid").click()
    expect(page.locator("#confirm-words")).to_have_text(words)
    page.get_by_role("button", name=re.compile("submit", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name=re.compile("receipt", re.IGNORECASE))).to_be_visible()
    return (
        page.locator("[data-commitment]").inner_text().strip(),
        page.locator("[data-price-commitment]").inner_text().strip(),
    )


def test_a_two_envelope_tender_from_publication_to_award_never_opens_the_non_compliant_price(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory, settings
):
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=4)
    official = OfficialFactory(user__email="olivia@agency.example", entity__name_en="Public Procurement Service")
    secret = enrol_totp(official.user)
    official.entity.default_custodians.add(custodian_make())  # with the platform: 2 of 2
    bidders = {
        name: SupplierMemberFactory(user__email=f"{name.lower()}@supplier.example", supplier__name_en=name)
        for name in PRICES
    }
    page.on("dialog", lambda dialog: dialog.accept())

    # The official drafts a works tender with two envelopes and publishes it from her browser.
    log_in_with_totp(page, official.user.email, PASSWORD, secret)
    page.goto("/tenders/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Estimated value").fill("1000000000")
    page.locator("label").filter(has_text=re.compile(r"^\s*Two envelopes")).click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Make the key and publish").click()
    expect(page.get_by_text(re.compile(r"Published as \d{4}-\d{5}"))).to_be_visible(timeout=30_000)
    tender = Tender.objects.get(title=TITLE)
    assert tender.envelopes == 2
    expect(page.get_by_text("Two envelopes (technical, then price)")).to_be_visible()

    # Each supplier seals a technical and a price envelope in its browser; both commitments are receipted.
    commitments = {}
    for name, member in bidders.items():
        supplier = new_page(browser, live_server)
        log_in(supplier, member.user.email, PASSWORD)
        commitments[name] = seal_two_envelopes(supplier, tender, name)
        assert commitments[name][0] != commitments[name][1]
        supplier.context.close()

    # The deadline and the opening time come; a real worker closes and opens the technical envelopes only.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=3, opening=6)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED, timeout=30)
    shares_release(tender)
    wait_until(lambda: OpeningRecord.objects.filter(tender=tender).exists(), timeout=45)
    assert not OpenedBid.objects.filter(opening__tender=tender, price__isnull=False).exists()

    # The official assesses the technical envelopes: Alpha does not comply, Beta does.
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Technical stage").click()
    alpha = page.locator('section[data-supplier="Alpha"]')
    with page.expect_download() as download:
        alpha.get_by_role("link", name="Alpha-method.pdf").click()
    assert b"METHOD-Alpha" in Path(download.value.path()).read_bytes()
    alpha.locator("label").filter(has_text=re.compile(r"^\s*Not compliant")).click()
    alpha.get_by_label("Reason (public)").fill("공사 책임기술자 자격 미달")
    alpha.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded for Alpha.")).to_be_visible()
    beta = page.locator('section[data-supplier="Beta"]')
    beta.locator("label").filter(has_text=re.compile(r"^\s*Compliant")).click()
    beta.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded for Beta.")).to_be_visible()
    page.get_by_role("button", name="Publish the technical results").click()
    expect(page.get_by_text("The technical results are published.")).to_be_visible()

    # The public reads the results and reasons; no price is open yet.
    public = new_page(browser, live_server)
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    expect(public.locator('tr[data-technical="Alpha"]')).to_contain_text("공사 책임기술자 자격 미달")
    expect(public.locator('tr[data-technical="Alpha"]')).to_contain_text("will not be opened")
    expect(public.locator('tr[data-technical="Beta"]')).to_contain_text("sealed, opens after the complaint window")

    # After the window the worker opens Beta's price envelope — and only Beta's.
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)
    public.reload()
    expect(public.locator(f'tr[data-commitment="{commitments["Beta"][0]}"]')).to_contain_text("905,500,000")
    expect(public.locator('tr[data-technical="Alpha"]')).to_contain_text("never opened")
    assert "812,000,000" not in public.content()
    alpha_row = OpenedBid.objects.get(opening__tender=tender, supplier__name_en="Alpha")
    assert alpha_row.price is None
    assert alpha_row.price_opened is False
    assert alpha_row.outcome == OpenedBid.Outcome.PRICE_NOT_OPENED
    bundle = public.request.get(f"/api/v1/tenders/{tender.reference}/opening-bundle/").text()
    assert "812000000" not in bundle
    # Anyone re-runs both stages in the browser from the bundle: it agrees with the record.
    public.get_by_role("link", name="Re-run this opening in your browser").click()
    expect(public.locator("#verify-root")).to_have_attribute("data-verified", "agrees", timeout=30_000)

    # Award follows the tender's method (lowest price among the compliant): Beta.
    page.goto(reverse("contracts:evaluation", args=[tender.pk]))
    page.get_by_role("button", name="Start the evaluation").click()
    expect(page.get_by_text("The evaluation has started.")).to_be_visible()
    page.locator("label").filter(has_text=re.compile(r"^\s*Qualified")).first.click()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The bid passed the review.")).to_be_visible()
    page.get_by_role("button", name="Complete the evaluation").click()
    expect(page.get_by_text("Proposed winner: Beta")).to_be_visible()
    page.get_by_role("button", name="Propose the award").click()
    expect(page.get_by_text("The standstill has started.")).to_be_visible()
    award = Award.objects.get(tender=tender)
    assert award.bid.supplier.name_en == "Beta"
    public.context.close()
