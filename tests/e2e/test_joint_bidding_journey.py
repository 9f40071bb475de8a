"""Browser journey: three companies form a consortium (공동수급) and confirm it, the lead attaches a bid
security verified with the issuer and bids; a rival's bid is rejected at opening for a security too
small for its price; a real Celery worker closes and opens; the consortium wins and every member
signs the contract. Evaluation and award, which other journeys drive through pages, are services here."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from bidding.models import Bid, BidSecurity, OpenedBid
from bidding.tasks import tenders_sweep
from contracts import services
from contracts.models import Contract
from tenders.models import Tender
from tests.bidding.helpers import published_tender, set_times, submit
from tests.bidding.joint import attach_security
from tests.conftest import enrol_totp, wait_until
from tests.contracts.test_contracts import sign, terms
from tests.e2e.conftest import log_in
from tests.e2e.test_bidding_journey import submit_bid
from tests.e2e.test_contracts_journey import choose
from tests.factories import PASSWORD, IssuedGuaranteeFactory, OfficialFactory, SupplierMemberFactory
from tests.sealing import shares_release

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def company_page(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, email, PASSWORD)
    return page


def sign_in_browser(page, contract):
    page.goto(f"/contracts/{contract.pk}/")
    page.get_by_role("link", name="Sign version 1").click()
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    choose(page, "I have read the contract document")
    page.get_by_role("button", name="Sign the contract").click()
    expect(page.get_by_text("You have signed the contract.")).to_be_visible()


def test_a_consortium_of_three_bids_wins_and_signs_while_a_short_security_is_rejected(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory
):
    lena = SupplierMemberFactory(user__email="lena@hanbit.example", supplier__name_en="Hanbit Construction")
    pia = SupplierMemberFactory(user__email="pia@donghae.example", supplier__name_en="Donghae Engineering")
    quinn = SupplierMemberFactory(user__email="quinn@seoul.example", supplier__name_en="Seoul Electric")
    ron = SupplierMemberFactory(user__email="ron@rival.example", supplier__name_en="Rival Builders")
    official = OfficialFactory().user
    enrol_totp(official)
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        title="2027년 청사 별관 증축공사",
        category="works",
        estimated_value=1_000_000_000,
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=5,
    )
    guarantee = IssuedGuaranteeFactory(principal=lena.supplier, tender=tender, amount=50_000_000)
    page.on("dialog", lambda dialog: dialog.accept())

    # Lena forms the consortium from the tender's page: partners by registration number, shares.
    log_in(page, lena.user.email, PASSWORD)
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Form a consortium").click()
    page.get_by_label("Consortium name").fill("한빛 공동수급체")
    choose(page, "Joint performance")
    page.get_by_label("Your company's share (%)").fill("50")
    page.get_by_label("Partner 1: business registration number").fill(pia.supplier.registration_number)
    page.get_by_label("Partner 1: share (%)").fill("30")
    page.get_by_label("Partner 2: business registration number").fill(quinn.supplier.registration_number)
    page.get_by_label("Partner 2: share (%)").fill("25")
    page.get_by_role("button", name="Form the consortium and invite the partners").click()
    expect(page.get_by_text("add up to 100% (they add up to 105.00%)")).to_be_visible()
    page.get_by_label("Partner 2: share (%)").fill("20")
    page.get_by_role("button", name="Form the consortium and invite the partners").click()
    expect(page.get_by_text("its partners have been asked to confirm")).to_be_visible()
    consortium_url = page.url

    # Not every member has confirmed: the bid form refuses.
    page.goto(f"/bids/tender/{tender.pk}/bid/")
    expect(page.get_by_text("Every member of the consortium must confirm")).to_be_visible()

    # Pia and Quinn each confirm for their company.
    partners = {}
    for member in (pia, quinn):
        partner = company_page(browser, live_server, member.user.email)
        partner.goto(consortium_url)
        partner.get_by_role("button", name="Confirm membership").click()
        expect(partner.get_by_text("You confirmed your company's membership and share.")).to_be_visible()
        partners[member] = partner
    expect(partners[quinn].get_by_text("Confirmed by every member")).to_be_visible()

    # Lena attaches the bid security; the portal asks the (simulated) issuer, which confirms it.
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Attach your bid security").click()
    page.get_by_label("Issuer").select_option(label=guarantee.issuer.name_ko)
    page.get_by_label("Guarantee number").fill(guarantee.number)
    page.get_by_label("Amount").fill("50000000")
    page.get_by_label("Valid until").fill(guarantee.valid_until.isoformat())
    page.get_by_role("button", name="Verify with the issuer and attach").click()
    expect(page.get_by_text("The issuer confirmed the guarantee.")).to_be_visible()
    expect(page.locator("#own-security")).to_contain_text("Verified with the issuer")

    # She seals and submits the consortium's bid in the browser.
    page.goto(f"/bids/tender/{tender.pk}/bid/")
    submit_bid(page, tender, "930000000", "구억삼천만 won")
    assert Bid.objects.get(supplier=lena.supplier).consortium.name == "한빛 공동수급체"

    # Ron bids lower alone, with a security that covers 1 % of his price, not 5 %.
    attach_security(tender, ron.user, amount=9_000_000)
    submit(tender, ron.user, price="900000000")

    # The deadline passes; a real worker closes and opens.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=3, opening=6)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status != Tender.Status.PUBLISHED, timeout=30)
    shares_release(tender)
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)

    # The public record: the consortium with its members is first; Ron's bid is rejected, with the reason.
    public = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul").new_page()
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    rows = public.locator("tbody tr[data-commitment]")
    expect(rows.filter(has_text="한빛 공동수급체")).to_contain_text("Seoul Electric 20%")
    expect(rows.filter(has_text="한빛 공동수급체")).to_contain_text("930,000,000")
    rejected = rows.filter(has_text="Rival Builders")
    expect(rejected).to_contain_text("Bid security rejected")
    # The reason is stored at opening in the deployment's language (the worker's): check the figures.
    expect(rejected).to_contain_text(re.compile(r"9,000,000 KRW.*45,000,000 KRW"))
    public.context.close()
    assert OpenedBid.objects.get(supplier=lena.supplier).rank == 1
    assert BidSecurity.objects.get(supplier=ron.supplier).status == BidSecurity.Status.REJECTED

    # Evaluation and award (services), then every member signs the contract in the browser.
    evaluation = services.evaluation_start(tender=tender, actor=official)
    services.assessment_review(assessment=services.next_for_review(evaluation), actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    award = services.award_propose(tender=tender, actor=official)
    with time_machine.travel(award.standstill_until + timedelta(seconds=1), tick=True):
        services.award_finalise(award=award, actor=official)
        contract = services.contract_create(award=award, actor=official, terms=terms())
        sign(contract, official)
        for member_page in (page, partners[pia]):
            sign_in_browser(member_page, contract)
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.DRAFT
        sign_in_browser(partners[quinn], contract)
        expect(partners[quinn].get_by_text("Active", exact=True)).to_be_visible()
        for name in ("Hanbit Construction", "Donghae Engineering", "Seoul Electric"):
            expect(partners[quinn].get_by_text(re.compile(rf"Supplier \({name}\)"))).to_be_visible()
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.CONTRACTED
