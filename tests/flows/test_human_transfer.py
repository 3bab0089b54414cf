"""A real human transfer on phone calls (a fake of the exact PhoneLine interface stands in for SIP).

Cold and warm transfers, warm falling back to cold, failures that return the caller to the conversation
with an apology and a ticket offer, and the AI stand-in when no person can take the call (no number, or
a web caller). Consent is decided by code: the caller's own request for a person, or their yes to the
offer code reads back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from livekit.agents.voice.events import CloseEvent

from call.context import AuthStep
from call.phone_line import TransferFailedError, TransferUnavailableError
from call.redaction import redact
from services.demo_data import AVA
from tools.human_transfer import (
    BRIDGED_LINE,
    FAILED_LINE,
    HOLD_LINES,
    OFFER_READ_BACK,
    STAND_IN_LINE,
    TRANSFER_ACTION,
)
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .fake_line import NUMBER, FakePhoneLine, target
from .helpers import code_turn, handoffs, spoken, tool_calls, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

ASK_FOR_PERSON = "Can I talk to a real person please"
COMPLAINT = "I was charged twice for the jacket and I'm really upset"
REASON = "Double charge on the jacket order"


@asynccontextmanager
async def phone_call(
    db_url: str, llm: ScriptedLLM, line: FakePhoneLine, *, mode: str | None = "cold", start_agent: str = "returns"
) -> AsyncIterator[tuple[OfflineCall, list[CloseEvent]]]:
    """A verified call at ``start_agent`` with ``line`` as its line and the human team's number in ``mode``
    (``None``: no number configured). Yields the call and the session's close events."""
    async with offline_call(
        llm=llm, database_url=db_url, verified_as=AVA, start_agent=start_agent, channel="phone" if line.phone else "web"
    ) as call:
        call.userdata.phone_line = line
        call.userdata.human_transfer = target(mode) if mode else None
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        yield call, closed


async def _ended(closed: list[CloseEvent], line: FakePhoneLine) -> None:
    """Wait until the call has ended (the session closed and the line hung up)."""
    for _ in range(100):
        if closed and "hang_up" in line.kinds():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the call did not end: closed={closed}, line={line.calls}")


async def test_caller_who_asks_for_a_person_is_put_through_cold(db_url: str) -> None:
    """The caller's own words ask for a person: code transfers at once (no offer, no LLM request)."""
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line) as (call, closed):
        r = await code_turn(call, llm, ASK_FOR_PERSON)
        assert handoffs(r) == ["human"]
        assert spoken(r) == ["Of course. I'll connect you with a colleague now.", HOLD_LINES["cold"]]
        await _ended(closed, line)
        assert line.calls == [("cold", NUMBER), ("hang_up",)]
        ctx = call.userdata
        assert "Transferred to a person (cold transfer)" in ctx.actions
        assert ctx.ended_by == "transfer" and ctx.pending is None
        assert len(llm.requests) == 1  # the greeting only


async def test_model_routed_caller_is_offered_and_only_a_yes_puts_them_through(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line) as (call, closed):
        r = await turn(call, llm, COMPLAINT, Reply.transfer("human", REASON))
        assert handoffs(r) == ["human"]
        (offer,) = spoken(r)
        assert offer.startswith(f"{OFFER_READ_BACK} Shall I go ahead?")
        assert "Press 1 to confirm" in offer  # a phone caller may answer on the keypad
        assert call.userdata.pending is not None and call.userdata.pending.name == TRANSFER_ACTION
        assert line.calls == []

        r = await code_turn(call, llm, "yes please")
        assert spoken(r) == [HOLD_LINES["cold"]]
        await _ended(closed, line)
        assert line.calls == [("cold", NUMBER), ("hang_up",)]
        assert call.userdata.actions[-1] == "Transferred to a person (cold transfer)"


