"""The seller_management agent: marketplace sellers: listings, payouts and disputes with sellers."""

from __future__ import annotations

from livekit.agents import ChatContext

from .base import MarketplaceAgent


class SellerManagementAgent(MarketplaceAgent):
    """Answers within its domain (marketplace sellers: listings, payouts and disputes with sellers).
    Transfers anything else.

    Its domain tools arrive with the next issue; until then it explains, and transfers or escalates.
    """

    name = "seller_management"
    description = "sellers: listings, payouts, seller issues"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx)
