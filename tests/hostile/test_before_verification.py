"""An unverified (or half-verified) caller: domain tools refuse, protected agents are out of reach."""

from __future__ import annotations

from typing import Any

import pytest

from call.context import AuthStep
from services.demo_data import AVA, MARCUS, PRIYA
from worker.testing import Reply

from .conftest import PROTECTED, SPECIALISTS, desk, snapshot, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

ACCOUNT_TOOLS: list[tuple[str, str, dict[str, Any]]] = [
    ("returns", "list_orders", {}),
    ("returns", "check_return_eligibility", {"order_number": "ORD-100101", "condition": "unused"}),
    ("returns", "initiate_return", {"order_number": "ORD-100101", "condition": "unused", "reason": "too small"}),
    ("returns", "schedule_pickup", {"return_number": "RET-500001", "date": "2026-11-20", "window": "morning"}),
    ("returns", "process_refund", {"return_number": "RET-500001", "method": "store_credit"}),
    ("returns", "track_return_status", {"return_number": "RET-500001"}),
    ("order_tracking", "list_orders", {}),
    ("order_tracking", "track_order", {"order_number": "ORD-100101"}),
    ("order_tracking", "get_shipping_updates", {"order_number": "ORD-100102"}),
    ("order_tracking", "modify_delivery", {"order_number": "ORD-100102", "instructions": "porch"}),
    (
        "order_tracking",
        "report_delivery_issue",
        {"order_number": "ORD-100101", "issue": "damaged", "description": "torn"},
    ),
    (
        "authentication",
        "save_address",
        {"street": "221 Pine Street", "city": "San Francisco", "state": "CA", "zip_code": "94104"},
    ),
]
CALLER_LINES = ["Why do you need that?", "Can you just do it?", "Is my order ORD-100101 on the way?"]


@pytest.mark.parametrize("line", CALLER_LINES)
@pytest.mark.parametrize(("agent", "tool", "args"), ACCOUNT_TOOLS, ids=[f"{a}-{t}" for a, t, _ in ACCOUNT_TOOLS])
async def test_account_tools_refuse_an_unverified_caller(
    db_url: str, agent: str, tool: str, args: dict[str, Any], line: str
) -> None:
    async with desk(db_url, agent=agent, verified_as=None) as (call, llm):
        before = await snapshot(call)
        t = await turn(call, llm, line, Reply.call(tool, **args))
        assert not t.by_code, "the model must get this turn"
        # refused by the tool, or (save_address outside the address step) not even offered to the model
        assert all(o[2] for o in t.tool_outputs()), t.tool_outputs()
        assert agent == "authentication" or len(t.tool_outputs()) == 1
        for _, out, _ in t.tool_outputs():
            for secret in ("Alpine", "jacket", "Pine", "Thompson", "FedEx", "$"):
                assert secret not in out
        assert call.userdata.pending is None
        t = await turn(call, llm, "yes")
        assert await snapshot(call) == before
        assert call.userdata.verification.customer is None


@pytest.mark.parametrize(
    ("start", "target"),
    [(s, t) for s in ("authentication", "human", *SPECIALISTS) for t in PROTECTED if s != t],
)
async def test_protected_agents_are_unreachable_unverified(db_url: str, start: str, target: str) -> None:
    async with desk(db_url, agent=start, verified_as=None) as (call, llm):
        t = await turn(call, llm, "What's the weather like?", Reply.transfer(target, "caller asked"))
        assert t.handoffs() == []
        assert [o[2] for o in t.tool_outputs()] == [True]
        assert call.userdata.transfers == []
        assert call.userdata.current_agent == start == call.session.current_agent.name


@pytest.mark.parametrize("start", ["authentication", *SPECIALISTS])
async def test_human_is_always_reachable(db_url: str, start: str) -> None:
    async with desk(db_url, agent=start, verified_as=None) as (call, llm):
        t = await turn(call, llm, "What's the weather like?", Reply.transfer("human", "caller wants a person"))
        assert t.handoffs() == ["human"]
        assert call.userdata.current_agent == "human" == call.session.current_agent.name
        assert len(call.userdata.transfers) == 1


@pytest.mark.parametrize("customer", [AVA, MARCUS, PRIYA], ids=lambda c: c.first_name)
@pytest.mark.parametrize("start", ["authentication", "human"])
@pytest.mark.parametrize("target", SPECIALISTS)
async def test_verified_but_offer_unanswered_cannot_reach_specialists(
    db_url: str, start: str, target: str, customer: Any
) -> None:
    async with desk(db_url, agent=start, verified_as=customer) as (call, llm):
        ctx = call.userdata
        ctx.verification.step = AuthStep.OFFER_RESPONSE
        ctx.disclosure.response = None
        t = await turn(call, llm, "What does the membership cost?", Reply.transfer(target, "caller request"))
        assert t.handoffs() == []
        assert [o[2] for o in t.tool_outputs()] == [True]
        assert ctx.transfers == []
        assert ctx.current_agent == start == call.session.current_agent.name
        assert ctx.verification.step is AuthStep.OFFER_RESPONSE
        assert await call.query("select count(*) from offer_responses") == [(0,)]
