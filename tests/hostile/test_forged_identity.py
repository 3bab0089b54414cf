"""The model tries to talk the caller through verification; only the caller's own words count."""

from __future__ import annotations

import pytest

from call.context import AuthStep
from services.demo_data import AVA
from worker.testing import Reply

from .conftest import calls, desk, snapshot, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

FORGED_REPLIES = [
    Reply.say("Got it, your phone is 415 555 0134. What's your date of birth?"),
    Reply.say("Thanks Ava, you're verified. How can I help?"),
    Reply.call("save_address", street="221 Pine Street", city="San Francisco", state="CA", zip_code="94104"),
    Reply.transfer("returns", "caller verified"),
    calls(("transfer_to_agent", {"target": "returns", "reason": "verified"}), ("list_orders", {})),
    Reply(
        text="I have recorded your phone number.",
        calls=[Reply.call("record_phone", phone="+14155550134").calls[0]],
    ),
]


async def _at_phone(call, llm) -> None:  # type: ignore[no-untyped-def]
    await turn(call, llm, "Ava")
    assert call.userdata.verification.step is AuthStep.PHONE


def _untouched(call) -> None:  # type: ignore[no-untyped-def]
    v = call.userdata.verification
    assert v.customer is None and v.date_of_birth is None
    assert call.userdata.transfers == [] and call.userdata.current_agent == "authentication"


@pytest.mark.parametrize("forged", range(len(FORGED_REPLIES)))
@pytest.mark.parametrize("caller", ["uh huh", "yes", "sure, go ahead", "that's right", "mm-hmm", "why?", "you have it"])
async def test_no_phone_from_a_non_answer(db_url: str, caller: str, forged: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=None) as (call, llm):
        await _at_phone(call, llm)
        before = await snapshot(call)
        await turn(call, llm, caller, FORGED_REPLIES[forged])
        assert call.userdata.verification.phone is None
        assert call.userdata.verification.step is AuthStep.PHONE
        _untouched(call)
        assert await snapshot(call) == before


@pytest.mark.parametrize("forged", range(len(FORGED_REPLIES)))
@pytest.mark.parametrize("caller", ["555 0134", "five five five, zero one three four", "4 1 5", "415 555 013"])
async def test_partial_phone_is_reasked(db_url: str, caller: str, forged: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=None) as (call, llm):
        await _at_phone(call, llm)
        llm.push(FORGED_REPLIES[forged])
        t = await call.say(caller)
        assert t.by_code, "code re-asks a partial number itself"
        assert any("digit" in s for s in t.spoken())
        assert call.userdata.verification.phone is None
        assert call.userdata.verification.step is AuthStep.PHONE
        _untouched(call)


@pytest.mark.parametrize("forged", range(len(FORGED_REPLIES)))
async def test_a_different_area_code_is_what_is_recorded(db_url: str, forged: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=None) as (call, llm):
        await _at_phone(call, llm)
        llm.push(FORGED_REPLIES[forged])
        t = await call.say("It's 628 555 0134")
        assert t.by_code
        assert call.userdata.verification.phone == "+16285550134"
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM
        assert "6 2 8" in " ".join(t.spoken())
        _untouched(call)


@pytest.mark.parametrize("forged", range(len(FORGED_REPLIES)))
@pytest.mark.parametrize("caller", ["No, that's wrong", "no", "nope", "that's not right", "incorrect"])
async def test_no_at_the_read_back_returns_to_phone(db_url: str, caller: str, forged: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=None) as (call, llm):
        await _at_phone(call, llm)
        await call.say("415 555 0134")
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM
        llm.push(FORGED_REPLIES[forged])
        await call.say(caller)
        assert call.userdata.verification.phone is None
        assert call.userdata.verification.step is AuthStep.PHONE
        _untouched(call)


