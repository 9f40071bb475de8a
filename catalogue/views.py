"""Catalogue shop pages: thin callers of the services; refusals shown with procurement.web."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.models import Milestone, ReportFile
from procurement.pagination import EstimatedCountPaginator
from procurement.permissions import require
from procurement.web import refusal, run_action
from tenders.models import Tender
from tenders.selectors import official_entity

from . import selectors, services
from .forms import (
    CheckoutForm,
    FrameworkCallForm,
    ItemForm,
    MiniCompetitionForm,
    PaymentForm,
    PriceChangeForm,
    QuantityForm,
    ReasonForm,
    SearchForm,
    StockForm,
)
from .models import (
    CatalogueItem,
    Delivery,
    DeliveryLine,
    FrameworkAgreement,
    FrameworkCall,
    Invoice,
    ItemPriceChange,
    LatePaymentClaim,
    MiniCompetition,
    Order,
)
from .pdf import invoice_document_current, invoice_document_request

# --- search, item, compare ------------------------------------------------------------------------------


def _filters(form: SearchForm) -> selectors.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.Filters(
        q=(data.get("q") or "").strip(),
        cpv=data.get("cpv") or "",
        price_min=data.get("price_min"),
        price_max=data.get("price_max"),
        region=data.get("region") or "",
        max_lead_days=data.get("max_lead_days"),
        size=data.get("size") or "",
        certification=data.get("certification") or "",
        in_stock=bool(data.get("in_stock")),
        sort=data.get("sort") or "",
    )


def search(request):
    form = SearchForm(request.GET or None)
    filters = _filters(form) if request.GET else selectors.Filters()
    results = selectors.catalogue_search(filters)
    page = EstimatedCountPaginator(results, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/search.html",
        {
            "form": form if request.GET else SearchForm(),
            "page_obj": page,
            "facets": selectors.catalogue_facets(filters),
            "filters": filters,
            "can_order": request.user.has_perm("catalogue.order"),
            "compare_max": settings.CATALOGUE_COMPARE_MAX,
        },
    )


def _item(request, item_id: int) -> CatalogueItem:
    item = get_object_or_404(
        CatalogueItem.objects.select_related("agreement", "supplier", "classification", "agreement__entity"),
        pk=item_id,
    )
    if not request.user.has_perm("catalogue.read_item", item):
        raise Http404
    return item


def item_detail(request, item_id: int):
    item = _item(request, item_id)
    user = request.user
    return render(
        request,
        "catalogue/item_detail.html",
        {
            "item": item,
            "price_history": item.price_changes.filter(status=ItemPriceChange.Status.APPROVED).order_by("version"),
            "pending_change": item.price_changes.filter(status=ItemPriceChange.Status.PENDING).first(),
            "can_order": user.has_perm("catalogue.order") and item.is_published,
            "can_change": user.has_perm("catalogue.change_item", item),
            "can_review": user.has_perm("catalogue.review_item", item),
            "quantity_form": QuantityForm(initial={"quantity": item.min_order_quantity}),
            "stock_form": StockForm(initial={"stock": item.stock, "lead_time_days": item.lead_time_days}),
            "price_form": PriceChangeForm(),
            "reason_form": ReasonForm(),
        },
    )


def compare(request):
    ids = []
    for raw in request.GET.getlist("ids"):
        ids += [int(p) for p in str(raw).split(",") if p.strip().isdigit()]
    items = selectors.items_for_compare(ids)
    if len(ids) > settings.CATALOGUE_COMPARE_MAX:
        messages.info(
            request,
            _("At most %(n)s items are compared; the first ones are shown.") % {"n": settings.CATALOGUE_COMPARE_MAX},
        )
    return render(
        request, "catalogue/compare.html", {"items": items, "can_order": request.user.has_perm("catalogue.order")}
    )


# --- cart and ordering -------------------------------------------------------------------------------------


@login_required
@require_POST
def cart_add(request, item_id: int):
    require(request.user, "catalogue.order")
    item = _item(request, item_id)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity of at least 1."))
        return redirect(item)
    with refusal(request) as refused:
        services.cart_add(actor=request.user, item=item, quantity=form.cleaned_data["quantity"])
    if not refused:
        messages.success(request, _("“%(item)s” is in your cart.") % {"item": item.name})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/catalogue/") else item)


@login_required
def cart(request):
    require(request.user, "catalogue.order")
    entity = official_entity(request.user)
    form = CheckoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            orders = services.orders_place_from_cart(actor=request.user, **form.cleaned_data)
        if not refused:
            for order in orders:
                if order.status == Order.Status.PENDING_APPROVAL:
                    messages.info(
                        request, _("Order %(ref)s waits for a second official's approval.") % {"ref": order.reference}
                    )
                else:
                    messages.success(
                        request, _("Order %(ref)s has been sent to the supplier.") % {"ref": order.reference}
                    )
            return redirect("catalogue:order", orders[0].pk) if len(orders) == 1 else redirect("catalogue:orders")
    lines = selectors.cart_for(request.user)
    by_agreement: dict = {}
    for line in lines:
        by_agreement.setdefault(line.item.agreement_id, [line.item.agreement, 0])[1] += line.amount
    to_compete = [
        {"agreement": agreement, "total": total}
        for agreement, total in by_agreement.values()
        if total >= settings.CATALOGUE_MINI_COMPETITION_THRESHOLD
    ]
    return render(
        request,
        "catalogue/cart.html",
        {
            "lines": lines,
            "to_compete": to_compete,
            "threshold": settings.CATALOGUE_MINI_COMPETITION_THRESHOLD,
            "total": sum((line.amount for line in lines), 0),
            "repriced": [line for line in lines if line.unit_price_seen != line.item.unit_price],
            "unavailable": [line for line in lines if not line.item.is_published],
            "budget": selectors.budget_of(entity),
            "form": form,
        },
    )


@login_required
@require_POST
def cart_update(request, line_id: int):
    require(request.user, "catalogue.order")
    with refusal(request):
        services.cart_update(actor=request.user, line_id=line_id, quantity=request.POST.get("quantity"))
    return redirect("catalogue:cart")


@login_required
@require_POST
def cart_accept_prices(request):
    require(request.user, "catalogue.order")
    services.cart_accept_prices(actor=request.user)
    messages.success(request, _("Your cart now shows the current prices."))
    return redirect("catalogue:cart")


# --- second-stage competitions (2단계경쟁) -----------------------------------------------------------------


@login_required
def mini_competition_new(request, agreement_id: int):
    """The cart's lines under one agreement, at or above the threshold, become a competition draft."""
    require(request.user, "catalogue.order")
    agreement = get_object_or_404(FrameworkAgreement.objects.select_related("supplier", "call"), pk=agreement_id)
    lines = services.mini_competition_cart_lines(actor=request.user, agreement=agreement)
    form = MiniCompetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            competition = services.mini_competition_start(actor=request.user, agreement=agreement, **form.cleaned_data)
        if not refused:
            messages.success(
                request,
                _(
                    "The second-stage competition has been drafted and the framework's %(n)s suppliers invited: "
                    "publish it to open it for offers."
                )
                % {"n": competition.tender.invitations.count()},
            )
            return redirect(competition.tender)
    return render(
        request,
        "catalogue/mini_competition_new.html",
        {
            "agreement": agreement,
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
            "suppliers": services.framework_suppliers(agreement),
            "form": form,
        },
    )


