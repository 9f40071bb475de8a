"""Admin site: budgets are set here by platform admins (audited); everything else is read-only,
since the catalogue's changes go through its services."""

from django.contrib import admin

from procurement.admin import ReadOnlyAdmin
from tenders.admin import AuditedAdmin

from .models import CatalogueItem, EntityBudget, FrameworkAgreement, Invoice, Order


@admin.register(EntityBudget)
class EntityBudgetAdmin(AuditedAdmin):
    list_display = ["entity", "year", "amount", "committed", "approval_limit"]
    list_filter = ["year"]
    readonly_fields = ["committed"]
    search_fields = ["entity__name_ko", "entity__name_en", "entity__code"]


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "supplier", "status", "ceiling", "ordered_total", "end_date"]
    list_filter = ["status"]
    search_fields = ["reference", "title", "supplier__name_ko"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ReadOnlyAdmin):
    list_display = ["name_ko", "supplier", "unit_price", "stock", "status"]
    list_filter = ["status"]
    search_fields = ["name_ko", "name_en", "model_number"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "entity", "supplier", "total", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "entity", "supplier", "total", "status", "issued_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["number"]
