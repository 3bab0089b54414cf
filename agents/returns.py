"""The returns agent: eligibility under the return policy, returns, pickups and refunds."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.orders import list_orders
from tools.returns import RETURN_TOOLS

from .base import MarketplaceAgent


class ReturnsAgent(MarketplaceAgent):
    """Returns, pickups and refunds for delivered orders."""

    name = "returns"
    description = "returns, exchanges and refunds"

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[list_orders, *RETURN_TOOLS])
