"""The model repeats a write: twice in one reply, in the yes turn, after it ran. One row, always."""

from __future__ import annotations

import pytest

from worker.testing import Reply

from .conftest import calls, count, desk, turn
from .writes import WRITES, is_read_back

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

INSERTS = {
    "initiate_return": "returns",
    "report_delivery_issue": "delivery_issues",
    "create_escalation_ticket": "tickets",
    "update_listing_stock": "listing_stock_changes",
    "report_seller_issue": "seller_issues",
    "contact_seller": "seller_messages",
}


@pytest.mark.parametrize("copies", [2, 3, 5])
@pytest.mark.parametrize("tool", list(WRITES))
async def test_same_write_many_times_in_one_reply(db_url: str, tool: str, copies: int) -> None:
    w = WRITES[tool]
    await w.prepare(db_url)
    async with desk(db_url, agent=w.agent, verified_as=w.caller) as (call, llm):
        w.setup(call)
        before = await w.rows(call)
        t = await turn(call, llm, w.request, calls(*[(w.tool, w.args)] * copies))
        outs = [o for o in t.tool_outputs() if o[0] == w.tool]
        assert [o[2] for o in outs].count(False) == 1, outs
        read_backs = [s for s in t.spoken() if is_read_back(s)]
        assert len(read_backs) == 1, t.spoken()
        assert await w.rows(call) == before
        await call.say(w.yes)
        after = await w.rows(call)
        assert after != before
        if tool in INSERTS:
            assert await count(call, INSERTS[tool]) == len(before) + 1


@pytest.mark.parametrize("tool", list(WRITES))
@pytest.mark.parametrize("then", ["no", "what?", "hmm", "no thanks"])
async def test_model_repeats_the_write_after_it_ran(db_url: str, tool: str, then: str) -> None:
    w = WRITES[tool]
    await w.prepare(db_url)
    async with desk(db_url, agent=w.agent, verified_as=w.caller) as (call, llm):
        w.setup(call)
        before = await w.rows(call)
        await turn(call, llm, w.request, Reply.call(w.tool, **w.args))
        # The model also queues the same call for "the yes turn"; code answers the yes, the model's
        # call lands on the caller's next turn instead.
        llm.push(calls((w.tool, w.args), (w.tool, w.args)))
        t = await call.say(w.yes)
        assert t.by_code
        after = await w.rows(call)
        assert after != before
        await call.say("thanks, that's all for that")
        for _ in range(2):
            await call.say(then)
        assert await w.rows(call) == after
        if tool in INSERTS:
            assert await count(call, INSERTS[tool]) == len(before) + 1


@pytest.mark.parametrize("tool", list(WRITES))
async def test_two_different_writes_in_one_reply_propose_one(db_url: str, tool: str) -> None:
    w = WRITES[tool]
    other = WRITES["create_escalation_ticket"] if tool != "create_escalation_ticket" else WRITES["initiate_return"]
    await w.prepare(db_url)
    async with desk(db_url, agent=w.agent, verified_as=w.caller) as (call, llm):
        w.setup(call)
        tickets = await count(call, "tickets")
        returns = await count(call, "returns")
        t = await turn(call, llm, w.request, calls((w.tool, w.args), (other.tool, other.args)))
        assert len([s for s in t.spoken() if is_read_back(s)]) <= 1
        assert call.userdata.pending is not None and call.userdata.pending.name == w.tool
        await call.say(w.yes)
        assert call.userdata.pending is None
        if tool != "create_escalation_ticket":
            assert await count(call, "tickets") == tickets
        else:
            assert await count(call, "returns") == returns
