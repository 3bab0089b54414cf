"""Seed rows of carts and promotions (deterministic; dates relative to the seeding day).

Promotions (``now`` is the seeding day; the tests seed on Wednesday 2026-11-18):

=========  ==================================================  ==============  =====================
code       rule                                                dates           worked example
=========  ==================================================  ==============  =====================
SAVE10     10% off everything, up to $50 off                   -10 .. +20 d    Ava's jacket: $12.90
BOOKS15    15% off books                                       -5 .. +25 d     on Marcus's cart
TAKE20     $20 off orders of $100 or more                      -3 .. +27 d     fixed + minimum spend
GOLD25     25% off everything for gold members, up to $40      -7 .. +23 d     Ava is gold, Marcus not
TECH10     10% off electronics of $50 or more, up to $25       -1 .. +30 d     capped category
HOME5      $5 off home items of $35 or more                    -2 .. +12 d     fixed + category minimum
STYLE20    20% off fashion, up to $30 off                      -4 .. +10 d     Ava's jacket: $25.80
FLASH15    $15 off orders of $75 or more                       -1 .. 0 d       ends today (still valid)
SUMMER30   30% off fashion                                     -120 .. -60 d   expired
HOLIDAY20  20% off everything                                  +14 .. +40 d    not started
=========  ==================================================  ==============  =====================

Demo facts (tests import the constants below):

* Marcus Lee (CUS-1002, standard tier, Chicago IL, 6.25%) has two items in his cart: 1 The Lighthouse
  Keeper, hardcover ($24.00) and 1 Noise-cancelling headphones, silver ($199.00), with BOOKS15 applied:
  subtotal $223.00, discount $3.60, tax $13.71 (6.25% of $219.40), shipping free (over $35), total
  $233.11. He already redeemed SAVE10 on ORD-100202 (the desk lamp, $5.90 off).
* Ava Thompson (CUS-1001, gold, San Francisco CA, 7.25%) has an empty cart and has redeemed nothing:
  the rain jacket size M navy ($129.00) with SAVE10 is $129.00 − $12.90 + $8.42 tax, free shipping
  (gold) = $124.52.
* Priya Raman (CUS-1003, standard, Seattle WA, 6.5%) has an empty cart.
* :data:`FILLER_CARTS` filler customers have one or two lines each, drawn with ``random.Random(COMMERCE_SEED)``
  from variants in stock.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .commerce_models import CartItem, CartPromotion, Promotion, PromotionRedemption
from .demo_data import MARCUS
from .ids import PROMO_CODE_ID
from .models import Customer, ProductVariant

COMMERCE_SEED = 4001
"""This desk's own random seed (the first checkout order number, ``ORD-400001``, minus 396000)."""
FILLER_CARTS = 6
"""Filler customers given a cart."""


@dataclass(frozen=True)
class SeedPromotion:
    """One seeded promotion; ``starts``/``ends`` are day offsets from the seeding day (both inclusive)."""

    code: str
    description: str
    kind: str
    value: int
    starts: int
    ends: int
    category: str | None = None
    min_spend_cents: int = 0
    membership_tier: str | None = None
    max_discount_cents: int | None = None


PROMOTIONS: tuple[SeedPromotion, ...] = (
    SeedPromotion("SAVE10", "Ten percent off everything", "percent", 10, -10, 20, max_discount_cents=5000),
    SeedPromotion("BOOKS15", "Fifteen percent off books", "percent", 15, -5, 25, category="books"),
    SeedPromotion("TAKE20", "Twenty dollars off orders of $100 or more", "fixed", 2000, -3, 27, min_spend_cents=10000),
    SeedPromotion(
        "GOLD25", "Gold members: 25% off", "percent", 25, -7, 23, membership_tier="gold", max_discount_cents=4000
    ),
    SeedPromotion(
        "TECH10",
        "Ten percent off electronics",
        "percent",
        10,
        -1,
        30,
        category="electronics",
        min_spend_cents=5000,
        max_discount_cents=2500,
    ),
    SeedPromotion("HOME5", "Five dollars off home goods", "fixed", 500, -2, 12, category="home", min_spend_cents=3500),
    SeedPromotion(
        "STYLE20", "Twenty percent off fashion", "percent", 20, -4, 10, category="fashion", max_discount_cents=3000
    ),
    SeedPromotion("FLASH15", "Flash sale: $15 off $75", "fixed", 1500, -1, 0, min_spend_cents=7500),
    SeedPromotion("SUMMER30", "Summer fashion sale", "percent", 30, -120, -60, category="fashion"),
    SeedPromotion("HOLIDAY20", "Holiday sale: 20% off everything", "percent", 20, 14, 40),
)
"""The seeded promotions (module table)."""

