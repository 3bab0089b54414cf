"""ReturnService: the return policy table, one return per item, pickups and refunds.

Seeded at Wednesday 2026-11-18 15:00. Ava: ORD-100101 jacket (fashion, $129) delivered 2026-11-08,
ORD-100102 headphones in transit, ORD-100103 novel (books, $24) delivered 2026-10-04. Marcus:
ORD-100201 monitor (electronics, $329) delivered 2026-11-13. Priya: ORD-100302 gift card delivered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.models import OrderItem
from services.returns import Condition
from services.views import ReturnView
from worker.testing import FIXED_NOW

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
TOMORROW = dt.date(2026, 11, 19)
SUNDAY = dt.date(2026, 11, 22)
JACKET = {"order_id": "ORD-100101", "sku": "FSH-2001", "item_name": "Alpine rain jacket"}


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    """The data an error carries: its code and details."""
    return err.code, dict(err.details)


async def open_jacket_return(services: Services) -> ReturnView:
    return await services.returns.initiate_return(
        AVA.id, "ORD-100101", sku=None, condition="unused", reason="Too small"
    )


# fmt: off
POLICY_TABLE = [
    # (customer, order, condition, eligible, refund cents, deadline, the sentence the caller hears)
    pytest.param(AVA.id, "ORD-100101", "unused", True, 12900, dt.date(2026, 12, 8),
                 "The Alpine rain jacket can be returned until December 8 for a refund of $129.00.",
                 id="jacket-unused-full-refund"),
    pytest.param(AVA.id, "ORD-100101", "opened", True, 12900, dt.date(2026, 12, 8),
                 "The Alpine rain jacket can be returned until December 8 for a refund of $129.00.",
                 id="jacket-opened-no-fee-outside-electronics"),
    pytest.param(MARCUS.id, "ORD-100201", "opened", True, 27965, dt.date(2026, 11, 28),
                 "The 27-inch 4K monitor can be returned until November 28 for a refund of $279.65 "
                 "after a 15% restocking fee.",
                 id="monitor-opened-minus-15-percent"),
    pytest.param(MARCUS.id, "ORD-100201", "unused", True, 32900, dt.date(2026, 11, 28),
                 "The 27-inch 4K monitor can be returned until November 28 for a refund of $329.00.",
                 id="monitor-unused-full-refund"),
    pytest.param(MARCUS.id, "ORD-100201", "defective", True, 32900, dt.date(2027, 2, 11),
                 "The 27-inch 4K monitor can be returned until February 11 for a refund of $329.00.",
                 id="monitor-defective-full-refund-90-days"),
    pytest.param(AVA.id, "ORD-100103", "unused", False, 0, dt.date(2026, 11, 3),
                 "The 30-day return window for The Lighthouse Keeper, hardcover ended on November 3.",
                 id="novel-45-days-window-ended"),
    pytest.param(AVA.id, "ORD-100103", "defective", True, 2400, dt.date(2027, 1, 2),
                 "The Lighthouse Keeper, hardcover can be returned until January 2 for a refund of $24.00.",
                 id="novel-defective-extends-window"),
    pytest.param(PRIYA.id, "ORD-100302", "unused", False, 0, None,
                 "The Marketplace gift card, 50 dollars is final sale and cannot be returned.",
                 id="gift-card-final-sale"),
    pytest.param(PRIYA.id, "ORD-100302", "defective", False, 0, None,
                 "The Marketplace gift card, 50 dollars is final sale and cannot be returned.",
                 id="gift-card-final-sale-even-defective"),
    pytest.param(AVA.id, "ORD-100102", "unused", False, 0, None,
                 "Order ORD-100102 is in transit; only delivered orders can be returned.",
                 id="in-transit"),
    pytest.param(AVA.id, "ORD-100101", "damaged_by_customer", False, 0, None,
                 "Items damaged after delivery cannot be returned. Unworn items with tags; worn items only if "
                 "defective.",
                 id="damaged-by-customer"),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("customer", "order_id", "condition", "eligible", "refund_cents", "deadline", "reason"), POLICY_TABLE
)
async def test_the_return_policy_table(
    services: Services,
    customer: str,
    order_id: str,
    condition: Condition,
    eligible: bool,
    refund_cents: int,
    deadline: dt.date | None,
    reason: str,
) -> None:
    verdict = await services.returns.check_eligibility(customer, order_id, sku=None, condition=condition)

    assert (verdict.order_id, verdict.eligible, verdict.refund_cents, verdict.deadline, verdict.reason) == (
        order_id,
        eligible,
        refund_cents,
        deadline,
        reason,
    )
    fee = 32900 - 27965 if condition == "opened" and order_id == "ORD-100201" else 0  # 15% of $329.00
    assert verdict.restocking_fee_cents == fee


@pytest.mark.asyncio
async def test_the_window_includes_its_last_day(open_at: OpenAt) -> None:
    last_day = await open_at(dt.datetime(2026, 12, 8, 23, 59))
    day_after = await open_at(dt.datetime(2026, 12, 9, 0, 1))

    assert (await last_day.returns.check_eligibility(AVA.id, "ORD-100101", sku=None, condition="unused")).eligible
    late = await day_after.returns.check_eligibility(AVA.id, "ORD-100101", sku=None, condition="unused")
    assert (late.eligible, late.refund_cents) == (False, 0)


@pytest.mark.asyncio
async def test_check_eligibility_writes_nothing(services: Services, query: Query) -> None:
    await services.returns.check_eligibility(AVA.id, "ORD-100101", sku="FSH-2001", condition="unused")

    assert await query(services, "select count(*) from returns") == [(0,)]


@pytest.mark.asyncio
async def test_an_unknown_sku_names_the_items_of_the_order(services: Services) -> None:
    with pytest.raises(NotFoundError) as missing:
        await services.returns.check_eligibility(AVA.id, "ORD-100101", sku="FSH-9999", condition="unused")

    assert facts(missing.value) == (
        ErrorCode.ITEM_NOT_FOUND,
        {"order_id": "ORD-100101", "sku": "FSH-9999", "items": (("FSH-2001", "Alpine rain jacket"),)},
    )


@pytest.mark.asyncio
async def test_initiate_return_opens_one_return_with_the_policy_refund(services: Services, query: Query) -> None:
    opened = await services.returns.initiate_return(
        MARCUS.id, "ORD-100201", sku="ELC-3002", condition="opened", reason="  Too big for my desk  "
    )

    assert (opened.id, opened.status, opened.refund_cents, opened.reason) == (
        "RET-500001",
        "initiated",
        27965,
        "Too big for my desk",
    )
    assert await query(services, "select id, order_id, condition, status, refund_cents from returns") == [
        ("RET-500001", "ORD-100201", "opened", "initiated", 27965)
    ]


@pytest.mark.asyncio
async def test_a_second_return_of_the_same_item_is_refused_and_only_one_row_exists(
    services: Services, query: Query
) -> None:
    await open_jacket_return(services)

    with pytest.raises(InvalidStateError) as refused:
        await services.returns.initiate_return(
            AVA.id, "ORD-100101", sku=None, condition="defective", reason="Seam came apart"
        )

    assert facts(refused.value) == (ErrorCode.RETURN_ALREADY_OPEN, {"return_id": "RET-500001", **JACKET})

    assert await query(services, "select id, condition from returns") == [("RET-500001", "unused")]


NOVEL = {"order_id": "ORD-100103", "sku": "BOK-1001", "item_name": "The Lighthouse Keeper, hardcover"}
GIFT_CARD = {"order_id": "ORD-100302", "sku": "GFT-5001", "item_name": "Marketplace gift card, 50 dollars"}

# fmt: off
INITIATE_REFUSALS = [
    # (customer, order, condition, reason, error, code, details)
    pytest.param(AVA.id, "ORD-100103", "unused", "Changed my mind", InvalidStateError, ErrorCode.RETURN_WINDOW_CLOSED,
                 {**NOVEL, "window_days": 30, "deadline": dt.date(2026, 11, 3)}, id="window-ended"),
    pytest.param(PRIYA.id, "ORD-100302", "unused", "Unwanted", InvalidStateError, ErrorCode.FINAL_SALE, GIFT_CARD,
                 id="gift-card"),
    pytest.param(AVA.id, "ORD-100102", "unused", "Changed my mind", InvalidStateError, ErrorCode.NOT_DELIVERED,
                 {"order_id": "ORD-100102", "status": "in_transit"}, id="in-transit"),
    pytest.param(AVA.id, "ORD-100101", "damaged_by_customer", "Tore it", InvalidStateError,
                 ErrorCode.DAMAGED_BY_CUSTOMER,
                 {**JACKET, "policy_note": "Unworn items with tags; worn items only if defective."},
                 id="damaged-by-customer"),
    pytest.param(AVA.id, "ORD-100201", "unused", "Mine now", NotFoundError, ErrorCode.ORDER_NOT_FOUND,
                 {"order_id": "ORD-100201"}, id="another-customers-order"),
    pytest.param(AVA.id, "ORD-100101", "unused", " ", InvalidInputError, ErrorCode.FIELD_MISSING,
                 {"field": "return reason", "max_len": 300}, id="blank-reason"),
    pytest.param(AVA.id, "ORD-100101", "unused", "x" * 301, InvalidInputError, ErrorCode.FIELD_TOO_LONG,
                 {"field": "return reason", "max_len": 300, "length": 301}, id="reason-too-long"),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize(("customer", "order_id", "condition", "reason", "error", "code", "details"), INITIATE_REFUSALS)
async def test_initiate_return_refuses_and_writes_nothing(
    services: Services,
    query: Query,
    customer: str,
    order_id: str,
    condition: str,
    reason: str,
    error: type[ServiceError],
    code: ErrorCode,
    details: dict[str, Any],
) -> None:
    with pytest.raises(error) as refused:
        await services.returns.initiate_return(
            customer,
            order_id,
            sku=None,
            condition=condition,  # type: ignore[arg-type]
            reason=reason,
        )

    assert facts(refused.value) == (code, details)
    assert await query(services, "select count(*) from returns") == [(0,)]


@pytest.mark.asyncio
async def test_a_multi_item_order_needs_the_sku(services: Services) -> None:
    async def add_a_lamp(session: AsyncSession) -> None:
        session.add(OrderItem(order_id="ORD-100101", sku="HOM-4001", quantity=1, unit_price_cents=5900))

    await services.db.run(add_a_lamp, write=True)

    with pytest.raises(InvalidInputError) as refused:
        await services.returns.check_eligibility(AVA.id, "ORD-100101", sku=None, condition="unused")

    assert facts(refused.value) == (
        ErrorCode.ITEM_REQUIRED,
        {"order_id": "ORD-100101", "items": (("FSH-2001", "Alpine rain jacket"), ("HOM-4001", "Brass desk lamp"))},
    )
    verdict = await services.returns.check_eligibility(AVA.id, "ORD-100101", sku="HOM-4001", condition="unused")
    assert verdict.sku == "HOM-4001"


RANGE = {"earliest": TOMORROW, "latest": dt.date(2026, 12, 2), "horizon_days": 14}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("date", "code", "details"),
    [
        pytest.param(
            FIXED_NOW.date(), ErrorCode.PICKUP_DATE_OUT_OF_RANGE, {"date": FIXED_NOW.date(), **RANGE}, id="today"
        ),
        pytest.param(
            dt.date(2026, 11, 10),
            ErrorCode.PICKUP_DATE_OUT_OF_RANGE,
            {"date": dt.date(2026, 11, 10), **RANGE},
            id="past",
        ),
        pytest.param(
            dt.date(2026, 12, 3),
            ErrorCode.PICKUP_DATE_OUT_OF_RANGE,
            {"date": dt.date(2026, 12, 3), **RANGE},
            id="15-days-ahead",
        ),
        pytest.param(SUNDAY, ErrorCode.NO_SUNDAY_PICKUP, {"date": SUNDAY}, id="sunday"),
    ],
)
async def test_schedule_pickup_refuses_dates_the_carrier_cannot_do(
    services: Services, query: Query, date: dt.date, code: ErrorCode, details: dict[str, Any]
) -> None:
    opened = await open_jacket_return(services)

    with pytest.raises(InvalidInputError) as refused:
        await services.returns.schedule_pickup(AVA.id, opened.id, date=date, window="morning")
    with pytest.raises(InvalidInputError) as checked:
        await services.returns.check_pickup(AVA.id, opened.id, date=date)

    assert facts(refused.value) == facts(checked.value) == (code, details)
    assert await query(services, "select status, pickup_date from returns") == [("initiated", None)]


@pytest.mark.asyncio
async def test_process_refund_requires_a_booked_pickup(services: Services, query: Query) -> None:
    opened = await open_jacket_return(services)

    with pytest.raises(InvalidStateError) as refused:
        await services.returns.process_refund(AVA.id, opened.id, method="original_payment")
    assert facts(refused.value) == (ErrorCode.PICKUP_REQUIRED, {"return_id": opened.id, "status": "initiated"})
    assert await query(services, "select status, refunded_at, refund_method from returns") == [
        ("initiated", None, None)
    ]

    await services.returns.schedule_pickup(AVA.id, opened.id, date=TOMORROW, window="afternoon")
    refunded = await services.returns.process_refund(AVA.id, opened.id, method="store_credit")

    assert (refunded.status, refunded.refund_method, refunded.refund_cents) == ("refunded", "store_credit", 12900)
    assert await query(services, "select status, refunded_at, refund_method from returns") == [
        ("refunded", "2026-11-18 15:00:00.000000", "store_credit")
    ]


@pytest.mark.asyncio
async def test_a_refunded_return_cannot_be_refunded_or_picked_up_again(services: Services) -> None:
    opened = await open_jacket_return(services)
    await services.returns.schedule_pickup(AVA.id, opened.id, date=TOMORROW, window="afternoon")
    await services.returns.process_refund(AVA.id, opened.id, method="original_payment")

    with pytest.raises(InvalidStateError) as refund_again:
        await services.returns.process_refund(AVA.id, opened.id, method="store_credit")
    with pytest.raises(InvalidStateError) as pickup_again:
        await services.returns.schedule_pickup(AVA.id, opened.id, date=TOMORROW, window="morning")

    assert facts(refund_again.value) == (ErrorCode.ALREADY_REFUNDED, {"return_id": opened.id})
    assert facts(pickup_again.value) == (ErrorCode.PICKUP_NOT_ALLOWED, {"return_id": opened.id, "status": "refunded"})

    assert (await services.returns.get_return(AVA.id, opened.id)).refund_method == "original_payment"


@pytest.mark.asyncio
async def test_another_customers_return_is_not_found(services: Services, query: Query) -> None:
    marcus = await services.returns.initiate_return(
        MARCUS.id, "ORD-100201", sku=None, condition="unused", reason="Too big"
    )
    expected = (ErrorCode.RETURN_NOT_FOUND, {"return_id": marcus.id})

    with pytest.raises(NotFoundError) as got:
        await services.returns.get_return(AVA.id, marcus.id)
    with pytest.raises(NotFoundError) as pickup:
        await services.returns.schedule_pickup(AVA.id, marcus.id, date=TOMORROW, window="morning")
    with pytest.raises(NotFoundError) as refund:
        await services.returns.process_refund(AVA.id, marcus.id, method="store_credit")
    with pytest.raises(NotFoundError) as missing:
        await services.returns.get_return(AVA.id, "RET-599999")

    assert facts(got.value) == facts(pickup.value) == facts(refund.value) == expected
    assert facts(missing.value) == (ErrorCode.RETURN_NOT_FOUND, {"return_id": "RET-599999"})
    assert str(missing.value).replace("RET-599999", "<id>") == str(got.value).replace(marcus.id, "<id>")
    assert await query(services, "select status, pickup_date, refund_method from returns") == [
        ("initiated", None, None)
    ]
