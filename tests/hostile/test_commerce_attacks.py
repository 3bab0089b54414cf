"""Attacks on the sales and promotions desks by a hostile or confused model: another customer's cart, a
checkout without a yes or repeated in one reply, impossible quantities, forged codes, cart tools before
verification, a locked account. Nothing is bought or changed without the verified caller's own yes, and
nothing of another customer's cart is said."""

from __future__ import annotations

from typing import Any

import pytest

from services.demo_data import AVA, MARCUS
from worker.testing import Reply

from .conftest import RawArgs, assert_clean_speech, calls, desk, history_speech, raw_call, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

COMMERCE_TABLES = (
    "cart_items",
    "cart_promotions",
    "promotion_redemptions",
    "orders",
    "order_items",
    "charges",
    "product_variants",
    "products",
)
MARCUS_CART_DATA = ("Lighthouse", "headphones", "BOOKS15", "Wacker", "Chicago", "233.11", "223.00", "CUS-1002")
JACKET = {"product": "Alpine rain jacket", "size": "M", "colour": "navy"}
READ_BACK = "Shall I go ahead"


async def state(call: Any) -> dict[str, list[str]]:
    """Every row of the tables a commerce write can touch (to assert "nothing written")."""
    return {t: sorted(map(repr, await call.query(f"select * from {t}"))) for t in COMMERCE_TABLES}


async def orders_placed(call: Any) -> int:
    return int((await call.query("select count(*) from orders where id >= 'ORD-400000'"))[0][0])


async def jacket_in_avas_cart(services: Any) -> None:
    """Put one Alpine rain jacket, size M, navy in Ava's cart."""
    from sqlalchemy import text

    async def _variant(session: Any) -> int:
        sql = "select id from product_variants where sku = 'FSH-2001' and size = 'M' and colour = 'navy'"
        return int(await session.scalar(text(sql)))

    await services.cart.add_item(AVA.id, await services.db.run(_variant), 1)


def no_marcus_data(text: str, sent: dict[str, Any] | None = None) -> None:
    """None of Marcus's cart in ``text``, apart from values the model itself sent (echoed back)."""
    for value in (sent or {}).values():
        text = text.replace(str(value), "")
    for word in MARCUS_CART_DATA:
        assert word.casefold() not in text.casefold(), f"{word!r} leaked: {text!r}"


# ---------------------------------------------------------------------- another customer's cart


@pytest.mark.parametrize(
    ("agent", "tool", "args"),
    [
        ("sales", "view_cart", {"customer_id": "CUS-1002"}),
        ("sales", "place_order", {"customer_id": "CUS-1002"}),
        ("sales", "update_cart_item", {"item": "the headphones", "quantity": 0, "customer_id": "CUS-1002"}),
        ("sales", "update_cart_item", {"item": "The Lighthouse Keeper", "quantity": 3}),
        ("sales", "apply_promotion", {"code": "TECH10", "customer": "Marcus Lee"}),
        ("promotions", "check_eligibility", {"code": "BOOKS15", "customer_id": "CUS-1002"}),
        ("promotions", "calculate_discount", {"code": "BOOKS15"}),
        ("promotions", "view_cart", {}),
    ],
)
async def test_marcus_cart_is_out_of_reach_when_ava_is_verified(
    db_url: str, agent: str, tool: str, args: dict[str, Any]
) -> None:
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        before = await state(call)
        t = await turn(call, llm, "Check Marcus Lee's cart for me", Reply.call(tool, **args))
        for _, output, _ in t.tool_outputs():
            no_marcus_data(output, args)
        for line in t.spoken():
            no_marcus_data(line, args)
        assert not any(READ_BACK in s for s in t.spoken()), "nothing of Marcus's can be proposed"
        await call.say("yes")
        assert await state(call) == before
        no_marcus_data(llm.requests[-1].all_text().replace("Check Marcus Lee's cart for me", ""), args)


async def test_a_customer_id_argument_is_ignored_the_jacket_goes_to_avas_own_cart(db_url: str) -> None:
    async with desk(db_url, agent="sales", verified_as=AVA) as (call, llm):
        marcus = await call.query("select * from cart_items where customer_id = 'CUS-1002' order by id")
        await turn(
            call, llm, "Add the jacket to Marcus's cart", Reply.call("add_to_cart", **JACKET, customer_id="CUS-1002")
        )
        await call.say("yes")
        assert await call.query("select customer_id, quantity from cart_items where customer_id = 'CUS-1001'") == [
            ("CUS-1001", 1)
        ]
        assert await call.query("select * from cart_items where customer_id = 'CUS-1002' order by id") == marcus


# ---------------------------------------------------------------------- checkout without a clear yes


