from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Supplier(models.Model):
    """A company that bids. Registered once, vetted by platform admins, usable with every entity."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting vetting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SUSPENDED = "suspended", _("Suspended")

    name_ko = models.CharField(_("legal name (Korean)"), max_length=200)
    name_en = models.CharField(_("legal name (Latin)"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="KR")
    registration_number = models.CharField(_("business registration number"), max_length=32)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(fields=["country", "registration_number"], name="supplier_unique_registration")
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko


class SupplierMember(models.Model):
    """A user's membership of one company (a user belongs to at most one)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        BIDDER = "bidder", _("Bidder")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BIDDER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")

    def __str__(self):
        return f"{self.user} @ {self.supplier}"
