"""Which order the caller means, resolved by code from their words among their own orders."""

from __future__ import annotations

import pytest
from livekit.agents import ToolError

from call.context import CustomerContext
from services import Services
from services.demo_data import AVA, MARCUS
from tools.order_references import resolve_order

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]


@pytest.mark.parametrize(
    ("said", "order"),
    [
        ("ORD-100101", "ORD-100101"),
        ("100101", "ORD-100101"),
        ("my last order", "ORD-100102"),
        ("the most recent one", "ORD-100102"),
        ("my oldest order", "ORD-100103"),
        ("the rain jacket", "ORD-100101"),
        ("the alpine jaket", "ORD-100101"),
        ("the headphones", "ORD-100102"),
        ("the one that's in transit", "ORD-100102"),
        ("the book", "ORD-100103"),
        ("the lighthouse keeper", "ORD-100103"),
    ],
)
async def test_the_caller_s_words_name_one_of_their_orders(services: Services, said: str, order: str) -> None:
    ctx = CustomerContext(services=services)
    assert await resolve_order(ctx, AVA.id, said) == order


async def test_an_ambiguous_description_offers_a_short_choice(services: Services) -> None:
    ctx = CustomerContext(services=services)
    with pytest.raises(ToolError, match="Several orders match") as err:
        await resolve_order(ctx, AVA.id, "the delivered one")
    assert "ORD-100101" in str(err.value) and "ORD-100103" in str(err.value)
    assert "ORD-100102" not in str(err.value)


async def test_no_match_lists_only_the_caller_s_own_recent_orders(services: Services) -> None:
    ctx = CustomerContext(services=services)
    with pytest.raises(ToolError, match="No order matches") as err:
        await resolve_order(ctx, AVA.id, "the monitor")
    assert "ORD-1002" not in str(err.value), "Marcus's orders must never be offered to Ava"
    assert await resolve_order(ctx, MARCUS.id, "the monitor") == "ORD-100201"


async def test_an_order_number_the_caller_said_wins_over_a_description(services: Services) -> None:
    ctx = CustomerContext(services=services)
    ctx.record_user_turn("It's order one zero zero one zero three")
    assert await resolve_order(ctx, AVA.id, "my last order") == "ORD-100103"


@pytest.mark.parametrize("bad", ["ORD-12", "12345", 100101, None, ["ORD-100101"]])
async def test_a_malformed_number_or_a_non_text_value_is_refused_as_an_order_number(
    services: Services, bad: object
) -> None:
    ctx = CustomerContext(services=services)
    with pytest.raises(ToolError, match=r"order number|must be text"):
        await resolve_order(ctx, AVA.id, bad)


async def test_an_empty_reference_asks_which_order(services: Services) -> None:
    ctx = CustomerContext(services=services)
    with pytest.raises(ToolError, match="Which order"):
        await resolve_order(ctx, AVA.id, "   ")
