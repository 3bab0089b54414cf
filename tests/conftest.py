"""Fixtures shared by every test suite: a seeded template database copied per test.

The services suite (``tests/unit/test_services_*.py``, every test that uses ``db_url``) runs twice:
``[sqlite]`` on a copy of a seeded SQLite file and ``[postgresql]`` on a PostgreSQL database seeded
once per session (per xdist worker) and put back to its seeded rows before each test.
The PostgreSQL server is the one at ``TEST_POSTGRES_URL`` (``scripts/test.sh`` starts a throwaway
cluster and sets it); without it the ``[postgresql]`` tests are skipped. Every other test uses SQLite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import URL, make_url

from services import Clock, open_services
from worker.testing import FIXED_NOW, TEST_SALT

T = TypeVar("T")

POSTGRES_ENV = "TEST_POSTGRES_URL"
NO_POSTGRES = f"{POSTGRES_ENV} not set: run scripts/test.sh, which starts PostgreSQL"
BACKENDS = ("sqlite", "postgresql")


def is_services_module(path: Path) -> bool:
    """The services suite: ``tests/unit/test_services_*.py``, the modules that run on every backend."""
    return path.parent.name == "unit" and path.name.startswith("test_services_") and path.suffix == ".py"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: the services test on PostgreSQL (needs TEST_POSTGRES_URL)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every services test that uses a database once per backend: ``[sqlite]`` and ``[postgresql]``."""
    if "db_backend" not in metafunc.fixturenames or not is_services_module(metafunc.definition.path):
        return
    no_server = pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=NO_POSTGRES)
    metafunc.parametrize(
        "db_backend",
        [
            pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgres, no_server]),
        ],
        indirect=True,
    )


SLOW_FIRST = ("tests/unit/test_imports.py", "tests/voice/test_call_audio.py", "tests/unit/test_cli.py", "tests/voice/")
"""Modules whose tests take seconds to minutes each (fresh interpreters, real-time audio, whole calls)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, start the slowest tests first so that no worker is left with one at the end.

    With ``--dist worksteal`` the other workers take the quick tests queued behind them. The order is
    the same in every worker (xdist requires it); without xdist nothing moves.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the database behind ``db_url`` (SQLite outside the services suite)."""
    backend: str = getattr(request, "param", "sqlite")
    assert backend in BACKENDS, backend
    return backend


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database seeded once per test run (seeding takes ~0.3 s; copying ~1 ms)."""
    path = tmp_path_factory.mktemp("template") / "marketplace.db"

    async def _seed() -> None:
        services = await open_services(f"sqlite+aiosqlite:///{path}", salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
        await services.close()

    asyncio.run(_seed())
    return path


@pytest.fixture
def db_url(request: pytest.FixtureRequest, db_backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh copy of the seeded database for one test."""
    if db_backend == "postgresql":
        yield request.getfixturevalue("postgres_db_url")
        return
    template: Path = request.getfixturevalue("template_db")
    target = tmp_path / "marketplace.db"
    shutil.copy(template, target)
    yield f"sqlite+aiosqlite:///{target}"


# --- PostgreSQL ----------------------------------------------------------------------------------------


