"""The order tracking agent: status, shipping updates, delivery changes and delivery issues."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.orders import ORDER_TOOLS

from .base import MarketplaceAgent


class OrderTrackingAgent(MarketplaceAgent):
    """Where the caller's orders are; reschedules deliveries; opens delivery cases."""

    name = "order_tracking"
    description = "order status, shipping, delivery changes and problems"

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=ORDER_TOOLS)
