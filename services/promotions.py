"""Promotions and their rules in code: dates, categories, minimum spend, membership, one per order."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class PromotionService:
    """Current promotions, eligibility and discounts."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
