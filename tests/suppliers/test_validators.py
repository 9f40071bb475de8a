import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from suppliers.validators import (
    korean_brn_check_digit,
    normalise_registration_number,
    validate_korean_brn,
    validate_registration_number,
)

# Numbers whose last digit is the check digit of the first nine.
VALID_KR = ["110-81-35418", "2208712340", "305 86 27180", "124-81-00998"]


@pytest.mark.parametrize("number", VALID_KR)
def test_a_korean_number_with_the_right_check_digit_is_accepted(number):
    first_nine = normalise_registration_number(number)[:9]
    number = number[:-1] + str(korean_brn_check_digit(first_nine))
    validate_korean_brn(number)


def test_the_check_digit_of_a_known_number_is_computed():
    # 124-81-00998 is a widely published valid number (Samsung Electronics).
    assert korean_brn_check_digit("124810099") == 8


@pytest.mark.parametrize("number", ["124-81-00997", "1248100990", "110-81-35410"])
def test_a_korean_number_with_a_wrong_check_digit_is_refused(number):
    with pytest.raises(ValidationError) as exc:
        validate_korean_brn(number)
    assert exc.value.code == "check_digit"


@pytest.mark.parametrize("number", ["12481009", "124-81-009981", "ABC-DE-FGHIJ", ""])
def test_a_korean_number_of_the_wrong_shape_is_refused(number):
    with pytest.raises(ValidationError) as exc:
        validate_korean_brn(number)
    assert exc.value.code == "format"


def test_dashes_and_spaces_are_removed_before_storing():
    assert validate_registration_number("KR", " 124-81-00998 ") == "1248100998"
    assert validate_registration_number("US", "12-3456789") == "123456789"
    assert validate_registration_number("GB", "sc 123456") == "SC123456"


@pytest.mark.parametrize(
    ("country", "number"),
    [("US", "12-3456789"), ("US", "123456789"), ("GB", "01234567"), ("JP", "1234567890123"), ("VN", "0101234567")],
)
def test_other_countries_are_checked_by_their_pattern(country, number):
    validate_registration_number(country, number)


@pytest.mark.parametrize(
    ("country", "number"),
    [("US", "12-34567"), ("GB", "1234"), ("JP", "123456789012"), ("VN", "12345"), ("FR", "!!")],
)
def test_a_number_that_does_not_fit_the_country_pattern_is_refused(country, number):
    with pytest.raises(ValidationError):
        validate_registration_number(country, number)


@override_settings(REGISTRATION_NUMBER_PATTERNS={"*": r"^\d{6}$"})
def test_countries_without_a_pattern_use_the_fallback_from_settings():
    validate_registration_number("FR", "123456")
    with pytest.raises(ValidationError):
        validate_registration_number("FR", "12345A")
