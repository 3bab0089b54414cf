"""The authentication agent: the call's entry point. Verifies identity step by step (the state
machine in :mod:`tools.auth`), confirms the address, plays the loyalty disclosure verbatim, logs
the offer answer, then routes the caller to the agent for their original request."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.auth import AUTH_TOOLS

from .base import MarketplaceAgent


class AuthenticationAgent(MarketplaceAgent):
    """Identity verification, disclosure and routing."""

    name = "authentication"
    description = "identity verification (start here)"
    requires_verified_customer = False

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=AUTH_TOOLS)

    def entry_greeting(self) -> str:
        return (
            "Greet the caller: thank them for calling the Marketplace help desk, say you will verify their "
            "identity first, and ask for their first name and how you can help."
        )