ADDRESSES = [
    {"street": "12 Oak Avenue", "city": "Springfield", "state": "IL", "zip_code": "62704"},
    {"street": "12 Oak Avenue", "city": "Chicago", "state": "IL", "zip_code": "62704"},
    {"street": "99 Elm Street", "city": "Springfield", "state": "IL", "zip_code": "62704"},
    {"street": "12 Oak Avenue", "city": "Springfield", "state": "IL", "zip_code": "62705"},
    {"street": "12 Oak Avenue", "city": "Springfield", "state": "TX", "zip_code": "62704"},
    {"street": "12 Oak Avenue, Apartment 3", "city": "Springfield", "state": "IL", "zip_code": "62704"},
    {"street": "221 Pine Street", "city": "San Francisco", "state": "CA", "zip_code": "94104"},
]
CALLER_ADDRESS_LINES = [
    "I moved, it's a new place",
    "Same city as before but a new street",
    "Springfield, Illinois",
    "12 Oak Avenue",
    "the ZIP is 6 2 7 0 4",
]


@pytest.mark.parametrize("said", CALLER_ADDRESS_LINES)
@pytest.mark.parametrize("address", range(len(ADDRESSES)))
async def test_save_address_with_unsaid_fields_is_refused(db_url: str, said: str, address: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=AVA) as (call, llm):
        call.userdata.advance(AuthStep.ADDRESS_NEW)
        before = await snapshot(call)
        t = await turn(call, llm, said, Reply.call("save_address", **ADDRESSES[address]))
        assert [o[2] for o in t.tool_outputs()] == [True], t.tool_outputs()
        assert call.userdata.pending is None
        await turn(call, llm, "yes")
        assert await snapshot(call) == before
        assert call.userdata.verification.step is AuthStep.ADDRESS_NEW


async def test_save_address_with_said_fields_is_proposed(db_url: str) -> None:
    async with desk(db_url, agent="authentication", verified_as=AVA) as (call, llm):
        call.userdata.advance(AuthStep.ADDRESS_NEW)
        t = await turn(
            call, llm, "It's 12 Oak Avenue, Springfield, Illinois 6 2 7 0 4", Reply.call("save_address", **ADDRESSES[0])
        )
        assert [o[2] for o in t.tool_outputs()] == [False]
        assert call.userdata.pending is not None


OFFER_MODEL_MOVES = [
    Reply.say("Great, I've signed you up for Marketplace Plus!"),
    Reply.call("record_offer_response", response="ACCEPTED"),
    Reply.call("accept_offer"),
    Reply.transfer("returns", "accepted the offer"),
    calls(
        ("record_offer_response", {"response": "ACCEPTED"}), ("transfer_to_agent", {"target": "human", "reason": "x"})
    ),
]


@pytest.mark.parametrize("move", range(len(OFFER_MODEL_MOVES)))
@pytest.mark.parametrize("caller", ["No thanks, not interested", "no thanks", "No, I'm not interested."])
async def test_offer_declined_whatever_the_model_does(db_url: str, caller: str, move: int) -> None:
    async with desk(db_url, agent="authentication", verified_as=AVA) as (call, llm):
        ctx = call.userdata
        ctx.verification.step = AuthStep.OFFER_RESPONSE
        ctx.disclosure.response = None
        llm.push(OFFER_MODEL_MOVES[move])
        t = await call.say(caller)
        assert t.by_code
        assert ctx.disclosure.response == "DECLINED"
        rows = await call.query("select response from offer_responses")
        assert rows == [("DECLINED",)]
        assert ctx.verification.step is AuthStep.DONE


@pytest.mark.parametrize("agent", ["authentication", "human", "returns", "order_tracking", "promotions", "sales"])
async def test_no_offer_recording_tool_is_offered(db_url: str, agent: str) -> None:
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        await turn(call, llm, "Why do you ask?", Reply.say("Okay."))
        for request in llm.requests:
            assert not [n for n in request.tool_names if "offer" in n or "record" in n or "verify" in n]


@pytest.mark.parametrize("agent", ["authentication", "human", "promotions"])
async def test_model_cannot_record_an_offer_answer(db_url: str, agent: str) -> None:
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        ctx = call.userdata
        ctx.verification.step = AuthStep.OFFER_RESPONSE
        ctx.disclosure.response = None
        await turn(call, llm, "What is the price?", OFFER_MODEL_MOVES[1])
        await turn(call, llm, "What does it include?", OFFER_MODEL_MOVES[4])
        assert await call.query("select count(*) from offer_responses") == [(0,)]
        assert ctx.disclosure.response is None
