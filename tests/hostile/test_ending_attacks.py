"""The tools that end or hand over a call (``end_call`` on every agent, ``transfer_to_colleague`` on the
human agent) against a hostile or confused model: ending the call beside a write or with a write
pending, with hostile arguments, or before the caller is done; a transfer to a person where none can
join. The call must go on, nothing may be written or dialled, and the caller must hear a clean line."""

from __future__ import annotations

import asyncio

import pytest
from livekit.agents.voice.events import CloseEvent

from services.demo_data import AVA
from worker.testing import Reply

from ..flows.fake_line import FakePhoneLine
from ..flows.helpers import tool_outputs, turn
from .conftest import assert_clean_speech, calls, desk, raw_call, snapshot

pytestmark = [pytest.mark.asyncio]

DEEP = '{"a":' * 3000
RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}


async def _still_open(closed: list[CloseEvent], line: FakePhoneLine) -> None:
    await asyncio.sleep(0.1)
    assert closed == [], "the call was ended"
    assert line.calls == [], f"the line was used: {line.calls}"


async def test_end_call_beside_a_write_in_one_reply_is_refused_and_the_write_still_needs_a_yes(db_url: str) -> None:
    async with desk(db_url, agent="returns", verified_as=AVA) as (call, llm):
        line = FakePhoneLine()
        call.userdata.phone_line = line
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        before = await snapshot(call)
        # The refused end_call gets the model a second request; whatever it says, the read-back stands.
        llm.push(calls(("initiate_return", RETURN), ("end_call", {})), Reply.say("One moment."))
        t = await call.say("I want to return the jacket from my last order")
        outputs = {name: (out, err) for name, out, err in tool_outputs(t)}
        assert outputs["end_call"][1] is True, outputs
        assert call.userdata.pending is not None and call.userdata.pending.name == "initiate_return"
        await _still_open(closed, line)
        assert await snapshot(call) == before, "nothing is written before the caller's yes"
        assert call.userdata.ended_by is None
        assert_clean_speech(t.spoken())


@pytest.mark.parametrize("raw", [DEEP, "[" * 3000, '{"reason": "' + "x" * 20_000 + '"}', "not json"])
async def test_end_call_with_hostile_arguments_leaves_the_call_open(db_url: str, raw: str) -> None:
    async with desk(db_url, agent="order_tracking", verified_as=AVA) as (call, llm):
        line = FakePhoneLine()
        call.userdata.phone_line = line
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        llm.push(raw_call("end_call", raw))
        t = await call.say("Is there anything else I should know about my delivery?")
        assert not t.by_code
        assert_clean_speech(t.spoken())
        await _still_open(closed, line)
        assert call.userdata.ended_by is None


async def test_transfer_to_colleague_where_no_one_can_join_dials_nothing(db_url: str) -> None:
    """A web caller (no SIP line), or no number configured: the tool refuses; nothing is dialled."""
    async with desk(db_url, agent="human", verified_as=AVA) as (call, llm):
        line = FakePhoneLine(phone=False)
        call.userdata.phone_line = line
        call.userdata.human_transfer = None
        t = await turn(
            call,
            llm,
            "I want to speak to someone about my refund",
            calls(("transfer_to_colleague", {}), ("transfer_to_colleague", {})),
            Reply.say("I can open a ticket so a colleague follows up."),
        )
        assert all(err for _, _, err in tool_outputs(t)), tool_outputs(t)
        assert call.userdata.pending is None
        await asyncio.sleep(0.1)
        assert line.calls == []
        assert_clean_speech(t.spoken())
