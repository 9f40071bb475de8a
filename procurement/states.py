"""Lifecycles as data: each model declares {status: allowed next statuses}; one check refuses the rest."""

from django.utils.translation import gettext as _

from .errors import InvalidTransition


def check_transition(obj, to: str, transitions: dict, *, field: str = "status") -> None:
    current = getattr(obj, field)
    if to not in transitions.get(current, ()):
        labels = dict(obj._meta.get_field(field).choices)
        raise InvalidTransition(
            _("%(object)s cannot go from “%(current)s” to “%(target)s”.")
            % {
                "object": obj._meta.verbose_name.capitalize(),
                "current": labels.get(current, current),
                "target": labels.get(to, to),
            }
        )
