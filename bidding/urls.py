from django.urls import path

from . import views, views_joint, views_stages

app_name = "bidding"

urlpatterns = [
    path("", views.my_bids, name="my_bids"),
    path("verify/", views.verify, name="verify"),
    path("<int:bid_id>/", views.bid_detail, name="detail"),
    path("<int:bid_id>/withdraw/", views.bid_withdraw, name="withdraw"),
    path("<int:bid_id>/withdrawal-receipt/", views.withdrawal_receipt, name="withdrawal_receipt"),
    path(
        "<int:bid_id>/withdrawal-receipt.<str:fmt>",
        views.withdrawal_receipt,
        name="withdrawal_receipt_as",
    ),
    path("receipts/<int:version_id>/", views.receipt, name="receipt"),
    path("receipts/<int:version_id>.<str:fmt>", views.receipt, name="receipt_as"),
    path("tender/<int:tender_id>/bid/", views.bid_form, name="submit"),
    path("tender/<int:tender_id>/opening/", views.opening, name="opening"),
    path("tender/<int:tender_id>/opening/verify/", views.opening_verify, name="opening_verify"),
    path("tender/<int:tender_id>/opening/progress/", views.opening_progress, name="opening_progress"),
    path("tender/<int:tender_id>/open/", views.open_now, name="open_now"),
    path("tender/<int:tender_id>/key-share/", views.key_share, name="key_share"),
    path("tender/<int:tender_id>/consortium/", views_joint.consortium_new, name="consortium_new"),
    path("consortia/<int:consortium_id>/", views_joint.consortium_detail, name="consortium"),
    path("consortia/<int:consortium_id>/edit/", views_joint.consortium_edit, name="consortium_edit"),
    path("consortia/<int:consortium_id>/dissolve/", views_joint.consortium_end, name="consortium_dissolve"),
    path("consortia/members/<int:member_id>/answer/", views_joint.consortium_answer, name="consortium_answer"),
    path("tender/<int:tender_id>/securities/", views_joint.securities, name="securities"),
    path("securities/<int:security_id>/release/", views_joint.security_release, name="security_release"),
    path("opened/<int:opened_bid_id>/documents/<int:position>/", views.opened_document, name="opened_document"),
    path("tender/<int:tender_id>/technical/", views_stages.technical, name="technical"),
    path("tender/<int:tender_id>/technical/publish/", views_stages.technical_publish, name="technical_publish"),
    path("opened/<int:opened_bid_id>/technical/", views_stages.technical_assess, name="technical_assess"),
    path("tender/<int:tender_id>/technical/complaint/", views_stages.technical_complaint, name="technical_complaint"),
    path(
        "technical-complaints/<int:complaint_id>/decide/",
        views_stages.technical_complaint_decide,
        name="technical_complaint_decide",
    ),
    path("<int:bid_id>/cure/", views_stages.cure_request, name="cure_request"),
    path("cure/<int:cure_id>/", views_stages.cure, name="cure"),
    path("cure/<int:cure_id>/file/", views_stages.cure_file, name="cure_file"),
]
