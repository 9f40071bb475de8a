from django.urls import path

from . import api, ocds_views

urlpatterns = [
    path("awards/", api.AwardListView.as_view(), name="api-awards"),
    path("awards/<int:pk>/", api.AwardDetailView.as_view(), name="api-award"),
    path("contracts/", api.ContractListView.as_view(), name="api-contracts"),
    path("contracts/<int:pk>/", api.ContractDetailView.as_view(), name="api-contract"),
    path("ocds/releases/", ocds_views.ReleaseListView.as_view(), name="api-ocds-releases"),
    path("ocds/releases/<path:ocid>/", ocds_views.ReleaseDetailView.as_view(), name="api-ocds-release"),
]
