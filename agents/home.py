"""The home agent: home goods: furniture, decor, kitchen and bath."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.catalog import catalog_search_tool

from .base import MarketplaceAgent


class HomeAgent(MarketplaceAgent):
    """Product questions about home goods: furniture, decor, kitchen and bath; searches the home catalogue."""

    name = "home"
    description = "home and kitchen products"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[catalog_search_tool("home")])
