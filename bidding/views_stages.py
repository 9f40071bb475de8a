"""Pages of the stages after opening: the technical stage of two-envelope tenders and document
corrections (cures). Thin: a permission, a service call, a render (docs/architecture.md §8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.permissions import require
from procurement.web import refusal, run_action
from tenders.policies import evaluation_policy
from tenders.selectors import tender_get_visible

from . import selectors, services
from .forms import CureRequestForm, CureUploadForm, TechnicalDecisionForm
from .models import Bid, CureRequest, OpenedBid, OpeningRecord, TechnicalComplaint


@login_required
def technical(request, tender_id: int):
    """The officials' technical stage: decide each bid, request corrections, publish the results."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.view_technical", tender)
    record = get_object_or_404(OpeningRecord, tender=tender)
    if not record.is_two_stage:
        raise Http404
    rows = list(
        OpenedBid.objects.filter(opening=record).select_related("supplier", "bid").prefetch_related("documents")
    )
    cures = list(selectors.cure_requests_of_tender(tender))
    may_assess = request.user.has_perm("bidding.assess_technical", tender)
    for row in rows:
        row.cures = [c for c in cures if c.bid_id == row.bid_id]
    return render(
        request,
        "bidding/technical.html",
        {
            "tender": tender,
            "record": record,
            "rows": rows,
            "complaints": record.technical_complaints.select_related("bid__supplier"),
            "may_decide_complaints": may_assess and record.stage == OpeningRecord.Stage.TECHNICAL_PUBLISHED,
            "may_assess": may_assess and record.stage == OpeningRecord.Stage.TECHNICAL,
            "committee_decides": evaluation_policy(tender.evaluation_method).needs_committee,
            "cure_form": CureRequestForm(),
            "decision_form": TechnicalDecisionForm(),
        },
    )


@require_POST
@login_required
def technical_assess(request, opened_bid_id: int):
    row = get_object_or_404(OpenedBid.objects.select_related("opening__tender"), pk=opened_bid_id)
    tender = row.opening.tender
    require(request.user, "bidding.assess_technical", tender)
    form = TechnicalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose compliant or not compliant."))
        return redirect("bidding:technical", tender.pk)
    return run_action(
        request,
        redirect("bidding:technical", tender.pk),
        lambda: services.technical_assess(
            opened_bid=row,
            actor=request.user,
            compliant=form.cleaned_data["compliant"],
            reason=form.cleaned_data["reason"],
        ),
        _("Decision recorded for %(name)s.") % {"name": row.supplier.name},
    )


@require_POST
@login_required
def technical_publish(request, tender_id: int):
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.assess_technical", tender)
    return run_action(
        request,
        redirect("bidding:opening", tender.pk),
        lambda: services.technical_publish(tender_id=tender.pk, actor=request.user),
        _("The technical results are published. The compliant bids' prices open when the complaint window ends."),
    )


@require_POST
@login_required
def technical_complaint(request, tender_id: int):
    """A bidder complains about the published technical results (from the opening page)."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    return run_action(
        request,
        redirect("bidding:opening", tender.pk),
        lambda: services.technical_complaint_lodge(
            tender_id=tender.pk, actor=request.user, grounds=request.POST.get("grounds", "")
        ),
        _("Your complaint was lodged. The price envelopes stay sealed until it is answered."),
    )


@require_POST
@login_required
def technical_complaint_decide(request, complaint_id: int):
    complaint = get_object_or_404(TechnicalComplaint.objects.select_related("opening__tender"), pk=complaint_id)
    tender = complaint.opening.tender
    require(request.user, "bidding.assess_technical", tender)
    return run_action(
        request,
        redirect("bidding:technical", tender.pk),
        lambda: services.technical_complaint_decide(
            complaint=complaint,
            actor=request.user,
            uphold=request.POST.get("decision") == "uphold",
            answer=request.POST.get("answer", ""),
        ),
        _("The complaint was answered; the bidder has been told your reasons."),
    )


# --- document corrections ------------------------------------------------------------------------------


@require_POST
@login_required
def cure_request(request, bid_id: int):
    bid = get_object_or_404(Bid.objects.select_related("tender"), pk=bid_id)
    require(request.user, "bidding.request_cure", bid)
    form = CureRequestForm(request.POST)
    back = redirect("bidding:technical", bid.tender_id)
    if request.POST.get("back") == "evaluation":
        back = redirect("contracts:evaluation", bid.tender_id)
    if form.is_valid():
        with refusal(request) as refused:
            request_ = services.cure_request(
                bid=bid, actor=request.user, kind=form.cleaned_data["kind"], defect=form.cleaned_data["defect"]
            )
        if not refused:
            messages.success(
                request,
                _("The correction was requested; the bidder has until %(due)s.")
                % {"due": date_format(localtime(request_.due_at), "Y-m-d H:i T")},
            )
    else:
        messages.error(request, _("Choose the document and say what is missing or defective."))
    return back


@login_required
def cure(request, cure_id: int):
    """One correction request: the bidder uploads the document here; the entity reads it."""
    request_ = get_object_or_404(CureRequest.objects.select_related("tender", "bid__supplier"), pk=cure_id)
    if not request.user.has_perm("bidding.view_cure", request_):
        raise Http404
    may_submit = request_.is_open and request.user.has_perm("bidding.submit_cure", request_)
    form = CureUploadForm()
    if request.method == "POST":
        if not may_submit:
            require(request.user, "bidding.submit_cure", request_)
        form = CureUploadForm(request.POST, request.FILES)
        if form.is_valid():
            with refusal(request, form) as refused:
                services.cure_submit(request=request_, actor=request.user, file=form.cleaned_data["file"])
            if not refused:
                messages.success(request, _("The document was received within the window."))
                return redirect("bidding:cure", request_.pk)
        request_.refresh_from_db()
    return render(request, "bidding/cure.html", {"cure": request_, "form": form, "may_submit": may_submit})


@login_required
def cure_file(request, cure_id: int):
    request_ = get_object_or_404(CureRequest.objects.select_related("tender", "bid"), pk=cure_id)
    if not request.user.has_perm("bidding.view_cure", request_) or not request_.file:
        raise Http404
    with request_.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=request_.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, request_.original_name or "document")
    return response
