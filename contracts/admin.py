"""Admin site: evaluations, awards, complaints and contracts are read-only (platform admins and
auditors). Every change goes through the services, which audit it; the admin site never writes."""

from django.contrib import admin

from procurement.admin import ReadOnlyAdmin

from .models import Award, Complaint, Contract, ContractVersion, Evaluation, ReportFile, Signature


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["tender", "method", "status", "round", "winner", "completed_at"]
    list_filter = ["method", "status"]
    list_select_related = ["tender", "winner"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["tender", "supplier", "value", "currency", "status", "standstill_until", "finalised_at"]
    list_filter = ["status"]
    list_select_related = ["tender", "supplier"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["award", "supplier", "status", "lodged_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["award", "supplier"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "supplier", "value", "status", "signed_at"]
    list_filter = ["status"]
    list_select_related = ["supplier"]


@admin.register(ContractVersion)
class ContractVersionAdmin(ReadOnlyAdmin):
    list_display = ["contract", "number", "value", "end_date", "signed_at"]
    list_select_related = ["contract"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["version", "party", "signer_name", "signed_at", "document_sha256"]
    list_select_related = ["version", "version__contract"]


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_type", "object_id", "language", "status", "sha256", "generated_at"]
    list_filter = ["kind", "status"]
