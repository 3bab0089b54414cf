"""The cloud profile's LLM fallback, mid-call: the primary model fails, the call goes on with the second.

A real ``AgentSession`` (the offline seam) runs on LiveKit's ``llm.FallbackAdapter`` configured by
:func:`worker.providers.llm_fallback` (what the cloud profile uses), over two scripted models of the exact
``llm.LLM`` interface: the primary answers the first turns, then raises as a provider does
(connection error, HTTP 503); the caller still gets every reply, tools still run and the writes
the caller confirms still reach the database.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from livekit.agents import APIConnectionError, APIError, APIStatusError
from livekit.agents.llm.fallback_adapter import AvailabilityChangedEvent

from services.demo_data import AVA
from worker.providers import llm_fallback
from worker.testing import BreakableLLM, Reply, ScriptedLLM, offline_call

from .helpers import spoken, tool_calls, tool_outputs

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

HELD = "The details were read back to the caller and nothing is saved yet."
PICKUP = {"return_number": "RET-500001", "date": "2026-11-20", "window": "morning"}


ERRORS: dict[str, Callable[[], APIError]] = {
    "connection": lambda: APIConnectionError("connection reset by peer"),
    "http_503": lambda: APIStatusError("service unavailable", status_code=503),
}


@pytest.mark.parametrize("failure", sorted(ERRORS))
async def test_primary_llm_fails_mid_call_and_the_call_goes_on_with_the_second(db_url: str, failure: str) -> None:
    primary = BreakableLLM(
        [
            Reply.say("Hi Ava, returns here. Which order?"),
            Reply.call("check_return_eligibility", order_number="100101", condition="unused"),
        ],
        error=ERRORS[failure],
    )
    second = ScriptedLLM(
        [
            Reply.call("schedule_pickup", **PICKUP),
            Reply.say("Refunds reach your card three to five business days after we receive the jacket."),
        ]
    )
    adapter = llm_fallback(primary, second)  # exactly as the cloud profile builds it
    availability: list[tuple[str, bool]] = []

    def _on_availability(ev: AvailabilityChangedEvent) -> None:
        availability.append((ev.llm.model if ev.llm is second else "primary", ev.available))

    adapter.on("llm_availability_changed", _on_availability)

    async with offline_call(llm=adapter, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        # Turns answered by the primary: its greeting, then a tool call and code's read-back.
        r = await call.say("The jacket from order one zero zero one zero one, it's unworn")
        assert tool_calls(r) == [("check_return_eligibility", {"order_number": "100101", "condition": "unused"})]
        r = await call.say("Yes, please go ahead")
        assert r.by_code and spoken(r)[0].startswith("Done. Return RET-500001")
        assert len(primary.requests) == 2 and second.requests == []

        primary.broken = True  # the provider goes down mid-call

        # The next LLM turn fails on the primary and is answered by the second model: the tool runs.
        r = await call.say("Friday morning please")
        assert primary.failures >= 1 and len(second.requests) == 1
        assert tool_calls(r) == [("schedule_pickup", PICKUP)]
        ((name, output, is_error),) = tool_outputs(r)
        assert name == "schedule_pickup" and not is_error and output.startswith(HELD)
        assert spoken(r) == [
            "I'll book a pickup for return RET-500001 on Friday, November 20 in the morning. Shall I go ahead?"
        ]
        # The second model saw the whole call so far (the conversation carries over, not just the turn).
        context = second.requests[0].all_text()
        assert "order one zero zero one zero one" in context and "Friday morning please" in context

        # The caller's yes runs the write in code: the database effect happens.
        r = await call.say("yes")
        assert r.by_code and spoken(r)[0].startswith("Booked. Return RET-500001")
        assert await call.query("select pickup_date, pickup_window from returns") == [("2026-11-20", "morning")]

        # While the primary is down, plain replies come from the second model too.
        r = await call.say("How long does the refund take?")
        assert spoken(r) == ["Refunds reach your card three to five business days after we receive the jacket."]
        assert second.pending == 0 and second.unscripted == 0
        assert ("primary", False) in availability
