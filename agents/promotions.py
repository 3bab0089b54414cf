"""The promotions agent: current deals, coupons and the loyalty programme."""

from __future__ import annotations

from livekit.agents import ChatContext

from .base import MarketplaceAgent


class PromotionsAgent(MarketplaceAgent):
    """Answers within its domain (current deals, coupons and the loyalty programme) and transfers anything else.

    Its domain tools arrive with the next issue; until then it explains, and transfers or escalates.
    """

    name = "promotions"
    description = "deals, coupons and loyalty rewards"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx)
