"""Re-run a published opening from its public bundle alone, and list where the record differs.

The bundle ("koneps-opening-bundle-v1", docs/sealing.md) holds the tender's key pair, every bid's
ciphertexts and commitment, the commitments published at the deadline ("closing"), the sealed
reserve prices and the record the portal published. This
module decrypts everything again and applies the portal's own rules (sealclient.rules and
sealclient.reserve, which the portal imports), so any difference means the record is not what the
sealed data gives.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import rules
from .reserve import floor_price_compute, planned_price_compute, reserve_values_outside_slices
from .sealing import (
    SealingError,
    b64decode,
    plaintext_hash_check,
    price_commitment,
    public_key_of,
    reserve_commitment,
    reserve_prices_open,
    unseal,
)

BUNDLE_SCHEMA = "koneps-opening-bundle-v1"
# Set aside at opening for facts outside the sealed content, stated in the bundle (docs/sealing.md).
OUTSIDE_CONTENT_OUTCOMES = frozenset({"security_rejected", "consortium_invalid"})
FLOOR_RATE_RESERVE = "floor_rate_reserve"
PRICE_ONLY_METHODS = frozenset({"lowest_price", FLOOR_RATE_RESERVE})

PROBLEM_TEXT = {
    "picks_not_numbers": "the reserve-price picks are not numbers",
    "picks_out_of_range": "a reserve-price pick is outside 1..{count}",
    "picks_duplicate": "the same reserve price is picked twice",
    "picks_count": "not exactly {n} of the {count} reserve prices are picked",
    "unknown_format": "the content is not a koneps-bid-content-v1 document",
    "other_tender_or_supplier": "the content names another tender or supplier",
    "other_currency": "the content is in another currency",
    "price_unreadable": "the price cannot be read",
    "price_invalid": "the price is not a valid amount",
    "declarations_missing": "the declarations are missing",
    "commitment_mismatch": "the ciphertexts do not match the bid's commitment",
    "commitment_not_published": "the commitment is not the one published at the deadline",
    "undecryptable": "a ciphertext does not decrypt with the tender's private key",
    "documents_mismatch": "the documents do not match the sealed list of documents",
    "document_hash": "a document does not match the hash sealed with the bid",
}


def problem_text(problem: rules.Problem | None) -> str:
    if problem is None:
        return ""
    return PROBLEM_TEXT.get(problem.code, problem.code).format(**problem.params)


@dataclass(frozen=True)
class Difference:
    """One place where the published record is not what the sealed data gives."""

    subject: str  # "tender", "reserve prices", "planned price", "bid of supplier 12", …
    message: str
    published: object = None
    recomputed: object = None

    def __str__(self) -> str:
        if self.published is None and self.recomputed is None:
            return f"{self.subject}: {self.message}"
        return f"{self.subject}: {self.message} (published {self.published!r}, recomputed {self.recomputed!r})"


@dataclass
class RecomputedBid:
    supplier_id: int
    version: int
    commitment_ok: bool
    outcome: str
    price: Decimal | None = None
    rank: int | None = None
    tied: bool = False
    problem: str = ""
    reserve_picks: list = field(default_factory=list)


@dataclass
class Report:
    tender: str
    evaluation_method: str
    differences: list[Difference] = field(default_factory=list)
    bids: list[RecomputedBid] = field(default_factory=list)
    planned_price: Decimal | None = None
    floor_price: Decimal | None = None
    reserve_prices: list[dict] = field(default_factory=list)
    winners: list[int] = field(default_factory=list)  # supplier ids ranked first (several when tied)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def differ(self, subject: str, message: str, published=None, recomputed=None) -> None:
        self.differences.append(Difference(subject, message, published, recomputed))

    def summary(self) -> str:
        lines = [f"Tender {self.tender} ({self.evaluation_method}): {len(self.bids)} bids re-opened."]
        if self.planned_price is not None:
            lines.append(f"Planned price {self.planned_price}, floor price {self.floor_price}.")
        if self.winners:
            lines.append("Ranked first: supplier " + ", ".join(str(s) for s in self.winners) + ".")
        lines.extend(self.notes)
        if self.ok:
            lines.append("The published record agrees with the sealed data.")
        else:
            lines.append(f"{len(self.differences)} difference(s):")
            lines.extend(f"- {d}" for d in self.differences)
        return "\n".join(lines)


class BundleError(ValueError):
    """The bundle is not a koneps-opening-bundle-v1 document."""


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BundleError(f"not a decimal number: {value!r}") from exc


def _same_amount(published, recomputed: Decimal | None) -> bool:
    try:
        return _decimal(published) == recomputed
    except BundleError:
        return False


def _key_pair(report: Report, tender: dict) -> bytes | None:
    try:
        public = b64decode(tender["public_key"])
        private = b64decode(tender["private_key"])
        if public_key_of(private) == public:
            return private
        report.differ("tender key", "the published private key does not belong to the tender's public key")
    except (KeyError, TypeError, SealingError):
        report.differ("tender key", "the bundle has no usable key pair")
    return None


def _reserve_values(report: Report, bundle: dict, private: bytes | None, params: dict) -> list[Decimal] | None:
    """The decrypted reserve prices after checking their commitment, document and slices."""
    sealed = bundle.get("reserve_prices")
    if not sealed:
        report.notes.append("No reserve prices were sealed: the portal takes the estimated value as the planned price.")
        return None
    try:
        ciphertext = b64decode(sealed["ciphertext"])
    except (KeyError, TypeError, SealingError):
        report.differ("reserve prices", "the sealed reserve prices cannot be read from the bundle")
        return None
    if reserve_commitment(ciphertext) != sealed.get("commitment"):
        report.differ(
            "reserve prices",
            "the ciphertext does not match the commitment published with the notice",
            sealed.get("commitment"),
            reserve_commitment(ciphertext),
        )
    if private is None:
        return None
    try:
        document = reserve_prices_open(private, ciphertext)
    except SealingError as exc:
        report.differ("reserve prices", f"cannot be opened: {exc}")
        return None
    values = document["values"]
    tender_ref = bundle["tender"]["reference"]
    if document.get("tender") != tender_ref:
        report.differ("reserve prices", "the sealed document names another tender", tender_ref, document.get("tender"))
    count = params.get("reserve_count")
    if count is not None and len(values) != int(count):
        report.differ("reserve prices", "not as many values as the tender's reserve count", count, len(values))
    base, range_pct = _decimal(document.get("base_price")), _decimal(document.get("range_pct"))
    for name, sealed_value in (("base_price", base), ("reserve_range_pct", range_pct)):
        if params.get(name) is not None and _decimal(params[name]) != sealed_value:
            report.differ("reserve prices", f"drawn with another {name} than the tender's", params[name], sealed_value)
    if base is not None and range_pct is not None:
        for number in reserve_values_outside_slices(values=values, base_price=base, range_pct=range_pct):
            report.differ(
                f"reserve price {number}",
                f"{values[number - 1]} lies outside slice {number} of the range, so it was not drawn by the rule",
            )
    return values


def _closing_commitments(bundle: dict) -> set[str] | None:
    """The commitments published at the deadline, or None when the bundle has no closing list (older
    bundles): then a bid replaced after the deadline cannot be told from the others."""
    closing = bundle.get("closing")
    if not isinstance(closing, dict) or not isinstance(closing.get("commitments"), list):
        return None
    return {str(c) for c in closing["commitments"]}


def _bid_commitments(item: dict) -> list[str]:
    return [str(item.get(name)) for name in ("commitment", "price_commitment") if item.get(name)]


def _not_published(report: Report, item: dict, published: set[str] | None) -> bool:
    """A bid whose commitment was not in the closing list: one difference, and it is set aside as the
    portal sets it aside at opening (so the rest of the record is compared as the portal made it)."""
    if published is None or all(c in published for c in _bid_commitments(item)):
        return False
    report.differ(
        f"bid of supplier {item.get('supplier_id')}",
        "its commitment is not among those published at the deadline: the bid was replaced after bidding closed",
    )
    return True


def _check_closing_list(report: Report, bundle: dict, published: set[str] | None) -> None:
    """Commitments published at the deadline that no bid in the bundle carries (a bid dropped), beyond
    those of bids already named as replaced."""
    if published is None:
        return
    carried = {c for item in bundle.get("bids", []) for c in _bid_commitments(item)}
    replaced = sum(1 for item in bundle.get("bids", []) for c in _bid_commitments(item) if c not in published)
    missing = len(published - carried) - replaced
    if missing > 0:
        report.differ(
            "closing list",
            f"{missing} commitment(s) published at the deadline belong to no bid in the bundle",
        )


def _open_bids(report: Report, bundle: dict, private: bytes | None, reserve_rules) -> list[rules.OpenedContent]:
    tender = bundle["tender"]
    published = _closing_commitments(bundle)
    opened = []
    for item in bundle.get("bids", []):
        subject = f"bid of supplier {item.get('supplier_id')}"
        try:
            ciphertexts = [b64decode(item["content"]), *(b64decode(d) for d in item.get("documents", []))]
        except (KeyError, TypeError, SealingError):
            report.differ(subject, "its ciphertexts cannot be read from the bundle")
            ciphertexts = None
        if ciphertexts is None or private is None:
            result = rules.OpenedContent(False, rules.Problem("undecryptable"))
        else:
            result = rules.bid_open(
                private_key=private,
                ciphertexts=ciphertexts,
                stored_commitment=str(item.get("commitment", "")),
                tender_reference=tender["reference"],
                supplier_id=item.get("supplier_id"),
                version=item.get("version"),
                currency=tender["currency"],
                reserve_rules=reserve_rules,
            )
        if result.commitment_ok and _not_published(report, item, published):
            result = rules.OpenedContent(False, rules.Problem("commitment_not_published"))
        opened.append(result)
        report.bids.append(
            RecomputedBid(
                supplier_id=item.get("supplier_id"),
                version=item.get("version"),
                commitment_ok=result.commitment_ok,
                outcome=rules.RANKED
                if result.usable
                else (rules.COMMITMENT_FAILED if not result.commitment_ok else rules.INVALID),
                price=result.price,
                problem=problem_text(result.problem),
                reserve_picks=list(result.content.get("reserve_picks", [])) if result.usable else [],
            )
        )
    return opened


def _open_two_envelope_bids(report: Report, bundle: dict, private: bytes | None, reserve_rules) -> list:
    """Two-envelope bundles: every technical envelope, the price envelopes that were opened, and the
    commitment of each unopened price envelope from its published SHA-256 (its ciphertext is not
    published). Whether a bid complied is the officials' judgement: the record's decision is taken
    as published, and the verifier checks that no price of a non-compliant bid was opened."""
    tender = bundle["tender"]
    decisions = {row.get("supplier_id"): row for row in (bundle.get("record") or {}).get("bids", [])}
    published = _closing_commitments(bundle)
    opened = []
    for item in bundle.get("bids", []):
        supplier_id, version = item.get("supplier_id"), item.get("version")
        subject = f"bid of supplier {supplier_id}"
        compliant = bool((decisions.get(supplier_id) or {}).get("technical_compliant"))
        try:
            ciphertexts = [b64decode(item["content"]), *(b64decode(d) for d in item.get("documents", []))]
            price_ct = b64decode(item["price_content"]) if item.get("price_content") else None
        except (KeyError, TypeError, SealingError):
            report.differ(subject, "its ciphertexts cannot be read from the bundle")
            ciphertexts, price_ct = None, None
        technical = (
            rules.technical_open(
                private_key=private,
                ciphertexts=ciphertexts,
                stored_commitment=str(item.get("commitment", "")),
                tender_reference=tender["reference"],
                supplier_id=supplier_id,
                version=version,
            )
            if ciphertexts is not None and private is not None
            else rules.OpenedContent(False, rules.Problem("undecryptable"))
        )
        if technical.commitment_ok and _not_published(report, item, published):
            technical = rules.OpenedContent(False, rules.Problem("commitment_not_published"))
            price_ct = None
        price = rules.OpenedContent(False, None)
        outcome = rules.PRICE_NOT_OPENED
        if not technical.usable:
            outcome = rules.COMMITMENT_FAILED if not technical.commitment_ok else rules.INVALID
        if price_ct is None:
            digest_commitment = price_commitment(
                digest=str(item.get("price_sha256", "")),
                tender_ref=tender["reference"],
                supplier_id=supplier_id,
                version=version,
            )
            if digest_commitment != item.get("price_commitment"):
                report.differ(subject, "the unopened price envelope does not match its commitment")
            if technical.usable and compliant:
                report.differ(subject, "compliant, but its price envelope was not opened")
        else:
            if not (technical.usable and compliant):
                report.differ(subject, "the price envelope of a bid that was not compliant was opened")
            price = rules.price_open(
                private_key=private,
                ciphertext=price_ct,
                stored_commitment=str(item.get("price_commitment", "")),
                tender_reference=tender["reference"],
                supplier_id=supplier_id,
                version=version,
                currency=tender["currency"],
                reserve_rules=reserve_rules,
            )
            outcome = (
                rules.RANKED
                if price.usable
                else (rules.COMMITMENT_FAILED if not price.commitment_ok else rules.INVALID)
            )
        opened.append(price)
        report.bids.append(
            RecomputedBid(
                supplier_id=supplier_id,
                version=version,
                commitment_ok=technical.commitment_ok and (price_ct is None or price.commitment_ok),
                outcome=outcome,
                price=price.price,
                problem=problem_text(technical.problem or price.problem),
                reserve_picks=list(price.content.get("reserve_picks", [])) if price.usable else [],
            )
        )
    return opened


def _compare_reserve_list(report: Report, published: list) -> None:
    by_number = {row.get("number"): row for row in published or []}
    for row in report.reserve_prices:
        pub = by_number.pop(row["number"], None)
        subject = f"reserve price {row['number']}"
        if pub is None:
            report.differ(subject, "missing from the published record")
            continue
        if not _same_amount(pub.get("value"), row["value"]):
            report.differ(subject, "published value differs", pub.get("value"), str(row["value"]))
        if pub.get("picks") != row["picks"]:
            report.differ(subject, "published pick count differs", pub.get("picks"), row["picks"])
        if bool(pub.get("chosen")) != row["chosen"]:
            report.differ(subject, "published as chosen/not chosen wrongly", pub.get("chosen"), row["chosen"])
    for number in by_number:
        report.differ(f"reserve price {number}", "published but not in the sealed reserve prices")


def _compare_bids(report: Report, published: list) -> None:
    by_supplier = {row.get("supplier_id"): row for row in published or []}
    for bid in report.bids:
        pub = by_supplier.pop(bid.supplier_id, None)
        subject = f"bid of supplier {bid.supplier_id}"
        if pub is None:
            report.differ(subject, "opened from the sealed data but missing from the published record")
            continue
        if bool(pub.get("commitment_ok")) != bid.commitment_ok:
            report.differ(subject, "commitment check differs", pub.get("commitment_ok"), bid.commitment_ok)
        if pub.get("outcome") != bid.outcome:
            detail = f" ({bid.problem})" if bid.problem else ""
            report.differ(subject, f"outcome differs{detail}", pub.get("outcome"), bid.outcome)
        if not _same_amount(pub.get("price"), bid.price):
            report.differ(subject, "price differs", pub.get("price"), None if bid.price is None else str(bid.price))
        if pub.get("rank") != bid.rank:
            report.differ(subject, "rank differs", pub.get("rank"), bid.rank)
        if bool(pub.get("tied")) != bid.tied:
            report.differ(subject, "tie marker differs", pub.get("tied"), bid.tied)
    for supplier_id in by_supplier:
        report.differ(f"bid of supplier {supplier_id}", "in the published record but no sealed bid is in the bundle")


def verify_bundle(bundle: dict) -> Report:
    """Recompute the opening from the bundle; `Report.differences` lists every disagreement."""
    if not isinstance(bundle, dict) or bundle.get("schema") != BUNDLE_SCHEMA:
        raise BundleError("not a koneps-opening-bundle-v1 document")
    tender, record = bundle.get("tender"), bundle.get("record")
    if not isinstance(tender, dict) or not isinstance(record, dict):
        raise BundleError("the bundle lacks its tender or its record")
    missing = [name for name in ("reference", "currency", "evaluation_method") if not tender.get(name)]
    if missing:
        raise BundleError("the bundle's tender lacks " + ", ".join(missing))
    method = tender["evaluation_method"]
    params = dict(tender.get("parameters") or {})
    report = Report(tender=tender["reference"], evaluation_method=method)
    private = _key_pair(report, tender)
    uses_reserve = method == FLOOR_RATE_RESERVE
    reserve_rules, picks_averaged = None, 0
    if uses_reserve:
        try:
            reserve_rules = (int(params["reserve_count"]), int(params["picks_per_bidder"]))
            picks_averaged = int(params["picks_averaged"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError("the bundle lacks the reserve-price parameters (count, picks, averaged)") from exc

    values = _reserve_values(report, bundle, private, params) if uses_reserve else None
    _check_closing_list(report, bundle, _closing_commitments(bundle))
    if tender.get("envelopes") == 2:
        opened = _open_two_envelope_bids(report, bundle, private, reserve_rules)
    else:
        opened = _open_bids(report, bundle, private, reserve_rules)

    if uses_reserve:
        floor_rate = _decimal(params.get("floor_rate"))
        if values:
            picks = [o.content["reserve_picks"] for o in opened if o.usable]
            result = planned_price_compute(values=values, picks=picks, averaged=picks_averaged)
            report.planned_price = result.planned_price
            report.reserve_prices = [
                {
                    "number": n,
                    "value": values[n - 1],
                    "picks": result.pick_counts[n],
                    "chosen": n in result.chosen,
                }
                for n in range(1, len(values) + 1)
            ]
        elif bundle.get("reserve_prices") is None:
            report.planned_price = _decimal(tender.get("estimated_value"))
        if report.planned_price is not None and floor_rate is not None:
            report.floor_price = floor_price_compute(planned_price=report.planned_price, floor_rate=floor_rate)
        if not _same_amount(record.get("planned_price"), report.planned_price):
            report.differ("planned price", "differs", record.get("planned_price"), report.planned_price)
        if not _same_amount(record.get("floor_price"), report.floor_price):
            report.differ("floor price", "differs", record.get("floor_price"), report.floor_price)
        if values:
            _compare_reserve_list(report, record.get("reserve_prices"))

    # Bids the portal set aside at opening for what is not in the sealed content (a bid security, a
    # consortium's eligibility): the bundle states them; the ranking of the others is recomputed.
    outside = {}
    for item in bundle.get("rejected_outside_content") or []:
        if item.get("outcome") in OUTSIDE_CONTENT_OUTCOMES:
            outside[item.get("supplier_id")] = item
    for bid, o in zip(report.bids, opened, strict=True):
        if o.usable and bid.supplier_id in outside:
            bid.outcome, bid.problem = (
                outside[bid.supplier_id]["outcome"],
                str(outside[bid.supplier_id].get("reason", "")),
            )
    candidates = [
        rules.Candidate(bid_id=b.supplier_id, price=b.price, usable=o.usable and b.supplier_id not in outside)
        for b, o in zip(report.bids, opened, strict=True)
    ]
    rules.ranking_policy(method).rank(candidates, planned_price=report.planned_price, floor_price=report.floor_price)
    for bid, candidate in zip(report.bids, candidates, strict=True):
        if candidate.usable:
            bid.outcome, bid.rank, bid.tied = candidate.outcome, candidate.rank, candidate.tied
    _compare_bids(report, record.get("bids"))
    if method in PRICE_ONLY_METHODS:
        report.winners = [b.supplier_id for b in report.bids if b.rank == 1]
    else:
        report.notes.append(
            "Best value: the winner also depends on the committee's technical scores; checked up to the price ranking."
        )
    return report


def bid_prove(*, bundle: dict, supplier_id: int, salt: bytes) -> bool:
    """A bidder's proof: the content opened from the bundle hashes, with the salt only the bidder
    kept, to the plaintext hash on its receipt (and in the bundle)."""
    tender = bundle["tender"]
    item = next((b for b in bundle.get("bids", []) if b.get("supplier_id") == supplier_id), None)
    if item is None:
        raise BundleError(f"no bid of supplier {supplier_id} in the bundle")
    content = unseal(b64decode(tender["private_key"]), b64decode(item["content"]))
    return plaintext_hash_check(salt=salt, content=content, expected=str(item.get("plaintext_hash", "")))
