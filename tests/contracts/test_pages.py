"""The pages: forms post to the services, refusals come back as messages, navigation per role."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bidding.models import Bid
from contracts import services
from contracts.models import Award, CommitteeMember, Complaint, Contract, Evaluation, Milestone, Score
from tests.bidding.helpers import pdf_with

from .conftest import BEST_VALUE_PARAMS, opened_tender
from .test_awards import after_standstill, evaluated_tender
from .test_contracts import final_award, sign

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_official_evaluates_and_proposes_the_award_through_the_pages(official, client):
    tender, users = opened_tender(official, ["95000000", "90000000"])
    client.force_login(official)
    page = reverse("contracts:evaluation", args=[tender.pk])
    assert "Start the evaluation" in client.get(page).content.decode()

    client.post(reverse("contracts:evaluation_start", args=[tender.pk]))
    evaluation = Evaluation.objects.get(tender=tender)
    nxt = services.next_for_review(evaluation)
    refused = client.post(
        reverse("contracts:assessment_review", args=[tender.pk, nxt.pk]),
        {"decision": "fail", "reason": ""},
        follow=True,
    )
    assert any("bidder will see it" in m for m in messages_of(refused))
    client.post(reverse("contracts:assessment_review", args=[tender.pk, nxt.pk]), {"decision": "pass", "reason": ""})
    client.post(reverse("contracts:evaluation_complete", args=[tender.pk]))
    response = client.post(reverse("contracts:award_propose", args=[tender.pk]), follow=True)

    award = Award.objects.get(tender=tender)
    assert response.redirect_chain[-1][0] == award.get_absolute_url()
    assert award.supplier == users[1].supplier_membership.supplier
    assert "Standstill" in response.content.decode()


def test_a_refused_transition_comes_back_as_a_message_and_changes_nothing(official, client):
    tender, _users = opened_tender(official, ["90000000"])
    client.force_login(official)

    response = client.post(reverse("contracts:award_propose", args=[tender.pk]), follow=True)

    assert any("evaluated tender" in m for m in messages_of(response))
    assert not Award.objects.exists()


def test_the_committee_is_formed_declares_and_scores_through_the_pages(official, evaluator, client):
    tender, _users = opened_tender(official, ["90000000"], method="best_value", evaluation_params=BEST_VALUE_PARAMS)
    services.evaluation_start(tender=tender, actor=official)
    client.force_login(official)
    client.post(reverse("contracts:committee", args=[tender.pk]), {"email": evaluator.email})
    member = CommitteeMember.objects.get(tender=tender)
    assert member.user == evaluator

    client.force_login(evaluator)
    client.post(reverse("contracts:declare", args=[tender.pk]), {"no_conflict": "yes"})
    bid = Bid.objects.get(tender=tender)
    score_url = reverse("contracts:score", args=[tender.pk])
    page = client.get(score_url).content.decode()
    assert "technical-proposal.pdf" in page
    client.post(score_url, {f"score-{bid.pk}-0": "50", "save": "1"})
    assert Score.objects.filter(member=member).count() == 1
    client.post(score_url, {f"score-{bid.pk}-0": "50", f"score-{bid.pk}-1": "30", "submit": "1"})
    member.refresh_from_db()
    assert member.scores_submitted_at is not None
    assert client.post(score_url, {f"score-{bid.pk}-0": "10", "save": "1"}).status_code == 404  # locked

    client.force_login(official)
    client.post(reverse("contracts:evaluation_calculate", args=[tender.pk]))
    assert Evaluation.objects.get(tender=tender).scored_at is not None


def test_a_bidder_complains_with_a_document_and_an_upheld_complaint_reopens_the_evaluation(official, client):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    client.force_login(users[1])
    award_page = client.get(award.get_absolute_url()).content.decode()
    assert "Lodge a complaint" in award_page

    response = client.post(
        reverse("contracts:complaint_new", args=[award.pk]),
        {"grounds": "The winner's bid bond is missing.", "documents": [SimpleUploadedFile("bond.pdf", pdf_with("x"))]},
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == complaint.get_absolute_url()
    assert complaint.documents.count() == 1
    document = client.get(reverse("contracts:complaint_document", args=[complaint.pk, complaint.documents.get().pk]))
    assert document["X-Content-SHA256"] == complaint.documents.get().sha256

    client.force_login(official)
    response = client.post(
        reverse("contracts:complaint_decide", args=[complaint.pk]),
        {"outcome": "upheld", "decision": "The bond is indeed missing."},
    )
    assert response["Location"] == reverse("contracts:evaluation", args=[tender.pk])
    assert Award.objects.get(pk=award.pk).status == Award.Status.CANCELLED
    assert Evaluation.objects.get(tender=tender).status == Evaluation.Status.IN_PROGRESS


def test_other_bidders_do_not_see_a_complaint(official, client):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    complaint = services.complaint_lodge(award=award, actor=users[1], grounds="Secret grounds.")
    client.force_login(users[2])
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert "Secret grounds." not in client.get(award.get_absolute_url()).content.decode()


def test_the_contract_is_drawn_up_with_milestones_and_the_supplier_reports_a_delivery(official, client):
    award, users = final_award(official)
    client.force_login(official)
    form = client.get(reverse("contracts:contract_new", args=[award.pk]))
    assert form.context["form"].initial["value"] == award.value
    today = timezone.localdate()
    response = client.post(
        reverse("contracts:contract_new", args=[award.pk]),
        {
            "title": "전산장비 구매 계약",
            "value": "90000000",
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=60)).isoformat(),
            "deliverables": "데스크톱 350대",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "납품",
            "milestones-0-due_date": (today + timedelta(days=30)).isoformat(),
            "milestones-0-amount": "90000000",
            "milestones-1-title": "",
            "milestones-2-title": "",
        },
    )
    contract = Contract.objects.get()
    assert response["Location"] == contract.get_absolute_url()
    sign(contract, official)
    sign(contract, users[0])
    milestone = Milestone.objects.get(contract=contract)

    client.force_login(users[0])
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Report delivered" in page
    client.post(reverse("contracts:milestone_deliver", args=[contract.pk, milestone.pk]), {"note": "완료"})
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.DELIVERED
    pdf = client.get(reverse("contracts:contract_document", args=[contract.pk, 1]))
    assert pdf["X-Content-SHA256"] == contract.versions.get().document.sha256


def test_contract_terms_outside_the_rules_come_back_to_the_form(official, client):
    award, _users = final_award(official)
    client.force_login(official)
    today = timezone.localdate()
    response = client.post(
        reverse("contracts:contract_new", args=[award.pk]),
        {
            "title": "x",
            "value": "1000",
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Everything",
            "milestones-0-amount": "2000",
        },
    )
    assert response.status_code == 200
    assert "more than the contract value" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_tender_page_shows_the_award_to_the_public(official, client):
    tender, _users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    page = client.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    assert award.get_absolute_url() in page
    assert "Award and contract" in page


def test_navigation_per_role(official, auditor, supplier_user, evaluator, client):
    def labels(user):
        client.logout()
        if user:
            client.force_login(user)
        return {str(item["label"]) for item in client.get(reverse("contracts:awards")).context["nav_items"]}

    assert {"Evaluations", "Contracts", "Awards"} <= labels(official)
    assert "Reports" in labels(auditor)
    assert "Reports" not in labels(official)
    assert "Evaluations" in labels(evaluator)
    assert "Contracts" in labels(supplier_user)
    public = labels(None)
    assert "Awards" in public
    assert not {"Evaluations", "Reports", "Contracts"} & public


def test_finalising_early_through_the_page_is_refused_with_the_date(official, client):
    tender, _users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    client.force_login(official)
    response = client.post(reverse("contracts:award_finalise", args=[award.pk]), follow=True)
    assert any("standstill period runs until" in m for m in messages_of(response))
    with after_standstill(award):
        client.post(reverse("contracts:award_finalise", args=[award.pk]))
    assert Award.objects.get(pk=award.pk).status == Award.Status.FINAL
