"""Joint bidding (공동수급): a lead company and its partners bid on one tender as a consortium.

The consortium is metadata outside the sealed bid: it is formed and confirmed by every member
before the lead seals and submits, and the lead's Bid is the consortium's bid (docs/architecture.md §10).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import ClockTimestamp


class Consortium(models.Model):
    """A lead company's consortium for one tender: forming → confirmed (every member agreed) → …"""

    class Performance(models.TextChoices):
        JOINT = "joint", _("Joint performance (공동이행)")
        SPLIT = "split", _("Split performance (분담이행)")

    class Status(models.TextChoices):
        FORMING = "forming", _("Awaiting members' confirmation")
        CONFIRMED = "confirmed", _("Confirmed by every member")
        DISSOLVED = "dissolved", _("Dissolved by the lead")
        INVALID = "invalid", _("Invalid")

    # A change of terms sends a confirmed consortium back to forming (every member confirms again).
    TRANSITIONS = {
        Status.FORMING: {Status.CONFIRMED, Status.DISSOLVED, Status.INVALID},
        Status.CONFIRMED: {Status.FORMING, Status.DISSOLVED, Status.INVALID},
        Status.DISSOLVED: set(),
        Status.INVALID: set(),
    }
    ACTIVE_STATUSES = (Status.FORMING, Status.CONFIRMED)

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="consortia")
    lead = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="led_consortia")
    name = models.CharField(_("consortium name"), max_length=200)
    performance = models.CharField(_("form of performance"), max_length=10, choices=Performance.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FORMING)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), db_default=ClockTimestamp())
    confirmed_at = models.DateTimeField(_("confirmed by every member"), null=True, blank=True)

    class Meta:
        ordering = ["tender", "id"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "lead"],
                condition=models.Q(status__in=["forming", "confirmed"]),
                name="consortium_one_active_per_lead",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class ConsortiumMember(models.Model):
    """A company in a consortium (the lead included), its share, and its electronic confirmation."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        RELEASED = "released", _("Released (consortium ended)")

    # A company is in at most one live consortium per tender (and then cannot bid alone).
    BINDING_STATUSES = (Status.INVITED, Status.CONFIRMED)

    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, related_name="members")
    # Denormalised from the consortium for the one-consortium-per-company constraint.
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="consortium_memberships")
    is_lead = models.BooleanField(_("lead company"), default=False)
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    scope = models.CharField(_("part performed (split performance)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        ordering = ["consortium", "-is_lead", "id"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "supplier"],
                condition=models.Q(status__in=["invited", "confirmed"]),
                name="consortium_member_one_per_tender",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0, share__lte=100), name="consortium_member_share_range"
            ),
        ]

    def __str__(self):
        return f"{self.supplier_id} in {self.consortium_id}"
