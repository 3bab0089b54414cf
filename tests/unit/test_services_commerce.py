"""CartService and PromotionService: cart lines, stock, totals to the cent, each promotion rule, checkout.

Seeded at Wednesday 2026-11-18 (``services.commerce_seed``): Marcus (standard, Chicago IL 6.25%) has
The Lighthouse Keeper hardcover ($24.00) and the silver headphones ($199.00) in his cart with BOOKS15,
and redeemed SAVE10 on ORD-100202. Ava (gold, San Francisco CA 7.25%) and Priya (standard, Seattle WA
6.5%) have empty carts. The Alpine rain jacket (FSH-2001, $129.00) has 6 of each size and colour,
except size M red and XL black (none) and XS red (one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services.cart import (
    DEFAULT_TAX_MPCT,
    MAX_LINE_QUANTITY,
    STANDARD_SHIPPING_CENTS,
    STATE_TAX_MPCT,
    price_cart,
    tax_rate_for,
)
from services.commerce_seed import MARCUS_CART_TOTAL_CENTS, PROMOTIONS
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.promotions import discount_for, normalise_code, spoken_code_candidates
from services.views import AddressView, CartLineView, PromotionView

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
CA = AddressView("221 Pine Street", "San Francisco", "CA", "94104")


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    return err.code, dict(err.details)


async def variant(
    query: Query, services: Services, sku: str, *, size: str = "", colour: str = "", fmt: str = ""
) -> int:
    ((vid,),) = await query(
        services,
        "select id from product_variants where sku = :sku and size = :size and colour = :colour and format = :fmt",
        sku=sku,
        size=size,
        colour=colour,
        fmt=fmt,
    )
    return int(vid)


async def jacket(query: Query, services: Services, size: str = "M", colour: str = "navy") -> int:
    return await variant(query, services, "FSH-2001", size=size, colour=colour)


async def state(services: Services, query: Query) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a commerce write can touch (the "nothing was written" check)."""
    tables = {
        "cart_items": "select customer_id, variant_id, quantity from cart_items order by id",
        "cart_promotions": "select customer_id, code from cart_promotions order by customer_id",
        "redemptions": "select customer_id, code, order_id from promotion_redemptions order by id",
        "orders": "select id from orders order by id",
        "charges": "select id from charges order by id",
        "stock": "select id, stock from product_variants order by id",
        "product_stock": "select sku, stock from products order by sku",
    }
    return {name: await query(services, sql) for name, sql in tables.items()}


# --- the spoken-code normaliser -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("SAVE10", "SAVE10"),
        ("save10", "SAVE10"),
        ("save ten", "SAVE10"),
        ("Save 10", "SAVE10"),
        ("SAVE-10", "SAVE10"),
        ("s a v e 1 0", "SAVE10"),
        ("s-a-v-e-1-0", "SAVE10"),
        ("save one zero", "SAVE10"),
        ("save one oh", "SAVE10"),
        ("the code is save ten", "SAVE10"),
        ("promo code save ten percent off", "SAVE10"),
        ("save 10%", "SAVE10"),
        ("books fifteen", "BOOKS15"),
        ("gold twenty five", "GOLD25"),
        ("gold twenty-five", "GOLD25"),
        ("take twenty", "TAKE20"),
        ("take two zero", "TAKE20"),
        ("home five", "HOME5"),
        ("ＳＡＶＥ１０", "SAVE10"),
        ("It's HOLIDAY20", "HOLIDAY20"),
    ],
)
def test_spoken_codes_are_normalised(said: str, code: str) -> None:
    assert code in spoken_code_candidates(said)


def test_the_most_literal_reading_comes_first_and_nothing_is_invented() -> None:
    assert normalise_code("save ten") == "SAVE10"
    assert spoken_code_candidates("the code is save ten") == ("THECODEISSAVE10", "SAVE10")
    assert spoken_code_candidates("oh, save ten") == ("OHSAVE10", "SAVE10")
    assert spoken_code_candidates("") == ()
    assert spoken_code_candidates("%%%") == ("PERCENTPERCENTPERCENT",)
    assert spoken_code_candidates("x" * 30) == ()
    assert normalise_code("SAVE10' OR '1'='1") == "SAVE10OR11"


