"""Admin site: platform admins manage entities and officials (audited); tenders are read-only here."""

from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin

from procurement.admin import ReadOnlyAdmin
from procurement.audit import audit_record

from .models import Clarification, Official, ProcuringEntity, Tender, TenderVersion


class AuditedAdmin(ObjectPermissionsModelAdmin):
    """Every save and delete through the admin writes an audit entry (the admin's view runs in a transaction)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'change' if change else 'add'}"
        audit_record(actor=request.user, action=f"admin.{action}", obj=obj, data={"fields": form.changed_data})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.delete", obj=obj)
        super().delete_model(request, obj)


class OfficialInline(admin.TabularInline):
    model = Official
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "title", "can_approve"]


@admin.register(ProcuringEntity)
class ProcuringEntityAdmin(AuditedAdmin):
    list_display = ["code", "name_ko", "name_en", "kind", "requires_second_approval", "is_active"]
    list_filter = ["kind", "is_active", "requires_second_approval"]
    search_fields = ["code", "name_ko", "name_en"]
    inlines = [OfficialInline]


@admin.register(Official)
class OfficialAdmin(AuditedAdmin):
    list_display = ["user", "entity", "title", "can_approve"]
    list_filter = ["entity", "can_approve"]
    search_fields = ["user__email", "user__full_name", "entity__name_ko", "entity__name_en"]
    autocomplete_fields = ["user", "entity"]


class TenderVersionInline(admin.TabularInline):
    model = TenderVersion
    extra = 0
    fields = ["amendment_number", "reason", "created_at", "created_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "entity", "status", "method", "submission_deadline", "next_check"]
    list_filter = ["status", "method", "category", "entity"]
    search_fields = ["reference", "title", "ocid"]
    exclude = ["public_key"]
    inlines = [TenderVersionInline]


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdmin):
    list_display = ["tender", "asked_at", "answered_at"]
    list_filter = ["answered_at"]
