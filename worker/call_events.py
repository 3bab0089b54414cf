"""Session event wiring shared by the worker, ``simulate`` and the test seam."""

from __future__ import annotations

import logging

from livekit.agents import AgentSession
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import ConversationItemAddedEvent

from call.context import CustomerContext
from call.redaction import redact

logger = logging.getLogger("marketplace.call")

MIN_INTENT_WORDS = 4
"""A first utterance shorter than this ("hi there") is a greeting, not a request."""


def observe_call(session: AgentSession[CustomerContext]) -> None:
    """Count caller turns (for confirmation gating) and capture the caller's first request as intent."""

    def _on_item(ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if not isinstance(item, ChatMessage) or item.role != "user":
            return
        text = item.text_content or ""
        ctx = session.userdata
        ctx.record_user_turn(text)
        if ctx.intent is None and ctx.current_agent == "authentication" and len(text.split()) >= MIN_INTENT_WORDS:
            ctx.intent = redact(text)[:200]

    session.on("conversation_item_added", _on_item)
