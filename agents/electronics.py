"""The electronics agent: electronics: devices, specs, compatibility."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.catalog import catalog_search_tool

from .base import MarketplaceAgent


class ElectronicsAgent(MarketplaceAgent):
    """Product questions about electronics: devices, specs, compatibility; searches the electronics catalogue."""

    name = "electronics"
    description = "electronics and gadgets"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[catalog_search_tool("electronics")])
