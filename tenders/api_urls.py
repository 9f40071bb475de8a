from django.urls import path

from . import api

urlpatterns = [
    path("tenders/", api.TenderListView.as_view(), name="api-tenders"),
    path("tenders/<int:pk>/", api.TenderDetailView.as_view(), name="api-tender"),
]
