"""Sealed bids, their versions and documents, reserve prices, closing and opening records.

Before opening the database holds only ciphertext of what a supplier submitted (docs/architecture.md §4): the
sealed fields are BinaryFields written inside the submission transaction, nothing plaintext beside
them. After opening, OpenedBid/OpenedDocument keep the decrypted values and OpeningRecord is public.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ClockTimestamp(models.Func):
    """PostgreSQL's clock_timestamp(): the real time of the statement, not of the transaction start.

    Used as `db_default` so receipts show the database's own time of the insert (returned by
    INSERT … RETURNING), never the web server's clock.
    """

    function = "clock_timestamp"
    template = "%(function)s()"
    output_field = models.DateTimeField()


class Bid(models.Model):
    """One supplier's bid on one tender (at most one per tender); its content lives in versions."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted (sealed)")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OPENED = "opened", _("Opened")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not_awarded", _("Not awarded")

    # docs/architecture.md §2. Opening moves every non-withdrawn bid to opened, or straight to disqualified when its
    # commitment fails; evaluation (contracts) moves the rest through services.bid_set_status.
    TRANSITIONS = {
        Status.SUBMITTED: {Status.WITHDRAWN, Status.OPENED, Status.DISQUALIFIED},
        Status.WITHDRAWN: set(),
        Status.OPENED: {Status.QUALIFIED, Status.DISQUALIFIED, Status.NOT_AWARDED},
        Status.QUALIFIED: {Status.AWARDED, Status.NOT_AWARDED, Status.DISQUALIFIED},
        # An award cancelled (complaint upheld, refusal to sign) leaves the bid not awarded.
        Status.AWARDED: {Status.NOT_AWARDED},
        Status.DISQUALIFIED: set(),
        Status.NOT_AWARDED: set(),
    }
    # Statuses only opening may set (bid_set_status refuses them).
    OPENING_STATUSES = frozenset({Status.OPENED})

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="bids")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), db_default=ClockTimestamp())
    # Set right after the first version is inserted, in the same transaction.
    current_version = models.ForeignKey("BidVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A consortium's bid (joint bidding): the lead submits it; set at submission from the confirmed consortium.
    consortium = models.ForeignKey(
        "Consortium", on_delete=models.PROTECT, null=True, blank=True, related_name="bids", verbose_name=_("consortium")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("first submitted"), db_default=ClockTimestamp())
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The withdrawal is receipted like a submission; its key makes a retried withdrawal harmless.
    withdrawal_key = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="bid_one_per_supplier")]

    def __str__(self):
        return f"bid {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("bidding:detail", args=[self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class BidVersion(models.Model):
    """One sealed submission of a bid (the first or a replacement). Never changed once written.

    `sealed_content` is the tender-public-key ciphertext of the canonical JSON of everything the
    supplier entered; `commitment` binds it and the document ciphertexts to tender, supplier and
    version (procurement.sealing.commitment).
    """

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="versions")
    # Denormalised from the bid: the FK insert takes FOR KEY SHARE on the tender, and the
    # idempotency constraint is per supplier.
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    sealed_content = models.BinaryField(editable=False)
    commitment = models.CharField(_("commitment"), max_length=64, db_index=True)
    # sha256(salt ‖ content plaintext), computed in the bidder's browser; the salt stays with the
    # bidder, who can later prove what it sealed. The server cannot check it before opening.
    plaintext_hash = models.CharField(_("salted hash of the plaintext"), max_length=64, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), db_default=ClockTimestamp())
    # Two-envelope tenders only: `sealed_content` and the documents are then the technical envelope
    # (covered by `commitment`) and this is the price envelope, with its own commitment and salted
    # hash. It is decrypted only if the bid passes the technical stage (docs/sealing.md).
    sealed_price = models.BinaryField(null=True, blank=True, editable=False)
    price_commitment = models.CharField(_("price envelope commitment"), max_length=64, blank=True, db_index=True)
    price_plaintext_hash = models.CharField(_("salted hash of the price envelope"), max_length=64, blank=True)

    class Meta:
        ordering = ["bid", "number"]
        verbose_name = _("bid version")
        verbose_name_plural = _("bid versions")
        constraints = [
            models.UniqueConstraint(fields=["bid", "number"], name="bidversion_unique_number"),
            models.UniqueConstraint(fields=["supplier", "idempotency_key"], name="bidversion_unique_idempotency"),
        ]

    def __str__(self):
        return f"bid {self.bid_id} v{self.number}"

    def ciphertexts(self) -> list[bytes]:
        """Every ciphertext the commitment covers: the content, then each document."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("documents")
        documents = (
            sorted(cached, key=lambda d: d.position) if cached is not None else self.documents.order_by("position")
        )
        return [bytes(self.sealed_content), *(bytes(d.ciphertext) for d in documents)]

    @property
    def has_price_envelope(self) -> bool:
        return bool(self.price_commitment)


class BidDocument(models.Model):
    """A sealed attachment of a bid version. Name, type and plaintext hash are inside the sealed content."""

    version = models.ForeignKey(BidVersion, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveSmallIntegerField()
    ciphertext = models.BinaryField(editable=False)
    ciphertext_size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("sealed bid document")
        verbose_name_plural = _("sealed bid documents")
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="biddocument_unique_position")]

    def __str__(self):
        return f"{self.version} doc {self.position}"


class KeyShareRelease(models.Model):
    """A custodian's share of a tender's private key, released after the submission deadline.

    The platform's share is released by the worker (bidding.keys.platform_share_release); a person
    posts theirs from the share page, decrypted in their browser. Nothing here is accepted before the
    deadline by the database clock. `ok` is set once enough shares are in to tell: True when the
    share recombines to the tender's public key, False when it does not (reported, never fatal).
    """

    tender_custodian = models.OneToOneField("tenders.TenderCustodian", on_delete=models.PROTECT, related_name="release")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="key_share_releases")
    share = models.BinaryField(editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), db_default=ClockTimestamp())
    ok = models.BooleanField(_("share verified"), null=True, blank=True)

    class Meta:
        ordering = ["tender", "released_at", "id"]
        verbose_name = _("released key share")
        verbose_name_plural = _("released key shares")

    def __str__(self):
        return f"share of {self.tender_custodian_id}"


class TenderClosing(models.Model):
    """What became public at the submission deadline: how many bids, and their commitments."""

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="bid_closing")
    closed_at = models.DateTimeField(_("closed"), db_default=ClockTimestamp())
    bid_count = models.PositiveIntegerField(_("bids received"))
    # Sorted list of the commitments of the current version of every bid not withdrawn.
    commitments = models.JSONField(default=list)
    # When the entity's officials and auditors were told the custodians' quorum is late.
    escalated_at = models.DateTimeField(_("quorum escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("tender closing")
        verbose_name_plural = _("tender closings")

    def __str__(self):
        return f"closing of {self.tender_id}"


class OpeningRecord(models.Model):
    """The public result of opening a tender's bids. One per tender (the OneToOne is the guarantee)."""

    class Outcome(models.TextChoices):
        OPENED = "opened", _("Bids opened")
        UNSUCCESSFUL = "unsuccessful", _("No valid bid")

    class Stage(models.TextChoices):
        # Two-envelope tenders pass through the first two; a one-envelope opening is complete at once.
        TECHNICAL = "technical", _("Technical envelopes opened: compliance being assessed")
        TECHNICAL_PUBLISHED = "technical_published", _("Technical results published: complaint window")
        COMPLETE = "complete", _("Opening complete")

    STAGE_TRANSITIONS = {
        Stage.TECHNICAL: {Stage.TECHNICAL_PUBLISHED},
        Stage.TECHNICAL_PUBLISHED: {Stage.COMPLETE},
        Stage.COMPLETE: set(),
    }

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="opening_record")
    opened_at = models.DateTimeField(_("opened"), db_default=ClockTimestamp())
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OPENED)
    evaluation_method = models.CharField(_("evaluation method"), max_length=30)
    currency = models.CharField(_("currency"), max_length=3)
    bid_count = models.PositiveIntegerField(_("bids opened"), default=0)
    valid_count = models.PositiveIntegerField(_("valid bids"), default=0)
    withdrawn_count = models.PositiveIntegerField(_("bids withdrawn"), default=0)
    # What prices are compared with: the planned price (floor-rate method) or the estimated value.
    reference_price = models.DecimalField(_("reference price"), max_digits=18, decimal_places=2, null=True)
    # Floor-rate method with multiple reserve prices only.
    planned_price = models.DecimalField(_("planned price"), max_digits=18, decimal_places=2, null=True, blank=True)
    floor_rate = models.DecimalField(_("floor rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    floor_price = models.DecimalField(_("floor price"), max_digits=18, decimal_places=2, null=True, blank=True)
    # [{"number": 1, "value": "98123456", "picks": 3, "chosen": true}, …]
    reserve_prices = models.JSONField(default=list, blank=True)
    # The tender's private key, recombined from the custodians' shares. Published: once the bids are
    # open it protects nothing, and with it anyone can re-run the opening.
    private_key = models.BinaryField(null=True, blank=True, editable=False)
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, default=Stage.COMPLETE)
    # Two envelopes: the key recombined at the technical opening, kept (never shown) for the price
    # opening; it moves to `private_key` (published) once the price envelopes are open.
    held_key = models.BinaryField(null=True, blank=True, editable=False)
    technical_published_at = models.DateTimeField(_("technical results published"), null=True, blank=True)
    # The price envelopes open no earlier than this (database clock), after the complaint window.
    complaint_until = models.DateTimeField(_("complaints on the technical results until"), null=True, blank=True)
    price_opened_at = models.DateTimeField(_("price envelopes opened"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("opening record")
        verbose_name_plural = _("opening records")

    def __str__(self):
        return f"opening of {self.tender_id}"

    def get_absolute_url(self) -> str:
        return reverse("bidding:opening", args=[self.tender_id])

    @property
    def is_complete(self) -> bool:
        return self.stage == self.Stage.COMPLETE

    @property
    def is_two_stage(self) -> bool:
        return self.technical_published_at is not None or self.stage != self.Stage.COMPLETE


class OpenedBid(models.Model):
    """A bid as opened: decrypted values, the commitment check, and its place in the ranking.

    `outcome` is what opening found; the bid's evaluation status (opened → qualified | disqualified
    → awarded | not_awarded) lives on Bid.status and is changed with services.bid_set_status.
    """

    class Outcome(models.TextChoices):
        RANKED = "ranked", _("Valid")
        BELOW_FLOOR = "below_floor", _("Below the floor price")
        ABOVE_PLANNED = "above_planned", _("Above the planned price")
        COMMITMENT_FAILED = "commitment_failed", _("Commitment check failed")
        INVALID = "invalid", _("Invalid content")
        # Rules checked at opening outside the sealed content (bidding.opening_rules).
        SECURITY_REJECTED = "security_rejected", _("Bid security rejected")
        CONSORTIUM_INVALID = "consortium_invalid", _("Consortium not eligible")
        # Two envelopes: the technical envelope is open, the price envelope still sealed.
        AWAITING_PRICE = "awaiting_price", _("Technical envelope opened; price sealed")
        PRICE_NOT_OPENED = "price_not_opened", _("Failed the technical stage: price never opened")

    opening = models.ForeignKey(OpeningRecord, on_delete=models.PROTECT, related_name="opened_bids")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="opened")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(BidVersion, on_delete=models.PROTECT, related_name="+")
    commitment = models.CharField(_("commitment"), max_length=64, db_index=True)
    commitment_ok = models.BooleanField(_("commitment verified"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    problem = models.TextField(_("problem found"), blank=True)
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    # Price as a percentage of the record's reference price (투찰률).
    price_ratio = models.DecimalField(
        _("ratio to the reference price (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    # 1 = best. Ties share a rank (competition ranking) and are marked; excluded bids have none.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    tied = models.BooleanField(_("tied"), default=False)
    price_lines = models.JSONField(default=list, blank=True)
    declarations = models.JSONField(default=dict, blank=True)
    reserve_picks = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    # Two envelopes: the technical stage's decision (None: not decided yet) and its public reason.
    price_commitment = models.CharField(_("price envelope commitment"), max_length=64, blank=True)
    technical_compliant = models.BooleanField(_("technically compliant"), null=True, blank=True)
    technical_reason = models.TextField(_("technical assessment"), blank=True)
    technical_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    technical_decided_at = models.DateTimeField(_("technical decision"), null=True, blank=True)
    price_opened = models.BooleanField(_("price envelope opened"), default=False)

    class Meta:
        ordering = ["opening", models.F("rank").asc(nulls_last=True), "price", "submitted_at"]
        verbose_name = _("opened bid")
        verbose_name_plural = _("opened bids")

    def __str__(self):
        return f"opened bid {self.bid_id}"

    @property
    def status(self) -> str:
        """The bid's evaluation status (Bid.status)."""
        return self.bid.status

    @property
    def is_ranked(self) -> bool:
        return self.outcome == self.Outcome.RANKED


class OpenedDocument(models.Model):
    """A bid document decrypted at opening: for the entity, its evaluators, auditors and the bidder."""

    opened_bid = models.ForeignKey(OpenedBid, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    hash_ok = models.BooleanField(_("matches the sealed hash"), default=True)

    class Meta:
        ordering = ["opened_bid", "position"]
        verbose_name = _("opened bid document")
        verbose_name_plural = _("opened bid documents")

    def __str__(self):
        return self.name


# Joint bidding and bid securities keep their own modules (docs/architecture.md §10).
from .models_consortium import Consortium, ConsortiumMember  # noqa: E402
from .models_security import BidSecurity, Guarantee, IssuedGuarantee, SecurityIssuer  # noqa: E402

__all__ = [
    "Bid",
    "BidDocument",
    "BidSecurity",
    "BidVersion",
    "ClockTimestamp",
    "Consortium",
    "ConsortiumMember",
    "Guarantee",
    "IssuedGuarantee",
    "KeyShareRelease",
    "OpenedBid",
    "OpenedDocument",
    "OpeningRecord",
    "SecurityIssuer",
    "TenderClosing",
]


class TechnicalComplaint(models.Model):
    """A bidder's complaint on the published technical results of a two-envelope tender, lodged in
    the complaint window. While one is open the price envelopes stay sealed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    TRANSITIONS = {Status.OPEN: {Status.UPHELD, Status.DISMISSED}, Status.UPHELD: set(), Status.DISMISSED: set()}

    opening = models.ForeignKey(OpeningRecord, on_delete=models.PROTECT, related_name="technical_complaints")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="technical_complaints")
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged"), db_default=ClockTimestamp())
    answer = models.TextField(_("answer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["opening", "lodged_at", "id"]
        verbose_name = _("complaint on technical results")
        verbose_name_plural = _("complaints on technical results")

    def __str__(self):
        return f"technical complaint {self.pk}"


class CureRequest(models.Model):
    """A request to a bidder to supply a missing or defective document within a window (보완 요청).

    Only document kinds the rules allow to be cured can be requested (`CURABLE_KINDS`); price and
    technical proposal contents never can. The window is decided by the database clock: an upload
    is refused once `due_at` has passed, whether or not the worker has marked the request lapsed.
    While a request is open the bid cannot be disqualified in a qualification or compliance review.
    Cure documents are not sealed: they arrive after opening, when the bid is no longer secret from
    the entity (docs/sealing.md).
    """

    class Kind(models.TextChoices):
        BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
        LICENCE = "licence", _("Licence or registration for the work")
        CERTIFICATE = "certificate", _("Certificate (quality, performance, credit rating)")
        POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
        TAX_CLEARANCE = "tax_clearance", _("Tax or social insurance clearance")
        FINANCIAL_STATEMENT = "financial_statement", _("Financial statement")
        SIGNATURE = "signature", _("Missing signature or seal on a form")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the bidder")
        CURED = "cured", _("Document supplied")
        LAPSED = "lapsed", _("Window passed without the document")

    TRANSITIONS = {Status.OPEN: {Status.CURED, Status.LAPSED}, Status.CURED: set(), Status.LAPSED: set()}
    # The contents that decide the competition itself can never be cured (only formal documents).
    NEVER_CURABLE = frozenset({"price", "price_lines", "technical_proposal", "reserve_picks"})

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="cure_requests")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="cure_requests")
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    defect = models.TextField(_("what is missing or defective"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), db_default=ClockTimestamp())
    due_at = models.DateTimeField(_("due"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("document supplied"), upload_to="cure/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("document correction request")
        verbose_name_plural = _("document correction requests")
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "kind"], condition=models.Q(status="open"), name="curerequest_one_open_per_kind"
            )
        ]

    def __str__(self):
        return f"cure {self.kind} of bid {self.bid_id}"

    def get_absolute_url(self) -> str:
        return reverse("bidding:cure", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
