"""Tender pages: thin views that check a permission, call a selector or service and render."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.pagination import EstimatedCountPaginator
from procurement.permissions import require
from procurement.sealing import KEY_BYTES, b64decode
from procurement.web import refusal, run_action
from suppliers.selectors import supplier_for_user

from . import selectors, services
from .filters import TenderFilter
from .forms import (
    AmendmentForm,
    AnswerForm,
    InvitationForm,
    ObserverInviteForm,
    QuestionForm,
    ReasonForm,
    SubscriptionForm,
    TenderCustodiansForm,
    TenderDocumentForm,
    TenderForm,
    default_timeline,
)
from .models import Clarification, Custodian, ObserverInvitation, Subscription, Tender, TenderDocument
from .policies import evaluation_policy


def home(request):
    return render(request, "home.html", {"latest_tenders": selectors.tenders_latest_published()})


# --- public pages ----------------------------------------------------------------------------------


def tender_list(request):
    tender_filter = TenderFilter(request.GET, queryset=selectors.with_classifications(selectors.tenders_public()))
    page = EstimatedCountPaginator(tender_filter.qs, settings.TENDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tenders/tender_list.html", {"filter": tender_filter, "page_obj": page})


def service_status(request):
    """Public: when the portal was unavailable or degraded, and which deadlines that moved."""
    return render(request, "tenders/service_status.html", {"status": selectors.service_status()})


def _visible_tender(request, pk: int) -> Tender:
    return selectors.tender_get_visible(user=request.user, tender_id=pk)


def tender_detail(request, pk: int):
    tender = _visible_tender(request, pk)
    user = request.user
    can_answer = user.has_perm("tenders.answer_clarification", tender)
    context = {
        "tender": tender,
        "documents": tender.documents.all(),
        "clarifications": tender.clarifications.all() if can_answer else selectors.clarifications_public(tender),
        "can_answer": can_answer,
        "answer_form": AnswerForm() if can_answer else None,
        "question_form": QuestionForm() if user.has_perm("tenders.ask_clarification", tender) else None,
        "is_following": selectors.tender_is_followed_by(tender=tender, user=user),
        "can_follow": user.has_perm("tenders.follow_tender", tender),
        "manages": user.has_perm("tenders.answer_clarification", tender)
        or selectors.official_entity(user) == tender.entity,
        "invitations": tender.invitations.select_related("supplier") if tender.is_invitation_only else [],
        "evaluation_params": tender.evaluation_params,
        "procedure": evaluation_policy(tender.evaluation_method),
        "perms_for": {
            name: user.has_perm(f"tenders.{name}_tender", tender)
            for name in (
                "change",
                "publish",
                "submit",
                "approve",
                "return",
                "amend",
                "cancel",
                "mark_unsuccessful",
                "retender",
            )
        },
        "version_count": tender.versions.count(),
        "TIME_ZONE": settings.TIME_ZONE,
    }
    return render(request, "tenders/tender_detail.html", context)


def tender_versions(request, pk: int):
    tender = _visible_tender(request, pk)
    return render(
        request,
        "tenders/tender_versions.html",
        {"tender": tender, "versions": selectors.tender_versions_with_diffs(tender)},
    )


def tender_document_download(request, pk: int, document_id: int):
    """Public once the tender is published; while drafting only the entity's officials (and auditors)."""
    tender = _visible_tender(request, pk)
    document = get_object_or_404(TenderDocument, pk=document_id, tender=tender)
    if not request.user.has_perm("tenders.view_tender", tender):
        raise Http404
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["Content-Type"] = document.content_type
    return response


