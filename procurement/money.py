"""Decimal input: the one parser every typed number goes through (prices, quantities, rates, scores).

Python's `Decimal` accepts "1e999999999" and 40-digit strings, and arithmetic on them later fails
with InvalidOperation (a 500) once a product or a `quantize` exceeds the context's 28 digits. So
every number a person or an API client sends is parsed here, with a bound on its length, its
magnitude and its decimals, and arithmetic on parsed numbers runs in `MONEY_CONTEXT`, which is
wide enough for the product of two bounded inputs.
"""

from decimal import Context, Decimal, DecimalException, DivisionByZero, InvalidOperation, Overflow

from django.utils.translation import gettext as _

from .errors import Invalid

# Longer than any legitimate amount with thousands separators ("9,999,999,999,999,999.99").
MAX_INPUT_CHARS = 40
# numeric(18, 2) holds 16 integer digits; nothing the portal stores is larger.
MAX_AMOUNT = Decimal("9999999999999999")
# Two inputs of 16 integer digits and 6 decimals each multiply into 44 significant digits.
MONEY_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])


def decimal_parse(
    value,
    *,
    field: str,
    low: Decimal | None = None,
    high: Decimal = MAX_AMOUNT,
    places: int = 6,
    message: str | None = None,
    range_message: str | None = None,
) -> Decimal:
    """`value` (text, int or Decimal; thousands separators allowed) as a finite Decimal within
    [low, high] with at most `places` decimals; Invalid naming `field` otherwise (`message` when
    it is not a number, `range_message` when it is out of bounds)."""
    not_a_number = message or _("Enter a number.")
    if isinstance(value, bool) or value is None:
        raise Invalid(not_a_number, field=field, code="invalid")
    text = str(value).strip().replace(",", "")
    if not text or len(text) > MAX_INPUT_CHARS:
        raise Invalid(not_a_number, field=field, code="invalid")
    try:
        number = MONEY_CONTEXT.create_decimal(text)
    except (DecimalException, ValueError, TypeError):
        raise Invalid(not_a_number, field=field, code="invalid") from None
    if not number.is_finite():
        raise Invalid(not_a_number, field=field, code="invalid")
    # Unbounded below still means bounded in magnitude: "-1e999999" must not reach `quantize`.
    if number > high or number < (-high if low is None else low):
        if range_message is None:
            range_message = (
                _("The number is too large.")
                if low is None
                else _("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high}
            )
        raise Invalid(range_message, field=field, code="invalid")
    exponent = number.as_tuple().exponent
    step = Decimal(1).scaleb(-places)
    if exponent < -places and number != number.quantize(step, context=MONEY_CONTEXT):
        too_precise = _("Use at most %(n)s decimals.") % {"n": places} if places else _("Enter a whole number.")
        raise Invalid(too_precise, field=field, code="invalid")
    # One plain form downstream ("1E+3" is 1000, "5.000000000" is 5.000000), never an exponent.
    if exponent > 0 or exponent < -places:
        number = number.quantize(Decimal(1) if exponent > 0 else step, context=MONEY_CONTEXT)
    return number
