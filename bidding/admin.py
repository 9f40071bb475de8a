"""Admin site: bids are read-only, listed only once their tender has been opened, and never show
anything sealed (at most the size of a ciphertext). Before opening the admin site knows no bid."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from procurement.admin import ReadOnlyAdmin

from .models import Bid, BidVersion, OpenedBid, OpeningRecord, TenderClosing


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
