"""Seed rows of wishlists, price alerts, subscriptions and bundles (deterministic; dates relative to
the seeding day), plus the subscribable home consumables the catalogue does not carry.

Demo facts (tests import the constants below; ``today`` is the seeding day):

=================  =========================================================================================
who                what
=================  =========================================================================================
consumables        HOM-4901 Ridgeline house blend coffee beans (12 oz $16.99, 2 lb $34.99), HOM-4902 cone
                   coffee filters 100 pack $5.49, HOM-4903 Earl Grey loose leaf tea $12.50, HOM-4904 lavender
                   dish soap $6.25, HOM-4905 refrigerator water filter $39.00, HOM-4906 cedar soy candle
                   $22.00 (out of stock). Subscribable by kind (:data:`services.advanced_features.SUBSCRIBABLE_KINDS`).
Ava CUS-1001       gold tier (subscriptions at 10 %). Wishlist: ELC-3002 27-inch 4K monitor ($329.00),
                   HOM-4001 brass desk lamp ($59.00), HOM-4901 coffee beans (from $16.99).
                   Alerts: ALR-710001 monitor at $299.00 (set at $329.00, not triggered);
                   ALR-710002 cast iron skillet HOM-4002 at $49.00 (set at $59.00; the skillet is $45.00 now:
                   **triggered**). No subscriptions.
Marcus CUS-1002    standard tier (5 %). SUB-720001 coffee beans 2 lb every 4 weeks, active, next delivery
                   today + 6 days, 5 %; SUB-720002 coffee filters every 8 weeks, paused, 5 %.
Priya CUS-1003     SUB-720003 dish soap, 2 units every 2 weeks, active, next delivery today + 10 days, 5 %.
bundles            BND-3001 home office set (monitor + desk lamp, 10 %: $388.00 → $349.20);
                   BND-3002 coffee lover's kit (coffee beans + filters, 15 %); BND-3003 rainy day reading
                   (rain jacket + novel, 5 %); BND-3004 cast iron kitchen (skillet + dish soap, 10 %);
                   BND-3005 listening corner (headphones + novel, 8 %); BND-3006 tea time (tea + candle,
                   10 %); BND-3007..BND-3010 drawn from the catalogue with :data:`FEATURE_SEED`.
filler             a few Faker customers have one to three wishlist items.
=================  =========================================================================================
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .demo_data import AVA, MARCUS, PRIYA
from .feature_models import Bundle, PriceAlert, Subscription, WishlistItem
from .ids import ALERT_ID, BUNDLE_ID, HOME_SKU, SUBSCRIPTION_ID
from .models import Customer, Product, ProductVariant, Seller

FEATURE_SEED = 7201
"""This desk's own ``random.Random`` seed (never the shared Faker of :mod:`services.seed`)."""


@dataclass(frozen=True)
class Consumable:
    sku: str
    name: str
    kind: str
    brand: str
    variants: tuple[tuple[str, int, int], ...]
    """``(size, price_cents, stock)`` per variant."""
    description: str


COFFEE = HOME_SKU.format(4901)
FILTERS = HOME_SKU.format(4902)
TEA = HOME_SKU.format(4903)
DISH_SOAP = HOME_SKU.format(4904)
WATER_FILTER = HOME_SKU.format(4905)
CANDLE = HOME_SKU.format(4906)

