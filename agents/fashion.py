"""The fashion agent: clothing, shoes and accessories: sizing, availability, style."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.fashion import FASHION_TOOLS

from .base import MarketplaceAgent


class FashionAgent(MarketplaceAgent):
    """Fashion: finds items, recommends a size from the brand's chart, checks size and colour stock, styles outfits."""

    name = "fashion"
    description = "clothing, shoes and sizing"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=FASHION_TOOLS)
