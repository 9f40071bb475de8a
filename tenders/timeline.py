"""Timeline rules shared by the tender forms and services, so both give the same answer per field."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .policies import method_policy

TIMELINE_FIELDS = ("clarification_deadline", "submission_deadline", "opening_at")


def format_local(moment: datetime | None) -> str:
    """A moment in the deployment's zone with the zone named: "2026-12-01 10:00 (Asia/Seoul)"."""
    if moment is None:
        return ""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M} ({settings.TIME_ZONE})"


def timeline_errors(
    *,
    method: str,
    category: str,
    clarification_deadline: datetime | None,
    submission_deadline: datetime | None,
    opening_at: datetime | None,
    now: datetime,
    period_start: datetime | None = None,
    future_fields: tuple[str, ...] = TIMELINE_FIELDS,
) -> dict[str, str]:
    """Problems with a tender's timeline, keyed by the field to show them next to.

    `period_start` is when the tender was (or would be) published: the minimum tender period runs
    from it. `future_fields` are the moments that must still lie ahead (at publication all three;
    an amendment only checks what it moves).
    """
    errors: dict[str, str] = {}
    values = {
        "clarification_deadline": clarification_deadline,
        "submission_deadline": submission_deadline,
        "opening_at": opening_at,
    }
    labels = {
        "clarification_deadline": _("Set the deadline for questions."),
        "submission_deadline": _("Set the submission deadline."),
        "opening_at": _("Set the opening time."),
    }
    for name, value in values.items():
        if value is None:
            errors[name] = labels[name]
        elif name in future_fields and value <= now:
            errors[name] = _("This moment has already passed; choose a time in the future.")
    if errors.keys() & {"submission_deadline"}:
        return errors
    if (
        clarification_deadline
        and "clarification_deadline" not in errors
        and clarification_deadline >= submission_deadline
    ):
        errors["clarification_deadline"] = _("Questions must close before the submission deadline (%(deadline)s).") % {
            "deadline": format_local(submission_deadline)
        }
    if opening_at and "opening_at" not in errors and opening_at < submission_deadline:
        errors["opening_at"] = _("Bids cannot be opened before the submission deadline (%(deadline)s).") % {
            "deadline": format_local(submission_deadline)
        }
    min_period = method_policy(method).min_period(category)
    start = period_start or now
    if submission_deadline - start < min_period:
        errors["submission_deadline"] = _(
            "This tender must stay open for at least %(days)s days: set the deadline on or after %(earliest)s."
        ) % {"days": min_period.days, "earliest": format_local(start + min_period)}
    return errors


def amendment_min_deadline(*, now: datetime) -> datetime:
    """The earliest submission deadline an amendment made at `now` may leave in place."""
    return now + timedelta(days=settings.AMENDMENT_EXTENSION_DAYS)


def proposed_extension(*, submission_deadline: datetime, now: datetime) -> datetime | None:
    """What the amendment form proposes: None when enough time remains, else the earliest allowed
    deadline rounded up to the next whole hour (and never earlier than the current deadline)."""
    earliest = amendment_min_deadline(now=now)
    if submission_deadline >= earliest:
        return None
    local = timezone.localtime(earliest)
    if local.minute or local.second or local.microsecond:
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return local