@pytest.mark.parametrize(
    "answer",
    [
        "okay, I'll think about it",
        "What's the weather like?",
        "hmm",
        "yes, but use my other card",
        "sure, if it's free",
        "no",
        "yes no",
    ],
)
async def test_no_order_without_a_clear_yes(db_url: str, answer: str) -> None:
    """Anything but a clear yes: asked once more at most, then void; a later yes answers nothing."""
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        before = await state(call)
        await turn(call, llm, "Check out", Reply.call("place_order"))
        assert call.userdata.pending is not None
        for _ in range(2):
            await call.say(answer)
            if call.userdata.pending is None:
                break
        assert call.userdata.pending is None
        await call.say("yes")
        await call.say("yes, place it")
        assert await state(call) == before
        assert_clean_speech(history_speech(call))


async def test_the_model_cannot_claim_an_order_it_did_not_place(db_url: str) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        t = await turn(call, llm, "Is my order placed?", Reply.say("Your order has been placed. Anything else?"))
        assert not any("has been placed" in line for line in t.spoken())
        assert await orders_placed(call) == 0


@pytest.mark.parametrize("copies", [2, 3, 5])
async def test_repeated_checkout_in_one_reply_places_one_order(db_url: str, copies: int) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        t = await turn(call, llm, "Check out", calls(*[("place_order", {})] * copies))
        outs = [o for o in t.tool_outputs() if o[0] == "place_order"]
        assert [o[2] for o in outs].count(False) == 1
        assert len([s for s in t.spoken() if READ_BACK in s]) == 1
        await call.say("yes")
        assert await orders_placed(call) == 1
        # And again after it ran: the cart is empty, nothing more is ordered.
        t = await turn(call, llm, "Place it again", calls(("place_order", {}), ("place_order", {})))
        assert all(o[2] for o in t.tool_outputs())
        assert "already been placed" in t.tool_outputs()[0][1]
        await call.say("yes")
        assert await orders_placed(call) == 1
        assert await call.query("select count(*) from charges where order_id >= 'ORD-400000'") == [(1,)]


async def test_checkout_and_add_in_one_reply_propose_only_one(db_url: str) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        units = "select coalesce(sum(quantity), 0) from cart_items where customer_id = 'CUS-1002'"
        t = await turn(call, llm, "Add a jacket and check out", calls(("add_to_cart", JACKET), ("place_order", {})))
        assert len([s for s in t.spoken() if READ_BACK in s]) == 1
        pending = call.userdata.pending
        assert pending is not None and pending.name in ("add_to_cart", "place_order")
        await call.say("yes")
        if pending.name == "add_to_cart":  # the jacket joined the cart; nothing was ordered
            assert (await orders_placed(call), await call.query(units)) == (0, [(3,)])
        else:  # the order was placed from the cart as read back; no jacket was added after it
            assert (await orders_placed(call), await call.query(units)) == (1, [(0,)])


# ---------------------------------------------------------------------- impossible quantities


@pytest.mark.parametrize(
    "quantity", [-1, 0, 11, 10**12, 2.5, "two", "", None, True, [2], {"n": 2}, "1e3", float("inf")]
)
async def test_impossible_quantities_add_nothing(db_url: str, quantity: Any) -> None:
    async with desk(db_url, agent="sales", verified_as=AVA) as (call, llm):
        before = await state(call)
        args = RawArgs(_json({**JACKET, "quantity": quantity}))
        t = await turn(call, llm, "Add some jackets", raw_call("add_to_cart", args))
        pending = call.userdata.pending
        if pending is not None:  # null and true fell back to one jacket: a clean proposal, answered no
            assert quantity in (None, True) and pending.arguments["quantity"] == 1
            await call.say("no")
        else:
            assert all(o[2] for o in t.tool_outputs()), t.tool_outputs()
        await call.say("yes")
        assert await state(call) == before
        assert_clean_speech(history_speech(call))


@pytest.mark.parametrize("quantity", [-3, 11, 10**9, 0.5])
async def test_impossible_quantities_change_nothing_in_the_cart(db_url: str, quantity: Any) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        before = await state(call)
        t = await turn(
            call,
            llm,
            "Change the book",
            raw_call("update_cart_item", _json({"item": "the book", "quantity": quantity})),
        )
        assert all(o[2] for o in t.tool_outputs()) and call.userdata.pending is None
        await call.say("yes")
        assert await state(call) == before


def _json(args: dict[str, Any]) -> str:
    import json

    return json.dumps(args, allow_nan=True)


# ---------------------------------------------------------------------- forged promotion codes


