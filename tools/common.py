"""Validation of model-supplied values and mapping of service errors to ``ToolError``.

Every validator accepts whatever the model sent (a number, a list, text with control characters or
lone surrogates...) and either returns a clean value or raises ``ToolError`` naming the argument; no
other exception escapes, and a bad value is echoed back at most as a short printable preview.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from livekit.agents import ToolError

from services import ServiceError
from services.errors import text_problem

from .errors import sentence_for

logger = logging.getLogger("marketplace.tools")

MAX_FREE_TEXT = 300
"""Longest free-text argument accepted from the model, in characters."""
PREVIEW_LEN = 40
"""Longest preview of a refused value echoed back to the model, in characters."""

_ORDER_RE = re.compile(r"^(?:ORD)?[\s\-#]*(\d{6})$", re.IGNORECASE | re.ASCII)
_RETURN_RE = re.compile(r"^(?:RET)?[\s\-#]*(\d{6})$", re.IGNORECASE | re.ASCII)
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PROBLEMS = {
    "invalid_unicode": "invalid Unicode (such as a lone surrogate)",
    "nul": "a NUL character",
    "control_character": "control characters",
}


def order_id(value: object) -> str:
    """Normalise an order number: ``"ORD-100101"``, ``"ord 100101"`` or ``"100101"`` → ``"ORD-100101"``.

    Raises:
        ToolError: not text, or not six (ASCII) digits optionally prefixed by ORD.
    """
    text = _require_str(value, field="order number")
    m = _ORDER_RE.match(_squash(text)) if len(text) <= 100 else None
    if not m:
        raise ToolError(f"'{preview(text)}' is not an order number. Order numbers look like ORD-104233 (six digits).")
    return f"ORD-{m.group(1)}"


def return_id(value: object) -> str:
    """Normalise a return number to ``RET-######``.

    Raises:
        ToolError: not text, or malformed.
    """
    text = _require_str(value, field="return number")
    m = _RETURN_RE.match(_squash(text)) if len(text) <= 100 else None
    if not m:
        raise ToolError(f"'{preview(text)}' is not a return number. Return numbers look like RET-512345.")
    return f"RET-{m.group(1)}"


def iso_date(value: object, *, field: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD``.

    Raises:
        ToolError: not text, or anything else than an existing date in that form (the model must
            convert spoken dates first).
    """
    text = _require_str(value, field=field, hint=" Use YYYY-MM-DD, e.g. 1990-01-31.").strip()
    if _DATE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ToolError(f"The {field} '{preview(text)}' is not valid. Use YYYY-MM-DD, e.g. 1990-01-31.")


def us_phone(value: object) -> str:
    """Normalise a US phone number to E.164 (``+14155550134``).

    Accepts 10 digits, or 11 starting with 1, with any spaces, dashes, dots or brackets (ASCII only).

    Raises:
        ToolError: not text, or any other length or characters.
    """
    text = _require_str(value, field="phone number")
    if len(text) > 40 or re.search(r"[^\d\s\-().+]", text, flags=re.ASCII):
        raise ToolError("That is not a phone number. Ask for the 10-digit number on the account.")
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ToolError(f"A US phone number has 10 digits; I got {len(digits)}. Ask the caller to repeat it.")
    if digits[0] in "01":
        raise ToolError("US area codes do not start with 0 or 1. Ask the caller to repeat the number.")
    return f"+1{digits}"


def person_name(value: object) -> str:
    """Validate a first name: letters with single spaces, hyphens or apostrophes, 1–40 characters.

    The name is NFC-normalised, so a decomposed accent (``"Jose\\u0301"``) reads as ``"José"``.

    Raises:
        ToolError: not text, empty, too long, or containing digits, symbols or control characters.
    """
    refused = "That does not sound like a first name. Ask the caller to say or spell it."
    text = _require_str(value, field="first name")
    if len(text) > 200 or text_problem(text) is not None:
        raise ToolError(refused)
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name or len(name) > 40 or not _NAME_RE.match(name):
        raise ToolError(refused)
    return name


def clean_text(value: object, *, field: str, max_len: int) -> str:
    """Plain text from a model argument: checked, whitespace collapsed to single spaces, bounded.

    Refused: anything but ``str``; text that is not UTF-8 encodable (lone surrogates); NUL and other
    control characters (tab, newline and carriage return are allowed, then collapsed); more than
    ``max_len`` characters once collapsed. The refused text itself is never echoed back.

    Args:
        value: What the model passed.
        field: Name of the argument as the model should read it, e.g. ``"reason"``.
        max_len: Longest accepted text, in characters.

    Returns:
        The cleaned text; may be empty (see :func:`free_text` to require one).

    Raises:
        ToolError: naming ``field`` and what was wrong.
    """
    text = _require_str(value, field=field)
    too_long = f"The {field} is too long; summarise it in under {max_len} characters."
    if len(text) > 4 * max_len + 100:  # do not even scan a huge argument
        raise ToolError(too_long)
    problem = text_problem(text)
    if problem is not None:
        raise ToolError(f"The {field} contains {_PROBLEMS[problem[0]]}; pass it again as plain text.")
    text = " ".join(text.split())
    if len(text) > max_len:
        raise ToolError(too_long)
    return text


def free_text(value: object, *, field: str, max_len: int = MAX_FREE_TEXT) -> str:
    """A required free-text argument: :func:`clean_text`, and not empty.

    Raises:
        ToolError: empty, longer than ``max_len``, or refused by :func:`clean_text`.
    """
    text = clean_text(value, field=field, max_len=max_len)
    if not text:
        raise ToolError(f"The {field} is empty. Ask the caller for it.")
    return text


def preview(value: str) -> str:
    """At most ``PREVIEW_LEN`` printable characters of ``value``, others shown as ``?`` (for error messages)."""
    shown = "".join(c if c.isprintable() and not "\ud800" <= c <= "\udfff" else "?" for c in value[:PREVIEW_LEN])
    return shown + ("…" if len(value) > PREVIEW_LEN else "")


def digits_grouped(e164: str) -> str:
    """A US number read back in groups, e.g. ``+14155550134`` → ``"4 1 5, 5 5 5, 0 1 3 4"``."""
    d = e164[-10:]
    return ", ".join(" ".join(group) for group in (d[:3], d[3:6], d[6:]))


@asynccontextmanager
async def service_errors() -> AsyncIterator[None]:
    """Turn a :class:`services.ServiceError` into a ``ToolError`` carrying its sentence for the model.

    The sentence comes from :func:`tools.errors.sentence_for`; the service error stays attached as
    ``__cause__`` (e.g. to tell a :class:`services.LockedOutError` apart).
    """
    try:
        yield
    except ServiceError as exc:
        logger.info("service refused: %s", exc)
        raise ToolError(sentence_for(exc)) from exc


def _require_str(value: object, *, field: str, hint: str = "") -> str:
    if not isinstance(value, str):
        raise ToolError(f"The {field} must be text, not {_kind(value)}.{hint}")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a " + type(value).__name__


def _squash(value: str) -> str:
    return re.sub(r"(?<=\d)[\s\-](?=\d)", "", value.strip(), flags=re.ASCII)
