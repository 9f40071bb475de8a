from django.urls import path

from . import api

urlpatterns = [
    path("awards/", api.AwardListView.as_view(), name="api-awards"),
    path("awards/<int:pk>/", api.AwardDetailView.as_view(), name="api-award"),
    path("contracts/", api.ContractListView.as_view(), name="api-contracts"),
    path("contracts/<int:pk>/", api.ContractDetailView.as_view(), name="api-contract"),
    path("award-reports/<int:tender_id>/", api.AwardReportDataView.as_view(), name="api-award-report-data"),
]
