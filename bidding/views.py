"""Bid pages: thin views that check a permission, call a selector or service and render."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from integrity.services import bid_origin_writer
from procurement.parsers import json_loads_bounded
from procurement.permissions import require
from procurement.sealing import SHARE_BYTES, b64decode, b64encode
from procurement.web import refusal
from suppliers.selectors import supplier_for_user
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.selectors import tender_get_visible

from . import charts, receipts, selectors, services
from .content import MAX_DOCUMENTS, MAX_LINES, MAX_PRICE, currency_exponent
from .forms import BidForm, SealedBidForm, VerifyForm, WithdrawForm
from .models import Bid, BidVersion, OpenedBid, OpenedDocument
from .uploads import RETRY_AFTER_SECONDS, SealedUploadHandler

OPENING_POLL_LEAD = timedelta(minutes=5)
# Fields of the bid as typed: the page seals them in the browser and must never post them.
PLAINTEXT_FIELDS = ("price", "lines", "reserve_picks", "no_conflict_of_interest", "no_collusion")


# --- submitting ----------------------------------------------------------------------------------------


@csrf_exempt  # CSRF is checked by _bid_form below, after the upload handlers are replaced
@sensitive_post_parameters(*PLAINTEXT_FIELDS)
@login_required
def bid_form(request, tender_id: int):
    """Submit or replace a bid. The page checks, confirms and seals the bid in the browser and posts
    only ciphertexts and the salted hash; uploads stay in memory with their size limit (the handlers
    are swapped before the body is read, so CSRF protection moves inside)."""
    upload_handler = SealedUploadHandler(request)
    request.upload_handlers = [upload_handler]
    try:
        return _bid_form(request, tender_id, upload_handler)
    finally:
        upload_handler.release()


@csrf_protect
def _bid_form(request, tender_id: int, upload_handler: SealedUploadHandler):
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.submit_bid")
    eligibility = selectors.bid_eligibility(tender=tender, user=request.user)
    existing = selectors.bid_of_supplier(tender=tender, supplier=eligibility.supplier)
    if existing is not None and existing.is_withdrawn:
        messages.error(request, _("Your company withdrew its bid on this tender; it cannot bid again."))
        return redirect(existing)
    if not eligibility:
        return render(
            request,
            "bidding/bid_form.html",
            {"tender": tender, "form": None, "reasons": eligibility.reasons, "existing": existing},
            status=403 if request.method == "POST" else 200,
        )
    form = BidForm(tender=tender)
    if request.method == "POST":
        sealed_form = SealedBidForm(request.POST, request.FILES)
        if upload_handler.over_budget:
            busy = _("The portal is receiving many documents right now. Nothing was submitted; try again in a minute.")
            response = render(
                request,
                "bidding/bid_form.html",
                {"tender": tender, "form": None, "existing": existing, "reasons": [], "busy": busy},
                status=503,
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        problem = ""
        if any(name in request.POST for name in PLAINTEXT_FIELDS):
            problem = _("The bid must be sealed in your browser: turn on JavaScript and try again.")
        elif upload_handler.refused or upload_handler.request_too_large:
            problem = _("A document is larger than the limit; nothing was submitted.")
        elif not sealed_form.is_valid():
            problem = _("The sealed bid was incomplete; nothing was submitted. Try again.")
        else:
            with refusal(request) as refused:
                result = services.bid_submit(
                    tender=tender,
                    supplier=eligibility.supplier,
                    actor=request.user,
                    sealed=sealed_form.sealed_submission(),
                    idempotency_key=sealed_form.cleaned_data["idempotency_key"],
                    also=bid_origin_writer(request),
                )
            if not refused:
                if result.created:
                    messages.success(request, _("Your sealed bid was received. Keep the receipt."))
                else:
                    messages.info(request, _("This bid had already been received; here is its receipt."))
                return redirect("bidding:receipt", result.version.pk)
        if problem:
            messages.error(request, problem)
    return render(
        request,
        "bidding/bid_form.html",
        {
            "tender": tender,
            "form": form,
            "existing": existing,
            "reasons": [],
            "sealing": bid_page_sealing(tender=tender, supplier=eligibility.supplier, form=form),
        },
    )


def bid_page_sealing(*, tender: Tender, supplier, form: BidForm) -> dict:
    """What the bid page's script needs to check and seal a bid (public data, messages in the
    reader's language). The same rules as bidding.content, which opening applies again."""
    return {
        "public_key": b64encode(bytes(tender.public_key)),
        "tender": tender.reference,
        "supplier": supplier.pk,
        "currency": tender.currency,
        "exponent": currency_exponent(tender.currency),
        "max_price": str(MAX_PRICE),
        "max_lines": MAX_LINES,
        "reserve_count": form.reserve_count,
        "picks_required": form.picks_required,
        "needs_documents": evaluation_policy(tender.evaluation_method).needs_technical_proposal,
        "max_documents": MAX_DOCUMENTS,
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "envelopes": tender.envelopes,
        "messages": {
            "amount": _("Enter the amount as a number."),
            "positive": _("The amount must be more than zero."),
            "too_large": _("The amount is too large."),
            "whole": _("Amounts in %(currency)s are whole numbers.") % {"currency": tender.currency},
            "decimals": _("Use at most two decimals."),
            "line_description": _("Line %(n)s needs a description."),
            "line_numbers": _("Line %(n)s: check the quantity and unit price."),
            "lines_sum": _("The price lines add up to %(sum)s, not to the total price %(total)s."),
            "too_many_lines": _("At most %(n)s price lines.") % {"n": MAX_LINES},
            "declarations": _("Confirm both declarations (no conflict of interest, no collusion) to submit a bid."),
            "picks": _("Pick exactly %(n)s of the %(count)s reserve prices.")
            % {"n": form.picks_required or 0, "count": form.reserve_count or 0},
            "too_many_documents": _("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
            "needs_documents": _("Attach your technical proposal."),
            "document_too_large": _("A document is larger than the limit; nothing was submitted."),
            "failed": _("The bid could not be sent. Nothing was submitted; try again."),
            # The currency after an amount in Korean words (원); not the "won" of a won tender.
            "won": pgettext("currency after an amount in words", "won"),
        },
    }


@login_required
def my_bids(request):
    require(request.user, "bidding.view_own_bids")
    supplier = supplier_for_user(request.user)
    page = Paginator(selectors.bids_of_supplier(supplier=supplier), 20).get_page(request.GET.get("page"))
    return render(request, "bidding/my_bids.html", {"page_obj": page, "supplier": supplier})


def _readable_bid(request, bid_id: int) -> Bid:
    bid = get_object_or_404(Bid.objects.select_related("tender", "supplier", "current_version"), pk=bid_id)
    if not request.user.has_perm("bidding.read_bid", bid):
        raise Http404  # not 403: before opening, not even the existence of a bid is disclosed
    return bid


@login_required
def bid_detail(request, bid_id: int):
    bid = _readable_bid(request, bid_id)
    return render(
        request,
        "bidding/bid_detail.html",
        {
            "bid": bid,
            "tender": bid.tender,
            "versions": selectors.bid_versions(bid),
            "can_withdraw": request.user.has_perm("bidding.withdraw_bid", bid),
            "can_replace": bid.status == Bid.Status.SUBMITTED and request.user.has_perm("bidding.withdraw_bid", bid),
            "withdraw_form": WithdrawForm(),
            "opened": OpenedBid.objects.filter(bid=bid).prefetch_related("documents").first(),
            "cures": bid.cure_requests.order_by("-requested_at"),
        },
    )


@require_POST
@login_required
def bid_withdraw(request, bid_id: int):
    bid = _readable_bid(request, bid_id)
    if not request.user.has_perm("bidding.withdraw_bid", bid):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the withdrawal."))
        return redirect(bid)
    with refusal(request) as refused:
        services.bid_withdraw(bid=bid, actor=request.user)
    if refused:
        return redirect(bid)
    messages.success(request, _("Your bid was withdrawn. Keep the withdrawal receipt."))
    return redirect("bidding:withdrawal_receipt", bid.pk)


# --- receipts ---------------------------------------------------------------------------------------


def _version_receipt(request, version_id: int) -> receipts.Receipt:
    version = get_object_or_404(BidVersion.objects.select_related("bid", "bid__tender", "bid__supplier"), pk=version_id)
    if not request.user.has_perm("bidding.read_bid", version.bid):
        raise Http404
    return receipts.receipt_for_version(version)


def _withdrawal_receipt(request, bid_id: int) -> receipts.Receipt:
    bid = _readable_bid(request, bid_id)
    if bid.withdrawn_at is None:
        raise Http404
    return receipts.receipt_for_withdrawal(bid)


def _receipt_response(request, receipt: receipts.Receipt, fmt: str):
    if fmt not in ("html", "json", "pdf"):
        raise Http404
    filename = f"receipt-{receipt.tender_reference}-{receipt.kind}-v{receipt.version_number}"
    if fmt == "json":
        response = HttpResponse(receipts.receipt_json_text(receipt), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    if fmt == "pdf":
        response = HttpResponse(receipts.receipt_pdf(receipt), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    return render(request, "bidding/receipt.html", {"receipt": receipt, "tender": receipt.bid.tender})


@login_required
def receipt(request, version_id: int, fmt: str = "html"):
    return _receipt_response(request, _version_receipt(request, version_id), fmt)


@login_required
def withdrawal_receipt(request, bid_id: int, fmt: str = "html"):
    return _receipt_response(request, _withdrawal_receipt(request, bid_id), fmt)


# --- public: opening record, progress, verification -------------------------------------------------


def opening(request, tender_id: int):
    """The tender's public bid record: nothing before the deadline, the commitments after it, and
    the full opening record once opened."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.view_opening", tender)
    record = selectors.tender_opening(tender)
    closing = selectors.tender_closing(tender)
    context = {
        "tender": tender,
        "record": record,
        "closing": closing,
        "can_open": record is None and selectors.open_now_offered(user=request.user, tender=tender),
        "progress": selectors.opening_progress(tender.pk) if record is None else None,
        "poll": record is None and _opening_is_near(tender),
        "quorum": selectors.key_share_progress(tender) if record is None and closing is not None else None,
    }
    if record is not None:
        bids = selectors.opened_bids_ordered(record)
        context["opened_bids"] = bids
        context["chart"] = charts.bid_distribution(record, bids)
        context["picks_chart"] = charts.reserve_picks(record)
        if record.is_two_stage:
            context["technical_complaints"] = record.technical_complaints.select_related("bid__supplier")
            supplier = supplier_for_user(request.user)
            context["may_complain"] = (
                record.stage == record.Stage.TECHNICAL_PUBLISHED
                and supplier is not None
                and any(b.supplier_id == supplier.pk for b in bids)
            )
    return render(request, "bidding/opening.html", context)


def opening_verify(request, tender_id: int):
    """Re-run the opening in the visitor's browser from the public bundle (static/js/opening_verify.mjs)."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.view_opening", tender)
    record = selectors.tender_opening(tender)
    return render(
        request,
        "bidding/opening_verify.html",
        {
            "tender": tender,
            "record": record,
            "opened_bids": selectors.opened_bids_ordered(record) if record else [],
            "outcomes": OpenedBid.Outcome.choices,
        },
    )


def _opening_is_near(tender) -> bool:
    """Poll for progress only from shortly before the opening time, not all day long."""
    return (
        tender.status in (Tender.Status.PUBLISHED, Tender.Status.CLOSED)
        and tender.opening_at is not None
        and tender.opening_at - timezone.now() < OPENING_POLL_LEAD
    )


def opening_progress(request, tender_id: int):
    """htmx fragment: N of M bids decrypted, while the opening runs."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.view_opening", tender)
    opened = selectors.tender_bids_are_open(tender)
    # Before the deadline nothing about the bids is told, whatever the cache holds (a stale entry, or
    # one written by anyone who can reach Redis).
    progress = None if tender.status == Tender.Status.PUBLISHED else selectors.opening_progress(tender.pk)
    response = render(
        request,
        "bidding/_opening_progress.html",
        {"tender": tender, "progress": progress, "opened": opened, "poll": not opened and _opening_is_near(tender)},
    )
    if opened and request.htmx:
        # Stop polling and show the full record.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@login_required
def open_now(request, tender_id: int):
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    require(request.user, "bidding.open_tender", tender)
    with refusal(request) as refused:
        services.bid_open_all(tender_id=tender.pk, actor=request.user)
    if not refused:
        messages.success(request, _("The bids were opened."))
    return redirect("bidding:opening", tender.pk)


def verify(request):
    """Anyone can check a receipt's commitment against the public record."""
    result = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif request.GET.get("commitment"):
        form = VerifyForm(request.GET)
    else:
        form = VerifyForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data.get("receipt")
        if upload is not None:
            try:
                data = json_loads_bounded(upload.read(100_000).decode())
            except (ValueError, UnicodeDecodeError):
                form.add_error("receipt", _("This file is not a JSON receipt."))
            else:
                result = receipts.receipt_verify(receipt_json=data if isinstance(data, dict) else {})
        else:
            result = receipts.receipt_verify(commitment=form.cleaned_data["commitment"])
    return render(request, "bidding/verify.html", {"form": form, "result": result})


@login_required
def opened_document(request, opened_bid_id: int, position: int):
    opened_bid = get_object_or_404(OpenedBid.objects.select_related("opening__tender"), pk=opened_bid_id)
    if not request.user.has_perm("bidding.view_opened_documents", opened_bid):
        raise Http404
    document = get_object_or_404(OpenedDocument, opened_bid=opened_bid, position=position)
    response = HttpResponse(bytes(document.content), content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    return response


# --- key custodians --------------------------------------------------------------------------------


@login_required
def key_share(request, tender_id: int):
    """A custodian releases its share of the tender key, after the deadline. The page decrypts the
    custodian's key with its passphrase and then the share, in the browser; only the share is posted."""
    tender = tender_get_visible(user=request.user, tender_id=tender_id)
    named = selectors.tender_custodian_of(tender=tender, user=request.user)
    if named is None:
        raise Http404
    if request.method == "POST":
        try:
            share = b64decode(request.POST.get("share", ""), size=SHARE_BYTES)
        except ValueError:
            messages.error(request, _("The key share could not be read; nothing was released. Try again."))
        else:
            with refusal(request) as refused:
                release = services.key_share_submit(tender_id=tender.pk, actor=request.user, share=share)
            if not refused:
                if release.ok is False:
                    messages.warning(request, _("Your share was received but does not fit the tender's key."))
                else:
                    messages.success(request, _("Your key share was released. Thank you."))
        return redirect("bidding:key_share", tender.pk)
    return render(
        request,
        "bidding/key_share.html",
        {
            "tender": tender,
            "named": named,
            "release": selectors.key_share_release(named),
            "due": tender.submission_deadline is not None and timezone.now() >= tender.submission_deadline,
            "material": {
                "sealed_share": b64encode(bytes(named.sealed_share)) if named.sealed_share else None,
                "public_key": b64encode(bytes(named.custodian.public_key)),
                "sealed_private_key": named.custodian.sealed_private_key,
            },
        },
    )
