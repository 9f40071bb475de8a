"""Evaluation, award, complaints, contracts, signatures and generated report files.

Lifecycles are tables next to their models (docs/architecture.md §2); each transition has one service in
contracts/services/. Opened bids and their ranking by price come from bidding; what evaluation
adds (qualification decisions, committee scores, the proposed winner) lives here.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bidding.models import ClockTimestamp, Guarantee

# --- evaluation ------------------------------------------------------------------------------------


class Evaluation(models.Model):
    """The evaluation of one opened tender under its evaluation method (contracts.policies).

    Completed when a bid has passed review (the proposed winner) or none is left; reopened when a
    complaint is upheld or an award is cancelled. Each reopening starts a new `round`.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    TRANSITIONS = {
        Status.IN_PROGRESS: {Status.COMPLETED},
        Status.COMPLETED: {Status.IN_PROGRESS},
    }

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="evaluation")
    method = models.CharField(_("evaluation method"), max_length=30)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    round = models.PositiveIntegerField(_("round"), default=1)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"), db_default=ClockTimestamp())
    # Best value: when the committee's scores were last turned into a ranking (None: not yet).
    scored_at = models.DateTimeField(_("scores calculated"), null=True, blank=True)
    # Two envelopes (best value): the committee's technical scores were turned into the technical
    # stage's compliance decisions; the committee and its scores are then fixed.
    technical_scored_at = models.DateTimeField(_("technical scores calculated"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    winner = models.ForeignKey(
        "bidding.Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("winner")
    )
    reopened_reason = models.TextField(_("why it was reopened"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"evaluation of {self.tender_id}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:evaluation", args=[self.tender_id])


class Assessment(models.Model):
    """One opened bid in an evaluation: whether it is admissible, its scores, rank and review decision.

    `rank` is the evaluation's order (1 = reviewed first); set-aside bids have none. Reviewing goes
    down the ranking: the first bid that passes is the proposed winner.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        PASSED = "passed", _("Qualified")
        FAILED = "failed", _("Disqualified")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="assessments")
    bid = models.OneToOneField("bidding.Bid", on_delete=models.PROTECT, related_name="assessment")
    opened_bid = models.OneToOneField("bidding.OpenedBid", on_delete=models.PROTECT, related_name="assessment")
    admissible = models.BooleanField(_("admissible"), default=True)
    # Why the bid was set aside before review (below the floor, commitment failed, …).
    set_aside_reason = models.TextField(_("why it was set aside"), blank=True)
    technical_points = models.DecimalField(
        _("technical points (committee average)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    technical_score = models.DecimalField(_("technical score"), max_digits=9, decimal_places=4, null=True, blank=True)
    price_score = models.DecimalField(_("price score"), max_digits=9, decimal_places=4, null=True, blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", models.F("rank").asc(nulls_last=True), "id"]
        verbose_name = _("bid assessment")
        verbose_name_plural = _("bid assessments")

    def __str__(self):
        return f"assessment of bid {self.bid_id}"


class CommitteeMember(models.Model):
    """A member of a tender's evaluation committee (best value): an official or an evaluator.

    A member sees nothing of the bids until they have declared that they have no conflict of
    interest (ConflictDeclaration); a member who declares a conflict is recused.
    """

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats")
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointed_at = models.DateTimeField(_("appointed"), db_default=ClockTimestamp())
    # When the member handed in their scores; they are locked from then on (until a reopening).
    scores_submitted_at = models.DateTimeField(_("scores submitted"), null=True, blank=True)

    class Meta:
        ordering = ["tender", "appointed_at", "id"]
        verbose_name = _("evaluation committee member")
        verbose_name_plural = _("evaluation committee members")
        constraints = [models.UniqueConstraint(fields=["tender", "user"], name="committee_unique_member")]

    def __str__(self):
        return f"{self.user} on {self.tender_id}"

    @property
    def declaration(self):
        return getattr(self, "conflict_declaration", None)

    @property
    def is_cleared(self) -> bool:
        """Declared no conflict of interest: may see the bids and score them."""
        declaration = self.declaration
        return declaration is not None and declaration.no_conflict

    @property
    def is_recused(self) -> bool:
        declaration = self.declaration
        return declaration is not None and not declaration.no_conflict


class ConflictDeclaration(models.Model):
    """A committee member's declaration about conflicts of interest with the bidders. Never changed."""

    member = models.OneToOneField(CommitteeMember, on_delete=models.PROTECT, related_name="conflict_declaration")
    no_conflict = models.BooleanField(_("no conflict of interest"))
    statement = models.TextField(_("statement"), blank=True)
    # The bidders named on the form when the member declared (their names only).
    bidders = models.JSONField(default=list, blank=True)
    declared_at = models.DateTimeField(_("declared"), db_default=ClockTimestamp())

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")

    def __str__(self):
        return f"declaration of {self.member_id}"


class Score(models.Model):
    """A committee member's score of one technical criterion of one bid (best value)."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    # Position of the criterion in the tender's evaluation_params["technical_criteria"].
    criterion = models.PositiveSmallIntegerField(_("criterion"))
    criterion_name = models.CharField(_("criterion name"), max_length=200)
    max_score = models.PositiveIntegerField(_("maximum"))
    value = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), db_default=ClockTimestamp())

    class Meta:
        ordering = ["member", "bid", "criterion"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["member", "bid", "criterion"], name="score_unique_cell"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.member_id}/{self.bid_id}/{self.criterion}: {self.value}"


# --- award and complaints --------------------------------------------------------------------------


class Award(models.Model):
    """The decision to award a tender to one bid: proposed → standstill → final | cancelled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed (awaiting approval)")
        STANDSTILL = "standstill", _("Standstill (open to complaints)")
        FINAL = "final", _("Final")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PROPOSED: {Status.STANDSTILL, Status.CANCELLED},
        Status.STANDSTILL: {Status.FINAL, Status.CANCELLED},
        Status.FINAL: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE_STATUSES = frozenset({Status.PROPOSED, Status.STANDSTILL, Status.FINAL})
    # Seen by everyone (awards are public by law); a proposal awaiting approval is internal.
    PUBLIC_STATUSES = frozenset({Status.STANDSTILL, Status.FINAL, Status.CANCELLED})

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="awards")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="awards")
    evaluation_round = models.PositiveIntegerField(_("evaluation round"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    value = models.DecimalField(_("awarded value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), db_default=ClockTimestamp())
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Python's clock (timezone.now()), not the database's: award_finalise compares with the same
    # clock, so tests (and a demo) can move it; see contracts/services/awards.py.
    standstill_started_at = models.DateTimeField(_("standstill started"), null=True, blank=True)
    standstill_until = models.DateTimeField(_("standstill ends"), null=True, blank=True, db_index=True)
    finalised_at = models.DateTimeField(_("final since"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            # At most one live award per tender; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(status__in=["proposed", "standstill", "final"]),
                name="award_one_active_per_tender",
            )
        ]

    def __str__(self):
        return f"award {self.pk} of {self.tender_id}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:award", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES


class Complaint(models.Model):
    """A bidder's complaint against an award during its standstill, and the entity's answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        CLOSED = "closed", _("Closed (award cancelled)")

    TRANSITIONS = {
        Status.OPEN: {Status.UPHELD, Status.DISMISSED, Status.CLOSED},
        Status.UPHELD: set(),
        Status.DISMISSED: set(),
        Status.CLOSED: set(),
    }

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="complaints")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged"), db_default=ClockTimestamp())
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(_("answer and reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return f"complaint {self.pk} on award {self.award_id}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:complaint", args=[self.pk])


def complaint_document_path(instance, filename: str) -> str:
    # Content-addressed: the file is stored before the complaint's transaction, which gives it its id.
    return f"complaints/{instance.sha256[:2]}/{instance.sha256}-{filename}"


class ComplaintDocument(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("file"), upload_to=complaint_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["complaint", "id"]
        verbose_name = _("complaint document")
        verbose_name_plural = _("complaint documents")

    def __str__(self):
        return self.original_name


# --- contracts -------------------------------------------------------------------------------------


class Contract(models.Model):
    """The contract concluded from a final award: draft → (signed by both) active → completed | terminated."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting signatures")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.TERMINATED},
        Status.ACTIVE: {Status.COMPLETED, Status.TERMINATED},
        Status.COMPLETED: set(),
        Status.TERMINATED: set(),
    }
    # Public once both parties have signed (procurement law publishes concluded contracts).
    PUBLIC_STATUSES = frozenset({Status.ACTIVE, Status.COMPLETED, Status.TERMINATED})

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="contracts")
    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="contracts")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The terms in force: those of the latest version both parties have signed (version 1 until then).
    value = models.DecimalField(_("contract value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), db_default=ClockTimestamp())
    signed_at = models.DateTimeField(_("signed by both"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES


class ContractVersion(models.Model):
    """The terms as signed: version 1 is the original, each amendment adds one. Never changed once signed.

    `document` is the exact PDF both parties sign; every Signature carries its SHA-256.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.TextField(_("reason for the amendment"), blank=True)
    value = models.DecimalField(_("contract value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    # [{"number": 1, "title": "…", "due_date": "2027-03-31", "amount": "1000000"}, …]
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), db_default=ClockTimestamp())
    document = models.ForeignKey(
        "ReportFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("document")
    )
    signed_at = models.DateTimeField(_("signed by both"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="contractversion_unique_number")]

    def __str__(self):
        return f"{self.contract_id} v{self.number}"


class Signature(models.Model):
    """One party's signature of one contract version, over the SHA-256 of the PDF they were shown."""

    class Party(models.TextChoices):
        BUYER = "buyer", _("Procuring entity")
        SUPPLIER = "supplier", _("Supplier")

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    # The company signing for the supplier's side (each member of a consortium signs); None for the buyer.
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signer"), max_length=200)
    signed_at = models.DateTimeField(_("signed"), db_default=ClockTimestamp())
    document_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)
    # How the signer re-authenticated just before signing ("password" or "mfa").
    reauthenticated_with = models.CharField(_("re-authenticated with"), max_length=20, blank=True)

    class Meta:
        ordering = ["version", "signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "party", "supplier"], nulls_distinct=False, name="signature_one_per_signatory"
            )
        ]

    def __str__(self):
        return f"{self.party} signature of {self.version}"


class Milestone(models.Model):
    """A deliverable of an active contract: pending → delivered (supplier) → accepted (entity)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        ACCEPTED = "accepted", _("Accepted")

    TRANSITIONS = {
        Status.PENDING: {Status.DELIVERED},
        # The entity may send a delivery back (with a reason) instead of accepting it.
        Status.DELIVERED: {Status.ACCEPTED, Status.PENDING},
        Status.ACCEPTED: set(),
    }

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="milestones")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_note = models.TextField(_("delivery note"), blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason it was sent back"), blank=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="milestone_unique_number")]

    def __str__(self):
        return f"{self.contract_id} #{self.number} {self.title}"


# --- generated files -------------------------------------------------------------------------------


def report_file_path(instance, filename: str) -> str:
    return f"reports/{instance.kind}/{instance.object_id}/{filename}"


class ReportFile(models.Model):
    """A generated PDF (award report, contract document) with the SHA-256 of its bytes.

    Award reports are cached per tender, language and `fingerprint` (what the report depends on);
    a contract version's document is rendered once and is what both parties sign; a catalogue invoice's
    printable copy is kept per content (contracts.services.documents).
    """

    class Kind(models.TextChoices):
        AWARD_REPORT = "award_report", _("Award report")
        CONTRACT = "contract", _("Contract document")
        INVOICE = "invoice", _("Invoice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be generated")
        RENDERING = "rendering", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=8)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_file_path, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    # SHA-256 of the canonical JSON of the data the report shows (printed inside the PDF).
    content_sha256 = models.CharField(_("SHA-256 of the report data"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), db_default=ClockTimestamp())
    # When a renderer claimed it; a claim older than the render time limit may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "language", "fingerprint"], name="reportfile_unique_key"
            )
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="reportfile_object_idx")]

    def __str__(self):
        return f"{self.kind} {self.object_type}:{self.object_id} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class PerformanceSecurity(Guarantee):
    """The contract's performance security (계약보증금), verified with its issuer like a bid security."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="performance_securities")

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("performance security")
        verbose_name_plural = _("performance securities")
        constraints = [models.UniqueConstraint(fields=["contract"], name="performancesecurity_one_per_contract")]

    def __str__(self):
        return f"performance security {self.number}"
