"""Transfers through the HandoffCoordinator: every ordered pair of the 14 agents, the injected
summary, secret hygiene, and the loop guards (ping-pong, budget, one transfer per turn)."""

from __future__ import annotations

import itertools
import re

import pytest

from agents import AGENTS
from agents.coordinator import HandoffCoordinator, TransferRefusedError
from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM, offline_call

from .helpers import handoffs, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

PAIRS = list(itertools.permutations(AGENTS, 2))
SECRET_DIGITS = re.compile(r"4821|7702|0134|1988|4\s8\s2\s1|four eight two one")


async def test_registry_has_exactly_the_fourteen_agents() -> None:
    assert set(AGENTS) == {
        "authentication",
        "home",
        "books",
        "electronics",
        "fashion",
        "order_tracking",
        "returns",
        "sales",
        "promotions",
        "personalization",
        "seller_management",
        "security",
        "advanced_features",
        "human",
    }
    for key, cls in AGENTS.items():
        assert cls.name == key


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
async def test_transfer_between_every_pair(db_url: str, source: str, target: str) -> None:
    llm = ScriptedLLM([Reply.say(f"Hello from {source}.")])
    async with offline_call(llm=llm, start_agent=source, verified_as=AVA, database_url=db_url) as call:
        reason = f"Caller needs {target.replace('_', ' ')} help"
        r = await turn(
            call,
            llm,
            f"Please put me through to {target}",
            Reply.transfer(target, reason),
            Reply.say(f"Hi Ava, {target} here."),
        )
        assert handoffs(r) == [target]
        assert type(call.session.current_agent) is AGENTS[target]
        (record,) = call.userdata.transfers
        assert (record.from_agent, record.to_agent, record.reason) == (source, target, reason)
        assert record.handoff_latency_s is not None and record.handoff_latency_s >= 0
        first_request = llm.requests[-1]
        summary = [t for t in first_request.system_texts() if t.startswith("TRANSFER SUMMARY")]
        assert len(summary) == 1
        assert f"from the {source} agent" in summary[0] and reason in summary[0]
        assert "identity VERIFIED" in summary[0]
        # The new agent offers every other agent as a target, never itself.
        assert "transfer_to_agent" in first_request.tool_names


async def test_start_up_graph_check_passes_and_catches_a_broken_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents import registry

    registry.check_registry()
    broken = dict(AGENTS)
    broken["billing"] = AGENTS["books"]
    monkeypatch.setattr(registry, "AGENTS", broken)
    with pytest.raises(RuntimeError, match="registry key 'billing' holds agent named 'books'"):
        registry.check_registry()


async def test_transfer_tool_targets_are_the_other_thirteen() -> None:
    from agents.base import transfer_tool

    for key, cls in AGENTS.items():
        schema = transfer_tool(cls).info.raw_schema
        assert set(schema["parameters"]["properties"]["target"]["enum"]) == set(AGENTS) - {key}


