"""Calling a winner's bid security (refusal to sign): a thin view over contracts.services.securities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.forms_joint import CallForm
from bidding.models import BidSecurity
from procurement.web import run_action

from ..services.securities import bid_security_call


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
