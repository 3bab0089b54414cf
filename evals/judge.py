"""LiveKit's judge (``ChatMessageAssert.judge``) over what the desk said, for what the database cannot grade.

Used only where a scenario states a ``judge`` intent (tone, a required explanation). The judge model
sees the desk's lines of the call as one message and the intent, and answers pass or fail with a
reason, through LiveKit's own ``check_intent`` tool call.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from livekit.agents import llm
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.run_result import ChatMessageEvent, RunAssert


async def judge_speech(model: llm.LLM, *, intent: str, speech: list[str]) -> dict[str, Any]:
    """Ask LiveKit's judge whether the desk's ``speech`` fulfils ``intent``.

    Args:
        model: The judge model (any ``llm.LLM`` that can call a tool).
        intent: What the speech must do, e.g. "explains why the return cannot be accepted".
        speech: The desk's lines, in order.

    Returns:
        ``{"verdict": "pass" | "fail", "reason": str}``; a judge that errors or answers nothing usable
        is a ``fail`` with the error as the reason (never a silent pass).
    """
    message = ChatMessage(role="assistant", content=["\n".join(speech) or "(the desk said nothing)"])
    # RunAssert reads only ``events`` of a RunResult; the call's speech is one message event.
    run = RunAssert(SimpleNamespace(events=[ChatMessageEvent(item=message)]))  # type: ignore[arg-type]
    try:
        await run.next_event().is_message(role="assistant").judge(model, intent=intent)
    except AssertionError as exc:
        reason = str(exc).split("\nContext around failure:", 1)[0]
        return {"verdict": "fail", "reason": reason[:300]}
    except Exception as exc:  # the judge's provider failed: graded as a failure, with why
        return {"verdict": "fail", "reason": f"judge error: {type(exc).__name__}: {str(exc)[:200]}"}
    return {"verdict": "pass", "reason": ""}
