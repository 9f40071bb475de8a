"""Auditors' reports: the award report PDF (rendered by Celery while the page shows its progress)
and CSV exports of tenders, opened bids and awards. Read-only: nothing here changes the record."""

import csv

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from rules.contrib.views import permission_required

from bidding.models import OpenedBid
from tenders.models import Tender

from .. import selectors
from ..forms import ExportFilterForm
from ..models import Award, ReportFile
from ..services.reports import award_report_current, award_report_request


def _filtered_tenders(form: ExportFilterForm):
    qs = selectors.with_opening_flag(
        Tender.objects.filter(status__in=selectors.EVALUATION_STATUSES).select_related("entity")
    )
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data.get("entity"):
        qs = qs.filter(
            Q(entity__code__iexact=data["entity"])
            | Q(entity__name_ko__icontains=data["entity"])
            | Q(entity__name_en__icontains=data["entity"])
        )
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("evaluation_method"):
        qs = qs.filter(evaluation_method=data["evaluation_method"])
    if data.get("since"):
        qs = qs.filter(published_at__date__gte=data["since"])
    if data.get("until"):
        qs = qs.filter(published_at__date__lte=data["until"])
    return qs


@permission_required("contracts.view_reports", raise_exception=True)
def report_list(request):
    form = ExportFilterForm(request.GET or None)
    tenders = _filtered_tenders(form).order_by("-status_changed_at")
    page = Paginator(tenders, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/report_list.html",
        {"form": form, "page_obj": page, "query": request.GET.urlencode()},
    )


def _tender_for_report(request, tender_id: int) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("entity"), pk=tender_id)
    if not request.user.has_perm("contracts.download_award_report", tender):
        raise Http404
    return tender


def _language(request) -> str:
    language = translation.get_language() or "ko"
    return "en" if language.startswith("en") else "ko"


def award_report(request, tender_id: int):
    """The report page: prepare (POST), watch the progress, download, and the file's SHA-256.

    For whoever may download the report (contracts.download_award_report): auditors and the entity's
    officials, and anyone once the award is final. Preparing is idempotent: one file per tender state
    and language, however many ask."""
    tender = _tender_for_report(request, tender_id)
    language = _language(request)
    if request.method == "POST":
        actor = request.user if request.user.is_authenticated else None
        award_report_request(tender=tender, actor=actor, language=language)
        return redirect("contracts:award_report", tender_id=tender.pk)
    report = award_report_current(tender=tender, language=language)
    return render(request, "contracts/award_report.html", {"tender": tender, "report": report})


def award_report_status(request, tender_id: int):
    """The fragment the page polls (htmx) while the report is prepared; the same permission as the page."""
    tender = _tender_for_report(request, tender_id)
    report = award_report_current(tender=tender, language=_language(request))
    return render(request, "contracts/_award_report_status.html", {"tender": tender, "report": report})


def award_report_download(request, tender_id: int):
    """The PDF once prepared; before that, the report page, where it is prepared with its progress shown."""
    tender = _tender_for_report(request, tender_id)
    report = award_report_current(tender=tender, language=_language(request))
    if report is None or report.status != ReportFile.Status.READY:
        return redirect("contracts:award_report", tender_id=tender.pk)
    response = FileResponse(report.file.open("rb"), as_attachment=True, filename=report.filename)
    response["Content-Type"] = "application/pdf"
    response["X-Content-SHA256"] = report.sha256
    return response


# --- CSV exports -----------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


def _csv_response(name: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheet programs then read the Korean text as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


@permission_required("contracts.export_csv", raise_exception=True)
def export_tenders(request):
    tenders = _filtered_tenders(ExportFilterForm(request.GET or None)).order_by("published_at", "pk")
    header = [
        "reference", "ocid", "title", "entity_code", "entity", "method", "category", "evaluation_method",
        "estimated_value", "currency", "status", "published_at", "submission_deadline", "opening_at",
    ]  # fmt: skip
    rows = (
        [
            t.reference,
            t.ocid,
            t.title,
            t.entity.code,
            t.entity.name_ko,
            t.method,
            t.category,
            t.evaluation_method,
            t.estimated_value,
            t.currency,
            t.status,
            _iso(t.published_at),
            _iso(t.submission_deadline),
            _iso(t.opening_at),
        ]
        for t in tenders.iterator(chunk_size=500)
    )
    return _csv_response("tenders", header, rows)


@permission_required("contracts.export_csv", raise_exception=True)
def export_bids(request):
    """Opened bids only: what opening decrypted and published. Sealed data never leaves the database."""
    tenders = _filtered_tenders(ExportFilterForm(request.GET or None))
    opened = (
        OpenedBid.objects.filter(opening__tender__in=tenders)
        .select_related("opening__tender", "supplier", "bid")
        .order_by("opening__tender__reference", "rank", "price")
    )
    header = [
        "tender_reference", "supplier", "registration_number", "price", "currency", "price_ratio_pct",
        "opening_rank", "outcome", "commitment", "commitment_ok", "bid_status", "status_reason", "submitted_at",
    ]  # fmt: skip
    rows = (
        [
            o.opening.tender.reference,
            o.supplier.name_ko,
            o.supplier.registration_number,
            o.price,
            o.currency,
            o.price_ratio,
            o.rank,
            o.outcome,
            o.commitment,
            o.commitment_ok,
            o.bid.status,
            o.bid.status_reason,
            _iso(o.submitted_at),
        ]
        for o in opened.iterator(chunk_size=500)
    )
    return _csv_response("opened-bids", header, rows)


@permission_required("contracts.export_csv", raise_exception=True)
def export_awards(request):
    tenders = _filtered_tenders(ExportFilterForm(request.GET or None))
    awards = Award.objects.filter(tender__in=tenders).select_related("tender", "supplier").order_by("proposed_at")
    header = [
        "tender_reference", "supplier", "registration_number", "value", "currency", "status", "evaluation_round",
        "proposed_at", "standstill_until", "finalised_at", "cancelled_at", "cancellation_reason", "complaints",
    ]  # fmt: skip
    rows = (
        [
            a.tender.reference,
            a.supplier.name_ko,
            a.supplier.registration_number,
            a.value,
            a.currency,
            a.status,
            a.evaluation_round,
            _iso(a.proposed_at),
            _iso(a.standstill_until),
            _iso(a.finalised_at),
            _iso(a.cancelled_at),
            a.cancellation_reason,
            a.complaints.count(),
        ]
        for a in awards.iterator(chunk_size=500)
    )
    return _csv_response("awards", header, rows)
