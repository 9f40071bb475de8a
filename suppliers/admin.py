"""Admin site: reference data and a read-only view of companies. Decisions go through the vetting pages."""

from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin

from procurement.audit import audit_record

from .models import Classification, Sanction, Supplier, SupplierDocument, SupplierMember


class MemberInline(admin.TabularInline):
    model = SupplierMember
    extra = 0
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["user", "role", "joined_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = SupplierDocument
    extra = 0
    fields = ["kind", "title", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Supplier)
class SupplierAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name_ko", "name_en", "country", "registration_number", "status", "size_class", "submitted_at"]
    list_filter = ["status", "country", "size_class"]
    search_fields = ["name_ko", "name_en", "registration_number"]
    filter_horizontal = ["classifications"]
    inlines = [MemberInline, DocumentInline]
    # Status and identity change only through the services (audited, notified); see /suppliers/vetting/.
    readonly_fields = [
        "status",
        "status_reason",
        "country",
        "registration_number",
        "created_at",
        "updated_at",
        "submitted_at",
        "approved_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="admin.supplier.change", obj=obj, data={"fields": form.changed_data})


@admin.register(Sanction)
class SanctionAdmin(ObjectPermissionsModelAdmin):
    """Read-only: sanctions are recorded and lifted on the vetting pages, which audit and notify."""

    list_display = ["supplier", "starts_on", "ends_on", "legal_ground", "deciding_body", "lifted_at"]
    list_filter = ["deciding_body"]
    search_fields = ["supplier__name_ko", "supplier__name_en", "supplier__registration_number", "legal_ground"]
    date_hierarchy = "starts_on"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Sanction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Classification)
class ClassificationAdmin(ObjectPermissionsModelAdmin):
    list_display = ["code", "title_ko", "title_en", "scheme", "parent"]
    list_filter = ["scheme"]
    search_fields = ["code", "title_ko", "title_en"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"admin.classification.{'change' if change else 'add'}",
            obj=obj,
            data={"fields": form.changed_data},
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.classification.delete", obj=obj, data={"code": obj.code})
        super().delete_model(request, obj)
