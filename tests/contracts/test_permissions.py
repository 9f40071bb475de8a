"""Who may see and do what: auditors read everything and change nothing; committee members who have not
declared see nothing; the public sees awards and signed contracts only."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Award, Complaint, Contract
from procurement.models import AuditEntry

from .conftest import BEST_VALUE_PARAMS, opened_tender
from .test_awards import evaluated_tender
from .test_contracts import final_award, sign, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(official, evaluator):
    """One of everything an auditor could try to change."""
    fresh, _ = opened_tender(official, ["90000000"])  # opened, evaluation not started
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    complaint = services.complaint_lodge(award=award, actor=users[1], grounds="Unfair.")
    done_award, done_users = final_award(official)
    contract = services.contract_create(award=done_award, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, done_users[0])
    milestone = contract.milestones.first()
    services.milestone_deliver(milestone=milestone, actor=done_users[0])
    best, _ = opened_tender(official, ["90000000"], method="best_value", evaluation_params=BEST_VALUE_PARAMS)
    services.evaluation_start(tender=best, actor=official)
    member = services.committee_member_add(tender=best, actor=official, user=evaluator)
    return {
        "fresh": fresh,
        "tender": tender,
        "award": award,
        "complaint": complaint,
        "assessment": award.tender.evaluation.assessments.first(),
        "contract": contract,
        "milestone": milestone,
        "best": best,
        "member": member,
    }


def write_requests(w) -> list[tuple[str, dict]]:
    contract, milestone, award = w["contract"], w["milestone"], w["award"]
    return [
        (reverse("contracts:evaluation_start", args=[w["fresh"].pk]), {}),
        (
            reverse("contracts:assessment_review", args=[w["tender"].pk, w["assessment"].pk]),
            {"decision": "fail", "reason": "x"},
        ),
        (reverse("contracts:evaluation_calculate", args=[w["best"].pk]), {}),
        (reverse("contracts:evaluation_complete", args=[w["tender"].pk]), {}),
        (reverse("contracts:award_propose", args=[w["tender"].pk]), {}),
        (reverse("contracts:committee", args=[w["best"].pk]), {"email": "audrey@audit.example"}),
        (reverse("contracts:committee_remove", args=[w["best"].pk, w["member"].pk]), {}),
        (reverse("contracts:declare", args=[w["best"].pk]), {"no_conflict": "yes"}),
        (reverse("contracts:score", args=[w["best"].pk]), {"submit": "1"}),
        (reverse("contracts:award_approve", args=[award.pk]), {}),
        (reverse("contracts:award_finalise", args=[award.pk]), {}),
        (reverse("contracts:award_cancel", args=[award.pk]), {"reason": "x"}),
        (reverse("contracts:complaint_new", args=[award.pk]), {"grounds": "x"}),
        (reverse("contracts:complaint_decide", args=[w["complaint"].pk]), {"outcome": "upheld", "decision": "x"}),
        (reverse("contracts:contract_new", args=[award.pk]), {"title": "x"}),
        (reverse("contracts:contract_sign", args=[contract.pk]), {"document_sha256": "0" * 64, "confirm": "on"}),
        (reverse("contracts:contract_amend", args=[contract.pk]), {"reason": "x"}),
        (reverse("contracts:contract_complete", args=[contract.pk]), {}),
        (reverse("contracts:contract_terminate", args=[contract.pk]), {"reason": "x"}),
        (reverse("contracts:milestone_deliver", args=[contract.pk, milestone.pk]), {}),
        (reverse("contracts:milestone_accept", args=[contract.pk, milestone.pk]), {}),
        (reverse("contracts:milestone_return", args=[contract.pk, milestone.pk]), {"reason": "x"}),
    ]


def test_an_auditor_cannot_change_anything(world, auditor, client):
    client.force_login(auditor)
    before = AuditEntry.objects.count()

    for url, data in write_requests(world):
        response = client.post(url, data)
        assert response.status_code in (403, 404), url

    assert AuditEntry.objects.count() == before
    assert Award.objects.get(pk=world["award"].pk).status == Award.Status.STANDSTILL
    assert Complaint.objects.get(pk=world["complaint"].pk).status == Complaint.Status.OPEN
    assert Contract.objects.get(pk=world["contract"].pk).status == Contract.Status.ACTIVE


def test_an_auditor_reads_every_evaluation_award_contract_and_report(world, auditor, client):
    client.force_login(auditor)
    for url in (
        reverse("contracts:evaluations"),
        reverse("contracts:evaluation", args=[world["tender"].pk]),
        reverse("contracts:evaluation", args=[world["best"].pk]),
        reverse("contracts:award", args=[world["award"].pk]),
        reverse("contracts:complaint", args=[world["complaint"].pk]),
        reverse("contracts:contract", args=[world["contract"].pk]),
        reverse("contracts:reports"),
        reverse("contracts:award_report", args=[world["tender"].pk]),
        reverse("tenders:detail", args=[world["tender"].pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_api_is_read_only(world, auditor, official, client):
    for user in (auditor, official):
        client.force_login(user)
        for url in (reverse("api-awards"), reverse("api-contracts")):
            assert client.post(url, {}, content_type="application/json").status_code in (403, 405)
            assert client.delete(url + "1/").status_code in (403, 405)


def test_a_member_without_a_declaration_sees_nothing(world, evaluator, client):
    best = world["best"]
    document = best.opening_record.opened_bids.get().documents.get()
    client.force_login(evaluator)

    for url in (
        reverse("contracts:evaluation", args=[best.pk]),
        reverse("contracts:score", args=[best.pk]),
        reverse("contracts:evaluation_document", args=[best.pk, document.pk]),
        reverse("contracts:award_report", args=[best.pk]),
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("contracts:declare", args=[best.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "90,000,000" not in content
    assert "technical-proposal" not in content
    listing = client.get(reverse("contracts:evaluations")).content.decode()
    assert reverse("contracts:declare", args=[best.pk]) in listing

    client.post(reverse("contracts:declare", args=[best.pk]), {"no_conflict": "yes"})

    assert client.get(reverse("contracts:evaluation", args=[best.pk])).status_code == 200
    assert client.get(reverse("contracts:score", args=[best.pk])).status_code == 200
    response = client.get(reverse("contracts:evaluation_document", args=[best.pk, document.pk]))
    assert response.status_code == 200
    assert b"proposal of" in response.content


def test_a_member_who_declared_a_conflict_still_sees_nothing(world, evaluator, client):
    best = world["best"]
    client.force_login(evaluator)
    client.post(reverse("contracts:declare", args=[best.pk]), {"no_conflict": "no", "statement": "Cousin."})

    assert client.get(reverse("contracts:evaluation", args=[best.pk])).status_code == 404
    assert client.get(reverse("contracts:score", args=[best.pk])).status_code == 404


def test_officials_of_other_entities_and_suppliers_do_not_see_evaluations(world, rival_official, supplier_user, client):
    for user in (rival_official, supplier_user):
        client.force_login(user)
        assert client.get(reverse("contracts:evaluation", args=[world["tender"].pk])).status_code == 404
        assert client.post(reverse("contracts:evaluation_start", args=[world["fresh"].pk])).status_code in (403, 404)


def test_the_public_sees_awards_in_standstill_and_signed_contracts_but_not_drafts(world, official, client):
    award, contract = world["award"], world["contract"]
    assert client.get(reverse("contracts:award", args=[award.pk])).status_code == 200
    assert client.get(reverse("contracts:awards")).content.decode().count(award.tender.reference) == 1
    assert client.get(reverse("contracts:contract", args=[contract.pk])).status_code == 200
    api = client.get(reverse("api-awards")).json()
    assert {a["id"] for a in api["results"]} >= {award.pk}
    draft_award, _users = final_award(official)
    draft = services.contract_create(award=draft_award, actor=official, terms=terms())
    assert client.get(reverse("contracts:contract", args=[draft.pk])).status_code == 404
    contracts = client.get(reverse("api-contracts")).json()["results"]
    assert [c["id"] for c in contracts] == [contract.pk]
    assert contracts[0]["signatures"][0]["document_sha256"]


def test_the_admin_site_shows_contracts_read_only(world, platform_admin, client):
    contract = world["contract"]
    for user in (platform_admin,):
        client.force_login(user)
        assert client.get(reverse("admin:contracts_contract_changelist")).status_code == 200
        page = client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert client.get(reverse("admin:contracts_award_add")).status_code == 403
        assert (
            client.post(reverse("admin:contracts_contract_delete", args=[contract.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert Contract.objects.filter(pk=contract.pk).exists()
