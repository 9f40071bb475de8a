"""Calling a winner's bid security (refusal to sign) and the contract's performance security: thin views
over contracts.services.securities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.forms_joint import BidSecurityForm, CallForm
from bidding.models import BidSecurity
from procurement.web import refusal, run_action
from suppliers.selectors import membership_for_user
from tenders.selectors import is_official_of

from ..models import Contract, PerformanceSecurity
from ..services.securities import (
    bid_security_call,
    performance_security_attach,
    performance_security_decide,
    performance_security_required,
)


class PerformanceSecurityForm(BidSecurityForm):
    """The same fields as a bid security's (issuer, number, amount, validity)."""


@login_required
@require_POST
def security_call(request, security_id: int):
    security = get_object_or_404(BidSecurity.objects.select_related("tender"), pk=security_id)
    back = redirect("bidding:securities", security.tender_id)
    form = CallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the security is called."))
        return back
    return run_action(
        request,
        back,
        lambda: bid_security_call(security=security, actor=request.user, reason=form.cleaned_data["reason"]),
        _("The bid security was called."),
    )


# --- performance securities (on the contract's page) ---------------------------------------------


def performance_security_context(request, contract: Contract) -> dict:
    """What the contract page shows of its performance security, and which forms it offers."""
    membership = membership_for_user(request.user)
    contractor = (
        membership is not None
        and membership.may_bid
        and membership.supplier_id == contract.supplier_id
        and contract.status in (Contract.Status.DRAFT, Contract.Status.ACTIVE)
    )
    security = PerformanceSecurity.objects.filter(contract=contract).select_related("issuer").first()
    official = is_official_of(request.user, contract.entity_id)
    held = security is not None and security.status == PerformanceSecurity.Status.HELD
    return {
        "performance_security": security,
        "performance_required": performance_security_required(contract),
        "performance_form": PerformanceSecurityForm() if contractor else None,
        "can_release_performance": official and held and contract.status == Contract.Status.COMPLETED,
        "can_call_performance": official and held and contract.status == Contract.Status.TERMINATED,
        "call_form": CallForm(),
    }


@login_required
@require_POST
def performance_attach(request, contract_id: int):
    contract = get_object_or_404(Contract, pk=contract_id)
    form = PerformanceSecurityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in every field of the guarantee."))
        return redirect(contract)
    with refusal(request) as refused:
        security = performance_security_attach(contract=contract, actor=request.user, **form.cleaned_data)
    if not refused:
        if security.is_verified:
            messages.success(request, _("The issuer confirmed the guarantee."))
        else:
            messages.error(request, security.verification_message)
    return redirect(contract)


@login_required
@require_POST
def performance_decide(request, security_id: int):
    security = get_object_or_404(PerformanceSecurity.objects.select_related("contract"), pk=security_id)
    call = request.POST.get("decision") == "call"
    return run_action(
        request,
        redirect(security.contract),
        lambda: performance_security_decide(
            security=security, actor=request.user, call=call, reason=request.POST.get("reason", "")
        ),
        _("The performance security was called.") if call else _("The performance security was released."),
    )
