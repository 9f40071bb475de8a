"""Business registration numbers: Korea's 10 digits with a check digit; other countries by pattern."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_KR_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def korean_brn_check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _KR_WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def normalise_registration_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


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
