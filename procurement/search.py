"""The portal's one full-text search, for Korean and English: tenders and the catalogue use it alike.

A record matches a query when, for the whole query, its stored 'simple' or 'english' tsvector matches,
or every term occurs inside its text (Korean compounds: 하수관 in 하수관로정비공사), or its heading
(tender title, item names) is close to the query (typos). Each branch is served by an index, so
PostgreSQL combines bitmaps instead of reading the table (docs/architecture.md §12 "Heavy reads"):

- the stored tsvector columns (GIN);
- a term of three characters or more: `UPPER(column) LIKE` on each text column, served by a trigram
  GIN index on `UPPER(column)`;
- a two-character term (two-syllable Korean words, 도로, 공사, the commonest searches, which have no
  trigram): a stored array of every two-character piece of the upper-cased text (SQL function
  `tender_bigrams`, GIN) must contain it (`@>`), then `LIKE` confirms; a one-character term is
  matched by `LIKE` alone;
- `UPPER(heading) %> query` (trigram GIN on the upper-cased heading): word_similarity ≥
  pg_trgm.word_similarity_threshold (TRIGRAM_THRESHOLD).

Ranking: the tsvector ranks (heading weight A, body B) or the heading's similarity, whichever is
higher, plus 1 when every term occurs in the heading. Ranking reads every match, so when PostgreSQL
expects more than `SEARCH_RANK_EXACT_MAX` matches, only a window of `SEARCH_RANK_WINDOW` candidates,
taken in an indexed order (newest first), is ranked: the cost of a very common word or a typo whose
pieces are everywhere stays that of a page, not of a fifth of the table (`ranked`).
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections, transaction
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Upper

# Below this, a trigram match is noise; above it, it catches typos and words split differently. It is
# PostgreSQL's default pg_trgm.word_similarity_threshold, which the `%>` operator applies.
TRIGRAM_THRESHOLD = 0.6
MAX_TERMS = 10


@dataclass(frozen=True)
class SearchFields:
    """Where a model keeps what the search reads.

    simple, english: stored tsvector columns; bigrams: the stored two-character pieces of `text`;
    text: the columns every term must occur in (one of them; each with a trigram GIN index on its
    UPPER), confirmed by LIKE; heading: the columns
    whose closeness to the query catches typos (each has a trigram index on its UPPER) and whose
    containing every term ranks a record first.
    """

    simple: str
    english: str
    bigrams: str
    text: tuple[str, ...]
    heading: tuple[str, ...]


def search_terms(query: str) -> list[str]:
    return [t for t in query.split() if t][:MAX_TERMS]


def term_bigrams(term: str) -> list[str]:
    """The two-character pieces of a term, as the tender_bigrams SQL function makes them (upper case)."""
    upper = term.upper()
    return sorted({upper[i : i + 2] for i in range(len(upper) - 1)})


def _queries(query: str) -> tuple[SearchQuery, SearchQuery]:
    return (
        SearchQuery(query, config="simple", search_type="websearch"),
        SearchQuery(query, config="english", search_type="websearch"),
    )


def match_q(fields: SearchFields, query: str) -> Q:
    """The whole match, every branch of which an index serves (empty Q for an empty query)."""
    terms = search_terms(query)
    if not terms:
        return Q()
    simple_query, english_query = _queries(query)
    every_term = Q()
    for term in terms:
        inside = Q()
        for column in fields.text:
            inside |= Q(**{f"{column}__icontains": term})
        if len(term) == 2:
            # Two characters have no trigram: the pieces' containment (implied by the LIKE) is there
            # for the bigram index. Longer terms are served by the trigram index on each text column,
            # whose candidates are far fewer (the pieces of an English word are everywhere).
            inside &= Q(**{f"{fields.bigrams}__contains": term_bigrams(term)})
        every_term &= inside
    # `UPPER(heading) %> query` is word_similarity(query, heading) >= the threshold; the operator (not
    # the function) is what the trigram index serves.
    similar = Q()
    for column in fields.heading:
        similar |= Q(TrigramWordSimilar(Upper(column), query.upper()))
    return Q(**{fields.simple: simple_query}) | Q(**{fields.english: english_query}) | every_term | similar


def relevance(fields: SearchFields, query: str):
    """The rank of a match (higher first): see the module's docstring."""
    terms = search_terms(query)
    simple_query, english_query = _queries(query)
    rank = SearchRank(F(fields.simple), simple_query) + SearchRank(F(fields.english), english_query)
    similarities = [TrigramWordSimilarity(query, column) for column in fields.heading]
    heading_hit = Q()
    for term in terms:
        in_heading = Q()
        for column in fields.heading:
            in_heading |= Q(**{f"{column}__icontains": term})
        heading_hit &= in_heading
    return Greatest(rank, *similarities) + Case(
        When(heading_hit, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )


def planner_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL expects `queryset` to return (EXPLAIN: planned, not executed)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def first_ids(queryset: QuerySet, count: int) -> list:
    """The primary keys of the first `count` rows of `queryset` PostgreSQL finds, in no order, through
    the search's indexes (a bitmap of every branch, then the table's pages in order until `count`).

    Under a LIMIT, PostgreSQL bets on a sequential scan (or on walking an unrelated index) finding the
    rows early and evaluates the whole search condition — word similarity, LIKE — row by row: 120-220
    ms for 1,000 of 200,000 items, where the bitmap takes 15-35 ms. Both are switched off for this
    one statement (restored after, even inside an outer transaction).
    """
    sql, params = queryset.order_by().values_list("pk", flat=True)[:count].query.sql_with_params()
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
        saved = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)", saved
            )


