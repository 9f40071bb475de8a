"""What a supplier submits, checked and turned into the canonical JSON that gets sealed.

Pure functions: no database, no I/O. The same checks run at submission (before sealing) and at
opening (on the decrypted content, which must still be what was checked).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from procurement.errors import Invalid
from procurement.money import MAX_AMOUNT, MONEY_CONTEXT, decimal_parse

# The sealed format and the rules applied at opening live in the reference client, so the portal,
# suppliers' systems and the verifier share one implementation.
from sealclient.rules import DECLARATIONS, Problem, currency_exponent, picks_problem, quantize_money
from sealclient.sealing import CONTENT_SCHEMA
from sealclient.sealing import canonical_json as canonical_json
from sealclient.sealing import document_manifest as document_manifest

MAX_PRICE = MAX_AMOUNT
MAX_LINES = 200
MAX_DOCUMENTS = 10


def money(value, *, currency: str, field_name: str = "price") -> Decimal:
    """A positive amount with no more decimals than the currency has."""
    number = decimal_parse(
        value,
        field=field_name,
        high=MAX_PRICE,
        message=_("Enter the amount as a number."),
        range_message=_("The amount is too large."),
    )
    if number <= 0:
        raise Invalid(_("The amount must be more than zero."), field=field_name, code="invalid")
    if number != quantize_money(number, currency):
        if currency_exponent(currency) == 0:
            raise Invalid(_("Amounts in %(currency)s are whole numbers.") % {"currency": currency}, field=field_name)
        raise Invalid(_("Use at most two decimals."), field=field_name, code="invalid")
    return quantize_money(number, currency)


@dataclass(frozen=True)
class PriceLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal

    def as_json(self) -> dict:
        return {
            "description": self.description,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class DocumentInput:
    """An attachment as received, in memory only (never written to disk in plaintext)."""

    name: str
    data: bytes = field(repr=False)

    def __repr__(self) -> str:  # never let the content reach a log line or an error page
        return f"DocumentInput({self.name!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class BidInput:
    """The supplier's bid as entered: the price and everything else that gets sealed."""

    price: Decimal
    lines: tuple[PriceLine, ...] = ()
    declarations: dict = field(default_factory=dict)
    reserve_picks: tuple[int, ...] = ()

    def __repr__(self) -> str:  # a traceback or a log line must never show the price
        return "BidInput(<sealed>)"


def price_lines(raw_lines, *, currency: str) -> tuple[PriceLine, ...]:
    """Optional lines (description, quantity, unit price); each amount rounded to the currency."""
    lines = []
    for index, raw in enumerate(raw_lines or ()):
        description = " ".join(str(raw.get("description", "")).split())[:300]
        if not description:
            raise Invalid(_("Line %(n)s needs a description.") % {"n": index + 1}, field="lines")
        out_of_range = _("Line %(n)s: check the quantity and unit price.") % {"n": index + 1}
        quantity = decimal_parse(
            raw.get("quantity"),
            field="lines",
            high=MAX_PRICE,
            message=_("Line %(n)s: enter the quantity.") % {"n": index + 1},
            range_message=out_of_range,
        )
        unit_price = decimal_parse(
            raw.get("unit_price"),
            field="lines",
            high=MAX_PRICE,
            message=_("Line %(n)s: enter the unit price.") % {"n": index + 1},
            range_message=out_of_range,
        )
        if quantity <= 0 or unit_price < 0:
            raise Invalid(out_of_range, field="lines")
        # Each factor fits numeric(18, 2), their product need not: bound it before it is rounded.
        product = MONEY_CONTEXT.multiply(quantity, unit_price)
        if product > MAX_PRICE:
            raise Invalid(out_of_range, field="lines")
        lines.append(
            PriceLine(description, quantity.normalize(MONEY_CONTEXT), unit_price, quantize_money(product, currency))
        )
    if len(lines) > MAX_LINES:
        raise Invalid(_("At most %(n)s price lines.") % {"n": MAX_LINES}, field="lines")
    return tuple(lines)


