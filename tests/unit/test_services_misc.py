"""Tickets, catalogue search, seed determinism, and the database's timeout and all-or-nothing writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import pickle
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import (
    Clock,
    InvalidInputError,
    InvalidStateError,
    ServiceError,
    Services,
    ServiceTimeoutError,
    open_services,
)
from services.db import Database
from services.errors import ErrorCode
from services.models import Customer, Order, Product, Ticket
from services.seed import seed_database
from services.views import TicketView
from worker.testing import FIXED_NOW, TEST_SALT

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]


async def count_tickets(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Ticket)) or 0


def a_ticket(ticket_id: str = "TCK-000001") -> Ticket:
    return Ticket(id=ticket_id, customer_id=None, reason="r", priority="low", summary={}, created_at=FIXED_NOW)


# --- tickets -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_tickets_get_sequential_ids_and_keep_the_summary(services: Services, query: Query) -> None:
    summary = {"customer": "Ava Thompson", "verified": True, "actions": ["Identity verified"]}

    first = await services.tickets.create(
        customer_id="CUS-1001", reason="  Refund dispute  ", priority="high", summary=summary
    )
    second = await services.tickets.create(
        customer_id=None, reason="Caller could not verify", priority="normal", summary={}
    )

    assert (first, second) == (TicketView("TCK-900001", "high", "open"), TicketView("TCK-900002", "normal", "open"))
    stored = await query(services, "select id, customer_id, reason, priority, status, summary from tickets order by id")
    assert stored[0][:5] == ("TCK-900001", "CUS-1001", "Refund dispute", "high", "open")
    assert stored[1][:2] == ("TCK-900002", None)
    assert '"actions": ["Identity verified"]' in stored[0][5]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reason", "code", "details"),
    [
        pytest.param("", ErrorCode.FIELD_MISSING, {"field": "ticket reason", "max_len": 500}, id="empty"),
        pytest.param("   ", ErrorCode.FIELD_MISSING, {"field": "ticket reason", "max_len": 500}, id="blank"),
        pytest.param(
            "x" * 501,
            ErrorCode.FIELD_TOO_LONG,
            {"field": "ticket reason", "max_len": 500, "length": 501},
            id="501-chars",
        ),
    ],
)
async def test_a_ticket_needs_a_short_reason(
    services: Services, query: Query, reason: str, code: ErrorCode, details: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.tickets.create(customer_id=None, reason=reason, priority="low", summary={})

    assert (refused.value.code, dict(refused.value.details)) == (code, details)

    assert await query(services, "select count(*) from tickets") == [(0,)]


@pytest.mark.asyncio
async def test_concurrent_tickets_never_crash_or_half_write(services: Services, query: Query) -> None:
    await services.catalog.search("books", "novel")  # warm the connection pool, as in a running worker

    results = await asyncio.gather(
        *(
            services.tickets.create(customer_id=None, reason=f"call {n}", priority="normal", summary={})
            for n in range(3)
        ),
        return_exceptions=True,
    )

    created = [r for r in results if isinstance(r, TicketView)]
    assert all(isinstance(r, TicketView | ServiceError) for r in results), results
    assert len({t.id for t in created}) == len(created) >= 1
    assert await query(services, "select count(*) from tickets") == [(len(created),)]


@pytest.mark.asyncio
async def test_two_callers_escalating_at_the_same_moment_both_get_a_ticket(services: Services) -> None:
    await services.catalog.search("books", "novel")  # warm the connection pool, as in a running worker

    results = await asyncio.gather(
        *(
            services.tickets.create(customer_id=None, reason=f"call {n}", priority="normal", summary={})
            for n in range(3)
        ),
        return_exceptions=True,
    )

    assert all(isinstance(r, TicketView) for r in results), results


# --- catalogue ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_search_ranks_the_closest_product_first_within_the_category(services: Services) -> None:
    hits = await services.catalog.search("fashion", "rain jacket")

    assert hits[0].sku == "FSH-2001" and hits[0].name == "Alpine rain jacket"
    assert 1 <= len(hits) <= 3
    assert {h.category for h in hits} == {"fashion"}


@pytest.mark.asyncio
async def test_search_never_crosses_categories(services: Services) -> None:
    assert await services.catalog.search("books", "Alpine rain jacket") == []
    assert await services.catalog.search("no_such_category", "jacket") == []
    assert [h.sku for h in await services.catalog.search("books", "lighthouse keeper")] == ["BOK-1001"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query_text", "code"),
    [
        pytest.param("", ErrorCode.FIELD_MISSING, id="empty"),
        pytest.param("   ", ErrorCode.FIELD_MISSING, id="blank"),
        pytest.param("x" * 101, ErrorCode.FIELD_TOO_LONG, id="101-chars"),
        pytest.param("lamp\x00", ErrorCode.TEXT_NOT_ENCODABLE, id="nul"),
        pytest.param("\ud800", ErrorCode.TEXT_NOT_ENCODABLE, id="lone-surrogate"),
    ],
)
async def test_search_needs_a_short_plain_query(services: Services, query_text: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.catalog.search("books", query_text)

    assert (refused.value.code, refused.value.details["field"]) == (code, "search query")


@pytest.mark.asyncio
async def test_search_treats_sql_as_plain_text(services: Services, query: Query) -> None:
    assert await services.catalog.search("books", "'; drop table products;--") == []
    assert await query(services, "select count(*) from products") != [(0,)]


# --- seed --------------------------------------------------------------------------------------------


async def seeded_contents(path: Path, clock: Clock) -> dict[str, list[tuple[Any, ...]]]:
    services = await open_services(f"sqlite+aiosqlite:///{path}", salt=TEST_SALT, clock=clock)

    async def _read(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
        customers = await session.execute(
            select(
                Customer.id,
                Customer.first_name,
                Customer.last_name,
                Customer.phone,
                Customer.date_of_birth,
                Customer.email,
                Customer.ssn_last4_digest,
            ).order_by(Customer.id)
        )
        orders = await session.execute(
            select(
                Order.id, Order.customer_id, Order.status, Order.placed_at, Order.expected_delivery, Order.carrier
            ).order_by(Order.id)
        )
        products = await session.execute(
            select(Product.sku, Product.name, Product.price_cents, Product.stock).order_by(Product.sku)
        )
        return {
            "customers": [tuple(r) for r in customers],
            "orders": [tuple(r) for r in orders],
            "products": [tuple(r) for r in products],
        }

    try:
        return await services.db.run(_read)
    finally:
        await services.close()


@pytest.mark.asyncio
async def test_two_fresh_databases_are_seeded_identically(tmp_path: Path) -> None:
    clock = Clock(fixed=FIXED_NOW)

    first = await seeded_contents(tmp_path / "a.db", clock)
    second = await seeded_contents(tmp_path / "b.db", clock)

    assert first == second
    assert len(first["customers"]) == 43  # 3 demo customers + 40 filler
    assert first["customers"][:3] == [
        (
            "CUS-1001",
            "Ava",
            "Thompson",
            "+14155550134",
            dt.date(1988, 4, 12),
            "ava.thompson@example.com",
            first["customers"][0][6],
        ),
        (
            "CUS-1002",
            "Marcus",
            "Lee",
            "+13125550178",
            dt.date(1975, 11, 3),
            "marcus.lee@example.com",
            first["customers"][1][6],
        ),
        (
            "CUS-1003",
            "Priya",
            "Raman",
            "+12065550112",
            dt.date(1992, 7, 28),
            "priya.raman@example.com",
            first["customers"][2][6],
        ),
    ]
    assert len({c[3] for c in first["customers"]}) == 43  # phones are unique


@pytest.mark.asyncio
async def test_seeding_on_another_day_keeps_the_same_rows_and_shifts_the_dates(tmp_path: Path) -> None:
    today = await seeded_contents(tmp_path / "a.db", Clock(fixed=FIXED_NOW))
    next_week = await seeded_contents(tmp_path / "b.db", Clock(fixed=FIXED_NOW + dt.timedelta(days=7)))

    assert today["customers"] == next_week["customers"]
    assert today["products"] == next_week["products"]
    assert [o[:3] for o in today["orders"]] == [o[:3] for o in next_week["orders"]]
    assert [o[3] + dt.timedelta(days=7) for o in today["orders"]] == [o[3] for o in next_week["orders"]]


@pytest.mark.asyncio
async def test_seeding_an_already_seeded_database_returns_false_and_adds_nothing(
    services: Services, query: Query
) -> None:
    counts = "select (select count(*) from customers), (select count(*) from orders), (select count(*) from products)"
    before = await query(services, counts)

    assert (
        await seed_database(services.db, clock=Clock(fixed=FIXED_NOW + dt.timedelta(days=1)), salt="another-salt")
        is False
    )
    assert await query(services, counts) == before
    assert services.db.timeout_s == 3.0  # the seeding allowance does not leak into caller requests


# --- database ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_write_that_fails_midway_commits_nothing(services: Services) -> None:
    async def add_then_fail(session: AsyncSession) -> None:
        session.add(a_ticket())
        await session.flush()  # the row reached the database inside the transaction
        assert await count_tickets(session) == 1
        raise RuntimeError("backend failed midway")

    with pytest.raises(RuntimeError, match="midway"):
        await services.db.run(add_then_fail, write=True)

    assert await services.db.run(count_tickets) == 0


@pytest.mark.asyncio
async def test_a_slow_call_times_out_and_its_write_is_rolled_back(open_at: OpenAt) -> None:
    slow = await open_at(timeout_s=0.2)

    async def add_then_hang(session: AsyncSession) -> None:
        session.add(a_ticket())
        await session.flush()
        await asyncio.sleep(5)

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ServiceTimeoutError) as timed_out:
        await slow.db.run(add_then_hang, write=True)
    assert (timed_out.value.code, dict(timed_out.value.details)) == (ErrorCode.TIMEOUT, {"seconds": 0.2})

    assert loop.time() - started < 2.0
    assert await slow.db.run(count_tickets) == 0
    # The database is usable right after: the next write goes through.
    assert (await slow.tickets.create(customer_id=None, reason="r", priority="low", summary={})).id == "TCK-900001"


@pytest.mark.asyncio
async def test_a_slow_read_times_out(open_at: OpenAt) -> None:
    slow = await open_at(timeout_s=0.2)

    async def hang(session: AsyncSession) -> int:
        await asyncio.sleep(5)
        return 0

    with pytest.raises(ServiceTimeoutError):
        await slow.db.run(hang)


@pytest.mark.asyncio
async def test_a_write_within_the_timeout_commits(services: Services) -> None:
    async def add(session: AsyncSession) -> None:
        session.add(a_ticket())

    await services.db.run(add, write=True)

    assert await services.db.run(count_tickets) == 1


@pytest.mark.asyncio
async def test_without_write_nothing_is_committed(services: Services) -> None:
    async def add_without_transaction(session: AsyncSession) -> None:
        session.add(a_ticket())
        await session.flush()

    await services.db.run(add_without_transaction)

    assert await services.db.run(count_tickets) == 0


@pytest.mark.asyncio
async def test_database_creates_the_folder_of_a_new_sqlite_file(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'x.db'}")
    try:
        await db.create_schema()
        assert (tmp_path / "nested" / "dir" / "x.db").exists()
    finally:
        await db.close()


@pytest.mark.asyncio
async def test_a_lost_uniqueness_race_is_a_typed_write_conflict_and_writes_nothing(services: Services) -> None:
    async def add_twice(session: AsyncSession) -> None:
        session.add(a_ticket("TCK-000001"))
        await session.flush()
        session.add(a_ticket("TCK-000001"))
        await session.flush()

    with pytest.raises(InvalidStateError) as conflict:
        await services.db.run(add_twice, write=True)

    assert (conflict.value.code, dict(conflict.value.details)) == (ErrorCode.WRITE_CONFLICT, {})
    assert await services.db.run(count_tickets) == 0


@pytest.mark.asyncio
async def test_text_the_driver_cannot_encode_is_a_typed_error_and_writes_nothing(services: Services) -> None:
    async def add_a_bad_ticket(session: AsyncSession) -> None:
        session.add(a_ticket("TCK-000001"))
        await session.flush()
        bad = a_ticket("TCK-000002")
        bad.reason = "bad \ud800 text"  # bypasses the service's own check: the database layer still refuses it
        session.add(bad)
        await session.flush()

    with pytest.raises(InvalidInputError) as refused:
        await services.db.run(add_a_bad_ticket, write=True)

    assert refused.value.code is ErrorCode.TEXT_NOT_ENCODABLE
    assert await services.db.run(count_tickets) == 0


def test_service_errors_carry_data_and_a_factual_description() -> None:
    err = InvalidStateError(ErrorCode.ALREADY_REFUNDED, return_id="RET-500001")

    assert (err.code, dict(err.details)) == (ErrorCode.ALREADY_REFUNDED, {"return_id": "RET-500001"})
    assert str(err) == "already_refunded (return_id='RET-500001')"
    assert str(ServiceTimeoutError(seconds=3.0)) == "timeout (seconds=3.0)"
    with pytest.raises(TypeError):
        err.details["return_id"] = "RET-1"  # type: ignore[index]
    with pytest.raises(TypeError, match="needs an ErrorCode"):
        InvalidInputError()


def test_service_errors_survive_pickling_with_their_data() -> None:
    err = InvalidInputError(ErrorCode.NO_SUNDAY_PICKUP, date=dt.date(2026, 11, 22))

    copy = pickle.loads(pickle.dumps(err))

    assert (type(copy), copy.code, dict(copy.details), str(copy)) == (
        InvalidInputError,
        ErrorCode.NO_SUNDAY_PICKUP,
        {"date": dt.date(2026, 11, 22)},
        str(err),
    )


@pytest.mark.parametrize("code", list(ErrorCode))
def test_no_error_description_tells_the_model_what_to_do(code: ErrorCode) -> None:
    description = str(ServiceError(code, field="x", order_id="ORD-100101")).casefold()

    for instruction in ("ask", "apologi", "offer", "say ", "tell", "give"):
        assert instruction not in description, (code, description)
