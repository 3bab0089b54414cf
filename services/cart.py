"""Carts and checkout (sales desk): lines per variant, totals, tax and shipping decided here; checkout
places an order that order tracking sees."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class CartService:
    """Each verified customer's cart and checkout."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
