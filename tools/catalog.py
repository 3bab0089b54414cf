"""Catalogue search tool, one per product category agent."""

from __future__ import annotations

from functools import cache

from livekit.agents import RunContext, function_tool, llm

from call.context import CustomerContext
from services.views import dollars

from .common import service_errors


@cache
def catalog_search_tool(category: str) -> llm.FunctionTool:
    """A ``search_catalog`` tool limited to ``category`` (e.g. ``"books"``)."""

    @function_tool(name="search_catalog")
    async def search_catalog(context: RunContext[CustomerContext], query: str) -> str:
        """Find products in your category by name or description.

        Args:
            query: A few words, e.g. "wool sweater" or "noise cancelling headphones".
        """
        async with service_errors():
            hits = await context.userdata.services.catalog.search(category, query)
        if not hits:
            return f"No {category} products match '{query[:60]}'."
        return " ".join(
            f"{p.name} ({p.sku}), {dollars(p.price_cents)}, {'in stock' if p.in_stock else 'out of stock'}."
            for p in hits
        )

    return search_catalog
