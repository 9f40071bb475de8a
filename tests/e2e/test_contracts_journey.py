"""Browser journey: an official evaluates and awards a demo tender, a bidder complains and loses, the
standstill ends, both parties sign the contract, and an auditor downloads the award report PDF.

The live server runs in this process, so time-machine moves its clock too (the standstill and the
re-authentication window are on Python's clock; the database clock is not moved, and nothing in
this journey depends on it)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from contracts.models import Award, Contract
from contracts.services.documents import document_render
from contracts.services.reports import award_report_render
from contracts.tasks import awards_sweep
from procurement.demo import DEMO_PASSWORD, demo_user
from tenders.models import Tender
from tests.conftest import enrol_totp
from tests.e2e.conftest import log_in, log_in_with_totp, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_TENDER = "사무용 가구 구매"  # opened by bidding's demo: four bids, lowest price
PRICES = ("85,150,000", "86,900,000", "88,400,000", "91,000,000")
EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% evidence\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def choose(page, label: str) -> None:
    """Pick a radio button or tick a box the way a person does: by clicking its label (KRDS styles the
    input itself and lets the label take the click)."""
    page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}")).first.click()


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_from_an_opened_demo_tender_to_a_signed_contract_and_the_auditors_report(
    page, browser, live_server, monkeypatch
):
    call_command("load_demo", stdout=io.StringIO())
    queued = []
    monkeypatch.setattr("contracts.tasks.award_report_render.delay", queued.append)  # run below, as the worker
    documents = []
    monkeypatch.setattr("contracts.tasks.document_render.delay", documents.append)  # the contract PDF, likewise
    official = demo_user("official@example.com")
    official_secret = enrol_totp(official)
    auditor_secret = enrol_totp(demo_user("auditor@example.com"))
    tender = Tender.objects.get(title=DEMO_TENDER)
    page.on("dialog", lambda dialog: dialog.accept())

    # The official evaluates: the lowest bid passes the qualification review, and she proposes the award.
    log_in_with_totp(page, official.email, DEMO_PASSWORD, official_secret)
    page.get_by_role("link", name="Evaluations").click()
    page.get_by_role("link", name=re.compile(DEMO_TENDER)).click()
    page.get_by_role("button", name="Start the evaluation").click()
    expect(page.get_by_text("The evaluation has started.")).to_be_visible()
    choose(page, "Qualified")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The bid passed the review.")).to_be_visible()
    page.get_by_role("button", name="Complete the evaluation").click()
    expect(page.get_by_text("Proposed winner: Nuri Office Supplies")).to_be_visible()
    page.get_by_role("button", name="Propose the award").click()
    expect(page.get_by_text("The standstill has started.")).to_be_visible()
    award = Award.objects.get(tender=tender)
    assert award.status == Award.Status.STANDSTILL

    # A losing bidder lodges a complaint with a document…
    bidder = new_page(browser, live_server)
    log_in(bidder, "supplier1@example.com", DEMO_PASSWORD)
    bidder.goto(f"/awards/{award.pk}/")
    bidder.get_by_role("link", name="Lodge a complaint").click()
    bidder.get_by_label("Grounds of the complaint").fill("낙찰자의 직접생산확인증명서가 유효하지 않습니다.")
    bidder.get_by_label("Supporting documents").set_input_files(
        files=[{"name": "evidence.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}]
    )
    bidder.get_by_role("button", name="Lodge the complaint").click()
    expect(bidder.get_by_text("Your complaint was lodged.")).to_be_visible()

    # …which the official dismisses with reasons; the bidder reads them.
    page.goto(f"/awards/{award.pk}/")
    page.get_by_role("link", name=re.compile("Hanbit ICT")).click()
    choose(page, "Dismiss the complaint")
    page.get_by_label("Reasons").fill("증명서는 2027-12-31까지 유효함을 발급기관에 확인하였습니다.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Complaint dismissed; the bidder has been told your reasons.")).to_be_visible()
    bidder.reload()
    expect(bidder.get_by_text("2027-12-31까지 유효")).to_be_visible()

    with time_machine.travel(award.standstill_until + timedelta(minutes=1), tick=True):
        # The standstill is over: the beat sweep makes the award final.
        assert awards_sweep()["finalised"] >= 1  # this one and the demo award also in standstill
        page.goto(f"/awards/{award.pk}/")
        expect(page.get_by_text("Final", exact=True)).to_be_visible()

        # The official draws up the contract and signs it, confirming with her authenticator.
        page.get_by_role("link", name="Draw up the contract").click()
        page.get_by_label("Milestone").first.fill("사무용 책상·의자 300조 납품")
        page.get_by_role("button", name="Create the contract").click()
        expect(page.get_by_text("The contract is ready for both parties to sign.")).to_be_visible()
        contract = Contract.objects.get(award=award)
        page.get_by_role("link", name="Sign version 1").click()
        expect(page).to_have_url(re.compile("/accounts/2fa/reauthenticate/"))
        page.locator("input[name=code]").fill(totp_code(official_secret))
        page.get_by_role("button", name="Confirm").click()
        # The document is prepared in the background first; the page shows the progress, then the way on.
        expect(page.locator("#document-status progress")).to_be_visible()
        assert len(documents) == 1
        document_render(report_id=documents[0])  # as the worker would
        page.get_by_role("link", name="Continue to signing").click()
        sha = page.locator("[data-document-sha256]").inner_text()
        choose(page, "I have read the contract document")
        page.get_by_role("button", name="Sign the contract").click()
        expect(page.get_by_text("You have signed the contract.")).to_be_visible()

        # The winner's administrator signs after entering the password again.
        winner = new_page(browser, live_server)
        log_in(winner, "supplier3@example.com", DEMO_PASSWORD)
        winner.goto(f"/contracts/{contract.pk}/")
        winner.get_by_role("link", name="Sign version 1").click()
        expect(winner).to_have_url(re.compile("/accounts/reauthenticate/"))
        winner.locator("input[name=password]").fill(DEMO_PASSWORD)
        winner.get_by_role("button", name="Confirm").click()
        assert winner.locator("[data-document-sha256]").inner_text() == sha
        choose(winner, "I have read the contract document")
        winner.get_by_role("button", name="Sign the contract").click()
        expect(winner.get_by_text("You have signed the contract.")).to_be_visible()
        expect(winner.get_by_text("Active", exact=True)).to_be_visible()

    contract.refresh_from_db()
    tender.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert tender.status == Tender.Status.CONTRACTED
    assert set(contract.versions.get().signatures.values_list("document_sha256", flat=True)) == {sha}

    # The auditor downloads the award report and finds the winner, every price and the chain check.
    auditor = new_page(browser, live_server)
    log_in_with_totp(auditor, "auditor@example.com", DEMO_PASSWORD, auditor_secret)
    auditor.get_by_role("link", name="Reports").click()
    auditor.get_by_role("link", name=f"Award report {tender.reference}").click()
    auditor.get_by_role("button", name="Prepare the award report (PDF)").click()
    award_report_render(report_id=queued[0])  # the worker's part; the page polls until it is done
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="Download the award report (PDF)").click(timeout=30_000)
    data = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Winner: Nuri Office Supplies" in text  # in the language the report was asked in, worker or not
    for price in PRICES:
        assert price in text
    assert "Verified: intact" in text
    assert DEMO_TENDER in text
    auditor.reload()
    expect(auditor.locator("[data-report-sha256]")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
