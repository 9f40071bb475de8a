from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from rules.contrib.admin import ObjectPermissionsModelAdmin

from .models import AuditEntry, Outbox, User


class ReadOnlyAdmin(ObjectPermissionsModelAdmin):
    """Shown to those the rules let read; nobody adds, changes or deletes here (services do, and audit it)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ObjectPermissionsModelAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "role", "language"]}),
        ("Access", {"fields": ["is_active", "is_staff"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]
    readonly_fields = ["date_joined"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the database refuses changes anyway; the admin does not offer them."""

    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action"]


@admin.register(Outbox)
class OutboxAdmin(ObjectPermissionsModelAdmin):
    list_display = ["id", "event", "recipient", "status", "attempts", "next_try_at", "sent_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
