"""The advanced_features agent: advanced features: subscriptions, registries, price alerts."""

from __future__ import annotations

from livekit.agents import ChatContext

from .base import MarketplaceAgent


class AdvancedFeaturesAgent(MarketplaceAgent):
    """Answers within its domain (advanced features: subscriptions, registries, price alerts).
    Transfers anything else.

    Its domain tools arrive with the next issue; until then it explains, and transfers or escalates.
    """

    name = "advanced_features"
    description = "subscriptions, gift registries and other features"

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx)
