"""Evaluation pages: the list, one tender's evaluation, the committee, declarations and scoring.

Thin: check the permission, call a selector or service, render. A committee member who has not
declared no conflict of interest gets a 404 for everything but the declaration itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from bidding.models import CureRequest, OpenedDocument, OpeningRecord
from bidding.selectors import cure_requests_of_tender
from procurement.permissions import require
from procurement.web import refusal, run_action
from tenders.models import Tender
from tenders.policies import evaluation_policy

from .. import selectors, services
from ..forms import CommitteeMemberForm, DeclarationForm, ReviewForm, ScoreForm
from ..models import Assessment, CommitteeMember, Evaluation


def _tender(pk: int) -> Tender:
    return get_object_or_404(Tender.objects.select_related("entity"), pk=pk)


def _visible(request, pk: int, perm: str = "contracts.read_evaluation") -> Tender:
    tender = _tender(pk)
    if not request.user.has_perm(perm, tender):
        raise Http404
    return tender


def _back(tender: Tender):
    return redirect("contracts:evaluation", tender_id=tender.pk)


@permission_required("contracts.view_evaluations", raise_exception=True)
def evaluation_list(request):
    rows = []
    for tender in selectors.tenders_for_evaluation(request.user):
        member = selectors.member_for(tender=tender, user=request.user)
        rows.append({"tender": tender, "member": member, "evaluation": selectors.evaluation_of(tender)})
    return render(request, "contracts/evaluation_list.html", {"rows": rows})


def evaluation_detail(request, tender_id: int):
    tender = _visible(request, tender_id)
    user = request.user
    evaluation = selectors.evaluation_of(tender)
    policy = evaluation_policy(tender.evaluation_method)
    can_manage = user.has_perm("contracts.manage_evaluation", tender)
    next_review = services.next_for_review(evaluation) if evaluation else None
    member = selectors.member_for(tender=tender, user=user)
    context = {
        "tender": tender,
        "evaluation": evaluation,
        "policy": policy,
        "record": OpeningRecord.objects.filter(tender=tender).first(),
        "assessments": selectors.assessments_of(evaluation) if evaluation else [],
        "opened_bids": selectors.opened_bids_for_tender(tender) if evaluation is None else [],
        "next_review": next_review,
        "review_form": ReviewForm() if can_manage and next_review else None,
        "can_manage": can_manage,
        "member": member,
        "committee": selectors.committee_of(tender) if policy.needs_committee else [],
        "can_view_committee": user.has_perm("contracts.view_committee", tender),
        "award": selectors.award_current(tender),
        "params": policy.clean(tender.evaluation_params) if policy.needs_committee else {},
        # Document corrections (bidding.services.cures): asked from the review, listed for the entity.
        "cures": list(cure_requests_of_tender(tender))
        if can_manage or user.has_perm("bidding.view_technical", tender)
        else [],
        "cure_kinds": CureRequest.Kind.choices,
    }
    return render(request, "contracts/evaluation_detail.html", context)


@require_POST
@login_required
def evaluation_start(request, tender_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_evaluation", tender)
    return run_action(
        request,
        _back(tender),
        lambda: services.evaluation_start(tender=tender, actor=request.user),
        _("The evaluation has started."),
    )


@require_POST
@login_required
def assessment_review(request, tender_id: int, assessment_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_evaluation", tender)
    assessment = get_object_or_404(Assessment, pk=assessment_id, evaluation__tender=tender)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return _back(tender)
    passed = form.cleaned_data["decision"] == "pass"
    return run_action(
        request,
        _back(tender),
        lambda: services.assessment_review(
            assessment=assessment, actor=request.user, passed=passed, reason=form.cleaned_data["reason"]
        ),
        _("The bid passed the review.") if passed else _("The bid was disqualified; the bidder is told why."),
    )


@require_POST
@login_required
def evaluation_complete(request, tender_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_evaluation", tender)
    evaluation = get_object_or_404(Evaluation, tender=tender)
    return run_action(
        request,
        _back(tender),
        lambda: services.evaluation_complete(evaluation=evaluation, actor=request.user),
        _("The evaluation is complete."),
    )


@require_POST
@login_required
def evaluation_calculate(request, tender_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_evaluation", tender)
    evaluation = get_object_or_404(Evaluation, tender=tender)
    record = OpeningRecord.objects.filter(tender=tender).first()
    if record is not None and record.stage == OpeningRecord.Stage.TECHNICAL:
        # Two envelopes: the scores decide the technical results, which are published from their page.
        return run_action(
            request,
            redirect("bidding:technical", tender.pk),
            lambda: services.evaluation_calculate(evaluation=evaluation, actor=request.user),
            _("The committee's scores decided the technical results; check and publish them."),
        )
    return run_action(
        request,
        _back(tender),
        lambda: services.evaluation_calculate(evaluation=evaluation, actor=request.user),
        _("The committee's scores have been combined into a ranking."),
    )


@require_POST
@login_required
def award_propose(request, tender_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_award", tender)
    with refusal(request) as refused:
        award = services.award_propose(tender=tender, actor=request.user)
    if refused:
        return _back(tender)
    if award.status == award.Status.PROPOSED:
        messages.success(request, _("The award is proposed; a second official must approve it."))
    else:
        messages.success(
            request, _("The award is proposed and every bidder has been told. The standstill has started.")
        )
    return redirect(award)


# --- committee -------------------------------------------------------------------------------------


@login_required
def committee(request, tender_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_committee", tender)
    form = CommitteeMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.committee_member_add(tender=tender, actor=request.user, user=form.user)
        if not refused:
            messages.success(
                request, _("%(email)s is on the committee and has been told.") % {"email": form.user.email}
            )
            return redirect("contracts:committee", tender_id=tender.pk)
    return render(
        request,
        "contracts/committee.html",
        {"tender": tender, "form": form, "committee": selectors.committee_of(tender)},
    )


@require_POST
@login_required
def committee_remove(request, tender_id: int, member_id: int):
    tender = _tender(tender_id)
    require(request.user, "contracts.manage_committee", tender)
    member = get_object_or_404(CommitteeMember, pk=member_id, tender=tender)
    with refusal(request) as refused:
        services.committee_member_remove(member=member, actor=request.user)
    if not refused:
        messages.success(request, _("The member was taken off the committee."))
    return redirect("contracts:committee", tender_id=tender.pk)


@login_required
def declare(request, tender_id: int):
    """The only page a member sees before declaring: the tender and the bidders' names (both public)."""
    tender = _tender(tender_id)
    member = selectors.member_for(tender=tender, user=request.user)
    if member is None:
        raise Http404
    if member.is_cleared:
        return redirect("contracts:evaluation", tender_id=tender.pk)
    if member.is_recused:
        return render(request, "contracts/declare.html", {"tender": tender, "member": member, "form": None})
    record = OpeningRecord.objects.filter(tender=tender).first()
    if record is None:
        return render(request, "contracts/declare.html", {"tender": tender, "member": member, "not_opened": True})
    require(request.user, "contracts.declare_conflict", tender)
    bidders = sorted({o.supplier.name for o in record.opened_bids.select_related("supplier")})
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.conflict_declare(
                member=member,
                actor=request.user,
                no_conflict=form.cleaned_data["no_conflict"],
                statement=form.cleaned_data["statement"],
            )
        if not refused:
            if form.cleaned_data["no_conflict"]:
                messages.success(request, _("Thank you. You can now see the bids and score them."))
                return redirect("contracts:score", tender_id=tender.pk)
            messages.success(request, _("You have withdrawn from this evaluation; the entity has been told."))
            return redirect("contracts:evaluations")
    return render(
        request, "contracts/declare.html", {"tender": tender, "member": member, "form": form, "bidders": bidders}
    )


