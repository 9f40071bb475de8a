from django.urls import path

from . import api

urlpatterns = [
    path("items/", api.ItemListView.as_view(), name="api-catalogue-items"),
    path("items/<int:pk>/", api.ItemDetailView.as_view(), name="api-catalogue-item"),
    path("agreements/", api.AgreementListView.as_view(), name="api-catalogue-agreements"),
    path("orders/", api.OrderListCreateView.as_view(), name="api-catalogue-orders"),
    path("orders/<int:pk>/", api.OrderDetailView.as_view(), name="api-catalogue-order"),
    path("orders/<int:pk>/approve/", api.OrderApproveView.as_view(), name="api-catalogue-order-approve"),
    path("orders/<int:pk>/invoices/", api.InvoiceCreateView.as_view(), name="api-catalogue-order-invoice"),
    path("invoices/", api.InvoiceListView.as_view(), name="api-catalogue-invoices"),
    path("invoices/<int:pk>/", api.InvoiceDetailView.as_view(), name="api-catalogue-invoice"),
]