# --- pure pricing rules ---------------------------------------------------------------------------------


def _line(sku: str, category: str, cents: int, qty: int = 1, fmt: str = "") -> CartLineView:
    return CartLineView(1, sku, sku, category, "", "", fmt, cents, qty, 99)


def test_state_tax_table_and_region_forms() -> None:
    assert len(STATE_TAX_MPCT) == 51
    assert tax_rate_for("CA") == ("CA", 7250)
    assert tax_rate_for("Illinois") == ("IL", 6250)
    assert tax_rate_for(" wa ") == ("WA", 6500)
    assert tax_rate_for("new york") == ("NY", 4000)
    assert tax_rate_for("OR") == ("OR", 0)
    assert tax_rate_for("PR") == ("PR", DEFAULT_TAX_MPCT)
    assert tax_rate_for(None) == ("", 0)


def test_tax_is_rounded_half_up_on_the_discounted_goods_and_gift_cards_are_not_taxed() -> None:
    address = AddressView("1400 Alder Way", "Seattle", "WA", "98101")
    view = price_cart([_line("BOK-1", "books", 1500)], None, tier="standard", address=address)
    assert (view.subtotal_cents, view.tax_cents, view.shipping_cents, view.total_cents) == (1500, 98, 599, 2197)
    gift = price_cart([_line("GFT-5001", "gift_cards", 5000)], None, tier="standard", address=address)
    assert (gift.tax_cents, gift.shipping_cents, gift.free_shipping, gift.total_cents) == (0, 0, "digital items", 5000)
    mixed = price_cart(
        [_line("GFT-5001", "gift_cards", 5000), _line("BOK-1", "books", 2400)], None, tier="standard", address=CA
    )
    assert mixed.tax_cents == 174  # 7.25% of $24.00 only


def test_shipping_policy() -> None:
    cheap = [_line("BOK-1", "books", 3499)]
    assert price_cart(cheap, None, tier="standard", address=CA).shipping_cents == STANDARD_SHIPPING_CENTS
    assert price_cart([_line("BOK-1", "books", 3500)], None, tier="standard", address=CA).free_shipping == (
        "order of $35 or more"
    )
    assert price_cart(cheap, None, tier="gold", address=CA).free_shipping == "gold member"
    ebook = [_line("BOK-1", "books", 1200, fmt="ebook")]
    assert price_cart(ebook, None, tier="standard", address=CA).shipping_cents == 0
    assert price_cart([], None, tier="standard", address=CA).total_cents == 0


def test_discounts_round_half_up_are_capped_and_never_exceed_what_counts() -> None:
    def promo(kind: str, value: int, cap: int | None = None) -> PromotionView:
        return PromotionView("X", "", kind, value, None, 0, None, dt.date(2026, 1, 1), dt.date(2027, 1, 1), cap)

    assert discount_for(promo("percent", 10), 1999) == (200, False)
    assert discount_for(promo("percent", 15), 1490) == (224, False)  # 223.5 → 224
    assert discount_for(promo("percent", 25, 4000), 25800) == (4000, True)
    assert discount_for(promo("fixed", 2000), 1500) == (1500, False)
    assert discount_for(promo("fixed", 500, 300), 10000) == (300, True)


# --- promotions -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_current_promotions_are_the_active_ones(services: Services) -> None:
    codes = [p.code for p in await services.promotions.current_promotions()]
    assert codes == ["FLASH15", "STYLE20", "HOME5", "SAVE10", "GOLD25", "BOOKS15", "TAKE20", "TECH10"]
    assert "SUMMER30" not in codes and "HOLIDAY20" not in codes
    books = [p.code for p in await services.promotions.current_promotions("books")]
    assert books == ["FLASH15", "SAVE10", "GOLD25", "BOOKS15", "TAKE20"]
    assert len(PROMOTIONS) == 10


