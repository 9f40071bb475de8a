from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; the role says which part of the portal they work in."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SUPPLIER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ko")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.get_full_name()


class AuditEntry(models.Model):
    """One entry of the append-only audit log, and one leaf of the transparency log.

    PostgreSQL refuses UPDATE and DELETE on this table (migration 0002) and the application's role
    may only INSERT and SELECT it. `seq` comes from a sequence, so writers never wait for one
    another; `hash` is the entry's leaf hash (procurement.transparency.entry_bytes), computed at
    insert. `xid` is the writer's transaction id: the integrator adds an entry to the Merkle tree
    only once every transaction with a smaller id has finished (procurement.audit).
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    xid = models.BigIntegerField(db_index=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class LogLeaf(models.Model):
    """An entry's place in the Merkle tree, assigned once by the integrator (insert-only)."""

    index = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="leaf")
    leaf_hash = models.CharField(max_length=64)
    # The writer's transaction id, copied so the integrator finds where it stopped in one lookup.
    xid = models.BigIntegerField(db_index=True)

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return f"leaf #{self.index}"


class LogNode(models.Model):
    """The hash of a perfect subtree of the Merkle tree, stored once complete (insert-only).

    Node (level, index) covers leaves [index·2^level, (index+1)·2^level); level 0 is LogLeaf. Heads
    and proofs are computed from O(log n) of these instead of every leaf (procurement.transparency).
    A rewritten node yields proofs that fail against signed heads; the verifier recomputes from leaves.
    """

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="lognode_unique_position")]

    def __str__(self):
        return f"node {self.level}/{self.index}"


class TreeHead(models.Model):
    """A signed tree head: the platform's signed statement of the log's size and root (insert-only)."""

    tree_size = models.BigIntegerField(db_index=True)
    timestamp_ms = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=88)  # base64 of the 64-byte Ed25519 signature
    public_key = models.CharField(max_length=64)  # hex; names the key that signed it

    class Meta:
        ordering = ["-tree_size", "-timestamp_ms"]
        get_latest_by = ["tree_size", "timestamp_ms"]

    def __str__(self):
        return f"tree head {self.tree_size} {self.root_hash[:12]}"


class Outbox(models.Model):
    """A notification owed to one person, written in the same transaction as its event."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.CharField(max_length=80)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_try_at"], name="outbox_due_idx", condition=models.Q(status="pending"))]

    def __str__(self):
        return f"{self.event} → {self.recipient_id} ({self.status})"


class Notification(models.Model):
    """What a user sees in the portal's notification list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # One in-app notification per outbox row, however often delivery is retried.
    outbox = models.OneToOneField(Outbox, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.CharField(_("text"), max_length=255)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text


class HealthInterval(models.Model):
    """A time the portal was unavailable or degraded, as the health probe and the web saw it.

    The record that justifies an outage postponement (tenders.services.outages). `ended_at` is null
    while it lasts. docs/architecture.md §9.
    """

    class Component(models.TextChoices):
        # No probe could be recorded: the database, the broker, every worker or the scheduler was down.
        UNOBSERVED = "unobserved", _("Portal not observed healthy")
        DATABASE = "database", _("Database slow or unreachable")
        REDIS = "redis", _("Redis (queue and cache) unreachable")
        WEB = "web", _("Web servers answered 503 (database unreachable)")

    component = models.CharField(_("component"), max_length=20, choices=Component.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, encoder=DjangoJSONEncoder)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("health interval")
        verbose_name_plural = _("health intervals")
        indexes = [models.Index(fields=["ended_at", "started_at"], name="health_interval_span_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["component"], condition=models.Q(ended_at__isnull=True), name="health_one_open_per_component"
            )
        ]

    def __str__(self):
        return f"{self.component} {self.started_at:%Y-%m-%d %H:%M}–{self.ended_at or '…'}"


class HealthHeartbeat(models.Model):
    """The last time the probe ran (one row): a gap longer than HEALTH_GAP_SECONDS is an outage."""

    last_at = models.DateTimeField()
    last_web_minute = models.BigIntegerField(default=0)

    def __str__(self):
        return f"heartbeat {self.last_at:%Y-%m-%d %H:%M:%S}"