CONSUMABLES: tuple[Consumable, ...] = (
    Consumable(
        COFFEE,
        "Ridgeline house blend coffee beans",
        "coffee beans",
        "Ridgeline Roasters",
        (("12 oz", 1699, 40), ("2 lb", 3499, 25)),
        "Medium roast whole beans, roasted weekly.",
    ),
    Consumable(
        FILTERS,
        "Unbleached cone coffee filters, 100 pack",
        "coffee filters",
        "Brewright",
        (("", 549, 120),),
        "Number 4 cone filters.",
    ),
    Consumable(
        TEA,
        "Earl Grey loose leaf tea, 8 oz",
        "loose leaf tea",
        "Harbor Tea Co.",
        (("", 1250, 35),),
        "Black tea with bergamot.",
    ),
    Consumable(
        DISH_SOAP,
        "Lavender dish soap, 24 oz",
        "dish soap",
        "Clearwell",
        (("", 625, 60),),
        "Plant-based, biodegradable.",
    ),
    Consumable(
        WATER_FILTER,
        "Refrigerator water filter",
        "water filter",
        "Clearwell",
        (("", 3900, 18),),
        "Replace every six months.",
    ),
    Consumable(
        CANDLE,
        "Cedar soy wax candle",
        "candle",
        "Hearthside",
        (("", 2200, 0),),
        "Forty-hour burn; back in stock soon.",
    ),
)
"""Subscribable home consumables this desk seeds (the catalogue has no consumables)."""

MONITOR, LAMP, SKILLET, JACKET, HEADPHONES, NOVEL = (
    "ELC-3002",
    "HOM-4001",
    "HOM-4002",
    "FSH-2001",
    "ELC-3001",
    "BOK-1001",
)

AVA_WISHLIST: tuple[tuple[str, int], ...] = ((MONITOR, 20), (LAMP, 12), (COFFEE, 3))
"""Ava's wishlist: ``(sku, days ago added)``."""
AVA_ALERT_MONITOR = ALERT_ID.format(710001)
AVA_ALERT_SKILLET = ALERT_ID.format(710002)
AVA_ALERTS: tuple[tuple[str, str, int, int, int], ...] = (
    (AVA_ALERT_MONITOR, MONITOR, 29900, 32900, 20),
    (AVA_ALERT_SKILLET, SKILLET, 4900, 5900, 30),
)
"""Ava's alerts: ``(id, sku, target cents, price when set cents, days ago)``; the skillet's is triggered."""

MARCUS_COFFEE_SUB = SUBSCRIPTION_ID.format(720001)
MARCUS_FILTERS_SUB = SUBSCRIPTION_ID.format(720002)
PRIYA_SOAP_SUB = SUBSCRIPTION_ID.format(720003)
SUBSCRIPTIONS: tuple[tuple[str, str, str, str, int, int, str, int, int], ...] = (
    # id, customer, sku, size, quantity, every weeks, status, next delivery in days, created days ago
    (MARCUS_COFFEE_SUB, MARCUS.id, COFFEE, "2 lb", 1, 4, "active", 6, 50),
    (MARCUS_FILTERS_SUB, MARCUS.id, FILTERS, "", 1, 8, "paused", 20, 40),
    (PRIYA_SOAP_SUB, PRIYA.id, DISH_SOAP, "", 2, 2, "active", 10, 18),
)
SUBSCRIPTION_DISCOUNT_PCT = 5
"""The seeded subscriptions' rate (Marcus and Priya are standard tier with fewer than five)."""

HOME_OFFICE_BUNDLE = BUNDLE_ID.format(3001)
COFFEE_BUNDLE = BUNDLE_ID.format(3002)
FIXED_BUNDLES: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    (HOME_OFFICE_BUNDLE, "Home office set", (MONITOR, LAMP), 10),
    (COFFEE_BUNDLE, "Coffee lover's kit", (COFFEE, FILTERS), 15),
    (BUNDLE_ID.format(3003), "Rainy day reading", (JACKET, NOVEL), 5),
    (BUNDLE_ID.format(3004), "Cast iron kitchen", (SKILLET, DISH_SOAP), 10),
    (BUNDLE_ID.format(3005), "Listening corner", (HEADPHONES, NOVEL), 8),
    (BUNDLE_ID.format(3006), "Tea time", (TEA, CANDLE), 10),
)
DRAWN_BUNDLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cozy home trio", ("home", "home", "home")),
    ("Desk tech pair", ("electronics", "electronics")),
    ("Weekend outfit", ("fashion", "fashion")),
    ("Book club pair", ("books", "books")),
)
"""Bundles BND-3007..BND-3010: a name and the categories of the products drawn for it."""
FILLER_WISHLISTS = 8
"""Faker customers given a small wishlist."""


