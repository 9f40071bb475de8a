"""Included at the site root: /evaluations/, /awards/, /complaints/, /contracts/, /securities/, /reports/."""

from django.urls import path

from .views import awards, contracts, evaluation, reports, securities

app_name = "contracts"

urlpatterns = [
    # Evaluation (officials, committee members, auditors read-only).
    path("evaluations/", evaluation.evaluation_list, name="evaluations"),
    path("evaluations/<int:tender_id>/", evaluation.evaluation_detail, name="evaluation"),
    path("evaluations/<int:tender_id>/start/", evaluation.evaluation_start, name="evaluation_start"),
    path(
        "evaluations/<int:tender_id>/review/<int:assessment_id>/",
        evaluation.assessment_review,
        name="assessment_review",
    ),
    path("evaluations/<int:tender_id>/calculate/", evaluation.evaluation_calculate, name="evaluation_calculate"),
    path("evaluations/<int:tender_id>/complete/", evaluation.evaluation_complete, name="evaluation_complete"),
    path("evaluations/<int:tender_id>/award/", evaluation.award_propose, name="award_propose"),
    path("evaluations/<int:tender_id>/committee/", evaluation.committee, name="committee"),
    path(
        "evaluations/<int:tender_id>/committee/<int:member_id>/remove/",
        evaluation.committee_remove,
        name="committee_remove",
    ),
    path("evaluations/<int:tender_id>/declaration/", evaluation.declare, name="declare"),
    path("evaluations/<int:tender_id>/scores/", evaluation.score, name="score"),
    path(
        "evaluations/<int:tender_id>/documents/<int:document_id>/",
        evaluation.evaluation_document,
        name="evaluation_document",
    ),
    # Awards (public once bidders are told) and complaints.
    path("awards/", awards.award_list, name="awards"),
    path("awards/<int:award_id>/", awards.award_detail, name="award"),
    path("awards/<int:award_id>/approve/", awards.award_approve, name="award_approve"),
    path("awards/<int:award_id>/finalise/", awards.award_finalise, name="award_finalise"),
    path("awards/<int:award_id>/cancel/", awards.award_cancel, name="award_cancel"),
    path("awards/<int:award_id>/complaints/new/", awards.complaint_new, name="complaint_new"),
    path("awards/<int:award_id>/contract/", contracts.contract_new, name="contract_new"),
    path("complaints/<int:complaint_id>/", awards.complaint_detail, name="complaint"),
    path("complaints/<int:complaint_id>/decide/", awards.complaint_decide, name="complaint_decide"),
    path(
        "complaints/<int:complaint_id>/documents/<int:document_id>/",
        awards.complaint_document,
        name="complaint_document",
    ),
    # Contracts.
    path("contracts/", contracts.contract_list, name="contracts"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/v<int:number>.pdf", contracts.contract_document, name="contract_document"),
    path(
        "contracts/<int:contract_id>/v<int:number>/status/",
        contracts.contract_document_status,
        name="contract_document_status",
    ),
    path("contracts/<int:contract_id>/sign/", contracts.contract_sign, name="contract_sign"),
    path("contracts/<int:contract_id>/amend/", contracts.contract_amend, name="contract_amend"),
    path("contracts/<int:contract_id>/complete/", contracts.contract_complete, name="contract_complete"),
    path("contracts/<int:contract_id>/terminate/", contracts.contract_terminate, name="contract_terminate"),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/deliver/",
        contracts.milestone_deliver,
        name="milestone_deliver",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/accept/",
        contracts.milestone_accept,
        name="milestone_accept",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/return/",
        contracts.milestone_return,
        name="milestone_return",
    ),
    # Auditors' reports and exports.
    path("securities/<int:security_id>/call/", securities.security_call, name="bid_security_call"),
    path("contracts/<int:contract_id>/performance-security/", securities.performance_attach, name="performance_attach"),
    path("performance-securities/<int:security_id>/decide/", securities.performance_decide, name="performance_decide"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/tenders/<int:tender_id>/award-report/", reports.award_report, name="award_report"),
    path(
        "reports/tenders/<int:tender_id>/award-report/status/", reports.award_report_status, name="award_report_status"
    ),
    path("reports/tenders/<int:tender_id>/award-report.pdf", reports.award_report_download, name="award_report_pdf"),
    path("reports/export/tenders.csv", reports.export_tenders, name="export_tenders"),
    path("reports/export/bids.csv", reports.export_bids, name="export_bids"),
    path("reports/export/awards.csv", reports.export_awards, name="export_awards"),
]
