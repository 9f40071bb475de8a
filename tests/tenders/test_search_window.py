"""Search when a word is everywhere: only a window of the newest matches is ranked (procurement.search).

The window is switched on by PostgreSQL's own estimate of the matches (SEARCH_RANK_EXACT_MAX); here
the limits are made tiny so a handful of tenders behave as a fifth of 100,000 would.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from tenders.filters import TenderFilter
from tenders.selectors import tenders_public, tenders_search
from tests.tenders.test_search import catalogue, publish  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(official, catalogue):  # noqa: F811
    """After the five tenders of `catalogue` (laptops: the title says computers; cleaning: only its
    description), two newer tenders about computers, published in this order."""
    publish(official, title="Repair of computer rooms", category="services", estimated_value=Decimal("90000000"))
    publish(official, title="Office supplies", description="<p>Paper for every computer printer.</p>")
    return catalogue


def titles(qs):
    return [t.title for t in qs]


def test_every_match_is_ranked_while_the_estimate_is_small(crowded):
    assert titles(tenders_search(tenders_public(), "computer")) == [
        "Repair of computer rooms",  # title matches first, then the newer
        "Supply of laptop computers for schools",
        "Office supplies",
        "청사 청소용역",
    ]


def test_a_common_word_ranks_the_newest_matches_title_first(crowded, settings):
    settings.SEARCH_RANK_EXACT_MAX = 0
    settings.SEARCH_RANK_WALK_SHARE = 0
    settings.SEARCH_RANK_WINDOW = 2  # the newest 2 + 1 matches
    results = titles(tenders_search(tenders_public(), "computer"))
    # The oldest match (laptops) is outside the window; inside it, the title match comes first.
    assert results == ["Repair of computer rooms", "Office supplies", "청사 청소용역"]


def test_other_sorts_and_filters_are_not_limited_by_the_window(crowded, settings):
    settings.SEARCH_RANK_EXACT_MAX = 0
    settings.SEARCH_RANK_WALK_SHARE = 0
    settings.SEARCH_RANK_WINDOW = 1

    def search(params):
        return titles(TenderFilter(params, queryset=tenders_public()).qs)

    newest = search({"q": "computer", "sort": "newest"})
    assert newest == [
        "Office supplies",
        "Repair of computer rooms",
        "청사 청소용역",
        "Supply of laptop computers for schools",
    ]
    # Filters narrow before the window is taken: the oldest match is found when it is the one kept.
    assert search({"q": "computer", "value_max": "60000000"}) == ["Supply of laptop computers for schools"]
    assert search({"q": "computer", "category": "services"}) == ["Repair of computer rooms", "청사 청소용역"]


def test_korean_words_and_typos_are_found_through_the_window(crowded, settings):
    settings.SEARCH_RANK_EXACT_MAX = 0
    settings.SEARCH_RANK_WALK_SHARE = 0
    settings.SEARCH_RANK_WINDOW = 5
    assert titles(tenders_search(tenders_public(), "하수관")) == ["노후 하수관로 정비공사"]
    assert titles(tenders_search(tenders_public(), "정비")) == ["노후 하수관로 정비공사"]
    typo = titles(tenders_search(tenders_public(), "computr"))
    assert "Supply of laptop computers for schools" in typo
    assert "Repair of computer rooms" in typo


def test_the_pages_of_a_windowed_search_do_not_repeat_and_say_the_count_is_not_exact(client, crowded, settings):
    settings.SEARCH_RANK_EXACT_MAX = 0
    settings.SEARCH_RANK_WALK_SHARE = 0
    settings.SEARCH_RANK_WINDOW = 2
    settings.LIST_EXACT_COUNT_MAX = 2
    settings.TENDERS_PAGE_SIZE = 1
    seen = []
    for page in (1, 2):
        html = client.get(reverse("tenders:list"), {"q": "computer", "page": page}).content.decode()
        assert 'data-count-kind="exact"' not in html  # "more than 2" (or "about 3": the planner's guess)
        seen += [t for t in ("Repair of computer rooms", "Office supplies", "청사 청소용역") if t in html]
    assert seen == ["Repair of computer rooms", "Office supplies"]
    api = client.get("/api/v1/tenders/", {"q": "computer"}).json()
    assert api["count_kind"] != "exact"
    assert api["results"][0]["title"] == "Repair of computer rooms"