@login_required
def score(request, tender_id: int):
    tender = _visible(request, tender_id)
    member = selectors.member_for(tender=tender, user=request.user)
    if member is None or not member.is_cleared:
        raise Http404
    evaluation = selectors.evaluation_of(tender)
    if evaluation is None:
        messages.info(request, _("The entity has not started the evaluation yet."))
        return _back(tender)
    criteria = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)["technical_criteria"]
    bids = [a for a in selectors.assessments_of(evaluation) if a.admissible]
    for a in bids:
        # Names and sizes only; the content is read when a document is downloaded.
        a.document_list = list(OpenedDocument.objects.filter(opened_bid=a.opened_bid).defer("content"))
    existing = selectors.scores_by_member(tender).get(member.pk, {})
    form = ScoreForm(request.POST or None, bids=bids, criteria=criteria, existing=existing)
    editable = (
        request.user.has_perm("contracts.score_bids", tender)
        and member.scores_submitted_at is None
        and (evaluation.scored_at is None)
    )
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            submit = "submit" in request.POST
            with refusal(request, form) as refused:
                services.scores_save(member=member, actor=request.user, scores=form.scores(), submit=submit)
            if not refused:
                messages.success(
                    request, _("Your scores have been submitted.") if submit else _("Your scores have been saved.")
                )
                return redirect("contracts:score", tender_id=tender.pk)
    return render(
        request,
        "contracts/score.html",
        {
            "tender": tender,
            "member": member,
            "evaluation": evaluation,
            "form": form,
            "criteria": criteria,
            "editable": editable,
        },
    )


def evaluation_document(request, tender_id: int, document_id: int):
    """An opened bid document (technical proposal) for those evaluating it."""
    tender = _visible(request, tender_id)
    document = get_object_or_404(OpenedDocument, pk=document_id, opened_bid__opening__tender=tender)
    response = HttpResponse(bytes(document.content), content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(document.name)}"
    response["X-Content-SHA256"] = document.sha256
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name or "document")
