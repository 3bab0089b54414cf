"""The promotions agent: current deals and promotion codes on the caller's cart."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.promotions import PROMOTION_TOOLS

from .base import MarketplaceAgent


class PromotionsAgent(MarketplaceAgent):
    """Lists the promotions running today, checks a code against the caller's cart and applies it.

    Listing promotions is open to anyone; a code checked or applied reads the caller's own cart, so
    those tools verify on demand (:func:`tools.access.verified_or_handoff`).
    """

    name = "promotions"
    description = "deals, coupons and loyalty rewards"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=PROMOTION_TOOLS)