@pytest.mark.asyncio
async def test_a_promotion_reads_its_terms(services: Services) -> None:
    save = await services.promotions.get_promotion("save ten")
    assert save.terms() == "10% off everything, up to $50.00 off"
    take = await services.promotions.get_promotion("TAKE20")
    assert take.terms() == "$20.00 off orders of $100.00 or more"
    gold = await services.promotions.get_promotion("gold twenty five")
    assert gold.terms() == "25% off everything, up to $40.00 off, gold members only"
    tech = await services.promotions.get_promotion("TECH10")
    assert tech.terms() == "10% off electronics items of $50.00 or more, up to $25.00 off"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("customer", "code", "rule", "details"),
    [
        (AVA.id, "HOLIDAY20", ErrorCode.PROMO_NOT_STARTED, {"code": "HOLIDAY20", "starts_on": dt.date(2026, 12, 2)}),
        (AVA.id, "SUMMER30", ErrorCode.PROMO_EXPIRED, {"code": "SUMMER30", "ended_on": dt.date(2026, 9, 19)}),
        (
            MARCUS.id,
            "GOLD25",
            ErrorCode.PROMO_MEMBERSHIP,
            {"code": "GOLD25", "tier": "gold", "customer_tier": "standard"},
        ),
        (MARCUS.id, "SAVE10", ErrorCode.PROMO_ALREADY_USED, {"code": "SAVE10", "order_id": "ORD-100202"}),
        (MARCUS.id, "STYLE20", ErrorCode.PROMO_CATEGORY, {"code": "STYLE20", "category": "fashion"}),
        (
            MARCUS.id,
            "HOME5",
            ErrorCode.PROMO_CATEGORY,
            {"code": "HOME5", "category": "home"},
        ),
    ],
)
async def test_each_rule_names_what_failed(
    services: Services, customer: str, code: str, rule: ErrorCode, details: dict[str, Any]
) -> None:
    check = await services.promotions.check_eligibility(customer, code)
    assert not check.eligible and check.discount_cents == 0
    assert (check.failed_rule, dict(check.facts)) == (rule.value, details)
    with pytest.raises(InvalidStateError) as err:
        await services.promotions.calculate_discount(customer, code)
    assert facts(err.value) == (rule, details)


@pytest.mark.asyncio
async def test_minimum_spend_counts_only_the_promotions_category(services: Services, query: Query) -> None:
    # TECH10 needs $50 of electronics: Marcus has $199 of headphones; TAKE20 needs $100 of anything.
    tech = await services.promotions.check_eligibility(MARCUS.id, "TECH10")
    assert (tech.eligible, tech.eligible_subtotal_cents, tech.discount_cents, tech.capped) == (True, 19900, 1990, False)
    await services.cart.add_item(PRIYA.id, await variant(query, services, "BOK-1001", fmt="paperback"), 2)
    take = await services.promotions.check_eligibility(PRIYA.id, "take twenty")
    assert (take.failed_rule, dict(take.facts)) == (
        ErrorCode.PROMO_MIN_SPEND.value,
        {
            "code": "TAKE20",
            "category": None,
            "min_spend_cents": 10000,
            "eligible_subtotal_cents": 3000,
            "short_cents": 7000,
        },
    )
    await services.cart.add_item(PRIYA.id, await variant(query, services, "ELC-3001", colour="black"), 1)
    take = await services.promotions.check_eligibility(PRIYA.id, "TAKE20")
    assert (take.eligible, take.discount_cents) == (True, 2000)


