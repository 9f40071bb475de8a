"""The opening rules as pure functions: what makes an opened bid valid, and how bids are ranked.

The portal's opening (bidding.services.opening) and the verifier (sealclient.verify) both call
these, so anyone re-running an opening from the public bundle applies exactly the portal's rules.
Problems are codes with parameters; the portal words them in the reader's language.
"""

import hashlib
import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .sealing import (
    CONTENT_SCHEMA,
    PRICE_SCHEMA,
    TECHNICAL_SCHEMA,
    SealingError,
    commitment,
    price_commitment,
    unseal,
)

DECLARATIONS = ("no_conflict_of_interest", "no_collusion")
# The largest price a record can hold (numeric(18, 2)); larger is refused before any rounding, which
# would otherwise fail on a price with more digits than decimal arithmetic carries.
MAX_PRICE = Decimal("9999999999999999")
# Currencies without minor units; every other currency is priced to the cent.
WHOLE_UNIT_CURRENCIES = frozenset({"KRW", "JPY", "VND", "IDR", "CLP", "ISK", "UGX", "PYG"})

# Outcomes of an opened bid (the values of bidding.models.OpenedBid.Outcome).
RANKED = "ranked"
BELOW_FLOOR = "below_floor"
ABOVE_PLANNED = "above_planned"
COMMITMENT_FAILED = "commitment_failed"
INVALID = "invalid"
# Two envelopes: the technical envelope is open, the price envelope never will be.
PRICE_NOT_OPENED = "price_not_opened"


def currency_exponent(currency: str) -> int:
    return 0 if currency.upper() in WHOLE_UNIT_CURRENCIES else 2


def quantize_money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


class Problem(NamedTuple):
    """Why an opened bid is not valid: a stable code (docs/sealing.md) and its parameters."""

    code: str
    params: dict = {}

    def __str__(self) -> str:
        return self.code


def _pick_numbers(raw) -> list[int] | None:
    if not isinstance(raw, list | tuple):
        return None if raw else []
    try:
        return [int(str(n).strip()) for n in raw]
    except ValueError:
        return None


def picks_problem(raw, *, reserve_count: int, picks_required: int) -> Problem | None:
    """Exactly `picks_required` distinct reserve-price numbers between 1 and `reserve_count`."""
    numbers = _pick_numbers(raw)
    if numbers is None:
        return Problem("picks_not_numbers")
    if any(not 1 <= n <= reserve_count for n in numbers):
        return Problem("picks_out_of_range", {"count": reserve_count})
    if len(set(numbers)) != len(numbers):
        return Problem("picks_duplicate")
    if len(numbers) != picks_required:
        return Problem("picks_count", {"n": picks_required, "count": reserve_count})
    return None


def _identity_problem(content, *, schema: str, tender_reference: str, supplier_id: int) -> Problem | None:
    if not isinstance(content, dict) or content.get("schema") != schema:
        return Problem("unknown_format")
    if content.get("tender") != tender_reference or content.get("supplier") != supplier_id:
        return Problem("other_tender_or_supplier")
    return None


def _price_problem(content: dict, *, currency: str) -> Problem | None:
    if content.get("currency") != currency:
        return Problem("other_currency")
    try:
        price = Decimal(content["price"])
    except (KeyError, ArithmeticError, TypeError, ValueError):
        return Problem("price_unreadable")
    if not price.is_finite() or price <= 0 or price > MAX_PRICE or price != quantize_money(price, currency):
        return Problem("price_invalid")
    return None


def _declarations_problem(content: dict) -> Problem | None:
    declarations = content.get("declarations")
    if not isinstance(declarations, dict) or any(declarations.get(name) is not True for name in DECLARATIONS):
        return Problem("declarations_missing")
    return None


def _picks_problem(content: dict, reserve_rules: tuple[int, int] | None) -> Problem | None:
    if reserve_rules:
        return picks_problem(
            content.get("reserve_picks"), reserve_count=reserve_rules[0], picks_required=reserve_rules[1]
        )
    return None


