from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ProcuringEntity(models.Model):
    """A ministry, agency or local government that buys."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central government")
        LOCAL = "local", _("Local government")
        PUBLIC_BODY = "public_body", _("Public body")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CENTRAL)
    is_active = models.BooleanField(_("active"), default=True)
    # Four-eyes rule: when set, a second official with can_approve must approve each publication.
    requires_second_approval = models.BooleanField(_("publication needs a second official's approval"), default=False)
    # Key custodians a new tender of this entity names by default, and how many of them open it.
    default_custodians = models.ManyToManyField(
        "Custodian", blank=True, related_name="default_for", verbose_name=_("default key custodians")
    )
    default_custodian_threshold = models.PositiveSmallIntegerField(_("custodians needed to open (default)"), default=2)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("procuring entity")
        verbose_name_plural = _("procuring entities")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko


class Official(models.Model):
    """A user's membership of one procuring entity; officials act only for it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official")
    entity = models.ForeignKey(ProcuringEntity, on_delete=models.PROTECT, related_name="officials")
    title = models.CharField(_("job title"), max_length=120, blank=True)
    can_approve = models.BooleanField(_("can approve publication"), default=False)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self):
        return f"{self.user} @ {self.entity.code}"


class ReferenceCounter(models.Model):
    """The per-year sequence behind tender references (2026-00001, 2026-00002, …).

    Incremented with one INSERT … ON CONFLICT DO UPDATE … RETURNING, so two publications never
    get the same number and a rolled-back publication only leaves a gap.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class BidSecurityKind(models.TextChoices):
    NONE = "none", _("Not required")
    PERCENT = "percent", _("A percentage of the bid price")
    FIXED = "fixed", _("A fixed amount")


class Bigrams(Func):
    """tender_bigrams(title, description): every two-character piece of the upper-cased text without
    whitespace, as an array (the SQL function is made by migration tenders 0006)."""

    function = "tender_bigrams"
    arity = 2
    output_field = ArrayField(models.TextField())


# Tenders the public may see (Tender.PRIVATE_STATUSES excluded): the partial indexes' condition,
# written as tenders.selectors.tenders_public() filters so the planner can prove it.
PUBLIC_CONDITION = ~Q(status__in=["draft", "pending_approval"])


class Tender(models.Model):
    """A call for bids by one procuring entity."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        PUBLISHED = "published", _("Open for bids")
        CLOSED = "closed", _("Closed")
        OPENED = "opened", _("Bids opened")
        EVALUATED = "evaluated", _("Evaluated")
        AWARDED = "awarded", _("Awarded")
        CONTRACTED = "contracted", _("Contracted")
        CANCELLED = "cancelled", _("Cancelled")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")

    class Method(models.TextChoices):
        OPEN = "open", _("Open")
        RESTRICTED = "restricted", _("Restricted (invited suppliers)")
        LIMITED = "limited", _("Limited (direct)")
        # Made only by the catalogue from an order above its threshold (catalogue.MiniCompetition).
        MINI_COMPETITION = "mini_competition", _("Second-stage competition among framework suppliers (2단계경쟁)")

    class Category(models.TextChoices):
        GOODS = "goods", _("Goods")
        WORKS = "works", _("Works")
        SERVICES = "services", _("Services")

    class EvaluationMethod(models.TextChoices):
        LOWEST_PRICE = "lowest_price", _("Lowest price")
        FLOOR_RATE_RESERVE = "floor_rate_reserve", _("Lowest price above a floor rate (multiple reserve prices)")
        BEST_VALUE = "best_value", _("Best value (technical and price)")

    # The lifecycle (docs/architecture.md §2). This app moves draft → pending_approval → published, cancels and
    # marks unsuccessful; bidding and contracts move the rest through services.tender_set_status.
    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING_APPROVAL, Status.PUBLISHED, Status.CANCELLED},
        Status.PENDING_APPROVAL: {Status.PUBLISHED, Status.DRAFT},
        Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: {Status.OPENED, Status.CANCELLED, Status.UNSUCCESSFUL},
        Status.OPENED: {Status.EVALUATED, Status.UNSUCCESSFUL},
        Status.EVALUATED: {Status.AWARDED, Status.UNSUCCESSFUL},
        Status.AWARDED: {Status.CONTRACTED, Status.UNSUCCESSFUL},
        Status.CONTRACTED: set(),
        Status.CANCELLED: set(),
        Status.UNSUCCESSFUL: set(),
    }
    # Never shown to the public, suppliers, or officials of other entities.
    PRIVATE_STATUSES = frozenset({Status.DRAFT, Status.PENDING_APPROVAL})
    TERMINAL_STATUSES = frozenset({Status.CONTRACTED, Status.CANCELLED, Status.UNSUCCESSFUL})

    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    ocid = models.CharField(_("OCDS id"), max_length=80, unique=True, null=True, blank=True)
    entity = models.ForeignKey(ProcuringEntity, on_delete=models.PROTECT, related_name="tenders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    title = models.CharField(_("title"), max_length=300)
    classifications = models.ManyToManyField(
        "suppliers.Classification", blank=True, related_name="tenders", verbose_name=_("classifications")
    )
    # Sanitised HTML (nh3) — cleaned by the services before it is stored.
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("procurement method"), max_length=20, choices=Method.choices, default=Method.OPEN)
    method_justification = models.TextField(_("justification for the method"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.GOODS)
    estimated_value = models.DecimalField(_("estimated value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    delivery_place = models.CharField(_("place of delivery"), max_length=300, blank=True)
    delivery_period = models.CharField(_("delivery period"), max_length=200, blank=True)
    eligibility = models.TextField(_("eligibility requirements"), blank=True)
    evaluation_method = models.CharField(
        _("evaluation method"),
        max_length=30,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.LOWEST_PRICE,
    )
    # Validated per method by tenders.policies (national defaults in settings.EVALUATION_DEFAULTS).
    evaluation_params = models.JSONField(_("evaluation parameters"), default=dict, blank=True)
    # 1: one sealed envelope per bid; 2: a technical and a price envelope, opened in two stages
    # (docs/architecture.md §6, docs/sealing.md). The procedure policy says which counts it allows.
    envelopes = models.PositiveSmallIntegerField(
        _("envelopes"), choices=[(1, _("One envelope")), (2, _("Two envelopes (technical, then price)"))], default=1
    )

    # Joint bidding (공동수급) and bid securities (docs/architecture.md §10).
    consortium_allowed = models.BooleanField(_("joint bidding (consortia) allowed"), default=False)
    bid_security_kind = models.CharField(
        _("bid security"), max_length=10, choices=BidSecurityKind.choices, default=BidSecurityKind.NONE
    )
    # A percentage of the bid price (percent) or an amount in the tender's currency (fixed).
    bid_security_value = models.DecimalField(
        _("bid security rate (%) or amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )

    clarification_deadline = models.DateTimeField(_("clarification deadline"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    opening_at = models.DateTimeField(_("opening time"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The earliest moment something is due for this tender (the deadline sweep's index): the
    # submission deadline while published; whoever moves the tender on sets the next one.
    next_check = models.DateTimeField(_("next check"), null=True, blank=True, db_index=True)
    # Current amendment number: 0 at publication, +1 per amendment.
    version = models.PositiveIntegerField(_("version"), default=0)

    # Sealing: the key pair is made in the publishing official's browser; the server receives the
    # public key and the private key's shares, each sealed to one custodian (TenderCustodian).
    public_key = models.BinaryField(null=True, blank=True, editable=False)
    # k: how many of the named custodians' shares recombine the private key (k ≥ 2).
    custodian_threshold = models.PositiveSmallIntegerField(_("custodians needed to open"), null=True, blank=True)

    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    unsuccessful_reason = models.TextField(_("reason it was unsuccessful"), blank=True)
    retendered_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retenders"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)

    # Public search (tenders.selectors.tenders_search, docs/architecture.md "Search"): the documents
    # are stored, so matching and ranking read them instead of parsing every row on every search.
    SEARCH_FIELDS = ("search_simple", "search_english", "search_bigrams")  # deferred by tenders_public()
    search_simple = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="simple")
        + SearchVector("description", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )
    search_english = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )
    search_bigrams = models.GeneratedField(
        expression=Bigrams(F("title"), F("description")),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        editable=False,
    )

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="tender_status_pub_idx"),
            # Full-text search ('simple': PostgreSQL has no Korean stemmer; 'english' for word forms).
            GinIndex(fields=["search_simple"], name="tender_search_simple_idx"),
            GinIndex(fields=["search_english"], name="tender_search_english_idx"),
            # A two-character term inside a word (도로 in 국도도로): the index narrows to rows holding
            # the piece, LIKE confirms. Trigrams cannot serve two-syllable Korean words.
            GinIndex(fields=["search_bigrams"], name="tender_bigram_idx"),
            # Typos (word_similarity through the %> operator) and terms of three characters or more
            # inside the title or the description (LIKE).
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="tender_title_trgm_idx"),
            GinIndex(OpClass(Upper("description"), name="gin_trgm_ops"), name="tender_description_trgm_idx"),
            # The public list's sorts, on public tenders only, so a page is an index range, not a sort.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                name="tender_public_newest_idx",
                condition=PUBLIC_CONDITION,
            ),
            models.Index(fields=["submission_deadline"], name="tender_public_closing_idx", condition=PUBLIC_CONDITION),
            models.Index(fields=["estimated_value"], name="tender_public_value_idx", condition=PUBLIC_CONDITION),
        ]

    def __str__(self):
        return f"{self.reference or _('(draft)')} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tenders:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status not in self.PRIVATE_STATUSES

    @property
    def is_open_for_bids(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.submission_deadline is not None
            and timezone.now() < self.submission_deadline
        )

    @property
    def clarifications_open(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.clarification_deadline is not None
            and timezone.now() < self.clarification_deadline
        )

    @property
    def requires_bid_security(self) -> bool:
        return self.bid_security_kind != BidSecurityKind.NONE and bool(self.bid_security_value)

    @property
    def bid_security_is_rate(self) -> bool:
        return self.bid_security_kind == BidSecurityKind.PERCENT

    def bid_security_required(self, price=None):
        """The security a bid needs: the fixed amount, or the rate of `price` (None while the price is sealed)."""
        if not self.requires_bid_security:
            return Decimal(0)
        if self.bid_security_kind == BidSecurityKind.FIXED:
            return self.bid_security_value
        if price is None:
            return None
        return (Decimal(price) * self.bid_security_value / 100).quantize(Decimal(1), rounding=ROUND_CEILING)

    @property
    def is_invitation_only(self) -> bool:
        from .policies import method_policy

        return method_policy(self.method).invitation_only

    @property
    def invitations_editable(self) -> bool:
        """Officials choose whom to invite, unless the framework fixes the list (second-stage competitions)."""
        from .policies import method_policy

        policy = method_policy(self.method)
        return policy.invitation_only and not policy.invitations_from_framework


class TenderVersion(models.Model):
    """One published version of a tender: amendment 0 is the original notice; each addendum adds one."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="versions")
    amendment_number = models.PositiveIntegerField(_("amendment number"))
    reason = models.TextField(_("reason"), blank=True)
    # Every public field as it stood after this version (see services.tender_snapshot).
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # None: the portal itself made this version (an outage postponement, tenders.services.outages).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["tender", "amendment_number"]
        verbose_name = _("tender version")
        verbose_name_plural = _("tender versions")
        constraints = [
            models.UniqueConstraint(fields=["tender", "amendment_number"], name="tender_version_unique_number")
        ]

    def __str__(self):
        return f"{self.tender_id} v{self.amendment_number}"


def tender_document_path(instance, filename: str) -> str:
    return f"tenders/{instance.tender_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class TenderDocument(models.Model):
    """Specifications, drawings and other bidding documents: private while draft, public once published."""

    class Kind(models.TextChoices):
        SPECIFICATION = "specification", _("Specification")
        DRAWING = "drawing", _("Drawing")
        BILL_OF_QUANTITIES = "bill_of_quantities", _("Bill of quantities")
        CONTRACT_TERMS = "contract_terms", _("Contract terms")
        OTHER = "other", _("Other")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.SPECIFICATION)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=tender_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # The amendment that added it (0: part of the original notice or the draft).
    amendment_number = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")

    def __str__(self):
        return self.title


class Clarification(models.Model):
    """A supplier's question and the entity's public answer. The asker is never shown publicly."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self):
        return f"Q{self.pk} on {self.tender_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Invitation(models.Model):
    """A supplier invited to a restricted or limited tender: only they are told, only they may bid."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="invitations")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="tender_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="invitation_unique_supplier")]

    def __str__(self):
        return f"{self.supplier_id} → {self.tender_id}"


class TenderFollow(models.Model):
    """A person who clicked “follow” on a tender: told about amendments, answers and cancellation."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tender_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tender follow")
        verbose_name_plural = _("tender follows")
        constraints = [models.UniqueConstraint(fields=["tender", "user"], name="tender_follow_unique_user")]

    def __str__(self):
        return f"{self.user_id} follows {self.tender_id}"


class Subscription(models.Model):
    """A company's alerts (관심 분야): new tenders in these classifications or from these entities."""

    supplier = models.OneToOneField("suppliers.Supplier", on_delete=models.CASCADE, related_name="tender_subscription")
    classifications = models.ManyToManyField(
        "suppliers.Classification", blank=True, related_name="+", verbose_name=_("classifications")
    )
    entities = models.ManyToManyField(
        ProcuringEntity, blank=True, related_name="+", verbose_name=_("procuring entities")
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tender alert subscription")
        verbose_name_plural = _("tender alert subscriptions")

    def __str__(self):
        return f"alerts of {self.supplier_id}"


class Custodian(models.Model):
    """A holder of tender-key shares: a person with an X25519 key pair made in their own browser, or
    the platform itself.

    A person's private key is stored only encrypted under a key derived from their passphrase
    (Argon2id, then XSalsa20-Poly1305: `sealed_private_key` = {salt, opslimit, memlimit, nonce,
    ciphertext}, base64); the server cannot open it. The platform's private key is not stored at
    all: it comes from the environment (PLATFORM_CUSTODIAN_KEY) and is used only after a deadline.
    """

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("The platform")
        OFFICIAL = "official", _("Opening official")
        AUDITOR = "auditor", _("Auditor")
        OBSERVER = "observer", _("Outside observer")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="custodian_keys"
    )
    public_key = models.BinaryField(_("public key"), unique=True, editable=False)
    sealed_private_key = models.JSONField(_("encrypted private key"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("key custodian")
        verbose_name_plural = _("key custodians")
        constraints = [
            # One usable key per person (re-enrolling retires the old one) and one platform key.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_active=True), name="custodian_one_active_per_user"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="platform", is_active=True), name="custodian_one_platform"
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.PLATFORM:
            return str(_("The platform"))
        return f"{self.user} ({self.get_kind_display()})"

    @property
    def fingerprint(self) -> str:
        """Short, human-comparable form of the public key (first 16 hex digits)."""
        return bytes(self.public_key).hex()[:16]


class TenderCustodian(models.Model):
    """A custodian named on a tender (chosen on the draft) and, from publication, its sealed share of
    the tender's private key: crypto_box_seal(share, custodian public key), 33 + 48 bytes."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="custodians")
    custodian = models.ForeignKey(Custodian, on_delete=models.PROTECT, related_name="tenders")
    sealed_share = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["tender", "id"]
        verbose_name = _("tender key custodian")
        verbose_name_plural = _("tender key custodians")
        constraints = [
            models.UniqueConstraint(fields=["tender", "custodian"], name="tendercustodian_unique"),
        ]

    def __str__(self):
        return f"{self.custodian} for {self.tender_id}"


class ReservePriceSet(models.Model):
    """복수예비가격: reserve prices drawn in the publishing official's browser and sealed to the tender
    key, published with the notice as a commitment (SHA-256 of the ciphertext).

    One per amendment that (re)drew them; the latest is the one opening uses. The sealed JSON is
    {"schema": "koneps-reserve-prices-v1", "tender", "amendment", "base_price", "range_pct", "values"}.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="reserve_price_sets")
    amendment_number = models.PositiveIntegerField(default=0)
    base_price = models.DecimalField(_("base price"), max_digits=18, decimal_places=2)
    range_pct = models.DecimalField(_("range (±%)"), max_digits=5, decimal_places=2)
    count = models.PositiveSmallIntegerField(_("number of reserve prices"))
    ciphertext = models.BinaryField(editable=False)
    commitment = models.CharField(_("commitment"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)

    class Meta:
        ordering = ["tender", "-amendment_number"]
        verbose_name = _("reserve price set")
        verbose_name_plural = _("reserve price sets")
        constraints = [
            models.UniqueConstraint(fields=["tender", "amendment_number"], name="tender_reserveprices_unique")
        ]

    def __str__(self):
        return f"reserve prices of {self.tender_id} (amendment {self.amendment_number})"


def _observer_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _observer_expiry():
    from datetime import timedelta

    return timezone.now() + timedelta(days=14)


class ObserverInvitation(models.Model):
    """A procuring entity's invitation of an outside observer, by email, to hold shares of its tender
    keys. Accepting it makes the account an observer (Role.OBSERVER), who then enrols a key on the
    custodian page and can be named on the entity's tenders."""

    entity = models.ForeignKey(ProcuringEntity, on_delete=models.CASCADE, related_name="observer_invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=_observer_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_observer_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observer_invitations",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("observer invitation")
        verbose_name_plural = _("observer invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="observer_invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.entity_id}"

    def get_absolute_url(self) -> str:
        return reverse("tenders:observer_invitation", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class TenderPostponement(models.Model):
    """A deadline the portal moved because it was unavailable or degraded before it (KONEPS's rule).

    The public notice is the TenderVersion it made; `interval` is the recorded outage it relies on.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="postponements")
    interval = models.ForeignKey("procurement.HealthInterval", on_delete=models.PROTECT, related_name="+")
    version = models.OneToOneField(TenderVersion, on_delete=models.PROTECT, related_name="postponement")
    previous_deadline = models.DateTimeField(_("previous submission deadline"))
    new_deadline = models.DateTimeField(_("new submission deadline"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["tender", "created_at"]
        verbose_name = _("outage postponement")
        verbose_name_plural = _("outage postponements")
        constraints = [
            models.UniqueConstraint(fields=["tender", "interval"], name="tender_postponement_once_per_interval")
        ]

    def __str__(self):
        return f"{self.tender_id}: {self.previous_deadline} → {self.new_deadline}"
