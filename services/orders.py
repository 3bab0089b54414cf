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
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError, checked_text
from .ids import DELIVERY_CASE_ID
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
            NotFoundError: ``order_not_found`` (also for another customer's order).
        """

        async def _get(session: AsyncSession) -> OrderView:
            return order_view(await load_owned_order(session, customer_id, order_id))

        return await self._db.run(_get)

    async def tracking_events(self, customer_id: str, order_id: str) -> list[TrackingEventView]:
        """Carrier scan events of the caller's order, oldest first.

        Raises:
            NotFoundError: ``order_not_found``.
        """

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
            NotFoundError: ``order_not_found``.
            InvalidStateError: ``delivery_not_modifiable``.
            InvalidInputError: ``nothing_to_change``, ``delivery_date_not_future``,
                ``delivery_before_expected``, ``delivery_beyond_hold``; or the instructions are refused
                (``field_too_long``, ``not_text``, ``text_not_encodable``; ``field`` is
                ``delivery instructions``). Nothing is written.
        """
        today = self._clock.today()

        async def _modify(session: AsyncSession) -> OrderView:
            order = await load_owned_order(session, customer_id, order_id)
            note = _validate_delivery_change(order, new_date, instructions, today)
            if new_date is not None:
                order.expected_delivery = new_date
            if note:
                order.delivery_instructions = note
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
            NotFoundError: ``order_not_found``.
            InvalidStateError: ``not_delivered`` (with ``issue_kind``), ``already_delivered``, ``not_late``.
            InvalidInputError: the description is refused (``field_missing``, ``field_too_long``,
                ``not_text``, ``text_not_encodable``; ``field`` is ``issue description``). Nothing is written.
        """
        now = self._clock.now()

        async def _report(session: AsyncSession) -> str:
            order = await load_owned_order(session, customer_id, order_id)
            text = _validate_issue(order, kind, description, now.date())
            count = await session.scalar(select(func.count()).select_from(DeliveryIssue)) or 0
            issue_id = DELIVERY_CASE_ID.format(700001 + count)
            session.add(DeliveryIssue(id=issue_id, order_id=order.id, kind=kind, description=text, created_at=now))
            return issue_id

        return await self._db.run(_report, write=True, conflict_retries=ID_CONFLICT_RETRIES)


def _validate_delivery_change(
    order: Order, new_date: dt.date | None, instructions: str | None, today: dt.date
) -> str | None:
    """Apply the delivery-change rules; return the cleaned instructions (``None`` or ``""``: unchanged)."""
    note = (
        None
        if instructions is None
        else checked_text(instructions, field="delivery instructions", max_len=MAX_TEXT, required=False)
    )
    if new_date is None and not note:
        raise InvalidInputError(ErrorCode.NOTHING_TO_CHANGE, order_id=order.id)
    if order.status not in MODIFIABLE_STATUSES:
        raise InvalidStateError(ErrorCode.DELIVERY_NOT_MODIFIABLE, order_id=order.id, status=order.status)
    if new_date is None:
        return note
    expected = order.expected_delivery or today
    if new_date <= today:
        raise InvalidInputError(ErrorCode.DELIVERY_DATE_NOT_FUTURE, order_id=order.id, date=new_date, today=today)
    if new_date < expected:
        raise InvalidInputError(ErrorCode.DELIVERY_BEFORE_EXPECTED, order_id=order.id, date=new_date, expected=expected)
    latest = expected + dt.timedelta(days=MAX_RESCHEDULE_DAYS)
    if new_date > latest:
        raise InvalidInputError(
            ErrorCode.DELIVERY_BEYOND_HOLD,
            order_id=order.id,
            date=new_date,
            expected=expected,
            max_days=MAX_RESCHEDULE_DAYS,
            latest=latest,
        )
    return note


def _validate_issue(order: Order, kind: IssueKind, description: str, today: dt.date) -> str:
    """Apply the delivery-issue rules; return the cleaned description."""
    text = checked_text(description, field="issue description", max_len=MAX_TEXT)
    if kind in ("missing", "damaged", "wrong_item") and order.status != "delivered":
        raise InvalidStateError(ErrorCode.NOT_DELIVERED, order_id=order.id, status=order.status, issue_kind=kind)
    if kind == "late":
        if order.status == "delivered":
            raise InvalidStateError(ErrorCode.ALREADY_DELIVERED, order_id=order.id)
        if order.expected_delivery and order.expected_delivery >= today:
            raise InvalidStateError(ErrorCode.NOT_LATE, order_id=order.id, expected=order.expected_delivery)
    return text


async def load_owned_order(
    session: AsyncSession, customer_id: str, order_id: str, *, with_events: bool = False
) -> Order:
    """Load an order only if it belongs to ``customer_id``.

    Raises:
        NotFoundError: ``order_not_found``: missing or owned by someone else (indistinguishable on purpose).
        InvalidInputError: ``not_text`` / ``text_not_encodable``: ``order_id`` cannot even be looked up.
    """
    checked_text(order_id, field="order number", max_len=None, required=False)
    options = [selectinload(Order.items).selectinload(OrderItem.product)]
    if with_events:
        options.append(selectinload(Order.events))
    order = await session.scalar(
        select(Order).where(Order.id == order_id, Order.customer_id == customer_id).options(*options)
    )
    if order is None:
        raise NotFoundError(ErrorCode.ORDER_NOT_FOUND, order_id=order_id)
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
        charged_cents=(
            o.subtotal_cents - o.discount_cents + o.tax_cents + o.shipping_cents if o.subtotal_cents > 0 else None
        ),
    )
