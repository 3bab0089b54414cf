"""A verified Ava's model reaches for Marcus's and Priya's orders and returns, and for malformed ids."""

from __future__ import annotations

from typing import Any

import pytest

from services.demo_data import AVA
from worker.testing import Reply

from .conftest import desk, open_return, seed, snapshot, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

ORDER_TOOLS: dict[str, tuple[str, dict[str, Any]]] = {
    "track_order": ("order_tracking", {}),
    "get_shipping_updates": ("order_tracking", {}),
    "modify_delivery": ("order_tracking", {"instructions": "leave at the door"}),
    "report_delivery_issue": ("order_tracking", {"issue": "damaged", "description": "The box was crushed"}),
    "check_return_eligibility": ("returns", {"condition": "unused"}),
    "initiate_return": ("returns", {"condition": "unused", "reason": "does not fit"}),
}
RETURN_TOOLS: dict[str, dict[str, Any]] = {
    "track_return_status": {},
    "schedule_pickup": {"date": "2026-11-21", "window": "morning"},
    "process_refund": {"method": "store_credit"},
}
FOREIGN_ORDERS = ["ORD-100201", "ORD-100202", "ORD-100301", "ORD-100302", "100201", "ord 100301", "#100202"]
MALFORMED_ORDERS = [
    "RET-100201",
    "CUS-1002",
    "ORD-10020",
    "ORD-1002011",
    "ORD-1002O1",
    "",
    "ORD-100201; drop table orders",
    "TCK-900001",
    "ORD-\uff11\uff10\uff10\uff12\uff10\uff11",
    "ORD-100201 and ORD-100101",
    "*",
    "%",
]
FOREIGN_RETURNS = ["RET-500001", "500001", "ret 500001"]
MALFORMED_RETURNS = ["ORD-500001", "CUS-1002", "RET-50000", "RET-5000011", "", "RET-500001 OR 1=1", "*"]
OTHER_DATA = (
    "Marcus",
    "Priya",
    "Lee",
    "Raman",
    "CUS-1002",
    "CUS-1003",
    "monitor",
    "lamp",
    "skillet",
    "gift card",
    "Chicago",
    "Seattle",
    "Wacker",
    "Alder",
)


async def _marcus_return(db_url: str) -> str:
    return await seed(db_url, lambda s: open_return(s, "CUS-1002", "ORD-100201", pickup=True))


def _no_foreign_data(text: str, sent: str = "") -> None:
    """None of the other customers' data, apart from the id the model itself sent (echoed back)."""
    if sent:
        text = text.replace(sent, "")
    for word in OTHER_DATA:
        assert word.casefold() not in text.casefold(), f"{word!r} leaked: {text!r}"


async def _probe(db_url: str, agent: str, tool: str, args: dict[str, Any], ids: list[tuple[str, str]]) -> list[str]:
    """Call ``tool`` with each (argument, value) in a fresh call turn; return the error outputs."""
    outputs = []
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        before = await snapshot(call)
        for key, value in ids:
            t = await turn(call, llm, "Can you look that up?", Reply.call(tool, **{**args, key: value}))
            (out,) = t.tool_outputs()
            assert out[2], f"{tool}({value!r}) was not refused: {out[1]!r}"
            assert call.userdata.pending is None
            assert not any("Shall I go ahead" in s for s in t.spoken())
            _no_foreign_data(out[1], value)
            for s in t.spoken():
                _no_foreign_data(s, value)
            _no_foreign_data(llm.requests[-1].all_text().replace("Can you look that up?", ""), value)
            outputs.append(out[1])
        t = await turn(call, llm, "yes")  # a yes now must not execute anything
        assert await snapshot(call) == before
    return outputs


@pytest.mark.parametrize("value", FOREIGN_ORDERS)
@pytest.mark.parametrize("tool", list(ORDER_TOOLS))
async def test_foreign_order_is_not_found(db_url: str, tool: str, value: str) -> None:
    agent, args = ORDER_TOOLS[tool]
    digits = "".join(c for c in value if c.isdigit())
    unknown, foreign = await _probe(
        db_url, agent, tool, args, [("order_number", "ORD-999999"), ("order_number", value)]
    )
    assert foreign.replace(f"ORD-{digits}", "ORD-X") == unknown.replace("ORD-999999", "ORD-X")


@pytest.mark.parametrize("value", MALFORMED_ORDERS)
@pytest.mark.parametrize("tool", list(ORDER_TOOLS))
async def test_malformed_order_id_is_refused(db_url: str, tool: str, value: str) -> None:
    agent, args = ORDER_TOOLS[tool]
    await _probe(db_url, agent, tool, args, [("order_number", value)])


@pytest.mark.parametrize("value", FOREIGN_RETURNS)
@pytest.mark.parametrize("tool", list(RETURN_TOOLS))
async def test_foreign_return_is_not_found(db_url: str, tool: str, value: str) -> None:
    await _marcus_return(db_url)
    unknown, foreign = await _probe(
        db_url, "returns", tool, RETURN_TOOLS[tool], [("return_number", "RET-999999"), ("return_number", value)]
    )
    assert foreign.replace("RET-500001", "RET-X") == unknown.replace("RET-999999", "RET-X")


@pytest.mark.parametrize("value", MALFORMED_RETURNS)
@pytest.mark.parametrize("tool", list(RETURN_TOOLS))
async def test_malformed_return_id_is_refused(db_url: str, tool: str, value: str) -> None:
    await _marcus_return(db_url)
    await _probe(db_url, "returns", tool, RETURN_TOOLS[tool], [("return_number", value)])


@pytest.mark.parametrize("agent", ["returns", "order_tracking"])
async def test_list_orders_shows_only_the_callers_orders(db_url: str, agent: str) -> None:
    await _marcus_return(db_url)
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        t = await turn(call, llm, "What are my orders?", Reply.call("list_orders", customer_id="CUS-1002"))
        for _, out, _ in t.tool_outputs():
            _no_foreign_data(out)
            assert "ORD-1002" not in out and "ORD-1003" not in out
        _no_foreign_data(llm.requests[-1].all_text())
