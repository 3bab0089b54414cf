"""Seed rows of the account desks: card charges (some suspicious) and shopping preferences.

Deterministic: charges are numbered in a fixed order (the demo customers' orders by order id, then
Priya's suspicious charges, then every filler customer's orders by order id) and the filler risk
scores come from ``random.Random(SEED)``; dates are offsets from the seeding ``now`` (noon).

Every order is charged to its customer's card at the moment it was placed, for the order's total, at
"Marketplace" in the customer's home city (so charges are consistent with the orders). The demo
facts (the seeding day is "today"; the tests run at Wednesday 2026-11-18):

==========  ========  ==========  ===========================================  ====================  ====  ====
charge      customer  amount      merchant — description                       location              when  risk
==========  ========  ==========  ===========================================  ====================  ====  ====
CHG-810001  CUS-1001  $129.00     Marketplace — rain jacket, order ORD-100101  San Francisco, CA     14 d   8
CHG-810002  CUS-1001  $199.00     Marketplace — headphones, order ORD-100102   San Francisco, CA      3 d  12
CHG-810003  CUS-1001  $24.00      Marketplace — novel, order ORD-100103        San Francisco, CA     50 d   5
CHG-810004  CUS-1002  $329.00     Marketplace — monitor, order ORD-100201      Chicago, IL            9 d  10
CHG-810005  CUS-1002  $59.00      Marketplace — desk lamp, order ORD-100202    Chicago, IL            1 d   6
CHG-810006  CUS-1003  $45.00      Marketplace — skillet, order ORD-100301      Seattle, WA            4 d   7
CHG-810007  CUS-1003  $50.00      Marketplace — gift card, order ORD-100302    Seattle, WA            6 d   9
CHG-810008  CUS-1003  $489.00     Lagos Gadget Hub — Electronics               Lagos, Nigeria         2 d  92
CHG-810009  CUS-1003  $1.00       VRFY*Online Services — Card verification     Bucharest, Romania     3 d  81
CHG-810010  CUS-1003  $1.49       VRFY*Online Services — Card verification     Bucharest, Romania     3 d  84
==========  ========  ==========  ===========================================  ====================  ====  ====

So Priya (CUS-1003) sees three **unusual** charges (risk ≥ 70) in her last 30 days: an overseas
electronics purchase and two small card-testing charges; Ava's novel charge is older than 30 days
(``verify_transaction`` does not read it; it can still be reported as fraud, within 120 days).

Preferences: Ava (CUS-1001) favours fashion, wears M, likes navy; Marcus (CUS-1002) favours
electronics with a $300.00 budget. Priya has none. No security case, lock or password reset is seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .account_models import Charge, Preference
from .demo_data import AVA, DEMO_CUSTOMERS, MARCUS, PRIYA
from .ids import CHARGE_ID
from .models import Address, Order, OrderItem, Product

SEED = 6104
"""This desk's own random seed (filler risk scores)."""
FIRST_CHARGE = 810001
"""Charges are numbered from ``CHG-810001``."""
MARKETPLACE = "Marketplace"
"""The merchant name on the statement for a marketplace order."""

DEMO_RISK: dict[str, int] = {
    "ORD-100101": 8,
    "ORD-100102": 12,
    "ORD-100103": 5,
    "ORD-100201": 10,
    "ORD-100202": 6,
    "ORD-100301": 7,
    "ORD-100302": 9,
}
"""Processor risk scores of the demo customers' order charges (all ordinary)."""


