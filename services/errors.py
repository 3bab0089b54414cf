"""Errors raised by the services layer, and the text checks that raise them.

An error carries data, not prose: a machine :class:`ErrorCode` and the facts needed to phrase it
(ids, dates, limits, field names) in :attr:`ServiceError.details`. Turning an error into a sentence
for the caller-facing model is the tools layer's job (:func:`tools.errors.sentence_for`).
``str(err)`` is a factual one-line description for logs, e.g.
``order_not_found (order_id='ORD-100201')``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """What went wrong, as data. The keys each code puts in ``details`` are listed after it."""

    # Not found (NotFoundError).
    ORDER_NOT_FOUND = "order_not_found"
    """``order_id``: no such order, or it belongs to someone else (indistinguishable on purpose)."""
    RETURN_NOT_FOUND = "return_not_found"
    """``return_id``: no such return on the caller's account."""
    ITEM_NOT_FOUND = "item_not_found"
    """``order_id``, ``sku``, ``items`` (tuple of ``(sku, name)``): the order has no such line."""
    CUSTOMER_NOT_FOUND = "customer_not_found"
    """``customer_id``: no such customer."""

    # The record forbids the request in its current state (InvalidStateError).
    NOT_DELIVERED = "not_delivered"
    """``order_id``, ``status``, and ``issue_kind`` when a delivery issue was being reported (else a return)."""
    FINAL_SALE = "final_sale"
    """``order_id``, ``sku``, ``item_name``: the category is not returnable."""
    DAMAGED_BY_CUSTOMER = "damaged_by_customer"
    """``order_id``, ``sku``, ``item_name``, ``policy_note``: damage after delivery is not returnable."""
    RETURN_WINDOW_CLOSED = "return_window_closed"
    """``order_id``, ``sku``, ``item_name``, ``window_days``, ``deadline`` (date)."""
    RETURN_ALREADY_OPEN = "return_already_open"
    """``return_id``, ``order_id``, ``sku``, ``item_name``: one return per order line."""
    PICKUP_NOT_ALLOWED = "pickup_not_allowed"
    """``return_id``, ``status``: the return is past the pickup stage."""
    ALREADY_REFUNDED = "already_refunded"
    """``return_id``."""
    PICKUP_REQUIRED = "pickup_required"
    """``return_id``: a refund needs a booked pickup first."""
    DELIVERY_NOT_MODIFIABLE = "delivery_not_modifiable"
    """``order_id``, ``status``: out for delivery or later (carrier cut-off)."""
    ALREADY_DELIVERED = "already_delivered"
    """``order_id``: a delivered order cannot be reported late."""
    NOT_LATE = "not_late"
    """``order_id``, ``expected`` (date): the expected delivery date has not passed."""
    WRITE_CONFLICT = "write_conflict"
    """(no details) a concurrent write won a uniqueness race; nothing was written."""

    # Malformed or out-of-range values (InvalidInputError).
    ITEM_REQUIRED = "item_required"
    """``order_id``, ``items`` (tuple of ``(sku, name)``): the order has several lines; say which."""
    NOTHING_TO_CHANGE = "nothing_to_change"
    """``order_id``: neither a new date nor instructions were given."""
    DELIVERY_DATE_NOT_FUTURE = "delivery_date_not_future"
    """``order_id``, ``date``, ``today``."""
    DELIVERY_BEFORE_EXPECTED = "delivery_before_expected"
    """``order_id``, ``date``, ``expected``: carriers cannot deliver earlier than expected."""
    DELIVERY_BEYOND_HOLD = "delivery_beyond_hold"
    """``order_id``, ``date``, ``expected``, ``max_days``, ``latest`` (date): carrier hold limit."""
    PICKUP_DATE_OUT_OF_RANGE = "pickup_date_out_of_range"
    """``date``, ``earliest``, ``latest`` (dates), ``horizon_days``."""
    NO_SUNDAY_PICKUP = "no_sunday_pickup"
    """``date``: carriers do not collect on Sundays."""
    FIELD_MISSING = "field_missing"
    """``field``, ``max_len``: a required text is empty or blank."""
    FIELD_TOO_LONG = "field_too_long"
    """``field``, ``max_len``, ``length``."""
    BAD_ZIP = "bad_zip"
    """``field``: a US ZIP code must be five digits."""
    NOT_TEXT = "not_text"
    """``field``, ``type``: a text field received another type (number, list...)."""
    TEXT_NOT_ENCODABLE = "text_not_encodable"
    """``field``, ``problem`` (``"invalid_unicode"``, ``"nul"`` or ``"control_character"``), ``position``:
    the text cannot be stored as UTF-8 text (lone surrogate, NUL) or holds control characters."""
    DATA_REJECTED = "data_rejected"
    """(no details) the database refused a value; nothing was written. A safety net: services validate first."""

    # --- catalogue desks: codes of this desk go right below this line ---

    # --- commerce (cart, checkout, promotions): codes of this desk go right below this line ---

    # --- account (security, personalization): codes of this desk go right below this line ---

    # --- sellers: codes of this desk go right below this line ---

    # --- advanced features: codes of this desk go right below this line ---

    # Identity (LockedOutError) and infrastructure (ServiceTimeoutError).
    ACCOUNT_LOCKED = "account_locked"
    """``locked_until`` (datetime): too many failed identity checks."""
    TIMEOUT = "timeout"
    """``seconds``: the call exceeded the service timeout; any write was rolled back."""


