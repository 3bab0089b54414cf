"""The security agent: the caller's card charges, suspicious activity, fraud reports, account lock, password reset."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.security import SECURITY_TOOLS

from .base import MarketplaceAgent


class SecurityAgent(MarketplaceAgent):
    """Checks the verified caller's recent charges, opens suspicious-activity and fraud cases, locks the
    account and sends password resets (the last two confirmed with the last four digits: step-up)."""

    name = "security"
    description = "account security, fraud and suspicious activity"
    requires_verified_customer = True

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=SECURITY_TOOLS)
