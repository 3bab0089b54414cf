"""Seed rows of wishlists, price alerts, subscriptions and bundles (deterministic; dates relative to
the seeding day)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession


async def seed_features(session: AsyncSession, *, now: dt.datetime) -> None:
    """Add this desk's seed rows to ``session`` (the catalogue, customers and orders are flushed already).

    Args:
        session: The seeding transaction.
        now: The seeding instant (naive UTC, noon); relative dates are offsets from it.
    """
