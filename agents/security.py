"""The security agent: account security: suspicious activity, passwords, fraud."""

from __future__ import annotations

from livekit.agents import ChatContext

from .base import MarketplaceAgent


class SecurityAgent(MarketplaceAgent):
    """Answers within its domain (account security: suspicious activity, passwords, fraud) and transfers anything else.

    Its domain tools arrive with the next issue; until then it explains, and transfers or escalates.
    """

    name = "security"
    description = "account security, fraud and suspicious activity"

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx)
