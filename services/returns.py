"""Returns and refunds, decided by the marketplace return policy in code.

Policy (rows in ``return_policies``, seeded from :data:`services.demo_data.RETURN_POLICY`):

* a return can be opened only for a **delivered** order, within the category's window counted
  from the delivery day (``window_days``; ``defective_window_days`` when the item is defective);
* non-returnable categories (gift cards) are final sale;
* condition ``unused`` is refunded in full; ``opened`` is refunded minus the category's
  restocking fee; ``damaged_by_customer`` is refused; ``defective`` is refunded in full;
* one return per order line.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError, ServiceError, checked_text
from .ids import RETURN_ID
from .models import Order, OrderItem, ReturnPolicy, ReturnRequest
from .orders import MAX_TEXT, load_owned_order
from .views import Eligibility, ReturnView, dollars, spoken_date, the

Condition = Literal["unused", "opened", "defective", "damaged_by_customer"]
PickupWindow = Literal["morning", "afternoon", "evening"]
RefundMethod = Literal["original_payment", "store_credit"]

PICKUP_HORIZON_DAYS = 14
"""Pickups can be booked from tomorrow up to this many days ahead (carrier booking horizon)."""


class ReturnService:
    """Eligibility, return creation, pickup and refund.

    Args:
        db: Database.
        clock: Source of "today" for the return window.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def check_eligibility(
        self, customer_id: str, order_id: str, *, sku: str | None, condition: Condition
    ) -> Eligibility:
        """Apply the return policy to one item of the caller's order (read only).

        Args:
            sku: The item; may be omitted when the order has exactly one line.
            condition: The caller's description of the item's state.

        Raises:
            NotFoundError: ``order_not_found`` or ``item_not_found`` for this caller.
            InvalidInputError: ``item_required`` (``sku`` omitted on a multi-item order), or ``not_text`` /
                ``text_not_encodable`` for an id that cannot be looked up.
        """

        async def _check(session: AsyncSession) -> Eligibility:
            order = await load_owned_order(session, customer_id, order_id)
            item = _pick_item(order, sku)
            verdict, _ = await self._evaluate(session, order, item, condition)
            return verdict

        return await self._db.run(_check)

    async def initiate_return(
        self, customer_id: str, order_id: str, *, sku: str | None, condition: Condition, reason: str
    ) -> ReturnView:
        """Open a return (id ``RET-`` + 6 digits) after re-checking eligibility in the same transaction.

        Raises:
            NotFoundError: as :meth:`check_eligibility`.
            InvalidInputError: as :meth:`check_eligibility`; or the reason is refused (``field_missing``,
                ``field_too_long``, ``not_text``, ``text_not_encodable``; ``field`` is ``return reason``).
            InvalidStateError: not eligible (``not_delivered``, ``final_sale``, ``damaged_by_customer``,
                ``return_window_closed``) or ``return_already_open`` for this item. Nothing is written.
        """
        why = checked_text(reason, field="return reason", max_len=MAX_TEXT)
        now = self._clock.now()

        async def _initiate(session: AsyncSession) -> ReturnView:
            order = await load_owned_order(session, customer_id, order_id)
            item = _pick_item(order, sku)
            verdict, refusal = await self._evaluate(session, order, item, condition)
            if refusal is not None:
                raise refusal
            count = await session.scalar(select(func.count()).select_from(ReturnRequest)) or 0
            request = ReturnRequest(
                id=RETURN_ID.format(500001 + count),
                order_id=order.id,
                order_item_id=item.id,
                reason=why,
                condition=condition,
                status="initiated",
                refund_cents=verdict.refund_cents,
                created_at=now,
            )
            session.add(request)
            await session.flush()
            return _return_view(request, item)

        return await self._db.run(_initiate, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def check_pickup(self, customer_id: str, return_id: str, *, date: dt.date) -> ReturnView:
        """Validate a pickup booking without writing it (run before asking the caller to confirm).

        Raises:
            NotFoundError, InvalidInputError, InvalidStateError: as :meth:`schedule_pickup`.
        """
        _validate_pickup_date(date, self._clock.today())

        async def _check(session: AsyncSession) -> ReturnView:
            request = await _load_owned_return(session, customer_id, return_id)
            _validate_pickup_state(request)
            return await _view(session, request)

        return await self._db.run(_check)

    async def schedule_pickup(
        self, customer_id: str, return_id: str, *, date: dt.date, window: PickupWindow
    ) -> ReturnView:
        """Book a carrier pickup for an open return.

        Rules: from tomorrow up to ``PICKUP_HORIZON_DAYS`` ahead, no Sundays (carriers do not collect).

        Raises:
            NotFoundError: ``return_not_found``.
            InvalidInputError: ``pickup_date_out_of_range`` or ``no_sunday_pickup``.
            InvalidStateError: ``pickup_not_allowed`` (the return is past the pickup stage).
        """
        _validate_pickup_date(date, self._clock.today())

        async def _schedule(session: AsyncSession) -> ReturnView:
            request = await _load_owned_return(session, customer_id, return_id)
            _validate_pickup_state(request)
            request.pickup_date, request.pickup_window, request.status = date, window, "pickup_scheduled"
            return await _view(session, request)

        return await self._db.run(_schedule, write=True)

    async def check_refund(self, customer_id: str, return_id: str) -> ReturnView:
        """Validate a refund without issuing it (run before asking the caller to confirm).

        Raises:
            NotFoundError, InvalidStateError: as :meth:`process_refund`.
        """

        async def _check(session: AsyncSession) -> ReturnView:
            request = await _load_owned_return(session, customer_id, return_id)
            _validate_refund_state(request)
            return await _view(session, request)

        return await self._db.run(_check)

    async def process_refund(self, customer_id: str, return_id: str, *, method: RefundMethod) -> ReturnView:
        """Issue the refund of a return whose pickup is booked (the carrier scan guarantees receipt).

        Raises:
            NotFoundError: ``return_not_found``.
            InvalidStateError: ``pickup_required`` (no pickup booked yet) or ``already_refunded``.
        """
        now = self._clock.now()

        async def _refund(session: AsyncSession) -> ReturnView:
            request = await _load_owned_return(session, customer_id, return_id)
            _validate_refund_state(request)
            request.status, request.refund_method, request.refunded_at = "refunded", method, now
            return await _view(session, request)

        return await self._db.run(_refund, write=True)

    async def get_return(self, customer_id: str, return_id: str) -> ReturnView:
        """One return of the caller.

        Raises:
            NotFoundError: ``return_not_found``.
        """

        async def _get(session: AsyncSession) -> ReturnView:
            return await _view(session, await _load_owned_return(session, customer_id, return_id))

        return await self._db.run(_get)

    async def _evaluate(
        self, session: AsyncSession, order: Order, item: OrderItem, condition: Condition
    ) -> tuple[Eligibility, ServiceError | None]:
        """The policy verdict (a fact for the caller) and, when not eligible, the typed refusal to raise."""
        product = item.product
        policy = await session.get(ReturnPolicy, product.category)
        price = item.unit_price_cents * item.quantity
        facts = {"order_id": order.id, "sku": item.sku, "item_name": product.name}

        def verdict(
            eligible: bool, reason: str, refund: int = 0, deadline: dt.date | None = None, fee: int = 0
        ) -> Eligibility:
            return Eligibility(
                order.id, item.sku, product.name, eligible, reason, refund if eligible else 0, deadline, fee
            )

        existing = await session.scalar(select(ReturnRequest.id).where(ReturnRequest.order_item_id == item.id))
        if existing is not None:  # one return per item: checked before the policy, for the check and the write
            return verdict(False, f"Return {existing} is already open for {the(product.name)}."), InvalidStateError(
                ErrorCode.RETURN_ALREADY_OPEN, return_id=existing, **facts
            )
        if order.status != "delivered" or order.delivered_at is None:
            return verdict(
                False, f"Order {order.id} is {order.status.replace('_', ' ')}; only delivered orders can be returned."
            ), InvalidStateError(ErrorCode.NOT_DELIVERED, order_id=order.id, status=order.status)
        if policy is None or not policy.returnable:
            return verdict(
                False, f"{the(product.name, capital=True)} is final sale and cannot be returned."
            ), InvalidStateError(ErrorCode.FINAL_SALE, **facts)
        if condition == "damaged_by_customer":
            return verdict(False, f"Items damaged after delivery cannot be returned. {policy.note}"), InvalidStateError(
                ErrorCode.DAMAGED_BY_CUSTOMER, **facts, policy_note=policy.note
            )
        window = policy.defective_window_days if condition == "defective" else policy.window_days
        deadline = order.delivered_at.date() + dt.timedelta(days=window)
        if self._clock.today() > deadline:
            return verdict(
                False,
                f"The {window}-day return window for {the(product.name)} ended on {spoken_date(deadline)}.",
                deadline=deadline,
            ), InvalidStateError(ErrorCode.RETURN_WINDOW_CLOSED, **facts, window_days=window, deadline=deadline)
        fee = price * policy.restocking_fee_pct // 100 if condition == "opened" else 0
        refund = price - fee
        fee_note = f" after a {policy.restocking_fee_pct}% restocking fee" if fee else ""
        until = f"can be returned until {spoken_date(deadline)} for a refund of {dollars(refund)}{fee_note}"
        return verdict(True, f"{the(product.name, capital=True)} {until}.", refund, deadline, fee), None


def _validate_pickup_date(date: dt.date, today: dt.date) -> None:
    earliest, latest = today + dt.timedelta(days=1), today + dt.timedelta(days=PICKUP_HORIZON_DAYS)
    if not earliest <= date <= latest:
        raise InvalidInputError(
            ErrorCode.PICKUP_DATE_OUT_OF_RANGE,
            date=date,
            earliest=earliest,
            latest=latest,
            horizon_days=PICKUP_HORIZON_DAYS,
        )
    if date.weekday() == 6:
        raise InvalidInputError(ErrorCode.NO_SUNDAY_PICKUP, date=date)


def _validate_pickup_state(request: ReturnRequest) -> None:
    if request.status not in ("initiated", "pickup_scheduled"):
        raise InvalidStateError(ErrorCode.PICKUP_NOT_ALLOWED, return_id=request.id, status=request.status)


def _validate_refund_state(request: ReturnRequest) -> None:
    if request.status == "refunded":
        raise InvalidStateError(ErrorCode.ALREADY_REFUNDED, return_id=request.id)
    if request.status != "pickup_scheduled":
        raise InvalidStateError(ErrorCode.PICKUP_REQUIRED, return_id=request.id, status=request.status)


def _pick_item(order: Order, sku: str | None) -> OrderItem:
    items = tuple((i.sku, i.product.name) for i in order.items)
    if sku is not None:
        sku = checked_text(sku, field="SKU", max_len=None, required=False)
    if sku:
        for item in order.items:
            if item.sku == sku:
                return item
        raise NotFoundError(ErrorCode.ITEM_NOT_FOUND, order_id=order.id, sku=sku, items=items)
    if len(order.items) != 1:
        raise InvalidInputError(ErrorCode.ITEM_REQUIRED, order_id=order.id, items=items)
    return order.items[0]


async def _load_owned_return(session: AsyncSession, customer_id: str, return_id: str) -> ReturnRequest:
    checked_text(return_id, field="return number", max_len=None, required=False)
    request = await session.scalar(
        select(ReturnRequest)
        .join(Order, Order.id == ReturnRequest.order_id)
        .where(ReturnRequest.id == return_id, Order.customer_id == customer_id)
    )
    if request is None:
        raise NotFoundError(ErrorCode.RETURN_NOT_FOUND, return_id=return_id)
    return request


async def _view(session: AsyncSession, request: ReturnRequest) -> ReturnView:
    item = await session.scalar(
        select(OrderItem).where(OrderItem.id == request.order_item_id).options(selectinload(OrderItem.product))
    )
    assert item is not None
    return _return_view(request, item)


def _return_view(r: ReturnRequest, item: OrderItem) -> ReturnView:
    return ReturnView(
        id=r.id,
        order_id=r.order_id,
        sku=item.sku,
        item_name=item.product.name,
        status=r.status,
        reason=r.reason,
        condition=r.condition,
        refund_cents=r.refund_cents,
        pickup_date=r.pickup_date,
        pickup_window=r.pickup_window,
        refund_method=r.refund_method,
    )
