"""The home agent: furniture, decor, kitchen and bath: sizes, room fit, stock."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.home import HOME_TOOLS

from .base import MarketplaceAgent


class HomeAgent(MarketplaceAgent):
    """Home goods: finds products, gives dimensions and clearance, checks whether a piece fits a room, stock."""

    name = "home"
    description = "home and kitchen products"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=HOME_TOOLS)
