"""Integrity pages: the auditors' dashboard, a flag and its review, exports; the public rule list."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.permissions import require
from procurement.web import refusal

from . import charts, exports, ocds, selectors, services
from .forms import DraftCheckForm, FlagFilterForm, ReviewForm
from .indicators import all_rules
from .models import Flag

PAGE_SIZE = 50


def _filtered(request):
    """The flags the filters select; none while a filter is unreadable (the form says which)."""
    form = FlagFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, {}, selectors.flags_for_auditor().none()
    filters = form.filters() if request.GET else {}
    return form, filters, selectors.flags_for_auditor(**filters)


@login_required
def dashboard(request):
    require(request.user, "integrity.view_flags")
    form, _filters, flags = _filtered(request)
    page = Paginator(flags.prefetch_related("suppliers"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "integrity/dashboard.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "over_time": charts.flags_over_time(selectors.flags_by_month(flags)),
            "per_entity": charts.flags_per_entity(selectors.flags_by_entity(flags)),
            "total": page.paginator.count,
        },
    )


@login_required
def tender_flags(request, pk: int):
    """The dashboard filtered to one tender (a path, so a tender's page links to it like any other)."""
    require(request.user, "integrity.view_flags")
    return redirect(f"{reverse('integrity:dashboard')}?tender={pk}")


@login_required
def export_csv(request):
    require(request.user, "integrity.view_flags")
    _form, _filters, flags = _filtered(request)
    return exports.flags_csv(flags.prefetch_related("suppliers").iterator(chunk_size=500))


@login_required
def export_pdf(request):
    require(request.user, "integrity.view_flags")
    _form, filters, flags = _filtered(request)
    return exports.flags_pdf(flags.prefetch_related("suppliers"), total=flags.count(), filters=filters)


@login_required
def flag_detail(request, pk: int):
    require(request.user, "integrity.view_flags")
    flag = get_object_or_404(Flag.objects.select_related("tender", "entity", "reviewed_by"), pk=pk)
    return render(
        request,
        "integrity/flag_detail.html",
        {
            "flag": flag,
            "rule": flag.indicator,
            "tenders": flag.tenders.select_related("entity").order_by("published_at"),
            "suppliers": flag.suppliers.order_by("name_ko"),
            "form": ReviewForm(initial={"outcome": flag.review if flag.review != Flag.Review.OPEN else None}),
        },
    )


@require_POST
@login_required
def flag_review(request, pk: int):
    require(request.user, "integrity.review_flag")
    flag = get_object_or_404(Flag, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        with refusal(request, form) as refused:
            services.flag_review(
                flag=flag, actor=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        if not refused:
            messages.success(request, _("The review was recorded."))
            return redirect("integrity:flag", pk=flag.pk)
    return render(
        request,
        "integrity/flag_detail.html",
        {
            "flag": flag,
            "rule": flag.indicator,
            "tenders": flag.tenders.select_related("entity").order_by("published_at"),
            "suppliers": flag.suppliers.order_by("name_ko"),
            "form": form,
        },
        status=422,
    )


@login_required
def draft_check(request):
    """The drafting rules over the values in the tender form as the official edits them (htmx)."""
    require(request.user, "tenders.add_tender")
    form = DraftCheckForm(request.GET)
    warnings = selectors.draft_warnings(SimpleNamespace(**form.cleaned_data)) if form.is_valid() else []
    return render(request, "integrity/_draft_warnings.html", {"warnings": warnings})


def rules(request):
    """Public: every rule, what it looks for, its threshold and when it runs."""
    return render(request, "integrity/rules.html", {"rules": all_rules()})


def ocds_extension(request, name: str):
    """The OCDS red-flags extension's files, public (package `extensions` point here)."""
    if name not in ocds.EXTENSION_FILES:
        raise Http404
    return JsonResponse(ocds.extension_file(name), json_dumps_params={"ensure_ascii": False, "indent": 2})