class PostgresLink:
    """One connection to a PostgreSQL database, on an event loop of its own thread.

    Sync fixtures use it without touching the event loop of the test (pytest-asyncio owns that one).
    """

    def __init__(self, url: str) -> None:
        import asyncpg  # the PostgreSQL driver; imported only when a PostgreSQL test runs

        self.url: URL = make_url(url)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="postgres-link", daemon=True)
        self._thread.start()
        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            self._conn = self._run(asyncpg.connect(dsn))
        except BaseException:
            self._stop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def execute(self, sql: str) -> None:
        """Run one or more statements (no parameters)."""
        self._run(self._conn.execute(sql))

    def execute_in_transaction(self, sql: str) -> None:
        async def _in_transaction() -> None:
            async with self._conn.transaction():
                await self._conn.execute(sql)

        self._run(_in_transaction())

    def fetch(self, sql: str) -> list[Any]:
        rows: list[Any] = self._run(self._conn.fetch(sql))
        return rows

    def url_of(self, database: str) -> str:
        """SQLAlchemy async URL of a database on the same server."""
        return self.url.set(drivername="postgresql+asyncpg", database=database).render_as_string(hide_password=False)

    def close(self) -> None:
        try:
            self._run(self._conn.close(), timeout=30.0)
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30.0)
        self._loop.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresTestDatabase:
    """The database of one session (one per xdist worker): seeded once, then reset before each test.

    The seeded rows are copied once into the schema ``desk_seed``. :meth:`reset` finds the tables a
    test changed (a row count that differs from the seed, or a row written after the last reset:
    ``xmin`` newer than it) and puts those back to the seeded rows, and every sequence back to its
    seeded value, in one transaction. A test therefore starts from exactly the freshly seeded
    database, whatever the one before it did. (A fresh ``CREATE DATABASE ... TEMPLATE`` per test
    costs ~150 ms of server time; a reset costs a few milliseconds plus the rows it restores.)

    As a superuser (the throwaway cluster of ``scripts/postgres.sh``) only the changed tables are
    restored, with foreign-key triggers off inside the transaction (``session_replication_role``);
    otherwise every table is emptied and refilled in foreign-key order.
    """

    SNAPSHOT = "desk_seed"
    VACUUM_EVERY = 25
    """Resets between two VACUUMs (restored tables leave their old rows behind as dead tuples)."""

    def __init__(self, link: PostgresLink) -> None:
        from services.db import Base  # every table of the services, in foreign-key order

        self.link = link
        existing = {r["tablename"] for r in link.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        self.tables = [t.name for t in Base.metadata.sorted_tables if t.name in existing]
        snap = _quote(self.SNAPSHOT)
        link.execute(
            f"DROP SCHEMA IF EXISTS {snap} CASCADE; CREATE SCHEMA {snap}; "
            + " ".join(f"CREATE TABLE {snap}.{_quote(t)} AS TABLE public.{_quote(t)};" for t in self.tables)
        )
        counts = link.fetch(
            "SELECT " + ", ".join(f"(SELECT count(*) FROM public.{_quote(t)})" for t in self.tables)
            if self.tables
            else "SELECT"
        )
        self._seeded_counts = dict(zip(self.tables, counts[0], strict=True)) if self.tables else {}
        sequences = link.fetch("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        self._setvals = ""
        for seq in sequences:
            value, called = (seq["last_value"], "true") if seq["last_value"] is not None else (1, "false")
            self._setvals += f"SELECT setval('public.{_quote(seq['sequencename'])}', {value}, {called});"
        self.superuser = link.fetch("SELECT current_setting('is_superuser') = 'on' AS su")[0]["su"]
        self._base_xid = self._current_xid_in_new_transaction()
        self._resets = 0

    def _current_xid_in_new_transaction(self) -> int:
        """An xid newer than every row written so far (the seed, and the snapshot copy)."""
        return int(self.link.fetch("SELECT txid_current() % 4294967296 AS xid")[0]["xid"])

    def changed_tables(self) -> list[str]:
        """Tables whose rows differ from the seeded ones (or may: a rolled-back write does not count)."""
        if not self.tables:
            return []
        checks = ", ".join(
            f"(SELECT count(*) <> {self._seeded_counts[t]} OR coalesce(bool_or(xmin::text::bigint > {self._base_xid}),"
            f" false) FROM public.{_quote(t)})"
            for t in self.tables
        )
        flags = self.link.fetch(f"SELECT {checks}")[0]
        return [t for t, changed in zip(self.tables, flags, strict=True) if changed]

    def reset(self) -> None:
        # Connections a test left open could hold locks: end them first.
        self.link.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        snap = _quote(self.SNAPSHOT)
        if self.superuser:
            changed = self.changed_tables()
            sql = "SET LOCAL session_replication_role = replica;" if changed else ""
        else:
            changed = list(self.tables)
            sql = "".join(f"DELETE FROM public.{_quote(t)};" for t in reversed(changed))
        order = [t for t in self.tables if t in changed]
        if self.superuser:
            sql += "".join(f"DELETE FROM public.{_quote(t)};" for t in order)
        sql += "".join(f"INSERT INTO public.{_quote(t)} SELECT * FROM {snap}.{_quote(t)};" for t in order)
        sql += self._setvals
        self.link.execute_in_transaction(sql)
        if changed:
            # Rows restored now carry this transaction's xid; anything written later is newer.
            self._base_xid = self._current_xid_in_new_transaction()
            self._resets += 1
            if self._resets % self.VACUUM_EVERY == 0:
                self.link.execute("VACUUM " + ", ".join(f"public.{_quote(t)}" for t in self.tables))


def _seed(url: str) -> None:
    async def _open_and_close() -> None:
        services = await open_services(url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
        await services.close()

    # In a thread of its own: ``asyncio.run`` must not replace the event loop of the test's thread.
    failure: list[BaseException] = []

    def _target() -> None:
        try:
            asyncio.run(_open_and_close())
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=_target, name="postgres-seed")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresTestDatabase]:
    """A PostgreSQL database seeded once per session (per xdist worker), dropped at the end."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    server = PostgresLink(url)
    # Unique per process and run: xdist workers and concurrent runs on one server never share a name.
    name = f"desk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        server.execute(f"CREATE DATABASE {_quote(name)}")
        try:
            _seed(server.url_of(name))
            link = PostgresLink(server.url_of(name))
            try:
                yield PostgresTestDatabase(link)
            finally:
                link.close()
        finally:
            server.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        server.close()


@pytest.fixture
def postgres_db_url(postgres_database: PostgresTestDatabase) -> str:
    """URL of the session's PostgreSQL database, reset to the freshly seeded rows for this test."""
    postgres_database.reset()
    return postgres_database.link.url_of(postgres_database.link.url.database or "")
