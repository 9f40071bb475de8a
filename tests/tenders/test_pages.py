"""Public pages and the officials' workspace: home, detail, feed, API, sanitised descriptions, demo data."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tenders import services
from tenders.models import Tender
from tests import sealing
from tests.tenders.conftest import login, tender_data

pytestmark = pytest.mark.django_db


def test_the_description_is_sanitised(client, official):
    tender = services.tender_create(
        actor=official,
        data=tender_data(
            description='<p onclick="steal()">규격 <strong>필수</strong><script>alert("x")</script>'
            '<a href="javascript:alert(1)">link</a><img src=x onerror=alert(1)><style>body{}</style></p>'
        ),
    )
    assert "<script" not in tender.description
    assert "alert" not in tender.description
    assert "onclick" not in tender.description
    assert "<style" not in tender.description
    assert "<strong>필수</strong>" in tender.description
    sealing.publish(tender=tender, actor=official)
    html = client.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    assert "<strong>필수</strong>" in html
    assert 'alert("x")' not in html


def test_amendments_are_sanitised_too(official, published):
    result = services.tender_amend(
        tender=published, actor=official, reason="정정", data={"description": "<p>ok</p><script>bad()</script>"}
    )
    assert result.tender.description == "<p>ok</p>"


def test_the_home_page_lists_the_latest_published_tenders(client, official, published, draft):
    other = services.tender_create(actor=official, data=tender_data(title="비공개 초안"))
    html = client.get(reverse("home")).content.decode()
    assert published.title in html
    assert published.reference in html
    assert other.title not in html


def test_the_detail_page_names_the_time_zone_and_counts_down(client, published, settings):
    html = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
    assert "data-countdown" in html
    assert f"({settings.TIME_ZONE})" in html
    assert published.reference in html


def test_the_feed_lists_newly_published_tenders(client, published):
    response = client.get(reverse("tenders:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert published.title in body
    assert published.ocid in body


def test_the_api_lists_and_details_published_tenders(client, published):
    listing = client.get("/api/v1/tenders/").json()
    assert [t["reference"] for t in listing["results"]] == [published.reference]
    detail = client.get(f"/api/v1/tenders/{published.pk}/").json()
    assert detail["ocid"] == published.ocid
    assert detail["public_key"] == bytes(published.public_key).hex()
    assert "wrapped_private_key" not in detail
    assert detail["versions"][0]["amendment_number"] == 0


def test_the_api_is_read_only(client, official, published):
    login(client, official)
    assert client.post("/api/v1/tenders/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v1/tenders/{published.pk}/").status_code == 405


def test_the_workspace_groups_tenders_by_status_with_the_next_action(client, official, bob, published, supplier_user):
    draft = services.tender_create(actor=official, data=tender_data(title="작성 중인 공고"))
    services.clarification_ask(tender=published, actor=supplier_user, question="질문")
    login(client, official)
    html = client.get(reverse("tenders:workspace")).content.decode()
    assert draft.title in html
    assert "Complete it and publish it" in html
    assert "Answer 1 open question(s)" in html


def test_the_workspace_shows_only_the_officials_entity(client, official, rita, draft):
    login(client, rita)
    assert draft.title not in client.get(reverse("tenders:workspace")).content.decode()


def test_an_approver_sees_what_to_approve(client, official, bob, draft):
    draft.entity.requires_second_approval = True
    draft.entity.save()
    services.tender_submit_for_approval(tender=draft, actor=official)
    login(client, bob)
    assert "Approve or return it" in client.get(reverse("tenders:workspace")).content.decode()
    html = client.get(reverse("tenders:detail", args=[draft.pk])).content.decode()
    assert "Approve and publish" in html


def test_drafting_through_the_pages(client, official):
    from django.utils import timezone

    login(client, official)
    form = client.get(reverse("tenders:create"))
    assert form.status_code == 200
    data = tender_data(title="웹에서 작성한 공고")
    post = {k: v for k, v in data.items() if k != "evaluation_params"}
    for name in ("clarification_deadline", "submission_deadline", "opening_at"):
        post[name] = timezone.localtime(data[name]).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("tenders:create"), post)
    assert response.status_code == 302
    tender = Tender.objects.get(title="웹에서 작성한 공고")
    assert tender.entity == official.official.entity
    page = client.get(reverse("tenders:publish", args=[tender.pk])).content.decode()
    assert 'id="tender-ceremony"' in page  # the browser makes the key from what this page gives it
    tender.refresh_from_db()
    material, _private = sealing.tender_seal_material(tender)  # what the page's script does
    client.post(reverse("tenders:publish", args=[tender.pk]), {"sealing": json.dumps(sealing.sealing_json(material))})
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert bytes(tender.public_key) == material.public_key


def test_retender_through_the_page_opens_the_new_draft(client, official, published):
    services.tender_cancel(tender=published, actor=official, reason="재공고")
    login(client, official)
    response = client.post(reverse("tenders:retender", args=[published.pk]))
    copy = Tender.objects.get(retendered_from=published)
    assert response["Location"] == reverse("tenders:edit", args=[copy.pk])


def test_the_demo_data_loads_twice_without_duplicates(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    count = Tender.objects.count()
    statuses = set(Tender.objects.values_list("status", flat=True))
    call_command("load_demo", stdout=io.StringIO())
    assert Tender.objects.count() == count
    assert {"draft", "pending_approval", "published", "cancelled", "unsuccessful"} <= statuses
    assert Tender.objects.filter(clarifications__answered_at__isnull=False).exists()
    assert Tender.objects.filter(version__gte=1).exists()
    assert Tender.objects.values("entity").distinct().count() == 3


def test_the_detail_page_draws_the_timeline_with_each_date_and_now(client, published, settings):
    settings.LANGUAGE_CODE = "en"
    html = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
    chart = html[html.index("tenders-timeline-chart") : html.index("</figure>", html.index("tenders-timeline-chart"))]
    assert chart.count("tenders-timeline-chart__event") == 4  # published, questions, bids due, opening
    for label in ("Published", "Questions until", "Bids due", "Opening"):
        assert f">{label}</text>" in chart
    assert "tenders-timeline-chart__now" in chart  # published, not yet closed: today is on the line
    assert 'role="img"' in chart
    assert "<desc" in chart


def test_the_timeline_marks_the_bid_deadline_after_the_questions_deadline():
    from datetime import timedelta

    from django.utils import timezone

    from tenders.charts import tender_timeline

    start = timezone.now()
    tender = Tender(
        published_at=start,
        clarification_deadline=start + timedelta(days=5),
        submission_deadline=start + timedelta(days=10),
        opening_at=start + timedelta(days=10, hours=1),
    )
    events = {e.css: e.x for e in tender_timeline(tender, now=start + timedelta(days=20))["events"]}
    assert events["is-published"] < events["is-questions"] < events["is-deadline"] < events["is-opening"]
    assert tender_timeline(Tender(), now=start) is None  # a draft has no public timeline
