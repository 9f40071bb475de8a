"""Admin site: bids are read-only, listed only once their tender has been opened, and never show
anything sealed (at most the size of a ciphertext). Before opening the admin site knows no bid."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin

from procurement.admin import ReadOnlyAdmin
from procurement.audit import audit_record

from .models import Bid, BidVersion, IssuedGuarantee, OpenedBid, OpeningRecord, SecurityIssuer, TenderClosing


def _opened(tender_field: str):
    return Exists(OpeningRecord.objects.filter(tender_id=OuterRef(tender_field)))


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["id", "tender", "supplier", "status", "version_number", "created_at"]
    list_filter = ["status"]
    fields = ["tender", "supplier", "status", "status_reason", "version_number", "created_at", "withdrawn_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_opened("tender_id")).select_related("tender", "supplier")

    @admin.display(description=_("version"))
    def version_number(self, obj):
        return obj.current_version.number if obj.current_version_id else None


@admin.register(BidVersion)
class BidVersionAdmin(ReadOnlyAdmin):
    list_display = ["id", "bid", "number", "commitment", "submitted_at", "sealed_size"]
    fields = ["bid", "tender", "supplier", "number", "commitment", "submitted_at", "sealed_size"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(_opened("tender_id"))
            .defer("sealed_content")
            .annotate(sealed_length=Length("sealed_content"))
            .select_related("bid", "tender", "supplier")
        )

    @admin.display(description=_("sealed content (bytes)"))
    def sealed_size(self, obj):
        return getattr(obj, "sealed_length", None)


@admin.register(TenderClosing)
class TenderClosingAdmin(ReadOnlyAdmin):
    list_display = ["tender", "closed_at", "bid_count"]
    readonly_fields = ["tender", "closed_at", "bid_count", "commitments"]


@admin.register(OpeningRecord)
class OpeningRecordAdmin(ReadOnlyAdmin):
    list_display = ["tender", "opened_at", "outcome", "bid_count", "valid_count", "planned_price"]
    readonly_fields = [
        "tender",
        "opened_at",
        "opened_by",
        "outcome",
        "evaluation_method",
        "currency",
        "bid_count",
        "valid_count",
        "withdrawn_count",
        "reference_price",
        "planned_price",
        "floor_rate",
        "floor_price",
        "reserve_prices",
    ]


@admin.register(OpenedBid)
class OpenedBidAdmin(ReadOnlyAdmin):
    list_display = ["opening", "supplier", "price", "rank", "outcome", "commitment_ok"]
    list_filter = ["outcome", "commitment_ok"]
    fields = [
        "opening",
        "bid",
        "supplier",
        "commitment",
        "commitment_ok",
        "outcome",
        "problem",
        "price",
        "rank",
        "tied",
    ]
    readonly_fields = fields


class _AuditedAdmin(ObjectPermissionsModelAdmin):
    """Every change audited; nothing deleted (a retired issuer is marked inactive)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"admin.{obj._meta.model_name}.{'change' if change else 'add'}",
                obj=obj,
                data={"fields": form.changed_data},
            )


@admin.register(SecurityIssuer)
class SecurityIssuerAdmin(_AuditedAdmin):
    list_display = ["code", "name_ko", "name_en", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_ko", "name_en"]


@admin.register(IssuedGuarantee)
class IssuedGuaranteeAdmin(_AuditedAdmin):
    """The simulated issuer's book (settings.SECURITY_ISSUER_ADAPTER = bidding.issuers.SimulatedIssuer)."""

    list_display = [
        "issuer",
        "number",
        "principal_registration_number",
        "beneficiary_reference",
        "amount",
        "valid_until",
    ]
    list_filter = ["issuer", "cancelled"]
    search_fields = ["number", "principal_registration_number", "beneficiary_reference"]