class ServiceError(Exception):
    """Base class: a business rule or the backend refused the request.

    Args:
        code: What went wrong. Subclasses with a single meaning (:class:`LockedOutError`,
            :class:`ServiceTimeoutError`) default it.
        **details: The facts needed to phrase the error (see :class:`ErrorCode` for the keys of each code).

    Attributes:
        code: The machine code.
        details: Read-only mapping of the facts.
    """

    default_code: ClassVar[ErrorCode | None] = None

    def __init__(self, code: ErrorCode | None = None, /, **details: Any) -> None:
        resolved = code if code is not None else self.default_code
        if resolved is None:
            raise TypeError(f"{type(self).__name__} needs an ErrorCode")
        self.code: ErrorCode = ErrorCode(resolved)
        self.details: Mapping[str, Any] = MappingProxyType(dict(details))
        super().__init__(describe(self.code, self.details))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with keyword details (the default would pass the description as the code)."""
        return (_rebuild, (type(self), self.code, dict(self.details)))


class NotFoundError(ServiceError):
    """The record does not exist, or does not belong to the verified caller (the same error on purpose,
    so that a caller cannot probe for other customers' order numbers)."""


class InvalidStateError(ServiceError):
    """The record exists but is in a state that forbids the request (e.g. returning an undelivered order)."""


class InvalidInputError(ServiceError):
    """A value is malformed (bad date, empty reason, text that cannot be stored...)."""


class LockedOutError(ServiceError):
    """Too many failed identity checks; the account is locked for a while."""

    default_code = ErrorCode.ACCOUNT_LOCKED


class ServiceTimeoutError(ServiceError):
    """A backend call did not finish within the configured timeout."""

    default_code = ErrorCode.TIMEOUT


def describe(code: ErrorCode, details: Mapping[str, Any]) -> str:
    """A one-line factual description for logs: the code, then each detail as ``key=repr`` (bounded).

    ``repr`` escapes control characters and lone surrogates, so the line is always printable.
    """
    if not details:
        return code.value
    parts = []
    for key, value in details.items():
        shown = repr(value)
        parts.append(f"{key}={shown[:80] + '...' if len(shown) > 80 else shown}")
    return f"{code.value} ({', '.join(parts)})"


def _rebuild(cls: type[ServiceError], code: ErrorCode, details: dict[str, Any]) -> ServiceError:
    return cls(code, **details)


# --- text checks ------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Unicode category Cc (C0, DEL and C1 controls) except tab, newline and carriage return."""


def text_problem(value: str) -> tuple[str, int] | None:
    """Why ``value`` cannot be stored as plain text, and where, or ``None`` when it can.

    Refused: anything that is not valid UTF-8 once encoded (lone surrogates such as ``"\\ud800"``),
    NUL (PostgreSQL rejects it; SQLite truncates it in SQL functions), and other control characters
    (category Cc) except tab, newline and carriage return.

    Returns:
        ``(problem, position)`` with ``problem`` one of ``"invalid_unicode"``, ``"nul"``,
        ``"control_character"``; ``None`` if the text is storable.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return "invalid_unicode", exc.start
    control = _CONTROL.search(value)
    if control is None:
        return None
    return ("nul" if control.group() == "\x00" else "control_character"), control.start()


def checked_text(value: object, *, field: str, max_len: int | None, required: bool = True) -> str:
    """Validate a text the service is about to store or look up, and return it stripped.

    Checked in this order: it is a ``str``; it is storable (:func:`text_problem`); it is not blank
    (when ``required``); it is at most ``max_len`` characters once stripped.

    Args:
        value: What the caller of the service passed.
        field: Name of the field, used in the error details (e.g. ``"return reason"``).
        max_len: Longest accepted text, in characters, after stripping; ``None`` for no limit.
        required: Refuse a blank text.

    Returns:
        The text with surrounding whitespace removed (may be ``""`` when not ``required``).

    Raises:
        InvalidInputError: ``not_text``, ``text_not_encodable``, ``field_missing`` or ``field_too_long``.
    """
    if not isinstance(value, str):
        raise InvalidInputError(ErrorCode.NOT_TEXT, field=field, type=type(value).__name__)
    problem = text_problem(value)
    if problem is not None:
        raise InvalidInputError(ErrorCode.TEXT_NOT_ENCODABLE, field=field, problem=problem[0], position=problem[1])
    text = value.strip()
    if required and not text:
        raise InvalidInputError(ErrorCode.FIELD_MISSING, field=field, max_len=max_len)
    if max_len is not None and len(text) > max_len:
        raise InvalidInputError(ErrorCode.FIELD_TOO_LONG, field=field, max_len=max_len, length=len(text))
    return text


def storable(value: Any) -> Any:
    """``value`` with every string inside (dict keys and values, lists, tuples) made storable.

    For data assembled by code rather than typed by anyone (e.g. a ticket's transfer summary), where
    refusing the whole write would lose more than it protects: lone surrogates become U+FFFD and
    control characters other than tab/newline/carriage return are dropped. Tuples become lists (as JSON).
    """
    if isinstance(value, str):
        if text_problem(value) is None:
            return value
        repaired = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return _CONTROL.sub("", repaired)
    if isinstance(value, Mapping):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value
