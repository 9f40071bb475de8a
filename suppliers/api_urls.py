from django.urls import path

from . import api

urlpatterns = [
    path("suppliers/", api.SupplierListView.as_view(), name="api-suppliers"),
    path("suppliers/<int:pk>/", api.SupplierDetailView.as_view(), name="api-supplier"),
    path("sanctions/", api.SanctionListView.as_view(), name="api-sanctions"),
]
