"""Ending a call: the caller's goodbye answered by code, the model's ``end_call`` (LiveKit's EndCallTool),
and what must not end a call (a goodbye said to a pending read-back, a model ending it unasked).

The goodbye tests run with audio out (a silence TTS and a sink that plays each segment for a while), so
"after the goodbye has played" is measured, not assumed.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from livekit.agents.voice.events import CloseEvent, CloseReason

from agents.goodbye import GOODBYE_LINE
from agents.turns import send_caller_text
from call.context import CustomerContext
from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM, offline_call

from .fake_audio import MS_PER_CHAR, AudioCall, audio_call
from .fake_line import FakePhoneLine
from .helpers import code_turn, spoken, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}


def _with_line(line: FakePhoneLine) -> object:
    def prepare(ctx: CustomerContext) -> None:
        ctx.phone_line = line

    return prepare


def _watch_close(call: AudioCall) -> list[tuple[float, CloseEvent]]:
    closed: list[tuple[float, CloseEvent]] = []
    call.session.on("close", lambda ev: closed.append((time.monotonic(), ev)))
    return closed


async def _until(check: object, what: str) -> None:
    for _ in range(150):
        if callable(check) and check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_the_callers_goodbye_is_answered_by_code_and_the_call_ends_after_it_played(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    line = FakePhoneLine()
    async with audio_call(db_url, llm, prepare=_with_line(line)) as call:
        await call.session.wait_for_idle()
        closed = _watch_close(call)
        r = await send_caller_text(call.session, "No, that's everything, goodbye")
        assert r.by_code and r.spoken() == [GOODBYE_LINE]
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        assert len(llm.requests) == 1, "no LLM request for the goodbye"

        goodbye = call.speaker.segments[-1]
        assert not goodbye.interrupted
        assert goodbye.seconds == pytest.approx(len(GOODBYE_LINE) * MS_PER_CHAR / 1000, abs=0.05)
        ((closed_at, ev),) = closed
        assert ev.reason is CloseReason.USER_INITIATED
        assert goodbye.finished <= closed_at <= line.times[-1], "goodbye played, then the session closed, then hang-up"
        assert line.calls == [("hang_up",)]
        assert call.userdata.ended_by == "goodbye"


async def test_the_model_may_end_the_call_once_the_caller_is_done(db_url: str) -> None:
    """LiveKit's EndCallTool: the session closes after the model's goodbye has played; the line hangs up."""
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    line = FakePhoneLine()
    async with audio_call(db_url, llm, prepare=_with_line(line)) as call:
        await call.session.wait_for_idle()
        closed = _watch_close(call)
        llm.push(Reply.call("end_call"), Reply.say("You're welcome, Ava. Have a lovely evening!"))
        r = await send_caller_text(call.session, "No thanks, I'm done for today")  # no farewell: the model answers
        assert not r.by_code
        assert r.tool_calls() == [("end_call", {})]
        assert tool_outputs(r) == [("end_call", "say goodbye to the user", False)]
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        goodbye = call.speaker.segments[-1]
        ((closed_at, ev),) = closed
        assert ev.reason is CloseReason.USER_INITIATED
        assert goodbye.seconds > 0.3 and goodbye.finished <= closed_at <= line.times[-1]
        assert call.userdata.ended_by == "goodbye"
        assert "You're welcome, Ava. Have a lovely evening!" in r.spoken()


async def test_a_goodbye_said_to_a_pending_read_back_does_not_end_the_call(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    line = FakePhoneLine()
    async with offline_call(llm=llm, database_url=db_url, start_agent="returns", verified_as=AVA) as call:
        call.userdata.phone_line = line
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        await turn(call, llm, "I want to return the jacket from my last order", Reply.call("initiate_return", **RETURN))
        assert call.userdata.pending is not None
        r = await turn(
            call, llm, "No, that's everything, goodbye", Reply.say("Okay, I haven't opened the return. Anything else?")
        )
        assert call.userdata.pending is None, "the goodbye voided the read-back"
        assert await call.query("select count(*) from returns") == [(0,)]
        assert spoken(r) == ["Okay, I haven't opened the return. Anything else?"]
        await asyncio.sleep(0.1)
        assert closed == [] and line.calls == [] and call.userdata.ended_by is None
        # Said again with nothing pending, it ends the call.
        r = await code_turn(call, llm, "bye")
        assert spoken(r) == [GOODBYE_LINE]
        await asyncio.sleep(0.1)
        assert len(closed) == 1 and line.calls == [("hang_up",)]


@pytest.mark.parametrize("words", ["I want to buy a lamp, bye the way", "Goodbye to my old sofa, I need a new one"])
async def test_words_that_only_look_like_a_goodbye_go_to_the_model(db_url: str, words: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with offline_call(llm=llm, database_url=db_url, start_agent="order_tracking", verified_as=AVA) as call:
        r = await turn(call, llm, words, Reply.say("Sure, let me help with that."))
        assert not r.by_code and call.userdata.ended_by is None


async def test_the_model_cannot_end_the_call_unasked(db_url: str) -> None:
    """A model that calls end_call while the caller is mid-request is refused; the call goes on."""
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with offline_call(llm=llm, database_url=db_url, start_agent="order_tracking", verified_as=AVA) as call:
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        r = await turn(
            call, llm, "Where is my order ORD-100102?", Reply.call("end_call"), Reply.say("Let me check that.")
        )
        ((name, output, is_error),) = tool_outputs(r)
        assert (name, is_error) == ("end_call", True) and "has not said they are done" in output
        assert spoken(r) == ["Let me check that."]
        await asyncio.sleep(0.1)
        assert closed == [] and call.userdata.ended_by is None
