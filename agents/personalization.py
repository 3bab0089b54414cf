"""The personalization agent: the caller's preferences, saved lists and recommendation settings."""

from __future__ import annotations

from livekit.agents import ChatContext

from .base import MarketplaceAgent


class PersonalizationAgent(MarketplaceAgent):
    """Answers within its domain (the caller's preferences, saved lists and recommendation settings).
    Transfers anything else.

    Its domain tools arrive with the next issue; until then it explains, and transfers or escalates.
    """

    name = "personalization"
    description = "preferences and recommendations settings"

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx)
