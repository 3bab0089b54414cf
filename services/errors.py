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
    PRODUCT_NOT_FOUND = "product_not_found"
    """``sku``: no product with this SKU in the catalogue."""
    VARIANT_NOT_FOUND = "variant_not_found"
    """``sku``, ``name``, ``dimension`` (``size``, ``colour`` or ``format``), ``requested``, ``options`` (tuple):
    the product is not made in what was asked; ``options`` are what it is made in."""
    VARIANT_REQUIRED = "variant_required"
    """``sku``, ``name``, ``dimension``, ``options`` (tuple): the product comes in several; say which."""
    NOT_COMPARABLE = "not_comparable"
    """``reason`` (``"count"`` or ``"categories"``), ``names`` (tuple): compare two or three products of one
    category."""
    NOT_APPLICABLE = "not_applicable"
    """``sku``, ``name``, ``category``, ``kind``, ``feature`` (``"room fit"``, ``"dimensions"``, ``"size guide"``,
    ``"compatibility"``, ``"formats"``, ``"style advice"``): the product has no data for this question."""
    MEASUREMENT_OUT_OF_RANGE = "measurement_out_of_range"
    """``field``, ``value``, ``low``, ``high``, ``unit``: a body or room measurement outside plausible values."""
    MEASUREMENT_REQUIRED = "measurement_required"
    """``sku``, ``name``, ``garment``, ``fields`` (tuple): the size guide needs one of these measurements."""
    NO_FITTING_SIZE = "no_fitting_size"
    """``sku``, ``name``, ``brand``, ``direction`` (``"above"`` or ``"below"``), ``smallest``, ``largest``:
    the measurements fall outside the brand's chart."""

    # --- commerce (cart, checkout, promotions): codes of this desk go right below this line ---
    CART_EMPTY = "cart_empty"
    """``last_order_id`` (``str | None``: the caller's latest order placed by checkout, e.g. just now)."""
    CART_ITEM_NOT_FOUND = "cart_item_not_found"
    """``variant_id``, ``items`` (tuple of the cart's line labels): that variant is not in the caller's cart."""
    VARIANT_NOT_IN_CATALOGUE = "variant_not_in_catalogue"
    """``variant_id``: no such product variant."""
    OUT_OF_STOCK = "out_of_stock"
    """``sku``, ``item_name``, ``variant`` (label such as ``"size M, blue"``, may be ``""``), ``requested``,
    ``available`` (units in stock)."""
    CART_QUANTITY_OUT_OF_RANGE = "cart_quantity_out_of_range"
    """``item_name``, ``quantity`` (the line's quantity it would give), ``in_cart`` (units already in the cart),
    ``min``, ``max`` (units per line)."""
    CART_FULL = "cart_full"
    """``max_lines``: the cart holds its maximum number of different items."""
    CHECKOUT_NO_ADDRESS = "checkout_no_address"
    """(no details) there is no shipping address on file."""
    CHECKOUT_ACCOUNT_LOCKED = "checkout_account_locked"
    """(no details) the account is locked for security; nothing can be bought until a person unlocks it."""
    CHECKOUT_TOTAL_CHANGED = "checkout_total_changed"
    """``expected_cents``, ``total_cents``: the total changed since it was read back (price, stock or promotion)."""
    PROMO_NOT_FOUND = "promo_not_found"
    """``code`` (as understood, upper-case): no such promotion code."""
    PROMO_NOT_STARTED = "promo_not_started"
    """``code``, ``starts_on`` (date)."""
    PROMO_EXPIRED = "promo_expired"
    """``code``, ``ended_on`` (date)."""
    PROMO_MEMBERSHIP = "promo_membership"
    """``code``, ``tier`` (required loyalty tier), ``customer_tier``."""
    PROMO_ALREADY_USED = "promo_already_used"
    """``code``, ``order_id``: the caller used this code on that order (once per customer)."""
    PROMO_CATEGORY = "promo_category"
    """``code``, ``category``: no item of the cart is in the promotion's category (or the cart is empty)."""
    PROMO_MIN_SPEND = "promo_min_spend"
    """``code``, ``category`` (``None``: the whole cart), ``min_spend_cents``, ``eligible_subtotal_cents``,
    ``short_cents`` (what is missing)."""
    PROMO_ALREADY_APPLIED = "promo_already_applied"
    """``code``: this code is already on the caller's cart."""
    PROMO_ONE_PER_ORDER = "promo_one_per_order"
    """``code``, ``current_code``: another promotion is on the cart; replacing it needs the caller's yes."""

    # --- account (security, personalization): codes of this desk go right below this line ---
    CHARGE_NOT_FOUND = "charge_not_found"
    """``charge_id``: no such charge on the caller's card (also another customer's: indistinguishable on purpose)."""
    CHARGE_NOT_MATCHED = "charge_not_matched"
    """``reference``, ``charges`` (tuple of ``(id, amount_cents, merchant, location, date)``, at most 5, unusual
    first): nothing among the caller's charges fits what they said."""
    CHARGE_AMBIGUOUS = "charge_ambiguous"
    """``reference``, ``charges`` (as ``charge_not_matched``: the ones that fit): several charges fit; ask which."""
    TOO_MANY_CHARGES = "too_many_charges"
    """``count``, ``limit``: one case can name at most ``limit`` charges."""
    CHARGE_NOT_DISPUTABLE = "charge_not_disputable"
    """``charge_id``, ``status`` (``disputed``, ``refunded`` or ``too_old``), ``window_days``."""
    ACCOUNT_ALREADY_LOCKED = "account_already_locked"
    """``locked_at`` (datetime): the account is already locked by the security desk."""
    RESET_RECENTLY_SENT = "reset_recently_sent"
    """``sent_to`` (masked email), ``expires_at`` (datetime): a reset link is still valid."""
    PREFERENCE_KEY_UNKNOWN = "preference_key_unknown"
    """``key``, ``allowed`` (tuple of keys)."""
    PREFERENCE_VALUE_INVALID = "preference_value_invalid"
    """``key``, ``expected`` (what a valid value looks like, e.g. "one of XS, S, M, L, XL, XXL")."""
    BEHAVIOR_LIMIT_REACHED = "behavior_limit_reached"
    """``limit``: this call already recorded the most events allowed."""

    # --- sellers: codes of this desk go right below this line ---
    SELLER_NOT_FOUND = "seller_not_found"
    """``reference``: no seller matches what the caller said (store name, seller id, product or order)."""
    SELLER_AMBIGUOUS = "seller_ambiguous"
    """``reference``, ``options`` (tuple of ``(seller name, product name or "")``): several sellers match."""
    SELLER_NOT_ON_ORDER = "seller_not_on_order"
    """``order_id``, ``seller_name``, ``sellers`` (tuple of the names of the order's sellers): the caller's
    order has no item sold by that seller."""
    SELLER_ISSUE_ALREADY_OPEN = "seller_issue_already_open"
    """``issue_id``, ``seller_name``, ``order_id`` (``None`` for a dispute about no order): one open dispute
    per buyer, seller and order."""
    SELLER_ISSUE_NEEDS_ORDER = "seller_issue_needs_order"
    """``kind``, ``seller_name``: an item not received or not as described needs the order it concerns."""
    SELLER_ISSUE_KIND_UNKNOWN = "seller_issue_kind_unknown"
    """``kind``, ``kinds`` (tuple of the accepted kinds)."""
    SELLER_MESSAGE_LIMIT = "seller_message_limit"
    """``seller_name``, ``limit``: the caller already sent that many messages to this seller today (UTC)."""
    NO_SELLER_STORE = "no_seller_store"
    """``customer_id``: the verified caller owns no seller store, so store tools do not apply."""
    LISTING_NOT_FOUND = "listing_not_found"
    """``reference``, ``listings`` (tuple of up to five product names of the caller's store): no listing of
    the caller's store matches (another store's product is reported exactly the same way)."""
    LISTING_AMBIGUOUS = "listing_ambiguous"
    """``reference``, ``options`` (tuple of ``(sku, name)``): several of the caller's listings match."""
    LISTING_VARIANT_REQUIRED = "listing_variant_required"
    """``sku``, ``name``, ``variants`` (tuple of labels such as ``"size M, blue"``): say which variant."""
    LISTING_VARIANT_NOT_FOUND = "listing_variant_not_found"
    """``sku``, ``name``, ``reference``, ``variants`` (tuple of labels): no variant of the listing matches."""
    LISTING_STOCK_OUT_OF_RANGE = "listing_stock_out_of_range"
    """``quantity``, ``minimum``, ``maximum``: stock is a whole number of units within the bounds."""
    LISTING_STOCK_UNCHANGED = "listing_stock_unchanged"
    """``sku``, ``name``, ``variant``, ``quantity``: the listing variant already has that stock."""

    # --- advanced features: codes of this desk go right below this line ---
    FEATURE_PRODUCT_UNKNOWN = "feature_product_unknown"
    """``sku``: no such product in the catalogue (wishlists, alerts, subscriptions, bundles)."""
    ALREADY_ON_WISHLIST = "already_on_wishlist"
    """``sku``, ``name``: the product is on the caller's wishlist already."""
    NOT_ON_WISHLIST = "not_on_wishlist"
    """``sku``, ``name``, ``wishlist`` (tuple of up to five product names on the caller's wishlist)."""
    WISHLIST_FULL = "wishlist_full"
    """``max_items``: the wishlist holds the most items allowed."""
    PRICE_ALERT_NOT_FOUND = "price_alert_not_found"
    """``alert_id``: no active alert of the caller with that id or for that product (another customer's too)."""
    PRICE_ALERT_EXISTS = "price_alert_exists"
    """``alert_id``, ``name``, ``target_price_cents``: one active alert per product; cancel it first to change it."""
    PRICE_ALERT_LIMIT = "price_alert_limit"
    """``max_alerts``: the caller has that many active alerts already."""
    PRICE_ALERT_TARGET_NOT_BELOW = "price_alert_target_not_below"
    """``name``, ``target_price_cents``, ``current_price_cents``: the target must be below the current price."""
    PRICE_ALERT_TARGET_INVALID = "price_alert_target_invalid"
    """``target_price_cents``, ``max_price_cents``: the target is not a price (zero, negative or huge)."""
    SUBSCRIPTION_NOT_FOUND = "subscription_not_found"
    """``subscription_id``: no subscription of the caller with that id (another customer's too)."""
    NOT_SUBSCRIBABLE = "not_subscribable"
    """``sku``, ``name``, ``kinds`` (tuple of the subscribable product kinds): only consumables are subscribable."""
    SUBSCRIPTION_VARIANT_REQUIRED = "subscription_variant_required"
    """``sku``, ``name``, ``variants`` (tuple of labels such as ``"2 lb bag"``): the product has several variants."""
    SUBSCRIBE_OUT_OF_STOCK = "subscribe_out_of_stock"
    """``sku``, ``name``, ``variant``: the product (variant) is out of stock, so no first delivery can be planned."""
    SUBSCRIPTION_EXISTS = "subscription_exists"
    """``subscription_id``, ``name``, ``status``: the caller already subscribes to this product (active or paused)."""
    SUBSCRIPTION_INTERVAL_INVALID = "subscription_interval_invalid"
    """``every_weeks``, ``allowed`` (tuple of ints): deliveries are every 2, 4 or 8 weeks."""
    SUBSCRIPTION_QUANTITY_INVALID = "subscription_quantity_invalid"
    """``quantity``, ``max_quantity``: units per delivery from 1 to the maximum."""
    SUBSCRIPTION_LIMIT = "subscription_limit"
    """``max_subscriptions``: the caller has that many active or paused subscriptions already."""
    SUBSCRIPTION_STATE = "subscription_state"
    """``subscription_id``, ``name``, ``status``, ``action``: the action does not apply in that status
    (pause needs active, resume needs paused, nothing applies to a cancelled one)."""

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
