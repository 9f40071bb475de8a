"""Browser journey through a second-stage competition (2단계경쟁) with a real Celery worker: an
official's order above the threshold becomes a competition among the framework's suppliers; she
publishes it (the key made in her browser); the two invited suppliers offer, sealed in theirs; a
company without an agreement is refused; at the deadline a real worker closes and opens it; a second
official awards it, and the order is placed with the lowest offer at its price; the public sees a
tender linked to the framework and its result."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bidding.tasks import tenders_sweep
from catalogue.models import MiniCompetition, Order
from tenders.models import Custodian, Tender
from tenders.services.custodians import custodian_platform_ensure
from tests.bidding.helpers import set_times
from tests.catalogue.conftest import agreement_under, make_agreement, make_item, set_budget
from tests.conftest import enrol_totp, wait_until
from tests.e2e.conftest import CONFIRM_DIALOG, _confirm, log_in, log_in_with_totp
from tests.e2e.test_bidding_journey import submit_bid
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory
from tests.sealing import custodian_make, shares_release

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def another_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.add_locator_handler(page.locator(CONFIRM_DIALOG), _confirm)  # says yes, as the journeys' page does
    return page


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_order_above_the_threshold_is_competed_sealed_opened_by_a_real_worker_and_awarded(
    page, browser, live_server, settings, private_redis, use_broker, celery_worker_factory
):
    settings.CATALOGUE_MINI_COMPETITION_THRESHOLD = Decimal("50000000")
    # Offers for minutes, not a day, in a journey.
    settings.MIN_TENDER_PERIOD_DAYS = {**settings.MIN_TENDER_PERIOD_DAYS, "mini_competition": {"goods": 0}}
    olivia = OfficialFactory(user__email="olivia@agency.example", user__full_name="Olivia").user
    olivia_secret = enrol_totp(olivia)
    bob = OfficialFactory(user__email="bob@agency.example", entity=olivia.official.entity, can_approve=True).user
    bob_secret = enrol_totp(bob)
    sam = SupplierMemberFactory(user__email="sam@supplier.example", supplier__name_en="Hanbit ICT").user
    tara = SupplierMemberFactory(user__email="tara@rival.example", supplier__name_en="Daehan Systems").user
    uma = SupplierMemberFactory(user__email="uma@outside.example", supplier__name_en="Outside Co").user
    agreement = make_agreement(olivia, sam)
    rival = agreement_under(agreement.call, olivia, tara)
    item = make_item(
        agreement, sam, olivia, name="업무용 노트북 14인치", name_en="Office notebook 14-inch", price="1000000"
    )
    set_budget(olivia, amount="200000000", limit="5000000")
    # The entity's key custodians: the platform and an auditor whose key this test holds.
    entity = olivia.official.entity
    entity.default_custodians.add(custodian_platform_ensure(), custodian_make(kind=Custodian.Kind.AUDITOR))
    entity.default_custodian_threshold = 2
    entity.save()

    # Olivia puts 60 notebooks (60,000,000) in her cart: too much to order directly.
    log_in_with_totp(page, olivia.email, PASSWORD, olivia_secret)
    page.goto(item.get_absolute_url())
    page.get_by_label("Quantity").fill("60")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("is in your cart")).to_be_visible()
    page.goto("/catalogue/cart/")
    page.get_by_label("Delivery address").fill("정부세종청사 6동 물품관리실")
    page.get_by_label("Delivery region").select_option("sejong")
    page.get_by_role("button", name="Place the order").click()
    expect(page.get_by_text("must go to a second-stage competition")).to_be_visible()
    assert not Order.objects.exists()

    # She starts the competition: both framework suppliers are invited, not the outside company.
    page.get_by_role("link", name=re.compile("Start a second-stage competition")).click()
    expect(page.get_by_text("2 suppliers will be invited")).to_be_visible()
    page.get_by_label("Delivery address").fill("정부세종청사 6동 물품관리실")
    page.get_by_label("Delivery region").select_option("sejong")
    deadline = timezone.now() + timedelta(minutes=20)
    page.get_by_label("Offers due").fill(local_input(deadline))
    page.get_by_label("Opening time").fill(local_input(deadline + timedelta(minutes=5)))
    page.get_by_role("button", name="Draft the competition").click()
    expect(page.get_by_text("publish it to open it for offers")).to_be_visible()
    competition = MiniCompetition.objects.get()
    tender = competition.tender
    assert competition.framework_id == agreement.call_id
    assert set(tender.invitations.values_list("supplier_id", flat=True)) == {agreement.supplier_id, rival.supplier_id}

    # She publishes it: the tender key is made and split in her browser.
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Make the key and publish").click()
    expect(page.get_by_text(re.compile(r"Published as \d{4}-\d{5}"))).to_be_visible()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert tender.method == Tender.Method.MINI_COMPETITION

    # The public sees it as a tender under the framework.
    public = another_page(browser, live_server)
    public.goto(tender.get_absolute_url())
    expect(public.get_by_role("heading", name="Second-stage competition under a framework agreement")).to_be_visible()
    expect(public.get_by_role("link", name="The framework agreement")).to_have_attribute(
        "href", agreement.get_absolute_url()
    )

    # The company without an agreement cannot offer.
    uma_page = another_page(browser, live_server)
    log_in(uma_page, uma.email, PASSWORD)
    uma_page.goto(f"/bids/tender/{tender.pk}/bid/")
    expect(uma_page.get_by_text(re.compile("invited", re.IGNORECASE)).first).to_be_visible()
    expect(uma_page.get_by_label(re.compile(r"^Total price"))).to_have_count(0)
    uma_page.context.close()

    # Sam and Tara offer, each sealed in their own browser.
    for user, price, words in ((sam, "59,000,000", "오천구백만 won"), (tara, "57,000,000", "오천칠백만 won")):
        supplier_page = another_page(browser, live_server)
        log_in(supplier_page, user.email, PASSWORD)
        supplier_page.goto(tender.get_absolute_url())
        supplier_page.get_by_role("link", name="Submit a bid").click()
        submit_bid(supplier_page, tender, price, words)
        supplier_page.context.close()

    # The deadline comes; a real worker closes the competition and, with the auditor's share, opens it.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=4, opening=8)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status != Tender.Status.PUBLISHED, timeout=30)
    shares_release(tender)
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)

    # Bob, who may approve, awards it: the order goes to Tara's company at her offered price.
    bob_page = another_page(browser, live_server)
    log_in_with_totp(bob_page, bob.email, PASSWORD, bob_secret)
    bob_page.goto(tender.get_absolute_url())
    bob_page.get_by_role("link", name="Offers and award").click()
    expect(bob_page.get_by_role("row", name=re.compile("Daehan Systems"))).to_contain_text("57,000,000")
    expect(bob_page.get_by_role("row", name=re.compile("Hanbit ICT"))).to_contain_text("59,000,000")
    bob_page.get_by_role("button", name="Award and place the order").click()
    expect(bob_page.get_by_text(re.compile("Awarded to Daehan Systems: order CO-"))).to_be_visible()
    order = Order.objects.get()
    assert order.supplier_id == rival.supplier_id
    assert order.agreement_id == rival.pk
    assert order.status == Order.Status.PLACED
    assert order.total == Decimal("57000000")
    expect(bob_page.get_by_role("heading", name=f"Order {order.reference}")).to_be_visible()
    bob_page.context.close()

    # The public record: the tender is contracted, linked to the framework, with its winner.
    public.goto(tender.get_absolute_url())
    expect(public.get_by_text("Awarded to Daehan Systems under agreement")).to_be_visible()
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    expect(public.get_by_role("row", name=re.compile("Daehan Systems"))).to_contain_text("57,000,000")
    public.context.close()
