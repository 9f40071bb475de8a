from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rules/", views.rules, name="rules"),
    path("draft-check/", views.draft_check, name="draft_check"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("tenders/<int:pk>/", views.tender_flags, name="tender_flags"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/review/", views.flag_review, name="review"),
    path("ocds-extension/<str:name>", views.ocds_extension, name="ocds_extension"),
]
