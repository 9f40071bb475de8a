"""CSV and PDF exports of the flags an auditor filtered."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from contracts.pdf import render_pdf

from .models import Flag

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PDF_MAX_ROWS = 300


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


HEADER = [
    "flag_id", "rule", "title", "stage", "occurred_at", "tender_reference", "tender_id", "entity",
    "suppliers", "value", "threshold", "review", "review_note", "reviewed_by", "cleared_at", "evidence",
]  # fmt: skip


def _row(flag: Flag) -> list:
    import json

    rule = flag.indicator
    return [
        flag.pk,
        flag.rule,
        rule.title if rule else flag.rule,
        flag.stage,
        timezone.localtime(flag.occurred_at).isoformat(),
        flag.tender.reference if flag.tender else "",
        flag.tender_id or "",
        flag.entity.name if flag.entity else "",
        "; ".join(s.name for s in flag.suppliers.all()),
        flag.value,
        flag.threshold,
        flag.review,
        flag.review_note,
        flag.reviewed_by.email if flag.reviewed_by else "",
        timezone.localtime(flag.cleared_at).isoformat() if flag.cleared_at else "",
        json.dumps(flag.evidence, ensure_ascii=False, sort_keys=True),
    ]


def flags_csv(flags: Iterable[Flag]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheet programs then read the Korean text as UTF-8
        yield writer.writerow(HEADER)
        for flag in flags:
            yield writer.writerow([_cell(v) for v in _row(flag)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="red-flags-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response


def flags_pdf(flags, *, total: int, filters: dict) -> HttpResponse:
    rows = list(flags[:PDF_MAX_ROWS])
    pdf = render_pdf(
        "pdf/integrity_flags.html",
        {
            "flags": rows,
            "total": total,
            "truncated": total > len(rows),
            "filters": {k: v for k, v in filters.items() if v},
            "generated_at": timezone.localtime(),
            "footer_left": "Integrity red flags",
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="red-flags-{timezone.localtime():%Y%m%d-%H%M}.pdf"'
    return response
