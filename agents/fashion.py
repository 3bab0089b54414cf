"""The fashion agent: fashion: clothing, shoes, sizing and fit."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.catalog import catalog_search_tool

from .base import MarketplaceAgent


class FashionAgent(MarketplaceAgent):
    """Product questions about fashion: clothing, shoes, sizing and fit; searches the fashion catalogue."""

    name = "fashion"
    description = "clothing, shoes and sizing"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[catalog_search_tool("fashion")])
