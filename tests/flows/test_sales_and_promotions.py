"""Sales and promotions desks through the real AgentSession: the cart, codes and checkout, each change read
back by code and decided by the caller's next turn in code; verification on demand; two journeys.

Demo facts (``services.commerce_seed``): Marcus's cart holds The Lighthouse Keeper hardcover ($24.00) and
the silver headphones ($199.00) with BOOKS15: $223.00 − $3.60 + $13.71 tax (IL 6.25%), free shipping =
$233.11. Ava (gold, CA 7.25%) has an empty cart; the rain jacket size M navy is $129.00.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.demo_data import AVA, MARCUS, PRIYA
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

HELD = "The details were read back to the caller and nothing is saved yet."
NOTHING = "Okay, I haven't changed anything. What would you like to do instead?"
JACKET = {"product": "Alpine rain jacket", "size": "M", "colour": "navy"}
JACKET_READ_BACK = "I'll add 1 Alpine rain jacket, size M, navy, $129.00, to your cart. Shall I go ahead?"
MARCUS_ORDER_READ_BACK = (
    "I'll place your order for 1 The Lighthouse Keeper, hardcover; 1 Noise-cancelling headphones, silver: $223.00, "
    "minus $3.60 with code BOOKS15, plus $13.71 tax and free shipping, $233.11 in total, charged to your card on "
    "file and shipped to 88 Wacker Drive, Apt 12, Chicago. Shall I go ahead?"
)
CART_SQL = "select c.customer_id, v.sku, v.size, v.colour, v.format, c.quantity from cart_items c " \
    "join product_variants v on v.id = c.variant_id where c.customer_id = :c order by c.id"  # fmt: skip


async def propose(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> list[str]:
    """The model calls a write tool once; code reads it back; nothing more is asked of the model."""
    r = await turn(call, llm, caller, Reply.call(tool, **args))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error and output.startswith(HELD), output
    assert call.userdata.pending is not None and call.userdata.pending.name == tool
    return spoken(r)


async def refused(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> str:
    """The model calls a tool that refuses: one error output for the model, nothing proposed."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Sorry, I can't do that."))
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and is_error, output
    assert call.userdata.pending is None
    assert not any("Shall I go ahead" in line for line in spoken(r))
    return output


async def cart(call: OfflineCall, customer: str) -> list[tuple[Any, ...]]:
    return await call.query(CART_SQL, c=customer)


# --- sales: add_to_cart ---------------------------------------------------------------------------------