MARCUS_CART: tuple[tuple[str, str, str, str, int], ...] = (
    ("BOK-1001", "", "", "hardcover", 1),
    ("ELC-3001", "", "silver", "", 1),
)
"""Marcus's cart lines: (SKU, size, colour, format, quantity)."""
MARCUS_PROMO = "BOOKS15"
MARCUS_CART_TOTAL_CENTS = 23311
"""Marcus's cart total as the module docstring works it out."""
MARCUS_REDEEMED = ("SAVE10", "ORD-100202", 590)
"""(code, order, discount cents) Marcus already redeemed."""


async def seed_commerce(session: AsyncSession, *, now: dt.datetime) -> None:
    """Add the promotions, the demo cart, the demo redemption and the filler carts to ``session``.

    The catalogue (with its variants), the customers and the orders are flushed already.

    Args:
        session: The seeding transaction.
        now: The seeding instant (naive UTC, noon); relative dates are offsets from it.
    """
    today = now.date()
    for n, p in enumerate(PROMOTIONS):
        session.add(
            Promotion(
                code=p.code,
                id=PROMO_CODE_ID.format(2601 + n),
                description=p.description,
                kind=p.kind,
                value=p.value,
                category=p.category,
                min_spend_cents=p.min_spend_cents,
                membership_tier=p.membership_tier,
                starts_on=today + dt.timedelta(days=p.starts),
                ends_on=today + dt.timedelta(days=p.ends),
                max_discount_cents=p.max_discount_cents,
            )
        )
    await session.flush()

    for sku, size, colour, fmt, quantity in MARCUS_CART:
        variant = await session.scalar(
            select(ProductVariant).where(
                ProductVariant.sku == sku,
                ProductVariant.size == size,
                ProductVariant.colour == colour,
                ProductVariant.format == fmt,
            )
        )
        if variant is None:
            raise LookupError(f"the catalogue has no variant {sku} {size!r} {colour!r} {fmt!r} for Marcus's cart")
        session.add(
            CartItem(
                customer_id=MARCUS.id, variant_id=variant.id, quantity=quantity, added_at=now - dt.timedelta(days=1)
            )
        )
    session.add(CartPromotion(customer_id=MARCUS.id, code=MARCUS_PROMO, applied_at=now - dt.timedelta(days=1)))
    code, order_id, discount = MARCUS_REDEEMED
    session.add(
        PromotionRedemption(
            customer_id=MARCUS.id, code=code, order_id=order_id, discount_cents=discount, at=now - dt.timedelta(days=1)
        )
    )

    rng = random.Random(COMMERCE_SEED)
    fillers = list(await session.scalars(select(Customer.id).where(Customer.id.like("CUS-2%")).order_by(Customer.id)))
    in_stock = list(
        await session.scalars(select(ProductVariant.id).where(ProductVariant.stock >= 2).order_by(ProductVariant.id))
    )
    if not fillers or not in_stock:
        return
    for customer_id in rng.sample(fillers, min(FILLER_CARTS, len(fillers))):
        for variant_id in rng.sample(in_stock, rng.randint(1, 2)):
            session.add(
                CartItem(
                    customer_id=customer_id,
                    variant_id=variant_id,
                    quantity=rng.randint(1, 2),
                    added_at=now - dt.timedelta(days=rng.randint(0, 6)),
                )
            )
