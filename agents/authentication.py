"""The authentication agent: the call's entry point. Verifies identity step by step (the state
machine in :mod:`tools.auth`), confirms the address, plays the loyalty disclosure verbatim, logs
the offer answer, then routes the caller to the agent for their original request."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from livekit.agents import ChatContext, ModelSettings, llm

from tools.auth import AUTH_TOOLS, STEP_TOOLS

from .base import MarketplaceAgent, tool_name


class AuthenticationAgent(MarketplaceAgent):
    """Identity verification, disclosure and routing."""

    name = "authentication"
    description = "identity verification (start here)"
    requires_verified_customer = False

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=AUTH_TOOLS)

    async def llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """Show the model only the tools of the current verification step (and the transfer tool).

        Fewer schemas per request is lower latency and fewer wrong calls, especially for small models.
        """
        allowed = {*STEP_TOOLS[self.userdata.verification.step], "transfer_to_agent"}
        visible = [t for t in tools if tool_name(t) in allowed]
        async for chunk in super().llm_node(chat_ctx, visible, model_settings):
            yield chunk

    def entry_greeting(self) -> str:
        return (
            "Greet the caller: thank them for calling the Marketplace help desk, say you will verify their "
            "identity first, and ask for their first name and how you can help."
        )
