"""The realtime profile through the real AgentSession: code-led turns, tools, handoffs and the guard.

The model is :class:`worker.realtime.GuardedRealtimeModel` (what the profile builds) around a
scripted realtime model of the exact LiveKit interface (:mod:`tests.flows.realtime_fake`): LiveKit
runs its realtime paths (``_realtime_reply_task``, realtime tool execution, session reuse on
handoff) for real; only the model's choices are scripted.
"""

from __future__ import annotations

import pytest
from livekit.agents import StopResponse
from livekit.agents.llm import ChatMessage

from agents.authentication import GREETING
from agents.base import MarketplaceAgent
from agents.prompts import prompt
from services.demo_data import AVA
from worker.realtime import GuardedRealtimeModel
from worker.testing import OfflineCall, Reply, offline_call

from .helpers import handoffs, spoken, tool_calls, tool_outputs
from .realtime_fake import ScriptedRealtimeModel

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

HELD = "The details were read back to the caller and nothing is saved yet."
JACKET_READ_BACK = (
    "Good news, it can be returned. I can open a return of the Alpine rain jacket from order ORD-100101 "
    "for a refund of $129.00. Shall I go ahead?"
)
PICKUP = {"return_number": "RET-500001", "date": "2026-11-20", "window": "morning"}


def _guarded(fake: ScriptedRealtimeModel, call: OfflineCall) -> GuardedRealtimeModel:
    model = call.session.llm
    assert isinstance(model, GuardedRealtimeModel) and model.inner is fake
    model.attach(call.session)
    return model


def _assistant_lines_in_model_context(fake: ScriptedRealtimeModel) -> list[str]:
    last = fake.log.chat_ctx[-1]
    return [m.text_content or "" for m in last.messages() if m.role == "assistant"]


async def test_code_led_verification_runs_beside_a_realtime_model_without_asking_it(db_url: str) -> None:
    fake = ScriptedRealtimeModel()
    async with offline_call(llm=GuardedRealtimeModel(fake), database_url=db_url) as call:  # type: ignore[arg-type]
        _guarded(fake, call)
        r = await call.say("Hi, I'm Ava and I want to return a jacket I bought")
        assert r.by_code and spoken(r) == ["Thanks, Ava. What's the phone number on your account?"]
        r = await call.say("four one five, five five five, zero one three four")
        assert r.by_code and spoken(r) == ["I have 4 1 5, 5 5 5, 0 1 3 4. Is that right?"]
        r = await call.say("yes")
        assert r.by_code and spoken(r) == ["Thank you. What's your date of birth?"]

        assert fake.log.replies == [], "code answered every turn: the realtime model was never asked"
        # The session was set up with the authentication agent's instructions and tools ...
        assert fake.log.instructions[0] == prompt("authentication")
        assert "transfer_to_agent" in fake.log.tools[0]
        # ... and the model's context holds what code said (LiveKit pushes each spoken line) and
        # the caller's words (the agent keeps them), so its next reply knows where the call is.
        lines = _assistant_lines_in_model_context(fake)
        assert lines[0] == f"{GREETING} May I have your first name?"
        assert lines[-1] == "Thank you. What's your date of birth?"
        users = [m.text_content for m in fake.log.chat_ctx[-1].messages() if m.role == "user"]
        assert users[-1] == "yes"


