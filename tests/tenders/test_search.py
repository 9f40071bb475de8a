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


# --- at scale: every branch of the match is an index, counts are estimated past a cap --------------


def test_two_syllable_and_description_substrings_match_and_one_character_terms_still_work(catalogue):
    assert search("하수") == ["노후 하수관로 정비공사"]  # two syllables inside a compound (the bigram index)
    assert search("시설") == ["노후 하수관로 정비공사"]  # only in the description
    assert search("모니터") == ["2027년 정부청사 전산장비 구매"]
    assert search("하수관 OVERLAY") == []  # every term must match
    assert search("년") == ["2027년 정부청사 전산장비 구매"]  # one character: no index piece, LIKE alone


def test_search_sort_and_pages_combine(client, official, catalogue, settings):
    settings.TENDERS_PAGE_SIZE = 1
    for n in range(3):
        publish(official, title=f"하수관로 준설 {n}", estimated_value=Decimal(1_000_000_000 * (n + 1)))
    pages = [
        client.get(reverse("tenders:list"), {"q": "하수관", "sort": "value_desc", "page": page}).content.decode()
        for page in (1, 2, 3, 4)
    ]
    assert "하수관로 준설 2" in pages[0]
    assert "하수관로 준설 1" in pages[1]
    assert "하수관로 준설 0" in pages[2]
    assert "노후 하수관로 정비공사" in pages[3]  # the default estimated value of tender_data, lower
    assert 'data-count-kind="exact"' in pages[0]
    assert "4 tenders" in pages[0]


def test_every_branch_of_the_search_is_served_by_an_index(catalogue):
    """With whole-table scans priced out, the plan reads tenders through the search indexes alone: a
    branch they cannot serve (an expression that no longer matches its index) would force a Seq Scan.
    (On all tenders: the public list's partial indexes would otherwise offer a scan of every public row.)"""
    from django.db import connection, transaction

    # A two-character term (정비, 도로) through the pieces' index; three characters or more through the
    # trigram indexes on the title and the description (with both, one index may narrow enough).
    for query, pieces, trigrams in (
        ("하수관 정비", True, None),
        ("도로", True, False),
        ("computers", False, True),
        ("computr", False, True),
    ):
        sql, params = tenders_search(Tender.objects.all(), query).query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on tenders_tender" not in plan, plan
        for index in ("tender_search_simple_idx", "tender_search_english_idx", "tender_title_trgm_idx"):
            assert index in plan, plan
        assert ("tender_bigram_idx" in plan) == pieces, plan
        if trigrams is not None:
            assert ("tender_description_trgm_idx" in plan) == trigrams, plan


def test_the_similarity_operator_uses_the_threshold_the_search_promises():
    from django.db import connection

    from tenders.selectors import TRIGRAM_THRESHOLD

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == TRIGRAM_THRESHOLD


def test_the_count_is_exact_up_to_the_cap_and_an_estimate_beyond(client, catalogue, settings, monkeypatch):
    settings.TENDERS_PAGE_SIZE = 2
    url = reverse("tenders:list")
    page = client.get(url).content.decode()
    assert 'data-count-kind="exact"' in page
    assert "5 tenders" in page
    assert "Page 1 of 3" in page

    settings.LIST_EXACT_COUNT_MAX = 3
    monkeypatch.setattr("procurement.pagination.planner_estimate", lambda qs: 6366)
    page = client.get(url).content.decode()
    assert 'data-count-kind="about"' in page
    assert "About 6,400 tenders" in page  # two significant figures: it is an estimate
    assert "Page 1 of about 3200" in page
    # Past the real end (5 tenders, 2 a page) but within the estimate: an empty page that says so.
    past = client.get(url, {"page": 4}).content.decode()
    assert "There are no more results" in past
    assert "No tender matches your search." not in past

    monkeypatch.setattr("procurement.pagination.planner_estimate", lambda qs: 2)  # below what was counted
    page = client.get(url).content.decode()
    assert 'data-count-kind="more_than"' in page
    assert "More than 3 tenders" in page

    response = client.get("/api/v1/tenders/")
    assert response.json()["count_kind"] == "more_than"
    assert response.json()["count"] == 3
    settings.LIST_EXACT_COUNT_MAX = 1000
    assert client.get("/api/v1/tenders/").json()["count_kind"] == "exact"
    assert client.get("/api/v1/tenders/").json()["count"] == 5


def test_the_planner_estimate_and_the_capped_count_read_the_database(catalogue):
    from procurement.pagination import capped_count, planner_estimate, round_estimate

    assert capped_count(tenders_public(), 3) == 3
    assert capped_count(tenders_public(), 10) == 5
    assert planner_estimate(tenders_public()) >= 1
    assert [round_estimate(v) for v in (7, 1234, 6366, 98211, 150_000)] == [7, 1200, 6400, 98000, 150000]
