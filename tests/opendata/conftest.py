"""The contracts tests' people and their English locale, for the open-data tests."""

from tests.contracts.conftest import (  # noqa: F401 (fixtures)
    client_for,
    evaluator,
    in_english,
    second_evaluator,
    second_official,
)
