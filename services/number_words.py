"""Spoken numbers in a caller's words as digits: what the promotion codes and the catalogue search share.

Only what callers say for a code or a product figure: units, teens, tens with an optional unit
("sixty five" → 65), and with ``hundreds`` a "hundred" scale ("one hundred forty" → 140). Longer
numbers (thousands, years, phone numbers) are read by :mod:`call.parse`, which services cannot import.
"""

from __future__ import annotations

from collections.abc import Sequence

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBER_WORDS = frozenset({*UNITS, *TEENS, *TENS, "hundred"})
"""Every word :func:`numerals` reads as (part of) a number."""


def _below_hundred(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """``(value, next index)`` of a number 0..99 at ``tokens[i]``, or None."""
    token = tokens[i] if i < len(tokens) else ""
    if token in TENS:
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if UNITS.get(nxt, 0) > 0:
            return TENS[token] + UNITS[nxt], i + 2
        return TENS[token], i + 1
    if token in TEENS:
        return TEENS[token], i + 1
    if token in UNITS:
        return UNITS[token], i + 1
    return None


def numerals(tokens: Sequence[str], *, hundreds: bool = False) -> list[str]:
    """``tokens`` with each spoken number replaced by its digits; other tokens unchanged.

    ``"twenty five"`` → ``"25"``; ``"one zero"`` → ``"1", "0"`` (digit by digit, as codes are spelled);
    ``"oh"``/``"o"`` right after a number → ``"0"``. With ``hundreds``: ``"one hundred forty"`` → ``"140"``,
    ``"a hundred"`` / ``"hundred"`` → ``"100"``.

    Args:
        tokens: Lower-case words and digit strings, in order.
        hundreds: Read "hundred" as a scale (product figures); off for codes, where it is a word.

    Returns:
        The tokens with numbers as digit strings.
    """
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if hundreds and token == "hundred":
            lead = int(out.pop()) if out and out[-1].isdigit() and 1 <= int(out[-1]) <= 9 else 1
            after = i + 2 if tokens[i + 1 : i + 2] == ["and"] else i + 1  # "a hundred and twenty"
            rest = _below_hundred(tokens, after)
            value, i = (lead * 100 + rest[0], rest[1]) if rest else (lead * 100, i + 1)
            out.append(str(value))
            continue
        reading = _below_hundred(tokens, i)
        if reading is not None:
            out.append(str(reading[0]))
            i = reading[1]
        elif token in ("oh", "o") and out and out[-1].isdigit():
            out.append("0")
            i += 1
        else:
            out.append(token)
            i += 1
    return out