@pytest.mark.parametrize(
    "code",
    [
        "SAVE100",
        "SAVE10' OR '1'='1",
        "PRM-2601",
        "%",
        "SAVE%",
        "*",
        "GOLD25",  # Ava is gold, but another model-invented tier cannot be passed
        "SUMMER30",
        "HOLIDAY20",
        "BOOKS15",
        "s" * 200,
        "SAVE\u0000 10",
        "\ud800",
    ],
)
@pytest.mark.parametrize(("agent", "tool"), [("sales", "apply_promotion"), ("promotions", "apply_promo_code")])
async def test_forged_or_ineligible_codes_apply_nothing(db_url: str, agent: str, tool: str, code: str) -> None:
    async with desk(db_url, agent=agent, verified_as=AVA) as (call, llm):
        await jacket_in_avas_cart(call.services)
        before = await state(call)
        t = await turn(call, llm, "Use this code", raw_call(tool, _json_ascii({"code": code, "tier": "gold"})))
        if code == "GOLD25":  # Ava really is gold: the rules, not the argument, let it through
            assert call.userdata.pending is not None
            await call.say("no")
        else:
            assert all(o[2] for o in t.tool_outputs()), t.tool_outputs()
            assert call.userdata.pending is None
        await call.say("yes")
        assert await state(call) == before
        assert_clean_speech(history_speech(call))


def _json_ascii(args: dict[str, Any]) -> str:
    import json

    try:
        return json.dumps(args, ensure_ascii=False)
    except ValueError:
        return json.dumps(args)


async def test_a_code_already_used_stays_used(db_url: str) -> None:
    async with desk(db_url, agent="promotions", verified_as=MARCUS) as (call, llm):
        before = await state(call)
        t = await turn(call, llm, "Use save ten again", Reply.call("apply_promo_code", code="SAVE10"))
        ((_, output, is_error),) = t.tool_outputs()
        assert is_error and "already used on order ORD-100202" in output
        await call.say("yes")
        assert await state(call) == before


# ---------------------------------------------------------------------- before verification


@pytest.mark.parametrize(
    ("agent", "tool", "args"),
    [
        ("sales", "add_to_cart", JACKET),
        ("sales", "view_cart", {}),
        ("sales", "update_cart_item", {"item": "the book", "quantity": 0}),
        ("sales", "apply_promotion", {"code": "SAVE10"}),
        ("sales", "place_order", {}),
        ("promotions", "check_eligibility", {"code": "SAVE10"}),
        ("promotions", "calculate_discount", {"code": "SAVE10"}),
        ("promotions", "apply_promo_code", {"code": "SAVE10"}),
        ("promotions", "view_cart", {}),
    ],
)
async def test_cart_tools_hand_an_unverified_caller_to_authentication(
    db_url: str, agent: str, tool: str, args: dict[str, Any]
) -> None:
    async with desk(db_url, agent=agent, verified_as=None) as (call, llm):
        before = await state(call)
        t = await turn(call, llm, "I'm Marcus, do it for my account", Reply.call(tool, **args))
        assert t.handoffs() == ["authentication"]
        assert call.userdata.current_agent == "authentication"
        assert call.userdata.pending is None and call.userdata.verification.customer is None
        for _, output, _ in t.tool_outputs():
            no_marcus_data(output)
        await call.say("yes")
        assert await state(call) == before
        assert call.userdata.verification.customer is None


async def test_browsing_promotions_needs_no_verification(db_url: str) -> None:
    async with desk(db_url, agent="promotions", verified_as=None) as (call, llm):
        t = await turn(call, llm, "Any deals?", Reply.call("get_current_promotions"))
        ((_, output, is_error),) = t.tool_outputs()
        assert not is_error and "SAVE10" in output and t.handoffs() == []


async def test_a_locked_account_can_buy_nothing(db_url: str) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        call.userdata.account_locked = True
        before = await state(call)
        for tool, args in (("place_order", {}), ("add_to_cart", JACKET), ("apply_promotion", {"code": "TECH10"})):
            t = await turn(call, llm, "Buy it", Reply.call(tool, **args))
            ((_, output, is_error),) = t.tool_outputs()
            assert is_error and "locked" in output and t.handoffs() == []
        await call.say("yes")
        assert await state(call) == before


async def test_a_security_lock_in_the_database_refuses_checkout(db_url: str) -> None:
    async with desk(db_url, agent="sales", verified_as=MARCUS) as (call, llm):
        await call.services.db.run(_lock_marcus, write=True)
        before = await state(call)
        t = await turn(call, llm, "Check out", Reply.call("place_order"))
        ((_, output, is_error),) = t.tool_outputs()
        assert is_error and "locked for security" in output
        await call.say("yes")
        assert await state(call) == before


async def _lock_marcus(session: Any) -> None:
    """Lock Marcus's account as the security desk does (``customers.security_locked_at``)."""
    import datetime as dt

    from sqlalchemy import text

    await session.execute(
        text("update customers set security_locked_at = :t where id = 'CUS-1002'"), {"t": dt.datetime(2026, 11, 18)}
    )
