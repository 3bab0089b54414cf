"""The sales and promotions desks' confirmed writes, for the shared hostile write suites (merged into
``writes.WRITES``).

Cart writes are observed as **units in carts** (one row per unit of each line), so adding one jacket
or raising a line from 1 to 2 each shows as exactly one more row. The codes are applied on Ava's cart
holding the rain jacket (prepared before the call); the order is placed from Marcus's seeded cart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from services.demo_data import AVA, MARCUS
from worker.testing import OfflineCall

from .conftest import seed
from .writes import Write

UNITS_IN_CARTS = (
    "select c.customer_id, c.variant_id, k.n from cart_items c join ("
    + " union all ".join(f"select {n} as n" for n in range(1, 11))
    + ") k on k.n <= c.quantity"
)
"""One row per unit in every cart (a line's quantity is at most 10)."""


async def jacket_in_avas_cart(services: Any) -> None:
    """Put one Alpine rain jacket, size M, navy in Ava's cart (before the call)."""

    async def _variant(session: Any) -> int:
        found = await session.scalar(
            text("select id from product_variants where sku = 'FSH-2001' and size = 'M' and colour = 'navy'")
        )
        return int(found)

    await services.cart.add_item(AVA.id, await services.db.run(_variant), 1)


@dataclass(frozen=True)
class CartWrite(Write):
    """A write of the cart: its rows are the units in every cart."""

    async def rows(self, call: OfflineCall) -> list[tuple[Any, ...]]:
        return sorted(map(tuple, await call.query(UNITS_IN_CARTS)))


@dataclass(frozen=True)
class CodeWrite(Write):
    """A promotion code applied to Ava's cart, which holds the rain jacket."""

    async def prepare(self, db_url: str) -> None:
        await seed(db_url, jacket_in_avas_cart)


WRITES_COMMERCE: tuple[Write, ...] = (
    CartWrite(
        "add_to_cart",
        "sales",
        {"product": "Alpine rain jacket", "quantity": 1, "size": "M", "colour": "navy"},
        "cart_items",
        request="Add the Alpine rain jacket, size M in navy, to my cart",
        customer=AVA,
    ),
    CartWrite(
        "update_cart_item",
        "sales",
        {"item": "the Lighthouse Keeper", "quantity": 2},
        "cart_items",
        request="Make it two copies of The Lighthouse Keeper",
        customer=MARCUS,
    ),
    CodeWrite(
        "apply_promotion",
        "sales",
        {"code": "save ten"},
        "cart_promotions",
        request="Use the code save ten",
        customer=AVA,
    ),
    CodeWrite(
        "apply_promo_code",
        "promotions",
        {"code": "SAVE10"},
        "cart_promotions",
        request="Please apply SAVE10",
        customer=AVA,
    ),
    Write(
        "place_order",
        "sales",
        {},
        "orders",
        request="Check out my cart please",
        customer=MARCUS,
    ),
)
"""Add and change as units in carts; codes on Ava's prepared cart (one ``cart_promotions`` row); the order from
Marcus's seeded cart (one more ``orders`` row)."""
