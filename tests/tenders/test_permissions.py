"""Who sees and changes what: drafts stay inside their entity; officials act only for their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenders import services
from tenders.models import Tender
from tests import sealing
from tests.tenders.conftest import login, tender_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_with_document(official, draft):
    services.tender_document_add(
        tender=draft,
        actor=official,
        file=SimpleUploadedFile("spec.pdf", b"%PDF-1.4\nspec\n%%EOF\n"),
        title="규격서",
        kind="specification",
    )
    return draft


def detail(tender):
    return reverse("tenders:detail", args=[tender.pk])


@pytest.mark.parametrize("status", [Tender.Status.DRAFT, Tender.Status.PENDING_APPROVAL])
@pytest.mark.parametrize("who", ["anonymous", "supplier_user", "outsider", "rita"])
def test_drafts_are_not_found_by_anyone_outside_the_entity(client, request, draft, status, who):
    Tender.objects.filter(pk=draft.pk).update(status=status)
    if who != "anonymous":
        login(client, request.getfixturevalue(who))
    assert client.get(detail(draft)).status_code == 404
    assert client.get(reverse("tenders:versions", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "supplier_user"])
def test_drafts_never_appear_in_lists_feeds_or_the_api(client, request, official, draft, who):
    if who != "anonymous":
        login(client, request.getfixturevalue(who))
    for url in [reverse("tenders:list"), reverse("tenders:feed"), reverse("home"), "/api/v1/tenders/"]:
        assert draft.title not in client.get(url).content.decode(), url
    assert client.get(f"/api/v1/tenders/{draft.pk}/").status_code == 404


def test_a_drafts_documents_are_private(client, supplier_user, draft_with_document):
    document = draft_with_document.documents.get()
    url = reverse("tenders:document", args=[draft_with_document.pk, document.pk])
    assert client.get(url).status_code == 404
    login(client, supplier_user)
    assert client.get(url).status_code == 404


def test_documents_are_public_once_published(client, official, draft_with_document):
    sealing.publish(tender=draft_with_document, actor=official)
    document = draft_with_document.documents.get()
    response = client.get(reverse("tenders:document", args=[draft_with_document.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_the_entitys_official_sees_and_edits_the_draft(client, official, draft):
    login(client, official)
    assert client.get(detail(draft)).status_code == 200
    assert client.get(reverse("tenders:edit", args=[draft.pk])).status_code == 200


def test_an_official_of_another_entity_cannot_see_a_draft(client, rita, draft):
    login(client, rita)
    assert client.get(reverse("tenders:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("tenders:publish", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Tender.Status.DRAFT


@pytest.mark.parametrize("name", ["amend", "cancel", "unsuccessful", "edit", "invitations", "document_add", "return"])
def test_an_official_of_another_entity_cannot_change_a_published_tender(client, rita, published, name):
    login(client, rita)
    assert client.get(reverse(f"tenders:{name}", args=[published.pk])).status_code == 403
    assert client.post(reverse(f"tenders:{name}", args=[published.pk]), {"reason": "x"}).status_code == 403
    published.refresh_from_db()
    assert published.status == Tender.Status.PUBLISHED
    assert published.version == 0


def test_an_official_of_another_entity_cannot_answer_questions(client, rita, published, supplier_user):
    question = services.clarification_ask(tender=published, actor=supplier_user, question="납품 일정은?")
    login(client, rita)
    response = client.post(reverse("tenders:answer", args=[published.pk, question.pk]), {"answer": "Mine"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.answer


def test_auditors_read_drafts_but_change_nothing(client, auditor, draft):
    login(client, auditor)
    assert client.get(detail(draft)).status_code == 200
    assert client.get(reverse("tenders:edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("tenders:publish", args=[draft.pk])).status_code == 403
    assert client.post(reverse("tenders:cancel", args=[draft.pk]), {"reason": "x"}).status_code == 403


def test_suppliers_cannot_reach_the_officials_workspace_or_drafting(client, supplier_user):
    login(client, supplier_user)
    assert client.get(reverse("tenders:workspace")).status_code == 403
    assert client.get(reverse("tenders:create")).status_code == 403


def test_officials_without_mfa_are_sent_to_enrol(client, db):
    from tests.factories import OfficialFactory

    user = OfficialFactory().user
    login(client, user)
    response = client.get(reverse("tenders:workspace"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_an_official_can_only_draft_for_their_own_entity(official, rita):
    tender = services.tender_create(actor=rita, data=tender_data())
    assert tender.entity == rita.official.entity


def test_suppliers_cannot_draft_through_the_service(supplier_user):
    from procurement.errors import DomainError

    with pytest.raises(DomainError):
        services.tender_create(actor=supplier_user, data=tender_data())


def test_the_admin_site_is_read_only_for_tenders(client, platform_admin, published):
    login(client, platform_admin)
    assert client.get(reverse("admin:tenders_procuringentity_changelist")).status_code == 200
    url = reverse("admin:tenders_tender_change", args=[published.pk])
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"title": "Changed in the admin"}).status_code == 403
    published.refresh_from_db()
    assert published.title != "Changed in the admin"


def test_admin_changes_to_entities_are_audited(client, platform_admin):
    from procurement.models import AuditEntry
    from tenders.models import ProcuringEntity

    login(client, platform_admin)
    response = client.post(
        reverse("admin:tenders_procuringentity_add"),
        {
            "code": "6110000",
            "name_ko": "서울특별시",
            "name_en": "Seoul Metropolitan Government",
            "kind": "local",
            "is_active": "on",
            "default_custodian_threshold": "2",
            "officials-TOTAL_FORMS": "0",
            "officials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    entity = ProcuringEntity.objects.get(code="6110000")
    assert AuditEntry.objects.filter(action="admin.procuringentity.add", object_id=str(entity.pk)).exists()


def test_officials_cannot_use_the_admin_site(client, official):
    login(client, official)
    assert client.get(reverse("admin:tenders_procuringentity_changelist")).status_code == 302


def test_an_evaluator_with_an_official_record_cannot_draft_for_the_entity(db):
    from procurement.errors import DomainError
    from procurement.roles import Role
    from tenders import services
    from tests.factories import OfficialFactory
    from tests.tenders.conftest import tender_data

    evaluator = OfficialFactory(user__role=Role.EVALUATOR).user
    with pytest.raises(DomainError):
        services.tender_create(actor=evaluator, data=tender_data())
