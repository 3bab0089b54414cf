"""The advanced features desk: wishlist, price-drop alerts, subscribe and save, bundles and the supervisor.

Each tool's happy path, its bad input and its policy refusal through the real ``AgentSession`` with the
scripted model: the exact tool calls, what code speaks, and the database rows. Writes are read back by
code and done on the caller's yes. Demo facts: :mod:`services.feature_seed`.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.demo_data import AVA, MARCUS
from services.feature_seed import AVA_ALERT_MONITOR, AVA_ALERT_SKILLET, FILTERS, MARCUS_COFFEE_SUB
from tools.supervisor import FILLER, UNAVAILABLE, WITHHELD
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

HELD = "The details were read back to the caller and nothing is saved yet."
DESK = "advanced_features"


async def propose(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> str:
    """The model calls a write tool once; code reads it back; returns the read-back."""
    r = await turn(call, llm, caller, Reply.call(tool, **args))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error and output.startswith(HELD), output
    assert call.userdata.pending is not None and call.userdata.pending.name == tool
    (line,) = spoken(r)
    assert line.endswith("Shall I go ahead?")
    return line


async def refused(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> str:
    """The model calls a tool that refuses; the model then speaks; nothing is pending. Returns the error."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Sorry, I can't do that."))
    ((_, output, is_error),) = tool_outputs(r)
    assert is_error, output
    assert call.userdata.pending is None
    assert not any("Shall I go ahead" in s for s in spoken(r))
    return output


async def rows(call: OfflineCall, table: str) -> list[tuple[Any, ...]]:
    return sorted(map(tuple, await call.query(f"select * from {table}")))


@pytest.fixture
def llm() -> ScriptedLLM:
    return ScriptedLLM([Reply.say("Advanced features here. How can I help?")])


# --- wishlist -------------------------------------------------------------------------------------------------


async def test_wishlist_list_add_remove(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        r = await turn(call, llm, "What's on my wishlist?", Reply.call("manage_wishlist", action="list"),
                       Reply.say("You have three items."))  # fmt: skip
        ((_, output, _),) = tool_outputs(r)
        assert output == (
            "Wishlist, newest first: Ridgeline house blend coffee beans, $16.99, in stock. Brass desk lamp, $59.00, "
            "in stock. 27-inch 4K monitor, $329.00, in stock."
        )
        line = await propose(call, llm, "Add the cast iron skillet", "manage_wishlist",
                             {"action": "add", "product": "cast iron skillet"})  # fmt: skip
        assert line == "I'll add the Cast iron skillet, 12 inch, $45.00 now, to your wishlist. Shall I go ahead?"
        assert await call.query("select count(*) from wishlist_items where customer_id = 'CUS-1001'") == [(3,)]
        r = await code_turn(call, llm, "yes please")
        assert spoken(r) == ["Done. The Cast iron skillet, 12 inch is on your wishlist."]
        assert await call.query(
            "select sku from wishlist_items where customer_id = 'CUS-1001' order by added_at desc, sku"
        ) == [("HOM-4002",), ("HOM-4901",), ("HOM-4001",), ("ELC-3002",)]
        line = await propose(call, llm, "Take the lamp off it", "manage_wishlist",
                             {"action": "remove", "product": "the lamp"})  # fmt: skip
        assert line == "I'll remove the Brass desk lamp from your wishlist. Shall I go ahead?"
        await code_turn(call, llm, "yes")
        assert ("HOM-4001",) not in await call.query("select sku from wishlist_items where customer_id = 'CUS-1001'")
        assert call.userdata.actions[-2:] == [
            "Added the Cast iron skillet, 12 inch to the wishlist",
            "Removed the Brass desk lamp from the wishlist",
        ]
        assert llm.unscripted == 0


async def test_wishlist_bad_input_and_refusal(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        before = await rows(call, "wishlist_items")
        out = await refused(call, llm, "Add it", "manage_wishlist", {"action": "add", "product": ""})
        assert "product is empty" in out
        out = await refused(call, llm, "Add the 4K monitor", "manage_wishlist",
                            {"action": "add", "product": "27-inch 4K monitor"})  # fmt: skip
        assert out == "The 27-inch 4K monitor is already on the caller's wishlist."
        out = await refused(call, llm, "Remove the skillet", "manage_wishlist",
                            {"action": "remove", "product": "cast iron skillet"})  # fmt: skip
        assert out.startswith("The Cast iron skillet, 12 inch is not on the caller's wishlist. Their wishlist has:")
        assert await rows(call, "wishlist_items") == before


# --- price alerts -------------------------------------------------------------------------------------------------


async def test_price_alert_created_after_a_yes(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        line = await propose(call, llm, "Tell me when the brass desk lamp is under fifty", "create_price_alert",
                             {"product": "brass desk lamp", "target_price": 49.99})  # fmt: skip
        assert line == (
            "I'll set a price alert for the Brass desk lamp: it's $59.00 now, and you'll get a notification when "
            "it's $49.99 or less. Shall I go ahead?"
        )
        assert await call.query("select count(*) from price_alerts") == [(2,)]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [
            "Done. Alert ALR-710003 is set: you'll get a notification when the Brass desk lamp is $49.99 or less."
        ]
        assert await call.query(
            "select customer_id, sku, target_price_cents, price_when_set_cents, active from price_alerts "
            "where id = 'ALR-710003'"
        ) == [(AVA.id, "HOM-4001", 4999, 5900, 1)]


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        (-5, "positive amount"),
        (0, "positive amount"),
        (10_000_000, "at most $100,000.00"),
        (0.001, "at least one cent"),
    ],
)
async def test_price_alert_bad_target(db_url: str, llm: ScriptedLLM, target: float, fragment: str) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Alert me on the lamp", "create_price_alert",
                            {"product": "brass desk lamp", "target_price": target})  # fmt: skip
        assert fragment in out
        assert await call.query("select count(*) from price_alerts") == [(2,)]


