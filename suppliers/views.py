"""Company pages: thin views that check a permission, call a selector or service and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.permissions import require
from procurement.web import refusal

from . import selectors, services
from .filters import DirectoryFilter, VettingFilter
from .forms import (
    DocumentForm,
    InvitationForm,
    MemberRoleForm,
    OptionalReasonForm,
    ReasonForm,
    SanctionForm,
    SupplierForm,
)
from .models import Sanction, Supplier, SupplierDocument, SupplierInvitation, SupplierMember

PAGE_SIZE = 20


# --- public: the directory and the sanctions register ----------------------------------------------


def directory(request):
    supplier_filter = DirectoryFilter(request.GET, queryset=selectors.suppliers_public().order_by("name_ko", "id"))
    page = Paginator(supplier_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/directory.html", {"filter": supplier_filter, "page_obj": page})


def profile(request, pk: int):
    supplier = get_object_or_404(selectors.suppliers_public(), pk=pk)
    context = {
        "supplier": supplier,
        "sanctions": supplier.sanctions.order_by("-starts_on"),
        "eligibility": selectors.supplier_eligibility(supplier=supplier),
    }
    return render(request, "suppliers/profile.html", context)


def sanctions_register(request):
    running_only = request.GET.get("running") == "1"
    sanctions = selectors.sanctions_public(running_only=running_only)
    page = Paginator(sanctions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/sanctions.html", {"page_obj": page, "running_only": running_only})


def classification_search(request):
    """An HTML fragment of matching classifications (htmx), for pickers and filters."""
    results = selectors.classifications_search(text=request.GET.get("q", ""))
    return render(request, "suppliers/_classification_results.html", {"results": results})


# --- the company workspace --------------------------------------------------------------------------


def _membership_or_redirect(request):
    membership = selectors.membership_for_user(request.user)
    if membership is None:
        return None
    return membership


@login_required
def company(request):
    """ "My company": status, vetting messages, profile, documents and people at a glance."""
    require(request.user, "suppliers.use_company_workspace")
    membership = _membership_or_redirect(request)
    if membership is None:
        return redirect("suppliers:register")
    supplier = membership.supplier
    user = request.user
    context = {
        "supplier": supplier,
        "membership": membership,
        "documents": selectors.supplier_documents(supplier=supplier),
        "members": selectors.supplier_members(supplier=supplier),
        "history": supplier.status_changes.select_related("actor")[:10],
        "sanctions": supplier.sanctions.order_by("-starts_on"),
        "eligibility": selectors.supplier_eligibility(supplier=supplier),
        "document_form": DocumentForm() if user.has_perm("suppliers.upload_document", supplier) else None,
        "can_change": user.has_perm("suppliers.change_company", supplier),
        "can_resubmit": user.has_perm("suppliers.resubmit_company", supplier)
        and supplier.status == Supplier.Status.CHANGES_REQUESTED,
        "can_manage_members": user.has_perm("suppliers.manage_members", supplier),
    }
    return render(request, "suppliers/company.html", context)


@login_required
def register(request):
    user = request.user
    if selectors.supplier_for_user(user) is not None:
        messages.info(request, _("You already belong to a company."))
        return redirect("suppliers:company")
    require(user, "suppliers.register_supplier")
    form = SupplierForm(request.POST or None, initial={"contact_email": user.email})
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.supplier_register(
                user=user, data=form.service_data(), classifications=form.cleaned_data["classifications"]
            )
        if not refused:
            messages.success(
                request,
                _("Your company is registered and waits for vetting. Upload its registration certificate now."),
            )
            return redirect("suppliers:company")
    return render(request, "suppliers/register.html", {"form": form})


@login_required
def company_edit(request):
    membership = selectors.membership_for_user(request.user)
    if membership is None:
        return redirect("suppliers:register")
    supplier = membership.supplier
    require(request.user, "suppliers.change_company", supplier)
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.supplier_update(
                supplier=supplier,
                actor=request.user,
                data=form.service_data(),
                classifications=form.cleaned_data["classifications"],
            )
        if not refused:
            messages.success(request, _("The company profile is saved."))
            return redirect("suppliers:company")
    return render(request, "suppliers/company_edit.html", {"form": form, "supplier": supplier})


@require_POST
@login_required
def company_resubmit(request):
    membership = selectors.membership_for_user(request.user)
    if membership is None:
        raise Http404
    supplier = membership.supplier
    require(request.user, "suppliers.resubmit_company", supplier)
    with refusal(request) as refused:
        services.supplier_resubmit(supplier=supplier, actor=request.user)
    if not refused:
        messages.success(request, _("Sent back for vetting. You will be told of the decision."))
    return redirect("suppliers:company")


@require_POST
@login_required
def document_upload(request):
    membership = selectors.membership_for_user(request.user)
    if membership is None:
        raise Http404
    supplier = membership.supplier
    require(request.user, "suppliers.upload_document", supplier)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal(request, form) as refused:
            services.document_upload(
                supplier=supplier,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        if not refused:
            messages.success(request, _("The document is uploaded."))
            return redirect("suppliers:company")
    messages.error(request, _("The document was not uploaded."))
    return render(
        request,
        "suppliers/document_upload.html",
        {"form": form, "supplier": supplier},
        status=422,
    )


def _visible_document(request, pk: int) -> SupplierDocument:
    document = get_object_or_404(SupplierDocument.objects.select_related("supplier"), pk=pk)
    if not request.user.has_perm("suppliers.view_document", document):
        # Another company's document: as if it did not exist.
        raise Http404
    return document


@login_required
def document_download(request, pk: int):
    """Streams the file as an attachment. Documents are never reachable under MEDIA_URL."""
    document = _visible_document(request, pk)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["Content-Type"] = document.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def document_delete(request, pk: int):
    document = _visible_document(request, pk)
    require(request.user, "suppliers.delete_document", document)
    with refusal(request) as refused:
        services.document_delete(document=document, actor=request.user)
    if not refused:
        messages.success(request, _("The document is removed."))
    return redirect("suppliers:company")


# --- members ----------------------------------------------------------------------------------------


@login_required
def members(request):
    membership = selectors.membership_for_user(request.user)
    if membership is None:
        return redirect("suppliers:register")
    supplier = membership.supplier
    require(request.user, "suppliers.view_members", supplier)
    can_manage = request.user.has_perm("suppliers.manage_members", supplier)
    form = InvitationForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            with refusal(request, form) as refused:
                invitation = services.member_invite(
                    supplier=supplier,
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            if not refused:
                messages.success(
                    request,
                    _("%(email)s is invited. The invitation is accepted when they sign in with that address.")
                    % {"email": invitation.email},
                )
                return redirect("suppliers:members")
    context = {
        "supplier": supplier,
        "membership": membership,
        "members": selectors.supplier_members(supplier=supplier),
        "invitations": selectors.supplier_open_invitations(supplier=supplier) if can_manage else [],
        "form": form,
        "can_manage": can_manage,
        "role_choices": SupplierMember.Role.choices,
    }
    return render(request, "suppliers/members.html", context)


def _managed_member(request, pk: int) -> SupplierMember:
    member = get_object_or_404(SupplierMember.objects.select_related("user", "supplier"), pk=pk)
    if not request.user.has_perm("suppliers.manage_member", member):
        raise Http404
    return member


@require_POST
@login_required
def member_role(request, pk: int):
    member = _managed_member(request, pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        with refusal(request) as refused:
            services.member_set_role(member=member, actor=request.user, role=form.cleaned_data["role"])
        if not refused:
            messages.success(request, _("The role of %(email)s is changed.") % {"email": member.user.email})
    return redirect("suppliers:members")


@require_POST
@login_required
def member_remove(request, pk: int):
    member = _managed_member(request, pk)
    with refusal(request) as refused:
        services.member_remove(member=member, actor=request.user)
    if not refused:
        messages.success(request, _("%(email)s is no longer a member.") % {"email": member.user.email})
    return redirect("suppliers:members")


@require_POST
@login_required
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(SupplierInvitation, pk=pk)
    if not request.user.has_perm("suppliers.manage_member", invitation):
        raise Http404
    with refusal(request) as refused:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    if not refused:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("suppliers:members")


def invitation(request, token: str):
    """The link in the invitation mail: explains what to do, and accepts for the invited address."""
    invitation = get_object_or_404(SupplierInvitation.objects.select_related("supplier"), token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={invitation.get_absolute_url()}")
        with refusal(request) as refused:
            services.invitation_accept(invitation=invitation, user=request.user)
        if not refused:
            messages.success(request, _("Welcome to %(company)s.") % {"company": invitation.supplier.name})
            return redirect("suppliers:company")
    return render(request, "suppliers/invitation.html", {"invitation": invitation})


# --- vetting (platform admins; auditors read) -------------------------------------------------------


@login_required
def vetting_queue(request):
    require(request.user, "suppliers.view_vetting")
    vetting_filter = VettingFilter(request.GET, queryset=selectors.vetting_queue())
    page = Paginator(vetting_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/vetting_queue.html", {"filter": vetting_filter, "page_obj": page})


@login_required
def vetting_detail(request, pk: int):
    require(request.user, "suppliers.view_vetting")
    supplier = get_object_or_404(Supplier.objects.prefetch_related("classifications"), pk=pk)
    can_vet = request.user.has_perm("suppliers.vet_supplier")
    allowed = Supplier.TRANSITIONS[supplier.status]
    decisions = []
    if can_vet:
        for name, label, target, needs_reason, from_statuses in (
            ("approve", _("Approve"), Supplier.Status.APPROVED, False, {Supplier.Status.PENDING}),
            ("request_changes", _("Request changes"), Supplier.Status.CHANGES_REQUESTED, True, None),
            ("reject", _("Reject"), Supplier.Status.REJECTED, True, None),
            ("suspend", _("Suspend"), Supplier.Status.SUSPENDED, True, None),
            ("reinstate", _("Reinstate"), Supplier.Status.APPROVED, False, {Supplier.Status.SUSPENDED}),
        ):
            if target in allowed and (from_statuses is None or supplier.status in from_statuses):
                form_class = ReasonForm if needs_reason else OptionalReasonForm
                decisions.append(
                    {"name": name, "label": label, "form": form_class(prefix=name) if needs_reason else None}
                )
    context = {
        "supplier": supplier,
        "documents": selectors.supplier_documents(supplier=supplier),
        "members": selectors.supplier_members(supplier=supplier),
        "history": supplier.status_changes.select_related("actor"),
        "sanctions": supplier.sanctions.select_related("recorded_by", "lifted_by").order_by("-starts_on"),
        "eligibility": selectors.supplier_eligibility(supplier=supplier),
        "decisions": decisions,
        "can_vet": can_vet,
        "can_sanction": request.user.has_perm("suppliers.record_sanction"),
        "can_lift": request.user.has_perm("suppliers.lift_sanction"),
    }
    return render(request, "suppliers/vetting_detail.html", context)


@require_POST
@login_required
def vetting_decide(request, pk: int, decision: str):
    require(request.user, "suppliers.vet_supplier")
    supplier = get_object_or_404(Supplier, pk=pk)
    if decision not in services.DECISIONS:
        raise Http404
    service, needs_reason = services.DECISIONS[decision]
    reason = request.POST.get(f"{decision}-reason", request.POST.get("reason", ""))
    with refusal(request) as refused:
        if needs_reason or decision == "reinstate":
            service(supplier=supplier, actor=request.user, reason=reason)
        else:
            service(supplier=supplier, actor=request.user)
    if not refused:
        supplier.refresh_from_db()
        messages.success(
            request,
            _("%(company)s is now “%(status)s”. The company is told.")
            % {"company": supplier.name, "status": supplier.get_status_display()},
        )
    return redirect("suppliers:vetting_detail", pk=supplier.pk)


@login_required
def sanction_add(request, pk: int):
    require(request.user, "suppliers.record_sanction")
    supplier = get_object_or_404(Supplier, pk=pk)
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.sanction_record(supplier=supplier, actor=request.user, **form.cleaned_data)
        if not refused:
            messages.success(request, _("The sanction is recorded and published in the register."))
            return redirect("suppliers:vetting_detail", pk=supplier.pk)
    return render(request, "suppliers/sanction_form.html", {"form": form, "supplier": supplier})


@require_POST
@login_required
def sanction_lift(request, pk: int):
    require(request.user, "suppliers.lift_sanction")
    sanction = get_object_or_404(Sanction, pk=pk)
    form = ReasonForm(request.POST, prefix="lift")
    if form.is_valid():
        with refusal(request) as refused:
            services.sanction_lift(sanction=sanction, actor=request.user, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, _("The sanction is lifted."))
    else:
        messages.error(request, _("Give a reason for lifting the sanction."))
    return redirect("suppliers:vetting_detail", pk=sanction.supplier_id)
