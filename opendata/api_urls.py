from django.urls import path

from . import views

urlpatterns = [
    path("releases/", views.ReleaseListView.as_view(), name="api-ocds-releases"),
    path("releases/<path:ocid>/", views.ReleaseDetailView.as_view(), name="api-ocds-release"),
]
