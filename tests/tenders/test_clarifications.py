"""Questions until the clarification deadline, public answers, and askers who stay anonymous."""

from datetime import timedelta

import pytest
from django.urls import reverse

from procurement.errors import DomainError
from procurement.models import Outbox
from tenders import services
from tenders.models import TenderFollow
from tests.tenders.conftest import login

pytestmark = pytest.mark.django_db


def test_a_supplier_asks_a_question_and_the_entitys_officials_are_told(official, bob, published, supplier_user):
    question = services.clarification_ask(tender=published, actor=supplier_user, question="분할 납품이 가능합니까?")
    assert question.supplier == supplier_user.supplier_membership.supplier
    recipients = set(Outbox.objects.filter(event="tender.question").values_list("recipient", flat=True))
    assert recipients == {official.pk, bob.pk}
    body = Outbox.objects.filter(event="tender.question").first().body
    assert supplier_user.supplier_membership.supplier.name_ko not in body


def test_questions_close_at_the_clarification_deadline(published, supplier_user, time_machine):
    time_machine.move_to(published.clarification_deadline + timedelta(seconds=1))
    with pytest.raises(DomainError, match="closed"):
        services.clarification_ask(tender=published, actor=supplier_user, question="Too late?")


def test_a_user_without_a_company_cannot_ask(published, outsider):
    with pytest.raises(DomainError):
        services.clarification_ask(tender=published, actor=outsider, question="Who am I?")


def test_questions_cannot_be_asked_on_a_draft(draft, supplier_user):
    with pytest.raises(DomainError):
        services.clarification_ask(tender=draft, actor=supplier_user, question="Early?")


def test_the_answer_is_public_and_the_asker_stays_anonymous(client, official, published, supplier_user):
    question = services.clarification_ask(tender=published, actor=supplier_user, question="보증 기간은?")
    services.clarification_answer(clarification=question, actor=official, answer="3년입니다.")
    company = supplier_user.supplier_membership.supplier
    for viewer in [None, supplier_user, official]:
        if viewer:
            login(client, viewer)
        html = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
        questions = html[html.index('id="questions"') :]
        assert "보증 기간은?" in questions
        assert "3년입니다." in questions
        assert company.name_ko not in html
        assert company.name_en not in html
        assert supplier_user.email not in questions
    api = client.get(f"/api/v1/tenders/{published.pk}/").json()
    assert api["clarifications"] == [
        {
            "id": question.pk,
            "question": "보증 기간은?",
            "answer": "3년입니다.",
            "asked_at": api["clarifications"][0]["asked_at"],
            "answered_at": api["clarifications"][0]["answered_at"],
        }
    ]


def test_unanswered_questions_are_not_public(client, published, supplier_user):
    services.clarification_ask(tender=published, actor=supplier_user, question="아직 답변 없는 질문")
    assert "아직 답변 없는 질문" not in client.get(reverse("tenders:detail", args=[published.pk])).content.decode()


def test_the_entitys_official_sees_open_questions_to_answer(client, official, published, supplier_user):
    services.clarification_ask(tender=published, actor=supplier_user, question="아직 답변 없는 질문")
    login(client, official)
    html = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
    assert "아직 답변 없는 질문" in html
    assert "Publish the answer" in html


def test_the_answer_notifies_the_asker_and_followers(official, published, supplier_user, other_supplier_user):
    TenderFollow.objects.create(tender=published, user=other_supplier_user)
    question = services.clarification_ask(tender=published, actor=supplier_user, question="질문")
    services.clarification_answer(clarification=question, actor=official, answer="답변")
    recipients = set(Outbox.objects.filter(event="tender.answered").values_list("recipient", flat=True))
    assert recipients == {supplier_user.pk, other_supplier_user.pk}


def test_answers_through_the_page(client, official, published, supplier_user):
    question = services.clarification_ask(tender=published, actor=supplier_user, question="질문")
    login(client, official)
    response = client.post(reverse("tenders:answer", args=[published.pk, question.pk]), {"answer": "답변"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "답변"
    assert question.answered_by == official


def test_asking_through_the_page(client, published, supplier_user):
    login(client, supplier_user)
    response = client.post(reverse("tenders:ask", args=[published.pk]), {"question": "납품 장소는?"})
    assert response.status_code == 302
    assert published.clarifications.get().question == "납품 장소는?"


def test_officials_cannot_ask_questions(client, official, published):
    login(client, official)
    assert client.post(reverse("tenders:ask", args=[published.pk]), {"question": "?"}).status_code == 403


def test_following_a_tender(client, published, supplier_user):
    login(client, supplier_user)
    client.post(reverse("tenders:follow", args=[published.pk]))
    assert TenderFollow.objects.filter(tender=published, user=supplier_user).exists()
    client.post(reverse("tenders:follow", args=[published.pk]), {"follow": "0"})
    assert not TenderFollow.objects.filter(tender=published, user=supplier_user).exists()


def test_a_draft_cannot_be_followed(client, draft, supplier_user):
    login(client, supplier_user)
    assert client.post(reverse("tenders:follow", args=[draft.pk])).status_code == 404
