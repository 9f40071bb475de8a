from django.urls import path

from . import api

urlpatterns = [
    path("integrity/rules/", api.RuleListView.as_view(), name="api-integrity-rules"),
    path("integrity/flags/", api.FlagListView.as_view(), name="api-integrity-flags"),
    path("integrity/flags/<int:pk>/review/", api.FlagReviewView.as_view(), name="api-integrity-review"),
    path("tenders/<int:pk>/flags/", api.TenderFlagListView.as_view(), name="api-tender-flags"),
]