async def test_add_to_cart_reads_back_and_adds_after_yes(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here. What can I find for you?")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        lines = await propose(call, llm, "Add the Alpine rain jacket in medium, navy", "add_to_cart", JACKET)
        assert lines == [JACKET_READ_BACK]
        assert await cart(call, AVA.id) == [], "nothing before the caller's yes"
        r = await code_turn(call, llm, "Yes please")
        assert spoken(r) == ["Done, it's in your cart. You have 1 item, subtotal $129.00."]
        assert await cart(call, AVA.id) == [("CUS-1001", "FSH-2001", "M", "navy", "", 1)]
        assert call.userdata.actions[-1] == "Added 1 Alpine rain jacket, size M, navy (FSH-2001) to the cart"
        # The same jacket again merges into its line, and the read-back says so.
        lines = await propose(call, llm, "Make that two", "add_to_cart", {**JACKET, "quantity": 1})
        assert lines == [
            "I'll add 1 Alpine rain jacket, size M, navy, $129.00, to your cart. That makes 2 in your cart. "
            "Shall I go ahead?"
        ]
        await code_turn(call, llm, "yes")
        assert await cart(call, AVA.id) == [("CUS-1001", "FSH-2001", "M", "navy", "", 2)]
        assert llm.unscripted == 0


@pytest.mark.parametrize("answer", ["no", "okay, I'll think about it"])
async def test_add_to_cart_without_a_yes_adds_nothing(db_url: str, answer: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        await propose(call, llm, "Add the rain jacket, medium navy", "add_to_cart", JACKET)
        r = await code_turn(call, llm, answer)
        if answer == "no":
            assert spoken(r) == [NOTHING] and call.userdata.pending is None
        else:
            assert spoken(r) == [f"Sorry, I need a clear yes or no. {JACKET_READ_BACK}"]
            await turn(call, llm, "I said I'd think about it", Reply.say("Of course."))
            assert call.userdata.pending is None
        await turn(call, llm, "yes", Reply.say("What else can I help with?"))
        assert await cart(call, AVA.id) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({**JACKET, "quantity": 0}, "The quantity must be a whole number from 1 to 10"),
        ({**JACKET, "quantity": 11}, "The quantity must be a whole number from 1 to 10"),
        ({**JACKET, "product": ""}, "The product is empty"),
        ({**JACKET, "size": "M" * 40}, "The size is too long"),
        ({"product": "Alpine rain jacket"}, "comes in several"),
        ({**JACKET, "size": "XXL"}, "does not come in XXL"),
    ],
)
async def test_add_to_cart_refuses_bad_input(db_url: str, args: dict[str, Any], fragment: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        output = await refused(call, llm, "Add the jacket", "add_to_cart", args)
        assert fragment in output
        assert await cart(call, AVA.id) == []


async def test_add_to_cart_refuses_what_is_out_of_stock(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        output = await refused(call, llm, "The red one in medium", "add_to_cart", {**JACKET, "colour": "red"})
        assert "out of stock" in output
        output = await refused(
            call, llm, "Eight of the extra small red", "add_to_cart", {**JACKET, "size": "XS", "colour": "red",
                                                                          "quantity": 8}
        )  # fmt: skip
        assert "Only 1 of the Alpine rain jacket (size XS, red) in stock, not 8" in output
        assert await cart(call, AVA.id) == []


# --- sales: view_cart, update_cart_item -----------------------------------------------------------------


async def test_view_cart_gives_every_total(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        r = await turn(call, llm, "What's in my cart?", Reply.call("view_cart"), Reply.say("Two items."))
        ((_, output, is_error),) = tool_outputs(r)
        assert not is_error
        assert output == (
            "The cart has 2 items: 1 The Lighthouse Keeper, hardcover, $24.00; 1 Noise-cancelling headphones, "
            "silver, $199.00. Subtotal $223.00. Code BOOKS15 takes $3.60 off. Tax $13.71 (IL 6.25%). "
            "Shipping free (order of $35 or more). Total $233.11."
        )
        assert list(call.userdata.products_in_view) == ["BOK-1001", "ELC-3001"]


async def test_update_cart_item_removes_after_yes_and_resolves_the_callers_words(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        lines = await propose(
            call, llm, "Take the headphones out", "update_cart_item", {"item": "the headphones", "quantity": 0}
        )
        assert lines == ["I'll remove the Noise-cancelling headphones, silver from your cart. Shall I go ahead?"]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done. Your cart subtotal is now $24.00."]
        assert await cart(call, MARCUS.id) == [("CUS-1002", "BOK-1001", "", "", "hardcover", 1)]
        lines = await propose(call, llm, "Two of the book", "update_cart_item", {"item": "the book", "quantity": 2})
        assert lines == ["I'll change The Lighthouse Keeper, hardcover to 2. Shall I go ahead?"]
        await code_turn(call, llm, "no")
        assert await cart(call, MARCUS.id) == [("CUS-1002", "BOK-1001", "", "", "hardcover", 1)]


async def test_update_cart_item_refuses_what_is_not_in_the_cart(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        before = await cart(call, MARCUS.id)
        output = await refused(
            call, llm, "Remove the lamp", "update_cart_item", {"item": "the brass lamp", "quantity": 0}
        )
        assert "is not in the cart" in output and "The Lighthouse Keeper" in output
        output = await refused(
            call, llm, "Twelve headphones", "update_cart_item", {"item": "headphones", "quantity": 12}
        )
        assert "whole number from 0 to 10" in output
        assert await cart(call, MARCUS.id) == before


# --- sales: apply_promotion, place_order ----------------------------------------------------------------


async def test_apply_promotion_replaces_the_carts_code_only_after_yes(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        lines = await propose(call, llm, "Use tech ten instead", "apply_promotion", {"code": "tech ten"})
        assert lines == [
            "Only one code works per order, so I'll replace BOOKS15 with TECH10, 10% off electronics items of "
            "$50.00 or more, up to $25.00 off: $19.90 off your cart. Shall I go ahead?"
        ]
        sql = "select code from cart_promotions where customer_id = 'CUS-1002'"
        assert await call.query(sql) == [("BOOKS15",)]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done. Code TECH10 takes $19.90 off. Your cart total is now $215.79."]
        assert await call.query(sql) == [("TECH10",)]


async def test_apply_promotion_refuses_by_the_rules(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        output = await refused(call, llm, "Use gold twenty five", "apply_promotion", {"code": "gold twenty five"})
        assert output == "Code GOLD25 is for gold members only; this account is standard."
        output = await refused(call, llm, "Use save ten", "apply_promotion", {"code": "save ten"})
        assert "was already used on order ORD-100202" in output
        output = await refused(call, llm, "Use save one hundred", "apply_promotion", {"code": "SAVE100"})
        assert output.startswith("There is no promotion code SAVE100.")
        assert await call.query("select code from cart_promotions where customer_id = 'CUS-1002'") == [("BOOKS15",)]


async def test_place_order_reads_back_the_exact_total_and_orders_after_yes(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        lines = await propose(call, llm, "Let's check out", "place_order", {})
        assert lines == [MARCUS_ORDER_READ_BACK]
        assert "5518" not in lines[0], "never the card's digits"
        assert await call.query("select count(*) from orders where id >= 'ORD-400000'") == [(0,)]
        r = await code_turn(call, llm, "Yes, go ahead")
        assert spoken(r) == [
            "Done. Your order number is ORD-400001, $233.11 charged to your card on file. It should arrive by "
            "Monday, November 23."
        ]
        assert await call.query(
            "select customer_id, status, subtotal_cents, discount_cents, tax_cents, shipping_cents, promo_code "
            "from orders where id = 'ORD-400001'"
        ) == [("CUS-1002", "processing", 22300, 360, 1371, 0, "BOOKS15")]
        assert await call.query("select amount_cents, merchant from charges where order_id = 'ORD-400001'") == [
            (23311, "Marketplace")
        ]
        assert await cart(call, MARCUS.id) == []
        assert call.userdata.actions[-1].startswith("Order ORD-400001 placed for $233.11")


@pytest.mark.parametrize("answer", ["no", "okay, I'll think about it", "yes but take off the book first"])
async def test_place_order_without_a_clear_yes_orders_nothing(db_url: str, answer: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=MARCUS, database_url=db_url) as call:
        await propose(call, llm, "Check out please", "place_order", {})
        await call.say(answer)
        if call.userdata.pending is not None:
            await turn(call, llm, answer, Reply.say("No problem."))
        assert call.userdata.pending is None
        await turn(call, llm, "yes", Reply.say("What would you like to do?"))
        assert await call.query("select count(*) from orders where id >= 'ORD-400000'") == [(0,)]
        assert len(await cart(call, MARCUS.id)) == 2


async def test_place_order_refuses_an_empty_cart(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=PRIYA, database_url=db_url) as call:
        output = await refused(call, llm, "Place my order", "place_order", {})
        assert output == "The cart is empty, so there is nothing to order. Help the caller add items first."
        assert await call.query("select count(*) from orders where id >= 'ORD-400000'") == [(0,)]


# --- promotions -----------------------------------------------------------------------------------------


async def test_current_promotions_need_no_verification(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Promotions here.")])
    async with offline_call(llm=llm, start_agent="promotions", database_url=db_url) as call:
        r = await turn(
            call, llm, "Any deals on books?", Reply.call("get_current_promotions", category="book"), Reply.say("Yes.")
        )
        ((_, output, is_error),) = tool_outputs(r)
        assert not is_error and handoffs(r) == []
        assert output == (
            "5 promotions running today. FLASH15: $15.00 off orders of $75.00 or more, until November 18. "
            "SAVE10: 10% off everything, up to $50.00 off, until December 8. GOLD25: 25% off everything, up to "
            "$40.00 off, gold members only, until December 11. BOOKS15: 15% off books items, until December 13. "
            "TAKE20: $20.00 off orders of $100.00 or more, until December 15."
        )
        r = await turn(call, llm, "And everything?", Reply.call("get_current_promotions"), Reply.say("Eight."))
        assert tool_outputs(r)[0][1].startswith("8 promotions running today.")
        assert tool_outputs(r)[0][1].endswith("And 3 more.")
        output = await refused(call, llm, "Toys?", "get_current_promotions", {"category": "toys"})
        assert "is not a category" in output


async def test_check_eligibility_and_calculate_discount_on_the_callers_cart(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Promotions here.")])
    async with offline_call(llm=llm, start_agent="promotions", verified_as=MARCUS, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Does gold twenty five work for me? And books fifteen?",
            Reply(calls=[*Reply.call("check_eligibility", code="gold twenty five").calls,
                         *Reply.call("check_eligibility", code="BOOKS15").calls]),
            Reply.say("GOLD25 is for gold members; BOOKS15 saves $3.60."),
        )  # fmt: skip
        (_, gold, gold_error), (_, books, _) = tool_outputs(r)
        assert not gold_error
        assert gold == "Code GOLD25 does not apply. Code GOLD25 is for gold members only; this account is standard."
        assert books == "Code BOOKS15 applies: $3.60 off (15% off books items, on $24.00 of the cart)."
        r = await turn(
            call, llm, "What would take twenty give me?", Reply.call("calculate_discount", code="take twenty"),
            Reply.say("$20 off."),
        )  # fmt: skip
        assert tool_outputs(r)[0][1] == (
            "Code TAKE20 takes $20.00 off. With it the cart would be $215.69: $223.00 minus $20.00, plus $12.69 tax "
            "and free shipping. It is not applied yet."
        )
        output = await refused(call, llm, "What about summer thirty?", "calculate_discount", {"code": "summer thirty"})
        assert output == "Code SUMMER30 expired on September 19."
        output = await refused(call, llm, "Try save one hundred", "check_eligibility", {"code": "save one hundred"})
        assert "There is no promotion code" in output
        assert await call.query("select code from cart_promotions where customer_id = 'CUS-1002'") == [("BOOKS15",)]


@pytest.mark.parametrize("answer", ["yes", "no"])
async def test_apply_promo_code_applies_only_after_yes(db_url: str, answer: str) -> None:
    llm = ScriptedLLM([Reply.say("Promotions here.")])
    async with offline_call(llm=llm, start_agent="promotions", verified_as=MARCUS, database_url=db_url) as call:
        lines = await propose(call, llm, "Use take twenty", "apply_promo_code", {"code": "take twenty"})
        assert lines == [
            "Only one code works per order, so I'll replace BOOKS15 with TAKE20, $20.00 off orders of $100.00 or "
            "more: $20.00 off your cart. Shall I go ahead?"
        ]
        await code_turn(call, llm, answer)
        code = "TAKE20" if answer == "yes" else "BOOKS15"
        assert await call.query("select code from cart_promotions where customer_id = 'CUS-1002'") == [(code,)]


# --- verification on demand ---------------------------------------------------------------------------


async def test_an_unverified_caller_is_verified_and_brought_back_to_add_the_jacket(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Sales here. What are you looking for?")])
    async with offline_call(llm=llm, start_agent="sales", database_url=db_url) as call:
        r = await turn(
            call, llm, "Add the Alpine rain jacket to my cart, medium navy", Reply.call("add_to_cart", **JACKET)
        )
        assert handoffs(r) == ["authentication"]
        assert spoken(r)[-1] == (
            "To add the Alpine rain jacket to your cart, I need to verify your identity first. May I have your first "
            "name?"
        )
        assert await cart(call, AVA.id) == [] and call.userdata.pending is None
        await code_turn(call, llm, "Ava")
        await code_turn(call, llm, "four one five, five five five, zero one three four")
        await code_turn(call, llm, "yes")
        await code_turn(call, llm, "April twelfth, 1988")
        await code_turn(call, llm, "SSN, four eight two one")
        await code_turn(call, llm, "Yes, that's still my address")
        # Back at sales, the model is told to finish the request; its call is read back by code.
        r = await turn(call, llm, "No thanks", Reply.call("add_to_cart", **JACKET))
        assert handoffs(r) == ["sales"]
        assert spoken(r)[0].endswith("Now, back to your request.")
        assert spoken(r)[-1] == JACKET_READ_BACK
        assert await cart(call, AVA.id) == []
        await code_turn(call, llm, "yes")
        assert await cart(call, AVA.id) == [("CUS-1001", "FSH-2001", "M", "navy", "", 1)]


@pytest.mark.parametrize(
    ("agent", "tool", "args"),
    [
        ("sales", "view_cart", {}),
        ("sales", "place_order", {}),
        ("sales", "apply_promotion", {"code": "SAVE10"}),
        ("promotions", "check_eligibility", {"code": "SAVE10"}),
        ("promotions", "apply_promo_code", {"code": "SAVE10"}),
    ],
)
async def test_own_cart_tools_hand_an_unverified_caller_to_authentication(
    db_url: str, agent: str, tool: str, args: dict[str, Any]
) -> None:
    llm = ScriptedLLM([Reply.say("Hello.")])
    async with offline_call(llm=llm, start_agent=agent, database_url=db_url) as call:
        r = await turn(call, llm, "Can you do that for me?", Reply.call(tool, **args))
        assert handoffs(r) == ["authentication"]
        assert call.userdata.resume is not None and call.userdata.resume.tool == tool
        assert call.userdata.resume.agent == agent
        assert "$" not in str(tool_outputs(r))
        assert await call.query("select count(*) from cart_promotions") == [(1,)]


# --- journeys -------------------------------------------------------------------------------------------


async def test_journey_sales_jacket_to_order_tracking(db_url: str) -> None:
    """Verified Ava adds the rain jacket size M, checks out, and order tracking lists the new order."""
    llm = ScriptedLLM([Reply.say("Sales here, Ava.")])
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        await propose(call, llm, "The Alpine rain jacket, size M, navy", "add_to_cart", JACKET)
        await code_turn(call, llm, "yes")
        lines = await propose(call, llm, "That's all, check out", "place_order", {})
        assert lines == [
            "I'll place your order for 1 Alpine rain jacket, size M, navy: $129.00, plus $9.35 tax and free "
            "shipping, $138.35 in total, charged to your card on file and shipped to 221 Pine Street, San "
            "Francisco. Shall I go ahead?"
        ]
        r = await code_turn(call, llm, "yes")
        assert spoken(r)[0].startswith("Done. Your order number is ORD-400001, $138.35 charged")
        r = await turn(
            call,
            llm,
            "When will it get here?",
            Reply.transfer("order_tracking", "Caller wants delivery of the new order ORD-400001"),
            Reply.say("Order tracking here. Let me check."),
        )
        assert handoffs(r) == ["order_tracking"]
        r = await turn(call, llm, "Where's my new order?", Reply.call("list_orders"), Reply.say("It's processing."))
        listing = tool_outputs(r)[0][1]
        assert listing.startswith("Order ORD-400001 (Alpine rain jacket, $")
        assert "is processing, expected Monday, November 23." in listing.split("Order ORD-1")[0]
        assert await call.query(
            "select o.id, o.customer_id, o.status, o.tax_cents, i.sku, v.size, v.colour from orders o "
            "join order_items i on i.order_id = o.id join product_variants v on v.id = i.variant_id "
            "where o.id >= 'ORD-400000'"
        ) == [("ORD-400001", "CUS-1001", "processing", 935, "FSH-2001", "M", "navy")]
        assert await call.query(
            "select stock from product_variants where sku = 'FSH-2001' and size = 'M' and colour = 'navy'"
        ) == [(5,)]
        assert await cart(call, AVA.id) == []
        assert llm.unscripted == 0


async def test_journey_promotions_code_then_checkout_at_sales(db_url: str) -> None:
    """Ava hears today's deals, checks SAVE10 on her cart, applies it, and checks out at sales with the discount."""
    llm = ScriptedLLM([Reply.say("Promotions here, Ava.")])
    async with offline_call(llm=llm, start_agent="promotions", verified_as=AVA, database_url=db_url) as call:
        ((vid,),) = await call.query(
            "select id from product_variants where sku = 'FSH-2001' and size = 'M' and colour = 'navy'"
        )
        await call.services.cart.add_item(AVA.id, vid, 1)
        r = await turn(call, llm, "What deals are on?", Reply.call("get_current_promotions"), Reply.say("Several."))
        assert "SAVE10: 10% off everything" in tool_outputs(r)[0][1]
        r = await turn(
            call, llm, "Does save ten work on my jacket?", Reply.call("check_eligibility", code="save ten"),
            Reply.say("Yes, $12.90 off."),
        )  # fmt: skip
        assert tool_outputs(r)[0][1].startswith("Code SAVE10 applies: $12.90 off")
        lines = await propose(call, llm, "Great, apply it", "apply_promo_code", {"code": "save ten"})
        assert lines == [
            "I'll apply code SAVE10, 10% off everything, up to $50.00 off: $12.90 off your cart. Shall I go ahead?"
        ]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done. Code SAVE10 takes $12.90 off. Your cart total is now $124.52."]
        r = await turn(
            call,
            llm,
            "Now I'd like to check out",
            Reply.transfer("sales", "Caller wants to check out the cart with SAVE10 applied"),
            Reply.say("Sales here, let's check out."),
        )
        assert handoffs(r) == ["sales"]
        lines = await propose(call, llm, "Check out please", "place_order", {})
        assert lines == [
            "I'll place your order for 1 Alpine rain jacket, size M, navy: $129.00, minus $12.90 with code SAVE10, "
            "plus $8.42 tax and free shipping, $124.52 in total, charged to your card on file and shipped to 221 "
            "Pine Street, San Francisco. Shall I go ahead?"
        ]
        await code_turn(call, llm, "yes")
        assert await call.query(
            "select id, subtotal_cents, discount_cents, tax_cents, shipping_cents, promo_code from orders "
            "where id >= 'ORD-400000'"
        ) == [("ORD-400001", 12900, 1290, 842, 0, "SAVE10")]
        redemption = (
            "select customer_id, code, order_id, discount_cents from promotion_redemptions where customer_id = :c"
        )
        assert await call.query(redemption, c=AVA.id) == [("CUS-1001", "SAVE10", "ORD-400001", 1290)]
        assert await call.query(
            "select amount_cents, status, risk_score from charges where order_id = 'ORD-400001'"
        ) == [(12452, "posted", 0)]
        assert await call.query("select count(*) from cart_items where customer_id = 'CUS-1001'") == [(0,)]
        assert await call.query("select count(*) from cart_promotions where customer_id = 'CUS-1001'") == [(0,)]
        assert [t.to_agent for t in call.userdata.transfers] == ["sales"]
        assert llm.unscripted == 0
