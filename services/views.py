"""Immutable snapshots returned by services (never live ORM objects), plus money formatting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def dollars(cents: int) -> str:
    """Format integer cents as speakable dollars, e.g. ``12900`` → ``"$129.00"``."""
    return f"${cents // 100:,}.{cents % 100:02d}"


@dataclass(frozen=True)
class CustomerView:
    id: str
    first_name: str
    last_name: str
    loyalty_tier: str


@dataclass(frozen=True)
class AddressView:
    line1: str
    city: str
    region: str
    postal_code: str

    def spoken(self) -> str:
        return f"{self.line1}, {self.city}, {self.region} {self.postal_code}"


@dataclass(frozen=True)
class ItemView:
    sku: str
    name: str
    category: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class TrackingEventView:
    at: dt.datetime
    location: str
    description: str


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    placed_at: dt.datetime
    expected_delivery: dt.date | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None
    delivery_instructions: str
    items: tuple[ItemView, ...]

    @property
    def total_cents(self) -> int:
        return sum(i.quantity * i.unit_price_cents for i in self.items)

    def item_names(self) -> str:
        return ", ".join(i.name for i in self.items)


@dataclass(frozen=True)
class Eligibility:
    """Outcome of the return policy for one item.

    Attributes:
        eligible: Whether a return can be opened now.
        reason: One sentence explaining the verdict (speakable).
        refund_cents: Refund if returned (price minus any restocking fee); 0 when not eligible.
        deadline: Last day a return can be opened, if any.
    """

    order_id: str
    sku: str
    item_name: str
    eligible: bool
    reason: str
    refund_cents: int
    deadline: dt.date | None


@dataclass(frozen=True)
class ReturnView:
    id: str
    order_id: str
    sku: str
    item_name: str
    status: str
    reason: str
    condition: str
    refund_cents: int
    pickup_date: dt.date | None
    pickup_window: str | None
    refund_method: str | None


@dataclass(frozen=True)
class TicketView:
    id: str
    priority: str
    status: str
