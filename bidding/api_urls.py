from django.urls import path

from . import api, api_joint

urlpatterns = [
    path("bids/", api.BidListView.as_view(), name="api-bids"),
    path("bids/<int:pk>/", api.BidDetailView.as_view(), name="api-bid"),
    path("bids/<int:pk>/withdraw/", api.BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path("tenders/<int:pk>/opening/", api.OpeningView.as_view(), name="api-tender-opening"),
    path("tenders/<int:pk>/consortia/", api_joint.TenderConsortiaView.as_view(), name="api-tender-consortia"),
    path("consortia/<int:pk>/", api_joint.ConsortiumView.as_view(), name="api-consortium"),
    path(
        "consortia/<int:pk>/confirm/",
        api_joint.ConsortiumAnswerView.as_view(accept=True),
        name="api-consortium-confirm",
    ),
    path(
        "consortia/<int:pk>/decline/",
        api_joint.ConsortiumAnswerView.as_view(accept=False),
        name="api-consortium-decline",
    ),
    path("consortia/<int:pk>/dissolve/", api_joint.ConsortiumDissolveView.as_view(), name="api-consortium-dissolve"),
    path("tenders/<int:pk>/bid-security/", api_joint.BidSecurityView.as_view(), name="api-bid-security"),
    path("tenders/<int:pk>/technical-results/", api_joint.TechnicalResultsView.as_view(), name="api-technical-results"),
    path("tenders/<str:reference>/opening-bundle/", api.OpeningBundleView.as_view(), name="api-opening-bundle"),
]
