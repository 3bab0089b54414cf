"""Grounding of model-supplied values in what the caller actually said.

Models invent argument values (the offline model recorded a first name before the caller gave
one, and an address nobody said). Identity is captured by code (:mod:`agents.steps`); where a
model still extracts values from the caller's words (a new address), code accepts a value only
when it appears in the caller's recent turns.
"""

from __future__ import annotations

import re

from call.context import CustomerContext
from call.parse import spoken_digits

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}  # fmt: skip
"""US state names → USPS codes (USPS Publication 28, appendix B)."""


def _said(ctx: CustomerContext) -> str:
    return " ".join(ctx.recent_user_texts)


def caller_said_digits(ctx: CustomerContext, digits: str) -> bool:
    """True when ``digits`` occur, in order and contiguous, among the digits of the caller's recent turns."""
    return bool(digits) and digits in spoken_digits(_said(ctx))


def caller_said_words(ctx: CustomerContext, value: str) -> bool:
    """True when every word of ``value`` (letters only, case-insensitive) occurs in the caller's recent turns.

    Digits in ``value`` must occur among the caller's digits (e.g. a house number said as words).
    """
    said_words = set(re.findall(r"[a-z]+", _said(ctx).casefold()))
    words = re.findall(r"[a-z]+", value.casefold())
    digits = re.sub(r"\D", "", value)
    return (
        bool(words or digits)
        and all(w in said_words for w in words)
        and (not digits or caller_said_digits(ctx, digits))
    )


def caller_said_state(ctx: CustomerContext, code: str) -> bool:
    """True when the caller said the state's name or its two-letter code (``"CA"``, ``"C A"``)."""
    said = _said(ctx).casefold()
    name = next((n for n, c in US_STATES.items() if c == code.upper()), None)
    letters = re.sub(r"[^a-z]", "", said)
    return bool(
        (name and re.search(rf"\b{name}\b", said))
        or re.search(rf"\b{code.casefold()}\b", said)
        or (len(code) == 2 and f" {code[0]} {code[1]} ".casefold() in f" {said} " and letters)
    )
