"""Figures in speech: money amounts, percentages and durations, written or spoken, and their grounding.

Shared by the two checks that compare what a model says with what code knows: the supervisor's answer
(:func:`tools.supervisor.check_answer`) and every agent reply (:mod:`agents.output_guardrail`). Pure
and total: any ``str`` gives a result, nothing raises.

Forms recognised (case-insensitive):

* money: ``$129.00``, ``$1,299.99``, ``$45``, ``129 dollars``, ``12.50 USD``, ``129 dollars and 5 cents``,
  ``twelve dollars and fifty cents``, ``one hundred twenty-nine dollars``, ``a hundred bucks``,
  ``fifty cents``. A bare ``12.50`` is not money (it could be anything);
* percentages: ``15%``, ``15 percent``, ``15 per cent``, ``fifteen percent``, ``2.5%``;
* durations: ``30 days``, ``30-day``, ``thirty days``, ``3-5 business days``, ``3 to 5 days``,
  ``every 2, 4 or 8 weeks``, ``12 months``, ``a 2-year warranty``; units are day, week, month, year
  (business/working/calendar days count as days).

Number words are read with :func:`call.parse.spoken_digits` (the project's one number-word reader).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations_with_replacement

from .parse import SCALES, TEENS, TENS, UNITS, spoken_digits

__all__ = [
    "MONEY",
    "PERCENT",
    "allowed_amounts",
    "amount_grounded",
    "duration_values",
    "money_values",
    "percent_value",
    "percent_values",
    "strip_money",
    "strip_percents",
]

_NUMBER_WORDS = sorted((*UNITS, *TEENS, *TENS, *SCALES), key=len, reverse=True)
_WORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")"
_WORD_RUN = rf"(?:(?:\ba[\s-]+(?=hundred|thousand))?\b{_WORD}\b(?:[\s-]+(?:and[\s-]+)?\b{_WORD}\b)*)"
"""Number words read as one number: ``one hundred and twenty-nine``, ``a hundred``, ``fifteen``."""
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_NUMBER = rf"(?:(?<![\w.,$]){_DIGITS}|{_WORD_RUN})"

MONEY = re.compile(
    rf"\$\s?(?P<d1>{_DIGITS})(?:\.(?P<c1>\d{{2}}))?(?!\d)"
    rf"|(?P<d2>{_NUMBER})(?:\.(?P<c2>\d{{2}}))?\s*(?:dollars?|bucks|usd)\b"
    rf"(?:(?:,?\s+and\s+|\s+)(?P<c3>{_NUMBER})\s+cents?\b)?"
    rf"|(?P<c4>{_NUMBER})\s+cents?\b",
    re.IGNORECASE,
)
"""One money amount, written or spoken (see the module docstring); :func:`money_values` reads it."""
PERCENT = re.compile(rf"(?P<p>(?<![\w.,])\d+(?:\.\d+)?|{_WORD_RUN})\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)
"""One percentage, written or spoken; :func:`percent_values` reads it."""
_UNIT = r"(?:(?:business|working|calendar)[\s-]+)?(?P<u>day|week|month|year)s?\b"
_DURATION = re.compile(
    rf"(?P<n>{_NUMBER}(?:\s*(?:,|-|–|—|\bto\b|\bor\b|\band\b)\s*{_NUMBER})*)[\s-]+{_UNIT}", re.IGNORECASE
)
_NUMBER_IN_LIST = re.compile(rf"{_DIGITS}|{_WORD_RUN}", re.IGNORECASE)
_MONEY_HINT = re.compile(r"\$|dollar|buck|usd|cent", re.IGNORECASE)
_PERCENT_HINT = re.compile(r"%|per\s?cent", re.IGNORECASE)
_DURATION_HINT = re.compile(r"day|week|month|year", re.IGNORECASE)
"""Cheap tests before the full scans (most sentences hold no figure at all)."""


def number_value(text: str) -> int | None:
    """The integer a digit group or a run of number words stands for (``"1,299"``, ``"a hundred"``), or ``None``."""
    cleaned = text.replace(",", "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    digits = spoken_digits(re.sub(r"^\s*a(?=[\s-])", "one", cleaned, flags=re.IGNORECASE))
    return int(digits) if digits else None


def _money_cents(match: re.Match[str]) -> int | None:
    if match["c4"] is not None:
        cents = number_value(match["c4"])
        return cents if cents is not None and cents < 100 else None
    whole = number_value(match["d1"] or match["d2"] or "")
    if whole is None:
        return None
    cents_text = match["c1"] or match["c2"]
    if cents_text is not None:
        return whole * 100 + int(cents_text)
    extra = number_value(match["c3"]) if match["c3"] else 0
    if extra is None or extra >= 100:
        return whole * 100
    return whole * 100 + extra


def money_values(text: str) -> list[int]:
    """Every money amount in ``text``, in cents, in order (``"$12.50 and nine dollars"`` → ``[1250, 900]``)."""
    values: list[int] = []
    if not _MONEY_HINT.search(text):
        return values
    for match in MONEY.finditer(text):
        cents = _money_cents(match)
        if cents is not None:
            values.append(cents)
    return values


def strip_money(text: str) -> str:
    """``text`` with every money amount replaced by a space (so its digits are not read again)."""
    return MONEY.sub(" ", text) if _MONEY_HINT.search(text) else text


def percent_value(match: re.Match[str]) -> float | None:
    """The number of one :data:`PERCENT` match (``"15%"`` → ``15.0``, ``"five percent"`` → ``5.0``)."""
    raw = match["p"]
    if raw[0].isdigit():
        return float(raw)
    value = number_value(raw)
    return float(value) if value is not None else None


def percent_values(text: str) -> list[float]:
    """Every percentage in ``text``, as numbers (``"15% or five percent"`` → ``[15.0, 5.0]``)."""
    if not _PERCENT_HINT.search(text):
        return []
    return [v for m in PERCENT.finditer(text) if (v := percent_value(m)) is not None]


def strip_percents(text: str) -> str:
    """``text`` with every percentage replaced by a space."""
    return PERCENT.sub(" ", text) if _PERCENT_HINT.search(text) else text


def duration_values(text: str) -> list[tuple[int, str]]:
    """Every duration in ``text`` as ``(count, unit)`` with unit ``day|week|month|year``.

    A range or a list gives one value per number: ``"3–5 business days"`` → ``[(3, "day"), (5, "day")]``,
    ``"every 2, 4 or 8 weeks"`` → ``[(2, "week"), (4, "week"), (8, "week")]``.
    """
    found: list[tuple[int, str]] = []
    if not _DURATION_HINT.search(text):
        return found
    for match in _DURATION.finditer(text):
        unit = match["u"].casefold()
        for number in _NUMBER_IN_LIST.findall(match["n"]):
            value = number_value(number)
            if value is not None:
                found.append((value, unit))
    return found


def amount_grounded(cents: int, amounts: Iterable[int]) -> bool:
    """Whether ``cents`` is one of ``amounts``, or the sum or the difference of two of them.

    The rule of :func:`tools.supervisor.check_answer`: a spoken total of two refunds, or a price less a
    fee, is grounded when both figures are. To test many amounts against the same facts, build
    :func:`allowed_amounts` once.
    """
    return cents in allowed_amounts(amounts)


def allowed_amounts(amounts: Iterable[int]) -> frozenset[int]:
    """``amounts`` with every sum and every difference of two of them (the grounded amounts, in cents)."""
    known = set(amounts)
    pairs = list(combinations_with_replacement(known, 2))
    return frozenset(known | {a + b for a, b in pairs} | {abs(a - b) for a, b in pairs})
