"""Contracts: only after a final award; signed by both parties over the PDF's SHA-256; re-authentication;
amendments keep versions; milestones; completion and termination."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from contracts import services
from contracts.models import Contract, ContractVersion, Milestone, Signature
from contracts.services.documents import document_render
from procurement.errors import DomainError, InvalidTransition
from suppliers.models import SupplierMember
from tenders.models import Tender
from tests.factories import PASSWORD, SupplierMemberFactory

from .test_awards import after_standstill, evaluated_tender

pytestmark = pytest.mark.django_db


def terms(**overrides) -> services.Terms:
    values = {
        "value": Decimal("90000000"),
        "start_date": date(2027, 1, 4),
        "end_date": date(2027, 3, 31),
        "deliverables": "데스크톱 350대 납품 및 설치",
        "milestones": (
            {"title": "1차 납품 (200대)", "due_date": date(2027, 2, 15), "amount": Decimal("50000000")},
            {"title": "2차 납품 (150대) 및 설치", "due_date": date(2027, 3, 31), "amount": Decimal("40000000")},
        ),
    }
    values.update(overrides)
    return services.Terms(**values)


def final_award(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    with after_standstill(award):
        services.award_finalise(award=award, actor=official)
    award.refresh_from_db()
    return award, users


@pytest.fixture
def contract(official):
    award, users = final_award(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    contract.winner_user = users[0]
    contract.losers = users[1:]
    return contract


def sign(contract, user):
    version = services.pending_version(contract)
    document = services.contract_document_ensure(version=version)
    return services.contract_sign(contract=contract, actor=user, document_sha256=document.sha256)


def test_a_contract_cannot_be_drawn_up_before_the_standstill_ends(official):
    tender, _users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)

    with pytest.raises(InvalidTransition):
        services.contract_create(award=award, actor=official, terms=terms())

    assert not Contract.objects.exists()


def test_signing_by_both_parties_activates_the_contract_and_the_tender_is_contracted(contract, official):
    sign(contract, official)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT

    signature = sign(contract, contract.winner_user)

    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract.signed_at
    assert Tender.objects.get(pk=contract.tender_id).status == Tender.Status.CONTRACTED
    assert [m.title for m in contract.milestones.all()] == ["1차 납품 (200대)", "2차 납품 (150대) 및 설치"]
    version = contract.versions.get()
    with version.document.file.open("rb") as fh:
        assert signature.document_sha256 == hashlib.sha256(fh.read()).hexdigest()
    assert set(version.signatures.values_list("party", flat=True)) == {"buyer", "supplier"}
    assert signature.signed_at is not None


def test_the_contract_document_is_reproducible_byte_for_byte(contract):
    version = contract.versions.get()
    first = services.contract_document_render(version)
    second = services.contract_document_render(version)

    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert services.contract_document_ensure(version=version).sha256 == hashlib.sha256(first).hexdigest()


def test_signing_by_the_wrong_party_is_refused(contract, official, rival_official, auditor, supplier_user):
    bidder_role = SupplierMemberFactory(supplier=contract.supplier, role=SupplierMember.Role.BIDDER).user
    for wrong in (rival_official, auditor, supplier_user, contract.losers[0], bidder_role):
        with pytest.raises(DomainError):
            sign(contract, wrong)
    assert not Signature.objects.exists()


def test_a_party_signs_once(contract, official):
    sign(contract, official)
    with pytest.raises(DomainError, match="already signed"):
        sign(contract, official)


def test_signing_a_document_other_than_the_stored_one_is_refused(contract, official):
    services.contract_document_ensure(version=services.pending_version(contract))
    with pytest.raises(DomainError, match="not the current one"):
        services.contract_sign(contract=contract, actor=official, document_sha256="0" * 64)


def test_amendments_keep_every_version_and_take_effect_when_both_sign(contract, official):
    sign(contract, official)
    sign(contract, contract.winner_user)

    version = services.contract_amend(
        contract=contract,
        actor=official,
        reason="Delivery extended by a month (site not ready).",
        terms=terms(end_date=date(2027, 4, 30)),
    )

    contract.refresh_from_db()
    assert version.number == 2
    assert contract.end_date == date(2027, 3, 31)  # not yet signed
    sign(contract, contract.winner_user)
    sign(contract, official)
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 4, 30)
    assert list(ContractVersion.objects.filter(contract=contract).values_list("number", flat=True)) == [1, 2]
    first, second = contract.versions.all()
    assert first.document.sha256 != second.document.sha256


def test_milestones_are_delivered_then_accepted_and_then_the_contract_completes(contract, official):
    sign(contract, official)
    sign(contract, contract.winner_user)
    first, second = contract.milestones.all()
    with pytest.raises(DomainError):
        services.contract_complete(contract=contract, actor=official)
    with pytest.raises(DomainError):
        services.milestone_deliver(milestone=first, actor=official)  # only the supplier delivers

    services.milestone_deliver(milestone=first, actor=contract.winner_user, note="200대 납품 완료")
    services.milestone_return(milestone=first, actor=official, reason="검수 결과 10대 불량")
    assert Milestone.objects.get(pk=first.pk).status == Milestone.Status.PENDING
    for milestone in (first, second):
        services.milestone_deliver(milestone=milestone, actor=contract.winner_user)
        services.milestone_accept(milestone=milestone, actor=official)
    services.contract_complete(contract=contract, actor=official)

    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.COMPLETED


def test_termination_needs_a_reason(contract, official):
    with pytest.raises(DomainError):
        services.contract_terminate(contract=contract, actor=official, reason="")
    services.contract_terminate(contract=contract, actor=official, reason="The supplier refused to sign.")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    with pytest.raises(InvalidTransition):
        sign(contract, official)


def test_milestones_may_not_add_up_to_more_than_the_value(official):
    award, _users = final_award(official)
    with pytest.raises(DomainError, match="more than the contract value"):
        services.contract_create(award=award, actor=official, terms=terms(value=Decimal("80000000")))


# --- signing in the browser requires re-authentication ------------------------------------------------


def test_the_signing_page_asks_for_the_password_again_before_showing_the_form(contract, client):
    supplier_admin = contract.winner_user
    client.force_login(supplier_admin)
    url = reverse("contracts:contract_sign", args=[contract.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == url
    waiting = client.get(url)  # the document is prepared by the worker first: the signer reads it before signing
    assert "Continue to signing" not in waiting.content.decode()
    document_render(report_id=waiting.context["report"].pk)
    assert "Continue to signing" in client.get(waiting.context["status_url"]).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    sha = page.context["document"].sha256
    assert sha in page.content.decode()
    response = client.post(url, {"document_sha256": sha, "confirm": "on"})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.party == "supplier"
    assert signature.reauthenticated_with == "password"


def test_a_user_with_an_authenticator_must_confirm_with_it(contract, official, client):
    client.force_login(official)
    url = reverse("contracts:contract_sign", args=[contract.pk])

    response = client.get(url)

    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    # A password alone is not enough for an official enrolled in MFA.
    client.post(reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD})
    assert client.get(url)["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_recent_reauthentication_expires(contract, client):
    client.force_login(contract.winner_user)
    url = reverse("contracts:contract_sign", args=[contract.pk])
    client.post(reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD})
    assert client.get(url).status_code == 200

    with time_machine.travel(timedelta(minutes=10)):
        assert client.get(url).status_code == 302


def test_people_who_may_not_sign_are_refused_before_any_reauthentication(contract, client, auditor, rival_official):
    url = reverse("contracts:contract_sign", args=[contract.pk])
    for user in (auditor, rival_official, contract.losers[0]):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)


def test_the_contract_document_is_bilingual_and_its_hangul_extracts_back(contract):
    import io

    from pypdf import PdfReader

    data = services.contract_document_render(contract.versions.get())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    assert "계약서" in text
    assert "Contract" in text
    assert contract.supplier.name_ko in text
    assert "90,000,000 KRW" in text
    assert "1차 납품 (200대)" in text
