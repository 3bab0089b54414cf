"""Caller turns and small assertions used by the flow tests.

A caller turn goes through :meth:`worker.testing.OfflineCall.say`: code answers first (verification
steps, read-backs, confirmations), the LLM only when code does not. :func:`turn` checks that the
session made exactly as many LLM requests as were scripted for the turn.
"""

from __future__ import annotations

from typing import Any

from agents.turns import CallerTurn
from worker.testing import OfflineCall, Reply, ScriptedLLM


async def turn(call: OfflineCall, llm: ScriptedLLM, caller: str, *replies: Reply) -> CallerTurn:
    """One caller turn: queue the model's ``replies``, run the turn, and check the session made
    exactly ``len(replies)`` LLM requests (zero for a turn code answers)."""
    before = len(llm.requests)
    llm.push(*replies)
    result = await call.say(caller)
    assert llm.pending == 0, "the script expected more LLM requests than the session made"
    made = len(llm.requests) - before
    assert made == len(replies), f"{made} LLM request(s) for {len(replies)} scripted reply(ies)"
    return result


async def code_turn(call: OfflineCall, llm: ScriptedLLM, caller: str) -> CallerTurn:
    """A caller turn that code must answer alone: no LLM request, no RunResult."""
    result = await turn(call, llm, caller)
    assert result.by_code, f"expected code to answer {caller!r}"
    return result


def tool_calls(result: CallerTurn) -> list[tuple[str, dict[str, Any]]]:
    """Every tool call of a turn, in order, as ``(name, arguments)``."""
    return result.tool_calls()


def tool_outputs(result: CallerTurn) -> list[tuple[str, str, bool]]:
    """Every tool output of a turn, in order, as ``(name, output, is_error)``."""
    return result.tool_outputs()


def handoffs(result: CallerTurn) -> list[str]:
    """Ids (registry keys) of the agents handed to during a turn."""
    return result.handoffs()


def spoken(result: CallerTurn) -> list[str]:
    """The agent's messages of a turn, in order."""
    return result.spoken()
