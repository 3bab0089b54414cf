"""A silent caller: "Are you still there?" after ``user_away_timeout``, a goodbye and the hang-up after the
grace period; any caller turn resets it. LiveKit's own away timer drives it (short timeouts here)."""

from __future__ import annotations

import asyncio

import pytest
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import CloseEvent

from agents.turns import send_caller_text
from call.context import CustomerContext
from tests.flows.fake_audio import AudioCall, audio_call
from tests.flows.fake_line import FakePhoneLine
from worker.idle import IDLE_GOODBYE, STILL_THERE
from worker.session import build_session
from worker.testing import Reply, ScriptedLLM

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}


def _agent_lines(call: AudioCall) -> list[str]:
    return [
        m.text_content or "" for m in call.session.history.items if isinstance(m, ChatMessage) and m.role == "assistant"
    ]


async def _until(check: object, what: str, timeout_s: float = 6.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if callable(check) and check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _line(line: FakePhoneLine) -> object:
    def prepare(ctx: CustomerContext) -> None:
        ctx.phone_line = line

    return prepare


async def test_silent_caller_is_asked_then_said_goodbye_to_and_hung_up(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    line = FakePhoneLine()
    async with audio_call(db_url, llm, user_away_timeout=0.3, grace_s=0.3, prepare=_line(line)) as call:
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        assert _agent_lines(call) == ["Order tracking here.", STILL_THERE, IDLE_GOODBYE]
        assert len(closed) == 1 and call.userdata.ended_by == "idle"
        assert len(llm.requests) == 1, "code spoke; no LLM request"
        assert not call.speaker.segments[-1].interrupted


async def test_a_caller_who_answers_is_not_hung_up_and_the_silence_count_starts_again(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    line = FakePhoneLine()
    async with audio_call(db_url, llm, user_away_timeout=0.3, grace_s=5.0, prepare=_line(line)) as call:
        await _until(lambda: STILL_THERE in _agent_lines(call), "the first check-in")
        llm.push(Reply.say("Great. What can I do for you?"))
        await send_caller_text(call.session, "Yes, sorry, I'm here")
        assert call.session.user_state != "away"
        # Silent again: asked again (the first check-in's goodbye was cancelled by the answer).
        await _until(lambda: len(_agent_lines(call)) == 4, "the second check-in")
        assert _agent_lines(call)[1:] == [
            STILL_THERE,
            "Great. What can I do for you?",
            f"{STILL_THERE} Great. What can I do for you?",
        ]
        assert IDLE_GOODBYE not in _agent_lines(call) and line.calls == []
        assert call.userdata.ended_by is None


async def test_the_check_in_repeats_a_pending_read_back_so_yes_answers_it(db_url: str) -> None:
    """A yes to "Are you still there?" must not confirm a write by accident: the read-back is asked again."""
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with audio_call(db_url, llm, start_agent="returns", user_away_timeout=0.3, grace_s=5.0) as call:
        await call.session.wait_for_idle()
        await send_caller_text(call.session, "I'd like to return my jacket")
        llm.push(Reply.call("initiate_return", **RETURN))
        await send_caller_text(call.session, "It's unused, it does not fit, order ORD-100101")
        pending = call.userdata.pending
        assert pending is not None
        await _until(lambda: any(line.startswith(STILL_THERE) for line in _agent_lines(call)), "the check-in")
        check_in = next(line for line in _agent_lines(call) if line.startswith(STILL_THERE))
        assert check_in == f"{STILL_THERE} {pending.read_back}"


async def test_the_check_in_repeats_the_agents_last_question(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here. Which order would you like me to check?")])
    async with audio_call(db_url, llm, user_away_timeout=0.3, grace_s=5.0) as call:
        await _until(lambda: any(line.startswith(STILL_THERE) for line in _agent_lines(call)), "the check-in")
        assert _agent_lines(call)[-1] == f"{STILL_THERE} Order tracking here. Which order would you like me to check?"


async def test_no_check_in_while_the_caller_is_on_hold_for_a_person(db_url: str) -> None:
    def on_hold(ctx: CustomerContext) -> None:
        ctx.handover_in_progress = True

    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with audio_call(db_url, llm, user_away_timeout=0.2, grace_s=0.2, prepare=on_hold) as call:
        await _until(lambda: call.session.user_state == "away", "the caller counted as away")
        await asyncio.sleep(0.5)
        assert _agent_lines(call) == ["Order tracking here."] and call.userdata.ended_by is None


async def test_text_only_sessions_have_no_away_timeout_unless_asked(db_url: str) -> None:
    """Typed tests and ``simulate --text`` are never interrupted by "Are you still there?"."""
    from services import Clock, open_services
    from worker.testing import FIXED_NOW, TEST_SALT

    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    try:
        text_only = build_session(llm=ScriptedLLM(), userdata=CustomerContext(services=services))
        assert text_only.options.user_away_timeout is None
        asked = build_session(llm=ScriptedLLM(), userdata=CustomerContext(services=services), user_away_timeout=4.0)
        assert asked.options.user_away_timeout == 4.0
    finally:
        await services.close()
