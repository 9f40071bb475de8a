from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin

from . import audit_words
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
    """Read-only: the database refuses changes anyway; the admin does not offer them.

    Entries read as the user-facing audit log reads them (procurement.audit_words): who did what to
    which record, the changes as before/after, the time with its zone; the raw fields (as hashed) are
    on the detail page below the words.
    """

    list_display = ["seq", "when", "sentence"]
    list_display_links = ["seq"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action"]
    list_select_related = ["actor"]
    fieldsets = [
        (None, {"fields": ["when", "sentence", "changes_in_words", "details_in_words"]}),
        (
            _("As recorded (hashed)"),
            {"fields": ["seq", "at", "actor_label", "action", "object_type", "object_id", "data", "xid", "hash"]},
        ),
    ]
    readonly_fields = [
        "when", "sentence", "changes_in_words", "details_in_words",
        "seq", "at", "actor_label", "action", "object_type", "object_id", "data", "xid", "hash",
    ]  # fmt: skip

    def get_changelist_instance(self, request):
        """Describe the page's entries together: one query per model they name, not one per row."""
        changelist = super().get_changelist_instance(request)
        for line in audit_words.describe(changelist.result_list):
            line.entry._audit_line = line
        return changelist

    @staticmethod
    def _line(entry) -> audit_words.Line:
        line = getattr(entry, "_audit_line", None)
        if line is None:
            line = entry._audit_line = audit_words.describe([entry])[0]
        return line

    @admin.display(description=_("time"), ordering="at")
    def when(self, entry) -> str:
        return date_format(self._line(entry).at, "Y-m-d H:i:s T")

    @admin.display(description=_("what happened"))
    def sentence(self, entry):
        return self._line(entry).sentence

    @admin.display(description=_("changes"))
    def changes_in_words(self, entry):
        line = self._line(entry)
        rows = [(c.label, c.before, c.after) for c in line.changes]
        rows += [(f"{name} · {c.label}", c.before, c.after) for name, changes in line.related for c in changes]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} → {}</li>", rows))

    @admin.display(description=_("details"))
    def details_in_words(self, entry):
        details = self._line(entry).details
        if not details:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", details))


@admin.register(Outbox)
class OutboxAdmin(ObjectPermissionsModelAdmin):
    list_display = ["id", "event", "recipient", "status", "attempts", "next_try_at", "sent_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
