"""A tender's whole life through the services: each step is one OCDS release, ids are stable, the
record compiled from the releases is what the public pages show, and all of it is valid OCDS 1.1.5
with the koneps extension applied."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from contracts import services as contract_services
from contracts.models import Milestone
from opendata import merge
from tenders import services as tender_services
from tests.bidding.helpers import bidder, close_and_open, submit
from tests.contracts.test_awards import after_standstill
from tests.contracts.test_contracts import sign, terms
from tests.sealing import publish
from tests.tenders.conftest import tender_data

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


def get_json(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, response.content
    return response.json()


def keys(package: dict, ocid: str) -> list[str]:
    return [release["id"].removeprefix(f"{ocid}-") for release in package["releases"]]


@pytest.fixture
def live_site(live_server, settings):
    """Packages name the extension on this server, where libcoveocds fetches it (see validation.py)."""
    settings.SITE_URL = live_server.url
    return live_server


def test_every_step_of_a_tenders_life_is_a_release_and_the_record_is_what_the_pages_show(
    official, second_official, live_site
):
    tender = publish(
        tender=tender_services.tender_create(actor=official, data=tender_data(estimated_value=Decimal(100_000_000))),
        actor=official,
    )
    ocid = tender.ocid
    releases_url = f"/api/v1/ocds/releases/{ocid}/"
    assert keys(get_json(releases_url), ocid) == ["tender-0"]

    tender = tender_services.tender_amend(
        tender=tender,
        actor=official,
        reason="납품 장소 변경",
        data={"delivery_place": "정부서울청사", "title": "모니터 포함 구매"},
    ).tender
    users = [bidder() for _ in range(3)]
    question = tender_services.clarification_ask(tender=tender, actor=users[0], question="설치 포함입니까?")
    tender_services.clarification_answer(clarification=question, actor=official, answer="네, 포함입니다.")
    before_deadline = get_json(releases_url)
    assert keys(before_deadline, ocid) == ["tender-0", "amendment-1", f"enquiry-{question.pk}"]

    for user, price in zip(users, ("91000000", "90000000", "99000000"), strict=True):
        submit(tender, user, price=price)
    text = json.dumps(get_json(releases_url), ensure_ascii=False)
    assert "91000000" not in text
    assert "bids" not in get_json(releases_url)["releases"][-1]

    close_and_open(tender)
    evaluation = contract_services.evaluation_start(tender=tender, actor=official)
    contract_services.assessment_review(
        assessment=contract_services.next_for_review(evaluation),
        actor=official,
        passed=False,
        reason="실적 증명서 미제출",
    )
    contract_services.assessment_review(
        assessment=contract_services.next_for_review(evaluation), actor=official, passed=True
    )
    contract_services.evaluation_complete(evaluation=evaluation, actor=official)
    award = contract_services.award_propose(tender=tender, actor=official)
    if award.status == "proposed":
        award = contract_services.award_approve(award=award, actor=second_official)
    with after_standstill(award):
        award = contract_services.award_finalise(award=award, actor=official)
    contract = contract_services.contract_create(award=award, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, users[0])
    for milestone in Milestone.objects.filter(contract=contract).order_by("number"):
        contract_services.milestone_deliver(milestone=milestone, actor=users[0], note="납품 완료")
        contract_services.milestone_accept(milestone=milestone, actor=official)
    contract_services.contract_complete(contract=contract, actor=official)

    package = get_json(releases_url)
    ref = contract.reference
    assert keys(package, ocid) == [
        "tender-0",
        "amendment-1",
        f"enquiry-{question.pk}",
        "closing",
        "opening",
        f"award-{award.pk}",
        f"award-{award.pk}-final",
        f"contract-{ref}-v1-buyer",
        f"contract-{ref}-v1-supplier",
        f"contract-{ref}-milestone-1-delivered",
        f"contract-{ref}-milestone-1-accepted",
        f"contract-{ref}-milestone-2-delivered",
        f"contract-{ref}-milestone-2-accepted",
        f"contract-{ref}-completed",
    ]
    tags = [release["tag"] for release in package["releases"]]
    assert tags[:7] == [
        ["tender"],
        ["tenderAmendment"],
        ["tenderUpdate"],
        ["tenderUpdate"],
        ["tenderUpdate"],
        ["award"],
        ["awardUpdate"],
    ]
    assert tags[7:9] == [["contract"], ["contractUpdate"]]
    assert tags[-1] == ["contractTermination"]
    dates = [release["date"] for release in package["releases"]]
    assert dates == sorted(dates)
    # Stable: the same data gives the same releases, byte for byte.
    assert get_json(releases_url)["releases"] == package["releases"]
    assert_valid_ocds(package)

    record_package = get_json(f"/api/v1/ocds/records/{ocid}/")
    [record] = record_package["records"]
    assert record["releases"] == package["releases"]
    assert record["compiledRelease"] == merge.compiled_release(package["releases"])
    assert_valid_ocds(record_package)

    compiled = record["compiledRelease"]
    tender.refresh_from_db()
    contract.refresh_from_db()
    # What the tender page shows.
    page = Client().get(tender.get_absolute_url()).content.decode()
    assert compiled["tender"]["title"] == tender.title == "모니터 포함 구매"
    assert tender.title in page
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["tenderPeriod"]["endDate"] == tender.submission_deadline.isoformat()
    assert [a["rationale"] for a in compiled["tender"]["amendments"]] == ["납품 장소 변경"]
    assert compiled["tender"]["enquiries"][0]["answer"] == "네, 포함입니다."
    # What the opening page shows: every price, commitment and rank.
    opening_page = Client().get(f"/bids/tender/{tender.pk}/opening/").content.decode()
    details = {d["id"]: d for d in compiled["bids"]["details"]}
    for opened in tender.opening_record.opened_bids.all():
        detail = details[str(opened.bid_id)]
        assert detail["value"]["amount"] == int(opened.price)
        assert detail["commitment"] == opened.commitment
        assert opened.commitment in opening_page
        assert detail["openingRank"] == opened.rank
    lowest = details[str(tender.opening_record.opened_bids.get(price=90000000).bid_id)]
    assert lowest["status"] == "disqualified"
    assert lowest["evaluation"]["reason"] == "실적 증명서 미제출"
    winner = details[str(award.bid_id)]
    assert winner["status"] == "awarded"
    assert winner["evaluation"]["decision"] == "passed"
    # What the award and contract pages show.
    [ocds_award] = compiled["awards"]
    assert ocds_award["status"] == "active"
    assert ocds_award["value"]["amount"] == int(award.value)
    assert ocds_award["suppliers"][0]["name"] == award.supplier.name_ko
    [ocds_contract] = compiled["contracts"]
    assert ocds_contract["status"] == "terminated"  # completed: OCDS 1.1 has no other word for it
    assert ocds_contract["value"]["amount"] == int(contract.value)
    assert {s["party"] for s in ocds_contract["signatures"]} == {"buyer", "supplier"}
    [document] = ocds_contract["documents"]
    assert document["sha256"] == contract.versions.get(number=1).document.sha256
    milestones = ocds_contract["implementation"]["milestones"]
    assert [m["status"] for m in milestones] == ["met", "met"]
    assert all(m["dateMet"] and m["dateDelivered"] for m in milestones)
    parties = {party["id"]: party for party in compiled["parties"]}
    supplier = award.supplier
    party = parties[f"KR-BRN-{supplier.registration_number}"]
    assert party["identifier"] == {
        "scheme": "KR-BRN",
        "id": supplier.registration_number,
        "legalName": supplier.name_ko,
    }
    assert set(party["roles"]) == {"tenderer", "supplier"}
    # The version history keeps the title as first published.
    versioned_title = record["versionedRelease"]["tender"]["title"]
    assert [v["value"] for v in versioned_title] == ["2027년 정부청사 전산장비 구매", "모니터 포함 구매"]
