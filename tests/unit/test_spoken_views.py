"""How the desk says money, dates and names (``services.views``): what a caller hears from every template."""

from __future__ import annotations

import datetime as dt

import pytest

from services.views import dollars, spoken_date, spoken_weekday, the

pytestmark = pytest.mark.unit


def test_dates_have_no_leading_zero() -> None:
    # "December 08" is read "December oh eight" by a speech synthesiser.
    assert spoken_date(dt.date(2026, 12, 8)) == "December 8"
    assert spoken_date(dt.date(2026, 11, 20)) == "November 20"
    assert spoken_weekday(dt.date(2026, 12, 2)) == "Wednesday, December 2"
    assert spoken_weekday(dt.datetime(2026, 11, 20, 9, 30)) == "Friday, November 20"


@pytest.mark.parametrize(
    ("name", "lower", "capital"),
    [
        ("Alpine rain jacket", "the Alpine rain jacket", "The Alpine rain jacket"),
        ("The Lighthouse Keeper", "The Lighthouse Keeper", "The Lighthouse Keeper"),
        ("the lighthouse keeper", "the lighthouse keeper", "the lighthouse keeper"),
        ("A Tale of Two Cities", "A Tale of Two Cities", "A Tale of Two Cities"),
        ("An Ocean Apart", "An Ocean Apart", "An Ocean Apart"),
        ("Theory of Colour", "the Theory of Colour", "The Theory of Colour"),  # "Theory" is no article
        ("Anthem lamp", "the Anthem lamp", "The Anthem lamp"),
    ],
)
def test_a_name_keeps_its_own_article(name: str, lower: str, capital: str) -> None:
    assert the(name) == lower
    assert the(name, capital=True) == capital


def test_dollars_are_spoken_with_cents_and_thousands() -> None:
    assert dollars(12900) == "$129.00"
    assert dollars(129999) == "$1,299.99"
    assert dollars(5) == "$0.05"
