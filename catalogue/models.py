"""The catalogue shop (종합쇼핑몰): framework agreements, catalogue items, orders, deliveries and
inspection, invoices and payments (docs/architecture.md §11).

Lifecycles are tables beside their models; each transition has one service in catalogue/services/.
Money is numeric(18, 2) in the agreement's currency; quantities are whole units.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bidding.models import ClockTimestamp
from tenders.models import Bigrams


class Region(models.TextChoices):
    """Delivery regions (광역자치단체) an item can be delivered to."""

    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    INCHEON = "incheon", _("Incheon")
    GWANGJU = "gwangju", _("Gwangju")
    DAEJEON = "daejeon", _("Daejeon")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGBUK = "chungbuk", _("North Chungcheong")
    CHUNGNAM = "chungnam", _("South Chungcheong")
    JEONBUK = "jeonbuk", _("North Jeolla")
    JEONNAM = "jeonnam", _("South Jeolla")
    GYEONGBUK = "gyeongbuk", _("North Gyeongsang")
    GYEONGNAM = "gyeongnam", _("South Gyeongsang")
    JEJU = "jeju", _("Jeju")


class Certification(models.TextChoices):
    """Product certifications a buyer filters on (우수조달, 녹색, 성능인증, …)."""

    EXCELLENT = "excellent", _("Excellent procurement product (우수조달물품)")
    GREEN = "green", _("Green product (녹색제품)")
    PERFORMANCE = "performance", _("Performance certified (성능인증)")
    KS = "ks", _("Korean Industrial Standard (KS)")
    ENERGY = "energy", _("High energy efficiency")
    SOCIAL = "social", _("Social enterprise product")


# --- framework competitions and agreements ------------------------------------------------------------


class FrameworkCall(models.Model):
    """A tender run as a framework competition: several suppliers are awarded agreements, each at its
    own prices, for one period and a ceiling per agreement. Set on the tender while it is a draft."""

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="framework_call")
    max_suppliers = models.PositiveSmallIntegerField(_("suppliers to be awarded (at most)"), default=3)
    ceiling = models.DecimalField(_("ceiling per agreement"), max_digits=18, decimal_places=2)
    start_date = models.DateField(_("agreement start"))
    end_date = models.DateField(_("agreement end"))
    max_price_increase_pct = models.DecimalField(
        _("largest price increase allowed per change (%)"), max_digits=5, decimal_places=2, default=Decimal("5")
    )
    classification = models.ForeignKey(
        "suppliers.Classification", on_delete=models.PROTECT, related_name="+", verbose_name=_("category (CPV)")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), db_default=ClockTimestamp())

    class Meta:
        verbose_name = _("framework competition")
        verbose_name_plural = _("framework competitions")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="frameworkcall_period"),
            models.CheckConstraint(condition=Q(ceiling__gt=0), name="frameworkcall_ceiling_positive"),
        ]

    def __str__(self):
        return f"framework {self.tender_id}"


class FrameworkAgreement(models.Model):
    """다수공급자계약: one awarded supplier's agreement with the agency for a period and a ceiling.

    `ordered_total` is what orders under it have committed so far (kept by the order services under
    the row's lock, so concurrent orders never exceed the ceiling together).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.ACTIVE: {Status.SUSPENDED, Status.TERMINATED},
        Status.SUSPENDED: {Status.ACTIVE, Status.TERMINATED},
        Status.TERMINATED: set(),
    }

    call = models.ForeignKey(FrameworkCall, on_delete=models.PROTECT, related_name="agreements")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="framework_agreements")
    # The agency that concluded it (the tender's entity): its officials approve items and prices.
    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="framework_agreements")
    bid = models.OneToOneField("bidding.Bid", on_delete=models.PROTECT, related_name="framework_agreement")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    classification = models.ForeignKey(
        "suppliers.Classification", on_delete=models.PROTECT, related_name="+", verbose_name=_("category (CPV)")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    ceiling = models.DecimalField(_("ceiling"), max_digits=18, decimal_places=2)
    ordered_total = models.DecimalField(_("ordered so far"), max_digits=18, decimal_places=2, default=0)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    max_price_increase_pct = models.DecimalField(
        _("largest price increase allowed per change (%)"), max_digits=5, decimal_places=2
    )
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(_("concluded"), db_default=ClockTimestamp())
    status_reason = models.TextField(_("reason for the status"), blank=True)

    class Meta:
        ordering = ["-concluded_at", "-id"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ordered_total__lte=models.F("ceiling")) & Q(ordered_total__gte=0),
                name="agreement_within_ceiling",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:agreement", args=[self.pk])

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.ordered_total


# --- catalogue items ----------------------------------------------------------------------------------


def item_file_path(instance, filename: str) -> str:
    return f"catalogue/items/{instance.agreement_id}/{filename}"


class CatalogueItem(models.Model):
    """One product a supplier sells under its agreement, at the agreement's approved unit price.

    Shown to buyers only once the agency has approved it (published). The price changes only
    through an approved ItemPriceChange; `price_version` counts them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING},
        Status.PENDING: {Status.PUBLISHED, Status.REJECTED},
        Status.REJECTED: {Status.PENDING},
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.PENDING},
    }
    EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.REJECTED, Status.WITHDRAWN})

    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.PROTECT, related_name="items")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="catalogue_items")
    classification = models.ForeignKey(
        "suppliers.Classification", on_delete=models.PROTECT, related_name="+", verbose_name=_("category (CPV)")
    )
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    specification = models.TextField(_("specification"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="EA")
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    price_version = models.PositiveIntegerField(_("price version"), default=1)
    min_order_quantity = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(_("delivery lead time (days)"), default=7)
    regions = ArrayField(
        models.CharField(max_length=20, choices=Region.choices), default=list, blank=True, verbose_name=_("regions")
    )
    certifications = ArrayField(
        models.CharField(max_length=20, choices=Certification.choices),
        default=list,
        blank=True,
        verbose_name=_("certifications"),
    )
    photo = models.FileField(_("photo"), upload_to=item_file_path, blank=True, max_length=300)
    spec_sheet = models.FileField(_("specification sheet"), upload_to=item_file_path, blank=True, max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    review_reason = models.TextField(_("reason it was returned"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), db_default=ClockTimestamp())
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Search (procurement.search, docs/architecture.md §12), as tenders: stored documents, names weight
    # A, specification B; the two-character pieces of the names. For the database only: deferred.
    SEARCH_FIELDS = ("search_simple", "search_english", "search_bigrams")
    search_simple = models.GeneratedField(
        expression=SearchVector("name_ko", "name_en", "model_number", weight="A", config="simple")
        + SearchVector("specification", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )
    search_english = models.GeneratedField(
        expression=SearchVector("name_en", weight="A", config="english")
        + SearchVector("specification", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )
    search_bigrams = models.GeneratedField(
        expression=Bigrams(F("name_ko"), F("name_en")),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        editable=False,
    )

    class Meta:
        ordering = ["name_ko", "id"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="item_price_positive"),
            models.CheckConstraint(condition=Q(min_order_quantity__gte=1), name="item_moq_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "classification"], name="item_status_cpv_idx"),
            # Search: the stored documents and pieces; UPPER trigram indexes on the names for typos
            # (%>) and terms of three characters or more (LIKE).
            GinIndex(fields=["search_simple"], name="item_search_simple_idx"),
            GinIndex(fields=["search_english"], name="item_search_english_idx"),
            GinIndex(fields=["search_bigrams"], name="item_bigram_idx"),
            GinIndex(OpClass(Upper("name_ko"), name="gin_trgm_ops"), name="item_name_ko_trgm_idx"),
            GinIndex(OpClass(Upper("name_en"), name="gin_trgm_ops"), name="item_name_en_trgm_idx"),
            # The shop's sorts over published items, so a page of an unsearched list is an index range.
            models.Index(fields=["name_ko", "id"], name="item_published_name_idx", condition=Q(status="published")),
            models.Index(fields=["unit_price", "id"], name="item_published_price_idx", condition=Q(status="published")),
            models.Index(
                fields=["lead_time_days", "id"], name="item_published_lead_idx", condition=Q(status="published")
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:item", args=[self.pk])

    @property
    def name(self) -> str:
        return (self.name_en or self.name_ko) if get_language() == "en" else self.name_ko

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def get_regions_display(self) -> list[str]:
        labels = dict(Region.choices)
        return [str(labels.get(r, r)) for r in self.regions]

    def get_certifications_display(self) -> list[str]:
        labels = dict(Certification.choices)
        return [str(labels.get(c, c)) for c in self.certifications]


class ItemPriceChange(models.Model):
    """A requested change of an item's unit price: takes effect only when the agency approves it.
    Numbered per item, so the approved ones are the item's price history."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {Status.PENDING: {Status.APPROVED, Status.REJECTED}, Status.APPROVED: set(), Status.REJECTED: set()}

    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="price_changes")
    old_price = models.DecimalField(_("price before"), max_digits=18, decimal_places=2)
    new_price = models.DecimalField(_("new price"), max_digits=18, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), db_default=ClockTimestamp())
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # The item's price version this change created (set on approval).
    version = models.PositiveIntegerField(_("price version"), null=True, blank=True)

    class Meta:
        ordering = ["item", "-requested_at", "-id"]
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        constraints = [
            # One pending request per item: a second one would race the first's approval.
            models.UniqueConstraint(fields=["item"], condition=Q(status="pending"), name="one_pending_price_change"),
            models.CheckConstraint(condition=Q(new_price__gt=0), name="pricechange_positive"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.old_price} → {self.new_price}"


# --- budgets, carts, orders ----------------------------------------------------------------------------


class EntityBudget(models.Model):
    """An entity's catalogue budget for one fiscal year and its approval limit.

    An order above `approval_limit` needs a second official's approval. `committed` is the sum of
    the year's orders not declined or cancelled, kept under this row's lock by the order services.
    """

    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="catalogue_budgets")
    year = models.PositiveIntegerField(_("fiscal year"))
    amount = models.DecimalField(_("budget"), max_digits=18, decimal_places=2)
    committed = models.DecimalField(_("committed"), max_digits=18, decimal_places=2, default=0)
    approval_limit = models.DecimalField(
        _("orders above this need a second official"), max_digits=18, decimal_places=2, default=Decimal("5000000")
    )

    class Meta:
        ordering = ["entity", "-year"]
        verbose_name = _("catalogue budget")
        verbose_name_plural = _("catalogue budgets")
        constraints = [
            models.UniqueConstraint(fields=["entity", "year"], name="budget_one_per_year"),
            models.CheckConstraint(
                condition=Q(committed__lte=models.F("amount")) & Q(committed__gte=0), name="budget_not_exceeded"
            ),
        ]

    def __str__(self):
        return f"{self.entity_id} {self.year}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class CartLine(models.Model):
    """An item in an official's cart, with the price they saw when adding it (checked at ordering)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_seen = models.DecimalField(_("price when added"), max_digits=18, decimal_places=2)
    added_at = models.DateTimeField(db_default=ClockTimestamp())

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="cart_one_line_per_item")]

    def __str__(self):
        return f"{self.user_id}: {self.quantity} × {self.item_id}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price_seen * self.quantity


class Order(models.Model):
    """A call-off order (납품요구) from one entity to one supplier under one agreement."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        PLACED = "placed", _("Placed")
        IN_DELIVERY = "in_delivery", _("In delivery")
        COMPLETED = "completed", _("Delivered and accepted")
        DECLINED = "declined", _("Declined by the approver")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PENDING_APPROVAL: {Status.PLACED, Status.DECLINED, Status.CANCELLED},
        Status.PLACED: {Status.IN_DELIVERY, Status.CANCELLED},
        Status.IN_DELIVERY: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.DECLINED: set(),
        Status.CANCELLED: set(),
    }
    # What the budget and the ceiling no longer carry.
    RELEASED_STATUSES = frozenset({Status.DECLINED, Status.CANCELLED})
    # Published (above the threshold) from placement on; never while waiting for internal approval.
    PUBLIC_STATUSES = frozenset({Status.PLACED, Status.IN_DELIVERY, Status.COMPLETED})

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="catalogue_orders")
    budget = models.ForeignKey(EntityBudget, on_delete=models.PROTECT, related_name="orders")
    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.PROTECT, related_name="orders")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="catalogue_orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total (before VAT)"), max_digits=18, decimal_places=2)
    delivery_address = models.CharField(_("delivery address"), max_length=300)
    region = models.CharField(_("delivery region"), max_length=20, choices=Region.choices)
    note = models.TextField(_("note to the supplier"), blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("ordered"), db_default=ClockTimestamp())
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catalogue order")
        verbose_name_plural = _("catalogue orders")
        indexes = [models.Index(fields=["entity", "status"], name="order_entity_status_idx")]

    def __str__(self):
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("catalogue:order", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES and self.total >= settings.CATALOGUE_PUBLICATION_THRESHOLD


class OrderLine(models.Model):
    """One item of an order at the price it was ordered at (later price changes do not touch it).

    A line of an order awarded by a second-stage competition names the catalogue item the request
    started from (its specification and category, whoever won) at the winning offer's price
    (`price_version` 0); no stock is taken for it.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines")
    name = models.CharField(_("item"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    price_version = models.PositiveIntegerField(_("price version"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # Kept by the inspection service: units accepted so far (never above `quantity`).
    accepted_quantity = models.PositiveIntegerField(_("accepted"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__lte=models.F("quantity")), name="orderline_accepted_within"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.quantity} × {self.name}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


# --- second-stage competitions (2단계경쟁) -------------------------------------------------------------


class MiniCompetition(models.Model):
    """An order at or above CATALOGUE_MINI_COMPETITION_THRESHOLD, competed among the suppliers under
    the framework for its category (docs/architecture.md §11).

    The competition itself is a Tender of the `mini_competition` method (tenders.policies), invited
    to every supplier with an agreement in force under `framework`: sealing, deadline, opening and
    the public record are the tender's. `mini_competition_award` turns the best offer whose
    agreement can take it into the `order`.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting offers")
        AWARDED = "awarded", _("Awarded: order placed")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")

    TRANSITIONS = {
        Status.OPEN: {Status.AWARDED, Status.UNSUCCESSFUL},
        Status.AWARDED: set(),
        Status.UNSUCCESSFUL: set(),
    }

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="mini_competition")
    # The framework the competition runs under (its call: every agreement of it is a candidate) and
    # the agreement whose items the official had in the cart.
    framework = models.ForeignKey(
        FrameworkCall, on_delete=models.PROTECT, related_name="mini_competitions", verbose_name=_("framework")
    )
    origin_agreement = models.ForeignKey(
        FrameworkAgreement, on_delete=models.PROTECT, related_name="mini_competitions_started"
    )
    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(EntityBudget, on_delete=models.PROTECT, related_name="mini_competitions")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(_("currency"), max_length=3)
    # The requested lines at the catalogue prices the official saw (the tender's estimated value).
    reference_total = models.DecimalField(_("value at catalogue prices"), max_digits=18, decimal_places=2)
    delivery_address = models.CharField(_("delivery address"), max_length=300)
    region = models.CharField(_("delivery region"), max_length=20, choices=Region.choices)
    note = models.TextField(_("note to the suppliers"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested"), db_default=ClockTimestamp())
    # The award: the winning offer (an opened bid of the tender), who decided, and the order it made.
    winning_bid = models.OneToOneField(
        "bidding.Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="mini_competition_won"
    )
    winning_agreement = models.ForeignKey(
        FrameworkAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="mini_competitions_won"
    )
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="mini_competition"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("second-stage competition")
        verbose_name_plural = _("second-stage competitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="awarded", order__isnull=False, winning_bid__isnull=False) | ~Q(status="awarded"),
                name="minicompetition_award_has_order",
            ),
        ]

    def __str__(self):
        return f"mini-competition {self.tender_id}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:mini_competition", args=[self.pk])