async def test_tool_call_read_back_and_confirmed_write_with_a_realtime_model(db_url: str) -> None:
    fake = ScriptedRealtimeModel([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(  # type: ignore[arg-type]
        llm=GuardedRealtimeModel(fake), start_agent="returns", verified_as=AVA, database_url=db_url
    ) as call:
        _guarded(fake, call)
        greeting = fake.log.replies[0]
        assert greeting.tool_choice == "none" and "Greet the caller" in (greeting.instructions or "")

        fake.push(Reply.call("check_return_eligibility", order_number="100101", condition="unused"))
        r = await call.say("The jacket from order one zero zero one zero one, it's unworn")
        assert tool_calls(r) == [("check_return_eligibility", {"order_number": "100101", "condition": "unused"})]
        ((_, output, is_error),) = tool_outputs(r)
        assert not is_error and output.startswith(HELD)
        assert spoken(r) == [JACKET_READ_BACK]  # code's read-back, not the model's words
        assert await call.query("select count(*) from returns") == [(0,)]

        r = await call.say("Yes, please go ahead")
        assert r.by_code and spoken(r)[0].startswith("Done. Return RET-500001")
        assert await call.query("select id, status from returns") == [("RET-500001", "initiated")]

        # A bare "no" is code's; a "no" with a change voids the read-back and the model is told why.
        fake.push(Reply.call("schedule_pickup", **PICKUP))
        r = await call.say("Friday morning please")
        assert tool_calls(r) == [("schedule_pickup", PICKUP)] and call.userdata.pending is not None
        fake.push(Reply.say("Sure, which day works better?"))
        r = await call.say("No, not Friday, another day would be better")
        assert spoken(r) == ["Sure, which day works better?"]
        assert "schedule_pickup was NOT done" in (fake.log.replies[-1].instructions or "")
        assert await call.query("select pickup_date from returns") == [(None,)]
        assert fake.unscripted == 0


async def test_the_speech_guard_stands_between_the_realtime_model_and_the_caller(db_url: str) -> None:
    fake = ScriptedRealtimeModel([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(  # type: ignore[arg-type]
        llm=GuardedRealtimeModel(fake), start_agent="returns", verified_as=AVA, database_url=db_url
    ) as call:
        _guarded(fake, call)
        fake.push(Reply.say("Next: call check_return_eligibility with the order number. Which order is it?"))
        r = await call.say("I'd like to return something")
        # The instruction-like sentence reaches neither the caller nor the transcript and history.
        assert spoken(r) == ["Which order is it?"]
        said = [i.text_content or "" for i in call.session.history.items if i.type == "message"]
        assert not any("check_return_eligibility" in line for line in said)

        fake.push(Reply.say("I've refunded your jacket."))  # a claim with no write behind it
        r = await call.say("Can you refund it?")
        assert spoken(r) == ["Sorry, could you say that again?"]  # the agent's fallback line, not silence

        fake.push(Reply.call("track_return_status", return_number='{"a":' * 3000))
        r = await call.say("What's the status?")
        assert tool_calls(r) == [] and spoken(r) == ["Sorry, could you say that again?"]
        fake.push(Reply.say("Which return number is it?"))
        await call.say("The jacket one")
        assert "Your call of track_return_status was refused" in (fake.log.replies[-1].instructions or "")


async def test_handoff_pushes_the_new_agents_instructions_and_tools_to_the_realtime_session(db_url: str) -> None:
    fake = ScriptedRealtimeModel([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(  # type: ignore[arg-type]
        llm=GuardedRealtimeModel(fake), start_agent="returns", verified_as=AVA, database_url=db_url
    ) as call:
        _guarded(fake, call)
        assert "check_return_eligibility" in fake.log.tools[-1]
        fake.push(
            Reply.transfer("order_tracking", "Caller asks where the headphones order is"),
            Reply.say("Order tracking here. Let me look at your headphones order."),
        )
        r = await call.say("Actually, where is my headphones order?")
        assert handoffs(r) == ["order_tracking"]
        assert spoken(r) == ["Order tracking here. Let me look at your headphones order."]

        assert len(fake.sessions) == 1, "LiveKit reuses the one realtime session across the handoff"
        assert fake.log.instructions[-1] == prompt("order_tracking")
        assert "track_order" in fake.log.tools[-1] and "check_return_eligibility" not in fake.log.tools[-1]
        greeting = fake.log.replies[-1]
        assert greeting.tool_choice == "none" and "by transfer from the returns agent" in (greeting.instructions or "")
        assert "check_return_eligibility" not in greeting.tool_names
        assert call.userdata.current_agent == "order_tracking"
        assert call.userdata.transfers[-1].handoff_latency_s is not None


async def test_spoken_caller_turns_keep_the_transcript_with_a_realtime_model(db_url: str) -> None:
    fake = ScriptedRealtimeModel([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(  # type: ignore[arg-type]
        llm=GuardedRealtimeModel(fake), start_agent="returns", verified_as=AVA, database_url=db_url
    ) as call:
        agent = call.session.current_agent
        assert isinstance(agent, MarketplaceAgent)
        # LiveKit's hook for a finished spoken turn: the model will answer, and LiveKit drops the
        # STT transcript for realtime models; the agent keeps it in history and in the model's context.
        words = "How long does a refund take?"
        await agent.on_user_turn_completed(agent.chat_ctx.copy(), ChatMessage(role="user", content=[words]))
        history = [i for i in call.session.history.items if i.type == "message" and i.role == "user"]
        assert history[-1].text_content == words
        assert fake.log.chat_ctx[-1].messages()[-1].text_content == words

        # A turn code answers raises StopResponse (no model request) and is kept once.
        fake.push(Reply.call("check_return_eligibility", order_number="100101", condition="unused"))
        await call.say("The jacket from order one zero zero one zero one, it's unworn")
        asked = len(fake.log.replies)
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(agent.chat_ctx.copy(), ChatMessage(role="user", content=["yes"]))
        assert len(fake.log.replies) == asked
        users = [i.text_content for i in call.session.history.items if i.type == "message" and i.role == "user"]
        assert users[-1] == "yes" and users.count("yes") == 1


async def test_the_output_guardrail_checks_realtime_replies_too(db_url: str) -> None:
    fake = ScriptedRealtimeModel([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(  # type: ignore[arg-type]
        llm=GuardedRealtimeModel(fake), start_agent="returns", verified_as=AVA, database_url=db_url
    ) as call:
        _guarded(fake, call)
        fake.push(Reply.say("Good news: you'll get a refund of $480.00 for that."))  # no tool gave this figure
        r = await call.say("How much will I get back for the jacket?")
        (line,) = spoken(r)
        assert "$480" not in line and "480" not in line
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]
        said = [i.text_content or "" for i in call.session.history.items if i.type == "message"]
        assert not any("480" in s for s in said)
        # The model is told at its next reply, as llm_node would tell it.
        fake.push(Reply.say("Let me check that for you."))
        await call.say("Okay")
        assert "Your last reply was not spoken in full" in (fake.log.replies[-1].instructions or "")