async def test_price_alert_refusals(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Alert me when the lamp is 65", "create_price_alert",
                            {"product": "brass desk lamp", "target_price": 65})  # fmt: skip
        assert out == (
            "The Brass desk lamp costs $59.00 now, so a target of $65.00 would not be a drop. "
            "Ask the caller for a lower target price."
        )
        out = await refused(call, llm, "And the monitor at 280", "create_price_alert",
                            {"product": "27-inch 4K monitor", "target_price": 280})  # fmt: skip
        assert "already has price alert ALR-710001" in out
        assert await call.query("select count(*) from price_alerts") == [(2,)]


async def test_check_price_drops_and_cancel(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        r = await turn(call, llm, "Did any prices drop?", Reply.call("check_price_drops"),
                       Reply.say("Yes, the skillet is down to $45."))  # fmt: skip
        assert tool_outputs(r)[0][1] == (
            "Price dropped: Cast iron skillet, 12 inch is now $45.00, at or below the target of $49.00 "
            f"(alert {AVA_ALERT_SKILLET}). Still waiting: 27-inch 4K monitor: $329.00 now, waiting for $299.00 "
            f"(alert {AVA_ALERT_MONITOR})."
        )
        line = await propose(call, llm, "Cancel the monitor alert", "cancel_price_alert", {"alert": "the monitor"})
        assert line == (
            f"I'll cancel your price alert {AVA_ALERT_MONITOR} for the 27-inch 4K monitor, target $299.00. "
            "Shall I go ahead?"
        )
        await code_turn(call, llm, "yes")
        assert await call.query("select id, active from price_alerts order by id") == [
            (AVA_ALERT_MONITOR, 0),
            (AVA_ALERT_SKILLET, 1),
        ]
        out = await refused(call, llm, "Cancel my sofa alert", "cancel_price_alert", {"alert": "the sofa"})
        assert "No price alert of the caller matches" in out and "Cast iron skillet" in out
        out = await refused(call, llm, "Cancel ALR-799999", "cancel_price_alert", {"alert": "ALR-799999"})
        assert out == "There is no active price alert ALR-799999 on this caller's account."


# --- subscriptions -------------------------------------------------------------------------------------------


async def test_subscribe_and_save_gold_rate(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        line = await propose(call, llm, "Send me coffee filters every month", "subscribe_and_save",
                             {"product": "cone coffee filters", "every_weeks": 4})  # fmt: skip
        assert line == (
            "I'll start a subscription to the Unbleached cone coffee filters, 100 pack: one every 4 weeks at $4.94 "
            "per delivery, 10% off as a gold member. The first delivery arrives on Saturday, November 21. "
            "Shall I go ahead?"
        )
        assert await call.query("select count(*) from subscriptions") == [(3,)]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done. Subscription SUB-720004 is active: $4.94 per delivery, the first on Saturday, "
                             "November 21."]  # fmt: skip
        assert await call.query(
            "select customer_id, sku, quantity, every_weeks, discount_pct, next_delivery, status from subscriptions "
            "where id = 'SUB-720004'"
        ) == [(AVA.id, FILTERS, 1, 4, 10, "2026-11-21", "active")]


async def test_subscribe_needs_the_size_of_a_product_with_several(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Subscribe me to the house blend", "subscribe_and_save",
                            {"product": "house blend coffee beans", "every_weeks": 2})  # fmt: skip
        assert "12 oz" in out and "2 lb" in out
        line = await propose(call, llm, "The two pound bag, every two weeks", "subscribe_and_save",
                             {"product": "house blend coffee beans", "every_weeks": 2, "size": "2 lb"})  # fmt: skip
        assert line.startswith("I'll start a subscription to the Ridgeline house blend coffee beans, 2 lb: one every "
                               "2 weeks at $31.49 per delivery, 10% off")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"product": "cone coffee filters", "every_weeks": 3}, "every 2, 4 or 8 weeks"),
        ({"product": "cone coffee filters", "every_weeks": 4, "quantity": 9}, "from 1 to 6"),
        ({"product": "", "every_weeks": 4}, "product is empty"),
    ],
)
async def test_subscribe_bad_input(db_url: str, llm: ScriptedLLM, args: dict[str, Any], fragment: str) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Subscribe me", "subscribe_and_save", args)
        assert fragment in out
        assert await call.query("select count(*) from subscriptions") == [(3,)]