@pytest.mark.asyncio
async def test_a_code_ending_today_still_works_and_the_cap_applies(services: Services, query: Query) -> None:
    await services.cart.add_item(AVA.id, await jacket(query, services), 2)
    flash = await services.promotions.check_eligibility(AVA.id, "FLASH15")
    assert (flash.eligible, flash.discount_cents, flash.promotion.ends_on) == (True, 1500, dt.date(2026, 11, 18))
    gold = await services.promotions.calculate_discount(AVA.id, "GOLD25")
    assert (gold.eligible_subtotal_cents, gold.discount_cents, gold.capped) == (25800, 4000, True)


@pytest.mark.asyncio
@pytest.mark.parametrize("forged", ["SAVE100", "SAVE1", "SAVE10X", "PRM-2601", "SAVE%", "save10' or 1=1 --", "*"])
async def test_a_forged_code_is_not_found(services: Services, forged: str) -> None:
    with pytest.raises(NotFoundError) as err:
        await services.promotions.check_eligibility(AVA.id, forged)
    assert err.value.code is ErrorCode.PROMO_NOT_FOUND


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("value", "code"),
    [("", ErrorCode.FIELD_MISSING), ("x" * 61, ErrorCode.FIELD_TOO_LONG), (10, ErrorCode.NOT_TEXT),
     ("SAVE\x0010", ErrorCode.TEXT_NOT_ENCODABLE)],
)  # fmt: skip
async def test_unusable_code_text_is_refused(services: Services, value: Any, code: ErrorCode) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.promotions.check_eligibility(AVA.id, value)
    assert err.value.code is code and err.value.details["field"] == "promotion code"


@pytest.mark.asyncio
async def test_apply_sets_the_carts_single_promotion_and_replaces_only_when_told(
    services: Services, query: Query
) -> None:
    with pytest.raises(InvalidStateError) as err:
        await services.promotions.apply_promo_code(AVA.id, "SAVE10")
    assert facts(err.value) == (ErrorCode.CART_EMPTY, {"last_order_id": None})
    await services.cart.add_item(AVA.id, await jacket(query, services), 1)
    check, current = await services.promotions.check_apply(AVA.id, "save ten")
    assert (check.promotion.code, check.discount_cents, current) == ("SAVE10", 1290, None)
    assert await query(services, "select count(*) from cart_promotions where customer_id = :c", c=AVA.id) == [(0,)]
    await services.promotions.apply_promo_code(AVA.id, "save ten")
    assert (await services.cart.view(AVA.id)).discount_cents == 1290
    with pytest.raises(InvalidStateError) as err:
        await services.promotions.apply_promo_code(AVA.id, "SAVE10")
    assert facts(err.value) == (ErrorCode.PROMO_ALREADY_APPLIED, {"code": "SAVE10"})
    check, current = await services.promotions.check_apply(AVA.id, "STYLE20")
    assert (check.discount_cents, current) == (2580, "SAVE10")
    with pytest.raises(InvalidStateError) as err:
        await services.promotions.apply_promo_code(AVA.id, "STYLE20")
    assert facts(err.value) == (ErrorCode.PROMO_ONE_PER_ORDER, {"code": "STYLE20", "current_code": "SAVE10"})
    await services.promotions.apply_promo_code(AVA.id, "STYLE20", replace=True)
    assert await query(services, "select code from cart_promotions where customer_id = :c", c=AVA.id) == [("STYLE20",)]
    assert (await services.cart.view(AVA.id)).discount_cents == 2580


@pytest.mark.asyncio
async def test_a_refused_promotion_writes_nothing(services: Services, query: Query) -> None:
    before = await state(services, query)
    for code in ("GOLD25", "SAVE10", "SUMMER30", "NOPE"):
        with pytest.raises(ServiceError):
            await services.promotions.apply_promo_code(MARCUS.id, code, replace=True)
    assert await state(services, query) == before
    assert (await services.promotions.applied_promotion(MARCUS.id)).promotion.code == "BOOKS15"  # type: ignore[union-attr]


