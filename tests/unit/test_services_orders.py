"""OrderService: scoping to the owner, delivery changes and delivery issues under the carrier rules.

Seeded at Wednesday 2026-11-18 15:00: Ava's ORD-100101 was delivered 2026-11-08, ORD-100102 is in
transit expected 2026-11-20, ORD-100103 was delivered 2026-10-04; Marcus owns ORD-100201/100202;
Priya's ORD-100301 is out for delivery today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.orders import MAX_RESCHEDULE_DAYS
from worker.testing import FIXED_NOW

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
TODAY = FIXED_NOW.date()
IN_TRANSIT_EXPECTED = dt.date(2026, 11, 20)


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    """The data an error carries: its code and details."""
    return err.code, dict(err.details)


@pytest.mark.asyncio
async def test_list_orders_returns_only_the_owners_orders_newest_first(services: Services) -> None:
    ava = await services.orders.list_orders(AVA.id)
    marcus = await services.orders.list_orders(MARCUS.id)

    assert [o.id for o in ava] == ["ORD-100102", "ORD-100101", "ORD-100103"]
    assert [o.id for o in marcus] == ["ORD-100202", "ORD-100201"]
    assert [o.id for o in await services.orders.list_orders(AVA.id, limit=1)] == ["ORD-100102"]
    assert await services.orders.list_orders("CUS-9999") == []


@pytest.mark.asyncio
async def test_get_order_returns_the_owners_order_with_items(services: Services) -> None:
    order = await services.orders.get_order(AVA.id, "ORD-100101")

    assert (order.status, order.delivered_at, order.carrier) == ("delivered", dt.datetime(2026, 11, 8, 12), "UPS")
    assert [(i.sku, i.name, i.unit_price_cents) for i in order.items] == [("FSH-2001", "Alpine rain jacket", 12900)]
    assert order.total_cents == 12900


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s, oid: s.orders.get_order(AVA.id, oid), id="get_order"),
        pytest.param(lambda s, oid: s.orders.tracking_events(AVA.id, oid), id="tracking_events"),
        pytest.param(
            lambda s, oid: s.orders.modify_delivery(AVA.id, oid, new_date=None, instructions="Ring twice"),
            id="modify_delivery",
        ),
        pytest.param(
            lambda s, oid: s.orders.report_delivery_issue(AVA.id, oid, kind="damaged", description="Box crushed"),
            id="report_delivery_issue",
        ),
    ],
)
async def test_another_customers_order_looks_exactly_like_a_missing_one(
    services: Services, query: Query, call: Callable[[Services, str], Awaitable[Any]]
) -> None:
    with pytest.raises(NotFoundError) as foreign:
        await call(services, "ORD-100201")
    with pytest.raises(NotFoundError) as missing:
        await call(services, "ORD-999999")

    assert facts(foreign.value) == (ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-100201"})
    assert facts(missing.value) == (ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-999999"})
    assert str(foreign.value).replace("ORD-100201", "<id>") == str(missing.value).replace("ORD-999999", "<id>")
    assert "Marcus" not in str(foreign.value) and MARCUS.id not in str(foreign.value)
    assert await query(services, "select delivery_instructions from orders where id = 'ORD-100201'") == [("",)]
    assert await query(services, "select count(*) from delivery_issues") == [(0,)]


@pytest.mark.asyncio
async def test_tracking_events_are_oldest_first_and_end_with_the_delivery(services: Services) -> None:
    events = await services.orders.tracking_events(AVA.id, "ORD-100101")

    assert [e.description for e in events] == [
        "Order received and being prepared",
        "Handed to UPS",
        "In transit",
        "Delivered",
    ]
    assert events == sorted(events, key=lambda e: e.at)


@pytest.mark.asyncio
async def test_modify_delivery_reschedules_and_saves_instructions(services: Services, query: Query) -> None:
    new_date = IN_TRANSIT_EXPECTED + dt.timedelta(days=3)

    order = await services.orders.modify_delivery(
        AVA.id, "ORD-100102", new_date=new_date, instructions="  Leave with the concierge "
    )

    assert (order.expected_delivery, order.delivery_instructions) == (new_date, "Leave with the concierge")
    assert await query(
        services, "select expected_delivery, delivery_instructions from orders where id = 'ORD-100102'"
    ) == [("2026-11-23", "Leave with the concierge")]


@pytest.mark.asyncio
async def test_modify_delivery_accepts_the_last_day_of_the_hold(services: Services) -> None:
    last_day = IN_TRANSIT_EXPECTED + dt.timedelta(days=MAX_RESCHEDULE_DAYS)

    order = await services.orders.modify_delivery(AVA.id, "ORD-100102", new_date=last_day, instructions=None)

    assert order.expected_delivery == last_day


HOLD_END = IN_TRANSIT_EXPECTED + dt.timedelta(days=MAX_RESCHEDULE_DAYS)

# fmt: off
MODIFY_REFUSALS = [
    # (customer, order, new date, instructions, error, code, details)
    pytest.param(AVA.id, "ORD-100101", None, "Leave at the back door", InvalidStateError,
                 ErrorCode.DELIVERY_NOT_MODIFIABLE, {"order_id": "ORD-100101", "status": "delivered"}, id="delivered"),
    pytest.param(PRIYA.id, "ORD-100301", dt.date(2026, 11, 20), None, InvalidStateError,
                 ErrorCode.DELIVERY_NOT_MODIFIABLE, {"order_id": "ORD-100301", "status": "out_for_delivery"},
                 id="out-for-delivery"),
    pytest.param(AVA.id, "ORD-100102", dt.date(2026, 11, 19), None, InvalidInputError,
                 ErrorCode.DELIVERY_BEFORE_EXPECTED,
                 {"order_id": "ORD-100102", "date": dt.date(2026, 11, 19), "expected": IN_TRANSIT_EXPECTED},
                 id="before-expected"),
    pytest.param(AVA.id, "ORD-100102", HOLD_END + dt.timedelta(days=1), None, InvalidInputError,
                 ErrorCode.DELIVERY_BEYOND_HOLD,
                 {"order_id": "ORD-100102", "date": HOLD_END + dt.timedelta(days=1), "expected": IN_TRANSIT_EXPECTED,
                  "max_days": 14, "latest": HOLD_END},
                 id="beyond-hold"),
    pytest.param(AVA.id, "ORD-100102", TODAY, None, InvalidInputError, ErrorCode.DELIVERY_DATE_NOT_FUTURE,
                 {"order_id": "ORD-100102", "date": TODAY, "today": TODAY}, id="today"),
    pytest.param(AVA.id, "ORD-100102", dt.date(2026, 11, 10), None, InvalidInputError,
                 ErrorCode.DELIVERY_DATE_NOT_FUTURE,
                 {"order_id": "ORD-100102", "date": dt.date(2026, 11, 10), "today": TODAY}, id="past"),
    pytest.param(AVA.id, "ORD-100102", None, None, InvalidInputError, ErrorCode.NOTHING_TO_CHANGE,
                 {"order_id": "ORD-100102"}, id="nothing"),
    pytest.param(AVA.id, "ORD-100102", None, "   ", InvalidInputError, ErrorCode.NOTHING_TO_CHANGE,
                 {"order_id": "ORD-100102"}, id="blank"),
    pytest.param(AVA.id, "ORD-100102", None, "x" * 301, InvalidInputError, ErrorCode.FIELD_TOO_LONG,
                 {"field": "delivery instructions", "max_len": 300, "length": 301}, id="instructions-too-long"),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("customer", "order_id", "new_date", "instructions", "error", "code", "details"), MODIFY_REFUSALS
)
async def test_modify_delivery_refuses_what_the_carrier_cannot_do(
    services: Services,
    query: Query,
    customer: str,
    order_id: str,
    new_date: dt.date | None,
    instructions: str | None,
    error: type[ServiceError],
    code: ErrorCode,
    details: dict[str, Any],
) -> None:
    sql = "select id, expected_delivery, delivery_instructions from orders order by id"
    before = await query(services, sql)

    with pytest.raises(error) as refused:
        await services.orders.modify_delivery(customer, order_id, new_date=new_date, instructions=instructions)
    with pytest.raises(error) as checked:
        await services.orders.check_delivery_change(customer, order_id, new_date=new_date, instructions=instructions)

    assert facts(refused.value) == facts(checked.value) == (code, details)
    assert await query(services, sql) == before


@pytest.mark.asyncio
async def test_a_refused_date_does_not_save_the_instructions_given_with_it(services: Services, query: Query) -> None:
    with pytest.raises(InvalidInputError):
        await services.orders.modify_delivery(
            AVA.id, "ORD-100102", new_date=dt.date(2026, 11, 19), instructions="Leave with the concierge"
        )

    assert await query(services, "select delivery_instructions from orders where id = 'ORD-100102'") == [("",)]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["missing", "damaged", "wrong_item"])
async def test_a_delivered_order_can_be_reported(services: Services, query: Query, kind: str) -> None:
    case_id = await services.orders.report_delivery_issue(
        AVA.id,
        "ORD-100101",
        kind=kind,  # type: ignore[arg-type]
        description="  Box arrived crushed  ",
    )

    assert case_id == "DLV-700001"
    assert await query(services, "select id, order_id, kind, description, created_at from delivery_issues") == [
        ("DLV-700001", "ORD-100101", kind, "Box arrived crushed", "2026-11-18 15:00:00.000000")
    ]


@pytest.mark.asyncio
async def test_delivery_case_ids_are_sequential(services: Services) -> None:
    first = await services.orders.report_delivery_issue(AVA.id, "ORD-100101", kind="damaged", description="Dent")
    second = await services.orders.report_delivery_issue(
        AVA.id, "ORD-100103", kind="wrong_item", description="Wrong book"
    )

    assert (first, second) == ("DLV-700001", "DLV-700002")


# fmt: off
REPORT_REFUSALS = [
    # (customer, order, kind, description, error, code, details)
    pytest.param(AVA.id, "ORD-100102", "missing", "Never came", InvalidStateError, ErrorCode.NOT_DELIVERED,
                 {"order_id": "ORD-100102", "status": "in_transit", "issue_kind": "missing"}, id="missing-in-transit"),
    pytest.param(MARCUS.id, "ORD-100202", "damaged", "Broken", InvalidStateError, ErrorCode.NOT_DELIVERED,
                 {"order_id": "ORD-100202", "status": "processing", "issue_kind": "damaged"},
                 id="damaged-processing"),
    pytest.param(AVA.id, "ORD-100102", "wrong_item", "Wrong", InvalidStateError, ErrorCode.NOT_DELIVERED,
                 {"order_id": "ORD-100102", "status": "in_transit", "issue_kind": "wrong_item"},
                 id="wrong-item-in-transit"),
    pytest.param(AVA.id, "ORD-100102", "late", "Where is it", InvalidStateError, ErrorCode.NOT_LATE,
                 {"order_id": "ORD-100102", "expected": IN_TRANSIT_EXPECTED}, id="late-before-expected"),
    pytest.param(PRIYA.id, "ORD-100301", "late", "Where is it", InvalidStateError, ErrorCode.NOT_LATE,
                 {"order_id": "ORD-100301", "expected": TODAY}, id="late-on-the-expected-day"),
    pytest.param(AVA.id, "ORD-100101", "late", "Late", InvalidStateError, ErrorCode.ALREADY_DELIVERED,
                 {"order_id": "ORD-100101"}, id="late-but-delivered"),
    pytest.param(AVA.id, "ORD-100101", "damaged", "", InvalidInputError, ErrorCode.FIELD_MISSING,
                 {"field": "issue description", "max_len": 300}, id="empty-description"),
    pytest.param(AVA.id, "ORD-100101", "damaged", "x" * 301, InvalidInputError, ErrorCode.FIELD_TOO_LONG,
                 {"field": "issue description", "max_len": 300, "length": 301}, id="description-too-long"),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize(("customer", "order_id", "kind", "description", "error", "code", "details"), REPORT_REFUSALS)
async def test_report_delivery_issue_refuses_what_does_not_fit_the_order(
    services: Services,
    query: Query,
    customer: str,
    order_id: str,
    kind: str,
    description: str,
    error: type[ServiceError],
    code: ErrorCode,
    details: dict[str, Any],
) -> None:
    with pytest.raises(error) as refused:
        await services.orders.report_delivery_issue(
            customer,
            order_id,
            kind=kind,  # type: ignore[arg-type]
            description=description,
        )
    with pytest.raises(error) as checked:
        await services.orders.check_delivery_issue(
            customer,
            order_id,
            kind=kind,  # type: ignore[arg-type]
            description=description,
        )

    assert facts(refused.value) == facts(checked.value) == (code, details)
    assert await query(services, "select count(*) from delivery_issues") == [(0,)]


@pytest.mark.asyncio
async def test_late_is_accepted_once_the_expected_date_has_passed(open_at: OpenAt, query: Query) -> None:
    on_the_day = await open_at(dt.datetime(2026, 11, 20, 18, 0))
    with pytest.raises(InvalidStateError) as not_late:
        await on_the_day.orders.report_delivery_issue(AVA.id, "ORD-100102", kind="late", description="Not here")
    assert not_late.value.code is ErrorCode.NOT_LATE

    day_after = await open_at(dt.datetime(2026, 11, 21, 9, 0))
    case_id = await day_after.orders.report_delivery_issue(
        AVA.id, "ORD-100102", kind="late", description="Not here yet"
    )

    assert case_id == "DLV-700001"
    assert await query(day_after, "select order_id, kind from delivery_issues") == [("ORD-100102", "late")]
