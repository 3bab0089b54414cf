"""The human escalation agent: opens a ticket carrying the transfer summary and says plainly that
a person will follow up. Reachable from every agent, even before verification."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.escalation import create_escalation_ticket

from .base import MarketplaceAgent


class HumanAgent(MarketplaceAgent):
    """Escalation to the human team (ticket with the transfer summary)."""

    name = "human"
    description = "a human colleague (complaints, anything unresolved, or on request)"
    requires_verified_customer = False

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[create_escalation_ticket])
