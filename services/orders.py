"""Orders of the verified caller: status, tracking, delivery changes, delivery issues.

Every query is scoped by ``customer_id`` (from the verified caller's context, never from the
model): another customer's order is reported as not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import InvalidInputError, InvalidStateError, NotFoundError
from .models import DeliveryIssue, Order, OrderItem
from .views import ItemView, OrderView, TrackingEventView

IssueKind = Literal["missing", "damaged", "wrong_item", "late"]

MODIFIABLE_STATUSES = frozenset({"processing", "shipped", "in_transit"})
"""Delivery can be changed until the parcel is out for delivery (carrier cut-off)."""
MAX_RESCHEDULE_DAYS = 14
"""A delivery can be pushed back at most this many days after the expected date (carrier hold limit)."""
MAX_TEXT = 300
"""Longest free text accepted for instructions and issue descriptions, in characters."""


class OrderService:
    """Read and change the verified caller's orders.

    Args:
        db: Database.
        clock: Source of "today" for date rules.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list_orders(self, customer_id: str, *, limit: int = 10) -> list[OrderView]:
        """The caller's most recent orders, newest first (at most ``limit``)."""

        async def _list(session: AsyncSession) -> list[OrderView]:
            rows = await session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .options(selectinload(Order.items).selectinload(OrderItem.product))
                .order_by(Order.placed_at.desc())
                .limit(limit)
            )
            return [order_view(o) for o in rows]

        return await self._db.run(_list)

    async def get_order(self, customer_id: str, order_id: str) -> OrderView:
        """One order of the caller.

        Raises:
            NotFoundError: no such order for this caller.
        """

        async def _get(session: AsyncSession) -> OrderView:
            return order_view(await load_owned_order(session, customer_id, order_id))

        return await self._db.run(_get)

    async def tracking_events(self, customer_id: str, order_id: str) -> list[TrackingEventView]:
        """Carrier scan events of the caller's order, oldest first."""

        async def _events(session: AsyncSession) -> list[TrackingEventView]:
            order = await load_owned_order(session, customer_id, order_id, with_events=True)
            return [TrackingEventView(e.at, e.location, e.description) for e in order.events]

        return await self._db.run(_events)

    async def check_delivery_change(
        self, customer_id: str, order_id: str, *, new_date: dt.date | None, instructions: str | None
    ) -> OrderView:
        """Validate a delivery change without writing it (run before asking the caller to confirm).

        Raises:
            NotFoundError, InvalidStateError, InvalidInputError: as :meth:`modify_delivery`.
        """
        today = self._clock.today()

        async def _check(session: AsyncSession) -> OrderView:
            order = await load_owned_order(session, customer_id, order_id)
            _validate_delivery_change(order, new_date, instructions, today)
            return order_view(order)

        return await self._db.run(_check)

    async def modify_delivery(
        self, customer_id: str, order_id: str, *, new_date: dt.date | None, instructions: str | None
    ) -> OrderView:
        """Reschedule delivery and/or set delivery instructions, in one transaction.

        Rules: only orders not yet out for delivery; the new date must be on or after the expected
        date (carriers cannot deliver earlier), in the future, and at most ``MAX_RESCHEDULE_DAYS``
        after the expected date; instructions under ``MAX_TEXT`` characters.

        Raises:
            NotFoundError, InvalidStateError, InvalidInputError.
        """
        today = self._clock.today()

        async def _modify(session: AsyncSession) -> OrderView:
            order = await load_owned_order(session, customer_id, order_id)
            _validate_delivery_change(order, new_date, instructions, today)
            if new_date is not None:
                order.expected_delivery = new_date
            if instructions is not None and instructions.strip():
                order.delivery_instructions = instructions.strip()
            return order_view(order)

        return await self._db.run(_modify, write=True)

    async def check_delivery_issue(self, customer_id: str, order_id: str, *, kind: IssueKind, description: str) -> None:
        """Validate a delivery issue report without writing it.

        Raises:
            NotFoundError, InvalidStateError, InvalidInputError: as :meth:`report_delivery_issue`.
        """
        today = self._clock.today()

        async def _check(session: AsyncSession) -> None:
            _validate_issue(await load_owned_order(session, customer_id, order_id), kind, description, today)

        await self._db.run(_check)

    async def report_delivery_issue(self, customer_id: str, order_id: str, *, kind: IssueKind, description: str) -> str:
        """Open a delivery case and return its id (``DLV-`` + 6 digits).

        Rules: ``missing``, ``damaged`` and ``wrong_item`` need a delivered order; ``late`` needs an
        undelivered order whose expected date has passed.

        Raises:
            NotFoundError, InvalidStateError, InvalidInputError.
        """
        now = self._clock.now()

        async def _report(session: AsyncSession) -> str:
            order = await load_owned_order(session, customer_id, order_id)
            _validate_issue(order, kind, description, now.date())
            count = await session.scalar(select(func.count()).select_from(DeliveryIssue)) or 0
            issue_id = f"DLV-{700001 + count}"
            session.add(
                DeliveryIssue(
                    id=issue_id, order_id=order.id, kind=kind, description=description.strip(), created_at=now
                )
            )
            return issue_id

        return await self._db.run(_report, write=True, conflict_retries=ID_CONFLICT_RETRIES)


