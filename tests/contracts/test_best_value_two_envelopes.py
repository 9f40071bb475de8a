"""Best value with two envelopes: the committee scores the technical envelopes while every price is
sealed; a bid under the technical threshold is not compliant and its price is never opened; after
the complaint window the compliant prices open and the ranking combines technical and price scores
by the tender's weights.

Criteria Approach (max 60) + Team (max 40); weights technical 80 / price 20; threshold 70 points.
A bids 100,000,000, B 90,000,000, C 80,000,000 (cheapest, but technically weak).
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bidding import services as bidding
from bidding.models import Bid, OpenedBid, OpeningRecord
from contracts import services
from contracts.models import Assessment, Evaluation
from procurement.errors import Conflict, DomainError
from procurement.models import AuditEntry
from procurement.roles import Role
from tenders.models import Tender
from tenders.services.common import validate_content
from tests.bidding.helpers import bidder, close_and_open, end_complaint_window, pdf_with, published_tender, submit_two
from tests.factories import UserFactory

from .conftest import BEST_VALUE_PARAMS
from .test_best_value import committee, score

pytestmark = pytest.mark.django_db

PRICES = {"A": "100000000", "B": "90000000", "C": "80000000"}


@pytest.fixture
def two(official):
    """A two-envelope best-value tender with three sealed bids, opened at its technical stage."""
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="best_value",
        evaluation_params=BEST_VALUE_PARAMS,
        envelopes=2,
    )
    assert validate_content(tender) == {}
    users = {name: bidder(supplier__name_en=name) for name in PRICES}
    bids = {}
    for name, user in users.items():
        result = submit_two(tender, user, price=PRICES[name], documents=[("plan.pdf", pdf_with(f"PLAN-{name}"))])
        bids[name] = result.bid.pk
    close_and_open(tender)
    return tender, users, bids


def scored(tender, official, evaluator, second_evaluator, bids):
    evaluation = services.evaluation_start(tender=tender, actor=official)
    one, two_ = committee(tender, official, evaluator, second_evaluator)
    # Points: A (85+90)/2 = 87.5, B (75+70)/2 = 72.5, C (60+65)/2 = 62.5 < 70.
    score(one, {bids["A"]: (50, 35), bids["B"]: (45, 30), bids["C"]: (30, 30)})
    score(two_, {bids["A"]: (55, 35), bids["B"]: (40, 30), bids["C"]: (40, 25)})
    return evaluation


def rows(tender) -> dict[str, OpenedBid]:
    return {r.supplier.name_en: r for r in OpenedBid.objects.filter(opening__tender=tender).select_related("supplier")}


def test_the_committee_decides_compliance_before_any_price_opens_and_the_award_goes_by_combined_score(
    two, official, evaluator, second_evaluator
):
    tender, _users, bids = two
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED
    # Officials cannot decide compliance by hand where the committee scores.
    with pytest.raises(Conflict) as refused:
        bidding.technical_assess(opened_bid=rows(tender)["C"], actor=official, compliant=False, reason="weak")
    assert refused.value.code == "committee_decides"

    evaluation = scored(tender, official, evaluator, second_evaluator, bids)
    services.evaluation_calculate(evaluation=evaluation, actor=official)

    evaluation.refresh_from_db()
    assert evaluation.technical_scored_at is not None
    assert evaluation.scored_at is None
    found = rows(tender)
    assert (found["A"].technical_compliant, found["B"].technical_compliant) == (True, True)
    assert found["C"].technical_compliant is False
    assert "62.5" in found["C"].technical_reason
    assert "70% needed" in found["C"].technical_reason
    assert not OpenedBid.objects.filter(opening__tender=tender, price__isnull=False).exists()
    assert AuditEntry.objects.filter(action="evaluation.technical_calculate").count() == 1
    # The scores the decisions rest on are fixed until the prices open.
    late = UserFactory(email="late@evaluators.example", role=Role.EVALUATOR)
    with pytest.raises(DomainError, match="can no longer be changed"):
        services.committee_member_add(tender=tender, actor=official, user=late)
    with pytest.raises(Conflict):
        services.evaluation_calculate(evaluation=evaluation, actor=official)
    with pytest.raises(DomainError):
        services.evaluation_complete(evaluation=evaluation, actor=official)

    bidding.technical_publish(tender_id=tender.pk, actor=official)
    with pytest.raises(Conflict) as early:
        services.evaluation_calculate(evaluation=evaluation, actor=official)
    assert early.value.code == "technical_not_final"
    end_complaint_window(tender)
    bidding.price_envelopes_open(tender_id=tender.pk)

    found = rows(tender)
    assert found["C"].price is None
    assert found["C"].outcome == OpenedBid.Outcome.PRICE_NOT_OPENED
    assert Bid.objects.get(pk=bids["C"]).status == Bid.Status.DISQUALIFIED
    assert OpeningRecord.objects.get(tender=tender).stage == OpeningRecord.Stage.COMPLETE

    services.evaluation_calculate(evaluation=evaluation, actor=official)
    result = {a.bid_id: a for a in Assessment.objects.filter(evaluation=evaluation)}
    # The price score is among the compliant bids only: the lowest is B's 90,000,000.
    assert result[bids["A"]].technical_score == Decimal("70")
    assert result[bids["A"]].price_score == Decimal("18")
    assert result[bids["A"]].total_score == Decimal("88")
    assert result[bids["A"]].rank == 1
    assert result[bids["B"]].total_score == Decimal("78")
    assert result[bids["B"]].rank == 2
    assert not result[bids["C"]].admissible
    assert "62.5" in result[bids["C"]].set_aside_reason
    assert result[bids["C"]].price_score is None

    services.assessment_review(assessment=result[bids["A"]], actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    award = services.award_propose(tender=tender, actor=official)
    assert award.bid_id == bids["A"]


def test_an_upheld_complaint_opens_the_complainants_price_and_it_is_ranked(two, official, evaluator, second_evaluator):
    tender, users, bids = two
    evaluation = scored(tender, official, evaluator, second_evaluator, bids)
    services.evaluation_calculate(evaluation=evaluation, actor=official)
    bidding.technical_publish(tender_id=tender.pk, actor=official)
    complaint = bidding.technical_complaint_lodge(
        tender_id=tender.pk, actor=users["C"], grounds="평가위원 2의 팀 점수 산정 오류"
    )
    bidding.technical_complaint_decide(complaint=complaint, actor=official, uphold=True, answer="재검토 결과 인용")
    end_complaint_window(tender)
    bidding.price_envelopes_open(tender_id=tender.pk)
    assert rows(tender)["C"].price == Decimal(PRICES["C"])

    services.evaluation_calculate(evaluation=evaluation, actor=official)

    result = {a.bid_id: a for a in Assessment.objects.filter(evaluation=evaluation)}
    # C's price is now the lowest compliant one: it takes the whole price weight.
    assert result[bids["C"]].admissible
    assert result[bids["C"]].price_score == Decimal("20")
    assert result[bids["C"]].total_score == Decimal("70")  # 80 × 62.5 / 100 + 20
    assert result[bids["A"]].price_score == Decimal("16")  # 20 × 80 / 100
    assert result[bids["A"]].rank == 1
    assert [result[bids[n]].rank for n in "ABC"] == [1, 2, 3]


def test_a_one_envelope_best_value_tender_still_waits_for_the_opening(official, evaluator):
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="best_value",
        evaluation_params=BEST_VALUE_PARAMS,
    )
    with pytest.raises(DomainError):
        services.evaluation_start(tender=tender, actor=official)


def test_the_official_runs_the_technical_stage_from_the_evaluation_page(
    two, official, evaluator, second_evaluator, client
):
    tender, _users, bids = two
    client.force_login(official)
    page = reverse("contracts:evaluation", args=[tender.pk])
    assert "Start the evaluation" in client.get(page).content.decode()
    client.post(reverse("contracts:evaluation_start", args=[tender.pk]))
    evaluation = Evaluation.objects.get(tender=tender)
    one, two_ = committee(tender, official, evaluator, second_evaluator)
    score(one, {bids["A"]: (50, 35), bids["B"]: (45, 30), bids["C"]: (30, 30)})
    score(two_, {bids["A"]: (55, 35), bids["B"]: (40, 30), bids["C"]: (40, 25)})
    assert "Calculate the technical results" in client.get(page).content.decode()
    # The evaluators score with every price sealed.
    sheet = Client()
    sheet.force_login(evaluator)
    body = sheet.get(reverse("contracts:score", args=[tender.pk])).content.decode()
    assert body.count("price sealed") == 3
    assert "80,000,000" not in body

    response = client.post(reverse("contracts:evaluation_calculate", args=[tender.pk]), follow=True)

    body = response.content.decode()
    assert response.request["PATH_INFO"] == reverse("bidding:technical", args=[tender.pk])
    assert "decided the technical results" in body
    assert "data-committee-decides" in body
    assert "Record the decision" not in body  # no decision by hand where the committee scores
    assert "Publish the technical results" in body
    evaluation.refresh_from_db()
    assert evaluation.technical_scored_at is not None
    assert "data-technical-scored" in client.get(page).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_ocds_of_a_best_value_two_envelope_tender_validates_and_never_shows_the_weak_price(
    official, evaluator, second_evaluator, live_server, settings
):
    import json

    from django.test import Client as PublicClient

    from tests.opendata.validation import assert_valid_ocds

    settings.SITE_URL = live_server.url  # libcoveocds fetches the extension from here
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="best_value",
        evaluation_params=BEST_VALUE_PARAMS,
        envelopes=2,
    )
    bids = {
        name: submit_two(
            tender, bidder(supplier__name_en=name), price=PRICES[name], documents=[("p.pdf", pdf_with(name))]
        ).bid.pk
        for name in PRICES
    }
    close_and_open(tender)
    evaluation = scored(tender, official, evaluator, second_evaluator, bids)
    services.evaluation_calculate(evaluation=evaluation, actor=official)
    bidding.technical_publish(tender_id=tender.pk, actor=official)
    end_complaint_window(tender)
    bidding.price_envelopes_open(tender_id=tender.pk)
    services.evaluation_calculate(evaluation=evaluation, actor=official)

    package = PublicClient().get(f"/api/v1/ocds/releases/{tender.ocid}/").json()
    assert_valid_ocds(package)
    text = json.dumps(package, ensure_ascii=False)
    assert "80000000" not in text
    results = {
        d["id"]: d for r in package["releases"] if r["id"].endswith("technical-results") for d in r["bids"]["details"]
    }
    assert results[str(bids["C"])]["technicalResult"]["compliant"] is False
    assert "62.5" in results[str(bids["C"])]["technicalResult"]["reason"]
