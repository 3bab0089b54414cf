"""The seller_management agent: marketplace sellers for buyers and for callers who own a store."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.sellers import SELLER_TOOLS

from .base import MarketplaceAgent


class SellerManagementAgent(MarketplaceAgent):
    """Sellers for buyers (a seller's rating, policies and contact; a dispute with a seller) and for store
    owners (performance, payouts, listing stock). Transfers anything else."""

    name = "seller_management"
    description = "sellers: ratings, policies, disputes; store owners' listings, payouts, performance"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=SELLER_TOOLS)
