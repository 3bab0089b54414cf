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

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

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
    # The authentication agent greets by code (no LLM request); every other agent's greeting is generated.
    llm = ScriptedLLM([] if source == "authentication" else [Reply.say(f"Hello from {source}.")])
    async with offline_call(llm=llm, start_agent=source, verified_as=AVA, database_url=db_url) as call:
        assert llm.pending == 0
        reason = f"Caller needs {target.replace('_', ' ')} help"
        # Every agent but authentication greets a transferred caller with a generated, speech-only reply.
        greeting = [] if target == "authentication" else [Reply.say(f"Hi Ava, {target} here.")]
        r = await turn(call, llm, "Please put me through to the right desk", Reply.transfer(target, reason), *greeting)
        assert not r.by_code
        assert tool_calls(r) == [("transfer_to_agent", {"target": target, "reason": reason})]
        assert handoffs(r) == [target]
        assert type(call.session.current_agent) is AGENTS[target]
        assert call.userdata.current_agent == target == call.session.current_agent.id
        if target == "authentication":
            # Its greeting is code's; its first LLM request is the next turn code leaves to the model.
            assert spoken(r)[-1] == "This is identity verification. How can I help you today?"
            await turn(call, llm, "Hmm, what can you do for me?", Reply.say("I can route you."))
        else:
            assert llm.requests[-1].tool_choice == "none", "the transfer greeting is speech only"
        assert llm.unscripted == 0
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
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        for caller in (
            "Hi, I'm Ava and I want to track my headphones",
            "4155550134",
            "yes",
            "April 12 1988",
            "ssn 4821",
            "yes",
        ):
            await code_turn(call, llm, caller)
        # Code classifies the answer and routes the original request; the greeting is the only LLM request.
        r = await turn(call, llm, "remind me later", Reply.say("Order tracking here."))
        assert r.by_code and handoffs(r) == ["order_tracking"]
        assert call.userdata.current_agent == "order_tracking" == call.session.current_agent.id
        assert len(llm.requests) == 1
        context_text = llm.requests[-1].all_text()
        assert not SECRET_DIGITS.search(context_text), context_text
        assert "REMIND_LATER" in context_text and "Do not ask again for: first name" in context_text


async def test_two_transfers_in_one_reply_second_is_refused(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        both = Reply(
            calls=[
                *Reply.transfer("order_tracking", "where is the order").calls,
                *Reply.transfer("fashion", "wants a new jacket").calls,
            ]
        )
        # The refused second call's error would make the returns agent speak after handing off; the
        # session builder cancels that reply, so only order tracking's greeting follows.
        r = await turn(call, llm, "Where's my order, and also I want a new jacket", both, Reply.say("Tracking here."))
        assert llm.requests[-1].tool_choice == "none"
        assert r.spoken() == ["Tracking here."]
        assert "You just received this caller by transfer" in "\n".join(llm.requests[-1].system_texts())
        assert [a["target"] for _, a in tool_calls(r)] == ["order_tracking", "fashion"]
        (first, second) = tool_outputs(r)
        assert first[2] is False
        assert second[2] is True and "Only one transfer per reply" in second[1]
        assert handoffs(r) == ["order_tracking"]
        (record,) = call.userdata.transfers
        assert (record.from_agent, record.to_agent) == ("returns", "order_tracking")
        assert call.userdata.current_agent == call.session.current_agent.id == "order_tracking"
        assert llm.unscripted == 0


async def test_reason_and_intent_are_redacted_in_the_transfer_summary(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        call.userdata.intent = "refund please, my social is 4821 and my card ends 7702"
        reason = "Card ending 7702 charged twice; caller phone 415 555 0134, SSN 4821"
        r = await turn(call, llm, "Please escalate this", Reply.transfer("human", reason), Reply.say("Hello."))
        assert handoffs(r) == ["human"]
        summary = "\n".join(t for t in llm.requests[-1].system_texts() if t.startswith("TRANSFER SUMMARY"))
        assert summary and "charged twice" in summary and "refund please" in summary
        assert not SECRET_DIGITS.search(summary), summary
        assert not SECRET_DIGITS.search(call.userdata.transfers[0].reason)


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
        r = await turn(call, llm, "escalate please", Reply.transfer("human", "budget spent"), Reply.say("Hi."))
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
        r = await turn(call, llm, "Actually, which one is cheapest?", Reply.say("Let me look."))
        assert not r.by_code and spoken(r)
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
