import csv
import json

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from . import audit, audit_words, notifications
from .dashboards import dashboard_panels
from .filters import AuditEntryFilter
from .models import AuditEntry, Notification


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "procurement/notifications.html", {"page_obj": page})


@require_POST
@login_required
def notification_mark_read(request):
    notification_id = request.POST.get("id")
    notifications.notifications_mark_read(
        user=request.user,
        notification_id=int(notification_id) if notification_id and notification_id.isdigit() else None,
    )
    return redirect("notifications")


@permission_required("procurement.view_audit_log", raise_exception=True)
def audit_log(request):
    entries = AuditEntryFilter(request.GET, queryset=AuditEntry.objects.select_related("actor"))
    page = Paginator(entries.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/audit_log.html",
        {
            "filter": entries,
            "page_obj": page,
            "lines": audit_words.describe(page.object_list),
            "csv_query": request.GET.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


# Rows per CSV download; narrow the filter for more (the page says so).
AUDIT_CSV_LIMIT = 50_000


@permission_required("procurement.view_audit_log", raise_exception=True)
def audit_log_csv(request):
    """The filtered log as CSV: the sentence, the changes in words, and the raw fields for machines."""
    entries = AuditEntryFilter(request.GET, queryset=AuditEntry.objects.select_related("actor")).qs
    writer = csv.writer(_Echo())
    header = ["seq", "time", "actor", "sentence", "changes", "action", "object_type", "object_id", "data", "hash"]

    def rows():
        yield "\ufeff" + writer.writerow(header)  # the BOM: spreadsheet programs then read Hangul right
        chunk = []
        for entry in entries[:AUDIT_CSV_LIMIT].iterator(chunk_size=500):
            chunk.append(entry)
            if len(chunk) == 500:
                yield from _csv_lines(writer, chunk)
                chunk = []
        yield from _csv_lines(writer, chunk)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


def _csv_lines(writer, entries):
    for line in audit_words.describe(entries):
        entry = line.entry
        yield writer.writerow(
            [
                entry.seq,
                line.at.isoformat(),
                entry.actor_label,
                audit_words.sentence_text(line),
                "; ".join(f"{c.label}: {c.before} → {c.after}" for c in line.changes),
                entry.action,
                entry.object_type,
                entry.object_id,
                json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
                entry.hash,
            ]
        )


def transparency(request):
    """The public log page: the key, the latest signed head, and checks that run in the browser."""
    public_key = audit.transparency_public_key()
    head = audit.transparency_latest_head()
    return render(
        request,
        "procurement/transparency.html",
        {
            "public_key": public_key.hex() if public_key else None,
            "head": audit.transparency_head_json(head) if head else None,
            "head_json": json.dumps(audit.transparency_head_json(head), indent=1) if head else "",
            "recent_heads": audit.transparency_recent_heads(limit=10),
        },
    )


def permission_denied(request, exception=None):
    """403 for people who are signed in; anonymous visitors are asked to sign in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", status=403)


@login_required
def dashboard(request):
    """Where everyone lands after signing in: what needs doing next, by the apps that know."""
    return render(request, "procurement/dashboard.html", {"panels": dashboard_panels(request.user)})
