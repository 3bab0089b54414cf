"""The electronics agent: devices and accessories: specs, comparisons, compatibility, stock."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.electronics import ELECTRONICS_TOOLS

from .base import MarketplaceAgent


class ElectronicsAgent(MarketplaceAgent):
    """Electronics: finds products, compares specs, says whether two products work together, checks stock."""

    name = "electronics"
    description = "electronics and gadgets"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=ELECTRONICS_TOOLS)
