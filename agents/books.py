"""The books agent: titles, authors, series, formats and reading suggestions."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.books import BOOK_TOOLS

from .base import MarketplaceAgent


class BooksAgent(MarketplaceAgent):
    """Books: finds titles said approximately, gives details, formats and prices, similar books, series order."""

    name = "books"
    description = "books and reading"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=BOOK_TOOLS)
