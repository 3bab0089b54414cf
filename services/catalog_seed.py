"""The seeded catalogue: sellers, products and their variants (deterministic)."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from .demo_data import DEMO_CUSTOMERS
from .models import Product

CATALOG_PER_CATEGORY = 12
CATALOG_CATEGORIES = {
    "books": ["novel", "cookbook", "biography", "travel guide", "poetry collection", "atlas"],
    "electronics": ["earbuds", "tablet", "smart speaker", "keyboard", "webcam", "power bank"],
    "fashion": ["linen shirt", "wool sweater", "running shoes", "denim jacket", "scarf", "sneakers"],
    "home": ["throw blanket", "ceramic vase", "chef knife", "table lamp", "bath towels", "dutch oven"],
}


async def seed_catalog(
    session: AsyncSession, *, fake: Faker, rng: random.Random, now: dt.datetime
) -> dict[str, Product]:
    """Add the catalogue's rows to ``session``; return the products by SKU."""
    products: dict[str, Product] = {}
    for demo in DEMO_CUSTOMERS:
        for order in demo.orders:
            for item in order.items:
                products.setdefault(
                    item.sku,
                    Product(
                        sku=item.sku, name=item.name, category=item.category, price_cents=item.price_cents, stock=25
                    ),
                )
    prefixes = {"books": "BOK", "electronics": "ELC", "fashion": "FSH", "home": "HOM"}
    for category, nouns in CATALOG_CATEGORIES.items():
        for n in range(CATALOG_PER_CATEGORY):
            sku = f"{prefixes[category]}-{6000 + n}"
            name = f"{fake.color_name()} {nouns[n % len(nouns)]}"
            products[sku] = Product(
                sku=sku,
                name=name,
                category=category,
                price_cents=rng.randrange(900, 40000, 100),
                stock=rng.randrange(0, 80),
            )
    session.add_all(products.values())
    return products
