"""Grounding of model-supplied values in what the caller actually said.

Models invent argument values (the offline model recorded a first name before the caller gave
one, and an address nobody said). Identity is captured by code (:mod:`agents.steps`); where a
model still extracts values from the caller's words (a new address), code accepts a value only
when it appears in the caller's recent turns.
"""

from __future__ import annotations

import datetime as dt
import re

from livekit.agents import ToolError

from call.context import CustomerContext
from call.parse import parse_date, spoken_digits

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


_ANY_DAY = dt.date(9999, 12, 31)
ORDER_DIGITS = 6
"""Digits of an order number (``ORD-`` + 6, :data:`services.ids.ORDER_ID`)."""


def order_number_said(ctx: CustomerContext) -> str | None:
    """The order number the caller said most recently, as its six digits, if any.

    An utterance counts when all its digits (spoken or written, e.g. "1, 0, 0, 1, 0, 1") are
    exactly six, the length of an order number, and it is not a date ("April 12, 1988" has six).
    """
    for text in reversed(ctx.recent_user_texts):
        digits = spoken_digits(text)
        if len(digits) == ORDER_DIGITS and parse_date(text, today=_ANY_DAY) is None:
            return digits
    return None


def grounded_order_id(ctx: CustomerContext, normalised: str) -> str:
    """``normalised`` (``ORD-######``) unless the caller said a different order number.

    Raises:
        ToolError: the caller said another order number (the model picked the wrong one).
    """
    said = order_number_said(ctx)
    if said is not None and normalised[-ORDER_DIGITS:] != said:
        raise ToolError(f"The caller said order ORD-{said}, not {normalised}. Use ORD-{said}.")
    return normalised
