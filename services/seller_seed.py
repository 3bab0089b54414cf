"""Seed rows of the seller desk: payouts of the stores, one dispute and one message of a filler buyer.

Deterministic: the demo stores' payouts are the fixed rows below; the other stores' amounts come from
``random.Random(SELLER_SEED)`` (the shared Faker and generator of :mod:`services.seed` are not used, so
the customers and orders seeded before do not change). Dates are offsets in days from the seeding
``now`` (noon UTC); the dates shown are those of the tests' frozen clock (seeded on Wednesday
2026-11-18, :data:`worker.testing.FIXED_NOW`).

The stores themselves (rating, handling and reply times, policies, owners, listings) are seeded by
:mod:`services.catalog_seed`: ``SEL-1001`` Lakeside Home Goods is Marcus Lee's (CUS-1002), ``SEL-1002``
Raman Books & Prints is Priya Raman's (CUS-1003); Ava (CUS-1001) owns no store.

Payouts of the demo stores (two-week periods; a payout is scheduled three days after its period):

==========  ========  =========  ========================  ============  ==========================
id          store     status     period (days from now)    payout day    amount
==========  ========  =========  ========================  ============  ==========================
PAY-630001  SEL-1001  paid       -49..-36 (Sep 30-Oct 13)  -33 (Oct 16)  $1,842.50
PAY-630002  SEL-1001  paid       -35..-22 (Oct 14-27)      -19 (Oct 30)  $2,106.75
PAY-630003  SEL-1001  paid       -21..-8 (Oct 28-Nov 10)   -5 (Nov 13)   $1,968.40 (the last paid)
PAY-630004  SEL-1001  scheduled  -7..+6 (Nov 11-24)        +9 (Nov 27)   $1,254.10 (the next)
PAY-630005  SEL-1002  paid       -35..-22 (Oct 14-27)      -19 (Oct 30)  $612.30 (the last paid)
PAY-630006  SEL-1002  on_hold    -21..-8 (Oct 28-Nov 10)   -5 (Nov 13)   $748.90, PRIYA_HOLD_REASON
PAY-630007  SEL-1002  scheduled  -7..+6 (Nov 11-24)        +9 (Nov 27)   $389.20 (the next)
==========  ========  =========  ========================  ============  ==========================

Then, for :data:`OTHER_PAYOUT_STORES` (three stores), two paid payouts and one scheduled each
(``PAY-630008`` onwards, amounts drawn from the seeded generator).

One filler buyer's dispute ``SIS-610001`` (``not_as_described``, open, a day old) and message
``MSG-620001`` (relayed, two days old) about the same delivered order: the first delivered filler order
(by id) holding an item of Lakeside Home Goods, else of any store. New disputes are numbered from
``SIS-610002`` and new messages from ``MSG-620002``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .ids import PAYOUT_ID, SELLER_ISSUE_ID, SELLER_MESSAGE_ID
from .models import Order, OrderItem, Product, Seller
from .seller_models import Payout, SellerIssue, SellerMessage

SELLER_SEED = 6130
"""Seed of this module's own ``random.Random`` (after the payout id range)."""

MARCUS_STORE = "SEL-1001"
"""Lakeside Home Goods, owned by Marcus Lee (CUS-1002)."""
PRIYA_STORE = "SEL-1002"
"""Raman Books & Prints, owned by Priya Raman (CUS-1003)."""
OTHER_PAYOUT_STORES = ("SEL-1003", "SEL-1007", "SEL-1013")
"""Other stores with payouts (Hearthside Living, Voltline Electronics, Northwind Outfitters)."""

PRIYA_HOLD_REASON = "Bank account change under review; payouts resume once the new account is verified"
"""Why Priya's payout PAY-630006 is on hold (at most 160 characters)."""
SEEDED_ISSUE_ID = SELLER_ISSUE_ID.format(610001)
"""The filler buyer's dispute."""
SEEDED_MESSAGE_ID = SELLER_MESSAGE_ID.format(620001)
"""The filler buyer's message."""
PERIOD_DAYS = 14
"""Length of a payout period, in days."""
PAYOUT_DELAY_DAYS = 3
"""Days from the end of a period to its payout."""