def content_problem(
    content, *, tender_reference: str, supplier_id: int, currency: str, reserve_rules: tuple[int, int] | None
) -> Problem | None:
    """None when decrypted content is a bid the tender accepts; otherwise the first thing wrong."""
    return (
        _identity_problem(content, schema=CONTENT_SCHEMA, tender_reference=tender_reference, supplier_id=supplier_id)
        or _price_problem(content, currency=currency)
        or _declarations_problem(content)
        or _picks_problem(content, reserve_rules)
    )


def technical_problem(content, *, tender_reference: str, supplier_id: int) -> Problem | None:
    """The technical envelope of a two-envelope bid: its identity and both declarations."""
    return _identity_problem(
        content, schema=TECHNICAL_SCHEMA, tender_reference=tender_reference, supplier_id=supplier_id
    ) or _declarations_problem(content)


def price_problem(
    content, *, tender_reference: str, supplier_id: int, currency: str, reserve_rules: tuple[int, int] | None
) -> Problem | None:
    """The price envelope of a two-envelope bid: identity, currency, price and reserve picks."""
    return (
        _identity_problem(content, schema=PRICE_SCHEMA, tender_reference=tender_reference, supplier_id=supplier_id)
        or _price_problem(content, currency=currency)
        or _picks_problem(content, reserve_rules)
    )


@dataclass
class OpenedContent:
    """One bid version as decrypted, before ranking."""

    commitment_ok: bool
    problem: Problem | None = None
    content: dict | None = None
    content_bytes: bytes = field(default=b"", repr=False)
    documents: list = field(default_factory=list, repr=False)  # [(manifest entry, plaintext, hash ok)]

    @property
    def usable(self) -> bool:
        return self.commitment_ok and self.problem is None

    @property
    def price(self) -> Decimal | None:
        return Decimal(self.content["price"]) if self.usable else None


def bid_open(
    *,
    private_key,
    ciphertexts: Sequence[bytes],
    stored_commitment: str,
    tender_reference: str,
    supplier_id: int,
    version: int,
    currency: str,
    reserve_rules: tuple[int, int] | None,
) -> OpenedContent:
    """Check the commitment, decrypt the content and documents, check the content.

    `ciphertexts` are the content's then each document's, in position order.
    """
    return _open(
        private_key=private_key,
        ciphertexts=ciphertexts,
        stored_commitment=stored_commitment,
        tender_reference=tender_reference,
        supplier_id=supplier_id,
        version=version,
        check=lambda content: content_problem(
            content,
            tender_reference=tender_reference,
            supplier_id=supplier_id,
            currency=currency,
            reserve_rules=reserve_rules,
        ),
    )


def technical_open(
    *, private_key, ciphertexts: Sequence[bytes], stored_commitment: str, tender_reference: str, supplier_id: int,
    version: int,
) -> OpenedContent:  # fmt: skip
    """The technical envelope of a two-envelope bid: as `bid_open`, with the technical rules."""
    return _open(
        private_key=private_key,
        ciphertexts=ciphertexts,
        stored_commitment=stored_commitment,
        tender_reference=tender_reference,
        supplier_id=supplier_id,
        version=version,
        check=lambda content: technical_problem(content, tender_reference=tender_reference, supplier_id=supplier_id),
    )


def price_open(
    *,
    private_key,
    ciphertext: bytes,
    stored_commitment: str,
    tender_reference: str,
    supplier_id: int,
    version: int,
    currency: str,
    reserve_rules: tuple[int, int] | None,
) -> OpenedContent:
    """The price envelope of a two-envelope bid: its own commitment, then the price rules."""
    recomputed = price_commitment(
        ciphertext=ciphertext, tender_ref=tender_reference, supplier_id=supplier_id, version=version
    )
    if recomputed != stored_commitment:
        return OpenedContent(False, Problem("commitment_mismatch"))
    try:
        content_bytes = unseal(private_key, ciphertext)
        content = json.loads(content_bytes)
    except (SealingError, ValueError, RecursionError):
        return OpenedContent(False, Problem("undecryptable"))
    problem = price_problem(
        content,
        tender_reference=tender_reference,
        supplier_id=supplier_id,
        currency=currency,
        reserve_rules=reserve_rules,
    )
    opened = OpenedContent(True, problem, content if isinstance(content, dict) else None, content_bytes)
    if problem is None:
        content["reserve_picks"] = sorted(_pick_numbers(content.get("reserve_picks")) or [])
    return opened


