"""The seeded demo customers: the one fixture that demos, the bundled caller recording and tests use.

Every value here is seeded by :func:`services.seed.seed_database` (secrets stored only as digests).
Dates are offsets in days from the day the database is seeded (``today``), so that a delivered
order is always inside or outside the return window as described, whatever the calendar date.

=========  ============  ============  ==========  =====  =====  =====================================
customer   first name    phone         born        SSN4   card4  orders (status, days since delivery)
=========  ============  ============  ==========  =====  =====  =====================================
CUS-1001   Ava Thompson  415-555-0134  1988-04-12  4821   7702   ORD-100101 jacket, delivered 10 d ago
                                                                 ORD-100102 headphones, in transit
                                                                 ORD-100103 novel, delivered 45 d ago
CUS-1002   Marcus Lee    312-555-0178  1975-11-03  3390   5518   ORD-100201 monitor, delivered 5 d ago
                                                                 ORD-100202 desk lamp, processing
CUS-1003   Priya Raman   206-555-0112  1992-07-28  6604   9021   ORD-100301 skillet, out for delivery
                                                                 ORD-100302 gift card, delivered 3 d ago
=========  ============  ============  ==========  =====  =====  =====================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoItem:
    sku: str
    name: str
    category: str
    price_cents: int
    quantity: int = 1


@dataclass(frozen=True)
class DemoOrder:
    id: str
    status: str
    items: tuple[DemoItem, ...]
    placed_days_ago: int
    delivered_days_ago: int | None = None
    """Days before seeding that the order was delivered; ``None`` if not delivered."""
    expected_in_days: int | None = None
    """Days after seeding that an undelivered order is expected."""
    carrier: str = "UPS"


@dataclass(frozen=True)
class DemoCustomer:
    id: str
    first_name: str
    last_name: str
    phone: str
    """E.164."""
    date_of_birth: dt.date
    ssn_last4: str
    card_last4: str
    email: str
    address: tuple[str, str, str, str]
    """(line1, city, region, postal_code)."""
    orders: tuple[DemoOrder, ...] = field(default_factory=tuple)
    loyalty_tier: str = "standard"


JACKET = DemoItem("FSH-2001", "Alpine rain jacket", "fashion", 12900)
HEADPHONES = DemoItem("ELC-3001", "Noise-cancelling headphones", "electronics", 19900)
NOVEL = DemoItem("BOK-1001", "The Lighthouse Keeper, hardcover", "books", 2400)
MONITOR = DemoItem("ELC-3002", "27-inch 4K monitor", "electronics", 32900)
LAMP = DemoItem("HOM-4001", "Brass desk lamp", "home", 5900)
SKILLET = DemoItem("HOM-4002", "Cast iron skillet, 12 inch", "home", 4500)
GIFT_CARD = DemoItem("GFT-5001", "Marketplace gift card, 50 dollars", "gift_cards", 5000)

AVA = DemoCustomer(
    id="CUS-1001",
    first_name="Ava",
    last_name="Thompson",
    phone="+14155550134",
    date_of_birth=dt.date(1988, 4, 12),
    ssn_last4="4821",
    card_last4="7702",
    email="ava.thompson@example.com",
    address=("221 Pine Street", "San Francisco", "CA", "94104"),
    loyalty_tier="gold",
    orders=(
        DemoOrder("ORD-100101", "delivered", (JACKET,), placed_days_ago=14, delivered_days_ago=10),
        DemoOrder("ORD-100102", "in_transit", (HEADPHONES,), placed_days_ago=3, expected_in_days=2, carrier="FedEx"),
        DemoOrder("ORD-100103", "delivered", (NOVEL,), placed_days_ago=50, delivered_days_ago=45, carrier="USPS"),
    ),
)
MARCUS = DemoCustomer(
    id="CUS-1002",
    first_name="Marcus",
    last_name="Lee",
    phone="+13125550178",
    date_of_birth=dt.date(1975, 11, 3),
    ssn_last4="3390",
    card_last4="5518",
    email="marcus.lee@example.com",
    address=("88 Wacker Drive, Apt 12", "Chicago", "IL", "60601"),
    orders=(
        DemoOrder("ORD-100201", "delivered", (MONITOR,), placed_days_ago=9, delivered_days_ago=5),
        DemoOrder("ORD-100202", "processing", (LAMP,), placed_days_ago=1, expected_in_days=6),
    ),
)
PRIYA = DemoCustomer(
    id="CUS-1003",
    first_name="Priya",
    last_name="Raman",
    phone="+12065550112",
    date_of_birth=dt.date(1992, 7, 28),
    ssn_last4="6604",
    card_last4="9021",
    email="priya.raman@example.com",
    address=("1400 Alder Way", "Seattle", "WA", "98101"),
    orders=(
        DemoOrder("ORD-100301", "out_for_delivery", (SKILLET,), placed_days_ago=4, expected_in_days=0),
        DemoOrder("ORD-100302", "delivered", (GIFT_CARD,), placed_days_ago=6, delivered_days_ago=3, carrier="USPS"),
    ),
)

DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (AVA, MARCUS, PRIYA)
"""All demo customers, in id order."""

RETURN_POLICY: tuple[tuple[str, int, bool, int, int, str], ...] = (
    # category, window days, returnable, defective window days, restocking fee %, note
    ("fashion", 30, True, 90, 0, "Unworn items with tags; worn items only if defective."),
    ("books", 30, True, 90, 0, "Books in resalable condition."),
    ("home", 30, True, 90, 0, "Unused items in original packaging."),
    ("electronics", 15, True, 90, 15, "Opened, non-defective electronics carry a 15% restocking fee."),
    ("gift_cards", 0, False, 0, 0, "Gift cards are final sale."),
)
"""The marketplace return policy, one row per category (seeded into ``return_policies``)."""