def search(
    qs: QuerySet,
    fields: SearchFields,
    query: str,
    *,
    window_order: tuple[str, ...],
    then: tuple[str, ...],
    estimate_on: QuerySet | None = None,
) -> QuerySet:
    """`qs` narrowed to the matches of `query`, ranked (relevance, then `then`).

    When PostgreSQL expects more than SEARCH_RANK_EXACT_MAX matches, only the first
    SEARCH_RANK_WINDOW + 1 of them in `window_order` (an order an index serves, so the scan stops
    early; empty: the order the search's indexes yield them, the cheapest) are ranked: a very common
    word ranks the newest matches, not every one of them. The extra row makes a count over the
    window say "more than SEARCH_RANK_WINDOW", not a false exact figure; pages past the window are
    empty. Other sorts are not windowed: narrow with `matching`. An ordered window is taken only
    when the matches are also more than SEARCH_RANK_WALK_SHARE of `qs`.

    `estimate_on`: rows of the model's own table that hold `qs` (the filters a join would add left
    out), which PostgreSQL estimates well and scans without being led by a join: the estimate and
    the window are taken on them, `qs`'s own conditions apply after.
    """
    if not search_terms(query):
        return qs
    match = match_q(fields, query)
    matches = qs.filter(match)
    candidates = estimate_on.filter(match) if estimate_on is not None else matches
    limit = settings.SEARCH_RANK_EXACT_MAX
    if window_order:
        # Walking an index in order visits about WINDOW / share rows to fill the window, where
        # ranking every match visits share × table: the walk pays only for the commonest words.
        limit = max(
            limit, settings.SEARCH_RANK_WALK_SHARE * planner_rows(estimate_on if estimate_on is not None else qs)
        )
    if planner_rows(candidates) > limit:
        # Fetched once, as ids: the page, the paginator's count and anything else built on the
        # result then read at most SEARCH_RANK_WINDOW + 1 rows by primary key instead of scanning
        # for the window again (a subquery would be planned and run afresh by each of them).
        window = candidates.order_by(*window_order)
        size = settings.SEARCH_RANK_WINDOW + 1
        ids = list(window.values_list("pk", flat=True)[:size]) if window_order else first_ids(window, size)
        matches = qs.filter(pk__in=ids)
    return matches.annotate(relevance=relevance(fields, query)).order_by("-relevance", *then)


def matching(qs: QuerySet, fields: SearchFields, query: str) -> QuerySet:
    """`qs` narrowed to the matches of `query`, unranked (for a sort the caller chooses)."""
    return qs.filter(match_q(fields, query)) if search_terms(query) else qs