def _open(*, private_key, ciphertexts, stored_commitment, tender_reference, supplier_id, version, check):
    recomputed = commitment(
        ciphertexts=ciphertexts, tender_ref=tender_reference, supplier_id=supplier_id, version=version
    )
    if recomputed != stored_commitment:
        return OpenedContent(False, Problem("commitment_mismatch"))
    try:
        content_bytes = unseal(private_key, ciphertexts[0])
        content = json.loads(content_bytes)
        plaintexts = [unseal(private_key, ct) for ct in ciphertexts[1:]]
    except (SealingError, ValueError, RecursionError):  # the sealed bytes are the bidder's to choose
        return OpenedContent(False, Problem("undecryptable"))
    problem = check(content)
    opened = OpenedContent(True, problem, content if isinstance(content, dict) else None, content_bytes)
    if problem is not None:
        return opened
    # The planned price counts picks as numbers: "3" and 3 are the same pick.
    if "reserve_picks" in content:
        content["reserve_picks"] = sorted(_pick_numbers(content.get("reserve_picks")) or [])
    manifest = content.get("documents") or []
    if not isinstance(manifest, list) or len(manifest) != len(plaintexts):
        opened.problem = Problem("documents_mismatch")
        return opened
    for entry, data in zip(manifest, plaintexts, strict=True):
        entry = entry if isinstance(entry, dict) else {}
        opened.documents.append((entry, data, hashlib.sha256(data).hexdigest() == entry.get("sha256")))
    if not all(ok for _entry, _data, ok in opened.documents):
        opened.problem = Problem("document_hash")
    return opened


# --- ranking ---------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """One opened bid on its way into the record."""

    bid_id: object  # the portal's bid id, or the verifier's supplier id
    price: Decimal | None
    usable: bool  # commitment verified and content valid
    outcome: str = ""
    rank: int | None = None
    tied: bool = False


class RankingPolicy:
    key = ""

    @classmethod
    def outcome(cls, candidate: Candidate, *, planned_price: Decimal | None, floor_price: Decimal | None) -> str:
        return RANKED

    @classmethod
    def rank(
        cls, candidates: list[Candidate], *, planned_price: Decimal | None = None, floor_price: Decimal | None = None
    ) -> list[Candidate]:
        """Set outcome, rank and tied on each usable candidate; ascending price, ties share a rank."""
        for candidate in candidates:
            if candidate.usable:
                candidate.outcome = cls.outcome(candidate, planned_price=planned_price, floor_price=floor_price)
        ranked = [c for c in candidates if c.usable and c.outcome == RANKED]
        # Rank = 1 + the number of strictly lower prices; sorted once, so 5,000 bids take
        # milliseconds rather than the seconds of comparing every pair.
        prices = sorted(c.price for c in ranked)
        counts = Counter(prices)
        for candidate in ranked:
            candidate.rank = bisect_left(prices, candidate.price) + 1
            candidate.tied = counts[candidate.price] > 1
        return candidates


class LowestPriceRanking(RankingPolicy):
    key = "lowest_price"


class FloorRateReserveRanking(RankingPolicy):
    """Bids below the floor or above the planned price are set aside (listed, not ranked)."""

    key = "floor_rate_reserve"

    @classmethod
    def outcome(cls, candidate: Candidate, *, planned_price: Decimal | None, floor_price: Decimal | None) -> str:
        if floor_price is not None and candidate.price < floor_price:
            return BELOW_FLOOR
        if planned_price is not None and candidate.price > planned_price:
            return ABOVE_PLANNED
        return RANKED


class BestValueRanking(RankingPolicy):
    """Ranked by price at opening; the committee's technical scores come with evaluation."""

    key = "best_value"


RANKING_POLICIES = {p.key: p for p in (LowestPriceRanking, FloorRateReserveRanking, BestValueRanking)}


def ranking_policy(evaluation_method: str) -> type[RankingPolicy]:
    return RANKING_POLICIES.get(evaluation_method, LowestPriceRanking)
