"""The kernel's own dashboard panels: system health for administrators, the audit log for auditors."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import health
from .dashboards import Panel, panels_by_role
from .models import HealthHeartbeat, HealthInterval, Outbox


def system_health() -> list[tuple[str, str, bool]]:
    database = health._database()
    broker = health._redis()
    worker = broker and health._worker()
    waiting = Outbox.objects.filter(status=Outbox.Status.PENDING).count()
    failed = Outbox.objects.filter(status=Outbox.Status.FAILED).count()

    def state(ok: bool) -> str:
        return _("Up") if ok else _("Down")

    heartbeat = HealthHeartbeat.objects.filter(pk=1).values_list("last_at", flat=True).first()
    probe_ok = heartbeat is not None and (timezone.now() - heartbeat).total_seconds() <= settings.HEALTH_GAP_SECONDS
    ongoing = [str(i.get_component_display()) for i in HealthInterval.objects.filter(ended_at__isnull=True)]
    return [
        (
            _("Health probe (outage record)"),
            _("last ran %(when)s") % {"when": localize(timezone.localtime(heartbeat))} if heartbeat else _("never ran"),
            probe_ok,
        ),
        (_("Degraded now"), ", ".join(ongoing) or _("Nothing"), not ongoing),
        (_("Database"), state(database), database),
        (_("Redis (queue and cache)"), state(broker), broker),
        (_("Background worker"), state(worker), worker),
        (_("Notifications waiting to be sent"), str(waiting), waiting < 100),
        (_("Notifications that failed"), str(failed), failed == 0),
    ]


def admin_panels(user) -> list[Panel]:
    return [
        Panel(
            key="health",
            order=61,
            title=gettext_lazy("System health"),
            facts=system_health(),
            more_url=reverse("admin:index"),
            more_label=gettext_lazy("Manage users and entities"),
        )
    ]


def auditor_panels(user) -> list[Panel]:
    return [
        Panel(
            key="audit_log",
            order=51,
            title=gettext_lazy("Audit log"),
            facts=[(_("Every change in the portal, hash-chained"), _("Open"), True)],
            more_url=reverse("audit_log"),
            more_label=gettext_lazy("Open the record of every change"),
        )
    ]


def panels(user) -> list[Panel]:
    return panels_by_role(user, admin=admin_panels, auditor=auditor_panels)
