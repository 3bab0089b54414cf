"""Database engine, sessions and the timeout that bounds every service call.

SQLite file by default (``sqlite+aiosqlite:///data/marketplace.db``), PostgreSQL by URL
(``postgresql+asyncpg://user:pass@host/db``). Tables are created and seeded on first use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from .errors import ErrorCode, InvalidInputError, InvalidStateError, ServiceTimeoutError
from .schema import Base

logger = logging.getLogger("marketplace.services")

ID_CONFLICT_RETRIES = 5
"""Retries when two calls allocate the same sequential id (``TCK-``, ``RET-``, ``DLV-``) at once."""

T = TypeVar("T")


class Database:
    """Owns the async engine and runs units of work with a timeout.

    Args:
        url: SQLAlchemy async URL.
        timeout_s: Upper bound in seconds for one service call (a whole unit of work).
    """

    def __init__(self, url: str, *, timeout_s: float = 3.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def create_schema(self) -> None:
        """Create missing tables (idempotent)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], *, write: bool = False, conflict_retries: int = 0
    ) -> T:
        """Run ``work`` in one session and, if ``write``, one transaction, within ``timeout_s``.

        A write either commits entirely or not at all: on any error or timeout the transaction
        is rolled back, so nothing is half-written.

        Args:
            work: The unit of work; it may run more than once when ``conflict_retries`` > 0.
            write: Wrap ``work`` in a transaction.
            conflict_retries: Re-run ``work`` in a new transaction this many times when a
                uniqueness conflict occurs (e.g. two calls allocating the next ticket number).

        Raises:
            ServiceTimeoutError: ``timeout`` (with ``seconds``): the call took longer than ``timeout_s``.
            InvalidStateError: ``write_conflict``: a concurrent write won a uniqueness race (nothing was written).
            InvalidInputError: ``text_not_encodable`` or ``data_rejected``: the driver refused a value that
                slipped past the service's own checks (nothing was written).
        """
        try:
            async with asyncio.timeout(self.timeout_s):
                for attempt in range(conflict_retries + 1):
                    try:
                        async with self.sessions() as session:
                            if write:
                                async with session.begin():
                                    return await work(session)
                            return await work(session)
                    except IntegrityError:
                        if attempt == conflict_retries:
                            raise
                        logger.info("write conflict, retrying (%d of %d)", attempt + 1, conflict_retries)
                raise AssertionError("unreachable")
        except IntegrityError as exc:
            logger.warning("write conflict: %s", exc.orig)
            raise InvalidStateError(ErrorCode.WRITE_CONFLICT) from exc
        except TimeoutError as exc:
            logger.warning("service call exceeded %.1fs", self.timeout_s)
            raise ServiceTimeoutError(seconds=self.timeout_s) from exc
        except UnicodeEncodeError as exc:
            # The driver could not encode a parameter (a lone surrogate): nothing reached the database.
            logger.warning("driver could not encode a text parameter at position %d", exc.start)
            raise InvalidInputError(
                ErrorCode.TEXT_NOT_ENCODABLE, field="text", problem="invalid_unicode", position=exc.start
            ) from exc
        except StatementError as exc:
            # aiosqlite raises the UnicodeEncodeError itself; asyncpg wraps it (its DataError, then SQLAlchemy's).
            unencodable = _unencodable(exc.orig)
            if unencodable is not None:
                logger.warning("driver could not encode a text parameter")
                raise InvalidInputError(
                    ErrorCode.TEXT_NOT_ENCODABLE, field="text", problem="invalid_unicode", position=unencodable.start
                ) from exc
            if isinstance(exc, DataError):
                logger.warning("database refused a value: %s", type(exc.orig).__name__)
                raise InvalidInputError(ErrorCode.DATA_REJECTED) from exc
            raise

    async def close(self) -> None:
        """Dispose of the connection pool."""
        await self.engine.dispose()


def _unencodable(error: BaseException | None) -> UnicodeEncodeError | None:
    """The ``UnicodeEncodeError`` behind a driver error, if that is what it is (following its causes)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UnicodeEncodeError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=2000")
    cursor.close()
