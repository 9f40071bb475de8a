"""Account roles and the MFA rule that depends on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier user")
    OFFICIAL = "official", _("Procuring official")
    EVALUATOR = "evaluator", _("Evaluator")
    AUDITOR = "auditor", _("Auditor")
    # Someone outside the administration (a civic monitor, 입회인) whom a procuring entity invited to
    # hold shares of its tender keys (docs/architecture.md, "Sealing"): a key custodian and nothing else.
    OBSERVER = "observer", _("Outside observer")
    ADMIN = "admin", _("Platform admin")


# Roles that act for the state: they must enrol in MFA before they can do anything.
MFA_ROLES = frozenset({Role.OFFICIAL, Role.EVALUATOR, Role.AUDITOR, Role.OBSERVER, Role.ADMIN})


def mfa_assume_verified(user) -> None:
    """For a scripted actor that acts as a person without signing in (the demo loader, which refuses
    to run in production): treat this user object as past its second factor."""
    user._mfa_enrolled = True


def mfa_enrolled(user) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_mfa_enrolled", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._mfa_enrolled = cached
    return cached


def mfa_missing(user) -> bool:
    """True when the user's role demands MFA and they have not enrolled yet."""
    from django.conf import settings

    if not user.is_authenticated or user.role not in MFA_ROLES or settings.MFA_DEMO_RELAX:
        return False
    return not mfa_enrolled(user)
