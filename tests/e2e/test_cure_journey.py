"""Browser journey, defect cures (보완 요청) with a real Celery worker: the official reviewing the
lowest bid finds its certificate missing and asks for it; the bidder opens the correction page in
time but sends the document only after the window (shortened by the setting), and the database
clock refuses it; the worker lapses the request, and only then is the bid disqualified. The next
bidder, asked for its tax clearance, supplies it within the window, qualifies and is the proposed
winner. Bidding and opening, which other journeys drive through pages, are services here."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from bidding.models import Bid, CureRequest
from bidding.tasks import cures_sweep
from tests.bidding.helpers import close_and_open, pdf_with, published_tender, submit
from tests.conftest import enrol_totp, wait_until
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.e2e.test_contracts_journey import choose, new_page
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TITLE = "2027년 하수관로 정비공사"


def request_correction(page, kind: str, defect: str) -> None:
    page.locator("details.contracts-cure summary").click()
    page.get_by_label("Document", exact=True).select_option(label=kind)
    page.get_by_label("What is missing or defective").fill(defect)
    page.get_by_role("button", name="Request the correction").click()
    expect(page.get_by_text("The correction was requested; the bidder has until")).to_be_visible()


def open_correction(page, bid: Bid) -> None:
    """The bidder follows the warning on its bid's page to the correction."""
    page.goto(f"/bids/{bid.pk}/")
    expect(page.locator("[data-cure-status=open]")).to_be_visible()
    page.get_by_role("link", name="Supply the document").click()


def attach(page, name: str, marker: str) -> None:
    page.get_by_label("The corrected document").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_with(marker)}]
    )


def window_over(request_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp() >= due_at FROM bidding_curerequest WHERE id = %s", [request_id])
        return cursor.fetchone()[0]


def test_one_bidder_cures_a_missing_document_in_time_and_one_misses_the_window(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory, settings, stored_media
):
    official = OfficialFactory(user__email="olivia@agency.example", entity__name_en="Public Procurement Service")
    secret = enrol_totp(official.user)
    sam = SupplierMemberFactory(user__email="sam@sewer.example", supplier__name_en="Sam Pipes")
    tara = SupplierMemberFactory(user__email="tara@civil.example", supplier__name_en="Tara Civil")
    tender = published_tender(entity=official.entity, created_by=official.user, title=TITLE)
    submit(tender, sam.user, price="88000000")  # lowest: reviewed first
    submit(tender, tara.user, price="93000000")
    close_and_open(tender)
    sam_bid = Bid.objects.get(tender=tender, supplier=sam.supplier)
    tara_bid = Bid.objects.get(tender=tender, supplier=tara.supplier)
    private_redis.start()
    use_broker(private_redis.url)
    celery_worker_factory(private_redis.url)

    # The official starts the evaluation; Sam's certificate is missing: she asks for it (a short window).
    settings.CURE_WINDOW = timedelta(seconds=8)
    log_in_with_totp(page, official.user.email, PASSWORD, secret)
    page.goto(f"/evaluations/{tender.pk}/")
    page.get_by_role("button", name="Start the evaluation").click()
    expect(page.get_by_text("The evaluation has started.")).to_be_visible()
    expect(page.get_by_text("Qualification review of rank 1: Sam Pipes.")).to_be_visible()
    request_correction(page, "Certificate (quality, performance, credit rating)", "ISO 9001 인증서 누락")
    sam_request = CureRequest.objects.get(bid=sam_bid)

    # While the window runs the bid cannot be disqualified for it.
    choose(page, "Disqualified")
    page.get_by_label("Reason").fill("ISO 9001 인증서 미제출")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("A document correction is still open for this bid")).to_be_visible()
    assert Bid.objects.get(pk=sam_bid.pk).status == Bid.Status.OPENED

    # Sam opens the correction in time but sends the file only after the window: refused by the database clock.
    sam_page = new_page(browser, live_server)
    log_in(sam_page, sam.user.email, PASSWORD)
    open_correction(sam_page, sam_bid)
    expect(sam_page.get_by_text("ISO 9001 인증서 누락")).to_be_visible()
    attach(sam_page, "iso9001.pdf", "ISO-LATE")
    wait_until(lambda: window_over(sam_request.pk), timeout=20)
    sam_page.get_by_role("button", name="Send the document").click()
    expect(sam_page.get_by_text("The correction window ended; the document was not accepted.")).to_be_visible()
    assert CureRequest.objects.get(pk=sam_request.pk).file == ""

    # The worker (beat's sweep) lapses the request; Sam's page says so and offers no upload.
    cures_sweep.apply_async()
    wait_until(lambda: CureRequest.objects.get(pk=sam_request.pk).status == CureRequest.Status.LAPSED, timeout=30)
    sam_page.reload()
    expect(sam_page.get_by_text("The window passed without the document.")).to_be_visible()
    expect(sam_page.get_by_role("button", name="Send the document")).to_have_count(0)

    # Only now may the official disqualify Sam's bid for it.
    page.goto(f"/evaluations/{tender.pk}/")
    expect(page.locator("[data-cure-status=lapsed]")).to_contain_text("Sam Pipes")
    choose(page, "Disqualified")
    page.get_by_label("Reason").fill("ISO 9001 인증서 미제출 (보완 기한 경과)")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Qualification review of rank 2: Tara Civil.")).to_be_visible()
    assert Bid.objects.get(pk=sam_bid.pk).status == Bid.Status.DISQUALIFIED

    # Tara's tax clearance is missing too; she supplies it within the window.
    settings.CURE_WINDOW = timedelta(minutes=10)
    request_correction(page, "Tax or social insurance clearance", "국세 완납증명서 누락")
    tara_page = new_page(browser, live_server)
    log_in(tara_page, tara.user.email, PASSWORD)
    open_correction(tara_page, tara_bid)
    attach(tara_page, "tax-clearance.pdf", "TAX-CLEAR-2027")
    tara_page.get_by_role("button", name="Send the document").click()
    expect(tara_page.get_by_text("The document was received within the window.")).to_be_visible()
    tara_request = CureRequest.objects.get(bid=tara_bid)
    assert tara_request.status == CureRequest.Status.CURED

    # The official reads the document, qualifies Tara and completes the evaluation: Tara is proposed.
    page.goto(f"/evaluations/{tender.pk}/")
    expect(page.locator("[data-cure-status=cured]")).to_contain_text("Tara Civil")
    page.locator("[data-cure-status=cured] a").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="tax-clearance.pdf").click()
    assert b"TAX-CLEAR-2027" in Path(download.value.path()).read_bytes()
    page.goto(f"/evaluations/{tender.pk}/")
    choose(page, "Qualified")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The bid passed the review.")).to_be_visible()
    page.get_by_role("button", name="Complete the evaluation").click()
    expect(page.get_by_text("Proposed winner: Tara Civil")).to_be_visible()
    tara_page.context.close()
    sam_page.context.close()