async def test_subscribe_refusals(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Subscribe me to the 4K monitor", "subscribe_and_save",
                            {"product": "27-inch 4K monitor", "every_weeks": 8})  # fmt: skip
        assert out.startswith("The 27-inch 4K monitor cannot be subscribed to")
        out = await refused(call, llm, "The cedar candle every month", "subscribe_and_save",
                            {"product": "cedar soy wax candle", "every_weeks": 4})  # fmt: skip
        assert out.startswith("The Cedar soy wax candle is out of stock")
        assert await call.query("select count(*) from subscriptions") == [(3,)]


async def test_marcus_lists_pauses_and_cannot_resume_an_active_one(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=MARCUS, database_url=db_url) as call:
        r = await turn(call, llm, "What subscriptions do I have?", Reply.call("list_subscriptions"),
                       Reply.say("You have two."))  # fmt: skip
        assert tool_outputs(r)[0][1] == (
            "SUB-720001: Ridgeline house blend coffee beans, 2 lb, 1 every 4 weeks at $33.24 per delivery (5% off), "
            "next delivery Tuesday, November 24. SUB-720002: Unbleached cone coffee filters, 100 pack, 1 every 8 "
            "weeks at $5.22 per delivery (5% off), paused."
        )
        out = await refused(call, llm, "Pause my coffee", "manage_subscription",
                            {"subscription": "my coffee subscription", "action": "pause"})  # fmt: skip
        assert out == (
            "Did the caller mean Ridgeline house blend coffee beans or Unbleached cone coffee filters, 100 pack? "
            "Ask which subscription."
        ), "both are coffee things: a choice, not a guess"
        out = await refused(call, llm, "Resume my coffee beans", "manage_subscription",
                            {"subscription": "my coffee beans subscription", "action": "resume"})  # fmt: skip
        assert out == f"Subscription {MARCUS_COFFEE_SUB} to the Ridgeline house blend coffee beans is active, so it " \
                      "cannot be resumed."  # fmt: skip
        line = await propose(call, llm, "Pause the first one", "manage_subscription",
                             {"subscription": "the first one", "action": "pause"})  # fmt: skip
        assert line == (
            f"I'll pause your subscription {MARCUS_COFFEE_SUB} to the Ridgeline house blend coffee beans, 2 lb: "
            "no deliveries until you resume it. Shall I go ahead?"
        )
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done. Your subscription to the Ridgeline house blend coffee beans is paused."]
        assert await call.query("select id, status from subscriptions where customer_id = 'CUS-1002' order by id") == [
            ("SUB-720001", "paused"),
            ("SUB-720002", "paused"),
        ]
        out = await refused(call, llm, "Cancel it", "manage_subscription",
                            {"subscription": "the coffee", "action": "delete"})  # fmt: skip
        assert "action" in out


