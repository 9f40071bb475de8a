"""Pages for joint bidding and bid securities: thin views over bidding.services.consortium/securities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.permissions import is_auditor
from procurement.web import refusal, run_action
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.selectors import is_official_of, tender_get_visible

from . import selectors
from .forms_joint import BidSecurityForm, CallForm, ConsortiumForm
from .models import BidSecurity, Consortium, ConsortiumMember
from .services.consortium import consortium_change, consortium_create, consortium_dissolve, consortium_respond
from .services.securities import bid_security_attach, bid_security_release, security_min_valid_until


@login_required
def consortium_new(request, tender_id: int):
    """The lead forms a consortium: partners by registration number, shares, form of performance."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    form = ConsortiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as refused:
            consortium = consortium_create(
                tender=tender,
                actor=request.user,
                name=data["name"],
                performance=data["performance"],
                lead_share=data["lead_share"],
                lead_scope=data["lead_scope"],
                partners=data["partners"],
            )
        if not refused:
            messages.success(request, _("The consortium was formed; its partners have been asked to confirm."))
            return redirect("bidding:consortium", consortium.pk)
    return render(request, "bidding/consortium_form.html", {"tender": tender, "form": form})


@login_required
def consortium_edit(request, consortium_id: int):
    """The lead changes the terms before the deadline; every partner confirms them again."""
    consortium = _consortium(request, consortium_id)
    members = list(selectors.consortium_members(consortium).filter(status__in=ConsortiumMember.BINDING_STATUSES))
    lead = next((m for m in members if m.is_lead), None)
    initial = {
        "name": consortium.name,
        "performance": consortium.performance,
        "lead_share": lead.share if lead else None,
        "lead_scope": lead.scope if lead else "",
    }
    for i, member in enumerate((m for m in members if not m.is_lead), start=1):
        initial |= {
            f"partner{i}_brn": member.supplier.registration_number,
            f"partner{i}_share": member.share,
            f"partner{i}_scope": member.scope,
        }
    form = ConsortiumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as refused:
            consortium_change(
                consortium=consortium,
                actor=request.user,
                name=data["name"],
                performance=data["performance"],
                lead_share=data["lead_share"],
                lead_scope=data["lead_scope"],
                partners=data["partners"],
            )
        if not refused:
            messages.success(request, _("The consortium was changed; its partners have been asked to confirm again."))
            return redirect("bidding:consortium", consortium.pk)
    return render(
        request, "bidding/consortium_form.html", {"tender": consortium.tender, "form": form, "consortium": consortium}
    )


def _consortium(request, consortium_id: int) -> Consortium:
    consortium = get_object_or_404(Consortium.objects.select_related("tender", "lead"), pk=consortium_id)
    if not selectors.consortium_visible_to(user=request.user, consortium=consortium):
        raise Http404
    return consortium


@login_required
def consortium_detail(request, consortium_id: int):
    consortium = _consortium(request, consortium_id)
    membership = membership_for_user(request.user)
    own = None
    if membership is not None:
        own = consortium.members.filter(supplier_id=membership.supplier_id).first()
    may_act = membership is not None and membership.may_bid
    return render(
        request,
        "bidding/consortium_detail.html",
        {
            "consortium": consortium,
            "tender": consortium.tender,
            "members": selectors.consortium_members(consortium),
            "own": own,
            "can_answer": may_act
            and own is not None
            and own.status == ConsortiumMember.Status.INVITED
            and consortium.status == Consortium.Status.FORMING
            and consortium.tender.is_open_for_bids,
            "can_dissolve": may_act
            and own is not None
            and own.is_lead
            and consortium.is_active
            and consortium.tender.is_open_for_bids,
        },
    )


@login_required
@require_POST
def consortium_answer(request, member_id: int):
    member = get_object_or_404(ConsortiumMember, pk=member_id)
    _consortium(request, member.consortium_id)
    accept = request.POST.get("answer") == "confirm"
    return run_action(
        request,
        redirect("bidding:consortium", member.consortium_id),
        lambda: consortium_respond(member=member, actor=request.user, accept=accept),
        _("You confirmed your company's membership and share.") if accept else _("You declined the invitation."),
    )


@login_required
@require_POST
def consortium_end(request, consortium_id: int):
    consortium = _consortium(request, consortium_id)
    return run_action(
        request,
        redirect("bidding:consortium", consortium.pk),
        lambda: consortium_dissolve(consortium=consortium, actor=request.user),
        _("The consortium was dissolved."),
    )


@login_required
def securities(request, tender_id: int):
    """The supplier's bid security on the tender (attach, replace, see the issuer's answer); after
    opening, every security for the entity's officials and auditors, with release and call."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    official = is_official_of(request.user, tender.entity_id)
    opened = tender.status not in (
        Tender.Status.DRAFT,
        Tender.Status.PENDING_APPROVAL,
        Tender.Status.PUBLISHED,
        Tender.Status.CLOSED,
    )
    membership = membership_for_user(request.user)
    if membership is None and not ((official or is_auditor(request.user)) and opened):
        raise Http404
    own = None
    form = None
    if membership is not None:
        own = (
            BidSecurity.objects.filter(tender=tender, supplier_id=membership.supplier_id)
            .select_related("issuer")
            .first()
        )
        if tender.requires_bid_security and tender.is_open_for_bids and membership.may_bid:
            form = BidSecurityForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                with refusal(request, form) as refused:
                    own = bid_security_attach(tender=tender, actor=request.user, **form.cleaned_data)
                if not refused:
                    if own.is_verified:
                        messages.success(request, _("The issuer confirmed the guarantee."))
                    else:
                        messages.error(request, own.verification_message)
                    return redirect("bidding:securities", tender.pk)
    return render(
        request,
        "bidding/securities.html",
        {
            "tender": tender,
            "own": own,
            "form": form,
            "first_valid_day": security_min_valid_until(tender) if tender.submission_deadline else None,
            "all": selectors.bid_securities_of_tender(tender)
            if (official or is_auditor(request.user)) and opened
            else None,
            "can_decide": official and opened,
            "call_form": CallForm(),
        },
    )


@login_required
@require_POST
def security_release(request, security_id: int):
    security = get_object_or_404(BidSecurity.objects.select_related("tender"), pk=security_id)
    return run_action(
        request,
        redirect("bidding:securities", security.tender_id),
        lambda: bid_security_release(security=security, actor=request.user),
        _("The bid security was released."),
    )
