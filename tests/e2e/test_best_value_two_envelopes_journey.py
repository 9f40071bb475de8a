"""Browser journey, best value with two envelopes and a real Celery worker: three suppliers seal a
technical and a price envelope (services, as the two-envelope journey does it in the browser); the
worker opens the technical envelopes only; the official starts the evaluation from her browser and
the committee scores with every price sealed; the scores decide the technical results (the
cheapest bid is under the threshold); after the complaint window the worker opens the compliant
prices only; the official calculates the combined ranking and proposes the award to the best total,
not the lowest price."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bidding.models import Bid, OpenedBid, OpeningRecord
from bidding.tasks import tenders_sweep
from contracts.models import Award
from procurement.roles import Role
from tenders.models import Tender
from tests.bidding.helpers import pdf_with, published_tender, set_times, submit_two
from tests.conftest import enrol_totp, wait_until
from tests.contracts.conftest import BEST_VALUE_PARAMS
from tests.contracts.test_best_value import committee, score
from tests.e2e.conftest import log_in_with_totp
from tests.e2e.test_contracts_journey import choose, new_page
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory, UserFactory
from tests.sealing import custodian_make, shares_release

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PRICES = {"Alpha": "100000000", "Beta": "90000000", "Gamma": "80000000"}


def test_best_value_with_two_envelopes_awards_the_best_total_and_never_opens_a_weak_bids_price(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory, settings
):
    settings.TECHNICAL_COMPLAINT_WINDOW = timedelta(seconds=4)
    official = OfficialFactory(user__email="olivia@agency.example", entity__name_en="Public Procurement Service")
    secret = enrol_totp(official.user)
    official.entity.default_custodians.add(custodian_make())
    tender = published_tender(
        entity=official.entity,
        created_by=official.user,
        title="2027년 청사 설계공모",
        evaluation_method="best_value",
        evaluation_params=BEST_VALUE_PARAMS,
        envelopes=2,
    )
    bids = {}
    for name, price in PRICES.items():
        member = SupplierMemberFactory(supplier__name_en=name)
        result = submit_two(tender, member.user, price=price, documents=[("plan.pdf", pdf_with(f"PLAN-{name}"))])
        bids[name] = result.bid.pk
    evaluators = [UserFactory(email=f"eval{i}@evaluators.example", role=Role.EVALUATOR) for i in (1, 2)]
    for user in evaluators:
        enrol_totp(user)

    # The worker closes and opens the technical envelopes only.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=3, opening=6)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED, timeout=30)
    shares_release(tender)
    wait_until(lambda: OpeningRecord.objects.filter(tender=tender).exists(), timeout=45)
    assert not OpenedBid.objects.filter(opening__tender=tender, price__isnull=False).exists()

    # The official starts the evaluation at the technical stage; the committee scores the proposals.
    log_in_with_totp(page, official.user.email, PASSWORD, secret)
    page.goto(tender.get_absolute_url())
    page.get_by_role("link", name="Technical stage").first.click()
    expect(page.locator("[data-committee-decides]")).to_be_visible()
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    page.get_by_role("link", name="Evaluation and committee").click()
    page.get_by_role("button", name="Start the evaluation").click()
    expect(page.get_by_text("The evaluation has started.")).to_be_visible()
    one, two = committee(tender, official.user, *evaluators)
    # Points: Alpha 87.5, Beta 72.5, Gamma 62.5 (under the 70-point threshold).
    score(one, {bids["Alpha"]: (50, 35), bids["Beta"]: (45, 30), bids["Gamma"]: (30, 30)})
    score(two, {bids["Alpha"]: (55, 35), bids["Beta"]: (40, 30), bids["Gamma"]: (40, 25)})

    # The scores decide the technical results; she publishes them.
    page.reload()
    page.get_by_role("button", name="Calculate the technical results").click()
    expect(page.get_by_text("The committee's scores decided the technical results")).to_be_visible()
    expect(page.locator('section[data-supplier="Gamma"] [data-decision]')).to_contain_text("Not compliant")
    expect(page.locator('section[data-supplier="Gamma"] [data-decision]')).to_contain_text("62.5")
    expect(page.locator('section[data-supplier="Beta"] [data-decision]')).to_contain_text("Compliant")
    page.get_by_role("button", name="Publish the technical results").click()
    expect(page.get_by_text("The technical results are published.")).to_be_visible()

    # After the window the worker opens the compliant prices only.
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)
    public = new_page(browser, live_server)
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    expect(public.locator('tr[data-technical="Gamma"]')).to_contain_text("never opened")
    assert "80,000,000" not in public.content()
    public.context.close()
    assert OpenedBid.objects.get(bid_id=bids["Gamma"]).price is None
    assert Bid.objects.get(pk=bids["Gamma"]).status == Bid.Status.DISQUALIFIED

    # The combined ranking: Alpha 70 + 18 = 88 beats Beta 58 + 20 = 78, though Beta is cheaper.
    page.goto(reverse("contracts:evaluation", args=[tender.pk]))
    page.get_by_role("button", name="Calculate the ranking").click()
    expect(page.get_by_text("The committee's scores have been combined into a ranking.")).to_be_visible()
    expect(page.locator(f'tr[data-bid="{bids["Alpha"]}"]')).to_contain_text(re.compile(r"88(\.0+)?"))
    choose(page, "Qualified")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The bid passed the review.")).to_be_visible()
    page.get_by_role("button", name="Complete the evaluation").click()
    expect(page.get_by_text("Proposed winner: Alpha")).to_be_visible()
    page.get_by_role("button", name="Propose the award").click()
    expect(page.get_by_text("The standstill has started.")).to_be_visible()
    assert Award.objects.get(tender=tender).bid_id == bids["Alpha"]
