"""Browsing needs no verification; the caller's own data does (verification on demand).

An unverified caller whose first words ask to browse goes straight to the open agent, by code.
A request for a protected agent keeps the caller in authentication. A caller whose identity is
verified cannot leave before the mandatory disclosure and the offer answer.
"""

from __future__ import annotations

import pytest

from call.context import AuthStep
from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

BROWSE = "You don't need to verify your identity to browse. I'll connect you with our {team} team now."


@pytest.mark.parametrize(
    ("said", "target", "team"),
    [
        ("Hi, I'm looking for a mystery novel for my dad", "books", "books"),
        ("Do you have a sofa that fits a small living room?", "home", "home"),
        ("I want to buy a new charger for my phone", "sales", "sales"),
        ("A question about a seller called Lakeside Home Goods", "seller_management", "seller management"),
    ],
)
async def test_an_unverified_caller_who_wants_to_browse_is_routed_by_code(
    db_url: str, said: str, target: str, team: str
) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(call, llm, said, Reply.say(f"Hi, {target} here. What are you looking for?"))
        assert spoken(r)[0] == BROWSE.format(team=team)
        assert handoffs(r) == [target]
        ctx = call.userdata
        assert ctx.verification.customer is None and ctx.verification.step is AuthStep.FIRST_NAME
        (record,) = ctx.transfers
        assert (record.from_agent, record.to_agent) == ("authentication", target)
        assert "browsing, not verified" in record.reason
        # The greeting of the open agent is generated as speech only, with the transfer summary.
        assert llm.requests[-1].tool_choice == "none"


async def test_a_request_for_a_protected_agent_keeps_the_caller_in_authentication(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await code_turn(call, llm, "Hi, I'm Ava and I want to return a jacket I bought")
        assert handoffs(r) == []
        assert spoken(r) == ["Thanks, Ava. What's the phone number on your account?"]
        assert call.userdata.intent is not None and "return a jacket" in call.userdata.intent


async def test_browsing_is_offered_only_before_identity_capture(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        await code_turn(call, llm, "Ava")
        await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM
        # Mid-verification the caller's words answer the step; nothing routes them away by code.
        r = await code_turn(call, llm, "I'm looking for a mystery novel")
        assert handoffs(r) == [] and call.userdata.transfers == []


@pytest.mark.parametrize("target", ["books", "sales", "promotions", "seller_management"])
async def test_a_verified_caller_cannot_skip_the_disclosure_to_an_open_agent(db_url: str, target: str) -> None:
    llm = ScriptedLLM([Reply.say("Hello, a colleague here.")])
    async with offline_call(llm=llm, database_url=db_url, verified_as=AVA, start_agent="human") as call:
        call.userdata.advance(AuthStep.OFFER_RESPONSE)
        r = await turn(
            call,
            llm,
            "Just send me to the shop",
            Reply.transfer(target, "caller wants to shop"),
            Reply.say("First, would you like to join?"),
        )
        assert handoffs(r) == []
        ((_, output, is_error),) = tool_outputs(r)
        assert is_error and "mandatory disclosure" in output
        assert call.userdata.transfers == []
