"""Every answer that is not a clear yes leaves the database untouched, and the voided write stays void."""

from __future__ import annotations

import pytest

from services.demo_data import AVA
from worker.testing import Reply

from .conftest import assert_clean_speech, desk, turn
from .writes import WRITES, Write

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

NON_YES = [
    "okay, I'll think about it",
    "yeah right",
    "sure, but change it to store credit first",
    "yes to the first part, the rest I'm unsure about",
    "no",
    "wait",
    "hmm",
    "what?",
    "maybe",
    "yes?",
    "I guess",
    "I guess so",
    "not sure",
    "hold on",
    "let me check",
    "no thanks",
    "nope",
    "don't do that",
    "yes, no, wait",
    "can you repeat that?",
    "probably",
    "sure, if it's free",
    "okay no",
    "absolutely not",
    "I don't think so",
    "yes but a different date",
    "not right now",
    "uh",
    "",
    "what's the refund amount?",
    "yeah no",
    "ok, actually cancel",
]
YES = "yes"


async def _propose(call, llm, w: Write) -> None:  # type: ignore[no-untyped-def]
    t = await turn(call, llm, w.request, Reply.call(w.tool, **w.args))
    assert [o[2] for o in t.tool_outputs()] == [False], t.tool_outputs()
    assert call.userdata.pending is not None and call.userdata.pending.name == w.tool


ONE_OF_EACH_KIND = [
    "okay, I'll think about it",  # a deferral
    "no",  # a plain no
    "hmm",  # unclear (re-asked once, then void)
    "sure, but change it to store credit first",  # a yes with a change
    "yes?",  # a question
    "",  # silence transcribed as nothing
]
"""One answer of each kind, run against every write (the whole NON_YES list runs against one write)."""
EVERY_ANSWER_ON = "initiate_return"
"""The write that every answer of NON_YES is run against (the classification is the same for all writes)."""

CASES = [(EVERY_ANSWER_ON, a) for a in NON_YES] + [
    (tool, a) for tool in WRITES if tool != EVERY_ANSWER_ON for a in ONE_OF_EACH_KIND
]


@pytest.mark.parametrize(("tool", "answer"), CASES)
async def test_non_yes_writes_nothing_and_stays_void(db_url: str, tool: str, answer: str) -> None:
    w = WRITES[tool]
    await w.prepare(db_url)
    async with desk(db_url, agent=w.agent, verified_as=w.caller) as (call, llm):
        w.setup(call)
        before = await w.rows(call)
        await _propose(call, llm, w)
        spoken: list[str] = []
        for _ in range(2):  # an unclear answer is re-asked once; the second voids it
            t = await call.say(answer)
            spoken += t.spoken()
            assert await w.rows(call) == before, f"{answer!r} wrote"
            if call.userdata.pending is None:
                break
        assert call.userdata.pending is None, f"{answer!r} left the write pending after two answers"
        assert_clean_speech(spoken)
        # The model asks something else; the caller's yes answers that, not the voided write.
        t = await turn(
            call, llm, "Can you tell me the store hours?", Reply.say("We're open until eight. Anything else?")
        )
        t = await turn(call, llm, YES, Reply.say("Great, what else can I do?"))
        assert await w.rows(call) == before
        assert call.userdata.pending is None
        # Proposed again and a clear yes: exactly once.
        await _propose(call, llm, w)
        await call.say(w.yes)
        after = await w.rows(call)
        assert after != before
        await call.say(w.yes)
        assert await w.rows(call) == after


CLEAR_YES = ["yes", "yes please", "yeah, go ahead", "correct", "sure", "yep, do it"]
YES_CASES = [(EVERY_ANSWER_ON, a) for a in CLEAR_YES] + [(tool, "yes") for tool in WRITES if tool != EVERY_ANSWER_ON]
"""Every form of yes against one write; a plain yes against every other write."""


@pytest.mark.parametrize(("tool", "answer"), YES_CASES)
async def test_clear_yes_executes_exactly_once(db_url: str, tool: str, answer: str) -> None:
    w = WRITES[tool]
    await w.prepare(db_url)
    async with desk(db_url, agent=w.agent, verified_as=w.caller) as (call, llm):
        w.setup(call)
        before = await w.rows(call)
        await _propose(call, llm, w)
        t = await call.say(w.yes if w.step_up else answer)  # a step-up write takes the digits, not a yes
        assert t.by_code
        after = await w.rows(call)
        assert after != before
        if w.inserts and w.table not in ("orders", "addresses", "returns"):
            assert len(after) == len(before) + 1
        assert call.userdata.pending is None
        await call.say(w.yes)
        await call.say("yes, go ahead")
        assert await w.rows(call) == after


@pytest.mark.parametrize(
    "args",
    [
        {"order_number": "ORD-100102", "instructions": "leave with the concierge"},
        {"order_number": "ORD-100102", "new_date": "2026-11-21", "instructions": "leave with the concierge"},
    ],
)
async def test_modify_delivery_read_back_is_a_sentence(db_url: str, args: dict[str, str]) -> None:
    async with desk(db_url, agent="order_tracking", verified_as=AVA) as (call, llm):
        t = await turn(call, llm, "Leave it with the concierge", Reply.call("modify_delivery", **args))
        read_back = " ".join(t.spoken())
        assert "Shall I go ahead?" in read_back
        assert "I'll instructions" not in read_back and "and instructions '" not in read_back
