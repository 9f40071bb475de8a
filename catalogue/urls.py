from django.urls import path

from . import views, views_budget

app_name = "catalogue"

urlpatterns = [
    path("", views.search, name="search"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/cart/", views.cart_add, name="cart_add"),
    path("items/<int:item_id>/<slug:action>/", views.item_action, name="item_action"),
    path("compare/", views.compare, name="compare"),
    path("cart/", views.cart, name="cart"),
    path("cart/lines/<int:line_id>/", views.cart_update, name="cart_update"),
    path("cart/accept-prices/", views.cart_accept_prices, name="cart_accept_prices"),
    path("mini-competitions/new/<int:agreement_id>/", views.mini_competition_new, name="mini_competition_new"),
    path("mini-competitions/<int:competition_id>/", views.mini_competition_detail, name="mini_competition"),
    path("mini-competitions/<int:competition_id>/award/", views.mini_competition_award, name="mini_competition_award"),
    path("mini-competitions/<int:competition_id>/end/", views.mini_competition_end, name="mini_competition_end"),
    path("orders/", views.orders, name="orders"),
    path("orders/public/", views.orders_public, name="orders_public"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/approve/", views.order_approve, name="order_approve"),
    path("orders/<int:order_id>/decline/", views.order_decline, name="order_decline"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/dispatch/", views.order_dispatch, name="order_dispatch"),
    path(
        "orders/<int:order_id>/deliveries/<int:delivery_id>/delivered/",
        views.delivery_delivered,
        name="delivery_delivered",
    ),
    path(
        "orders/<int:order_id>/deliveries/<int:delivery_id>/inspect/", views.delivery_inspect, name="delivery_inspect"
    ),
    path("orders/<int:order_id>/invoice/", views.invoice_new, name="invoice_new"),
    path("milestones/<int:milestone_id>/invoice/", views.milestone_invoice, name="milestone_invoice"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/invoice.pdf", views.invoice_download, name="invoice_pdf"),
    path("invoices/<int:invoice_id>/invoice-status/", views.invoice_document_status, name="invoice_pdf_status"),
    path("invoices/<int:invoice_id>/<slug:action>/", views.invoice_action, name="invoice_action"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/items/new/", views.item_new, name="item_new"),
    path("agreements/<int:agreement_id>/status/<slug:to>/", views.agreement_status, name="agreement_status"),
    path("my-items/", views.supplier_items, name="supplier_items"),
    path("review/", views.review, name="review"),
    path("framework/<int:tender_id>/", views.framework_call, name="framework_call"),
    path("framework/<int:tender_id>/conclude/", views.framework_conclude, name="framework_conclude"),
    path("payments/", views.payments, name="payments"),
    path("budget/", views_budget.budget, name="budget"),
]
