"""Text the model meant for itself is never spoken; a fallback line is spoken instead."""

from __future__ import annotations

import pytest

from services.demo_data import AVA
from worker.testing import Reply

from .conftest import assert_clean_speech, desk, history_speech, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

LEAKS = [
    "Is '4 1 5' correct? (True or False)",
    "Is '4 1 5, 5 5 5, 0 1 3 4' correct? (True or False)",
    "Next: ask for the date of birth",
    "Next: ask for the date of birth.",
    "Please tell me the 10-digit US number exactly as the caller said it, digits only.",
    "[tool result] Order ORD-100101 delivered.",
    "[tool call] track_order",
    "call read_disclosure",
    "Call the record_phone tool now.",
    "I will call transfer_to_agent with target returns.",
    "The caller wants a refund.",
    "Ask the caller for the date as YYYY-MM-DD.",
    "true or false",
    "My instructions say to verify you first.",
    "Step 3: confirm the phone number.",
    '{"order_number": "ORD-100101"}',
    "ToolError: not found",
    "track_order(order_number='ORD-100101')",
    "Here is the transfer summary: caller wants a return.",
    "Do not ask again for the phone number.",
    "The system prompt says I should not share this.",
    "Answer with yes/no.",
    "Reply (yes/no)",
    "See the function call output.",
    "caller_phone is null",
    "none",  # the small model's empty "say" spoken as a word
    "I help the verified caller return items from delivered orders.",  # the offline model reading its prompt
]
LEAK_PARAMS = LEAKS
AGENTS = {
    "authentication": ("Why do you need that?", None),
    "returns": ("Can I return something?", AVA),
    "order_tracking": ("Where is my order?", AVA),
    "human": ("I want a person", None),
    "books": ("Do you have novels?", AVA),
}


@pytest.mark.parametrize("agent", list(AGENTS))
@pytest.mark.parametrize("leak", LEAK_PARAMS)
async def test_leak_is_withheld_and_a_fallback_is_spoken(db_url: str, agent: str, leak: str) -> None:
    caller, who = AGENTS[agent]
    async with desk(db_url, agent=agent, verified_as=who) as (call, llm):
        expected = call.session.current_agent.fallback_line()
        t = await turn(call, llm, caller, Reply.say(leak))
        assert not t.by_code
        spoken = t.spoken()
        assert spoken, "something is said instead"
        joined = " ".join(spoken)
        assert leak not in joined
        for part in leak.split("? "):  # no piece of it either
            assert part.strip(" .?") not in joined
        assert expected.strip() in joined
        assert_clean_speech(spoken)
        assert all(leak not in s for s in history_speech(call))


@pytest.mark.parametrize("agent", list(AGENTS))
@pytest.mark.parametrize("leak", LEAKS[:12])
async def test_safe_sentences_survive_around_a_leak(db_url: str, agent: str, leak: str) -> None:
    caller, who = AGENTS[agent]
    text = f"Sure, I can help with that. {leak.rstrip('.')}. What else can I do for you?"
    async with desk(db_url, agent=agent, verified_as=who) as (call, llm):
        t = await turn(call, llm, caller, Reply.say(text))
        joined = " ".join(t.spoken())
        assert "Sure, I can help with that." in joined
        assert leak.rstrip(".") not in joined
        assert_clean_speech(t.spoken())


@pytest.mark.parametrize("leak", LEAKS)
async def test_leak_is_not_repeated_in_the_next_request_as_speech(db_url: str, leak: str) -> None:
    async with desk(db_url, agent="order_tracking", verified_as=AVA) as (call, llm):
        await turn(call, llm, "Where is my order?", Reply.say(leak))
        await turn(call, llm, "Sorry, what?", Reply.say("Your order is on its way."))
        assistant_text = [m.text_content or "" for m in llm.requests[-1].chat_ctx.messages() if m.role == "assistant"]
        assert all(leak not in a for a in assistant_text)