class MiniCompetitionLine(models.Model):
    """One requested line: what the suppliers offer for, with the catalogue price it started from."""

    competition = models.ForeignKey(MiniCompetition, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("item"), max_length=200)
    specification = models.TextField(_("specification"), blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = models.PositiveIntegerField(_("quantity"))
    reference_price = models.DecimalField(_("catalogue unit price"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["competition", "id"]
        verbose_name = _("second-stage competition line")
        verbose_name_plural = _("second-stage competition lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="minicompetitionline_quantity")]

    def __str__(self):
        return f"{self.competition_id}: {self.quantity} × {self.name}"

    @property
    def amount(self) -> Decimal:
        return self.reference_price * self.quantity


# --- delivery and inspection ---------------------------------------------------------------------------


class Delivery(models.Model):
    """One shipment of (part of) an order: dispatched, delivered, then inspected (검수) line by line."""

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        DELIVERED = "delivered", _("Delivered, awaiting inspection")
        INSPECTED = "inspected", _("Inspected")

    TRANSITIONS = {
        Status.DISPATCHED: {Status.DELIVERED},
        Status.DELIVERED: {Status.INSPECTED},
        Status.INSPECTED: set(),
    }

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    number = models.PositiveIntegerField(_("delivery number"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DISPATCHED)
    note = models.TextField(_("delivery note"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), db_default=ClockTimestamp())
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="delivery_unique_number")]

    def __str__(self):
        return f"{self.order_id} delivery {self.number}"


class DeliveryLine(models.Model):
    """Units of one order line in one delivery, and the inspection's verdict on them."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField(_("quantity delivered"))
    accepted_quantity = models.PositiveIntegerField(_("accepted"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["delivery", "order_line"]
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "order_line"], name="deliveryline_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="deliveryline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__isnull=True) | Q(accepted_quantity__lte=models.F("quantity")),
                name="deliveryline_accepted_within",
            ),
        ]

    def __str__(self):
        return f"{self.delivery_id}: {self.quantity} of line {self.order_line_id}"

    @property
    def rejected_quantity(self) -> int:
        return 0 if self.accepted_quantity is None else self.quantity - self.accepted_quantity


# --- invoices and payments -----------------------------------------------------------------------------


class Invoice(models.Model):
    """An electronic invoice (세금계산서) for accepted goods of an order or an accepted contract milestone.

    The payment clock runs from `issued_at` (the supplier's claim); `due_at` is CATALOGUE_PAYMENT_DAYS
    later. `accepted_at` is when the last of the invoiced goods was accepted (for the dashboard's
    days from acceptance to payment).
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        APPROVED = "approved", _("Approved for payment")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.ISSUED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.PAID},
        Status.PAID: set(),
        Status.REJECTED: set(),
    }
    OPEN_STATUSES = frozenset({Status.ISSUED, Status.APPROVED})

    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    entity = models.ForeignKey("tenders.ProcuringEntity", on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    milestone = models.ForeignKey(
        "contracts.Milestone", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    currency = models.CharField(_("currency"), max_length=3)
    supply_amount = models.DecimalField(_("supply amount"), max_digits=18, decimal_places=2)
    vat_rate_pct = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=18, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2)
    accepted_at = models.DateTimeField(_("goods accepted"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"), db_default=ClockTimestamp())
    due_at = models.DateTimeField(_("payment due"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False, milestone__isnull=True)
                | Q(order__isnull=True, milestone__isnull=False),
                name="invoice_for_order_or_milestone",
            ),
            # A milestone is invoiced once (a rejected invoice frees it for a new one).
            models.UniqueConstraint(
                fields=["milestone"], condition=~Q(status="rejected"), name="invoice_one_per_milestone"
            ),
            models.CheckConstraint(condition=Q(supply_amount__gt=0), name="invoice_amount_positive"),
        ]
        indexes = [models.Index(fields=["entity", "status"], name="invoice_entity_status_idx")]

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("catalogue:invoice", args=[self.pk])

    @property
    def is_late(self) -> bool:
        """Paid after the due time, or still unpaid past it."""
        from django.utils import timezone

        if self.status == self.Status.REJECTED:
            return False
        return (self.paid_at or timezone.now()) > self.due_at

    @property
    def days_to_pay(self) -> int | None:
        if self.paid_at is None:
            return None
        return max((self.paid_at - self.accepted_at).days, 0)


class InvoiceLine(models.Model):
    """Accepted units of one order line (or one milestone) on an invoice, at the ordered price.

    `voided` is set when the invoice is rejected, which frees the units for a new invoice.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["invoice", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="invoiceline_quantity_positive")]

    def __str__(self):
        return f"{self.invoice_id}: {self.description}"


class LatePaymentClaim(models.Model):
    """A supplier's claim for late-payment interest (지연이자) on an invoice paid, or unpaid, past its due time."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        SETTLED = "settled", _("Settled")

    TRANSITIONS = {Status.FILED: {Status.SETTLED}, Status.SETTLED: set()}

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="late_claim")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FILED)
    days_late = models.PositiveIntegerField(_("days late"))
    interest = models.DecimalField(_("interest claimed"), max_digits=18, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), db_default=ClockTimestamp())
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("late-payment claim")
        verbose_name_plural = _("late-payment claims")

    def __str__(self):
        return f"claim on {self.invoice_id}"


class ReferenceCounter(models.Model):
    """Per-kind, per-year sequences behind order and invoice numbers (one upsert each)."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last}"
