"""The advanced_features agent: wishlists, price-drop alerts, subscribe and save, bundles, and the supervisor."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.features import FEATURE_TOOLS

from .base import MarketplaceAgent


class AdvancedFeaturesAgent(MarketplaceAgent):
    """The verified caller's wishlist, price alerts and subscriptions, product bundles, and complex
    multi-order or policy questions answered with a senior colleague (the chat-supervisor pattern)."""

    name = "advanced_features"
    description = "wishlists, price-drop alerts, subscribe and save, bundles, complex account questions"
    requires_verified_customer = True

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=FEATURE_TOOLS)