# --- cart lines -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_marcus_seeded_cart_totals_to_the_cent(services: Services) -> None:
    view = await services.cart.view(MARCUS.id)
    assert [(line.sku, line.variant_label, line.quantity) for line in view.lines] == [
        ("BOK-1001", "hardcover", 1),
        ("ELC-3001", "silver", 1),
    ]
    assert (view.subtotal_cents, view.discount_cents, view.tax_cents, view.shipping_cents, view.total_cents) == (
        22300,
        360,
        1371,
        0,
        MARCUS_CART_TOTAL_CENTS,
    )
    assert (view.tax_region, view.tax_rate_text, view.free_shipping) == ("IL", "6.25%", "order of $35 or more")


@pytest.mark.asyncio
async def test_add_merges_lines_and_prices_with_tax_and_gold_shipping(services: Services, query: Query) -> None:
    vid = await jacket(query, services)
    line = await services.cart.check_add(AVA.id, vid, 2)
    assert (line.name, line.variant_label, line.quantity, line.unit_price_cents) == (
        "Alpine rain jacket",
        "size M, navy",
        2,
        12900,
    )
    assert await query(services, "select count(*) from cart_items where customer_id = :c", c=AVA.id) == [(0,)]
    await services.cart.add_item(AVA.id, vid, 2)
    view = await services.cart.add_item(AVA.id, vid, 3)
    assert [(line.variant_id, line.quantity) for line in view.lines] == [(vid, 5)]
    assert await query(services, "select quantity from cart_items where customer_id = :c", c=AVA.id) == [(5,)]
    # 5 × $129.00 = $645.00; CA 7.25% = $46.7625 → $46.76; gold: free shipping.
    assert (view.subtotal_cents, view.tax_cents, view.shipping_cents, view.total_cents) == (64500, 4676, 0, 69176)
    assert view.free_shipping == "gold member"


@pytest.mark.asyncio
@pytest.mark.parametrize(("first", "then"), [(0, None), (11, None), (-1, None), (6, 5), (10, 1)])
async def test_quantity_bounds(services: Services, query: Query, first: int, then: int | None) -> None:
    vid = await jacket(query, services)
    if then is None:
        with pytest.raises(InvalidInputError) as err:
            await services.cart.add_item(AVA.id, vid, first)
        assert facts(err.value) == (
            ErrorCode.CART_QUANTITY_OUT_OF_RANGE,
            {"item_name": "Alpine rain jacket", "quantity": first, "in_cart": 0, "min": 1, "max": MAX_LINE_QUANTITY},
        )
        return
    await services.cart.add_item(AVA.id, vid, min(first, 6))
    with pytest.raises(ServiceError) as refused:
        await services.cart.add_item(AVA.id, vid, then)
    assert refused.value.code in (ErrorCode.CART_QUANTITY_OUT_OF_RANGE, ErrorCode.OUT_OF_STOCK)
    assert await query(services, "select quantity from cart_items where customer_id = :c", c=AVA.id) == [
        (min(first, 6),)
    ]


@pytest.mark.asyncio
async def test_stock_is_checked_and_the_shortage_named(services: Services, query: Query) -> None:
    with pytest.raises(InvalidStateError) as err:
        await services.cart.add_item(AVA.id, await jacket(query, services, "M", "red"), 1)
    assert facts(err.value) == (
        ErrorCode.OUT_OF_STOCK,
        {"sku": "FSH-2001", "item_name": "Alpine rain jacket", "variant": "size M, red", "requested": 1,
         "available": 0},
    )  # fmt: skip
    with pytest.raises(InvalidStateError) as err:
        await services.cart.add_item(AVA.id, await jacket(query, services, "XS", "red"), 2)
    assert err.value.details["available"] == 1
    with pytest.raises(NotFoundError) as missing:
        await services.cart.add_item(AVA.id, 999_999, 1)
    assert facts(missing.value) == (ErrorCode.VARIANT_NOT_IN_CATALOGUE, {"variant_id": 999_999})
    assert await query(services, "select count(*) from cart_items where customer_id = :c", c=AVA.id) == [(0,)]


