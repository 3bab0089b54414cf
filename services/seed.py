"""Deterministic seed data: the demo customers of :mod:`services.demo_data` plus Faker filler.

The Faker seed is fixed (592, after the disclosure's offer id) so every fresh database holds the
same rows; dates are offsets from the seeding day.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .account_seed import seed_accounts
from .catalog_seed import CATALOG_CATEGORIES, assign_store_owners, seed_catalog
from .clock import Clock
from .commerce_seed import seed_commerce
from .db import Database
from .demo_data import DEMO_CUSTOMERS, RETURN_POLICY, DemoCustomer, DemoOrder
from .feature_seed import seed_features
from .models import Address, Customer, Order, OrderItem, ReturnPolicy, TrackingEvent
from .security import digest_secret
from .seller_seed import seed_sellers

FAKER_SEED = 592
FILLER_CUSTOMERS = 40
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")


async def seed_database(db: Database, *, clock: Clock, salt: str) -> bool:
    """Create the schema and seed it if the customers table is empty.

    Args:
        db: Target database.
        clock: Defines "today" for the relative dates.
        salt: Secret salt for the SSN/card digests (``SECRET_SALT`` setting).

    Returns:
        ``True`` if rows were inserted, ``False`` if the database was already seeded.
    """
    await db.create_schema()

    async def _seed(session: AsyncSession) -> bool:
        if await session.scalar(select(func.count()).select_from(Customer)):
            return False
        await _seed_rows(session, clock=clock, salt=salt)
        return True

    # Seeding a fresh database is a one-off bulk write: give it more time than a caller's request.
    original = db.timeout_s
    db.timeout_s = max(original, 60.0)
    try:
        return await db.run(_seed, write=True)
    finally:
        db.timeout_s = original


async def _seed_rows(session: AsyncSession, *, clock: Clock, salt: str) -> None:
    now = clock.now().replace(hour=12, minute=0, second=0)
    fake = Faker("en_US")
    fake.seed_instance(FAKER_SEED)
    rng = random.Random(FAKER_SEED)

    for category, window, returnable, defective_window, fee, note in RETURN_POLICY:
        session.add(
            ReturnPolicy(
                category=category,
                window_days=window,
                returnable=returnable,
                defective_window_days=defective_window,
                restocking_fee_pct=fee,
                note=note,
            )
        )

    products = await seed_catalog(session, fake=fake, rng=rng, now=now)
    await session.flush()

    for demo in DEMO_CUSTOMERS:
        _add_customer(session, demo, now=now, salt=salt)

    catalog = [p for p in products.values() if p.category in CATALOG_CATEGORIES]
    for n in range(FILLER_CUSTOMERS):
        cid = f"CUS-{2001 + n}"
        customer = Customer(
            id=cid,
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            phone=f"+1{rng.randrange(201, 989)}555{2000 + n:04d}",
            date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=85),
            ssn_last4_digest=digest_secret(f"{rng.randrange(10000):04d}", salt=salt, customer_id=cid),
            card_last4_digest=digest_secret(f"{rng.randrange(10000):04d}", salt=salt, customer_id=cid),
            email=fake.unique.email(),
        )
        session.add(customer)
        session.add(
            Address(
                customer_id=cid,
                line1=fake.street_address(),
                city=fake.city(),
                region=fake.state_abbr(),
                postal_code=fake.postcode(),
                updated_at=now,
            )
        )
        for k in range(rng.randrange(1, 4)):
            product = rng.choice(catalog)
            delivered_ago = rng.choice([None, 2, 8, 20, 40])
            order = DemoOrder(
                id=f"ORD-{300000 + n * 10 + k}",
                status="delivered" if delivered_ago is not None else rng.choice(["processing", "in_transit"]),
                items=(),
                placed_days_ago=(delivered_ago or 0) + rng.randrange(2, 6),
                delivered_days_ago=delivered_ago,
                expected_in_days=None if delivered_ago is not None else rng.randrange(1, 6),
                carrier=rng.choice(CARRIERS),
            )
            _add_order(session, cid, order, [(product.sku, 1, product.price_cents)], now=now)

    await session.flush()
    await assign_store_owners(session)
    # Each desk's own rows, after the catalogue, customers and orders they refer to.
    for seed_domain in (seed_commerce, seed_accounts, seed_sellers, seed_features):
        await seed_domain(session, now=now)
        await session.flush()


def _add_customer(session: AsyncSession, demo: DemoCustomer, *, now: dt.datetime, salt: str) -> None:
    session.add(
        Customer(
            id=demo.id,
            first_name=demo.first_name,
            last_name=demo.last_name,
            phone=demo.phone,
            date_of_birth=demo.date_of_birth,
            ssn_last4_digest=digest_secret(demo.ssn_last4, salt=salt, customer_id=demo.id),
            card_last4_digest=digest_secret(demo.card_last4, salt=salt, customer_id=demo.id),
            email=demo.email,
            loyalty_tier=demo.loyalty_tier,
        )
    )
    line1, city, region, postal = demo.address
    session.add(Address(customer_id=demo.id, line1=line1, city=city, region=region, postal_code=postal, updated_at=now))
    for order in demo.orders:
        lines = [(i.sku, i.quantity, i.price_cents) for i in order.items]
        _add_order(session, demo.id, order, lines, now=now)


def _add_order(
    session: AsyncSession, customer_id: str, order: DemoOrder, lines: list[tuple[str, int, int]], *, now: dt.datetime
) -> None:
    placed = now - dt.timedelta(days=order.placed_days_ago)
    delivered = now - dt.timedelta(days=order.delivered_days_ago) if order.delivered_days_ago is not None else None
    expected = (now + dt.timedelta(days=order.expected_in_days)).date() if order.expected_in_days is not None else None
    shipped = order.status != "processing"
    digits = order.id.split("-")[1]
    session.add(
        Order(
            id=order.id,
            customer_id=customer_id,
            status=order.status,
            placed_at=placed,
            expected_delivery=delivered.date() if delivered else expected,
            delivered_at=delivered,
            carrier=order.carrier if shipped else None,
            tracking_number=f"1Z{digits}{len(lines):02d}84" if shipped else None,
        )
    )
    for sku, qty, price in lines:
        session.add(OrderItem(order_id=order.id, sku=sku, quantity=qty, unit_price_cents=price))
    events = [(placed, "Marketplace warehouse, Reno NV", "Order received and being prepared")]
    if shipped:
        events.append((placed + dt.timedelta(days=1), "Reno NV", f"Handed to {order.carrier}"))
    if order.status in ("in_transit", "out_for_delivery", "delivered"):
        events.append((placed + dt.timedelta(days=2), "Regional hub", "In transit"))
    if order.status == "out_for_delivery":
        events.append((now - dt.timedelta(hours=3), "Local depot", "Out for delivery"))
    if delivered is not None:
        events.append((delivered, "Front door", "Delivered"))
    for at, where, what in events:
        session.add(TrackingEvent(order_id=order.id, at=at, location=where, description=what))
