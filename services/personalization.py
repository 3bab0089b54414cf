"""Preferences, behaviour tracked during calls, and recommendations from orders and preferences."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class PersonalizationService:
    """Preferences and recommendations of one customer."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
