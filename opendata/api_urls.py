from django.urls import path

from . import views

urlpatterns = [
    path("orders/releases/", views.OrderReleaseListView.as_view(), name="api-ocds-order-releases"),
    path("orders/records/", views.OrderRecordListView.as_view(), name="api-ocds-order-records"),
    path("releases/", views.ReleaseListView.as_view(), name="api-ocds-releases"),
    path("releases/<path:ocid>/", views.ReleaseDetailView.as_view(), name="api-ocds-release"),
    path("records/", views.RecordListView.as_view(), name="api-ocds-records"),
    path("records/<path:ocid>/", views.RecordDetailView.as_view(), name="api-ocds-record"),
    path("bulk/", views.BulkView.as_view(), name="api-ocds-bulk"),
    path("bulk/<str:name>", views.bulk_file, name="api-ocds-bulk-file"),
    path("extensions/<str:name>/<str:filename>", views.extension_file, name="api-ocds-extension"),
]
