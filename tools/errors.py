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
from services.views import spoken_date, spoken_weekday, the

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
    return spoken_date(value)


def _thing(value: object, *, capital: bool = False) -> str:
    """A product name from the details with its article: ``the Alpine rain jacket``, ``The Lighthouse Keeper``."""
    return the(_show(value, 80), capital=capital)


def _weekday(value: object) -> str:
    """A date with its weekday, e.g. ``Thursday, November 19``."""
    if not isinstance(value, dt.date):
        raise TypeError(f"not a date: {value!r}")
    return spoken_weekday(value)


def _number(value: object) -> str:
    """``400.0`` → ``"400"``, ``9.5`` → ``"9.5"``; anything else shown as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return _show(value, 12)


def _options(value: object) -> str:
    """At most six options (sizes, colours, formats, names) as ``"S, M, L"``."""
    if not isinstance(value, list | tuple):
        raise TypeError("options must be a sequence")
    shown = [_show(v, 40) for v in value[:6]]
    return ", ".join(shown) + (" and more" if len(value) > 6 else "")


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
    ErrorCode.FINAL_SALE: lambda d: f"{_thing(d['item_name'], capital=True)} is final sale and cannot be returned.",
    ErrorCode.DAMAGED_BY_CUSTOMER: lambda d: (
        f"Items damaged after delivery cannot be returned. {_show(d.get('policy_note', ''), 200)}".rstrip()
    ),
    ErrorCode.RETURN_WINDOW_CLOSED: lambda d: (
        f"The {int(d['window_days'])}-day return window for {_thing(d['item_name'])} ended on {_day(d['deadline'])}."
    ),
    ErrorCode.RETURN_ALREADY_OPEN: lambda d: (
        f"Return {_show(d['return_id'])} is already open for {_thing(d['item_name'])}."
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
    ErrorCode.PRODUCT_NOT_FOUND: lambda d: (
        f"There is no product {_show(d['sku'], 16)} in the catalogue. Search by name instead of guessing a code."
    ),
    ErrorCode.VARIANT_NOT_FOUND: lambda d: (
        f"{_thing(d['name'], capital=True)} does not come in {_show(d['requested'], 40)}. "
        f"Available {_show(d['dimension'], 12)}s: {_options(d['options'])}."
    ),
    ErrorCode.VARIANT_REQUIRED: lambda d: (
        f"{_thing(d['name'], capital=True)} comes in several {_show(d['dimension'], 12)}s: {_options(d['options'])}. "
        f"Ask the caller which {_show(d['dimension'], 12)}."
    ),
    ErrorCode.NOT_COMPARABLE: lambda d: (
        "Compare two or three products at a time; ask which ones matter most."
        if d["reason"] == "count"
        else f"Those products are from different departments ({_options(d['names'])}); compare products of one kind."
    ),
    ErrorCode.NOT_APPLICABLE: lambda d: (
        f"There is no {_show(d['feature'], 30)} information for {_thing(d['name'])} "
        f"(a {_show(d['kind'], 30)}): it does not apply to this product."
    ),
    ErrorCode.MEASUREMENT_OUT_OF_RANGE: lambda d: (
        f"A {_show(d['field'], 30)} of {_number(d['value'])} {_show(d['unit'], 12)} is not plausible "
        f"(expected {_number(d['low'])} to {_number(d['high'])} {_show(d['unit'], 12)}). Ask the caller to "
        "check it; convert centimetres to inches (divide by 2.54) or metres to feet (multiply by 3.28) first."
    ),
    ErrorCode.MEASUREMENT_REQUIRED: lambda d: (
        f"To recommend a size for {_thing(d['name'])}, ask the caller for their "
        f"{' or '.join(_show(f, 20) for f in d['fields'])} in inches."
    ),
    ErrorCode.NO_FITTING_SIZE: lambda d: (
        f"Those measurements are {'larger' if d['direction'] == 'above' else 'smaller'} than the "
        f"{'largest' if d['direction'] == 'above' else 'smallest'} size of {_thing(d['name'])} "
        f"({_show(d['brand'], 30)} makes it from {_show(d['smallest'], 6)} to "
        f"{_show(d['largest'], 6)}). Offer a similar item in other sizes."
    ),
    # --- commerce (cart, checkout, promotions): sentences of this desk go right below this line ---
    ErrorCode.CART_EMPTY: lambda d: (
        "The cart is empty, so there is nothing to order."
        + (
            f" The latest order, {_show(d['last_order_id'])}, has already been placed; do not place it again."
            if d.get("last_order_id")
            else " Help the caller add items first."
        )
    ),
    ErrorCode.CART_ITEM_NOT_FOUND: lambda d: (
        "That item is not in the cart. The cart has: " + "; ".join(_show(i, 80) for i in d["items"][:5]) + "."
        if d["items"]
        else "That item is not in the cart: the cart is empty."
    ),
    ErrorCode.VARIANT_NOT_IN_CATALOGUE: lambda d: (
        "That product option is not in the catalogue any more; search the catalogue again."
    ),
    ErrorCode.OUT_OF_STOCK: lambda d: (
        f"Only {int(d['available'])} of {_thing(d['item_name'])}"
        + (f" ({_show(d['variant'], 60)})" if d.get("variant") else "")
        + f" in stock, not {int(d['requested'])}. Offer that many, or another option."
        if int(d["available"]) > 0
        else f"{_thing(d['item_name'], capital=True)}"
        + (f" ({_show(d['variant'], 60)})" if d.get("variant") else "")
        + " is out of stock. Offer another size, colour or format."
    ),
    ErrorCode.CART_QUANTITY_OUT_OF_RANGE: lambda d: (
        f"The cart already has {int(d['in_cart'])} of {_thing(d['item_name'])}; one item can be bought "
        f"{int(d['min'])} to {int(d['max'])} at a time, so at most {max(0, int(d['max']) - int(d['in_cart']))} "
        "more can be added."
        if int(d["in_cart"]) > 0 and int(d["min"]) > 0
        else f"The quantity must be a whole number from {int(d['min'])} to {int(d['max'])}. Ask how many."
    ),
    ErrorCode.CART_FULL: lambda d: (
        f"The cart already holds {int(d['max_lines'])} different items, the most it can. Remove one or place the "
        "order first."
    ),
    ErrorCode.CHECKOUT_NO_ADDRESS: lambda d: (
        "There is no shipping address on file, so the order cannot be placed. Offer to transfer to a person to add one."
    ),
    ErrorCode.CHECKOUT_ACCOUNT_LOCKED: lambda d: (
        "This account is locked for security, so nothing can be bought on it. The security team or a person can "
        "help unlock it."
    ),
    ErrorCode.CHECKOUT_TOTAL_CHANGED: lambda d: (
        f"The total changed since it was read back: it is now ${int(d['total_cents']) / 100:,.2f}, not "
        f"${int(d['expected_cents']) / 100:,.2f}. Nothing was ordered; go over the cart again."
    ),
    ErrorCode.PROMO_NOT_FOUND: lambda d: (
        f"There is no promotion code {_show(d['code'], 24)}. Ask the caller to spell it, or offer the current "
        "promotions."
    ),
    ErrorCode.PROMO_NOT_STARTED: lambda d: (
        f"Code {_show(d['code'], 24)} starts on {_day(d['starts_on'])}; it cannot be used yet."
    ),
    ErrorCode.PROMO_EXPIRED: lambda d: f"Code {_show(d['code'], 24)} expired on {_day(d['ended_on'])}.",
    ErrorCode.PROMO_MEMBERSHIP: lambda d: (
        f"Code {_show(d['code'], 24)} is for {_show(d['tier'], 16)} members only; this account is "
        f"{_show(d['customer_tier'], 16)}."
    ),
    ErrorCode.PROMO_ALREADY_USED: lambda d: (
        f"Code {_show(d['code'], 24)} was already used on order {_show(d['order_id'])}; each code works once per "
        "customer."
    ),
    ErrorCode.PROMO_CATEGORY: lambda d: (
        f"Code {_show(d['code'], 24)} only applies to {_status(d['category'])} items, and the cart has none."
    ),
    ErrorCode.PROMO_MIN_SPEND: lambda d: (
        f"Code {_show(d['code'], 24)} needs ${int(d['min_spend_cents']) / 100:,.2f} of "
        + (f"{_status(d['category'])} items" if d.get("category") else "goods")
        + f"; the cart has ${int(d['eligible_subtotal_cents']) / 100:,.2f}, "
        f"${int(d['short_cents']) / 100:,.2f} short."
    ),
    ErrorCode.PROMO_ALREADY_APPLIED: lambda d: f"Code {_show(d['code'], 24)} is already applied to the cart.",
    ErrorCode.PROMO_ONE_PER_ORDER: lambda d: (
        f"Only one promotion per order: {_show(d['current_code'], 24)} is already on the cart. Replacing it with "
        f"{_show(d['code'], 24)} needs the caller's yes."
    ),
    # --- account (security, personalization): sentences of this desk go right below this line ---
    ErrorCode.CHARGE_NOT_FOUND: lambda d: (
        f"There is no charge {_show(d['charge_id'])} on this caller's card. Describe the charge by amount, "
        "merchant or place instead."
    ),
    ErrorCode.CHARGE_NOT_MATCHED: lambda d: (
        f"No charge on the caller's card fits '{_show(d['reference'], 60)}'. "
        + (
            "Their charges: "
            + "; ".join(
                f"{_show(i, 12)}, ${int(a) // 100:,}.{int(a) % 100:02d} at {_show(m, 40)}, {_show(p, 40)}, {_day(t)}"
                for i, a, m, p, t in d["charges"]
            )
            + ". Ask which one they mean."
            if d["charges"]
            else "There are no charges on the card."
        )
    ),
    ErrorCode.CHARGE_AMBIGUOUS: lambda d: (
        f"Several charges fit '{_show(d['reference'], 60)}': "
        + "; ".join(
            f"{_show(i, 12)}, ${int(a) // 100:,}.{int(a) % 100:02d} at {_show(m, 40)}, {_show(p, 40)}, {_day(t)}"
            for i, a, m, p, t in d["charges"]
        )
        + ". Ask the caller which one (or say 'both' or 'all' if they mean every one)."
    ),
    ErrorCode.TOO_MANY_CHARGES: lambda d: (
        f"That names {int(d['count'])} charges; one case can cover at most {int(d['limit'])}. Ask which ones matter."
    ),
    ErrorCode.CHARGE_NOT_DISPUTABLE: lambda d: (
        f"Charge {_show(d['charge_id'])} is already reported as fraud and under review."
        if d["status"] == "disputed"
        else f"Charge {_show(d['charge_id'])} was already refunded."
        if d["status"] == "refunded"
        else f"Charge {_show(d['charge_id'])} is older than the {int(d['window_days'])}-day fraud dispute window; "
        "offer to flag it as suspicious activity or transfer to a person."
    ),
    ErrorCode.ACCOUNT_ALREADY_LOCKED: lambda d: (
        f"The account is already locked (since {_day(d['locked_at'])}); only a person can unlock it."
    ),
    ErrorCode.RESET_RECENTLY_SENT: lambda d: (
        f"A password reset link was already sent to {_show(d['sent_to'], 60)} and is valid until "
        f"{d['expires_at']:%H:%M} UTC. Ask the caller to check that inbox, including spam."
    ),
    ErrorCode.PREFERENCE_KEY_UNKNOWN: lambda d: (
        f"The preference '{_show(d['key'])}' cannot be saved. Preferences that can be saved: "
        + ", ".join(_show(k) for k in d["allowed"])
        + "."
    ),
    ErrorCode.PREFERENCE_VALUE_INVALID: lambda d: (
        f"That is not a valid {_status(d['key'])}: it must be {_show(d['expected'], 160)}. Ask the caller again."
    ),
    ErrorCode.BEHAVIOR_LIMIT_REACHED: lambda d: (
        f"This call already noted {int(d['limit'])} products or questions; stop noting more and just help the caller."
    ),
    # --- sellers: sentences of this desk go right below this line ---
    ErrorCode.SELLER_NOT_FOUND: lambda d: (
        f"No marketplace seller matches '{_show(d['reference'])}'. Ask the caller for the store's name, or the "
        "product or order the seller sold."
    ),
    ErrorCode.SELLER_AMBIGUOUS: lambda d: (
        f"Several sellers match '{_show(d['reference'])}': "
        + ", ".join(_show(n, 60) + (f" (sells {the(_show(p, 60))})" if p else "") for n, p in list(d["options"])[:5])
        + ". Ask the caller which one they mean."
    ),
    ErrorCode.SELLER_NOT_ON_ORDER: lambda d: (
        f"Order {_show(d['order_id'])} has no item sold by {_show(d['seller_name'], 60)}; its items come from "
        + ", ".join(_show(n, 60) for n in list(d["sellers"])[:5])
        + ". Check which seller or order the caller means."
    ),
    ErrorCode.SELLER_ISSUE_ALREADY_OPEN: lambda d: (
        f"Dispute {_show(d['issue_id'])} with {_show(d['seller_name'], 60)} is already open"
        + (f" for order {_show(d['order_id'])}" if d.get("order_id") else "")
        + "; a second one cannot be opened. It is being handled."
    ),
    ErrorCode.SELLER_ISSUE_NEEDS_ORDER: lambda d: (
        f"To report {_show(d['seller_name'], 60)} for an item {_status(d['kind'])}, the order is needed. "
        "Ask the caller which order it was."
    ),
    ErrorCode.SELLER_ISSUE_KIND_UNKNOWN: lambda d: (
        f"There is no kind of seller dispute called '{_show(d['kind'])}'. Use one of: "
        + ", ".join(_show(k) for k in list(d["kinds"])[:8])
        + "."
    ),
    ErrorCode.SELLER_MESSAGE_LIMIT: lambda d: (
        f"The caller has already sent {int(d['limit'])} messages to {_show(d['seller_name'], 60)} today, the daily "
        "limit. Offer to open a dispute with the seller instead, or to send it tomorrow."
    ),
    ErrorCode.NO_SELLER_STORE: lambda d: (
        "This caller does not own a seller store on the marketplace, so there are no listings, payouts or store "
        "figures to share. Ask whether they meant a store they bought from."
    ),
    ErrorCode.LISTING_NOT_FOUND: lambda d: (
        f"No listing in the caller's store matches '{_show(d['reference'])}'. "
        + (
            "Their listings include: " + ", ".join(_show(n, 60) for n in list(d["listings"])[:5]) + ". Ask which one."
            if d["listings"]
            else "Their store has no listings."
        )
    ),
    ErrorCode.LISTING_AMBIGUOUS: lambda d: (
        f"Several listings in the caller's store match '{_show(d['reference'])}': "
        + ", ".join(f"{_show(n, 60)} ({_show(s, 16)})" for s, n in list(d["options"])[:5])
        + ". Ask which one."
    ),
    ErrorCode.LISTING_VARIANT_REQUIRED: lambda d: (
        f"{_thing(d['name'], capital=True)} ({_show(d['sku'], 16)}) comes in several variants; ask which one: "
        + "; ".join(_show(v, 40) for v in list(d["variants"])[:8])
        + "."
    ),
    ErrorCode.LISTING_VARIANT_NOT_FOUND: lambda d: (
        f"{_thing(d['name'], capital=True)} ({_show(d['sku'], 16)}) has no variant '{_show(d['reference'])}'. "
        "Its variants: " + "; ".join(_show(v, 40) for v in list(d["variants"])[:8]) + "."
    ),
    ErrorCode.LISTING_STOCK_OUT_OF_RANGE: lambda d: (
        f"Stock must be a whole number of units from {int(d['minimum'])} to {int(d['maximum']):,}; "
        f"{_show(d['quantity'])} is not possible. Ask the caller for the new quantity."
    ),
    ErrorCode.LISTING_STOCK_UNCHANGED: lambda d: (
        f"{_thing(d['name'], capital=True)}"
        + (f" ({_show(d['variant'], 40)})" if d.get("variant") else "")
        + f" already has {int(d['quantity'])} units in stock; nothing to change."
    ),
    # --- advanced features: sentences of this desk go right below this line ---
    ErrorCode.FEATURE_PRODUCT_UNKNOWN: lambda d: (
        f"There is no product {_show(d['sku'], 16)} in the catalogue. Ask the caller which product they mean."
    ),
    ErrorCode.ALREADY_ON_WISHLIST: lambda d: f"{_thing(d['name'], capital=True)} is already on the caller's wishlist.",
    ErrorCode.NOT_ON_WISHLIST: lambda d: (
        f"{_thing(d['name'], capital=True)} is not on the caller's wishlist. "
        + (
            "Their wishlist has: " + ", ".join(_show(n, 60) for n in list(d["wishlist"])[:5]) + "."
            if d["wishlist"]
            else "Their wishlist is empty."
        )
    ),
    ErrorCode.WISHLIST_FULL: lambda d: (
        f"The wishlist already holds the most items allowed ({int(d['max_items'])}); the caller could remove one first."
    ),
    ErrorCode.PRICE_ALERT_NOT_FOUND: lambda d: (
        f"There is no active price alert {_show(d['alert_id'])} on this caller's account."
    ),
    ErrorCode.PRICE_ALERT_EXISTS: lambda d: (
        f"The caller already has price alert {_show(d['alert_id'])} for {_thing(d['name'])}, at "
        f"${int(d['target_price_cents']) // 100:,}.{int(d['target_price_cents']) % 100:02d}. One alert per product: "
        "to change the target, cancel that alert first."
    ),
    ErrorCode.PRICE_ALERT_LIMIT: lambda d: (
        f"The caller has {int(d['max_alerts'])} active price alerts, the most allowed; they could cancel one first."
    ),
    ErrorCode.PRICE_ALERT_TARGET_NOT_BELOW: lambda d: (
        f"{_thing(d['name'], capital=True)} costs "
        f"${int(d['current_price_cents']) // 100:,}.{int(d['current_price_cents']) % 100:02d} now, so a target of "
        f"${int(d['target_price_cents']) // 100:,}.{int(d['target_price_cents']) % 100:02d} would not be a drop. "
        "Ask the caller for a lower target price."
    ),
    ErrorCode.PRICE_ALERT_TARGET_INVALID: lambda d: (
        "The target price must be a positive amount in dollars of at most "
        f"${int(d['max_price_cents']) // 100:,}. Ask the caller for the price they want to wait for."
    ),
    ErrorCode.SUBSCRIPTION_NOT_FOUND: lambda d: (
        f"There is no subscription {_show(d['subscription_id'])} on this caller's account."
    ),
    ErrorCode.NOT_SUBSCRIBABLE: lambda d: (
        f"{_thing(d['name'], capital=True)} cannot be subscribed to: subscribe and save is for consumables such as "
        "coffee, tea, filters, soap and paper goods."
    ),
    ErrorCode.SUBSCRIPTION_VARIANT_REQUIRED: lambda d: (
        f"{_thing(d['name'], capital=True)} comes in several sizes; ask which one: "
        + ", ".join(_show(v, 40) for v in list(d["variants"])[:6])
        + "."
    ),
    ErrorCode.SUBSCRIBE_OUT_OF_STOCK: lambda d: (
        f"{_thing(d['name'], capital=True)}"
        + (f" ({_show(d['variant'], 40)})" if d.get("variant") else "")
        + " is out of stock, so a subscription cannot start now. The caller could set a wishlist item instead."
    ),
    ErrorCode.SUBSCRIPTION_EXISTS: lambda d: (
        f"The caller already has subscription {_show(d['subscription_id'])} to {_thing(d['name'])} "
        f"({_status(d['status'])}). Offer to change that one instead."
    ),
    ErrorCode.SUBSCRIPTION_INTERVAL_INVALID: lambda d: (
        "Deliveries can be every "
        + ", ".join(str(int(w)) for w in list(d["allowed"])[:-1])
        + f" or {int(list(d['allowed'])[-1])} weeks. Ask the caller which."
    ),
    ErrorCode.SUBSCRIPTION_QUANTITY_INVALID: lambda d: (
        f"Each delivery can hold 1 to {int(d['max_quantity'])} units. Ask the caller how many."
    ),
    ErrorCode.SUBSCRIPTION_LIMIT: lambda d: (
        f"The caller has {int(d['max_subscriptions'])} subscriptions, the most allowed; they could cancel one first."
    ),
    ErrorCode.SUBSCRIPTION_STATE: lambda d: (
        f"Subscription {_show(d['subscription_id'])} to {_thing(d['name'])} is {_status(d['status'])}, "
        "so it cannot be "
        + {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}.get(str(d["action"]), "changed that way")
        + "."
    ),
    ErrorCode.ACCOUNT_LOCKED: lambda d: "This account is temporarily locked after several failed identity checks.",
    ErrorCode.TIMEOUT: _timeout,
}
