"""The sentences the model receives when a service refuses a request.

Services raise typed errors that carry a :class:`services.errors.ErrorCode` and the facts behind it
(:attr:`services.ServiceError.details`); this module is the one place that phrases them for the
caller-facing model, including what the model should do next ("ask the caller to repeat it").
Every code has an entry; a missing entry or missing facts fall back to a safe generic sentence.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from services import NotFoundError, ServiceError, ServiceTimeoutError
from services.errors import ErrorCode

logger = logging.getLogger("marketplace.tools")

GENERIC_SENTENCE = (
    "That request could not be completed and nothing was changed. Apologize, and offer to try again or to "
    "transfer the caller to a person."
)
"""The fallback when an error has no sentence of its own, or its facts are missing."""

_PREVIEW = 40
"""Longest value (id, SKU, field name) interpolated into a sentence, in characters."""

Facts = Mapping[str, Any]


def sentence_for(err: ServiceError) -> str:
    """The sentence the model receives for ``err``.

    Never raises: an unknown code, or facts missing from ``err.details``, give :data:`GENERIC_SENTENCE`
    (or the generic sentence of the error's class). Interpolated values are shortened and stripped
    of unprintable characters, so a hostile value is never echoed back in full.

    Args:
        err: What a service raised.

    Returns:
        One or two sentences: the facts, and when useful what to do next.
    """
    code = getattr(err, "code", None)
    details = getattr(err, "details", None)
    phrase = _SENTENCES.get(code) if isinstance(code, ErrorCode) else None
    if phrase is not None and isinstance(details, Mapping):
        try:
            return phrase(details)
        except (KeyError, TypeError, ValueError, AttributeError):
            logger.warning("no sentence for %s with details %s", code, sorted(map(str, details)))
    return _class_fallback(err)


def _class_fallback(err: ServiceError) -> str:
    if isinstance(err, ServiceTimeoutError):
        return _timeout({})
    if isinstance(err, NotFoundError):
        return "That record was not found on this caller's account."
    return GENERIC_SENTENCE


# --- formatting helpers ------------------------------------------------------------------------------


def _show(value: object, limit: int = _PREVIEW) -> str:
    """``value`` as printable text of at most ``limit`` characters (``…`` marks a cut)."""
    text = "".join(c if c.isprintable() and not _is_surrogate(c) else "?" for c in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def _day(value: object) -> str:
    """A date as the model reads it back, e.g. ``November 20``."""
    if not isinstance(value, dt.date):
        raise TypeError(f"not a date: {value!r}")
    return f"{value:%B %d}"


def _weekday(value: object) -> str:
    """A date with its weekday, e.g. ``Thursday, November 19``."""
    if not isinstance(value, dt.date):
        raise TypeError(f"not a date: {value!r}")
    return f"{value:%A, %B %d}"


def _status(value: object) -> str:
    return _show(value).replace("_", " ")


def _items(value: object) -> str:
    """``(sku, name)`` pairs as ``"FSH-2001 Alpine rain jacket, ..."``."""
    if not isinstance(value, list | tuple):
        raise TypeError("items must be a sequence of (sku, name) pairs")
    return ", ".join(f"{_show(sku, 16)} {_show(name, 80)}" for sku, name in value)


# --- one sentence per code ---------------------------------------------------------------------------

_FIELD_HINTS: dict[str, str] = {
    "return reason": "Give the reason for the return in a sentence (under {max_len} characters).",
    "issue description": "Describe the problem in one or two sentences (under {max_len} characters).",
    "ticket reason": "Say in one sentence why a person should follow up (under {max_len} characters).",
    "search query": "Say in a few words what product the caller is looking for.",
    "delivery instructions": "Delivery instructions must be under {max_len} characters.",
}
"""Fields whose refusal is phrased as what to provide, whether it was empty or too long."""

_ADDRESS_FIELDS = frozenset({"street", "city", "state"})


def _field_missing(d: Facts) -> str:
    field = str(d["field"])
    if field in _FIELD_HINTS:
        return _FIELD_HINTS[field].format(max_len=d.get("max_len"))
    if field in _ADDRESS_FIELDS:
        return f"The {_show(field)} is missing; ask the caller to repeat it."
    return f"The {_show(field)} is missing. Ask the caller for it."


def _field_too_long(d: Facts) -> str:
    field, max_len = str(d["field"]), int(d["max_len"])
    if field in _FIELD_HINTS:
        return _FIELD_HINTS[field].format(max_len=max_len)
    if field in _ADDRESS_FIELDS:
        return f"The {_show(field)} is too long (at most {max_len} characters); ask the caller to repeat it."
    return f"The {_show(field)} is too long; summarise it in under {max_len} characters."


def _not_delivered(d: Facts) -> str:
    order = _show(d["order_id"])
    if d.get("issue_kind"):
        kind = _status(d["issue_kind"])
        return f"Order {order} has not been delivered yet, so it cannot be reported {kind}."
    return f"Order {order} is {_status(d['status'])}; only delivered orders can be returned."


def _pickup_out_of_range(d: Facts) -> str:
    return (
        f"Pickups can be booked from tomorrow up to {int(d['horizon_days'])} days ahead. "
        f"Offer a day from {_weekday(d['earliest'])} to {_weekday(d['latest'])}, except Sunday."
    )


def _timeout(d: Facts) -> str:
    return "The account system did not answer in time. Apologize and offer to try again."


_SENTENCES: dict[ErrorCode, Callable[[Facts], str]] = {
    # not found
    ErrorCode.ORDER_NOT_FOUND: lambda d: f"There is no order {_show(d['order_id'])} on this caller's account.",
    ErrorCode.RETURN_NOT_FOUND: lambda d: f"There is no return {_show(d['return_id'])} on this caller's account.",
    ErrorCode.ITEM_NOT_FOUND: lambda d: (
        f"Order {_show(d['order_id'])} has no item {_show(d['sku'])}. Items: {_items(d['items'])}"
    ),
    ErrorCode.CUSTOMER_NOT_FOUND: lambda d: (
        "The customer record was not found, so nothing was saved. Offer to transfer the caller to a person."
    ),
    # state
    ErrorCode.NOT_DELIVERED: _not_delivered,
    ErrorCode.FINAL_SALE: lambda d: f"The {_show(d['item_name'], 80)} is final sale and cannot be returned.",
    ErrorCode.DAMAGED_BY_CUSTOMER: lambda d: (
        f"Items damaged after delivery cannot be returned. {_show(d.get('policy_note', ''), 200)}".rstrip()
    ),
    ErrorCode.RETURN_WINDOW_CLOSED: lambda d: (
        f"The {int(d['window_days'])}-day return window for the {_show(d['item_name'], 80)} "
        f"ended on {_day(d['deadline'])}."
    ),
    ErrorCode.RETURN_ALREADY_OPEN: lambda d: (
        f"Return {_show(d['return_id'])} is already open for the {_show(d['item_name'], 80)}."
    ),
    ErrorCode.PICKUP_NOT_ALLOWED: lambda d: (
        f"Return {_show(d['return_id'])} is {_status(d['status'])}; a pickup cannot be booked."
    ),
    ErrorCode.ALREADY_REFUNDED: lambda d: f"Return {_show(d['return_id'])} was already refunded.",
    ErrorCode.PICKUP_REQUIRED: lambda d: (
        f"Return {_show(d['return_id'])} needs a pickup booked before the refund can be issued."
    ),
    ErrorCode.DELIVERY_NOT_MODIFIABLE: lambda d: (
        f"Order {_show(d['order_id'])} is {_status(d['status'])}; its delivery can no longer be changed."
    ),
    ErrorCode.ALREADY_DELIVERED: lambda d: f"Order {_show(d['order_id'])} was already delivered.",
    ErrorCode.NOT_LATE: lambda d: f"Order {_show(d['order_id'])} is not late: it is expected by {_day(d['expected'])}.",
    ErrorCode.WRITE_CONFLICT: lambda d: (
        "That change conflicts with one made a moment ago; nothing was saved. Check the current state."
    ),
    # input
    ErrorCode.ITEM_REQUIRED: lambda d: (
        f"Order {_show(d['order_id'])} has several items; ask which one: {_items(d['items'])}"
    ),
    ErrorCode.NOTHING_TO_CHANGE: lambda d: "Nothing to change: give a new delivery date or delivery instructions.",
    ErrorCode.DELIVERY_DATE_NOT_FUTURE: lambda d: "The new delivery date must be after today.",
    ErrorCode.DELIVERY_BEFORE_EXPECTED: lambda d: (
        f"The carrier cannot deliver before the expected date, {_day(d['expected'])}."
    ),
    ErrorCode.DELIVERY_BEYOND_HOLD: lambda d: (
        f"Delivery can be held at most {int(d['max_days'])} days after {_day(d['expected'])}. "
        f"The latest possible date is {_day(d['latest'])}."
    ),
    ErrorCode.PICKUP_DATE_OUT_OF_RANGE: _pickup_out_of_range,
    ErrorCode.NO_SUNDAY_PICKUP: lambda d: (
        f"Carriers do not collect on Sundays, and {_day(d['date'])} is a Sunday; offer another day."
    ),
    ErrorCode.FIELD_MISSING: _field_missing,
    ErrorCode.FIELD_TOO_LONG: _field_too_long,
    ErrorCode.BAD_ZIP: lambda d: "The ZIP code must be five digits; ask the caller to repeat it.",
    ErrorCode.NOT_TEXT: lambda d: f"The {_show(d['field'])} must be text; pass it as a string.",
    ErrorCode.TEXT_NOT_ENCODABLE: lambda d: (
        f"The {_show(d['field'])} contains characters that cannot be stored (control characters or invalid "
        "Unicode), so nothing was saved. Pass it again as plain text."
    ),
    ErrorCode.DATA_REJECTED: lambda d: (
        "A value could not be stored, so nothing was saved. Check the details with the caller and pass them "
        "again as plain text."
    ),
    # identity and infrastructure
    # --- catalogue desks: sentences of this desk go right below this line ---
    # --- commerce (cart, checkout, promotions): sentences of this desk go right below this line ---
    # --- account (security, personalization): sentences of this desk go right below this line ---
    # --- sellers: sentences of this desk go right below this line ---
    # --- advanced features: sentences of this desk go right below this line ---
    ErrorCode.ACCOUNT_LOCKED: lambda d: "This account is temporarily locked after several failed identity checks.",
    ErrorCode.TIMEOUT: _timeout,
}
