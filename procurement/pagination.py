"""Pagination for long public lists: an exact count while it is cheap, the planner's estimate beyond.

Counting every match of a search over 100,000 tenders costs as much as the search itself, on every
page (docs/architecture.md "Search"). So the count stops after `exact_up_to` rows: below that it is
exact; above it, PostgreSQL's own row estimate for the query is used and the page says "about N"
(rounded to two significant figures), or "more than N" when the estimate is not above the cap.
"""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


def planner_estimate(queryset) -> int:
    """The number of rows PostgreSQL expects `queryset` to return (EXPLAIN, nothing executed)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset, cap: int) -> int:
    """min(cap, number of rows), visiting at most `cap` matching rows.

    With a LIMIT, PostgreSQL bets on finding the rows early in a sequential scan and evaluates the
    search condition on every row until it has; when the matches are spread out that is most of the
    table. Without sequential scans it takes the indexes' bitmap and stops after `cap` matches.
    """
    sub = queryset.order_by().values("pk")[:cap]
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return sub.count()


def round_estimate(value: int) -> int:
    """Two significant figures: 6,366 → 6,400; 98,211 → 98,000."""
    if value < 100:
        return value
    digits = len(str(value)) - 2
    return int(round(value, -digits))


class EstimatedCountPaginator(Paginator):
    """A Paginator whose count is exact up to `exact_up_to` rows and estimated above.

    `count_kind` says which: "exact", "about" (the planner's estimate, rounded) or "more_than" (the
    estimate was no higher than the cap, so only the cap is known). With an estimate, a page number
    past the real end gives an empty page rather than an error.
    """

    def __init__(self, *args, exact_up_to: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_up_to = exact_up_to if exact_up_to is not None else settings.LIST_EXACT_COUNT_MAX

    @cached_property
    def _count_and_kind(self) -> tuple[int, str]:
        qs = self.object_list
        if not hasattr(qs, "query"):
            return len(qs), "exact"
        counted = capped_count(qs, self.exact_up_to + 1)
        if counted <= self.exact_up_to:
            return counted, "exact"
        estimate = round_estimate(planner_estimate(qs))
        if estimate > self.exact_up_to:
            return estimate, "about"
        return self.exact_up_to, "more_than"

    @cached_property
    def count(self) -> int:
        return self._count_and_kind[0]

    @property
    def count_kind(self) -> str:
        return self._count_and_kind[1]

    @property
    def count_is_estimate(self) -> bool:
        return self.count_kind != "exact"


class EstimatedCountPagination(PageNumberPagination):
    """DRF page-number pagination with the same count: `count` plus `count_kind` in every response."""

    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_kind": self.page.paginator.count_kind,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_kind"] = {
            "type": "string",
            "enum": ["exact", "about", "more_than"],
            "description": "exact: `count` is exact; about: an estimate (two significant figures); "
            "more_than: there are more than `count` results.",
        }
        response["required"] = [*response.get("required", []), "count_kind"]
        return response
