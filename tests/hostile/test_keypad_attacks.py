"""Keypad attacks on a phone call: keys when nothing is due, a flood of digits, and a keypad "yes" for a write
proposed in the same turn. Nothing is written, nothing is decided by the model, and the desk stays polite."""

from __future__ import annotations

import asyncio

import pytest

from call.context import AuthStep
from call.keypad import MAX_KEYS
from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM
from worker.testing.scripted_llm import PlannedCall

from ..flows.keypad_helpers import TIMEOUT_S, keypad_turns, phone_call
from .conftest import assert_clean_speech, history_speech, snapshot, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

NOT_EXPECTED = "Sorry, I wasn't expecting any keys just then. You can just tell me what you need."
JACKET_RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}
THIRTY = "1234567890" * 3


async def test_keys_when_nothing_is_due_are_ignored_politely(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        before = await snapshot(call)
        for keys in ("1#", "2#", "0412#", "*#", THIRTY + "#"):
            assert await pad.key(keys) == ([NOT_EXPECTED] if keys != "*#" else []), keys
        assert call.userdata.pending is None and await snapshot(call) == before
        assert len(llm.requests) == 1, "no keypad entry reached the model"
        assert keypad_turns(call) == 4
        assert_clean_speech(history_speech(call))


async def test_keys_at_a_step_that_takes_none_change_nothing(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        assert await pad.key("4155550134#") == ["Sorry, I can't use the keypad for that. May I have your first name?"]
        v = call.userdata.verification
        assert v.step is AuthStep.FIRST_NAME and v.first_name is None and v.phone is None
        assert llm.requests == []


async def test_thirty_digits_are_no_date_and_no_answer(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        await call.say("Hi, I'm Ava")
        await call.say("four one five, five five five, zero one three four")
        await pad.key("1#")
        assert call.userdata.verification.step is AuthStep.DATE_OF_BIRTH
        pad.press(THIRTY)
        assert pad.listener.collector.held_keys == MAX_KEYS, "the keys kept are bounded"
        lines = await pad.key("#")
        assert len(lines) == 1 and lines[0].startswith("Sorry, I couldn't use those keys.")
        v = call.userdata.verification
        assert v.step is AuthStep.DATE_OF_BIRTH and v.date_of_birth is None and v.failed_attempts == 0
        # A date hidden at the start of the flood does not count either.
        await pad.key("04121988" + THIRTY + "#")
        assert v.date_of_birth is None
        assert llm.requests == []


async def test_thirty_digits_do_not_confirm_a_write(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        r = await turn(call, llm, "Return the jacket, order 100101", Reply.call("initiate_return", **JACKET_RETURN))
        read_back = r.spoken()[-1]
        assert await pad.key("1" * 30 + "#") == [f"Sorry, I need a clear yes or no. {read_back}"]
        assert await pad.key(THIRTY + "#") == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert call.userdata.pending is None
        assert await call.query("select count(*) from returns") == [(0,)]


async def test_a_keypad_yes_pressed_in_the_turn_that_proposes_is_not_an_answer(db_url: str) -> None:
    """The caller presses 1 while the model is still working on the request: the keys came before the
    read-back, so they are not a yes for it, even though they are submitted after it."""
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        llm.push(Reply(calls=[PlannedCall("initiate_return", JACKET_RETURN)], delay_s=0.3))
        before = len(call.session.history.items)
        request = asyncio.ensure_future(call.say("Return the jacket, order 100101"))
        await asyncio.sleep(0.1)
        assert call.session.agent_state == "thinking" and call.userdata.pending is None
        pad.press("1")
        await request
        await pad.settled()
        action = call.userdata.pending
        assert action is not None, "the write is still waiting for a real answer"
        assert history_speech(call)[-2:] == [
            action.read_back,
            f"Those keys came before my question, so I haven't taken them as an answer. {action.read_back}",
        ]
        assert await call.query("select count(*) from returns") == [(0,)]
        assert len(call.session.history.items) > before
        # Keys pressed after the read-back do answer it.
        lines = await pad.key("1#")
        assert len(lines) == 1 and "RET-500001" in lines[0]
        assert await call.query("select count(*) from returns") == [(1,)]


async def test_a_pound_entry_during_the_proposing_turn_answers_nothing(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        llm.push(Reply(calls=[PlannedCall("initiate_return", JACKET_RETURN)], delay_s=0.3))
        request = asyncio.ensure_future(call.say("Return the jacket, order 100101"))
        await asyncio.sleep(0.1)
        pad.press("1#")  # submitted at once, before anything was proposed
        await request
        await pad.settled()
        await asyncio.sleep(TIMEOUT_S * 3)
        action = call.userdata.pending
        assert action is not None and action.name == "initiate_return", "the request was not dropped"
        assert history_speech(call)[-2:] == [NOT_EXPECTED, action.read_back]
        assert await call.query("select count(*) from returns") == [(0,)]
