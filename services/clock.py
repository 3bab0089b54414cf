"""An injectable clock, so that policies computed from "today" are testable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """Wall clock in UTC, or a frozen instant when ``fixed`` is given (tests, simulations)."""

    fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """Current UTC time as a naive ``datetime`` (the database stores naive UTC)."""
        if self.fixed is not None:
            return self.fixed
        return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def today(self) -> dt.date:
        """Current UTC date."""
        return self.now().date()
