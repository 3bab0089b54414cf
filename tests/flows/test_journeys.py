"""Whole calls across desks, from the first words to the database at the end (the issue's two journeys).

1. Authentication → electronics compare → sales checkout → order tracking sees the new order.
2. Unverified browsing in books → sales → add to cart → verification on demand → back in sales → checkout.

Code leads every structured turn (identity, read-backs, yes/no); the scripted model only picks tools
where a real model would.
"""

from __future__ import annotations

from typing import Any

import pytest

from call.context import AuthStep
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

NEW_ORDERS = "select id, customer_id, status from orders where id >= 'ORD-400000' order by id"
NEW_LINES = (
    "select i.order_id, i.sku, v.format, v.colour, i.quantity, i.unit_price_cents from order_items i "
    "join product_variants v on v.id = i.variant_id where i.order_id >= 'ORD-400000' order by i.id"
)


async def verify_ava(call: OfflineCall, llm: ScriptedLLM, *, first: str = "Ava") -> Any:
    """Ava's identity, address and offer answer, every turn answered by code; returns the last turn."""
    await code_turn(call, llm, first)
    await code_turn(call, llm, "four one five, five five five, zero one three four")
    await code_turn(call, llm, "yes")
    await code_turn(call, llm, "April twelfth, 1988")
    await code_turn(call, llm, "SSN, four eight two one")
    r = await code_turn(call, llm, "Yes, that's still my address")
    assert call.userdata.verification.step is AuthStep.OFFER_RESPONSE, spoken(r)
    return r


