"""Browser journey: a supplier submits, replaces and keeps a receipt; at the deadline a real Celery
worker closes the tender and opens the bids; the public record shows the price and the commitment
that is on the receipt."""

import re

import pytest
from playwright.sync_api import expect

from bidding.models import Bid, BidVersion
from bidding.tasks import tenders_sweep
from tenders.models import Tender
from tests.bidding.helpers import pdf_with, published_tender, set_times
from tests.conftest import wait_until
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, SupplierMemberFactory
from tests.sealing import shares_release

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def submit_bid(page, tender, price: str, words: str, document: bytes | None = None, picks=()) -> str:
    """Fill the bid form (with reserve-price `picks` where the tender has them), check the
    confirmation (amount in Korean words), seal and submit it in the browser; returns the commitment
    shown on the receipt."""
    page.get_by_label(re.compile(r"^Total price")).fill(price)
    for number in picks:
        box = page.locator(f'input[name="reserve_picks"][value="{number}"]')
        page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    if document is not None:
        page.get_by_label("Technical proposal and other documents").set_input_files(
            files=[{"name": "technical-proposal.pdf", "mimeType": "application/pdf", "buffer": document}]
        )
    page.locator("label[for=id_no_conflict_of_interest]").click()
    page.locator("label[for=id_no_collusion]").click()
    page.get_by_role("button", name="Check the bid").click()
    expect(page.locator("#confirm-words")).to_have_text(words)
    if picks:
        expect(page.locator("#confirm-picks")).to_have_text(", ".join(str(n) for n in sorted(picks)))
    page.get_by_role("button", name=re.compile("submit", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name=re.compile("receipt", re.IGNORECASE))).to_be_visible()
    return page.locator("[data-commitment]").inner_text().strip()


def test_a_supplier_bids_replaces_and_sees_the_bid_opened_by_a_real_worker(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory
):
    sam = SupplierMemberFactory(
        user__email="sam@supplier.example", supplier__name_ko="한빛정보통신", supplier__name_en="Hanbit ICT"
    )
    tender = published_tender(title="2027년 청사 보안장비 구매", estimated_value=1_000_000_000)
    page.on("dialog", lambda dialog: dialog.accept())

    # Sam opens the tender and submits a sealed bid with a document.
    log_in(page, sam.user.email, PASSWORD)
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Submit a bid").click()
    first_commitment = submit_bid(
        page, tender, "987,654,321", "구억팔천칠백육십오만사천삼백이십일 won", pdf_with("ZEBRA-QUARTZ-7731")
    )
    expect(page.get_by_text(tender.reference).first).to_be_visible()
    assert first_commitment == BidVersion.objects.get(number=1).commitment
    expect(page.get_by_text("987,654,321")).to_have_count(0)  # the portal cannot show it back

    # He replaces it with a lower price: version 2, and a new receipt.
    page.get_by_role("link", name="Back to the bid").click()
    page.get_by_role("link", name="Replace your bid").click()
    expect(page.get_by_text("This replaces version 1")).to_be_visible()
    commitment = submit_bid(page, tender, "955000000", "구억오천오백만 won")
    assert commitment != first_commitment
    expect(page.get_by_text("Bid replacement receipt").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    receipt_json = download.value.path().read_text()
    assert commitment in receipt_json
    page.goto("/bids/")
    expect(page.get_by_role("link", name=tender.title)).to_be_visible()

    # The deadline comes, seconds from now; opening follows right after. A real worker does both.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=4, opening=8)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()  # what beat sends every 30 s; it schedules the prompt ETA tasks

    # Past the deadline the form refuses, whatever the browser does.
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status != Tender.Status.PUBLISHED, timeout=30)
    shares_release(tender)  # a custodian releases its share; the worker released the platform's
    page.goto(f"/bids/tender/{tender.pk}/bid/")
    expect(page.get_by_text(re.compile("not open for bids|deadline has passed"))).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Total price"))).to_have_count(0)

    # Between closing and opening, the public sees one bid and its commitment — no name.
    public = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul").new_page()
    if Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED:
        public.goto(f"/bids/tender/{tender.pk}/opening/")
        expect(public.get_by_text("1 bid was received by the deadline", exact=False)).to_be_visible()
        expect(public.get_by_text(commitment)).to_be_visible()
        expect(public.get_by_text("Hanbit ICT")).to_have_count(0)

    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)
    assert Bid.objects.get().status == Bid.Status.OPENED

    # The public opening record: bidder, price, rank and the commitment that is on Sam's receipt.
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    row = public.locator(f'tr[data-commitment="{commitment}"]')
    expect(row).to_contain_text("Hanbit ICT")
    expect(row).to_contain_text("955,000,000")
    expect(row).to_contain_text("verified")
    expect(public.locator(".bidding-chart svg")).to_be_visible()

    # Anyone can check the receipt against it.
    public.goto("/bids/verify/")
    public.get_by_label("Commitment hash").fill(commitment)
    public.get_by_role("button", name="Verify").click()
    expect(public.get_by_text(re.compile(r"Verified: the bid opened for tender"))).to_be_visible()
    public.context.close()


def test_the_bidding_pages_have_no_accessibility_violations(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from tests.bidding.helpers import close_and_open, submit

    sam = SupplierMemberFactory(user__email="sam@supplier.example")
    open_tender = published_tender(evaluation_method="floor_rate_reserve")
    own = submit(open_tender, sam.user, price="98000000", picks=(2, 7)).version
    opened = published_tender(evaluation_method="floor_rate_reserve", estimated_value=100_000_000)
    for price, picks in (("95000000", (1, 2)), ("86000000", (3, 4)), ("99000000", (5, 6))):
        submit(opened, SupplierMemberFactory().user, price=price, picks=picks)
    close_and_open(opened)
    axe = Axe()

    def violations(url):
        page.goto(url)
        return [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]]

    found = {}
    for url in (f"/bids/tender/{opened.pk}/opening/", "/bids/verify/", f"/bids/verify/?commitment={own.commitment}"):
        found[url] = violations(url)
    log_in(page, sam.user.email, PASSWORD)
    for url in (
        open_tender.get_absolute_url(),
        f"/bids/tender/{open_tender.pk}/bid/",
        "/bids/",
        f"/bids/{own.bid_id}/",
        f"/bids/receipts/{own.pk}/",
    ):
        found[url] = violations(url)
    assert {url: v for url, v in found.items() if v} == {}
