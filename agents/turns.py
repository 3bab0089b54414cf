"""Typed caller turns through the same code-first path as spoken ones.

LiveKit calls ``on_user_turn_completed`` only for speech; ``generate_reply(user_input=...)``
(typed text, ``session.run`` in tests) goes straight to the LLM. :func:`send_caller_text` gives
typed text the same treatment as speech — the agent's :meth:`~agents.base.MarketplaceAgent.take_caller_turn`
first, the LLM only when code did not answer — and is used by the test seam, ``simulate --text``
and the Playground's text chat.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.llm import ChatItem, ChatMessage
from livekit.agents.voice.agent_activity import ActivityClosedError
from livekit.agents.voice.run_result import RunResult

from tools.end_call import is_ending

from .base import MarketplaceAgent

SETTLE_S = 0.05
"""Quiet time after which a code-answered turn (and any handoff greeting it caused) is done."""


@dataclass
class CallerTurn:
    """What one caller turn added to the session history.

    Attributes:
        items: Chat items added during the turn (messages, tool calls and outputs, handoffs).
        run: LiveKit's ``RunResult`` when the LLM replied (``None`` when code answered).
    """

    items: list[ChatItem] = field(default_factory=list)
    run: RunResult[Any] | None = None

    @property
    def by_code(self) -> bool:
        """Whether code answered the turn (no LLM request for the caller's words)."""
        return self.run is None

    def spoken(self) -> list[str]:
        """The agent's messages, in order."""
        return [i.text_content or "" for i in self.items if isinstance(i, ChatMessage) and i.role == "assistant"]

    def tool_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every tool call as ``(name, arguments)``."""
        return [(i.name, json.loads(i.arguments or "{}")) for i in self.items if i.type == "function_call"]

    def tool_outputs(self) -> list[tuple[str, str, bool]]:
        """Every tool output as ``(name, output, is_error)``."""
        return [(i.name, i.output, i.is_error) for i in self.items if i.type == "function_call_output"]

    def handoffs(self) -> list[str]:
        """Registry keys of the agents handed to."""
        return [i.new_agent_id for i in self.items if i.type == "agent_handoff"]


async def send_caller_text(session: AgentSession[Any], text: str) -> CallerTurn:
    """Deliver one typed caller turn and wait until the desk has answered it.

    Args:
        session: A started session whose agents are :class:`~agents.base.MarketplaceAgent` s.
        text: What the caller typed (or a transcript standing in for speech).

    Returns:
        The items the turn added to ``session.history``.
    """
    before = len(session.history.items)
    agent = session.current_agent
    handles = None
    if isinstance(agent, MarketplaceAgent):
        handles = await agent.take_caller_turn(ChatMessage(role="user", content=[text]))
    if handles is None:
        run: RunResult[Any] = await session.run(user_input=text)
        return CallerTurn(items=list(session.history.items[before:]), run=run)
    for handle in handles:
        await handle.wait_for_playout()
    await _settle(session)
    return CallerTurn(items=list(session.history.items[before:]))


async def _settle(session: AgentSession[Any]) -> None:
    """Wait until the session is idle and stays idle (a code handoff starts the next agent's greeting)."""
    for _ in range(200):
        if is_ending(session):  # the turn ended the call (a goodbye, a transfer): nothing more will be said
            return
        try:
            await session.wait_for_idle()
        except ActivityClosedError:
            if is_ending(session):
                return
            raise
        await asyncio.sleep(SETTLE_S)
        if session.current_speech is None and session.agent_state in ("listening", "idle"):
            return
