from django.urls import path

from . import api

urlpatterns = [
    path("bids/", api.BidListView.as_view(), name="api-bids"),
    path("bids/<int:pk>/", api.BidDetailView.as_view(), name="api-bid"),
    path("bids/<int:pk>/withdraw/", api.BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path("tenders/<int:pk>/opening/", api.OpeningView.as_view(), name="api-tender-opening"),
    path("tenders/<str:reference>/opening-bundle/", api.OpeningBundleView.as_view(), name="api-opening-bundle"),
]
