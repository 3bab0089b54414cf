"""Books desk tools: search by title, author or series (said approximately), details, formats, similar
books, series order.

Book products carry their title, author, series and formats (hardcover, paperback, ebook, audiobook with
narrator and length) in :mod:`services.catalog_seed`; matching misheard titles is :mod:`services.catalog`'s.
"""

from __future__ import annotations

from livekit.agents import RunContext, ToolError, function_tool, llm

from call.context import CustomerContext
from services.views import ProductView, dollars

from .catalog import search, stock_text
from .common import service_errors
from .references import present, resolve_product

Ctx = RunContext[CustomerContext]


def _formats(book: ProductView) -> str:
    parts = []
    for v in book.variants:
        extra = ""
        if v.format == "audiobook" and book.attributes.get("narrator"):
            extra = f" (narrated by {book.attributes['narrator']}, {book.attributes.get('audio_hours')} hours)"
        parts.append(f"{v.format or 'edition'} {dollars(v.price_cents)}{extra}, {stock_text([v])}")
    return "; ".join(parts)


@function_tool
async def search_books(context: Ctx, query: str, max_price_dollars: float = 0) -> str:
    """Search books by title, author, series or genre, even when said approximately or misheard.

    Args:
        query: The caller's words, e.g. "the lighthouse keeper by eleanor vance", "a mystery novel",
            "castlemere chronicles".
        max_price_dollars: Only books whose main edition is at or under this price; 0 for no limit.
    """
    return await search(context, query, category="books", max_price_dollars=max_price_dollars)


@function_tool
async def get_book_details(context: Ctx, book: str) -> str:
    """One book's author, series, genre, length, year, summary and formats with prices.

    Args:
        book: The caller's words for it, e.g. "The Lighthouse Keeper", "the second one", "BOK-1001".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, book, category="books")
    present(ctx, [item])
    a = item.attributes
    series = f" It is book {a.get('series_number')} of {a.get('series')}." if a.get("series") else ""
    return (
        f"{item.title} by {item.author or 'an unknown author'} ({item.sku}): {a.get('genre')}, {a.get('pages')} pages, "
        f"published {a.get('year')} by {a.get('publisher')}, {item.rating_tenths / 10:.1f} stars.{series} "
        f"{item.description} Formats: {_formats(item)}."
    )


@function_tool
async def check_formats(context: Ctx, book: str) -> str:
    """The formats a book comes in (hardcover, paperback, ebook, audiobook), each with its price and availability.

    Args:
        book: The caller's words for it, e.g. "the lighthouse keeper", "the first one", "BOK-1001".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, book, category="books")
    present(ctx, [item])
    return f"{item.title} ({item.sku}): {_formats(item)}."


@function_tool
async def find_similar_books(context: Ctx, book: str) -> str:
    """Books like this one: the rest of its series first, then the same author, then the same genre.

    Args:
        book: The caller's words for it, e.g. "The Lighthouse Keeper", "the last one", "BOK-1001".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, book, category="books")
    async with service_errors():
        similar = await ctx.services.catalog.similar(item.sku, limit=3)
    if not similar:
        return f"No similar books to {item.title} were found."
    present(ctx, [s.product for s in similar])
    lines = " ".join(
        f"{i}. {s.product.spoken()} ({s.product.sku}), {dollars(s.product.price_cents)}: {s.reason}."
        for i, s in enumerate(similar, start=1)
    )
    return f"Like {item.title}: {lines}"


@function_tool
async def list_series(context: Ctx, book: str) -> str:
    """Every book of the series a book belongs to, in reading order.

    Args:
        book: The caller's words for one book of the series or its name, e.g. "The Tide Clock", "BOK-1002".
    """
    ctx = context.userdata
    try:
        item = await resolve_product(ctx, book, category="books")
    except ToolError:
        named = await _first_of_one_series(ctx, book)
        if named is None:
            raise
        item = named
    async with service_errors():
        books = await ctx.services.catalog.series(item.sku)
    present(ctx, books)
    order = " ".join(
        f"{b.attributes.get('series_number')}. {b.title} ({b.sku}), {dollars(b.price_cents)}." for b in books[:8]
    )
    return f"{item.attributes.get('series')} by {item.author}, in order: {order}"


async def _first_of_one_series(ctx: CustomerContext, said: object) -> ProductView | None:
    """The best match for ``said`` when every book it matches is of one series ("Saltmarsh Mysteries" names
    the series, not one of its books, so the product resolver finds it ambiguous); else None."""
    if not isinstance(said, str) or not said.strip():
        return None
    try:
        async with service_errors():
            hits = await ctx.services.catalog.search_hits(said, category="books", limit=8)
    except ToolError:
        return None
    series = {str(h.product.attributes.get("series") or "") for h in hits}
    return hits[0].product if hits and len(series) == 1 and "" not in series else None


BOOK_TOOLS: list[llm.Tool] = [search_books, get_book_details, check_formats, find_similar_books, list_series]
"""The books desk's tools."""
