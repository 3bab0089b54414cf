"""The books agent: books: titles, formats, recommendations."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.catalog import catalog_search_tool

from .base import MarketplaceAgent


class BooksAgent(MarketplaceAgent):
    """Product questions about books: titles, formats, recommendations; searches the books catalogue."""

    name = "books"
    description = "books and reading"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[catalog_search_tool("books")])