async def test_another_customers_subscription_is_not_found(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        before = await rows(call, "subscriptions")
        for ref in (MARCUS_COFFEE_SUB, "720001", "sub 720003"):
            out = await refused(call, llm, "Cancel that subscription", "manage_subscription",
                                {"subscription": ref, "action": "cancel"})  # fmt: skip
            assert out.startswith("There is no subscription SUB-72000") and "on this caller's account" in out
            assert "coffee" not in out and "soap" not in out
        out = await refused(call, llm, "Cancel my coffee subscription", "manage_subscription",
                            {"subscription": "my coffee subscription", "action": "cancel"})  # fmt: skip
        assert out == "The caller has no subscriptions."
        assert await rows(call, "subscriptions") == before


# --- bundles ---------------------------------------------------------------------------------------------------


async def test_find_bundles(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        r = await turn(call, llm, "Is the 4K monitor sold in a bundle?",
                       Reply.call("find_bundles", product="27-inch 4K monitor"), Reply.say("Yes."))  # fmt: skip
        assert tool_outputs(r)[0][1] == (
            "The 27-inch 4K monitor is in 1 bundle: Home office set (BND-3001): 27-inch 4K monitor and Brass desk "
            "lamp, $349.20 instead of $388.00 (10% off, a saving of $38.80)."
        )
        assert list(call.userdata.products_in_view)[-2:] == ["ELC-3002", "HOM-4001"]
        r = await turn(call, llm, "And the gift card?", Reply.call("find_bundles", product="GFT-5001"),
                       Reply.say("No."))  # fmt: skip
        assert tool_outputs(r)[0][1] == "The Marketplace gift card, 50 dollars is not part of any bundle."
        out = await refused(call, llm, "Bundles?", "find_bundles", {"product": ""})
        assert "product is empty" in out


# --- the supervisor ---------------------------------------------------------------------------------------------


class Fake:
    """A supervisor of the exact :class:`call.supervisor.Supervisor` shape."""

    def __init__(self, reply: str) -> None:
        self.model, self.timeout_s, self.reply = "fake", 2.0, reply
        self.asked: list[tuple[str, str]] = []

    async def answer(self, question: str, facts: str) -> str:
        self.asked.append((question, facts))
        return self.reply


QUESTION = "If I return the jacket, how much do I get back and until when can I send it?"


async def test_supervisor_answer_is_spoken_after_the_filler(db_url: str, llm: ScriptedLLM) -> None:
    answer = "You can return the Alpine rain jacket from ORD-100101 until December 8 for a refund of $129.00."
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        call.userdata.supervisor = fake = Fake(answer)
        r = await turn(call, llm, QUESTION, Reply.call("consult_supervisor", question=QUESTION))
        assert spoken(r) == [FILLER, answer], "filler first, then the checked answer, both by code"
        ((_, output, is_error),) = tool_outputs(r)
        assert not is_error and "was just read to the caller" in output
        assert len(fake.asked) == 1 and "ORD-100101" in fake.asked[0][1]


async def test_supervisor_answer_citing_another_order_is_withheld(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        call.userdata.supervisor = Fake("Your monitor from ORD-100201 can go back for $329.00.")
        r = await turn(call, llm, QUESTION, Reply.call("consult_supervisor", question=QUESTION),
                       Reply.say("I couldn't confirm that. Shall I connect you with a colleague?"))  # fmt: skip
        assert tool_outputs(r)[0][1] == WITHHELD
        assert spoken(r) == [FILLER, "I couldn't confirm that. Shall I connect you with a colleague?"]
        assert "ORD-100201" not in " ".join(spoken(r))


async def test_supervisor_not_configured(db_url: str, llm: ScriptedLLM) -> None:
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        assert call.userdata.supervisor is None
        r = await turn(call, llm, QUESTION, Reply.call("consult_supervisor", question=QUESTION),
                       Reply.say("I can't check that now; shall I connect you with a colleague?"))  # fmt: skip
        assert tool_outputs(r)[0][1] == UNAVAILABLE
        assert FILLER not in spoken(r)


# --- one journey across agents ------------------------------------------------------------------------------------


async def test_journey_from_order_tracking_to_alert_and_subscription(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with offline_call(llm=llm, start_agent="order_tracking", verified_as=AVA, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Can you tell me when the desk lamp gets cheaper?",
            Reply.transfer(DESK, "Caller wants a price-drop alert on the desk lamp"),
            Reply.say("Hi Ava, I can set that alert for you."),
        )
        assert handoffs(r) == [DESK] and call.userdata.current_agent == DESK
        await propose(call, llm, "Yes, when it's forty five dollars", "create_price_alert",
                      {"product": "brass desk lamp", "target_price": 45})  # fmt: skip
        await code_turn(call, llm, "Yes, go ahead.")
        await propose(call, llm, "And send me Earl Grey every eight weeks, two tins", "subscribe_and_save",
                      {"product": "earl grey loose leaf tea", "every_weeks": 8, "quantity": 2})  # fmt: skip
        await code_turn(call, llm, "yes")
        assert await call.query(
            "select id, sku, target_price_cents, active from price_alerts where customer_id = 'CUS-1001' order by id"
        ) == [(AVA_ALERT_MONITOR, "ELC-3002", 29900, 1), (AVA_ALERT_SKILLET, "HOM-4002", 4900, 1),
              ("ALR-710003", "HOM-4001", 4500, 1)]  # fmt: skip
        assert await call.query(
            "select id, sku, quantity, every_weeks, discount_pct, status from subscriptions "
            "where customer_id = 'CUS-1001'"
        ) == [("SUB-720004", "HOM-4903", 2, 8, 10, "active")]
        assert call.userdata.actions == [
            "Price alert ALR-710003 set for the Brass desk lamp at $45.00",
            "Subscription SUB-720004 started: the Earl Grey loose leaf tea, 8 oz every 8 weeks",
        ]
        assert llm.unscripted == 0
