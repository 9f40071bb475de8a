"""Award pages (public once bidders are told), approval, finalisation, cancellation, complaints."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.permissions import require
from procurement.web import refusal, run_action
from suppliers.selectors import membership_for_user
from tenders.selectors import is_approver_of, is_official_of

from .. import selectors, services
from ..forms import ComplaintDecisionForm, ComplaintForm, ReasonForm
from ..models import Award, Complaint, ComplaintDocument, Contract


def award_list(request):
    awards = selectors.awards_public().order_by("-proposed_at", "-id")
    query = (request.GET.get("q") or "").strip()
    if query:
        from django.db.models import Q

        awards = awards.filter(
            Q(tender__title__icontains=query)
            | Q(tender__reference__icontains=query)
            | Q(supplier__name_ko__icontains=query)
            | Q(supplier__name_en__icontains=query)
        )
    page = Paginator(awards, 25).get_page(request.GET.get("page"))
    return render(request, "contracts/award_list.html", {"page_obj": page, "query": query})


def _award(request, award_id: int) -> Award:
    award = get_object_or_404(Award.objects.select_related("tender", "tender__entity", "supplier", "bid"), pk=award_id)
    if not request.user.has_perm("contracts.read_award", award):
        raise Http404
    return award


def _public_scores(tender) -> list[dict]:
    """Each member's score per criterion of each bid (members as A, B, C), for the public table."""
    rows = selectors.evaluation_public(tender) or []
    return [{"supplier": row["supplier"], **score} for row in rows for score in row["scores"]]


def award_detail(request, award_id: int):
    award = _award(request, award_id)
    user = request.user
    tender = award.tender
    evaluation = selectors.evaluation_of(tender)
    # The review's reasons are public with the award (what makes it reproducible); before that, internal.
    sees_reasons = award.is_public or is_official_of(user, tender.entity_id) or user.has_perm("contracts.view_reports")
    membership = membership_for_user(user)
    own_supplier_id = membership.supplier_id if membership else None
    can_manage = user.has_perm("contracts.manage_award", award)
    contract = Contract.objects.filter(award=award).first()
    context = {
        "award": award,
        "tender": tender,
        "assessments": selectors.assessments_of(evaluation) if evaluation else [],
        "sees_reasons": sees_reasons,
        "public_scores": _public_scores(tender) if award.is_public else [],
        "report_public": user.has_perm("contracts.download_award_report", tender)
        and award.status == Award.Status.FINAL,
        "own_supplier_id": own_supplier_id,
        "complaints": selectors.complaints_visible(award=award, user=user),
        "complaint_outcomes": award.complaints.values_list("status", flat=True),
        "can_manage": can_manage,
        "can_complain": user.has_perm("contracts.lodge_complaint", award) and own_supplier_id != award.supplier_id,
        "can_approve": can_manage
        and award.status == Award.Status.PROPOSED
        and is_approver_of(user, tender.entity_id)
        and award.proposed_by_id != user.pk,
        "contract": contract,
        "can_contract": can_manage and award.status == Award.Status.FINAL and contract is None,
        "others": Award.objects.filter(tender=tender).exclude(pk=award.pk).select_related("supplier"),
    }
    return render(request, "contracts/award_detail.html", context)


@require_POST
@login_required
def award_approve(request, award_id: int):
    award = _award(request, award_id)
    require(request.user, "contracts.manage_award", award)
    return run_action(
        request,
        redirect(award),
        lambda: services.award_approve(award=award, actor=request.user),
        _("Approved: the bidders have been told and the standstill has started."),
    )


@require_POST
@login_required
def award_finalise(request, award_id: int):
    award = _award(request, award_id)
    require(request.user, "contracts.manage_award", award)
    return run_action(
        request,
        redirect(award),
        lambda: services.award_finalise(award=award, actor=request.user),
        _("The award is final. You can now draw up the contract."),
    )


@login_required
def award_cancel(request, award_id: int):
    award = _award(request, award_id)
    require(request.user, "contracts.manage_award", award)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.award_cancel(award=award, actor=request.user, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, _("The award was cancelled and the evaluation reopened."))
            return redirect("contracts:evaluation", tender_id=award.tender_id)
    return render(
        request,
        "contracts/form_page.html",
        {
            "page_title": _("Cancel the award"),
            "subject": award.tender,
            "subject_url": award.get_absolute_url(),
            "intro": _("The bidders are told, with this reason, and the evaluation is reopened."),
            "form": form,
            "submit_label": _("Cancel the award"),
            "cancel_url": award.get_absolute_url(),
        },
    )


# --- complaints -------------------------------------------------------------------------------------


@login_required
def complaint_new(request, award_id: int):
    award = _award(request, award_id)
    require(request.user, "contracts.lodge_complaint", award)
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            complaint = services.complaint_lodge(
                award=award,
                actor=request.user,
                grounds=form.cleaned_data["grounds"],
                documents=form.cleaned_data["documents"],
            )
        if not refused:
            messages.success(request, _("Your complaint was lodged. The procuring entity must answer it with reasons."))
            return redirect(complaint)
    return render(
        request,
        "contracts/form_page.html",
        {
            "page_title": _("Lodge a complaint"),
            "subject": award.tender,
            "subject_url": award.get_absolute_url(),
            "intro": _("You can complain until the standstill period ends."),
            "form": form,
            "submit_label": _("Lodge the complaint"),
            "cancel_url": award.get_absolute_url(),
        },
    )


def _complaint(request, complaint_id: int) -> Complaint:
    complaint = get_object_or_404(
        Complaint.objects.select_related("award", "award__tender", "supplier"), pk=complaint_id
    )
    if not selectors.complaints_visible(award=complaint.award, user=request.user).filter(pk=complaint.pk).exists():
        raise Http404
    return complaint


@login_required
def complaint_detail(request, complaint_id: int):
    complaint = _complaint(request, complaint_id)
    can_decide = request.user.has_perm("contracts.decide_complaint", complaint.award) and (
        complaint.status == Complaint.Status.OPEN
    )
    return render(
        request,
        "contracts/complaint_detail.html",
        {"complaint": complaint, "award": complaint.award, "form": ComplaintDecisionForm() if can_decide else None},
    )


@require_POST
@login_required
def complaint_decide(request, complaint_id: int):
    complaint = _complaint(request, complaint_id)
    require(request.user, "contracts.decide_complaint", complaint.award)
    form = ComplaintDecisionForm(request.POST)
    if form.is_valid():
        upheld = form.cleaned_data["outcome"] == "upheld"
        with refusal(request, form) as refused:
            services.complaint_decide(
                complaint=complaint, actor=request.user, upheld=upheld, decision=form.cleaned_data["decision"]
            )
        if not refused:
            if upheld:
                messages.success(request, _("Complaint upheld: the award is cancelled and the evaluation reopened."))
                return redirect("contracts:evaluation", tender_id=complaint.award.tender_id)
            messages.success(request, _("Complaint dismissed; the bidder has been told your reasons."))
            return redirect(complaint)
    return render(
        request, "contracts/complaint_detail.html", {"complaint": complaint, "award": complaint.award, "form": form}
    )


@login_required
def complaint_document(request, complaint_id: int, document_id: int):
    complaint = _complaint(request, complaint_id)
    document = get_object_or_404(ComplaintDocument, pk=document_id, complaint=complaint)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["Content-Type"] = document.content_type
    response["X-Content-SHA256"] = document.sha256
    return response