@pytest.mark.asyncio
async def test_set_quantity_changes_and_removes_only_the_callers_own_lines(services: Services, query: Query) -> None:
    book = await variant(query, services, "BOK-1001", fmt="hardcover")
    with pytest.raises(NotFoundError) as err:
        await services.cart.set_quantity(AVA.id, book, 0)  # Marcus's line: not Ava's
    assert facts(err.value) == (ErrorCode.CART_ITEM_NOT_FOUND, {"variant_id": book, "items": ()})
    view = await services.cart.set_quantity(MARCUS.id, book, 3)
    assert [line.quantity for line in view.lines] == [3, 1]
    with pytest.raises(InvalidInputError):
        await services.cart.set_quantity(MARCUS.id, book, 11)
    view = await services.cart.set_quantity(MARCUS.id, book, 0)
    assert [line.sku for line in view.lines] == ["ELC-3001"]
    # BOOKS15 stays on the cart but no longer applies: no book left.
    assert view.promotion is not None and view.promotion.failed_rule == ErrorCode.PROMO_CATEGORY.value
    assert view.discount_cents == 0


# --- checkout ---------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_checkout_places_the_order_charges_the_card_and_empties_the_cart(
    services: Services, query: Query
) -> None:
    vid = await jacket(query, services)
    await services.cart.add_item(AVA.id, vid, 1)
    await services.promotions.apply_promo_code(AVA.id, "SAVE10")
    quote = await services.cart.quote_checkout(AVA.id)
    # $129.00 − $12.90 = $116.10; CA 7.25% = $8.417 → $8.42; gold: free shipping.
    assert (quote.subtotal_cents, quote.discount_cents, quote.tax_cents, quote.shipping_cents) == (12900, 1290, 842, 0)
    assert quote.total_cents == 12452
    ((max_charge,),) = await query(services, "select max(id) from charges")
    placed = await services.cart.checkout(AVA.id, expected_total_cents=12452)
    assert placed.order_id == "ORD-400001" and placed.total_cents == 12452
    assert placed.charge_id == f"CHG-{int(max_charge.split('-')[1]) + 1}"
    assert placed.expected_delivery == dt.date(2026, 11, 23)
    assert await query(
        services,
        "select customer_id, status, placed_at, expected_delivery, subtotal_cents, discount_cents, tax_cents, "
        "shipping_cents, promo_code, payment_method from orders where id = 'ORD-400001'",
    ) == [("CUS-1001", "processing", "2026-11-18 15:00:00.000000", "2026-11-23", 12900, 1290, 842, 0, "SAVE10", "card")]
    assert await query(
        services, "select sku, quantity, unit_price_cents, variant_id from order_items where order_id = 'ORD-400001'"
    ) == [("FSH-2001", 1, 12900, vid)]
    assert await query(services, "select location, description from tracking_events where order_id = 'ORD-400001'") == [
        ("Marketplace warehouse, Reno NV", "Order received and being prepared")
    ]
    assert await query(
        services, "select customer_id, code, discount_cents from promotion_redemptions where order_id = 'ORD-400001'"
    ) == [("CUS-1001", "SAVE10", 1290)]
    assert await query(
        services,
        "select customer_id, order_id, amount_cents, merchant, status, risk_score from charges where id = :id",
        id=placed.charge_id,
    ) == [("CUS-1001", "ORD-400001", 12452, "Marketplace", "posted", 0)]
    assert await query(services, "select stock from product_variants where id = :v", v=vid) == [(5,)]
    assert await query(services, "select count(*) from cart_items where customer_id = :c", c=AVA.id) == [(0,)]
    assert await query(services, "select count(*) from cart_promotions where customer_id = :c", c=AVA.id) == [(0,)]
    # Order tracking sees it, first in the list.
    orders = await services.orders.list_orders(AVA.id)
    assert orders[0].id == "ORD-400001" and orders[0].status == "processing"
    order = await services.orders.get_order(AVA.id, "ORD-400001")
    assert [(i.sku, i.quantity) for i in order.items] == [("FSH-2001", 1)]
    # The code was used once: not again.
    check = await services.promotions.check_eligibility(AVA.id, "SAVE10")
    assert check.failed_rule == ErrorCode.PROMO_ALREADY_USED.value


