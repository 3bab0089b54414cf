"""Fixtures of the unit tests: a real SQLite file per test, seeded exactly as the product seeds it.

Seeding takes ~0.4 s, so it runs once per session into a template file that every test copies into
its own ``tmp_path``; the copy is a real, independent database. The seed tests in
``test_services_misc.py`` seed fresh files themselves. The services suite (``test_services_*.py``)
also runs on PostgreSQL: ``db_url`` is then the session's PostgreSQL database, put back to its freshly
seeded rows before each test (``tests/conftest.py``; skipped without ``TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services import Clock, Services, open_services
from worker.testing import FIXED_NOW, TEST_SALT

NOW: dt.datetime = FIXED_NOW
"""The frozen "now" of every unit test (Wednesday 2026-11-18 15:00 UTC), as in ``offline_call``."""
SALT: str = TEST_SALT
"""The salt the template is seeded with (the one ``offline_call`` uses, so tool tests can share it)."""

OpenServices = Callable[..., Awaitable[Services]]
Snapshot = Callable[[Services], Awaitable[dict[str, list[tuple[Any, ...]]]]]

_WRITABLE_STATE: dict[str, str] = {
    "returns": "select * from returns order by id",
    "delivery_issues": "select * from delivery_issues order by id",
    "tickets": "select * from tickets order by id",
    "offer_responses": "select * from offer_responses order by id",
    "auth_attempts": "select * from auth_attempts order by id",
    "addresses": "select * from addresses order by customer_id",
    "orders": "select id, status, expected_delivery, delivery_instructions from orders order by id",
    "customers": "select id, failed_auth_attempts, locked_until from customers order by id",
}
"""Every row a tool or service can write (the "did anything change?" check)."""


def url_of(path: Path) -> str:
    """SQLAlchemy async URL of an SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


async def _seed_template(path: Path) -> None:
    services = await open_services(url_of(path), salt=SALT, clock=Clock(fixed=NOW))
    await services.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database seeded at ``NOW`` with ``SALT`` (never opened by a test: tests use copies)."""
    path = tmp_path_factory.mktemp("template") / "t.db"
    asyncio.run(_seed_template(path))
    return path


@pytest.fixture
def db_url(request: pytest.FixtureRequest, db_backend: str, tmp_path: Path) -> str:
    """URL of this test's own seeded database: ``<tmp_path>/t.db``, or the freshly reset PostgreSQL one.

    PostgreSQL only for the services suite (``test_services_*.py``), which runs on both backends
    (see ``tests/conftest.py``).
    """
    if db_backend == "postgresql":
        url: str = request.getfixturevalue("postgres_db_url")
        return url
    seeded_template: Path = request.getfixturevalue("seeded_template")
    for src in seeded_template.parent.glob(seeded_template.name + "*"):
        shutil.copy(src, tmp_path / src.name)
    return url_of(tmp_path / seeded_template.name)


@pytest_asyncio.fixture
async def open_at(db_url: str) -> AsyncIterator[OpenServices]:
    """Open more services on this test's database, e.g. with a later clock; all closed at teardown."""
    opened: list[Services] = []

    async def _open(when: dt.datetime = NOW, *, timeout_s: float = 3.0, salt: str = SALT) -> Services:
        services = await open_services(db_url, salt=salt, clock=Clock(fixed=when), timeout_s=timeout_s)
        opened.append(services)
        return services

    yield _open
    for services in opened:
        await services.close()


@pytest_asyncio.fixture
async def services(open_at: OpenServices) -> Services:
    """The services at the frozen ``NOW`` on this test's seeded database."""
    return await open_at()


def as_sqlite_gives(value: Any) -> Any:
    """A PostgreSQL value as SQLite returns it to raw SQL (the way the services tests write expectations).

    SQLAlchemy stores on SQLite a ``DateTime`` as ``'2026-11-18 15:00:00.000000'``, a ``Date`` as
    ``'2026-11-18'``, a boolean as ``0``/``1`` and a JSON column as its ``json.dumps`` text; asyncpg
    returns ``datetime``, ``date``, ``bool`` and decoded JSON instead. Same stored value, same assertion.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


async def rows(services: Services, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """All rows of a read-only SQL query, in SQLite's representation on every backend."""

    async def _q(session: AsyncSession) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in (await session.execute(text(sql), params)).all()]

    found = await services.db.run(_q)
    if services.db.engine.dialect.name == "sqlite":
        return found
    return [tuple(as_sqlite_gives(v) for v in row) for row in found]


async def _snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    async def _all(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [tuple(r) for r in (await session.execute(text(sql))).all()]
            for table, sql in _WRITABLE_STATE.items()
        }

    return await services.db.run(_all)


@pytest.fixture
def db_snapshot() -> Snapshot:
    """``await db_snapshot(services)``: every writable row, to compare before/after a refused call."""
    return _snapshot


@pytest.fixture
def query() -> Callable[..., Awaitable[list[tuple[Any, ...]]]]:
    """``await query(services, "select ...", **params)``: all rows of a read-only query."""
    return rows


@pytest.fixture
def restore_log_levels() -> Iterator[None]:
    """The benchmarks quiet LiveKit's loggers (``quiet_logs``); put the levels back so later tests in this
    process (e.g. the redaction tests, which log at DEBUG) see the logging tree as they expect."""
    names = ("", "livekit", "livekit.agents", "marketplace")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
