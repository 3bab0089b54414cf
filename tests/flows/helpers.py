"""Small assertions over ``RunResult`` used by the flow tests."""

from __future__ import annotations

import json
from typing import Any

from livekit.agents.voice.run_result import RunResult

from worker.testing import OfflineCall, Reply, ScriptedLLM


async def turn(call: OfflineCall, llm: ScriptedLLM, caller: str, *replies: Reply) -> RunResult:
    """One caller turn: queue the model's ``replies``, run the turn, and check the session made
    exactly as many LLM requests as were scripted."""
    llm.push(*replies)
    result = await call.session.run(user_input=caller)
    assert llm.pending == 0, "the script expected more LLM requests than the session made"
    return result


def tool_calls(result: RunResult) -> list[tuple[str, dict[str, Any]]]:
    """Every tool call of a run, in order, as ``(name, arguments)``."""
    return [(e.item.name, json.loads(e.item.arguments or "{}")) for e in result.events if e.type == "function_call"]


def tool_outputs(result: RunResult) -> list[tuple[str, str, bool]]:
    """Every tool output of a run, in order, as ``(name, output, is_error)``."""
    return [(e.item.name, e.item.output, e.item.is_error) for e in result.events if e.type == "function_call_output"]


def handoffs(result: RunResult) -> list[str]:
    """Ids (registry keys) of the agents handed to during a run."""
    return [e.item.new_agent_id for e in result.events if e.type == "agent_handoff"]
