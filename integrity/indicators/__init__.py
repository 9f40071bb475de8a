"""The red-flag rules: one module per rule, each an `Indicator` with its id, titles and rationale in
Korean and English, the records it reads, its thresholds (settings.INTEGRITY_THRESHOLDS[id]) and the
stage at which it can be computed.

Rules are set-based SQL over the portal's own tables, so that one query covers one tender (the sweep
after an opening or an award) or every tender (nightly, and bench/integrity.py). A rule only finds;
integrity.services stores what it found.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.db import connection
from django.utils.translation import get_language

from ..models import Stage

# In the order the dashboard lists them (by stage).
RULE_MODULES = (
    "short_period",
    "single_bid",
    "close_runner_up",
    "identical_prices",
    "same_network",
    "same_browser",
    "spec_change_after_question",
    "lowest_disqualified",
    "all_but_winner_disqualified",
    "retender_same_winner",
    "repeat_single_bid_pair",
    "fixed_price_ratio",
    "same_loser",
    "bid_rotation",
    "award_concentration",
    "market_group",
)


@dataclass
class Finding:
    """One thing a rule found, with the records and numbers that show it."""

    key: str
    occurred_at: datetime
    evidence: dict
    value: Decimal | int | None = None
    threshold: Decimal | int | None = None
    tender_id: int | None = None
    entity_id: int | None = None
    tender_ids: list[int] = field(default_factory=list)
    supplier_ids: list[int] = field(default_factory=list)


class Indicator:
    id: str = ""
    stage: str = ""
    title_ko: str = ""
    title_en: str = ""
    # For auditors: why this pattern matters and what else would explain it.
    rationale_ko: str = ""
    rationale_en: str = ""
    # For the public tender page: what was seen, in plain words.
    explanation_ko: str = ""
    explanation_en: str = ""
    inputs: tuple[str, ...] = ()
    # Tender-level rules run for given tenders; portfolio rules always over everything.
    per_tender: bool = True

    @property
    def params(self) -> dict:
        return settings.INTEGRITY_THRESHOLDS[self.id]

    def param(self, name: str) -> Decimal:
        return Decimal(str(self.params[name]))

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ko

    @property
    def rationale(self) -> str:
        return self.rationale_en if get_language() == "en" else self.rationale_ko

    @property
    def explanation(self) -> str:
        return self.explanation_en if get_language() == "en" else self.explanation_ko

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    def find(self, *, tender_ids: list[int] | None = None) -> list[Finding]:
        raise NotImplementedError

    def tender_finding(
        self, tender_id: int, entity_id: int, *, occurred_at: datetime, key_suffix: str = "", also=(), **found
    ) -> Finding:
        """A finding about one tender, keyed by rule and tender (`key_suffix` tells several apart;
        `also`: other tenders it concerns). `found`: supplier_ids, value, threshold, evidence."""
        return Finding(
            key=f"{self.id}:tender:{tender_id}{key_suffix}",
            occurred_at=occurred_at,
            tender_id=tender_id,
            entity_id=entity_id,
            tender_ids=[tender_id, *also],
            **found,
        )

    def describe(self) -> dict:
        return {
            "id": self.id,
            "stage": self.stage,
            "title": {"ko": self.title_ko, "en": self.title_en},
            "rationale": {"ko": self.rationale_ko, "en": self.rationale_en},
            "explanation": {"ko": self.explanation_ko, "en": self.explanation_en},
            "inputs": list(self.inputs),
            "thresholds": self.params,
        }


def rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def group_findings(rule: Indicator, found: list[dict], *, min_bids: int) -> list[Finding]:
    """One finding per tender from rows of its groups of companies that bid alike (`groups`, each
    with its `suppliers`; `largest`, the biggest group's size), flagged from `min_bids` companies."""
    return [
        rule.tender_finding(
            row["tender_id"],
            row["entity_id"],
            occurred_at=row["opened_at"],
            supplier_ids=sorted({s for group in row["groups"] for s in group["suppliers"]}),
            value=row["largest"],
            threshold=min_bids,
            evidence={"groups": row["groups"], "min_bids": min_bids},
        )
        for row in found
    ]


def set_key(rule_id: str, *parts) -> str:
    """A short stable key for a flag about a group (a list of ids would not fit the column)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]
    return f"{rule_id}:{digest}"


# The public award of a tender (at most one is live, by contracts' constraint), with its moment.
WINNERS_SQL = """
    SELECT a.tender_id, a.supplier_id, a.bid_id, a.value,
           COALESCE(a.standstill_started_at, a.finalised_at, a.proposed_at) AS awarded_at
      FROM contracts_award a
     WHERE a.status IN ('standstill', 'final')
"""
# Bids that were opened (named publicly at the opening): never sealed or withdrawn ones.
OPENED_BIDS_SQL = """
    SELECT r.tender_id, ob.bid_id, ob.supplier_id, ob.price, ob.outcome, b.status AS bid_status
      FROM bidding_openedbid ob
      JOIN bidding_openingrecord r ON r.id = ob.opening_id
      JOIN bidding_bid b ON b.id = ob.bid_id
"""
TENDER_FILTER = "(%(tenders)s::bigint[] IS NULL OR {column} = ANY(%(tenders)s::bigint[]))"


def tender_filter(column: str) -> str:
    return TENDER_FILTER.format(column=column)


_registry: dict[str, Indicator] | None = None


def all_rules() -> list[Indicator]:
    global _registry
    if _registry is None:
        _registry = {}
        for name in RULE_MODULES:
            rule = import_module(f"{__name__}.{name}").RULE
            _registry[rule.id] = rule
    return list(_registry.values())


def rule_get(rule_id: str) -> Indicator | None:
    all_rules()
    return _registry.get(rule_id)


def rules_for_stage(stage: str) -> list[Indicator]:
    return [r for r in all_rules() if r.stage == stage]
