"""Fixtures shared by every test suite: a seeded template database copied per test.

The services suite (``tests/unit/test_services_*.py``, every test that uses ``db_url``) runs twice:
``[sqlite]`` on a copy of a seeded SQLite file and ``[postgresql]`` on a fresh PostgreSQL database
created from a seeded template database (``CREATE DATABASE ... TEMPLATE``, a few milliseconds).
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
from concurrent.futures import Future
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


class PostgresAdmin:
    """One admin connection to the test server, on an event loop of its own thread.

    Sync fixtures use it to create and drop databases without touching the event loop of the test
    (pytest-asyncio owns that one).
    """

    def __init__(self, url: str) -> None:
        import asyncpg  # the PostgreSQL driver; imported only when a PostgreSQL test runs

        self.url: URL = make_url(url)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="postgres-admin", daemon=True)
        self._thread.start()
        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = self._run(asyncpg.connect(dsn))

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    def execute(self, sql: str) -> None:
        self._run(self._conn.execute(sql))

    def url_of(self, database: str) -> str:
        """SQLAlchemy async URL of another database on the same server."""
        return self.url.set(drivername="postgresql+asyncpg", database=database).render_as_string(hide_password=False)

    def close(self) -> None:
        try:
            self._run(self._conn.close(), timeout=30.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30.0)
            self._loop.close()


class PostgresTemplate:
    """A seeded template database; :meth:`fresh` copies it into a new database for one test."""

    def __init__(self, admin: PostgresAdmin, name: str) -> None:
        self.admin = admin
        self.name = name
        self._count = 0

    def fresh(self) -> str:
        self._count += 1
        name = f"{self.name}_{self._count}"
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}" STRATEGY FILE_COPY')
        return name


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
def postgres_template() -> Iterator[PostgresTemplate]:
    """A PostgreSQL database seeded once per session (per xdist worker), like ``template_db``."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    admin = PostgresAdmin(url)
    # Unique per process and run: xdist workers and concurrent runs on one server never share a name.
    name = f"desk_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _seed(admin.url_of(name))
            yield PostgresTemplate(admin, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def postgres_db_url(postgres_template: PostgresTemplate) -> Iterator[str]:
    """URL of a fresh copy of the seeded PostgreSQL database for one test, dropped afterwards."""
    name = postgres_template.fresh()
    try:
        yield postgres_template.admin.url_of(name)
    finally:
        postgres_template.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