@pytest.mark.asyncio
async def test_checkout_twice_does_not_order_twice(services: Services, query: Query) -> None:
    product_stock = "select stock from products where sku = 'ELC-3001'"
    ((before,),) = await query(services, product_stock)
    first = await services.cart.checkout(MARCUS.id, expected_total_cents=MARCUS_CART_TOTAL_CENTS)
    assert first.order_id == "ORD-400001" and first.promo_code == "BOOKS15"
    snapshot = await state(services, query)
    with pytest.raises(InvalidStateError) as err:
        await services.cart.checkout(MARCUS.id, expected_total_cents=MARCUS_CART_TOTAL_CENTS)
    assert facts(err.value) == (ErrorCode.CART_EMPTY, {"last_order_id": "ORD-400001"})
    assert await state(services, query) == snapshot
    assert await query(services, product_stock) == [(before - 1,)]
    # The next order gets the next number.
    await services.cart.add_item(PRIYA.id, await variant(query, services, "BOK-1001", fmt="ebook"), 1)
    assert (await services.cart.checkout(PRIYA.id)).order_id == "ORD-400002"


@pytest.mark.asyncio
async def test_checkout_refusals_write_nothing(services: Services, query: Query) -> None:
    before = await state(services, query)
    with pytest.raises(InvalidStateError) as err:
        await services.cart.checkout(PRIYA.id)
    assert facts(err.value) == (ErrorCode.CART_EMPTY, {"last_order_id": None})
    with pytest.raises(InvalidStateError) as err:
        await services.cart.checkout(MARCUS.id, expected_total_cents=MARCUS_CART_TOTAL_CENTS - 1)
    assert facts(err.value) == (
        ErrorCode.CHECKOUT_TOTAL_CHANGED,
        {"expected_cents": MARCUS_CART_TOTAL_CENTS - 1, "total_cents": MARCUS_CART_TOTAL_CENTS},
    )
    assert await state(services, query) == before


@pytest.mark.asyncio
async def test_checkout_refuses_a_line_out_of_stock(services: Services, query: Query) -> None:
    headphones = await variant(query, services, "ELC-3001", colour="silver")
    await services.cart.set_quantity(MARCUS.id, headphones, 4)
    await _sql(services, "update product_variants set stock = 3 where id = :v", v=headphones)
    before = await state(services, query)
    with pytest.raises(InvalidStateError) as err:
        await services.cart.quote_checkout(MARCUS.id)
    assert facts(err.value) == (
        ErrorCode.OUT_OF_STOCK,
        {"sku": "ELC-3001", "item_name": "Noise-cancelling headphones", "variant": "silver", "requested": 4,
         "available": 3},
    )  # fmt: skip
    with pytest.raises(InvalidStateError):
        await services.cart.checkout(MARCUS.id)
    assert await state(services, query) == before


@pytest.mark.asyncio
async def test_checkout_refuses_a_locked_account_and_a_missing_address(services: Services, query: Query) -> None:
    before = await state(services, query)
    await _sql(
        services,
        "update customers set security_locked_at = :t where id = :c",
        t=dt.datetime(2026, 11, 18, 9),
        c=MARCUS.id,
    )
    with pytest.raises(InvalidStateError) as err:
        await services.cart.checkout(MARCUS.id)
    assert err.value.code is ErrorCode.CHECKOUT_ACCOUNT_LOCKED
    await _sql(services, "update customers set security_locked_at = null where id = :c", c=MARCUS.id)
    await _sql(services, "delete from addresses where customer_id = :c", c=MARCUS.id)
    with pytest.raises(InvalidStateError) as err:
        await services.cart.quote_checkout(MARCUS.id)
    assert err.value.code is ErrorCode.CHECKOUT_NO_ADDRESS
    view = await services.cart.view(MARCUS.id)
    assert (view.tax_cents, view.tax_region, view.address) == (0, "", None)
    assert await state(services, query) == before


