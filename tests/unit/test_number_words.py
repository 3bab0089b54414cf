"""``services.number_words``: spoken numbers as digits, shared by promotion codes and the catalogue."""

from __future__ import annotations

import pytest

from services.number_words import numerals

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("said", "hundreds", "digits"),
    [
        ("save twenty five percent", False, ["save", "25", "percent"]),
        ("save one zero", False, ["save", "1", "0"]),  # codes are spelled digit by digit
        ("save one oh", False, ["save", "1", "0"]),
        ("oh save", False, ["oh", "save"]),  # "oh" is a zero only after a number
        ("two hundred", False, ["2", "hundred"]),  # no scale in codes
        ("twenty zero", False, ["20", "0"]),
        ("one hundred forty", True, ["140"]),
        ("a hundred", True, ["a", "100"]),
        ("hundred and twenty", True, ["120"]),
        ("sixty five", True, ["65"]),
        ("nineteen", True, ["19"]),
        ("", True, []),
    ],
)
def test_numerals(said: str, hundreds: bool, digits: list[str]) -> None:
    assert numerals(said.split(), hundreds=hundreds) == digits