@require_POST
@login_required
def tender_follow(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.follow_tender", tender)
    follow = request.POST.get("follow") != "0"
    services.tender_follow(tender=tender, user=request.user, follow=follow)
    messages.success(
        request,
        _("You will be told about amendments, answers and the outcome.") if follow else _("You no longer follow it."),
    )
    return redirect("tenders:detail", pk=tender.pk)


@require_POST
@login_required
def clarification_ask(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.ask_clarification", tender)
    form = QuestionForm(request.POST)
    if form.is_valid():
        with refusal(request) as refused:
            services.clarification_ask(tender=tender, actor=request.user, question=form.cleaned_data["question"])
        if not refused:
            messages.success(request, _("Your question was sent. The answer will be published on this page."))
    else:
        messages.error(request, _("Write your question."))
    return redirect(reverse("tenders:detail", args=[tender.pk]) + "#questions")


# --- officials -----------------------------------------------------------------------------------


def _form_page(request, *, title: str, form, tender=None, intro: str = "", submit_label: str = "", confirm: str = ""):
    return render(
        request,
        "tenders/form_page.html",
        {
            "page_title": title,
            "form": form,
            "tender": tender,
            "intro": intro,
            "submit_label": submit_label,
            "confirm": confirm,
        },
    )


@login_required
def workspace(request):
    require(request.user, "tenders.view_workspace")
    entity = selectors.official_entity(request.user)
    groups = [
        (status, label, [(t, selectors.workspace_next_action(t, user=request.user)) for t in tenders])
        for status, label, tenders in selectors.workspace_for_entity(entity)
    ]
    return render(request, "tenders/workspace.html", {"entity": entity, "groups": groups})


@login_required
def tender_create(request):
    require(request.user, "tenders.add_tender")
    if request.method == "POST":
        form = TenderForm(request.POST)
        if form.is_valid():
            with refusal(request, form) as refused:
                tender = services.tender_create(
                    actor=request.user,
                    data=form.service_data(),
                    classifications=form.cleaned_data.get("classifications"),
                )
            if not refused:
                messages.success(request, _("Draft saved. Attach the documents, then publish."))
                return redirect("tenders:detail", pk=tender.pk)
    else:
        form = TenderForm(initial=default_timeline())
    return render(request, "tenders/tender_form.html", {"form": form, "tender": None})


@login_required
def tender_edit(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.change_tender", tender)
    if request.method == "POST":
        form = TenderForm(request.POST, instance=tender)
        if form.is_valid():
            with refusal(request, form) as refused:
                services.tender_update_draft(
                    tender=tender,
                    actor=request.user,
                    data=form.service_data(),
                    classifications=form.cleaned_data.get("classifications"),
                )
            if not refused:
                messages.success(request, _("Draft saved."))
                return redirect("tenders:detail", pk=tender.pk)
    else:
        form = TenderForm(instance=Tender.objects.get(pk=tender.pk))
    return render(request, "tenders/tender_form.html", {"form": form, "tender": tender})


def _publish_or_show_why(request, tender: Tender, publish, done: str):
    """Field problems of a draft go back onto its form; any other refusal is a message on the tender."""
    form = TenderForm(instance=Tender.objects.get(pk=tender.pk))
    with refusal(request, form) as refused:
        publish()
    if not refused:
        tender.refresh_from_db()
        messages.success(request, done % {"reference": tender.reference})
    elif tender.status == Tender.Status.DRAFT and refused.error.field:
        messages.error(request, _("The tender cannot be published yet: correct the fields marked below."))
        return render(request, "tenders/tender_form.html", {"form": form, "tender": tender}, status=422)
    else:
        messages.error(request, str(refused.error.message))
    return redirect("tenders:detail", pk=tender.pk)


def _sealing_from_post(request) -> services.TenderSealing:
    try:
        data = json.loads(request.POST.get("sealing") or "null")
    except ValueError:
        data = None
    return services.tender_sealing_parse(data)


def _publication_page(request, tender: Tender, *, approve: bool):
    """The key ceremony runs on this page, in the publishing official's browser (static/js/publish.mjs)."""
    tender = services.tender_reference_assign(tender=tender)
    return render(
        request,
        "tenders/tender_publish.html",
        {
            "tender": tender,
            "approve": approve,
            "custodians": selectors.tender_custodians(tender),
            "ceremony": selectors.tender_ceremony_material(tender),
        },
    )


@login_required
def tender_publish(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.publish_tender", tender)
    if request.method != "POST":
        return _publication_page(request, tender, approve=False)
    return _publish_or_show_why(
        request,
        tender,
        lambda: services.tender_publish(tender=tender, actor=request.user, sealing=_sealing_from_post(request)),
        _("Published as %(reference)s."),
    )


@require_POST
@login_required
def tender_submit(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.submit_tender", tender)
    return _publish_or_show_why(
        request,
        tender,
        lambda: services.tender_submit_for_approval(tender=tender, actor=request.user),
        _("Submitted for approval. An approving official has been told."),
    )


@login_required
def tender_approve(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.approve_tender", tender)
    if request.method != "POST":
        return _publication_page(request, tender, approve=True)
    with refusal(request) as refused:
        tender = services.tender_approve(tender=tender, actor=request.user, sealing=_sealing_from_post(request))
    if not refused:
        messages.success(request, _("Approved and published as %(reference)s.") % {"reference": tender.reference})
    return redirect("tenders:detail", pk=tender.pk)


def _reason_action(request, pk: int, *, perm: str, service, title: str, intro: str, submit: str, done: str):
    tender = _visible_tender(request, pk)
    require(request.user, perm, tender)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            service(tender=tender, actor=request.user, reason=form.cleaned_data["reason"])
        if not refused:
            messages.success(request, done)
            return redirect("tenders:detail", pk=tender.pk)
    return _form_page(request, title=title, form=form, tender=tender, intro=intro, submit_label=submit, confirm=intro)


@login_required
def tender_return(request, pk: int):
    return _reason_action(
        request,
        pk,
        perm="tenders.return_tender",
        service=services.tender_return_to_draft,
        title=_("Return to draft"),
        intro=_("The tender goes back to its drafter with your reason."),
        submit=_("Return to draft"),
        done=_("The tender is a draft again."),
    )


@login_required
def tender_cancel(request, pk: int):
    return _reason_action(
        request,
        pk,
        perm="tenders.cancel_tender",
        service=services.tender_cancel,
        title=_("Cancel the tender"),
        intro=_(
            "The reason is published on the tender's page. Bids already submitted stay sealed. This cannot be undone."
        ),
        submit=_("Cancel the tender"),
        done=_("The tender was cancelled."),
    )


@login_required
def tender_mark_unsuccessful(request, pk: int):
    return _reason_action(
        request,
        pk,
        perm="tenders.mark_unsuccessful_tender",
        service=services.tender_mark_unsuccessful,
        title=_("Mark as unsuccessful"),
        intro=_("Use this when there is no valid bid. The reason is published. You can re-tender afterwards."),
        submit=_("Mark as unsuccessful"),
        done=_("The tender was marked unsuccessful."),
    )


@require_POST
@login_required
def tender_retender(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.retender_tender", tender)
    with refusal(request) as refused:
        copy = services.tender_retender(tender=tender, actor=request.user)
    if refused:
        return redirect("tenders:detail", pk=tender.pk)
    messages.success(
        request,
        _("A new draft was copied from %(reference)s: set its timeline and publish it.")
        % {"reference": tender.reference},
    )
    return redirect("tenders:edit", pk=copy.pk)


@login_required
def tender_amend(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.amend_tender", tender)
    if request.method == "POST":
        form = AmendmentForm(request.POST, request.FILES, tender=tender)
        if form.is_valid():
            with refusal(request, form) as refused:
                # A new reserve draw, made and sealed in this browser when the base changes (amend.mjs).
                try:
                    raw_reserve = json.loads(request.POST.get("reserve_prices") or "null")
                except ValueError:
                    raw_reserve = {"ciphertext": None}
                result = services.tender_amend(
                    tender=tender,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    data=form.service_data(),
                    classifications=form.cleaned_data.get("classifications"),
                    new_document=form.cleaned_data.get("new_document"),
                    new_document_title=form.cleaned_data.get("new_document_title", ""),
                    new_document_kind=form.cleaned_data.get("new_document_kind") or TenderDocument.Kind.SPECIFICATION,
                    reserve_prices=services.reserve_sealing_parse(raw_reserve),
                )
            if not refused:
                messages.success(
                    request, _("Amendment %(number)s published.") % {"number": result.version.amendment_number}
                )
                return redirect("tenders:detail", pk=tender.pk)
    else:
        form = AmendmentForm(tender=tender)
    return render(
        request,
        "tenders/tender_amend.html",
        {"form": form, "tender": tender, "redraw": selectors.tender_redraw_material(tender)},
    )


@login_required
def tender_document_add(request, pk: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.change_tender", tender)
    form = TenderDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.tender_document_add(
                tender=tender,
                actor=request.user,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )
        if not refused:
            messages.success(request, _("Document attached."))
            return redirect(reverse("tenders:detail", args=[tender.pk]) + "#documents")
    return _form_page(
        request,
        title=_("Attach a document"),
        form=form,
        tender=tender,
        intro=_("Documents are private while the tender is a draft and public once it is published."),
        submit_label=_("Attach"),
    )


@require_POST
@login_required
def tender_document_remove(request, pk: int, document_id: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.change_tender", tender)
    document = get_object_or_404(TenderDocument, pk=document_id, tender=tender)
    return run_action(
        request,
        redirect(reverse("tenders:detail", args=[tender.pk]) + "#documents"),
        lambda: services.tender_document_remove(document=document, actor=request.user),
        _("Document removed."),
    )


@login_required
def tender_invitations(request, pk: int):
    tender = _visible_tender(request, pk)
    if not (
        request.user.has_perm("tenders.change_tender", tender) or request.user.has_perm("tenders.amend_tender", tender)
    ):
        raise PermissionDenied
    current = [i.supplier for i in tender.invitations.select_related("supplier")]
    form = InvitationForm(request.POST or None, initial={"suppliers": current})
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.tender_invitations_set(tender=tender, actor=request.user, suppliers=form.cleaned_data["suppliers"])
        if not refused:
            messages.success(request, _("Invitations saved."))
            return redirect("tenders:detail", pk=tender.pk)
    return _form_page(
        request,
        title=_("Invited suppliers"),
        form=form,
        tender=tender,
        intro=_("Only invited suppliers are told about a restricted or limited tender, and only they may bid."),
    )


@require_POST
@login_required
def clarification_answer(request, pk: int, clarification_id: int):
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.answer_clarification", tender)
    clarification = get_object_or_404(Clarification, pk=clarification_id, tender=tender)
    form = AnswerForm(request.POST)
    if form.is_valid():
        with refusal(request) as refused:
            services.clarification_answer(
                clarification=clarification, actor=request.user, answer=form.cleaned_data["answer"]
            )
        if not refused:
            messages.success(request, _("Answer published."))
    else:
        messages.error(request, _("Write the answer."))
    return redirect(reverse("tenders:detail", args=[tender.pk]) + f"#q{clarification.pk}")


# --- suppliers' alerts ---------------------------------------------------------------------------


@login_required
def alerts(request):
    require(request.user, "tenders.manage_subscription")
    supplier = supplier_for_user(request.user)
    subscription = Subscription.objects.filter(supplier=supplier).first()
    initial = (
        {
            "is_active": subscription.is_active,
            "classifications": list(subscription.classifications.all()),
            "entities": list(subscription.entities.all()),
        }
        if subscription
        else {"is_active": True}
    )
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(
            supplier=supplier,
            actor=request.user,
            classifications=list(form.cleaned_data.get("classifications") or []),
            entities=list(form.cleaned_data["entities"]),
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("Your alerts were saved."))
        return redirect("tenders:alerts")
    return _form_page(
        request,
        title=_("Alerts"),
        form=form,
        intro=_(
            "Every member of %(company)s is notified when a tender is published in these classifications "
            "or by these procuring entities."
        )
        % {"company": supplier.name},
    )


@login_required
def tender_custodians(request, pk: int):
    """Name the draft's key custodians and k (fixed at publication: the shares are sealed to them)."""
    tender = _visible_tender(request, pk)
    require(request.user, "tenders.change_tender", tender)
    eligible = selectors.custodians_eligible(tender).order_by("kind", "id")
    form = TenderCustodiansForm(
        request.POST or None,
        eligible=eligible,
        chosen=[tc.custodian_id for tc in tender.custodians.all()],
        threshold=tender.custodian_threshold,
    )
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.tender_custodians_set(
                tender=tender,
                actor=request.user,
                custodian_ids=[c.pk for c in form.cleaned_data["custodians"]],
                threshold=form.cleaned_data["custodian_threshold"],
            )
        if not refused:
            messages.success(request, _("Key custodians saved."))
            return redirect("tenders:detail", pk=tender.pk)
    return _form_page(
        request,
        title=_("Key custodians"),
        form=form,
        tender=tender,
        intro=_(
            "The tender's key is split among these custodians at publication; any this many of them together "
            "open the bids after the deadline, and fewer cannot. Name at least two people besides the platform "
            "if the platform is one of them. Someone missing? Officials and auditors enrol on the key custodian "
            "page; invite outside observers there too."
        ),
        submit_label=_("Save the custodians"),
    )


@login_required
def custodian_defaults(request):
    """The custodians and k each new draft of the official's entity starts from."""
    require(request.user, "tenders.invite_observer")
    entity = selectors.official_entity(request.user)
    platform = services.custodian_platform_ensure()
    eligible = selectors.custodians_eligible_for_entity(entity.pk).exclude(kind=Custodian.Kind.PLATFORM)
    form = TenderCustodiansForm(
        request.POST or None,
        eligible=eligible.order_by("kind", "id"),
        chosen=list(entity.default_custodians.values_list("pk", flat=True)),
        threshold=entity.default_custodian_threshold,
    )
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.entity_custodian_defaults_set(
                actor=request.user,
                custodian_ids=[c.pk for c in form.cleaned_data["custodians"]],
                threshold=form.cleaned_data["custodian_threshold"],
            )
        if not refused:
            messages.success(request, _("The default key custodians were saved. They apply to new drafts."))
            return redirect("tenders:custodian")
    intro = _(
        "New drafts of %(entity)s name these key custodians and need this many of them to open. "
        "Officials change them per draft before publication."
    ) % {"entity": entity.name}
    if platform is not None:
        intro += " " + _("The platform is always one of them; count it in the number needed.")
    return _form_page(
        request, title=_("Default key custodians"), form=form, intro=intro, submit_label=_("Save the defaults")
    )


@login_required
def observer_invitations(request):
    """The entity's outside observers: invite one by email, see who accepted, withdraw an invitation."""
    require(request.user, "tenders.invite_observer")
    entity = selectors.official_entity(request.user)
    form = ObserverInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            invitation = services.observer_invite(actor=request.user, email=form.cleaned_data["email"])
        if not refused:
            messages.success(request, _("%(email)s is invited.") % {"email": invitation.email})
            return redirect("tenders:observers")
    return render(
        request,
        "tenders/observers.html",
        {"entity": entity, "form": form, "invitations": selectors.observer_invitations_of(entity)},
    )


@require_POST
@login_required
def observer_invitation_revoke(request, pk: int):
    require(request.user, "tenders.invite_observer")
    entity = selectors.official_entity(request.user)
    invitation = get_object_or_404(ObserverInvitation, pk=pk, entity=entity)
    return run_action(
        request,
        redirect("tenders:observers"),
        lambda: services.observer_invitation_revoke(invitation=invitation, actor=request.user),
        _("The invitation was withdrawn."),
    )


def observer_invitation(request, token: str):
    """The link in the invitation mail: explains what an observer does, and accepts for the invited address."""
    invitation = get_object_or_404(ObserverInvitation.objects.select_related("entity"), token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={invitation.get_absolute_url()}")
        with refusal(request) as refused:
            services.observer_accept(invitation=invitation, user=request.user)
        if not refused:
            messages.success(
                request,
                _("You are an outside observer of %(entity)s. Enrol your key to be named on its tenders.")
                % {"entity": invitation.entity.name},
            )
            return redirect("tenders:custodian")
    return render(request, "tenders/observer_invitation.html", {"invitation": invitation})


@login_required
def custodian_enrol(request):
    """Enrol as a key custodian: the key pair is made and passphrase-encrypted in this browser
    (static/js/custodian.mjs); only the public key and the encrypted private key are posted."""
    current = selectors.custodian_of(request.user)
    if request.method == "POST":
        with refusal(request) as refused:
            try:
                public_key = b64decode(request.POST.get("public_key", ""), size=KEY_BYTES)
                blob = json.loads(request.POST.get("sealed_private_key") or "null")
            except ValueError:
                public_key, blob = b"", None
            services.custodian_enrol(user=request.user, public_key=public_key, sealed_private_key=blob or {})
        if not refused:
            messages.success(request, _("You are enrolled as a key custodian. Keep your passphrase safe."))
            return redirect("tenders:custodian")
    return render(
        request,
        "tenders/custodian.html",
        {
            "current": current,
            "may_hold": request.user.has_perm("tenders.hold_tender_keys"),
            "may_invite": request.user.has_perm("tenders.invite_observer"),
            "shares": selectors.custodian_shares_of(request.user)[:50],
            "now": timezone.now(),
        },
    )
