"""Catalogue search at scale: the shared match (procurement.search), index-served branches, estimated
counts, and facets counted in one statement (sampled when the matches are many)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import selectors
from catalogue.models import CatalogueItem

from .test_search_and_pages import shelf  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def names(**filters) -> list[str]:
    return [i.name_ko for i in selectors.catalogue_search(selectors.Filters(**filters))]


def test_korean_pieces_english_stems_and_typos_are_found(shelf):  # noqa: F811
    assert names(q="노트") == ["업무용노트북컴퓨터"]  # two syllables inside a compound
    assert names(q="노트북") == ["업무용노트북컴퓨터"]  # three: the trigram index on the name
    assert set(names(q="computers")) == {"업무용노트북컴퓨터", "데스크톱 컴퓨터"}  # English stem
    assert names(q="printr") == ["레이저 프린터"]  # a typo in the English name
    assert names(q="모니터 27") == ["모니터 27인치"]  # every term must match
    assert names(q="모니터 노트북") == []


def test_name_matches_rank_first_then_the_lower_price(shelf):  # noqa: F811
    # Both names say computer; the desktop is cheaper.
    assert names(q="컴퓨터") == ["데스크톱 컴퓨터", "업무용노트북컴퓨터"]


def test_a_common_word_ranks_a_window_of_the_first_matches_found(shelf, settings):  # noqa: F811
    settings.SEARCH_RANK_EXACT_MAX = 0
    settings.SEARCH_RANK_WINDOW = 0  # one candidate: the first match the indexes yield
    ranked = names(q="computer")
    assert len(ranked) == 1
    assert ranked[0] in {"데스크톱 컴퓨터", "업무용노트북컴퓨터"}
    # A sort other than relevance is not windowed.
    assert names(q="computer", sort="price") == ["데스크톱 컴퓨터", "업무용노트북컴퓨터"]


def test_every_branch_of_the_catalogue_search_is_served_by_an_index(shelf):  # noqa: F811
    for query, pieces in (("노트", True), ("노트북", False), ("computers", False), ("printr", False)):
        qs = selectors.items_search(CatalogueItem.objects.all(), query)
        sql, params = qs.query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on catalogue_catalogueitem" not in plan, plan
        for index in ("item_search_simple_idx", "item_search_english_idx", "item_name_ko_trgm_idx"):
            assert index in plan, plan
        assert ("item_bigram_idx" in plan) == pieces, plan


def test_facets_are_one_grouped_statement_with_the_same_counts(shelf):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        facets = selectors.catalogue_facets(selectors.Filters(q="computer", region="busan"))
    # The planner's estimate, the grouped counts, and the CPV divisions' titles.
    assert len(queries) == 3, [q["sql"] for q in queries]
    assert facets["approximate"] is False
    # Each facet counts without its own filter: regions of both computers, the rest in Busan only.
    assert {value: n for value, _label, n in facets["region"]} == {"seoul": 1, "sejong": 1, "busan": 1}
    assert {code: n for code, _title, n in facets["cpv"]} == {"30": 1}
    assert {days: n for days, _label, n in facets["lead"]} == {3: 0, 7: 0, 14: 1, 30: 1}


def test_facets_over_many_matches_are_sampled_and_say_so(client, shelf, settings):  # noqa: F811
    columns = [f.column for f in CatalogueItem._meta.concrete_fields if not f.primary_key and not f.generated]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:  # 400 copies of one item, as the bench fills the table
        cursor.execute(
            f"INSERT INTO catalogue_catalogueitem ({listed}) SELECT {listed} "
            "FROM catalogue_catalogueitem, generate_series(1, 400) WHERE id = %s",
            [shelf["notebook"].pk],
        )
        cursor.execute("ANALYZE catalogue_catalogueitem")
    assert selectors.catalogue_facets(selectors.Filters())["approximate"] is False  # 404: counted
    settings.CATALOGUE_FACET_SAMPLE_ROWS = 10
    facets = selectors.catalogue_facets(selectors.Filters())
    assert facets["approximate"] is True
    # Ten of the ~404 items counted (most of them green notebooks), scaled up, two significant figures.
    green = {value: n for value, _label, n in facets["certification"]}["green"]
    assert 100 < green <= 450
    assert green % 10 == 0
    html = client.get(reverse("catalogue:search")).content.decode()
    assert 'data-facets="approximate"' in html


def test_the_page_and_the_api_say_when_the_count_is_an_estimate(client, shelf, settings):  # noqa: F811
    html = client.get(reverse("catalogue:search")).content.decode()
    assert 'data-count-kind="exact"' in html
    assert "4 items" in html
    assert 'data-facets="approximate"' not in html
    settings.LIST_EXACT_COUNT_MAX = 2
    html = client.get(reverse("catalogue:search")).content.decode()
    assert 'data-count-kind="exact"' not in html
    api = client.get("/api/v1/catalogue/items/", {"q": "computer"}).json()
    assert api["count_kind"] == "exact"
    assert api["count"] == 2