def _competition(request, competition_id: int, perm: str = "catalogue.read_mini_competition") -> MiniCompetition:
    competition = get_object_or_404(
        MiniCompetition.objects.select_related(
            "tender", "framework__tender", "origin_agreement", "order", "winning_agreement__supplier"
        ),
        pk=competition_id,
    )
    if not request.user.has_perm(perm, competition):
        raise Http404
    return competition


@login_required
def mini_competition_detail(request, competition_id: int):
    competition = _competition(request, competition_id)
    tender = competition.tender
    offers = services.mini_competition_offers(competition)
    return render(
        request,
        "catalogue/mini_competition_detail.html",
        {
            "competition": competition,
            "tender": tender,
            "lines": competition.lines.all(),
            "invited": tender.invitations.select_related("supplier").order_by("supplier__name_ko"),
            "offers": offers,
            "can_award": request.user.has_perm("catalogue.manage_mini_competition", competition)
            and competition.status == MiniCompetition.Status.OPEN
            and tender.status == Tender.Status.OPENED,
            "can_end": request.user.has_perm("catalogue.manage_mini_competition", competition)
            and competition.status == MiniCompetition.Status.OPEN
            and tender.status in (Tender.Status.CLOSED, Tender.Status.OPENED),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def mini_competition_award(request, competition_id: int):
    competition = _competition(request, competition_id, "catalogue.manage_mini_competition")
    with refusal(request) as refused:
        competition = services.mini_competition_award(competition=competition, actor=request.user)
    if refused:
        return redirect(competition)
    order = competition.order
    if order.status == Order.Status.PENDING_APPROVAL:
        messages.info(
            request,
            _("Awarded. Order %(ref)s waits for a second official's approval.") % {"ref": order.reference},
        )
    else:
        messages.success(
            request,
            _("Awarded to %(supplier)s: order %(ref)s has been sent to the supplier.")
            % {"supplier": order.supplier.name, "ref": order.reference},
        )
    return redirect(order)


@login_required
@require_POST
def mini_competition_end(request, competition_id: int):
    competition = _competition(request, competition_id, "catalogue.manage_mini_competition")
    return run_action(
        request,
        redirect(competition),
        lambda: services.mini_competition_declare_unsuccessful(
            competition=competition, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("The competition has ended without an award."),
    )


# --- orders ------------------------------------------------------------------------------------------------


@login_required
def orders(request):
    require(request.user, "catalogue.view_orders")
    qs = selectors.orders_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Order.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/order_list.html",
        {"page_obj": page, "status": status, "statuses": Order.Status.choices, "public": False},
    )


def orders_public(request):
    page = Paginator(selectors.orders_public(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/order_list.html",
        {"page_obj": page, "public": True, "threshold": settings.CATALOGUE_PUBLICATION_THRESHOLD},
    )


def _order(request, order_id: int) -> Order:
    order = get_object_or_404(
        Order.objects.select_related("entity", "supplier", "agreement", "placed_by", "approved_by"), pk=order_id
    )
    if not request.user.has_perm("catalogue.read_order", order):
        raise Http404
    return order


def order_detail(request, order_id: int):
    order = _order(request, order_id)
    user = request.user
    private = user.has_perm("catalogue.read_order_private", order)
    lines = list(order.lines.all())
    deliveries = order.deliveries.prefetch_related(
        Prefetch("lines", queryset=DeliveryLine.objects.select_related("order_line"))
    ).select_related("inspected_by")
    can_supply = user.has_perm("catalogue.supply_order", order)
    for line in lines:
        line.outstanding = services.outstanding(line) if can_supply else None
        line.invoiceable = services.invoiceable(line) if can_supply else None
    return render(
        request,
        "catalogue/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "private": private,
            "deliveries": deliveries if private else [],
            "invoices": order.invoices.all() if private else [],
            "can_approve": user.has_perm("catalogue.approve_order", order) and order.placed_by_id != user.pk,
            "can_manage": user.has_perm("catalogue.manage_order", order),
            "can_supply": can_supply,
            "can_dispatch": can_supply
            and order.status in (Order.Status.PLACED, Order.Status.IN_DELIVERY)
            and any(line.outstanding for line in lines),
            "can_invoice": can_supply and any(line.invoiceable for line in lines),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def order_approve(request, order_id: int):
    order = _order(request, order_id)
    require(request.user, "catalogue.approve_order", order)
    return run_action(
        request,
        redirect(order),
        lambda: services.order_approve(order=order, actor=request.user),
        _("The order has been approved and sent to the supplier."),
    )


@login_required
@require_POST
def order_decline(request, order_id: int):
    order = _order(request, order_id)
    require(request.user, "catalogue.approve_order", order)
    return run_action(
        request,
        redirect(order),
        lambda: services.order_decline(order=order, actor=request.user, reason=request.POST.get("reason", "")),
        _("The order has been declined."),
    )


@login_required
@require_POST
def order_cancel(request, order_id: int):
    order = _order(request, order_id)
    require(request.user, "catalogue.manage_order", order)
    return run_action(
        request,
        redirect(order),
        lambda: services.order_cancel(order=order, actor=request.user, reason=request.POST.get("reason", "")),
        _("The order has been cancelled."),
    )


def _line_values(post, prefix: str) -> dict:
    return {key[len(prefix) :]: value for key, value in post.items() if key.startswith(prefix) and value.strip()}


@login_required
@require_POST
def order_dispatch(request, order_id: int):
    order = _order(request, order_id)
    require(request.user, "catalogue.supply_order", order)
    return run_action(
        request,
        redirect(order),
        lambda: services.delivery_dispatch(
            order=order,
            actor=request.user,
            quantities=_line_values(request.POST, "line_"),
            note=request.POST.get("note", ""),
        ),
        _("The delivery has been recorded as dispatched."),
    )


def _delivery(request, order_id: int, delivery_id: int) -> Delivery:
    order = _order(request, order_id)
    return get_object_or_404(Delivery.objects.select_related("order"), pk=delivery_id, order=order)


@login_required
@require_POST
def delivery_delivered(request, order_id: int, delivery_id: int):
    delivery = _delivery(request, order_id, delivery_id)
    require(request.user, "catalogue.supply_order", delivery.order)
    return run_action(
        request,
        redirect(delivery.order),
        lambda: services.delivery_mark_delivered(delivery=delivery, actor=request.user),
        _("The delivery has been reported as delivered."),
    )


@login_required
def delivery_inspect(request, order_id: int, delivery_id: int):
    delivery = _delivery(request, order_id, delivery_id)
    require(request.user, "catalogue.manage_order", delivery.order)
    lines = list(delivery.lines.select_related("order_line"))
    errors = {}
    if request.method == "POST":
        verdicts = {
            line.pk: (request.POST.get(f"accept_{line.pk}", ""), request.POST.get(f"reason_{line.pk}", ""))
            for line in lines
        }

        def show(exc):
            errors[exc.field or "__all__"] = exc.message

        with refusal(request, show) as refused:
            services.delivery_inspect(delivery=delivery, actor=request.user, verdicts=verdicts)
        if not refused:
            messages.success(request, _("The inspection has been recorded."))
            return redirect(delivery.order)
    return render(
        request,
        "catalogue/inspect.html",
        {"delivery": delivery, "order": delivery.order, "lines": lines, "errors": errors, "post": request.POST},
    )


# --- invoices ------------------------------------------------------------------------------------------------


@login_required
def invoice_new(request, order_id: int):
    order = _order(request, order_id)
    require(request.user, "catalogue.supply_order", order)
    lines = list(order.lines.all())
    for line in lines:
        line.invoiceable = services.invoiceable(line)
    if request.method == "POST":
        with refusal(request) as refused:
            invoice = services.invoice_issue(
                order=order, actor=request.user, quantities=_line_values(request.POST, "line_")
            )
        if not refused:
            messages.success(request, _("Invoice %(n)s has been issued.") % {"n": invoice.number})
            return redirect(invoice)
    return render(
        request, "catalogue/invoice_form.html", {"order": order, "lines": lines, "vat": settings.CATALOGUE_VAT_RATE_PCT}
    )


@login_required
@require_POST
def milestone_invoice(request, milestone_id: int):
    milestone = get_object_or_404(Milestone.objects.select_related("contract"), pk=milestone_id)
    if not request.user.has_perm("catalogue.supply_order", milestone.contract):
        raise Http404
    with refusal(request) as refused:
        invoice = services.milestone_invoice_issue(milestone=milestone, actor=request.user)
    if refused:
        return redirect(milestone.contract)
    messages.success(request, _("Invoice %(n)s has been issued.") % {"n": invoice.number})
    return redirect(invoice)


@login_required
def invoices(request):
    require(request.user, "catalogue.view_orders")
    page = Paginator(selectors.invoices_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/invoice_list.html",
        {"page_obj": page, "milestones": selectors.milestones_to_invoice(request.user)},
    )


def _invoice(request, invoice_id: int) -> Invoice:
    invoice = get_object_or_404(
        Invoice.objects.select_related("entity", "supplier", "order", "milestone__contract"), pk=invoice_id
    )
    if not request.user.has_perm("catalogue.read_invoice", invoice):
        raise Http404
    return invoice


@login_required
def invoice_detail(request, invoice_id: int):
    invoice = _invoice(request, invoice_id)
    claim = LatePaymentClaim.objects.filter(invoice=invoice).first()
    can_supply = request.user.has_perm("catalogue.supply_invoice", invoice)
    return render(
        request,
        "catalogue/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "claim": claim,
            "can_manage": request.user.has_perm("catalogue.manage_invoice", invoice),
            "can_claim": can_supply and claim is None and invoice.is_late and invoice.status != Invoice.Status.REJECTED,
            "payment_form": PaymentForm(),
            "reason_form": ReasonForm(),
            "days_late": services.days_late(invoice) if invoice.is_late else 0,
            "payment_days": settings.CATALOGUE_PAYMENT_DAYS,
        },
    )


@login_required
def invoice_download(request, invoice_id: int):
    """The printable invoice, rendered by Celery (catalogue.pdf); until it is ready, its progress."""
    invoice = _invoice(request, invoice_id)
    report = invoice_document_request(invoice, actor=request.user)
    if report.status != ReportFile.Status.READY:
        return render(request, "contracts/document_wait.html", _invoice_document_context(invoice, report))
    response = FileResponse(report.file.open("rb"), as_attachment=False, filename=report.filename)
    response["Content-Type"] = "application/pdf"
    response["X-Content-SHA256"] = report.sha256
    return response


@login_required
def invoice_document_status(request, invoice_id: int):
    """The fragment the waiting page polls (htmx); the same permission as the invoice."""
    invoice = _invoice(request, invoice_id)
    report = invoice_document_current(invoice)
    if report is None:
        raise Http404
    return render(request, "contracts/_document_status.html", _invoice_document_context(invoice, report))


def _invoice_document_context(invoice: Invoice, report) -> dict:
    return {
        "title": _("Invoice %(number)s (PDF)") % {"number": invoice.number},
        "back_url": invoice.get_absolute_url(),
        "back_label": _("Invoice %(number)s") % {"number": invoice.number},
        "report": report,
        "status_url": reverse("catalogue:invoice_pdf_status", args=[invoice.pk]),
        "file_url": reverse("catalogue:invoice_pdf", args=[invoice.pk]),
    }


@login_required
@require_POST
def invoice_action(request, invoice_id: int, action: str):
    invoice = _invoice(request, invoice_id)
    user, back = request.user, redirect(invoice)
    if action == "claim":
        require(user, "catalogue.supply_invoice", invoice)
        return run_action(
            request,
            back,
            lambda: services.late_claim_file(invoice=invoice, actor=user, note=request.POST.get("note", "")),
            _("Your late-payment claim has been filed."),
        )
    require(user, "catalogue.manage_invoice", invoice)
    if action == "approve":
        return run_action(
            request,
            back,
            lambda: services.invoice_approve(invoice=invoice, actor=user),
            _("The invoice has been approved for payment."),
        )
    if action == "reject":
        return run_action(
            request,
            back,
            lambda: services.invoice_reject(invoice=invoice, actor=user, reason=request.POST.get("reason", "")),
            _("The invoice has been rejected."),
        )
    if action == "pay":
        return run_action(
            request,
            back,
            lambda: services.invoice_pay(
                invoice=invoice, actor=user, payment_reference=request.POST.get("payment_reference", "")
            ),
            _("The payment has been recorded."),
        )
    if action == "settle":
        claim = get_object_or_404(LatePaymentClaim, invoice=invoice)
        return run_action(
            request,
            back,
            lambda: services.late_claim_settle(claim=claim, actor=user),
            _("The claim has been marked as settled."),
        )
    raise Http404


# --- agreements, items (suppliers), review (agency) -------------------------------------------------------------


def agreements(request):
    qs = selectors.agreements_public()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "catalogue/agreement_list.html", {"page_obj": page})


def agreement_detail(request, agreement_id: int):
    agreement = get_object_or_404(selectors.agreements_public(), pk=agreement_id)
    user = request.user
    can_manage = user.has_perm("catalogue.manage_agreement", agreement)
    is_supplier = user.has_perm("catalogue.add_item", agreement)
    items = agreement.items.select_related("classification")
    if not (can_manage or is_supplier or user.has_perm("catalogue.view_frameworkagreement")):
        items = items.filter(status=CatalogueItem.Status.PUBLISHED)
    return render(
        request,
        "catalogue/agreement_detail.html",
        {
            "agreement": agreement,
            "items": items,
            "can_manage": can_manage,
            "can_add": is_supplier,
            "reason_form": ReasonForm(),
            "statuses": FrameworkAgreement.Status,
        },
    )


@login_required
@require_POST
def agreement_status(request, agreement_id: int, to: str):
    agreement = get_object_or_404(FrameworkAgreement, pk=agreement_id)
    require(request.user, "catalogue.manage_agreement", agreement)
    if to not in FrameworkAgreement.Status.values:
        raise Http404
    return run_action(
        request,
        redirect(agreement),
        lambda: services.agreement_set_status(
            agreement=agreement, actor=request.user, to=to, reason=request.POST.get("reason", "")
        ),
        _("The agreement's status has been changed."),
    )


@login_required
def supplier_items(request):
    require(request.user, "catalogue.manage_items")
    mine = selectors.agreements_of_supplier(request.user).prefetch_related("items")
    return render(request, "catalogue/supplier_items.html", {"agreements": mine})


def _item_data(form: ItemForm) -> services.ItemData:
    data = form.cleaned_data
    return services.ItemData(
        name_ko=data["name_ko"],
        name_en=data["name_en"],
        model_number=data["model_number"],
        classification=data["classification"],
        specification=data["specification"],
        unit=data["unit"],
        unit_price=data["unit_price"],
        min_order_quantity=data["min_order_quantity"],
        stock=data["stock"],
        lead_time_days=data["lead_time_days"],
        regions=data["regions"],
        certifications=data["certifications"],
        photo=data.get("photo"),
        spec_sheet=data.get("spec_sheet"),
    )


@login_required
def item_new(request, agreement_id: int):
    agreement = get_object_or_404(FrameworkAgreement.objects.select_related("classification"), pk=agreement_id)
    require(request.user, "catalogue.add_item", agreement)
    form = ItemForm(request.POST or None, request.FILES or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            item = services.item_create(agreement=agreement, actor=request.user, data=_item_data(form))
        if not refused:
            messages.success(request, _("The item has been saved as a draft. Submit it for approval when ready."))
            return redirect(item)
    return render(
        request,
        "catalogue/form_page.html",
        {
            "page_title": _("New catalogue item"),
            "subject": agreement,
            "subject_url": agreement.get_absolute_url(),
            "form": form,
            "submit_label": _("Save draft"),
            "cancel_url": agreement.get_absolute_url(),
        },
    )


@login_required
def item_edit(request, item_id: int):
    item = _item(request, item_id)
    require(request.user, "catalogue.change_item", item)
    initial = {
        f: getattr(item, f)
        for f in (
            "name_ko",
            "name_en",
            "model_number",
            "specification",
            "unit",
            "unit_price",
            "min_order_quantity",
            "stock",
            "lead_time_days",
            "regions",
            "certifications",
        )
    }
    initial["classification"] = item.classification_id
    form = ItemForm(request.POST or None, request.FILES or None, agreement=item.agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.item_update(item=item, actor=request.user, data=_item_data(form))
        if not refused:
            messages.success(request, _("The item has been saved."))
            return redirect(item)
    return render(
        request,
        "catalogue/form_page.html",
        {
            "page_title": _("Edit catalogue item"),
            "subject": item,
            "subject_url": item.get_absolute_url(),
            "form": form,
            "submit_label": _("Save"),
            "cancel_url": item.get_absolute_url(),
        },
    )


@login_required
@require_POST
def item_action(request, item_id: int, action: str):
    item = _item(request, item_id)
    user, back, post = request.user, redirect(item), request.POST
    if action in ("approve", "return"):
        require(user, "catalogue.review_item", item)
        return run_action(
            request,
            back,
            lambda: services.item_review(
                item=item, actor=user, approve=action == "approve", reason=post.get("reason", "")
            ),
            _("The item has been published.") if action == "approve" else _("The item has been returned."),
        )
    if action == "price_decide":
        require(user, "catalogue.review_item", item)
        change = get_object_or_404(ItemPriceChange, pk=post.get("change"), item=item)
        approve = post.get("decision") == "approve"
        return run_action(
            request,
            back,
            lambda: services.price_change_decide(
                change=change, actor=user, approve=approve, reason=post.get("reason", "")
            ),
            _("The price change has been approved.") if approve else _("The price change has been rejected."),
        )
    if action == "withdraw":
        if not (user.has_perm("catalogue.change_item", item) or user.has_perm("catalogue.review_item", item)):
            raise Http404
        return run_action(
            request,
            back,
            lambda: services.item_withdraw(item=item, actor=user, reason=post.get("reason", "")),
            _("The item has been withdrawn from the catalogue."),
        )
    require(user, "catalogue.change_item", item)
    if action == "submit":
        return run_action(
            request,
            back,
            lambda: services.item_submit(item=item, actor=user),
            _("The item has been submitted for approval."),
        )
    if action == "stock":
        return run_action(
            request,
            back,
            lambda: services.item_stock_set(
                item=item, actor=user, stock=post.get("stock"), lead_time_days=post.get("lead_time_days")
            ),
            _("Stock and lead time have been updated."),
        )
    if action == "price":
        return run_action(
            request,
            back,
            lambda: services.price_change_request(
                item=item, actor=user, new_price=post.get("new_price"), reason=post.get("reason", "")
            ),
            _("The price change has been sent for approval."),
        )
    raise Http404


@login_required
def review(request):
    require(request.user, "catalogue.review_items")
    entity = official_entity(request.user)
    items = CatalogueItem.objects.filter(agreement__entity=entity, status=CatalogueItem.Status.PENDING).select_related(
        "supplier", "agreement"
    )
    changes = ItemPriceChange.objects.filter(
        item__agreement__entity=entity, status=ItemPriceChange.Status.PENDING
    ).select_related("item", "item__supplier")
    tenders = Tender.objects.filter(entity=entity, framework_call__isnull=False).exclude(
        status__in=[Tender.Status.CONTRACTED, Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL]
    )
    return render(
        request,
        "catalogue/review.html",
        {"items": items, "changes": changes, "tenders": tenders, "budget": selectors.budget_of(entity)},
    )


# --- framework competitions ----------------------------------------------------------------------------------


def _official_tender(request, tender_id: int) -> Tender:
    tender = get_object_or_404(Tender, pk=tender_id)
    if not request.user.has_perm("catalogue.manage_agreement", tender):
        raise Http404
    return tender


@login_required
def framework_call(request, tender_id: int):
    tender = _official_tender(request, tender_id)
    call = FrameworkCall.objects.filter(tender=tender).first()
    initial = (
        {}
        if call is None
        else {
            f: getattr(call, f)
            for f in ("max_suppliers", "ceiling", "start_date", "end_date", "classification", "max_price_increase_pct")
        }
    )
    form = FrameworkCallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as refused:
            services.framework_call_set(tender=tender, actor=request.user, **form.cleaned_data)
        if not refused:
            messages.success(request, _("The tender will award framework agreements."))
            return redirect(tender)
    return render(
        request,
        "catalogue/form_page.html",
        {
            "page_title": _("Framework competition"),
            "subject": tender,
            "subject_url": tender.get_absolute_url(),
            "intro": _(
                "Several suppliers are awarded agreements, each at its own prices, for one period and a ceiling."
            ),
            "form": form,
            "submit_label": _("Save"),
            "cancel_url": tender.get_absolute_url(),
        },
    )


@login_required
def framework_conclude(request, tender_id: int):
    tender = _official_tender(request, tender_id)
    call = get_object_or_404(FrameworkCall, tender=tender)
    candidates = services.framework_candidates(tender)
    if request.method == "POST":
        with refusal(request) as refused:
            made = services.agreements_conclude(tender=tender, actor=request.user, bid_ids=request.POST.getlist("bids"))
        if not refused:
            messages.success(request, _("%(n)s framework agreements have been concluded.") % {"n": len(made)})
            return redirect("catalogue:agreements")
    return render(request, "catalogue/conclude.html", {"tender": tender, "call": call, "candidates": candidates})


# --- prompt-payment dashboard -----------------------------------------------------------------------------------


def payments(request):
    stats = selectors.payment_stats()
    return render(
        request,
        "catalogue/payments.html",
        {
            "stats": stats,
            "chart": selectors.payment_chart(stats),
            "payment_days": settings.CATALOGUE_PAYMENT_DAYS,
        },
    )