async def test_authentication_electronics_compare_sales_checkout_order_tracking(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await verify_ava(call, llm)
        r = await code_turn(call, llm, "No thanks")
        assert spoken(r)[-1].endswith("How can I help you today?")
        # Code routes a plainly stated product request; electronics greets with the transfer summary.
        r = await turn(
            call, llm, "I'd like to compare two noise cancelling headphones", Reply.say("Electronics here, Ava.")
        )
        assert handoffs(r) == ["electronics"] and ctx.verified_customer() is not None
        r = await turn(
            call,
            llm,
            "The Lumen Q7 and the Sonara Flex5",
            Reply.call("compare_specs", products=["Lumen Q7 headphones", "Sonara Flex5 headphones"]),
            Reply.say("The Sonara is cheaper; the Lumen lasts longer."),
        )
        ((_, comparison, is_error),) = tool_outputs(r)
        assert not is_error and "ELC-6014" in comparison and "ELC-6047" in comparison
        r = await turn(
            call,
            llm,
            "I'll buy the cheaper one",
            Reply.transfer("sales", "Caller wants to buy the cheaper of the two headphones compared"),
            Reply.say("Sales here. Shall I add the Sonara Flex5 to your cart?"),
        )
        assert handoffs(r) == ["sales"]
        # "The cheaper one" is resolved by code among the products the desk presented.
        r = await turn(call, llm, "Yes, the cheaper one please", Reply.call("add_to_cart", product="the cheaper one"))
        assert spoken(r) == [
            "I'll add 1 Sonara Flex5 noise-cancelling headphones, white, $134.99, to your cart. Shall I go ahead?"
        ]
        await code_turn(call, llm, "yes")
        r = await turn(call, llm, "Check out please", Reply.call("place_order"))
        assert spoken(r)[0].startswith("I'll place your order for 1 Sonara Flex5 noise-cancelling headphones")
        assert await call.query(NEW_ORDERS) == [], "nothing ordered before the caller's yes"
        r = await code_turn(call, llm, "yes")
        assert spoken(r)[0].startswith("Done. Your order number is ORD-400001")
        r = await turn(
            call,
            llm,
            "When does it arrive?",
            Reply.transfer("order_tracking", "Caller asks when the new order arrives"),
            Reply.say("Order tracking here."),
        )
        assert handoffs(r) == ["order_tracking"]
        r = await turn(
            call,
            llm,
            "My latest order",
            Reply.call("track_order", order_number="my latest order"),
            Reply.say("It's being prepared and arrives Monday."),
        )
        assert tool_calls(r) == [("track_order", {"order_number": "my latest order"})]
        assert tool_outputs(r)[0][1].startswith("Order ORD-400001 (Sonara Flex5 noise-cancelling headphones")
        assert await call.query(NEW_ORDERS) == [("ORD-400001", "CUS-1001", "processing")]
        assert await call.query(NEW_LINES) == [("ORD-400001", "ELC-6047", "", "white", 1, 13499)]
        assert await call.query("select stock from product_variants where sku = 'ELC-6047'") == [(4,)]
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [
            ("authentication", "electronics"),
            ("electronics", "sales"),
            ("sales", "order_tracking"),
        ]
        assert llm.unscripted == 0


async def test_unverified_books_browsing_then_verification_on_demand_and_checkout(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        # Browsing needs no verification: code sends the caller straight to books.
        r = await turn(call, llm, "Hi, I'm looking for a mystery novel", Reply.say("Books here. Any author?"))
        assert handoffs(r) == ["books"] and ctx.verification.customer is None
        r = await turn(
            call,
            llm,
            "Something in a series, maybe the Tide Clock?",
            Reply.call("check_formats", book="the tide clock"),
            Reply.say("The paperback is $17.00."),
        )
        assert "paperback" in tool_outputs(r)[0][1]
        r = await turn(
            call,
            llm,
            "I'll buy the paperback",
            Reply.transfer("sales", "Caller wants to buy The Tide Clock in paperback"),
            Reply.say("Sales here. I'll add it for you."),
        )
        assert handoffs(r) == ["sales"]
        # The cart is the caller's own data: code hands the call to authentication with the request.
        args = {"product": "The Tide Clock", "format": "paperback"}
        r = await turn(call, llm, "Yes please add it", Reply.call("add_to_cart", **args))
        assert handoffs(r) == ["authentication"]
        assert spoken(r)[-1].startswith("To add The Tide Clock")
        assert ctx.resume is not None and ctx.resume.agent == "sales"
        await verify_ava(call, llm)
        # Back in sales after the offer answer; the model finishes the request and code reads it back.
        r = await turn(call, llm, "No thanks", Reply.call("add_to_cart", **args))
        assert handoffs(r) == ["sales"] and ctx.resume is None
        assert spoken(r)[-1] == "I'll add 1 The Tide Clock, paperback, $17.00, to your cart. Shall I go ahead?"
        await code_turn(call, llm, "yes")
        r = await turn(call, llm, "Great, check out", Reply.call("place_order"))
        assert "$17.00" in spoken(r)[0]
        await code_turn(call, llm, "yes please")
        assert await call.query(NEW_ORDERS) == [("ORD-400001", "CUS-1001", "processing")]
        assert await call.query(NEW_LINES) == [("ORD-400001", "BOK-1002", "paperback", "", 1, 1700)]
        assert await call.query("select count(*) from cart_items where customer_id = 'CUS-1001'") == [(0,)]
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [
            ("authentication", "books"),
            ("books", "sales"),
            ("sales", "authentication"),
            ("authentication", "sales"),
        ]
        assert llm.unscripted == 0


async def test_browse_to_sales_then_verify_on_demand_returns_to_sales_not_refused_as_ping_pong(db_url: str) -> None:
    """authentication → sales → authentication → sales is the way back from verification, not a bounce."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        r = await turn(call, llm, "I want to buy the Alpine rain jacket.", Reply.say("Sales here. Which size?"))
        assert handoffs(r) == ["sales"]
        args = {"product": "Alpine rain jacket", "size": "M", "colour": "navy"}
        r = await turn(
            call,
            llm,
            "Please add it to my cart in size M, navy.",
            Reply(text="Added the Alpine rain jacket to your cart.", calls=Reply.call("add_to_cart", **args).calls),
        )
        assert handoffs(r) == ["authentication"]
        assert not any(line.startswith("Added") for line in spoken(r)), "a claim with no write is withheld"
        await verify_ava(call, llm)
        r = await turn(call, llm, "no thanks", Reply.call("add_to_cart", **args))
        assert handoffs(r) == ["sales"], spoken(r)
        assert spoken(r)[-1].startswith("I'll add 1 Alpine rain jacket, size M, navy, $129.00, to your cart.")
        await code_turn(call, llm, "yes, add it")
        assert await call.query("select count(*) from cart_items where customer_id = 'CUS-1001'") == [(1,)]
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [
            ("authentication", "sales"),
            ("sales", "authentication"),
            ("authentication", "sales"),
        ]
