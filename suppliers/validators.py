"""Business registration numbers: Korea's 10 digits with a check digit; other countries by pattern."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_KR_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def korean_brn_check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _KR_WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def normalise_registration_number(value: str) -> str:
    """What is stored and compared: no spaces or dashes, letters in capitals."""
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_korean_brn(value: str) -> None:
    number = normalise_registration_number(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError(
            _("A Korean business registration number has 10 digits (e.g. 123-45-67890)."), code="format"
        )
    if korean_brn_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("This business registration number is not valid: its check digit does not match."), code="check_digit"
        )


def validate_registration_number(country: str, value: str) -> str:
    """The normalised number if it is valid for `country`; ValidationError otherwise.

    Korea by its check digit; other countries by `settings.REGISTRATION_NUMBER_PATTERNS`
    (matched against the number as typed or with its spaces and dashes removed).
    """
    number = normalise_registration_number(value)
    if country == "KR":
        validate_korean_brn(number)
        return number
    patterns = settings.REGISTRATION_NUMBER_PATTERNS
    pattern = patterns.get(country) or patterns["*"]
    typed = (value or "").strip().upper()
    if not (re.fullmatch(pattern, number) or re.fullmatch(pattern, typed)):
        raise ValidationError(
            _("This registration number does not have the format used in the selected country."), code="format"
        )
    return number