async def test_no_secret_digits_reach_the_next_agent(db_url: str) -> None:
    """The auth conversation is not carried; later caller messages are redacted."""
    llm = ScriptedLLM([Reply.say("Hello, returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        await turn(
            call,
            llm,
            "My card ends in 7702 and I was born in 1988, order ORD-100101",
            Reply.say("Thanks. Let me look at ORD-100101."),
        )
        await turn(
            call,
            llm,
            "Actually I need to know where my headphones are",
            Reply.transfer("order_tracking", "Caller asks where the headphones order is"),
            Reply.say("Order tracking here."),
        )
        context_text = llm.requests[-1].all_text()
        assert "ORD-100101" in context_text, "business ids are kept"
        assert "where my headphones are" in context_text, "recent conversation is carried"
        assert not SECRET_DIGITS.search(context_text), context_text


async def test_authentication_conversation_is_not_carried(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hi, first name?")])
    async with offline_call(llm=llm, database_url=db_url) as call:
        for caller, replies in [
            (
                "Ava, I want to track my headphones",
                [Reply.call("record_first_name", first_name="Ava"), Reply.say("Phone?")],
            ),
            ("4155550134", [Reply.call("record_phone_number", phone_number="4155550134"), Reply.say("Right?")]),
            ("yes", [Reply.call("confirm_phone_number", caller_says_correct=True), Reply.say("Birthday?")]),
            ("1988-04-12", [Reply.call("record_date_of_birth", date_of_birth="1988-04-12"), Reply.say("Last 4?")]),
            ("ssn 4821", [Reply.call("authenticate_user", last_four="4821", digits_type="ssn"), Reply.say("Address?")]),
            (
                "yes",
                [
                    Reply.call("save_address", address_is_current=True),
                    Reply.call("read_disclosure"),
                    Reply.say("Accept?"),
                ],
            ),
            (
                "remind me later",
                [
                    Reply.call("log_offer_response", response="REMIND_LATER"),
                    Reply.transfer("order_tracking", "Track the headphones order"),
                    Reply.say("Order tracking here."),
                ],
            ),
        ]:
            await turn(call, llm, caller, *replies)
        assert call.userdata.current_agent == "order_tracking"
        context_text = llm.requests[-1].all_text()
        assert not SECRET_DIGITS.search(context_text), context_text
        assert "REMIND_LATER" in context_text and "Do not ask again for: first name" in context_text


async def test_ping_pong_is_refused(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        for n, target in enumerate(["order_tracking", "returns"]):
            r = await turn(call, llm, f"turn {n}", Reply.transfer(target, "bounce"), Reply.say("Hi."))
            assert handoffs(r) == [target]
        r = await turn(
            call,
            llm,
            "turn 2",
            Reply.transfer("order_tracking", "bounce again"),
            Reply.say("Let me help you here instead."),
        )
        assert handoffs(r) == [] and "Do not bounce them again" in tool_outputs(r)[0][1]
        r = await turn(call, llm, "turn 3", Reply.transfer("human", "stuck between agents"), Reply.say("Hi."))
        assert handoffs(r) == ["human"]


async def test_transfer_budget_leaves_only_human(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Books here.")])
    async with offline_call(
        llm=llm, start_agent="books", verified_as=AVA, database_url=db_url, max_transfers=2
    ) as call:
        for n, target in enumerate(["fashion", "home"]):
            r = await turn(call, llm, f"turn {n}", Reply.transfer(target, "browse"), Reply.say("Hi."))
            assert handoffs(r) == [target]
        r = await turn(
            call, llm, "and electronics?", Reply.transfer("electronics", "browse"), Reply.say("I'll help here.")
        )
        assert handoffs(r) == [] and "transferred too many times" in tool_outputs(r)[0][1]
        r = await turn(call, llm, "a person please", Reply.transfer("human", "budget spent"), Reply.say("Hi."))
        assert handoffs(r) == ["human"]


async def test_one_transfer_per_caller_turn(db_url: str) -> None:
    """Greetings cannot call tools, and the coordinator refuses a second transfer before the caller
    has spoken again: together they stop two agents from bouncing a caller in a loop."""
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "I want a new laptop",
            Reply.transfer("electronics", "laptop"),
            Reply.say("Electronics here, let's find you a laptop."),
        )
        assert handoffs(r) == ["electronics"]
        assert llm.requests[-1].tool_choice == "none", "the transfer greeting is speech only"
        coordinator = HandoffCoordinator(AGENTS)
        with pytest.raises(TransferRefusedError, match="talk with them before transferring again"):
            coordinator.check(call.userdata, "electronics", "sales")
        await turn(call, llm, "Actually, which one is cheapest?", Reply.say("Let me look."))
        coordinator.check(call.userdata, "electronics", "sales")  # allowed after a caller turn
        assert [t.to_agent for t in call.userdata.transfers] == ["electronics"]


@pytest.mark.parametrize(
    ("target", "message"), [("billing", "There is no 'billing' agent"), ("returns", "already the returns agent")]
)
async def test_unknown_or_self_target_is_refused(db_url: str, target: str, message: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        r = await turn(call, llm, "transfer me", Reply.transfer(target, "x"), Reply.say("I can help."))
        assert handoffs(r) == [] and message in tool_outputs(r)[0][1]