def bid_input_clean(
    *,
    price,
    currency: str,
    lines=(),
    declarations: dict | None = None,
    reserve_picks=(),
    reserve_count: int | None = None,
    picks_required: int | None = None,
) -> BidInput:
    """Check a bid as a whole; Invalid(field=…) names the first problem.

    `reserve_count`/`picks_required` are set for the multiple-reserve-price method only: the bidder
    picks exactly `picks_required` distinct numbers from 1..`reserve_count`.
    """
    total = money(price, currency=currency)
    cleaned_lines = price_lines(lines, currency=currency)
    lines_sum = sum((line.amount for line in cleaned_lines), Decimal(0))
    if cleaned_lines and lines_sum != total:
        raise Invalid(
            _("The price lines add up to %(sum)s, not to the total price %(total)s.")
            % {"sum": lines_sum, "total": total},
            field="lines",
        )
    declarations = declarations or {}
    missing = [name for name in DECLARATIONS if declarations.get(name) is not True]
    if missing:
        raise Invalid(
            _("Confirm both declarations (no conflict of interest, no collusion) to submit a bid."),
            field=missing[0],
        )
    picks: tuple[int, ...] = ()
    if reserve_count:
        picks = reserve_picks_clean(reserve_picks, reserve_count=reserve_count, picks_required=picks_required or 2)
    elif reserve_picks:
        raise Invalid(_("This tender has no reserve prices to pick."), field="reserve_picks")
    return BidInput(
        price=total,
        lines=cleaned_lines,
        declarations=dict.fromkeys(DECLARATIONS, True),
        reserve_picks=picks,
    )


def reserve_picks_clean(raw, *, reserve_count: int, picks_required: int) -> tuple[int, ...]:
    """Exactly `picks_required` distinct reserve-price numbers between 1 and `reserve_count`."""
    problem = picks_problem(raw, reserve_count=reserve_count, picks_required=picks_required)
    if problem is not None:
        raise Invalid(problem_message(problem), field="reserve_picks")
    return tuple(sorted(int(str(n).strip()) for n in raw or ()))


def problem_message(problem: Problem | None) -> str:
    """A problem found at opening (sealclient.rules), in the reader's language; '' for none."""
    if problem is None:
        return ""
    messages = {
        "picks_not_numbers": _("Pick reserve prices by their numbers."),
        "picks_out_of_range": _("Reserve price numbers run from 1 to %(count)s."),
        "picks_duplicate": _("Pick different reserve prices."),
        "picks_count": _("Pick exactly %(n)s of the %(count)s reserve prices."),
        "unknown_format": _("Unknown bid format."),
        "other_tender_or_supplier": _("The sealed content belongs to another tender or company."),
        "other_currency": _("The bid is in another currency."),
        "price_unreadable": _("The price cannot be read."),
        "price_invalid": _("The price is not a valid amount."),
        "declarations_missing": _("The declarations are missing."),
        "commitment_mismatch": _("The stored ciphertext does not match the bid's commitment."),
        "commitment_not_published": _("The commitment is not the one published at the deadline."),
        "undecryptable": _("The ciphertext cannot be decrypted with the tender key."),
        "documents_mismatch": _("The documents do not match the sealed list of documents."),
        "document_hash": _("A document does not match the hash sealed with the bid."),
    }
    return messages.get(problem.code, problem.code) % problem.params


def content_document(
    *, bid: BidInput, tender_reference: str, supplier_id: int, currency: str, documents: list[dict]
) -> dict:
    """The JSON document that is sealed. It names its tender and supplier, so a ciphertext copied
    onto another bid is caught at opening."""
    return {
        "schema": CONTENT_SCHEMA,
        "tender": tender_reference,
        "supplier": supplier_id,
        "currency": currency,
        "price": str(bid.price),
        "lines": [line.as_json() for line in bid.lines],
        "declarations": dict(bid.declarations),
        "reserve_picks": list(bid.reserve_picks),
        "documents": documents,
    }