async def seed_features(session: AsyncSession, *, now: dt.datetime) -> None:
    """Add this desk's seed rows to ``session`` (the catalogue, customers and orders are flushed already).

    Args:
        session: The seeding transaction.
        now: The seeding instant (naive UTC, noon); relative dates are offsets from it.
    """
    rng = random.Random(FEATURE_SEED)
    today = now.date()
    await _seed_consumables(session)
    await session.flush()

    for sku, days in AVA_WISHLIST:
        session.add(WishlistItem(customer_id=AVA.id, sku=sku, added_at=now - dt.timedelta(days=days)))
    for alert_id, sku, target, when_set, days in AVA_ALERTS:
        session.add(
            PriceAlert(
                id=alert_id,
                customer_id=AVA.id,
                sku=sku,
                target_price_cents=target,
                price_when_set_cents=when_set,
                active=True,
                created_at=now - dt.timedelta(days=days),
            )
        )
    for sub_id, customer, sku, size, quantity, weeks, status, next_in, created_ago in SUBSCRIPTIONS:
        variant = await session.scalar(
            select(ProductVariant).where(ProductVariant.sku == sku, ProductVariant.size == size)
        )
        created = now - dt.timedelta(days=created_ago)
        session.add(
            Subscription(
                id=sub_id,
                customer_id=customer,
                sku=sku,
                variant_id=variant.id if variant is not None else None,
                quantity=quantity,
                every_weeks=weeks,
                discount_pct=SUBSCRIPTION_DISCOUNT_PCT,
                next_delivery=today + dt.timedelta(days=next_in),
                status=status,
                created_at=created,
                updated_at=created,
            )
        )

    for bundle_id, name, skus, pct in FIXED_BUNDLES:
        session.add(Bundle(id=bundle_id, name=name, skus=list(skus), discount_pct=pct))
    fixed = {s for _, _, skus, _ in FIXED_BUNDLES for s in skus}
    products = [p for p in await session.scalars(select(Product).order_by(Product.sku)) if p.sku not in fixed]
    for n, (name, categories) in enumerate(DRAWN_BUNDLES):
        chosen: list[str] = []
        for category in categories:
            pool = [p.sku for p in products if p.category == category and p.sku not in chosen]
            if pool:
                chosen.append(rng.choice(pool))
        if len(chosen) >= 2:
            session.add(
                Bundle(id=BUNDLE_ID.format(3007 + n), name=name, skus=chosen, discount_pct=rng.choice((5, 10, 12, 15)))
            )

    filler = list(await session.scalars(select(Customer.id).where(Customer.id.like("CUS-2%")).order_by(Customer.id)))
    for cid in rng.sample(filler, min(FILLER_WISHLISTS, len(filler))):
        for sku in rng.sample([p.sku for p in products], rng.randrange(1, 4)):
            session.add(WishlistItem(customer_id=cid, sku=sku, added_at=now - dt.timedelta(days=rng.randrange(1, 60))))


async def _seed_consumables(session: AsyncSession) -> None:
    """Add the :data:`CONSUMABLES` (with their variants) that the catalogue does not hold already."""
    seller = await session.scalar(
        select(Seller.id).where(Seller.owner_customer_id.is_(None)).order_by(Seller.id).limit(1)
    )
    for item in CONSUMABLES:
        if await session.get(Product, item.sku) is not None:
            continue
        session.add(
            Product(
                sku=item.sku,
                name=item.name,
                category="home",
                price_cents=min(price for _, price, _ in item.variants),
                stock=sum(stock for _, _, stock in item.variants),
                brand=item.brand,
                kind=item.kind,
                description=item.description,
                seller_id=seller,
                rating_tenths=45,
                attributes={"subscribable": True},
            )
        )
        for size, price, stock in item.variants:
            session.add(ProductVariant(sku=item.sku, size=size, price_cents=price, stock=stock))