@pytest.mark.parametrize("answer", ["no", "hmm", "yes?", "okay, I'll think about it"])
async def test_anything_but_a_clear_yes_does_not_transfer(db_url: str, answer: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")], fallback_text="What would you like to do instead?")
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line) as (call, closed):
        await turn(call, llm, COMPLAINT, Reply.transfer("human", REASON))
        for _ in range(2):  # an unclear answer is asked once more, then void
            await call.say(answer)
            if call.userdata.pending is None:
                break
        assert call.userdata.pending is None
        assert line.calls == [] and closed == []
        assert not call.userdata.handover_in_progress


async def test_warm_transfer_briefs_the_person_and_the_desk_leaves(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line, mode="warm") as (call, closed):
        r = await code_turn(call, llm, ASK_FOR_PERSON)
        assert spoken(r)[1:] == [HOLD_LINES["warm"], BRIDGED_LINE]
        await _ended(closed, line)
        assert line.kinds() == ["warm", "hang_up"]
        _, number, told = line.calls[0]
        assert number == NUMBER
        assert told.startswith("A caller from the Marketplace help desk: Ava T., customer CUS-1001, identity verified.")
        assert "Why they need a person: The caller asked for a person." in told
        assert "answered the loyalty offer: declined" in told
        assert redact(told) == told, "the briefing carries no identity digits"
        assert "Transferred to a person (warm transfer, colleague briefed)" in call.userdata.actions


@pytest.mark.parametrize(
    "warm_error",
    [
        TransferUnavailableError("no outbound trunk"),
        TransferFailedError("human agent declined to connect"),
        NotImplementedError("this line has no warm transfer"),
    ],
)
async def test_warm_transfer_that_is_not_possible_or_fails_falls_back_to_cold(
    db_url: str, warm_error: Exception
) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine(warm_error=warm_error)
    async with phone_call(db_url, llm, line, mode="warm") as (call, closed):
        await turn(call, llm, COMPLAINT, Reply.transfer("human", REASON))
        await code_turn(call, llm, "yes")
        await _ended(closed, line)
        assert line.kinds() == ["warm", "cold", "hang_up"]
        assert REASON in line.calls[0][2], "the person would have been told why"
        assert call.userdata.actions[-1] == "Transferred to a person (cold transfer)"


@pytest.mark.parametrize("error", [TransferFailedError("SIP 503"), RuntimeError("twirp: unavailable")])
async def test_failed_transfer_apologises_offers_a_ticket_and_the_call_goes_on(db_url: str, error: Exception) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine(cold_error=error)
    async with phone_call(db_url, llm, line) as (call, closed):
        r = await code_turn(call, llm, ASK_FOR_PERSON)
        assert spoken(r)[1:3] == [HOLD_LINES["cold"], FAILED_LINE]
        assert spoken(r)[3].startswith("I'll open a normal priority ticket so a colleague follows up with you")
        ctx = call.userdata
        assert ctx.pending is not None and ctx.pending.name == "create_escalation_ticket"
        assert not ctx.handover_in_progress and closed == [] and line.kinds() == ["cold"]
        assert ctx.actions == ["A transfer to a person failed; a ticket was offered"]

        r = await code_turn(call, llm, "yes")
        assert spoken(r)[0].startswith("Done. Your ticket number is TCK-9")
        assert await call.query("select count(*) from tickets") == [(1,)]
        # The conversation goes on with the model.
        r = await turn(call, llm, "Thanks. Can you check something else?", Reply.say("Of course, what is it?"))
        assert spoken(r) == ["Of course, what is it?"] and closed == []
        assert "The transfer to a person failed" in "\n".join(llm.requests[-1].system_texts())


