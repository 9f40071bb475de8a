"""Asking a guarantee's issuer whether it issued it: an adapter interface and the simulated issuer.

settings.SECURITY_ISSUER_ADAPTER names the class. A real surety's or bank's API is plugged in by
writing a class with the same `verify` and naming it there; the portal stores whatever it answers.
Adapters are called outside any transaction (they may be slow network calls).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models_security import IssuedGuarantee, SecurityIssuer


@dataclass(frozen=True)
class GuaranteeClaim:
    """What the supplier says the guarantee is."""

    issuer: SecurityIssuer
    number: str
    principal_registration_number: str
    beneficiary_reference: str
    amount: Decimal
    currency: str
    valid_until: date


@dataclass(frozen=True)
class IssuerAnswer:
    confirmed: bool
    message: str = ""
    reference: str = ""


class IssuerAdapter(Protocol):
    def verify(self, claim: GuaranteeClaim) -> IssuerAnswer: ...


class SimulatedIssuer:
    """Answers from the IssuedGuarantee table, as an issuer's API would from its own books."""

    def verify(self, claim: GuaranteeClaim) -> IssuerAnswer:
        issued = IssuedGuarantee.objects.filter(issuer=claim.issuer, number=claim.number.strip()).first()
        if issued is None:
            return IssuerAnswer(False, _("The issuer has no guarantee with this number."))
        if issued.cancelled:
            return IssuerAnswer(False, _("The issuer cancelled this guarantee."))
        if issued.principal_registration_number != claim.principal_registration_number:
            return IssuerAnswer(False, _("The issuer issued this guarantee to another company."))
        if issued.beneficiary_reference != claim.beneficiary_reference:
            return IssuerAnswer(
                False,
                _("The issuer issued this guarantee for %(reference)s, not for %(this)s.")
                % {"reference": issued.beneficiary_reference, "this": claim.beneficiary_reference},
            )
        if issued.amount != claim.amount or issued.currency != claim.currency:
            return IssuerAnswer(False, _("The amount does not match the issuer's record."))
        if issued.valid_until != claim.valid_until:
            return IssuerAnswer(False, _("The validity date does not match the issuer's record."))
        return IssuerAnswer(True, _("Confirmed by the issuer."), reference=f"SIM-{issued.pk}")


def issuer_adapter() -> IssuerAdapter:
    return import_string(settings.SECURITY_ISSUER_ADAPTER)()
