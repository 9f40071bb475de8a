from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tenders.views import home

from . import api, health, language, transparency_api, views

api_v1 = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path("audit-log/", api.AuditEntryListView.as_view(), name="api-audit-log"),
    path("transparency/", transparency_api.TransparencyInfoView.as_view(), name="api-transparency"),
    path("transparency/heads/", transparency_api.HeadListView.as_view(), name="api-transparency-heads"),
    path("transparency/heads/latest/", transparency_api.LatestHeadView.as_view(), name="api-transparency-latest"),
    path(
        "transparency/proofs/inclusion/",
        transparency_api.InclusionProofView.as_view(),
        name="api-transparency-inclusion",
    ),
    path(
        "transparency/proofs/consistency/",
        transparency_api.ConsistencyProofView.as_view(),
        name="api-transparency-consistency",
    ),
    path("transparency/leaves/", transparency_api.LeafListView.as_view(), name="api-transparency-leaves"),
    path("transparency/entries/", transparency_api.EntryListView.as_view(), name="api-transparency-entries"),
    path("", include("tenders.api_urls")),
    path("", include("bidding.api_urls")),
    path("", include("suppliers.api_urls")),
    path("", include("contracts.api_urls")),
    path("catalogue/", include("catalogue.api_urls")),
    path("ocds/", include("opendata.api_urls")),
    path("", include("integrity.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_mark_read"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log.csv", views.audit_log_csv, name="audit_log_csv"),
    path("transparency/", views.transparency, name="transparency"),
    path("tenders/", include("tenders.urls")),
    path("bids/", include("bidding.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("", include("contracts.urls")),  # /evaluations/, /awards/, /complaints/, /contracts/, /reports/
    path("catalogue/", include("catalogue.urls")),
    path("opendata/", include("opendata.urls")),
    path("integrity/", include("integrity.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

handler403 = "procurement.views.permission_denied"
handler500 = "procurement.unavailable.server_error"
