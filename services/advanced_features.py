"""Wishlists, price-drop alerts, subscribe-and-save subscriptions and bundles."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class AdvancedFeaturesService:
    """Wishlists, alerts, subscriptions and bundles of one customer."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
