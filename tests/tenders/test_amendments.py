"""Amendments: numbered versions with a reason, a diff, the deadline rule and the notices."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.errors import DomainError
from procurement.models import AuditEntry, Outbox
from tenders import services, signals
from tenders.forms import AmendmentForm
from tenders.models import Tender, TenderFollow
from tests.tenders.conftest import login

pytestmark = pytest.mark.django_db


def amend(tender, actor, reason="주요 사양 변경", **data):
    return services.tender_amend(tender=tender, actor=actor, reason=reason, data=data)


def test_an_amendment_is_numbered_and_keeps_every_version(official, published):
    result = amend(published, official, title="2027년 정부청사 전산장비(모니터 포함) 구매")
    second = amend(result.tender, official, reason="납품 장소 변경", delivery_place="정부서울청사")
    assert second.tender.version == 2
    assert list(published.versions.values_list("amendment_number", flat=True)) == [0, 1, 2]
    assert published.versions.get(amendment_number=1).snapshot["title"] == "2027년 정부청사 전산장비(모니터 포함) 구매"
    assert published.versions.get(amendment_number=0).snapshot["title"] == "2027년 정부청사 전산장비 구매"
    assert second.changed_fields == ["delivery_place"]


def test_an_amendment_needs_a_reason(official, published):
    with pytest.raises(services.TenderValidationError) as exc:
        amend(published, official, reason=" ", title="New")
    assert "reason" in exc.value.errors


def test_an_amendment_that_changes_nothing_is_refused(official, published):
    with pytest.raises(DomainError, match="Nothing was changed"):
        amend(published, official, title=published.title)
    assert published.versions.count() == 1


def test_only_a_published_tender_can_be_amended(official, draft):
    with pytest.raises(DomainError):
        amend(draft, official, title="Changed")


def test_the_method_cannot_be_amended(official, published):
    with pytest.raises(services.TenderValidationError) as exc:
        amend(published, official, method="restricted")
    assert "method" in exc.value.errors


def test_an_official_of_another_entity_cannot_amend(rita, published):
    with pytest.raises(DomainError):
        amend(published, rita, title="Hijacked")


def test_a_change_close_to_the_deadline_must_extend_it(official, published, time_machine, settings):
    time_machine.move_to(published.submission_deadline - timedelta(days=2))
    with pytest.raises(services.TenderValidationError) as exc:
        amend(published, official, title="Changed late")
    assert set(exc.value.errors) == {"submission_deadline"}
    assert f"at least {settings.AMENDMENT_EXTENSION_DAYS} days" in exc.value.errors["submission_deadline"]
    published.refresh_from_db()
    assert published.version == 0


def test_a_late_change_goes_through_when_the_deadline_moves_far_enough(official, published, time_machine):
    time_machine.move_to(published.submission_deadline - timedelta(days=2))
    new_deadline = timezone.now() + timedelta(days=3, hours=1)
    result = amend(
        published,
        official,
        title="Changed late",
        submission_deadline=new_deadline,
        opening_at=new_deadline + timedelta(hours=1),
    )
    assert result.tender.submission_deadline == new_deadline
    assert result.tender.next_check == new_deadline
    assert set(result.changed_fields) == {"title", "submission_deadline", "opening_at"}


def test_a_deadline_moved_not_far_enough_is_refused(official, published, time_machine):
    time_machine.move_to(published.submission_deadline - timedelta(days=2))
    with pytest.raises(services.TenderValidationError) as exc:
        amend(published, official, title="x", submission_deadline=timezone.now() + timedelta(days=2, hours=23))
    assert "submission_deadline" in exc.value.errors


def test_an_early_change_needs_no_extension(official, published):
    result = amend(published, official, eligibility="직접생산확인증명서 보유 업체")
    assert result.tender.submission_deadline == published.submission_deadline


def test_the_amendment_form_proposes_the_new_deadline(official, published, time_machine, settings):
    time_machine.move_to(published.submission_deadline - timedelta(days=2))
    form = AmendmentForm(tender=published)
    proposed = form.initial["submission_deadline"]
    assert proposed >= timezone.now() + timedelta(days=settings.AMENDMENT_EXTENSION_DAYS)
    assert proposed.minute == 0
    assert form.initial["opening_at"] - proposed == published.opening_at - published.submission_deadline


def test_the_amendment_form_leaves_the_deadline_alone_when_time_remains(published):
    form = AmendmentForm(tender=published)
    assert form.initial["submission_deadline"] == published.submission_deadline
    assert form.proposed_deadline is None


def test_followers_are_notified_of_an_amendment(official, published, supplier_user):
    TenderFollow.objects.create(tender=published, user=supplier_user)
    amend(published, official, delivery_place="정부대전청사")
    assert Outbox.objects.filter(event="tender.amended", recipient=supplier_user).exists()


def test_the_amended_signal_lets_bidding_notify_its_bidders(official, published):
    received = []

    def receiver(sender, tender, version, changed_fields, actor, **kwargs):
        received.append((tender.pk, version.amendment_number, changed_fields, actor))

    signals.tender_amended.connect(receiver)
    try:
        amend(published, official, delivery_place="정부대전청사")
    finally:
        signals.tender_amended.disconnect(receiver)
    assert received == [(published.pk, 1, ["delivery_place"], official)]


def test_the_amendment_is_audited(official, published):
    amend(published, official, delivery_place="정부대전청사")
    entry = AuditEntry.objects.get(action="tender.amend")
    assert entry.data["changed"] == ["delivery_place"]
    assert entry.data["amendment"] == 1


def test_the_version_history_shows_what_changed(client, official, published, time_machine):
    time_machine.move_to(published.submission_deadline - timedelta(days=2))
    old_deadline = published.submission_deadline
    new_deadline = timezone.now() + timedelta(days=4)
    amend(
        published,
        official,
        reason="규격 정정",
        title="2027년 정부청사 전산장비 구매(정정)",
        submission_deadline=new_deadline,
        opening_at=new_deadline,
    )
    response = client.get(reverse("tenders:versions", args=[published.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Amendment 1" in html
    assert "규격 정정" in html
    assert 'data-field="title"' in html
    assert 'data-field="submission_deadline"' in html
    assert 'data-field="delivery_place"' not in html
    assert timezone.localtime(old_deadline).strftime("%Y-%m-%d %H:%M") in html
    assert timezone.localtime(new_deadline).strftime("%Y-%m-%d %H:%M") in html
    assert "2027년 정부청사 전산장비 구매(정정)" in html


def test_the_amend_page_posts_an_amendment_with_a_new_document(client, official, published):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, official)
    form = AmendmentForm(tender=published)
    post = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "isoformat") and hasattr(value, "hour"):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        if value is not None and name != "classifications":
            post[name] = value
    post.update(reason="도면 추가", new_document_title="배치도")
    post["new_document"] = SimpleUploadedFile("layout.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(reverse("tenders:amend", args=[published.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    published.refresh_from_db()
    assert published.version == 1
    assert published.documents.get().amendment_number == 1
    assert published.versions.get(amendment_number=1).snapshot["documents"][0]["title"] == "배치도"


def test_amendments_wait_for_the_tender_row_lock(official, published):
    """tender_amend takes FOR UPDATE through tender_for_update (what bid submissions' KEY SHARE blocks)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        amend(published, official, delivery_place="정부대전청사")
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and '"tenders_tender"' in q["sql"]]
    assert locks
    assert all("FOR NO KEY UPDATE" not in sql for sql in locks)
    assert Tender.objects.get(pk=published.pk).version == 1


def test_a_change_of_classifications_shows_in_the_diff(client, official, published):
    from tests.tenders.conftest import make_classification

    published.classifications.set([make_classification("30200000")])
    services.tender_amend(
        tender=published,
        actor=official,
        reason="분류 정정",
        data={},
        classifications=[make_classification("30200000"), make_classification("72500000")],
    )
    html = client.get(reverse("tenders:versions", args=[published.pk])).content.decode()
    row = html[html.index('data-field="classifications"') :]
    assert "30200000, 72500000" in row[:400]
    api = client.get(f"/api/v1/tenders/{published.pk}/").json()
    assert api["classifications"] == ["30200000", "72500000"]
