"""The personalization agent: the caller's preferences and recommendations from their orders and tastes."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.personalization import PERSONALIZATION_TOOLS

from .base import MarketplaceAgent


class PersonalizationAgent(MarketplaceAgent):
    """Recommends products from the verified caller's orders, preferences and browsing; suggests products
    for a need or occasion; saves preferences (after the caller's yes)."""

    name = "personalization"
    description = "recommendations, suggestions for a need, and shopping preferences"
    requires_verified_customer = True

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=PERSONALIZATION_TOOLS)