@dataclass(frozen=True)
class DemoPayout:
    """One payout of a demo store: its period starts ``start_days`` from the seeding day and lasts 14 days."""

    id: str
    seller_id: str
    status: str
    start_days: int
    amount_cents: int
    hold_reason: str = ""

    def period(self, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
        """``(period_start, period_end, scheduled_for)`` relative to ``today``."""
        start = today + dt.timedelta(days=self.start_days)
        end = start + dt.timedelta(days=PERIOD_DAYS - 1)
        return start, end, end + dt.timedelta(days=PAYOUT_DELAY_DAYS)


DEMO_PAYOUTS: tuple[DemoPayout, ...] = (
    DemoPayout(PAYOUT_ID.format(630001), MARCUS_STORE, "paid", -49, 184250),
    DemoPayout(PAYOUT_ID.format(630002), MARCUS_STORE, "paid", -35, 210675),
    DemoPayout(PAYOUT_ID.format(630003), MARCUS_STORE, "paid", -21, 196840),
    DemoPayout(PAYOUT_ID.format(630004), MARCUS_STORE, "scheduled", -7, 125410),
    DemoPayout(PAYOUT_ID.format(630005), PRIYA_STORE, "paid", -35, 61230),
    DemoPayout(PAYOUT_ID.format(630006), PRIYA_STORE, "on_hold", -21, 74890, PRIYA_HOLD_REASON),
    DemoPayout(PAYOUT_ID.format(630007), PRIYA_STORE, "scheduled", -7, 38920),
)
"""The demo stores' payouts (the table of the module docstring)."""

_FIRST_OTHER_PAYOUT = 630008


async def seed_sellers(session: AsyncSession, *, now: dt.datetime) -> None:
    """Add this desk's seed rows to ``session`` (the catalogue, customers and orders are flushed already).

    Rows are added only for stores that exist (a catalogue without a store simply gets no payouts).

    Args:
        session: The seeding transaction.
        now: The seeding instant (naive UTC, noon); relative dates are offsets from it.
    """
    rng = random.Random(SELLER_SEED)
    today = now.date()
    stores = set(await session.scalars(select(Seller.id)))
    for demo in DEMO_PAYOUTS:
        if demo.seller_id in stores:
            period = demo.period(today)
            session.add(_payout(demo.id, demo.seller_id, demo.status, period, demo.amount_cents, now, demo.hold_reason))
    number = _FIRST_OTHER_PAYOUT
    for seller_id in OTHER_PAYOUT_STORES:
        if seller_id not in stores:
            continue
        for start_days, status in ((-35, "paid"), (-21, "paid"), (-7, "scheduled")):
            demo = DemoPayout(PAYOUT_ID.format(number), seller_id, status, start_days, rng.randrange(40000, 900000, 5))
            session.add(_payout(demo.id, seller_id, status, demo.period(today), demo.amount_cents, now))
            number += 1
    await _seed_filler_dispute(session, now=now)


def _payout(
    payout_id: str,
    seller_id: str,
    status: str,
    period: tuple[dt.date, dt.date, dt.date],
    amount_cents: int,
    now: dt.datetime,
    hold_reason: str = "",
) -> Payout:
    start, end, scheduled = period
    paid_at = dt.datetime.combine(scheduled, dt.time(hour=now.hour)) if status == "paid" else None
    return Payout(
        id=payout_id,
        seller_id=seller_id,
        amount_cents=amount_cents,
        period_start=start,
        period_end=end,
        status=status,
        scheduled_for=scheduled,
        paid_at=paid_at,
        hold_reason=hold_reason,
    )


async def _seed_filler_dispute(session: AsyncSession, *, now: dt.datetime) -> None:
    """The filler buyer's dispute and message (see the module docstring for which order)."""
    rows = (
        await session.execute(
            select(Order.id, Order.customer_id, Product.seller_id)
            .join(OrderItem, OrderItem.order_id == Order.id)
            .join(Product, Product.sku == OrderItem.sku)
            .where(Order.status == "delivered", Order.customer_id.like("CUS-2%"), Product.seller_id.is_not(None))
            .order_by(Order.id)
        )
    ).all()
    if not rows:
        return
    order_id, customer_id, seller_id = next((r for r in rows if r[2] == MARCUS_STORE), rows[0])
    session.add(
        SellerIssue(
            id=SEEDED_ISSUE_ID,
            customer_id=customer_id,
            seller_id=seller_id,
            order_id=order_id,
            kind="not_as_described",
            description="The colour is quite different from the listing photos.",
            status="open",
            created_at=now - dt.timedelta(days=1),
        )
    )
    session.add(
        SellerMessage(
            id=SEEDED_MESSAGE_ID,
            customer_id=customer_id,
            seller_id=seller_id,
            order_id=order_id,
            body="Is the colour in the photos accurate? Mine looks different.",
            status="relayed",
            created_at=now - dt.timedelta(days=2),
        )
    )
