import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Classification(models.Model):
    """A code of a procurement vocabulary (CPV 2008 divisions and groups ship with the portal)."""

    class Scheme(models.TextChoices):
        CPV = "CPV", _("Common Procurement Vocabulary (CPV 2008)")

    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme.choices, default=Scheme.CPV)
    code = models.CharField(_("code"), max_length=16)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["scheme", "code"]
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ko

    @property
    def is_division(self) -> bool:
        return self.parent_id is None


class Supplier(models.Model):
    """A company that bids. Registered once, vetted by platform admins, usable with every entity."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting vetting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SUSPENDED = "suspended", _("Suspended")

    class SizeClass(models.TextChoices):
        SME = "sme", _("Small or medium-sized enterprise (SME)")
        LARGE = "large", _("Large enterprise")

    # The vetting lifecycle. A rejection is final: the company may register again only after an admin
    # deletes the record. A suspension is lifted by reinstating.
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.CHANGES_REQUESTED},
        Status.CHANGES_REQUESTED: {Status.PENDING},
        Status.APPROVED: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.APPROVED},
        Status.REJECTED: set(),
    }
    # While vetting has not approved the company, its identity (names, number) may still be corrected.
    IDENTITY_EDITABLE = frozenset({Status.PENDING, Status.CHANGES_REQUESTED})

    name_ko = models.CharField(_("legal name (Korean)"), max_length=200)
    name_en = models.CharField(_("legal name (Latin)"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="KR")
    registration_number = models.CharField(_("business registration number"), max_length=32)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # What vetting last told the company (why it was rejected, what to change, why it is suspended).
    status_reason = models.TextField(_("reason given"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    representative = models.CharField(_("representative"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.SME)
    classifications = models.ManyToManyField(
        Classification, blank=True, related_name="suppliers", verbose_name=_("classifications supplied")
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted for vetting"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(fields=["country", "registration_number"], name="supplier_unique_registration")
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="supplier_vetting_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:profile", args=[self.pk])

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def identity_editable(self) -> bool:
        return self.status in self.IDENTITY_EDITABLE

    @property
    def country_display(self) -> str:
        from .countries import country_name

        return country_name(self.country)

    @property
    def registration_number_display(self) -> str:
        number = self.registration_number
        if self.country == "KR" and len(number) == 10 and number.isdigit():
            return f"{number[:3]}-{number[3:5]}-{number[5:]}"
        return number


class SupplierStatusChange(models.Model):
    """The vetting history of a company: every status it went through, who decided and why."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Supplier.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Supplier.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.supplier_id}: {self.from_status or '—'} → {self.to_status}"


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

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def may_bid(self) -> bool:
        """Submits, replaces and withdraws the company's bids, lodges complaints, reports deliveries."""
        return self.role in (self.Role.ADMINISTRATOR, self.Role.BIDDER)


def _invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class SupplierInvitation(models.Model):
    """An administrator's invitation of a colleague, by email; accepted when that address signs in."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=20, choices=SupplierMember.Role.choices, default=SupplierMember.Role.BIDDER
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("company invitation")
        verbose_name_plural = _("company invitations")
        constraints = [
            # One open invitation per address and company: inviting again re-sends, never duplicates.
            models.UniqueConstraint(
                fields=["supplier", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.supplier_id}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:invitation", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


def supplier_document_path(instance, filename: str) -> str:
    """A random name under a private prefix: never derived from what the uploader called the file."""
    return f"private/suppliers/{instance.supplier_id}/{uuid.uuid4().hex}"


class SupplierDocument(models.Model):
    """Evidence for vetting. Private: only the company, platform admins and auditors may download it."""

    class Kind(models.TextChoices):
        REGISTRATION_CERTIFICATE = "registration_certificate", _("Business registration certificate")
        TAX_CERTIFICATE = "tax_certificate", _("Tax payment certificate")
        LICENCE = "licence", _("Licence or permit")
        OTHER = "other", _("Other")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=supplier_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("company document")
        verbose_name_plural = _("company documents")

    def __str__(self):
        return self.title or self.original_name

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    def get_download_url(self) -> str:
        return reverse("suppliers:document_download", args=[self.pk])


class Sanction(models.Model):
    """A debarment (부정당업자 제재): the company may not bid from `starts_on` to `ends_on` inclusive."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="sanctions")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    legal_ground = models.CharField(_("legal ground"), max_length=300)
    reason = models.TextField(_("reason"))
    deciding_body = models.CharField(_("deciding body"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_reason = models.TextField(_("reason for lifting"), blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="sanction_period_ordered")
        ]
        indexes = [models.Index(fields=["supplier", "starts_on", "ends_on"], name="sanction_period_idx")]

    def __str__(self):
        return f"{self.supplier} {self.starts_on}–{self.ends_on}"

    @property
    def state(self) -> str:
        """lifted, running, ended or upcoming, today."""
        if self.lifted_at is not None:
            return "lifted"
        today = timezone.localdate()
        if self.ends_on < today:
            return "ended"
        return "running" if self.starts_on <= today else "upcoming"

    def is_running(self, at=None) -> bool:
        """In force at `at` (default now): its period covers that day in the portal's time zone, not lifted."""
        at = at or timezone.now()
        day = timezone.localdate(at)
        lifted = self.lifted_at is not None and self.lifted_at <= at
        return not lifted and self.starts_on <= day <= self.ends_on
