"""Several transfers in one reply, and transfer storms across turns."""

from __future__ import annotations

import itertools

import pytest

from services.demo_data import AVA
from worker.testing import OfflineCall, Reply

from .conftest import SPECIALISTS, calls, desk, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]


def _consistent(call: OfflineCall) -> None:
    ctx = call.userdata
    assert ctx.current_agent == call.session.current_agent.name
    if ctx.transfers:
        assert ctx.transfers[-1].to_agent == ctx.current_agent
    for a, b in itertools.pairwise(ctx.transfers):
        assert a.to_agent == b.from_agent


TARGET_SETS = [
    ("order_tracking", "human"),
    ("human", "order_tracking"),
    ("books", "books"),
    ("order_tracking", "returns", "human"),
    ("human", "human", "human"),
    ("books", "home", "fashion", "electronics", "sales"),
    ("returns", "order_tracking", "returns", "order_tracking", "human"),
    ("nowhere", "order_tracking", "human"),
    ("promotions", "nowhere", "security"),
]


@pytest.mark.parametrize("start", ["returns", "authentication", "human", "sales"])
@pytest.mark.parametrize("targets", TARGET_SETS, ids=["-".join(t) for t in TARGET_SETS])
async def test_many_transfers_in_one_reply_make_at_most_one(db_url: str, start: str, targets: tuple[str, ...]) -> None:
    async with desk(db_url, agent=start, verified_as=AVA) as (call, llm):
        t = await turn(
            call,
            llm,
            "Help me with everything",
            calls(*[("transfer_to_agent", {"target": x, "reason": "r"}) for x in targets]),
        )
        assert len(t.handoffs()) <= 1
        assert len(call.userdata.transfers) == len(t.handoffs())
        valid = [x for x in targets if x != start and x != "nowhere"]
        if valid:
            assert len(call.userdata.transfers) == 1
        _consistent(call)
        # the call goes on normally
        await turn(call, llm, "thanks", Reply.say("You're welcome."))
        _consistent(call)


@pytest.mark.parametrize("budget", [1, 2, 3, 5, 8])
async def test_transfer_budget(db_url: str, budget: int) -> None:
    route = ["returns", "order_tracking", "books", "home", "fashion", "electronics", "sales", "promotions", "security"]
    async with desk(db_url, agent="authentication", verified_as=AVA, max_transfers=budget) as (call, llm):
        for i, target in enumerate(route):
            await turn(call, llm, "next please", Reply.transfer(target, "next"))
            assert len(call.userdata.transfers) == min(i + 1, budget)
            _consistent(call)
        # the human agent is always reachable, even over budget
        t = await turn(call, llm, "a person please", Reply.transfer("human", "caller request"))
        assert t.handoffs() == ["human"]
        assert len(call.userdata.transfers) == budget + 1
        _consistent(call)


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(["returns", "order_tracking", "books", "sales"], 2)))
async def test_ping_pong_is_refused(db_url: str, a: str, b: str) -> None:
    async with desk(db_url, agent=a, verified_as=AVA) as (call, llm):
        await turn(call, llm, "go", Reply.transfer(b, "r"))
        await turn(call, llm, "back", Reply.transfer(a, "r"))
        assert [(x.from_agent, x.to_agent) for x in call.userdata.transfers] == [(a, b), (b, a)]
        t = await turn(call, llm, "again", Reply.transfer(b, "r"))
        assert t.handoffs() == []
        assert len(call.userdata.transfers) == 2
        _consistent(call)
        t = await turn(call, llm, "a person", Reply.transfer("human", "r"))
        assert t.handoffs() == ["human"]
        _consistent(call)


@pytest.mark.parametrize("start", SPECIALISTS)
async def test_transfer_storm_across_turns(db_url: str, start: str) -> None:
    cycle = [s for s in SPECIALISTS if s != start]
    async with desk(db_url, agent=start, verified_as=AVA, max_transfers=6) as (call, llm):
        for i in range(12):
            target = cycle[i % len(cycle)]
            llm.push(
                calls(
                    ("transfer_to_agent", {"target": target, "reason": "r"}),
                    ("transfer_to_agent", {"target": "human", "reason": "r"}),
                )
            )
            t = await call.say(f"turn {i}")
            assert len(t.handoffs()) <= 1
            assert len(call.userdata.transfers) <= 7
            _consistent(call)
        assert len(call.userdata.transfers) >= 6


@pytest.mark.parametrize("start", ["returns", "human", "authentication"])
async def test_self_and_unknown_targets(db_url: str, start: str) -> None:
    async with desk(db_url, agent=start, verified_as=AVA) as (call, llm):
        for target in [start, "nowhere", "", "HUMAN", "returns ", "Returns", "admin", "system"]:
            t = await turn(call, llm, "transfer me", Reply.transfer(target, "r"))
            assert t.handoffs() == []
            assert call.userdata.transfers == []
            _consistent(call)
