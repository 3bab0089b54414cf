"""tools/errors.py and ``service_errors()``: every service error code becomes one sentence for the model.

Services raise typed errors (a code and facts); the tools layer phrases them. These tests check that
every code has a sentence, that the sentence carries the facts (ids, dates, limits), that the wording
the model relied on before the errors became typed is unchanged, and that nothing can make
``sentence_for`` raise or echo a hostile value back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from livekit.agents import ToolError

from services import (
    InvalidInputError,
    InvalidStateError,
    LockedOutError,
    NotFoundError,
    ServiceError,
    ServiceTimeoutError,
)
from services.errors import ErrorCode
from tools import errors as tool_errors
from tools.common import service_errors
from tools.errors import GENERIC_SENTENCE, sentence_for

pytestmark = pytest.mark.unit

NOV_20 = dt.date(2026, 11, 20)
DEC_04 = dt.date(2026, 12, 4)
ITEMS = (("FSH-2001", "Alpine rain jacket"), ("HOM-4001", "Brass desk lamp"))

# One realistic error per code: (class, details, fragments the sentence must contain).
SAMPLES: dict[ErrorCode, tuple[type[ServiceError], dict[str, Any], tuple[str, ...]]] = {
    ErrorCode.ORDER_NOT_FOUND: (NotFoundError, {"order_id": "ORD-100201"}, ("ORD-100201",)),
    ErrorCode.RETURN_NOT_FOUND: (NotFoundError, {"return_id": "RET-500001"}, ("RET-500001",)),
    ErrorCode.ITEM_NOT_FOUND: (
        NotFoundError,
        {"order_id": "ORD-100101", "sku": "FSH-9999", "items": ITEMS[:1]},
        ("ORD-100101", "FSH-9999", "FSH-2001 Alpine rain jacket"),
    ),
    ErrorCode.CUSTOMER_NOT_FOUND: (NotFoundError, {"customer_id": "CUS-9999"}, ("not found", "nothing was saved")),
    ErrorCode.NOT_DELIVERED: (
        InvalidStateError,
        {"order_id": "ORD-100102", "status": "in_transit"},
        ("ORD-100102", "in transit", "only delivered orders can be returned"),
    ),
    ErrorCode.FINAL_SALE: (
        InvalidStateError,
        {"order_id": "ORD-100302", "sku": "GFT-5001", "item_name": "Marketplace gift card, 50 dollars"},
        ("Marketplace gift card, 50 dollars", "final sale"),
    ),
    ErrorCode.DAMAGED_BY_CUSTOMER: (
        InvalidStateError,
        {"order_id": "ORD-100101", "sku": "FSH-2001", "item_name": "Alpine rain jacket", "policy_note": "Tags on."},
        ("damaged after delivery", "Tags on."),
    ),
    ErrorCode.RETURN_WINDOW_CLOSED: (
        InvalidStateError,
        {
            "order_id": "ORD-100103",
            "sku": "BOK-1001",
            "item_name": "The Lighthouse Keeper, hardcover",
            "window_days": 30,
            "deadline": dt.date(2026, 11, 3),
        },
        ("30-day", "The Lighthouse Keeper, hardcover", "November 3"),
    ),
    ErrorCode.RETURN_ALREADY_OPEN: (
        InvalidStateError,
        {"return_id": "RET-500001", "order_id": "ORD-100101", "sku": "FSH-2001", "item_name": "Alpine rain jacket"},
        ("RET-500001", "Alpine rain jacket"),
    ),
    ErrorCode.PICKUP_NOT_ALLOWED: (
        InvalidStateError,
        {"return_id": "RET-500001", "status": "refunded"},
        ("RET-500001", "refunded", "pickup cannot be booked"),
    ),
    ErrorCode.ALREADY_REFUNDED: (InvalidStateError, {"return_id": "RET-500001"}, ("RET-500001", "already refunded")),
    ErrorCode.PICKUP_REQUIRED: (
        InvalidStateError,
        {"return_id": "RET-500001", "status": "initiated"},
        ("RET-500001", "needs a pickup booked"),
    ),
    ErrorCode.DELIVERY_NOT_MODIFIABLE: (
        InvalidStateError,
        {"order_id": "ORD-100301", "status": "out_for_delivery"},
        ("ORD-100301", "out for delivery", "can no longer be changed"),
    ),
    ErrorCode.ALREADY_DELIVERED: (InvalidStateError, {"order_id": "ORD-100101"}, ("ORD-100101", "already delivered")),
    ErrorCode.NOT_LATE: (
        InvalidStateError,
        {"order_id": "ORD-100102", "expected": NOV_20},
        ("ORD-100102", "not late", "November 20"),
    ),
    ErrorCode.WRITE_CONFLICT: (InvalidStateError, {}, ("nothing was saved",)),
    ErrorCode.ITEM_REQUIRED: (
        InvalidInputError,
        {"order_id": "ORD-100101", "items": ITEMS},
        ("ORD-100101", "several items", "FSH-2001 Alpine rain jacket, HOM-4001 Brass desk lamp"),
    ),
    ErrorCode.NOTHING_TO_CHANGE: (InvalidInputError, {"order_id": "ORD-100102"}, ("Nothing to change",)),
    ErrorCode.DELIVERY_DATE_NOT_FUTURE: (
        InvalidInputError,
        {"order_id": "ORD-100102", "date": dt.date(2026, 11, 10), "today": dt.date(2026, 11, 18)},
        ("must be after today",),
    ),
    ErrorCode.DELIVERY_BEFORE_EXPECTED: (
        InvalidInputError,
        {"order_id": "ORD-100102", "date": dt.date(2026, 11, 19), "expected": NOV_20},
        ("cannot deliver before the expected date, November 20",),
    ),
    ErrorCode.DELIVERY_BEYOND_HOLD: (
        InvalidInputError,
        {"order_id": "ORD-100102", "date": dt.date(2026, 12, 5), "expected": NOV_20, "max_days": 14, "latest": DEC_04},
        ("at most 14 days after November 20", "December 4"),
    ),
    ErrorCode.PICKUP_DATE_OUT_OF_RANGE: (
        InvalidInputError,
        {
            "date": dt.date(2026, 12, 3),
            "earliest": dt.date(2026, 11, 19),
            "latest": dt.date(2026, 12, 2),
            "horizon_days": 14,
        },
        ("from tomorrow up to 14 days ahead", "Thursday, November 19", "Wednesday, December 2"),
    ),
    ErrorCode.NO_SUNDAY_PICKUP: (InvalidInputError, {"date": dt.date(2026, 11, 22)}, ("Sundays", "November 22")),
    ErrorCode.FIELD_MISSING: (InvalidInputError, {"field": "email", "max_len": 80}, ("email", "missing")),
    ErrorCode.FIELD_TOO_LONG: (
        InvalidInputError,
        {"field": "email", "max_len": 80, "length": 81},
        ("email", "too long", "80"),
    ),
    ErrorCode.BAD_ZIP: (InvalidInputError, {"field": "ZIP code"}, ("ZIP code must be five digits",)),
    ErrorCode.NOT_TEXT: (InvalidInputError, {"field": "return reason", "type": "int"}, ("return reason", "text")),
    ErrorCode.TEXT_NOT_ENCODABLE: (
        InvalidInputError,
        {"field": "return reason", "problem": "nul", "position": 3},
        ("return reason", "cannot be stored", "nothing was saved"),
    ),
    ErrorCode.DATA_REJECTED: (InvalidInputError, {}, ("nothing was saved",)),
    ErrorCode.ACCOUNT_LOCKED: (
        LockedOutError,
        {"locked_until": dt.datetime(2026, 11, 18, 15, 30)},
        ("temporarily locked",),
    ),
    # --- catalogue desks: samples of this desk go right below this line ---
    ErrorCode.PRODUCT_NOT_FOUND: (NotFoundError, {"sku": "FSH-9999"}, ("no product FSH-9999",)),
    ErrorCode.VARIANT_NOT_FOUND: (
        NotFoundError,
        {
            "sku": "FSH-2001",
            "name": "Alpine rain jacket",
            "dimension": "size",
            "requested": "XXL",
            "options": ("XS", "S", "M", "L", "XL"),
        },
        ("Alpine rain jacket does not come in XXL", "Available sizes: XS, S, M, L, XL."),
    ),
    ErrorCode.VARIANT_REQUIRED: (
        InvalidInputError,
        {
            "sku": "BOK-1001",
            "name": "The Lighthouse Keeper",
            "dimension": "format",
            "options": ("hardcover", "paperback", "ebook", "audiobook"),
        },
        ("several formats: hardcover, paperback, ebook, audiobook", "Ask the caller which format"),
    ),
    ErrorCode.NOT_COMPARABLE: (
        InvalidInputError,
        {"reason": "categories", "names": ("Alpine rain jacket", "Harbor 3-seat sofa")},
        ("different departments (Alpine rain jacket, Harbor 3-seat sofa)",),
    ),
    ErrorCode.NOT_APPLICABLE: (
        InvalidInputError,
        {
            "sku": "ELC-3001",
            "name": "Noise-cancelling headphones",
            "category": "electronics",
            "kind": "headphones",
            "feature": "room fit",
        },
        ("no room fit information for the Noise-cancelling headphones (a headphones)",),
    ),
    ErrorCode.MEASUREMENT_OUT_OF_RANGE: (
        InvalidInputError,
        {"field": "chest", "value": 102, "low": 20, "high": 70, "unit": "in"},
        ("chest of 102 in is not plausible", "divide by 2.54"),
    ),
    ErrorCode.MEASUREMENT_REQUIRED: (
        InvalidInputError,
        {"sku": "FSH-2003", "name": "Meridian slim jeans", "garment": "bottoms", "fields": ("waist", "hip")},
        ("Meridian slim jeans", "waist or hip in inches"),
    ),
    ErrorCode.NO_FITTING_SIZE: (
        InvalidInputError,
        {
            "sku": "FSH-2001",
            "name": "Alpine rain jacket",
            "brand": "Northwind",
            "direction": "above",
            "smallest": "XS",
            "largest": "XL",
        },
        ("larger than the largest size", "from XS to XL"),
    ),
    # --- commerce (cart, checkout, promotions): samples of this desk go right below this line ---
    ErrorCode.CART_EMPTY: (
        InvalidStateError,
        {"last_order_id": "ORD-400001"},
        ("cart is empty", "ORD-400001", "do not place it again"),
    ),
    ErrorCode.CART_ITEM_NOT_FOUND: (
        NotFoundError,
        {"variant_id": 7, "items": ("1 The Lighthouse Keeper, hardcover",)},
        ("not in the cart", "1 The Lighthouse Keeper, hardcover"),
    ),
    ErrorCode.VARIANT_NOT_IN_CATALOGUE: (NotFoundError, {"variant_id": 99999}, ("not in the catalogue",)),
    ErrorCode.OUT_OF_STOCK: (
        InvalidStateError,
        {
            "sku": "FSH-2001",
            "item_name": "Alpine rain jacket",
            "variant": "size M, red",
            "requested": 1,
            "available": 0,
        },
        ("Alpine rain jacket (size M, red) is out of stock",),
    ),
    ErrorCode.CART_QUANTITY_OUT_OF_RANGE: (
        InvalidInputError,
        {"item_name": "Alpine rain jacket", "quantity": 12, "in_cart": 8, "min": 1, "max": 10},
        ("already has 8", "at most 2 more"),
    ),
    ErrorCode.CART_FULL: (InvalidStateError, {"max_lines": 20}, ("20 different items",)),
    ErrorCode.CHECKOUT_NO_ADDRESS: (InvalidStateError, {}, ("no shipping address",)),
    ErrorCode.CHECKOUT_ACCOUNT_LOCKED: (InvalidStateError, {}, ("locked for security",)),
    ErrorCode.CHECKOUT_TOTAL_CHANGED: (
        InvalidStateError,
        {"expected_cents": 12452, "total_cents": 13741},
        ("$137.41", "$124.52", "Nothing was ordered"),
    ),
    ErrorCode.PROMO_NOT_FOUND: (NotFoundError, {"code": "SAVE100"}, ("no promotion code SAVE100",)),
    ErrorCode.PROMO_NOT_STARTED: (
        InvalidStateError,
        {"code": "HOLIDAY20", "starts_on": dt.date(2026, 12, 2)},
        ("HOLIDAY20", "December 2"),
    ),
    ErrorCode.PROMO_EXPIRED: (
        InvalidStateError,
        {"code": "SUMMER30", "ended_on": dt.date(2026, 9, 19)},
        ("SUMMER30 expired on September 19",),
    ),
    ErrorCode.PROMO_MEMBERSHIP: (
        InvalidStateError,
        {"code": "GOLD25", "tier": "gold", "customer_tier": "standard"},
        ("GOLD25", "gold members only", "standard"),
    ),
    ErrorCode.PROMO_ALREADY_USED: (
        InvalidStateError,
        {"code": "SAVE10", "order_id": "ORD-100202"},
        ("SAVE10", "ORD-100202", "once per customer"),
    ),
    ErrorCode.PROMO_CATEGORY: (
        InvalidStateError,
        {"code": "BOOKS15", "category": "books"},
        ("BOOKS15 only applies to books items",),
    ),
    ErrorCode.PROMO_MIN_SPEND: (
        InvalidStateError,
        {
            "code": "TAKE20",
            "category": None,
            "min_spend_cents": 10000,
            "eligible_subtotal_cents": 2400,
            "short_cents": 7600,
        },
        ("$100.00", "$24.00", "$76.00 short"),
    ),
    ErrorCode.PROMO_ALREADY_APPLIED: (InvalidStateError, {"code": "SAVE10"}, ("SAVE10 is already applied",)),
    ErrorCode.PROMO_ONE_PER_ORDER: (
        InvalidStateError,
        {"code": "SAVE10", "current_code": "BOOKS15"},
        ("one promotion per order", "BOOKS15", "SAVE10"),
    ),
    # --- account (security, personalization): samples of this desk go right below this line ---
    ErrorCode.CHARGE_NOT_FOUND: (NotFoundError, {"charge_id": "CHG-810008"}, ("no charge CHG-810008",)),
    ErrorCode.CHARGE_NOT_MATCHED: (
        InvalidInputError,
        {
            "reference": "the one from Paris",
            "charges": (("CHG-810008", 48900, "Lagos Gadget Hub", "Lagos, Nigeria", dt.date(2026, 11, 16)),),
        },
        ("the one from Paris", "CHG-810008, $489.00 at Lagos Gadget Hub, Lagos, Nigeria, November 16", "Ask which"),
    ),
    ErrorCode.CHARGE_AMBIGUOUS: (
        InvalidInputError,
        {
            "reference": "the small one",
            "charges": (
                ("CHG-810009", 100, "VRFY*Online Services", "Bucharest, Romania", dt.date(2026, 11, 15)),
                ("CHG-810010", 149, "VRFY*Online Services", "Bucharest, Romania", dt.date(2026, 11, 15)),
            ),
        },
        ("Several charges", "CHG-810009, $1.00", "CHG-810010, $1.49", "which one"),
    ),
    ErrorCode.TOO_MANY_CHARGES: (InvalidInputError, {"count": 12, "limit": 10}, ("12 charges", "at most 10")),
    ErrorCode.CHARGE_NOT_DISPUTABLE: (
        InvalidStateError,
        {"charge_id": "CHG-810008", "status": "disputed", "window_days": 120},
        ("CHG-810008", "already reported as fraud"),
    ),
    ErrorCode.ACCOUNT_ALREADY_LOCKED: (
        InvalidStateError,
        {"locked_at": dt.datetime(2026, 11, 18, 15, 0)},
        ("already locked", "November 18", "only a person"),
    ),
    ErrorCode.RESET_RECENTLY_SENT: (
        InvalidStateError,
        {"sent_to": "p***@example.com", "expires_at": dt.datetime(2026, 11, 18, 15, 30)},
        ("p***@example.com", "15:30 UTC"),
    ),
    ErrorCode.PREFERENCE_KEY_UNKNOWN: (
        InvalidInputError,
        {"key": "password", "allowed": ("favourite_category", "clothing_size")},
        ("The preference 'password' cannot be saved", "favourite_category, clothing_size"),
    ),
    ErrorCode.PREFERENCE_VALUE_INVALID: (
        InvalidInputError,
        {"key": "clothing_size", "expected": "one of XS, S, M, L, XL, XXL"},
        ("clothing size", "one of XS, S, M, L, XL, XXL"),
    ),
    ErrorCode.BEHAVIOR_LIMIT_REACHED: (InvalidInputError, {"limit": 20}, ("already noted 20",)),
    # --- sellers: samples of this desk go right below this line ---
    ErrorCode.SELLER_NOT_FOUND: (NotFoundError, {"reference": "Lakesde Hom"}, ("Lakesde Hom", "store's name")),
    ErrorCode.SELLER_AMBIGUOUS: (
        NotFoundError,
        {"reference": "lamp", "options": (("Lakeside Home Goods", "Brass desk lamp"), ("Oak & Ember", ""))},
        ("lamp", "Lakeside Home Goods (sells the Brass desk lamp)", "Oak & Ember", "which one"),
    ),
    ErrorCode.SELLER_NOT_ON_ORDER: (
        InvalidStateError,
        {"order_id": "ORD-100101", "seller_name": "Raman Books & Prints", "sellers": ("Northpeak Outfitters",)},
        ("ORD-100101", "Raman Books & Prints", "Northpeak Outfitters"),
    ),
    ErrorCode.SELLER_ISSUE_ALREADY_OPEN: (
        InvalidStateError,
        {"issue_id": "SIS-610002", "seller_name": "Lakeside Home Goods", "order_id": "ORD-100202"},
        ("SIS-610002", "Lakeside Home Goods", "ORD-100202", "already open"),
    ),
    ErrorCode.SELLER_ISSUE_NEEDS_ORDER: (
        InvalidInputError,
        {"kind": "not_received", "seller_name": "Lakeside Home Goods"},
        ("Lakeside Home Goods", "not received", "which order"),
    ),
    ErrorCode.SELLER_ISSUE_KIND_UNKNOWN: (
        InvalidInputError,
        {"kind": "rude", "kinds": ("not_as_described", "other")},
        ("'rude'", "not_as_described, other"),
    ),
    ErrorCode.SELLER_MESSAGE_LIMIT: (
        InvalidStateError,
        {"seller_name": "Lakeside Home Goods", "limit": 3},
        ("3 messages", "Lakeside Home Goods", "daily limit"),
    ),
    ErrorCode.NO_SELLER_STORE: (NotFoundError, {"customer_id": "CUS-1001"}, ("does not own a seller store",)),
    ErrorCode.LISTING_NOT_FOUND: (
        NotFoundError,
        {"reference": "skillet", "listings": ("Brass desk lamp", "Walnut side table")},
        ("'skillet'", "Brass desk lamp, Walnut side table"),
    ),
    ErrorCode.LISTING_AMBIGUOUS: (
        NotFoundError,
        {"reference": "lamp", "options": (("HOM-4001", "Brass desk lamp"), ("HOM-6003", "Amber table lamp"))},
        ("Brass desk lamp (HOM-4001)", "Amber table lamp (HOM-6003)"),
    ),
    ErrorCode.LISTING_VARIANT_REQUIRED: (
        InvalidInputError,
        {"sku": "FSH-6001", "name": "Linen shirt", "variants": ("size M, blue", "size L, blue")},
        ("Linen shirt (FSH-6001)", "size M, blue; size L, blue"),
    ),
    ErrorCode.LISTING_VARIANT_NOT_FOUND: (
        NotFoundError,
        {"sku": "FSH-6001", "name": "Linen shirt", "reference": "XXL", "variants": ("size M, blue",)},
        ("Linen shirt (FSH-6001)", "'XXL'", "size M, blue"),
    ),
    ErrorCode.LISTING_STOCK_OUT_OF_RANGE: (
        InvalidInputError,
        {"quantity": -5, "minimum": 0, "maximum": 10000},
        ("from 0 to 10,000", "-5 is not possible"),
    ),
    ErrorCode.LISTING_STOCK_UNCHANGED: (
        InvalidInputError,
        {"sku": "HOM-4001", "name": "Brass desk lamp", "variant": "", "quantity": 25},
        ("Brass desk lamp already has 25 units",),
    ),
    # --- advanced features: samples of this desk go right below this line ---
    ErrorCode.FEATURE_PRODUCT_UNKNOWN: (NotFoundError, {"sku": "HOM-0000"}, ("no product HOM-0000",)),
    ErrorCode.ALREADY_ON_WISHLIST: (
        InvalidStateError,
        {"sku": "ELC-3002", "name": "27-inch 4K monitor"},
        ("27-inch 4K monitor is already on the caller's wishlist",),
    ),
    ErrorCode.NOT_ON_WISHLIST: (
        NotFoundError,
        {"sku": "HOM-4002", "name": "Cast iron skillet", "wishlist": ("Brass desk lamp", "27-inch 4K monitor")},
        ("Cast iron skillet is not on the caller's wishlist", "Brass desk lamp, 27-inch 4K monitor"),
    ),
    ErrorCode.WISHLIST_FULL: (InvalidStateError, {"max_items": 50}, ("most items allowed (50)",)),
    ErrorCode.PRICE_ALERT_NOT_FOUND: (
        NotFoundError,
        {"alert_id": "ALR-710001"},
        ("no active price alert ALR-710001 on this caller's account",),
    ),
    ErrorCode.PRICE_ALERT_EXISTS: (
        InvalidStateError,
        {"alert_id": "ALR-710001", "name": "27-inch 4K monitor", "target_price_cents": 29900},
        ("ALR-710001", "27-inch 4K monitor", "$299.00", "cancel that alert first"),
    ),
    ErrorCode.PRICE_ALERT_LIMIT: (InvalidStateError, {"max_alerts": 10}, ("10 active price alerts",)),
    ErrorCode.PRICE_ALERT_TARGET_NOT_BELOW: (
        InvalidInputError,
        {"name": "Brass desk lamp", "target_price_cents": 6500, "current_price_cents": 5900},
        ("Brass desk lamp costs $59.00 now", "target of $65.00 would not be a drop", "lower target price"),
    ),
    ErrorCode.PRICE_ALERT_TARGET_INVALID: (
        InvalidInputError,
        {"target_price_cents": -500, "max_price_cents": 10_000_000},
        ("positive amount in dollars of at most $100,000",),
    ),
    ErrorCode.SUBSCRIPTION_NOT_FOUND: (
        NotFoundError,
        {"subscription_id": "SUB-720001"},
        ("no subscription SUB-720001 on this caller's account",),
    ),
    ErrorCode.NOT_SUBSCRIBABLE: (
        InvalidStateError,
        {"sku": "ELC-3002", "name": "27-inch 4K monitor", "kinds": ("coffee", "tea")},
        ("27-inch 4K monitor cannot be subscribed to", "consumables"),
    ),
    ErrorCode.SUBSCRIPTION_VARIANT_REQUIRED: (
        InvalidInputError,
        {"sku": "HOM-4901", "name": "Ridgeline house blend coffee beans", "variants": ("12 oz", "2 lb")},
        ("several sizes", "12 oz, 2 lb"),
    ),
    ErrorCode.SUBSCRIBE_OUT_OF_STOCK: (
        InvalidStateError,
        {"sku": "HOM-4906", "name": "Cedar soy wax candle", "variant": ""},
        ("Cedar soy wax candle is out of stock",),
    ),
    ErrorCode.SUBSCRIPTION_EXISTS: (
        InvalidStateError,
        {"subscription_id": "SUB-720001", "name": "Ridgeline house blend coffee beans", "status": "paused"},
        ("already has subscription SUB-720001", "(paused)"),
    ),
    ErrorCode.SUBSCRIPTION_INTERVAL_INVALID: (
        InvalidInputError,
        {"every_weeks": 3, "allowed": (2, 4, 8)},
        ("every 2, 4 or 8 weeks",),
    ),
    ErrorCode.SUBSCRIPTION_QUANTITY_INVALID: (
        InvalidInputError,
        {"quantity": 9, "max_quantity": 6},
        ("1 to 6 units",),
    ),
    ErrorCode.SUBSCRIPTION_LIMIT: (InvalidStateError, {"max_subscriptions": 20}, ("20 subscriptions",)),
    ErrorCode.SUBSCRIPTION_STATE: (
        InvalidStateError,
        {"subscription_id": "SUB-720002", "name": "coffee filters", "status": "paused", "action": "pause"},
        ("SUB-720002", "is paused, so it cannot be paused"),
    ),
    ErrorCode.TIMEOUT: (ServiceTimeoutError, {"seconds": 3.0}, ("did not answer in time",)),
}


def sample(code: ErrorCode) -> ServiceError:
    cls, details, _ = SAMPLES[code]
    return cls(code, **details)


def test_every_code_has_a_sample_and_a_sentence() -> None:
    assert set(SAMPLES) == set(ErrorCode)
    assert set(tool_errors._SENTENCES) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_each_code_gets_its_own_sentence_with_the_facts(code: ErrorCode) -> None:
    sentence = sentence_for(sample(code))

    assert sentence != GENERIC_SENTENCE
    assert sentence[:1].isupper() and sentence == sentence.strip(), sentence
    for fragment in SAMPLES[code][2]:
        assert fragment in sentence, (code, sentence)
    assert code.value not in sentence  # the model reads words, not codes


# The sentences the model received before errors became typed: the tools layer keeps them word for word.
# fmt: off
UNCHANGED = [
    (ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-100201"}, "There is no order ORD-100201 on this caller's account."),
    (ErrorCode.RETURN_NOT_FOUND, {"return_id": "RET-599999"},
     "There is no return RET-599999 on this caller's account."),
    (ErrorCode.ITEM_NOT_FOUND, {"order_id": "ORD-100101", "sku": "FSH-9999", "items": ITEMS[:1]},
     "Order ORD-100101 has no item FSH-9999. Items: FSH-2001 Alpine rain jacket"),
    (ErrorCode.ITEM_REQUIRED, {"order_id": "ORD-100101", "items": ITEMS},
     "Order ORD-100101 has several items; ask which one: FSH-2001 Alpine rain jacket, HOM-4001 Brass desk lamp"),
    (ErrorCode.RETURN_ALREADY_OPEN, {"return_id": "RET-500001", "item_name": "Alpine rain jacket"},
     "Return RET-500001 is already open for the Alpine rain jacket."),
    (ErrorCode.PICKUP_NOT_ALLOWED, {"return_id": "RET-500001", "status": "refunded"},
     "Return RET-500001 is refunded; a pickup cannot be booked."),
    (ErrorCode.ALREADY_REFUNDED, {"return_id": "RET-500001"}, "Return RET-500001 was already refunded."),
    (ErrorCode.PICKUP_REQUIRED, {"return_id": "RET-500001"},
     "Return RET-500001 needs a pickup booked before the refund can be issued."),
    (ErrorCode.NOT_DELIVERED, {"order_id": "ORD-100102", "status": "in_transit", "issue_kind": "wrong_item"},
     "Order ORD-100102 has not been delivered yet, so it cannot be reported wrong item."),
    (ErrorCode.NOT_DELIVERED, {"order_id": "ORD-100102", "status": "in_transit"},
     "Order ORD-100102 is in transit; only delivered orders can be returned."),
    (ErrorCode.DELIVERY_NOT_MODIFIABLE, {"order_id": "ORD-100101", "status": "delivered"},
     "Order ORD-100101 is delivered; its delivery can no longer be changed."),
    (ErrorCode.ALREADY_DELIVERED, {"order_id": "ORD-100101"}, "Order ORD-100101 was already delivered."),
    (ErrorCode.NOT_LATE, {"order_id": "ORD-100102", "expected": NOV_20},
     "Order ORD-100102 is not late: it is expected by November 20."),
    (ErrorCode.NOTHING_TO_CHANGE, {"order_id": "ORD-100102"},
     "Nothing to change: give a new delivery date or delivery instructions."),
    (ErrorCode.DELIVERY_DATE_NOT_FUTURE, {}, "The new delivery date must be after today."),
    (ErrorCode.DELIVERY_BEFORE_EXPECTED, {"expected": NOV_20},
     "The carrier cannot deliver before the expected date, November 20."),
    (ErrorCode.FIELD_MISSING, {"field": "return reason", "max_len": 300},
     "Give the reason for the return in a sentence (under 300 characters)."),
    (ErrorCode.FIELD_TOO_LONG, {"field": "return reason", "max_len": 300, "length": 301},
     "Give the reason for the return in a sentence (under 300 characters)."),
    (ErrorCode.FIELD_MISSING, {"field": "issue description", "max_len": 300},
     "Describe the problem in one or two sentences (under 300 characters)."),
    (ErrorCode.FIELD_TOO_LONG, {"field": "delivery instructions", "max_len": 300, "length": 301},
     "Delivery instructions must be under 300 characters."),
    (ErrorCode.FIELD_MISSING, {"field": "search query", "max_len": 100},
     "Say in a few words what product the caller is looking for."),
    (ErrorCode.FIELD_TOO_LONG, {"field": "search query", "max_len": 100, "length": 10_000},
     "Say in a few words what product the caller is looking for."),
    (ErrorCode.BAD_ZIP, {"field": "ZIP code"}, "The ZIP code must be five digits; ask the caller to repeat it."),
    (ErrorCode.ACCOUNT_LOCKED, {}, "This account is temporarily locked after several failed identity checks."),
    (ErrorCode.TIMEOUT, {"seconds": 3.0},
     "The account system did not answer in time. Apologize and offer to try again."),
    (ErrorCode.WRITE_CONFLICT, {},
     "That change conflicts with one made a moment ago; nothing was saved. Check the current state."),
]
# fmt: on


@pytest.mark.parametrize(
    ("code", "details", "sentence"), UNCHANGED, ids=[f"{code.value}-{i}" for i, (code, _, _) in enumerate(UNCHANGED)]
)
def test_the_wording_the_model_relied_on_is_unchanged(code: ErrorCode, details: dict[str, Any], sentence: str) -> None:
    assert sentence_for(ServiceError(code, **details)) == sentence


@pytest.mark.parametrize(
    ("details", "starts"),
    [
        ({"field": "street", "max_len": 120}, "The street is missing; ask the caller to repeat it."),
        ({"field": "ticket reason", "max_len": 500}, "Say in one sentence why a person should follow up"),
    ],
)
def test_field_sentences_say_what_to_provide(details: dict[str, Any], starts: str) -> None:
    assert sentence_for(InvalidInputError(ErrorCode.FIELD_MISSING, **details)).startswith(starts)


def test_an_address_field_too_long_names_the_limit() -> None:
    err = InvalidInputError(ErrorCode.FIELD_TOO_LONG, field="city", max_len=60, length=61)

    assert sentence_for(err) == "The city is too long (at most 60 characters); ask the caller to repeat it."


# --- fallbacks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        pytest.param(InvalidStateError(ErrorCode.ALREADY_REFUNDED), GENERIC_SENTENCE, id="missing-fact"),
        pytest.param(
            InvalidInputError(ErrorCode.NOT_LATE, order_id="ORD-100102", expected="soon"),
            GENERIC_SENTENCE,
            id="fact-of-the-wrong-type",
        ),
        pytest.param(
            NotFoundError(ErrorCode.ORDER_NOT_FOUND),
            "That record was not found on this caller's account.",
            id="not-found-without-its-id",
        ),
        pytest.param(
            ServiceTimeoutError(),
            "The account system did not answer in time. Apologize and offer to try again.",
            id="timeout-without-seconds",
        ),
    ],
)
def test_missing_or_wrong_facts_fall_back_to_a_safe_sentence(err: ServiceError, expected: str) -> None:
    assert sentence_for(err) == expected


def test_a_code_without_a_sentence_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(tool_errors._SENTENCES, ErrorCode.ALREADY_REFUNDED)

    assert sentence_for(sample(ErrorCode.ALREADY_REFUNDED)) == GENERIC_SENTENCE
    assert sentence_for(sample(ErrorCode.ORDER_NOT_FOUND)) == "There is no order ORD-100201 on this caller's account."


def test_a_service_error_built_without_its_constructor_falls_back() -> None:
    class Odd(ServiceError):
        def __init__(self) -> None:  # a subclass that skips ServiceError.__init__: no code, no details
            Exception.__init__(self, "odd")

    assert sentence_for(Odd()) == GENERIC_SENTENCE


@pytest.mark.parametrize(
    "hostile",
    ["\ud800" * 50, "ORD-1\x00\x1b[31m", "x" * 100_000, "RET-\udcff\u202e1"],
    ids=["surrogates", "nul-and-escape", "huge", "surrogate-and-bidi"],
)
def test_hostile_facts_are_never_echoed_back(hostile: str) -> None:
    for err in (
        NotFoundError(ErrorCode.ORDER_NOT_FOUND, order_id=hostile),
        NotFoundError(ErrorCode.ITEM_NOT_FOUND, order_id=hostile, sku=hostile, items=((hostile, hostile),)),
        InvalidInputError(ErrorCode.TEXT_NOT_ENCODABLE, field=hostile, problem="nul", position=0),
    ):
        sentence = sentence_for(err)

        sentence.encode("utf-8")  # no lone surrogate survives
        assert sentence.isprintable(), sentence
        assert len(sentence) < 400
        assert hostile not in sentence or len(hostile) <= 3
        str(err).encode("utf-8")  # the log description is printable too (repr escapes)
        assert len(str(err)) < 600


# --- service_errors() ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_service_errors_turns_a_service_error_into_its_sentence_and_keeps_the_cause() -> None:
    err = sample(ErrorCode.NOT_LATE)

    with pytest.raises(ToolError) as raised:
        async with service_errors():
            raise err

    assert raised.value.message == "Order ORD-100102 is not late: it is expected by November 20."
    assert raised.value.__cause__ is err


@pytest.mark.asyncio
async def test_service_errors_keeps_the_locked_out_cause_for_the_auth_tool() -> None:
    with pytest.raises(ToolError) as raised:
        async with service_errors():
            raise LockedOutError(locked_until=dt.datetime(2026, 11, 18, 15, 30))

    assert isinstance(raised.value.__cause__, LockedOutError)
    assert "temporarily locked" in raised.value.message


@pytest.mark.asyncio
async def test_service_errors_lets_other_exceptions_through() -> None:
    with pytest.raises(KeyError):
        async with service_errors():
            raise KeyError("not a service error")
