"""Public search: Korean words inside compounds, English stems, ranking, filters, sort."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders import services
from tenders.filters import TenderFilter
from tenders.models import Tender
from tenders.selectors import tenders_public, tenders_search
from tests import sealing
from tests.tenders.conftest import future, tender_data

pytestmark = pytest.mark.django_db


def publish(official, **overrides):
    tender = services.tender_create(actor=official, data=tender_data(**overrides))
    return sealing.publish(tender=tender, actor=official)


def titles(qs):
    return [t.title for t in qs]


@pytest.fixture
def catalogue(official):
    return {
        "sewer": publish(
            official, title="노후 하수관로 정비공사", category="works", description="<p>하수도 시설 개선</p>"
        ),
        "computers": publish(official, title="2027년 정부청사 전산장비 구매", description="<p>데스크톱과 모니터</p>"),
        "road": publish(
            official,
            title="Road resurfacing works on National Route 1",
            category="works",
            description="<p>Asphalt overlay and road markings.</p>",
            estimated_value=Decimal("3000000000"),
        ),
        "laptops": publish(
            official,
            title="Supply of laptop computers for schools",
            description="<p>Including warranty and on-site repair.</p>",
            estimated_value=Decimal("50000000"),
        ),
        "cleaning": publish(
            official,
            title="청사 청소용역",
            category="services",
            description="<p>Cleaning services. Replacement of old computer equipment is not included.</p>",
        ),
    }


def search(query):
    return titles(tenders_search(tenders_public(), query))


def test_a_korean_word_inside_a_compound_title_matches(catalogue):
    assert search("하수관") == ["노후 하수관로 정비공사"]
    assert search("전산") == ["2027년 정부청사 전산장비 구매"]
    assert search("정비") == ["노후 하수관로 정비공사"]


def test_a_whole_korean_word_matches(catalogue):
    assert search("하수관로") == ["노후 하수관로 정비공사"]


def test_several_words_must_all_match(catalogue):
    assert search("정부청사 구매") == ["2027년 정부청사 전산장비 구매"]
    assert search("하수관 구매") == []


def test_english_search_finds_word_forms(catalogue):
    assert "Supply of laptop computers for schools" in search("computer")
    assert "Road resurfacing works on National Route 1" in search("resurface")


def test_a_title_match_ranks_above_a_description_match(catalogue):
    results = search("computer")
    assert results[0] == "Supply of laptop computers for schools"
    assert "청사 청소용역" in results[1:]


def test_english_search_is_case_insensitive(catalogue):
    assert search("ROAD") == ["Road resurfacing works on National Route 1"]


def test_a_small_typo_still_finds_the_title(catalogue):
    assert "Supply of laptop computers for schools" in search("computr")


def test_drafts_are_never_found(official, catalogue):
    services.tender_create(actor=official, data=tender_data(title="비공개 하수관 초안"))
    assert search("하수관") == ["노후 하수관로 정비공사"]


def filtered(params):
    return titles(TenderFilter(params, queryset=tenders_public()).qs)


def test_filters_by_category_and_method(catalogue):
    assert set(filtered({"category": "services"})) == {"청사 청소용역"}
    assert len(filtered({"method": "open"})) == 5
    assert filtered({"method": "restricted"}) == []


def test_filters_by_value_range(catalogue):
    assert filtered({"value_min": "1000000000"}) == ["Road resurfacing works on National Route 1"]
    assert filtered({"value_max": "60000000"}) == ["Supply of laptop computers for schools"]


def test_filters_by_status_and_entity(official, rita, catalogue):
    other = publish(rita, title="서울시 가로등 교체")
    services.tender_cancel(tender=catalogue["road"], actor=official, reason="예산 삭감")
    assert filtered({"status": "cancelled"}) == ["Road resurfacing works on National Route 1"]
    assert filtered({"entity": str(rita.official.entity_id)}) == [other.title]


def test_filters_by_closing_date(official, catalogue):
    late = publish(official, title="Late tender", submission_deadline=future(days=30), opening_at=future(days=30))
    day = timezone.localtime(late.submission_deadline).date()
    assert filtered({"closing_from": day.isoformat()}) == ["Late tender"]
    assert "Late tender" not in filtered({"closing_to": (day - timedelta(days=1)).isoformat()})


def test_sorts_by_value_and_closing_date(official, catalogue):
    by_value = filtered({"sort": "value_desc"})
    assert by_value[0] == "Road resurfacing works on National Route 1"
    publish(official, title="Closes first", submission_deadline=future(days=8), opening_at=future(days=8))
    assert filtered({"sort": "closing"})[0] == "Closes first"


def test_the_list_page_searches_and_paginates(client, catalogue, settings):
    settings.TENDERS_PAGE_SIZE = 2
    response = client.get(reverse("tenders:list"), {"q": "하수관"})
    assert "노후 하수관로 정비공사" in response.content.decode()
    assert "청사 청소용역" not in response.content.decode()
    page2 = client.get(reverse("tenders:list"), {"page": 3}).content.decode()
    assert page2.count("portal-tender-list__item") == 1


def test_the_api_uses_the_same_search(client, catalogue):
    response = client.get("/api/v1/tenders/", {"q": "하수관"})
    assert response.status_code == 200
    assert [r["title"] for r in response.json()["results"]] == ["노후 하수관로 정비공사"]


def test_cancelled_tenders_stay_public(official, catalogue):
    services.tender_cancel(tender=catalogue["sewer"], actor=official, reason="재공고 예정")
    assert Tender.objects.get(pk=catalogue["sewer"].pk) in tenders_public()


def test_filters_by_classification_code_or_its_first_digits(official, catalogue):
    from tests.tenders.conftest import make_classification

    catalogue["computers"].classifications.set([make_classification("30213100")])
    catalogue["sewer"].classifications.set([make_classification("45232400")])
    assert filtered({"classification": "30213100"}) == ["2027년 정부청사 전산장비 구매"]
    assert filtered({"classification": "302"}) == ["2027년 정부청사 전산장비 구매"]
    assert filtered({"classification": "30000000"}) == ["2027년 정부청사 전산장비 구매"]
    assert filtered({"classification": "45"}) == ["노후 하수관로 정비공사"]
    assert filtered({"classification": "72"}) == []
