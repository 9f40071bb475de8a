"""The one permission mechanism: `user.has_perm(name, obj)` backed by django-rules predicates.

Pages, the API and the admin site all ask it. Anything not granted by a rule is denied. Each app
adds its own rules in `<app>/rules.py`, built from the predicates here.
"""

import rules

from .roles import Role, mfa_missing


def has_role(*roles: Role):
    """A predicate true for active users of one of `roles` who have enrolled in MFA where required."""

    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user) -> bool:
        return bool(user.is_authenticated and user.is_active and user.role in roles and not mfa_missing(user))

    return predicate


is_supplier_user = has_role(Role.SUPPLIER)
is_official = has_role(Role.OFFICIAL)
is_evaluator = has_role(Role.EVALUATOR)
is_auditor = has_role(Role.AUDITOR)
is_platform_admin = has_role(Role.ADMIN)
is_authenticated = rules.is_authenticated


def require(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied unless the user holds `perm` (on `obj`)."""
    from django.core.exceptions import PermissionDenied

    if not user.has_perm(perm, obj):
        raise PermissionDenied
