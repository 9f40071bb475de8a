"""Red flags found by the integrity rules, their reviews, the runs that found them, and bid origins.

A flag is stored with its evidence (which records, which numbers) when a rule runs; pages only read
it. `key` names what a flag is about (rule and subject) so that running a rule again updates the
same flag instead of adding a second one, and a flag whose condition no longer holds is cleared,
never deleted, so that an auditor's review stays attached to what was reviewed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The procurement stage at which a rule can be computed."""

    DRAFTING = "drafting", _("Drafting")
    OPENING = "opening", _("Bid opening")
    AWARD = "award", _("Award")
    PORTFOLIO = "portfolio", _("Across tenders (nightly)")


class Flag(models.Model):
    class Review(models.TextChoices):
        OPEN = "open", _("Not reviewed")
        NO_CONCERN = "no_concern", _("Reviewed: no concern")
        MONITORING = "monitoring", _("Reviewed: keep monitoring")
        REFERRED = "referred", _("Reviewed: referred for investigation")

    rule = models.CharField(_("rule"), max_length=40, db_index=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    key = models.CharField(max_length=200, unique=True)
    # The tender a tender-level flag is about; portfolio flags name theirs in `tenders`.
    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    entity = models.ForeignKey(
        "tenders.ProcuringEntity", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tenders = models.ManyToManyField("tenders.Tender", blank=True, related_name="integrity_flags")
    suppliers = models.ManyToManyField("suppliers.Supplier", blank=True, related_name="integrity_flags")
    # The measured number and the threshold it was compared with (units in the rule's module).
    value = models.DecimalField(_("measured value"), max_digits=20, decimal_places=4, null=True, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=20, decimal_places=4, null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict)
    # When what the flag is about happened (opening, award, the last tender of a pattern): the timeline.
    occurred_at = models.DateTimeField(_("occurred"), db_index=True)
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last confirmed"), auto_now=True)
    # Set when a later run no longer finds the condition (e.g. the draft was corrected).
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    review = models.CharField(_("review"), max_length=20, choices=Review.choices, default=Review.OPEN)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        indexes = [models.Index(fields=["entity", "-occurred_at"], name="flag_entity_time_idx")]

    def __str__(self):
        return self.key

    @property
    def indicator(self):
        from .indicators import rule_get

        return rule_get(self.rule)

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class RuleRun(models.Model):
    """One run of one rule: over a tender, or over every record (nightly)."""

    rule = models.CharField(max_length=40)
    scope = models.CharField(max_length=40)  # "tender:<id>" or "all"
    started_at = models.DateTimeField()
    seconds = models.FloatField()
    found = models.PositiveIntegerField()
    cleared = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["rule", "-started_at"], name="rulerun_rule_time_idx")]

    def __str__(self):
        return f"{self.rule} over {self.scope}"


class TenderCheck(models.Model):
    """Which stages of a tender the sweep has already run the rules for (so it runs them once each)."""

    tender = models.OneToOneField("tenders.Tender", on_delete=models.CASCADE, primary_key=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # The public award last checked: a cancelled award and a new one are checked again.
    award_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"integrity checks of {self.tender_id}"


class BidOrigin(models.Model):
    """Keyed hashes (HMAC-SHA256, INTEGRITY_HASH_KEY) of where a bid version came from.

    Only hashes: equal hashes show two bids came from one network address or one browser, and
    nobody can get the address back without the key.
    """

    version = models.OneToOneField("bidding.BidVersion", on_delete=models.CASCADE, primary_key=True, related_name="+")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+")
    network_hash = models.CharField(max_length=64)
    fingerprint_hash = models.CharField(max_length=64)
    # "client": the page sent a browser fingerprint; "headers": only request headers were available.
    fingerprint_source = models.CharField(max_length=10)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tender", "network_hash"], name="bidorigin_tender_net_idx")]

    def __str__(self):
        return f"origin of bid version {self.version_id}"
