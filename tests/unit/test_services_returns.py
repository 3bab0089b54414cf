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

from services import InvalidInputError, InvalidStateError, NotFoundError, Services
from services.demo_data import AVA, MARCUS, PRIYA
from services.returns import Condition
from services.views import ReturnView
from worker.testing import FIXED_NOW

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
TOMORROW = dt.date(2026, 11, 19)
SUNDAY = dt.date(2026, 11, 22)


async def open_jacket_return(services: Services) -> ReturnView:
    return await services.returns.initiate_return(
        AVA.id, "ORD-100101", sku=None, condition="unused", reason="Too small"
    )


# fmt: off
POLICY_TABLE = [
    # (customer, order, condition, eligible, refund cents, deadline, the sentence the caller hears)
    pytest.param(AVA.id, "ORD-100101", "unused", True, 12900, dt.date(2026, 12, 8),
                 "The Alpine rain jacket can be returned until December 08 for a refund of $129.00.",
                 id="jacket-unused-full-refund"),
    pytest.param(AVA.id, "ORD-100101", "opened", True, 12900, dt.date(2026, 12, 8),
                 "The Alpine rain jacket can be returned until December 08 for a refund of $129.00.",
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
                 "The 30-day return window for the The Lighthouse Keeper, hardcover ended on November 03.",
                 id="novel-45-days-window-ended"),
    pytest.param(AVA.id, "ORD-100103", "defective", True, 2400, dt.date(2027, 1, 2),
                 "The The Lighthouse Keeper, hardcover can be returned until January 02 for a refund of $24.00.",
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
    with pytest.raises(NotFoundError, match=r"Order ORD-100101 has no item FSH-9999\. Items: FSH-2001 Alpine"):
        await services.returns.check_eligibility(AVA.id, "ORD-100101", sku="FSH-9999", condition="unused")


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

    with pytest.raises(InvalidStateError, match=r"Return RET-500001 is already open for the Alpine rain jacket\."):
        await services.returns.initiate_return(
            AVA.id, "ORD-100101", sku=None, condition="defective", reason="Seam came apart"
        )

    assert await query(services, "select id, condition from returns") == [("RET-500001", "unused")]


# fmt: off
INITIATE_REFUSALS = [
    # (customer, order, condition, reason, error, message)
    pytest.param(AVA.id, "ORD-100103", "unused", "Changed my mind", InvalidStateError, "return window",
                 id="window-ended"),
    pytest.param(PRIYA.id, "ORD-100302", "unused", "Unwanted", InvalidStateError, "final sale", id="gift-card"),
    pytest.param(AVA.id, "ORD-100102", "unused", "Changed my mind", InvalidStateError, "in transit",
                 id="in-transit"),
    pytest.param(AVA.id, "ORD-100101", "damaged_by_customer", "Tore it", InvalidStateError,
                 "damaged after delivery", id="damaged-by-customer"),
    pytest.param(AVA.id, "ORD-100201", "unused", "Mine now", NotFoundError, "There is no order ORD-100201",
                 id="another-customers-order"),
    pytest.param(AVA.id, "ORD-100101", "unused", " ", InvalidInputError, "Give the reason", id="blank-reason"),
    pytest.param(AVA.id, "ORD-100101", "unused", "x" * 301, InvalidInputError, "under 300 characters",
                 id="reason-too-long"),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize(("customer", "order_id", "condition", "reason", "error", "message"), INITIATE_REFUSALS)
async def test_initiate_return_refuses_and_writes_nothing(
    services: Services,
    query: Query,
    customer: str,
    order_id: str,
    condition: str,
    reason: str,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await services.returns.initiate_return(
            customer,
            order_id,
            sku=None,
            condition=condition,  # type: ignore[arg-type]
            reason=reason,
        )

    assert await query(services, "select count(*) from returns") == [(0,)]


@pytest.mark.asyncio
async def test_schedule_pickup_books_a_weekday_within_the_horizon(services: Services, query: Query) -> None:
    opened = await open_jacket_return(services)

    booked = await services.returns.schedule_pickup(AVA.id, opened.id, date=TOMORROW, window="morning")
    rebooked = await services.returns.schedule_pickup(AVA.id, opened.id, date=dt.date(2026, 12, 2), window="evening")

    assert (booked.status, booked.pickup_date, booked.pickup_window) == ("pickup_scheduled", TOMORROW, "morning")
    assert (rebooked.pickup_date, rebooked.pickup_window) == (dt.date(2026, 12, 2), "evening")
    assert await query(services, "select status, pickup_date, pickup_window from returns") == [
        ("pickup_scheduled", "2026-12-02", "evening")
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("date", "message"),
    [
        pytest.param(FIXED_NOW.date(), "from tomorrow up to 14 days ahead", id="today"),
        pytest.param(dt.date(2026, 11, 10), "from tomorrow up to 14 days ahead", id="past"),
        pytest.param(dt.date(2026, 12, 3), "from tomorrow up to 14 days ahead", id="15-days-ahead"),
        pytest.param(SUNDAY, "do not collect on Sundays", id="sunday"),
    ],
)
async def test_schedule_pickup_refuses_dates_the_carrier_cannot_do(
    services: Services, query: Query, date: dt.date, message: str
) -> None:
    opened = await open_jacket_return(services)

    with pytest.raises(InvalidInputError, match=message):
        await services.returns.schedule_pickup(AVA.id, opened.id, date=date, window="morning")

    assert await query(services, "select status, pickup_date from returns") == [("initiated", None)]


@pytest.mark.asyncio
async def test_process_refund_requires_a_booked_pickup(services: Services, query: Query) -> None:
    opened = await open_jacket_return(services)

    with pytest.raises(InvalidStateError, match="needs a pickup booked before the refund"):
        await services.returns.process_refund(AVA.id, opened.id, method="original_payment")
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

    with pytest.raises(InvalidStateError, match="already refunded"):
        await services.returns.process_refund(AVA.id, opened.id, method="store_credit")
    with pytest.raises(InvalidStateError, match="is refunded; a pickup cannot be booked"):
        await services.returns.schedule_pickup(AVA.id, opened.id, date=TOMORROW, window="morning")

    assert (await services.returns.get_return(AVA.id, opened.id)).refund_method == "original_payment"


@pytest.mark.asyncio
async def test_another_customers_return_is_not_found(services: Services, query: Query) -> None:
    marcus = await services.returns.initiate_return(
        MARCUS.id, "ORD-100201", sku=None, condition="unused", reason="Too big"
    )
    expected = f"There is no return {marcus.id} on this caller's account."

    with pytest.raises(NotFoundError) as got:
        await services.returns.get_return(AVA.id, marcus.id)
    assert str(got.value) == expected
    with pytest.raises(NotFoundError, match=expected):
        await services.returns.schedule_pickup(AVA.id, marcus.id, date=TOMORROW, window="morning")
    with pytest.raises(NotFoundError, match=expected):
        await services.returns.process_refund(AVA.id, marcus.id, method="store_credit")
    with pytest.raises(NotFoundError) as missing:
        await services.returns.get_return(AVA.id, "RET-599999")

    assert str(missing.value).replace("RET-599999", "<id>") == expected.replace(marcus.id, "<id>")
    assert await query(services, "select status, pickup_date, refund_method from returns") == [
        ("initiated", None, None)
    ]
