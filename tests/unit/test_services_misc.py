"""Tickets, catalogue search, seed determinism, and the database's timeout and all-or-nothing writes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import Clock, InvalidInputError, ServiceError, Services, ServiceTimeoutError, open_services
from services.db import Database
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
@pytest.mark.parametrize("reason", ["", "   ", "x" * 501], ids=["empty", "blank", "501-chars"])
async def test_a_ticket_needs_a_short_reason(services: Services, query: Query, reason: str) -> None:
    with pytest.raises(InvalidInputError, match="why a person should follow up"):
        await services.tickets.create(customer_id=None, reason=reason, priority="low", summary={})

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
@pytest.mark.parametrize("query_text", ["", "   ", "x" * 101], ids=["empty", "blank", "101-chars"])
async def test_search_needs_a_short_query(services: Services, query_text: str) -> None:
    with pytest.raises(InvalidInputError, match="what product the caller is looking for"):
        await services.catalog.search("books", query_text)


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
    with pytest.raises(ServiceTimeoutError, match="did not answer in time"):
        await slow.db.run(add_then_hang, write=True)

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