def _validate_delivery_change(order: Order, new_date: dt.date | None, instructions: str | None, today: dt.date) -> None:
    if new_date is None and not (instructions and instructions.strip()):
        raise InvalidInputError("Nothing to change: give a new delivery date or delivery instructions.")
    if instructions is not None and len(instructions) > MAX_TEXT:
        raise InvalidInputError(f"Delivery instructions must be under {MAX_TEXT} characters.")
    if order.status not in MODIFIABLE_STATUSES:
        raise InvalidStateError(
            f"Order {order.id} is {order.status.replace('_', ' ')}; its delivery can no longer be changed."
        )
    if new_date is None:
        return
    expected = order.expected_delivery or today
    if new_date <= today:
        raise InvalidInputError("The new delivery date must be after today.")
    if new_date < expected:
        raise InvalidInputError(f"The carrier cannot deliver before the expected date, {expected:%B %d}.")
    if new_date > expected + dt.timedelta(days=MAX_RESCHEDULE_DAYS):
        raise InvalidInputError(f"Delivery can be held at most {MAX_RESCHEDULE_DAYS} days after {expected:%B %d}.")


def _validate_issue(order: Order, kind: IssueKind, description: str, today: dt.date) -> None:
    if not description.strip() or len(description) > MAX_TEXT:
        raise InvalidInputError(f"Describe the problem in one or two sentences (under {MAX_TEXT} characters).")
    if kind in ("missing", "damaged", "wrong_item") and order.status != "delivered":
        raise InvalidStateError(
            f"Order {order.id} has not been delivered yet, so it cannot be reported {kind.replace('_', ' ')}."
        )
    if kind == "late":
        if order.status == "delivered":
            raise InvalidStateError(f"Order {order.id} was already delivered.")
        if order.expected_delivery and order.expected_delivery >= today:
            raise InvalidStateError(f"Order {order.id} is not late: it is expected by {order.expected_delivery:%B %d}.")


async def load_owned_order(
    session: AsyncSession, customer_id: str, order_id: str, *, with_events: bool = False
) -> Order:
    """Load an order only if it belongs to ``customer_id``.

    Raises:
        NotFoundError: missing or owned by someone else (indistinguishable on purpose).
    """
    options = [selectinload(Order.items).selectinload(OrderItem.product)]
    if with_events:
        options.append(selectinload(Order.events))
    order = await session.scalar(
        select(Order).where(Order.id == order_id, Order.customer_id == customer_id).options(*options)
    )
    if order is None:
        raise NotFoundError(f"There is no order {order_id} on this caller's account.")
    return order


def order_view(o: Order) -> OrderView:
    """Snapshot an ORM order (items must be loaded)."""
    return OrderView(
        id=o.id,
        status=o.status,
        placed_at=o.placed_at,
        expected_delivery=o.expected_delivery,
        delivered_at=o.delivered_at,
        carrier=o.carrier,
        tracking_number=o.tracking_number,
        delivery_instructions=o.delivery_instructions,
        items=tuple(
            ItemView(i.sku, i.product.name, i.product.category, i.quantity, i.unit_price_cents) for i in o.items
        ),
    )
