"""Sellers for buyers (rating, policies, disputes, messages) and for store owners (performance,
payouts, listing stock)."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class SellerService:
    """Seller lookups for buyers and store tools for owners."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
