from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "suppliers"

urlpatterns = [
    # Each navigation item has its own prefix, so only one of them is marked as the current page.
    path("", RedirectView.as_view(pattern_name="suppliers:directory", permanent=False)),
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/", views.profile, name="profile"),
    path("sanctions/", views.sanctions_register, name="sanctions"),
    path("classifications/", views.classification_search, name="classification_search"),
    path("register/", views.register, name="register"),
    path("company/", views.company, name="company"),
    path("company/edit/", views.company_edit, name="company_edit"),
    path("company/resubmit/", views.company_resubmit, name="company_resubmit"),
    path("company/documents/", views.document_upload, name="document_upload"),
    path("company/members/", views.members, name="members"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("vetting/", views.vetting_queue, name="vetting_queue"),
    path("vetting/<int:pk>/", views.vetting_detail, name="vetting_detail"),
    path("vetting/<int:pk>/sanctions/new/", views.sanction_add, name="sanction_add"),
    path("vetting/<int:pk>/<slug:decision>/", views.vetting_decide, name="vetting_decide"),
    path("sanctions/<int:pk>/lift/", views.sanction_lift, name="sanction_lift"),
]