SUSPICIOUS: tuple[tuple[str, int, str, str, str, dt.timedelta, int], ...] = (
    # id, amount cents, merchant, description, location, age, risk score
    ("CHG-810008", 48900, "Lagos Gadget Hub", "Electronics", "Lagos, Nigeria", dt.timedelta(days=2, hours=3), 92),
    (
        "CHG-810009",
        100,
        "VRFY*Online Services",
        "Card verification",
        "Bucharest, Romania",
        dt.timedelta(days=3, hours=5),
        81,
    ),
    (
        "CHG-810010",
        149,
        "VRFY*Online Services",
        "Card verification",
        "Bucharest, Romania",
        dt.timedelta(days=3, hours=4, minutes=53),
        84,
    ),
)
"""Priya's suspicious charges (CUS-1003): an overseas electronics purchase and two card-testing charges."""
PRIYA_UNUSUAL = tuple(s[0] for s in SUSPICIOUS)
"""``("CHG-810008", "CHG-810009", "CHG-810010")``."""
PRIYA_LAGOS, PRIYA_TEST_CHARGES = PRIYA_UNUSUAL[0], PRIYA_UNUSUAL[1:]
AVA_JACKET_CHARGE, AVA_HEADPHONES_CHARGE, AVA_NOVEL_CHARGE = "CHG-810001", "CHG-810002", "CHG-810003"
MARCUS_MONITOR_CHARGE = "CHG-810004"
PRIYA_SKILLET_CHARGE, PRIYA_GIFT_CARD_CHARGE = "CHG-810006", "CHG-810007"

PREFERENCES: dict[str, dict[str, str]] = {
    AVA.id: {"favourite_category": "fashion", "clothing_size": "M", "colour": "navy"},
    MARCUS.id: {"favourite_category": "electronics", "budget_max": "30000"},
}
"""Seeded preferences (canonical values; ``budget_max`` in cents)."""


async def seed_accounts(session: AsyncSession, *, now: dt.datetime) -> None:
    """Add this desk's seed rows to ``session`` (the catalogue, customers and orders are flushed already).

    Args:
        session: The seeding transaction.
        now: The seeding instant (naive UTC, noon); relative dates are offsets from it.
    """
    rng = random.Random(SEED)
    demo_ids = {c.id for c in DEMO_CUSTOMERS}
    orders = list(await session.scalars(select(Order).order_by(Order.id)))
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, list[str]] = defaultdict(list)
    for item in await session.scalars(select(OrderItem).order_by(OrderItem.id)):
        totals[item.order_id] += item.quantity * item.unit_price_cents
        names[item.order_id].append(item.sku)
    cities = {a.customer_id: f"{a.city}, {a.region}" for a in await session.scalars(select(Address))}
    product_names = {sku: name for sku, name in await session.execute(select(Product.sku, Product.name))}

    number = FIRST_CHARGE
    for demo_first in (True, False):
        for order in orders:
            if (order.customer_id in demo_ids) != demo_first or order.id not in totals:
                continue
            items = ", ".join(product_names.get(sku, sku) for sku in names[order.id])
            ref = f", order {order.id}"
            description = items + ref if len(items + ref) <= 80 else items[: 79 - len(ref)] + "…" + ref
            session.add(
                Charge(
                    id=CHARGE_ID.format(number),
                    customer_id=order.customer_id,
                    order_id=order.id,
                    amount_cents=totals[order.id],
                    merchant=MARKETPLACE,
                    description=description,
                    location=cities.get(order.customer_id, "")[:80],
                    at=order.placed_at,
                    status="posted",
                    risk_score=DEMO_RISK.get(order.id, rng.randrange(1, 35)),
                )
            )
            number += 1
        if demo_first:
            for charge_id, cents, merchant, what, where, age, risk in SUSPICIOUS:
                assert charge_id == CHARGE_ID.format(number), "the demo charge ids are documented constants"
                session.add(
                    Charge(
                        id=charge_id,
                        customer_id=PRIYA.id,
                        order_id=None,
                        amount_cents=cents,
                        merchant=merchant,
                        description=what,
                        location=where,
                        at=now - age,
                        status="posted",
                        risk_score=risk,
                    )
                )
                number += 1

    for customer_id, prefs in PREFERENCES.items():
        for key, value in prefs.items():
            session.add(Preference(customer_id=customer_id, key=key, value=value, updated_at=now))