async def test_without_a_number_the_human_agent_is_the_ai_stand_in_and_opens_a_ticket(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line, mode=None) as (call, closed):
        r = await turn(call, llm, ASK_FOR_PERSON, Reply.say("I'm sorry about the trouble. Shall I open a ticket?"))
        assert spoken(r) == [
            "Of course. I'll connect you with our escalation desk now.",  # never "a colleague", then "no colleague"
            STAND_IN_LINE,
            "I'm sorry about the trouble. Shall I open a ticket?",
        ]
        assert TRANSFER_ACTION not in llm.requests[-1].tool_names
        assert "create_escalation_ticket" in llm.requests[-1].tool_names
        r = await turn(call, llm, "yes please", Reply.call("create_escalation_ticket", reason=REASON, priority="high"))
        assert tool_calls(r) == [("create_escalation_ticket", {"reason": REASON, "priority": "high"})]
        await code_turn(call, llm, "yes")
        assert await call.query("select priority from tickets") == [("high",)]
        assert line.calls == [] and closed == []


async def test_a_web_caller_gets_no_sip_transfer(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine(phone=False)
    async with phone_call(db_url, llm, line) as (call, closed):
        r = await turn(call, llm, ASK_FOR_PERSON, Reply.say("A colleague will follow up by ticket."))
        assert STAND_IN_LINE in spoken(r)
        assert TRANSFER_ACTION not in llm.requests[-1].tool_names
        assert line.calls == [] and closed == [] and call.userdata.pending is None


async def test_the_model_can_offer_the_transfer_and_code_reads_it_back_once(db_url: str) -> None:
    """At the human agent, the caller first wanted a ticket, then a person: the model's tool makes code
    read the offer back (twice in one reply is one offer); the caller's yes puts them through."""
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line) as (call, closed):
        await turn(call, llm, COMPLAINT, Reply.transfer("human", REASON))
        await code_turn(call, llm, "No, not now")
        assert call.userdata.pending is None and line.calls == []
        offer = Reply(calls=[*Reply.call(TRANSFER_ACTION).calls, *Reply.call(TRANSFER_ACTION).calls])
        # The refused second call is an error output, so LiveKit asks the model once more: it says nothing.
        r = await turn(call, llm, "Actually, could somebody call me right now instead", offer, Reply())
        outputs = [o for o in r.tool_outputs() if o[0] == TRANSFER_ACTION]
        assert [is_error for _, _, is_error in outputs].count(False) == 1
        assert [s for s in spoken(r) if s.startswith(OFFER_READ_BACK)] != []
        assert len([s for s in spoken(r) if s.startswith(OFFER_READ_BACK)]) == 1
        await code_turn(call, llm, "yes, go ahead")
        await _ended(closed, line)
        assert line.calls == [("cold", NUMBER), ("hang_up",)]


async def test_asking_for_a_person_at_the_human_agent_puts_the_caller_through(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns desk here.")])
    line = FakePhoneLine()
    async with phone_call(db_url, llm, line) as (call, closed):
        await turn(call, llm, COMPLAINT, Reply.transfer("human", REASON))
        await code_turn(call, llm, "no")
        assert call.userdata.pending is None and line.calls == []
        r = await code_turn(call, llm, "Just get me a human")
        assert spoken(r) == [HOLD_LINES["cold"]]
        await _ended(closed, line)
        assert line.kinds() == ["cold", "hang_up"]


async def test_a_locked_out_caller_who_accepts_a_colleague_is_put_through_without_a_second_offer(db_url: str) -> None:
    llm = ScriptedLLM()
    line = FakePhoneLine()
    async with offline_call(llm=llm, database_url=db_url, channel="phone") as call:
        call.userdata.phone_line, call.userdata.human_transfer = line, target("cold")
        call.userdata.advance(AuthStep.LOCKED_OUT)
        closed: list[CloseEvent] = []
        call.session.on("close", closed.append)
        r = await code_turn(call, llm, "yes please")
        assert spoken(r) == ["Okay, I'm transferring you to a colleague now.", HOLD_LINES["cold"]]
        await _ended(closed, line)
        assert line.calls == [("cold", NUMBER), ("hang_up",)]