@pytest.mark.asyncio
async def test_a_promotion_that_no_longer_applies_is_left_out_of_the_order(services: Services, query: Query) -> None:
    book = await variant(query, services, "BOK-1001", fmt="hardcover")
    view = await services.cart.set_quantity(MARCUS.id, book, 0)
    # $199.00, IL 6.25% = $12.4375 → $12.44, free shipping.
    assert (view.discount_cents, view.tax_cents, view.total_cents) == (0, 1244, 21144)
    placed = await services.cart.checkout(MARCUS.id, expected_total_cents=21144)
    assert (placed.promo_code, placed.discount_cents) == (None, 0)
    assert await query(services, "select promo_code from orders where id = :o", o=placed.order_id) == [(None,)]
    assert await query(
        services, "select count(*) from promotion_redemptions where order_id = :o", o=placed.order_id
    ) == [(0,)]
    assert await query(services, "select count(*) from cart_promotions where customer_id = :c", c=MARCUS.id) == [(0,)]


@pytest.mark.asyncio
async def test_concurrent_checkouts_of_one_cart_place_one_order(open_at: OpenAt, query: Query) -> None:
    a, b = await open_at(), await open_at()
    results = await asyncio.gather(a.cart.checkout(MARCUS.id), b.cart.checkout(MARCUS.id), return_exceptions=True)
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], InvalidStateError)
    assert refused[0].code in (ErrorCode.CART_EMPTY, ErrorCode.WRITE_CONFLICT)
    assert await query(a, "select count(*) from orders where customer_id = :c and id >= 'ORD-400000'", c=MARCUS.id) == [
        (1,)
    ]
    assert await query(a, "select count(*) from charges where customer_id = :c and order_id is not null "
                          "and order_id >= 'ORD-400000'", c=MARCUS.id) == [(1,)]  # fmt: skip


@pytest.mark.asyncio
async def test_concurrent_checkouts_of_different_carts_get_distinct_orders_and_the_last_unit_once(
    open_at: OpenAt, query: Query
) -> None:
    a, b = await open_at(), await open_at()
    last = await jacket(query, a, "XS", "red")  # one left
    await a.cart.add_item(AVA.id, last, 1)
    await a.cart.add_item(PRIYA.id, last, 1)
    results = await asyncio.gather(a.cart.checkout(AVA.id), b.cart.checkout(PRIYA.id), return_exceptions=True)
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], InvalidStateError) and refused[0].code is ErrorCode.OUT_OF_STOCK
    assert await query(a, "select stock from product_variants where id = :v", v=last) == [(0,)]
    loser = PRIYA.id if placed[0].order_id and results[0] is placed[0] else AVA.id  # type: ignore[union-attr]
    await a.cart.set_quantity(loser, last, 0)
    # Two carts with stock to spare: both orders, distinct numbers.
    await a.cart.add_item(AVA.id, await jacket(query, a, "S", "navy"), 1)
    await a.cart.add_item(PRIYA.id, await jacket(query, a, "L", "navy"), 1)
    both = await asyncio.gather(a.cart.checkout(AVA.id), b.cart.checkout(PRIYA.id))
    ids = {placed[0].order_id, *(p.order_id for p in both)}  # type: ignore[union-attr]
    assert ids == {"ORD-400001", "ORD-400002", "ORD-400003"}


async def _sql(services: Services, sql: str, **params: Any) -> None:
    from sqlalchemy import text

    async def _run(session: Any) -> None:
        await session.execute(text(sql), params)

    await services.db.run(_run, write=True)
