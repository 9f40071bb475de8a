"""Bid securities (입찰보증금): guarantees from a register of issuers, verified with the issuer.

`Guarantee` is shared with contracts' performance securities. The simulated issuer's book
(`IssuedGuarantee`) stands in for a surety's or bank's API (bidding.issuers; docs/architecture.md §10).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import ClockTimestamp


class SecurityIssuer(models.Model):
    """A surety or bank whose guarantees the portal accepts; the platform admin keeps the register."""

    class Kind(models.TextChoices):
        SURETY = "surety", _("Surety (보증기관)")
        BANK = "bank", _("Bank")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(_("accepting its guarantees"), default=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("security issuer")
        verbose_name_plural = _("security issuers")

    def __str__(self):
        return self.name_ko


class IssuedGuarantee(models.Model):
    """The simulated issuer's own book: what it has issued. A real issuer answers from its own system."""

    issuer = models.ForeignKey(SecurityIssuer, on_delete=models.PROTECT, related_name="issued")
    number = models.CharField(_("guarantee number"), max_length=60)
    principal_registration_number = models.CharField(_("principal's registration number"), max_length=32)
    # The tender (or contract) reference the guarantee was issued for.
    beneficiary_reference = models.CharField(_("issued for (reference)"), max_length=40)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    valid_until = models.DateField(_("valid until"))
    cancelled = models.BooleanField(_("cancelled by the issuer"), default=False)

    class Meta:
        ordering = ["issuer", "number"]
        verbose_name = _("issued guarantee (simulated issuer)")
        verbose_name_plural = _("issued guarantees (simulated issuer)")
        constraints = [models.UniqueConstraint(fields=["issuer", "number"], name="issuedguarantee_unique_number")]

    def __str__(self):
        return f"{self.issuer.code} {self.number}"


class Guarantee(models.Model):
    """A guarantee a supplier attached, with what the issuer answered when the portal asked."""

    class Verification(models.TextChoices):
        VERIFIED = "verified", _("Verified with the issuer")
        FAILED = "failed", _("Not confirmed by the issuer")

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        REJECTED = "rejected", _("Rejected")
        RELEASED = "released", _("Released")
        CALLED = "called", _("Called (forfeited)")

    TRANSITIONS = {
        Status.HELD: {Status.REJECTED, Status.RELEASED, Status.CALLED},
        Status.REJECTED: {Status.RELEASED},
        Status.RELEASED: set(),
        Status.CALLED: set(),
    }

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey(SecurityIssuer, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("guarantee number"), max_length=60)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HELD)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    verification = models.CharField(_("verification"), max_length=10, choices=Verification.choices)
    verification_message = models.TextField(_("issuer's answer"), blank=True)
    verification_reference = models.CharField(_("issuer's reference"), max_length=80, blank=True)
    verified_at = models.DateTimeField(_("verified"), db_default=ClockTimestamp())
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("released or called"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class BidSecurity(Guarantee):
    """The bid security of one company (a consortium's lead) on one tender; attaching again replaces it.

    Before opening only the company itself sees it: a percentage security's amount hints at the price.
    """

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="bid_securities")

    class Meta:
        ordering = ["tender", "id"]
        verbose_name = _("bid security")
        verbose_name_plural = _("bid securities")
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="bidsecurity_one_per_bidder")]

    def __str__(self):
        return f"bid security {self.number}"
