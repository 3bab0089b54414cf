"""Product catalogue search (fuzzy match on product names, within one category)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database
from .errors import checked_text
from .models import Product

MIN_SCORE = 55
"""rapidfuzz WRatio below which a product is not considered a match (0–100)."""
MAX_QUERY = 100
"""Longest search query, in characters."""


@dataclass(frozen=True)
class ProductView:
    sku: str
    name: str
    category: str
    price_cents: int
    in_stock: bool


class CatalogService:
    """Read-only product search."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, category: str, query: str, *, limit: int = 3) -> list[ProductView]:
        """Best fuzzy matches of ``query`` among the category's products, best first.

        Raises:
            InvalidInputError: ``field_missing``, ``field_too_long``, ``not_text`` or ``text_not_encodable``
                (``field`` is ``search query``).
        """
        query = checked_text(query, field="search query", max_len=MAX_QUERY)

        async def _search(session: AsyncSession) -> list[ProductView]:
            rows = list(await session.scalars(select(Product).where(Product.category == category)))
            names = {i: p.name for i, p in enumerate(rows)}
            hits = process.extract(query, names, scorer=fuzz.WRatio, limit=limit, score_cutoff=MIN_SCORE)
            return [
                ProductView(rows[i].sku, rows[i].name, rows[i].category, rows[i].price_cents, rows[i].stock > 0)
                for _, _, i in hits
            ]

        return await self._db.run(_search)
