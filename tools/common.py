"""Validation of model-supplied values and mapping of service errors to ``ToolError``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from livekit.agents import ToolError

from services import ServiceError

MAX_FREE_TEXT = 300
"""Longest free-text argument accepted from the model, in characters."""

_ORDER_RE = re.compile(r"^(?:ORD)?[\s\-#]*(\d{6})$", re.IGNORECASE)
_RETURN_RE = re.compile(r"^(?:RET)?[\s\-#]*(\d{6})$", re.IGNORECASE)
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


def order_id(value: str) -> str:
    """Normalise an order number: ``"ORD-100101"``, ``"ord 100101"`` or ``"100101"`` → ``"ORD-100101"``.

    Raises:
        ToolError: not six digits, optionally prefixed by ORD.
    """
    m = _ORDER_RE.match(_squash(value))
    if not m:
        raise ToolError(f"'{value[:40]}' is not an order number. Order numbers look like ORD-104233 (six digits).")
    return f"ORD-{m.group(1)}"


def return_id(value: str) -> str:
    """Normalise a return number to ``RET-######``.

    Raises:
        ToolError: malformed.
    """
    m = _RETURN_RE.match(_squash(value))
    if not m:
        raise ToolError(f"'{value[:40]}' is not a return number. Return numbers look like RET-512345.")
    return f"RET-{m.group(1)}"


def iso_date(value: str, *, field: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD``.

    Raises:
        ToolError: anything else (the model must convert spoken dates first).
    """
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ToolError(f"The {field} '{str(value)[:40]}' is not valid. Use YYYY-MM-DD, e.g. 1990-01-31.") from None


def us_phone(value: str) -> str:
    """Normalise a US phone number to E.164 (``+14155550134``).

    Accepts 10 digits, or 11 starting with 1, with any spaces, dashes, dots or brackets.

    Raises:
        ToolError: any other length or characters.
    """
    if len(value) > 40 or re.search(r"[^\d\s\-().+]", value):
        raise ToolError("That is not a phone number. Ask for the 10-digit number on the account.")
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ToolError(f"A US phone number has 10 digits; I got {len(digits)}. Ask the caller to repeat it.")
    if digits[0] in "01":
        raise ToolError("US area codes do not start with 0 or 1. Ask the caller to repeat the number.")
    return f"+1{digits}"


def person_name(value: str) -> str:
    """Validate a first name: letters with single spaces, hyphens or apostrophes, 1–40 characters.

    Raises:
        ToolError: empty, too long, or containing digits/symbols.
    """
    name = " ".join(value.split())
    if not name or len(name) > 40 or not _NAME_RE.match(name):
        raise ToolError("That does not sound like a first name. Ask the caller to say or spell it.")
    return name


def free_text(value: str, *, field: str, max_len: int = MAX_FREE_TEXT) -> str:
    """Trim and bound a free-text argument.

    Raises:
        ToolError: empty or longer than ``max_len``.
    """
    text = " ".join(value.split())
    if not text:
        raise ToolError(f"The {field} is empty. Ask the caller for it.")
    if len(text) > max_len:
        raise ToolError(f"The {field} is too long; summarise it in under {max_len} characters.")
    return text


def digits_grouped(e164: str) -> str:
    """A US number read back in groups, e.g. ``+14155550134`` → ``"4 1 5, 5 5 5, 0 1 3 4"``."""
    d = e164[-10:]
    return ", ".join(" ".join(group) for group in (d[:3], d[3:6], d[6:]))


@asynccontextmanager
async def service_errors() -> AsyncIterator[None]:
    """Turn a :class:`services.ServiceError` into a ``ToolError`` carrying its speakable sentence."""
    try:
        yield
    except ServiceError as exc:
        raise ToolError(str(exc)) from exc


def _squash(value: str) -> str:
    return re.sub(r"(?<=\d)[\s\-](?=\d)", "", value.strip())
