"""Contract pages: drafting from a final award, the document, signing (after re-authentication),
amendments, milestones, completion and termination."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.errors import DomainError
from procurement.permissions import require
from procurement.web import form_add_domain_error, refusal, run_action

from .. import selectors, services
from ..forms import (
    AmendmentForm,
    ContractTermsForm,
    DeliveryForm,
    MilestoneFormSet,
    ReasonForm,
    SignForm,
    milestones_from,
)
from ..models import Award, Contract, ContractVersion, Milestone, ReportFile
from ..reauth import reauthentication_for_signing
from .securities import performance_security_context


def contract_list(request):
    contracts = selectors.contracts_visible_to(request.user).order_by("-created_at", "-id")
    page = Paginator(contracts, 25).get_page(request.GET.get("page"))
    return render(request, "contracts/contract_list.html", {"page_obj": page})


def _contract(request, contract_id: int) -> Contract:
    contract = get_object_or_404(
        Contract.objects.select_related("tender", "entity", "supplier", "award"), pk=contract_id
    )
    if not request.user.has_perm("contracts.read_contract", contract):
        raise Http404
    return contract


def _terms(cleaned: dict, milestones: list[dict]) -> services.Terms:
    return services.Terms(
        value=cleaned["value"],
        start_date=cleaned["start_date"],
        end_date=cleaned["end_date"],
        deliverables=cleaned.get("deliverables", ""),
        milestones=tuple(milestones),
    )


def _terms_errors(form, formset):
    """A refusal of the milestones goes above the milestones; any other next to its field."""

    def show(exc: DomainError) -> None:
        if exc.field == "milestones":
            formset._non_form_errors = formset.error_class([str(exc.message)])
        else:
            form_add_domain_error(form, exc)

    return show


@login_required
def contract_new(request, award_id: int):
    award = get_object_or_404(Award.objects.select_related("tender", "supplier"), pk=award_id)
    require(request.user, "contracts.draw_up_contract", award)
    existing = Contract.objects.filter(award=award).first()
    if existing is not None:
        return redirect(existing)
    today = timezone.localdate()
    initial = {
        "title": award.tender.title,
        "value": award.value,
        "start_date": today,
        "end_date": today + timedelta(days=90),
        "deliverables": award.tender.delivery_period,
    }
    form = ContractTermsForm(request.POST or None, initial=initial)
    formset = MilestoneFormSet(request.POST or None, prefix="milestones")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with refusal(request, _terms_errors(form, formset)) as refused:
            contract = services.contract_create(
                award=award,
                actor=request.user,
                title=form.cleaned_data["title"],
                terms=_terms(form.cleaned_data, milestones_from(formset)),
            )
        if not refused:
            messages.success(request, _("The contract is ready for both parties to sign."))
            return redirect(contract)
    return render(
        request,
        "contracts/contract_form.html",
        {
            "award": award,
            "tender": award.tender,
            "form": form,
            "formset": formset,
            "page_title": _("Draw up the contract"),
            "submit_label": _("Create the contract"),
        },
    )


def contract_detail(request, contract_id: int):
    contract = _contract(request, contract_id)
    user = request.user
    pending = services.pending_version(contract)
    versions = list(contract.versions.select_related("document").prefetch_related("signatures__supplier"))
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "versions": versions,
            "pending": pending,
            "milestones": contract.milestones.all(),
            "can_sign": user.has_perm("contracts.sign_contract", contract)
            and pending is not None
            and not services.has_signed(pending, contract, user),
            "can_manage": user.has_perm("contracts.manage_contract", contract),
            "can_deliver": user.has_perm("contracts.deliver_milestone", contract)
            and contract.status == Contract.Status.ACTIVE,
            "delivery_form": DeliveryForm(),
            **performance_security_context(request, contract),
        },
    )


def contract_document(request, contract_id: int, number: int):
    """The PDF of one version: exactly the bytes the parties sign (rendered once by Celery, then
    stored). Until it is ready, a page that shows the progress and then the file."""
    contract = _contract(request, contract_id)
    version = get_object_or_404(ContractVersion, contract=contract, number=number)
    report = services.contract_document_request(version=version, actor=request.user)
    if report.status != ReportFile.Status.READY:
        return render(request, "contracts/document_wait.html", _document_context(request, contract, version, report))
    response = FileResponse(report.file.open("rb"), as_attachment=False, filename=report.filename)
    response["Content-Type"] = "application/pdf"
    response["X-Content-SHA256"] = report.sha256
    return response


def contract_document_status(request, contract_id: int, number: int):
    """The fragment the waiting page polls (htmx); the same permission as the document."""
    contract = _contract(request, contract_id)
    version = get_object_or_404(ContractVersion, contract=contract, number=number)
    report = services.contract_document_current(version=version)
    if report is None:
        raise Http404
    return render(request, "contracts/_document_status.html", _document_context(request, contract, version, report))


def _document_context(request, contract: Contract, version: ContractVersion, report, *, signing=None) -> dict:
    signing = request.GET.get("for") == "signing" if signing is None else signing
    status_url = reverse("contracts:contract_document_status", args=[contract.pk, version.number])
    return {
        "title": _("Contract document, version %(number)s") % {"number": version.number},
        "back_url": contract.get_absolute_url(),
        "back_label": f"{_('Contract')} {contract.reference} {contract.title}",
        "report": report,
        "status_url": status_url + ("?for=signing" if signing else ""),
        "file_url": reverse("contracts:contract_document", args=[contract.pk, version.number]),
        "next_url": reverse("contracts:contract_sign", args=[contract.pk]) if signing else "",
        "next_label": _("Continue to signing"),
    }


@login_required
def contract_sign(request, contract_id: int):
    """Who may sign is checked first; only then is the signer asked to re-authenticate."""
    contract = _contract(request, contract_id)
    require(request.user, "contracts.sign_contract", contract)
    return _contract_sign(request, contract)


@reauthentication_for_signing
def _contract_sign(request, contract: Contract):
    version = services.pending_version(contract)
    if version is None:
        raise Http404
    document = services.contract_document_request(version=version, actor=request.user)
    if document.status != ReportFile.Status.READY:  # the signer reads the document first: wait for it
        context = _document_context(request, contract, version, document, signing=True)
        return render(request, "contracts/document_wait.html", context)
    form = SignForm(request.POST or None, initial={"document_sha256": document.sha256})
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.contract_sign(
                contract=contract,
                actor=request.user,
                document_sha256=form.cleaned_data["document_sha256"],
                reauthenticated_with=getattr(request, "reauthenticated_with", ""),
            )
        if not refused:
            messages.success(request, _("You have signed the contract."))
            return redirect(contract)
    return render(
        request,
        "contracts/contract_sign.html",
        {
            "contract": contract,
            "version": version,
            "document": document,
            "form": form,
            "party": services.signing_party(contract, request.user),
        },
    )


@login_required
def contract_amend(request, contract_id: int):
    contract = _contract(request, contract_id)
    require(request.user, "contracts.manage_contract", contract)
    initial = {
        "value": contract.value,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "deliverables": contract.deliverables,
    }
    milestones_initial = [
        {"title": m.title, "due_date": m.due_date, "amount": m.amount} for m in contract.milestones.all()
    ]
    form = AmendmentForm(request.POST or None, initial=initial)
    formset = MilestoneFormSet(request.POST or None, prefix="milestones", initial=milestones_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with refusal(request, _terms_errors(form, formset)) as refused:
            services.contract_amend(
                contract=contract,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                terms=_terms(form.cleaned_data, milestones_from(formset)),
            )
        if not refused:
            messages.success(request, _("The amendment is ready for both parties to sign."))
            return redirect(contract)
    return render(
        request,
        "contracts/contract_form.html",
        {
            "contract": contract,
            "tender": contract.tender,
            "form": form,
            "formset": formset,
            "page_title": _("Amend the contract"),
            "submit_label": _("Propose the amendment"),
        },
    )


def _milestone(request, contract_id: int, milestone_id: int) -> tuple[Contract, Milestone]:
    contract = _contract(request, contract_id)
    return contract, get_object_or_404(Milestone, pk=milestone_id, contract=contract)


@require_POST
@login_required
def milestone_deliver(request, contract_id: int, milestone_id: int):
    contract, milestone = _milestone(request, contract_id, milestone_id)
    require(request.user, "contracts.deliver_milestone", contract)
    form = DeliveryForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return run_action(
        request,
        redirect(contract),
        lambda: services.milestone_deliver(milestone=milestone, actor=request.user, note=note),
        _("Delivery reported; the procuring entity has been told."),
    )


@require_POST
@login_required
def milestone_accept(request, contract_id: int, milestone_id: int):
    contract, milestone = _milestone(request, contract_id, milestone_id)
    require(request.user, "contracts.manage_contract", contract)
    return run_action(
        request,
        redirect(contract),
        lambda: services.milestone_accept(milestone=milestone, actor=request.user),
        _("Milestone accepted."),
    )


@login_required
def milestone_return(request, contract_id: int, milestone_id: int):
    contract, milestone = _milestone(request, contract_id, milestone_id)
    require(request.user, "contracts.manage_contract", contract)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.milestone_return(milestone=milestone, actor=request.user, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, _("The delivery was sent back to the supplier."))
            return redirect(contract)
    return _reason_page(request, contract, form, _("Send the delivery back"), _("Send back"))


@require_POST
@login_required
def contract_complete(request, contract_id: int):
    contract = _contract(request, contract_id)
    require(request.user, "contracts.manage_contract", contract)
    return run_action(
        request,
        redirect(contract),
        lambda: services.contract_complete(contract=contract, actor=request.user),
        _("The contract is completed."),
    )


@login_required
def contract_terminate(request, contract_id: int):
    contract = _contract(request, contract_id)
    require(request.user, "contracts.manage_contract", contract)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.contract_terminate(contract=contract, actor=request.user, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, _("The contract was terminated."))
            return redirect(contract)
    return _reason_page(request, contract, form, _("Terminate the contract"), _("Terminate"))


def _reason_page(request, contract: Contract, form, title: str, label: str):
    return render(
        request,
        "contracts/form_page.html",
        {
            "page_title": title,
            "subject": contract,
            "subject_url": contract.get_absolute_url(),
            "form": form,
            "submit_label": label,
            "cancel_url": contract.get_absolute_url(),
        },
    )
