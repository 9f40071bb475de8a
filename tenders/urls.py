from django.urls import path

from . import feeds, views

app_name = "tenders"

urlpatterns = [
    path("", views.tender_list, name="list"),
    path("feed/", feeds.LatestTendersFeed(), name="feed"),
    path("service-status/", views.service_status, name="service_status"),
    path("workspace/", views.workspace, name="workspace"),
    path("alerts/", views.alerts, name="alerts"),
    path("custodian/", views.custodian_enrol, name="custodian"),
    path("custodian/defaults/", views.custodian_defaults, name="custodian_defaults"),
    path("custodian/observers/", views.observer_invitations, name="observers"),
    path("custodian/observers/<int:pk>/revoke/", views.observer_invitation_revoke, name="observer_revoke"),
    path("custodian/observer/<str:token>/", views.observer_invitation, name="observer_invitation"),
    path("new/", views.tender_create, name="create"),
    path("<int:pk>/", views.tender_detail, name="detail"),
    path("<int:pk>/versions/", views.tender_versions, name="versions"),
    path("<int:pk>/documents/<int:document_id>/", views.tender_document_download, name="document"),
    path("<int:pk>/follow/", views.tender_follow, name="follow"),
    path("<int:pk>/questions/", views.clarification_ask, name="ask"),
    path("<int:pk>/questions/<int:clarification_id>/answer/", views.clarification_answer, name="answer"),
    path("<int:pk>/edit/", views.tender_edit, name="edit"),
    path("<int:pk>/documents/add/", views.tender_document_add, name="document_add"),
    path("<int:pk>/documents/<int:document_id>/remove/", views.tender_document_remove, name="document_remove"),
    path("<int:pk>/invitations/", views.tender_invitations, name="invitations"),
    path("<int:pk>/custodians/", views.tender_custodians, name="custodians"),
    path("<int:pk>/publish/", views.tender_publish, name="publish"),
    path("<int:pk>/submit/", views.tender_submit, name="submit"),
    path("<int:pk>/approve/", views.tender_approve, name="approve"),
    path("<int:pk>/return/", views.tender_return, name="return"),
    path("<int:pk>/amend/", views.tender_amend, name="amend"),
    path("<int:pk>/cancel/", views.tender_cancel, name="cancel"),
    path("<int:pk>/unsuccessful/", views.tender_mark_unsuccessful, name="unsuccessful"),
    path("<int:pk>/retender/", views.tender_retender, name="retender"),
]
