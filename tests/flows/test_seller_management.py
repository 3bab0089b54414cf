"""The seller management desk through the real AgentSession: sellers for buyers (verified or not) and the
caller's own store, references resolved by code, writes read back by code and decided by the caller's
next turn in code, verification on demand, and two multi-agent journeys checked on the database.

Demo facts (:mod:`services.seller_seed`, :mod:`services.catalog_seed`): Marcus owns SEL-1001 Lakeside
Home Goods, Priya owns SEL-1002 Raman Books & Prints (a payout on hold), Ava owns no store; Ava's novel
(ORD-100103) was sold by Raman Books & Prints, her jacket (ORD-100101) by Northwind Outfitters.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents.authentication import AuthenticationAgent
from agents.prompts import text as prompt_text
from agents.seller_management import SellerManagementAgent
from call.context import AuthStep
from services.demo_data import AVA, MARCUS, PRIYA
from services.seller_seed import PRIYA_HOLD_REASON, SEEDED_ISSUE_ID
from services.sellers import MESSAGES_PER_SELLER_PER_DAY
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

DESK = "seller_management"
HELD = "The details were read back to the caller and nothing is saved yet."
LAKESIDE_POLICIES = (
    "Lakeside Home Goods (SEL-1001): returns accepted within 30 days of delivery; orders ship from Chicago, IL "
    "within 2 business days. Furniture ships by freight with a two-hour delivery window; unused items in original "
    "packaging. Contact: support@lakesidehomegoods.example.com. Messages are usually answered within 12 hours."
)
NOVEL_SELLER = (
    "Raman Books & Prints (SEL-1002) sold The Lighthouse Keeper, hardcover in order ORD-100103. It is rated 4.8 "
    "out of 5 from 204 ratings; ships from Seattle, WA, hands orders to the carrier within 1 business day; usually "
    "answers messages within 8 hours."
)
NOVEL_ISSUE = {
    "seller": "the seller of my novel",
    "kind": "not_as_described",
    "description": "The pages are falling out of the binding",
}
NOVEL_READ_BACK = (
    "I'll open a dispute with Raman Books & Prints about order ORD-100103 saying the item was not as described, "
    "noting: The pages are falling out of the binding. Shall I go ahead?"
)
SOFA = {"listing": "the navy Harbor sofa", "quantity": 6}
SOFA_READ_BACK = (
    "I'll set the stock of the Harbor 3-seat sofa, navy (HOM-4003) in Lakeside Home Goods to 6 units; "
    "it has 1 now. Shall I go ahead?"
)


async def one_tool(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> str:
    """The model calls a read tool, then speaks; returns the tool's output (asserted not an error)."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Here is what I found."))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error, output
    return output


async def refused(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> str:
    """The model calls a tool that refuses; the model gets the sentence and speaks; nothing is pending."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Sorry, I can't do that."))
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and is_error, output
    assert call.userdata.pending is None
    return output


async def propose(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, args: dict[str, Any]) -> list[str]:
    """The model calls a write tool once; code reads it back; nothing more is asked of the model."""
    r = await turn(call, llm, caller, Reply.call(tool, **args))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error and output.startswith(HELD), output
    assert call.userdata.pending is not None and call.userdata.pending.name == tool
    return spoken(r)


async def rows(call: OfflineCall, table: str) -> list[tuple[Any, ...]]:
    return sorted(map(tuple, await call.query(f"select * from {table}")))


# ---------------------------------------------------------------------------------- browsing, unverified


async def test_unverified_caller_gets_policies_then_reporting_hands_off_to_verification(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hello, seller desk here. How can I help?")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=None, database_url=db_url) as call:
        output = await one_tool(
            call,
            llm,
            "What's the return policy of Lakeside Home Goods?",
            "get_seller_policies",
            {"seller": "Lakeside Home Goods"},
        )
        assert output == LAKESIDE_POLICIES
        before = await rows(call, "seller_issues")

        args = {
            "seller": "Lakeside Home Goods",
            "kind": "not_as_described",
            "description": "The sofa is the wrong colour",
        }
        r = await turn(
            call,
            llm,
            "I want to report that seller, my sofa is the wrong colour",
            Reply.call("report_seller_issue", **args),
        )
        assert tool_calls(r) == [("report_seller_issue", args)]
        assert handoffs(r) == ["authentication"]
        assert type(call.session.current_agent) is AuthenticationAgent
        assert spoken(r) == [
            "To report a problem with a seller, I need to verify your identity first. May I have your first name?"
        ]
        resume = call.userdata.resume
        assert resume is not None and (resume.agent, resume.tool) == (DESK, "report_seller_issue")
        assert resume.arguments == {**args, "order_number": ""}
        assert call.userdata.pending is None
        assert await rows(call, "seller_issues") == before, "nothing written before verification"
        assert llm.unscripted == 0


@pytest.mark.parametrize(
    ("caller", "tool", "args", "lead"),
    [
        ("How is my store doing?", "get_store_performance", {}, "To look up your store's performance"),
        ("What's my store's rating?", "lookup_seller", {"seller": "my store"}, "To look up your store"),
        (
            "Who sold me my jacket?",
            "get_seller_policies",
            {"seller": "my jacket"},
            "To look up the seller of your order",
        ),
        ("Set my skillet to 9", "update_listing_stock", {"listing": "skillet", "quantity": 9}, "To update the stock"),
    ],
)
async def test_own_data_before_verification_hands_off_and_reveals_nothing(
    db_url: str, caller: str, tool: str, args: dict[str, Any], lead: str
) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=None, database_url=db_url) as call:
        before = {t: await rows(call, t) for t in ("product_variants", "seller_messages", "seller_issues")}
        r = await turn(call, llm, caller, Reply.call(tool, **args))
        assert handoffs(r) == ["authentication"] and tool_outputs(r) == [(tool, "", False)], "the model gets nothing"
        assert spoken(r)[0].startswith(f"{lead}") and "I need to verify your identity first." in spoken(r)[0]
        assert call.userdata.resume is not None and call.userdata.resume.tool == tool
        assert {t: await rows(call, t) for t in before} == before


async def test_lookup_by_name_misheard_or_product_needs_no_verification(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=None, database_url=db_url) as call:
        output = await one_tool(
            call, llm, "Who is lake side home goods?", "lookup_seller", {"seller": "lake side home"}
        )
        assert output == (
            "Lakeside Home Goods (SEL-1001). It is rated 4.6 out of 5 from 312 ratings; ships from Chicago, IL, "
            "hands orders to the carrier within 2 business days; usually answers messages within 12 hours."
        )
        output = await one_tool(
            call, llm, "Who sells the brass desk lamp?", "lookup_seller", {"seller": "brass desk lamp"}
        )
        assert output.startswith("Hearthside Living (SEL-1003) sells the Brass desk lamp. It is rated 4.5 out of 5")
        assert list(call.userdata.products_in_view) == [], "naming a seller presents no product list"
        assert call.userdata.verification.step is AuthStep.FIRST_NAME and call.userdata.transfers == []


async def test_the_seller_of_the_cheaper_one_among_the_products_presented(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=None, database_url=db_url) as call:
        call.userdata.show_products(["HOM-4007", "HOM-4001"])  # a floor lamp ($189) and a desk lamp ($59), shown
        output = await one_tool(call, llm, "Who sells the cheaper one?", "lookup_seller", {"seller": "the cheaper one"})
        assert output.startswith("Hearthside Living (SEL-1003) sells the Brass desk lamp.")
        output = await one_tool(
            call, llm, "And the first one?", "get_seller_policies", {"seller": "the seller of the first one"}
        )
        assert output.startswith("Lakeside Home Goods (SEL-1001): returns accepted within 30 days")
        out = await refused(call, llm, "the fourth one", "lookup_seller", {"seller": "the fourth one"})
        assert out.startswith("No marketplace seller matches 'the fourth one'.")


async def test_the_seller_of_my_last_order_is_resolved_among_the_callers_orders(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        call.userdata.show_products(["HOM-4007", "HOM-4001"])  # a product list in view must not be used
        output = await one_tool(call, llm, "Who sold my last order?", "lookup_seller", {"seller": "my last order"})
        assert output.startswith("Northbeam Audio (SEL-1010) sold the Noise-cancelling headphones in order ORD-100102.")
        out = await refused(call, llm, "my sofa", "lookup_seller", {"seller": "the seller of my sofa"})
        assert out.startswith("No order matches"), out


async def test_lookup_refusals_and_bad_input(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        out = await refused(call, llm, "Who sold order 100201?", "lookup_seller", {"seller": "order 100201"})
        assert out == "There is no order ORD-100201 on this caller's account."
        out = await refused(call, llm, "the books seller", "lookup_seller", {"seller": "books"})
        assert out.startswith("Several sellers match 'books': Raman Books & Prints, ")
        assert out.endswith("Ask the caller which one they mean.")
        out = await refused(call, llm, "zzqx", "get_seller_policies", {"seller": "zzqx"})
        assert out.startswith("No marketplace seller matches 'zzqx'.")
        out = await refused(call, llm, "um", "lookup_seller", {"seller": ""})
        assert out == "The seller is empty. Ask the caller for it."
        out = await refused(call, llm, "um", "get_seller_policies", {"seller": 1001})
        assert out.startswith("Error parsing arguments for `get_seller_policies`"), "LiveKit checks the types first"
        assert llm.unscripted == 0


# ----------------------------------------------------------------------------------------- buyer writes


async def test_dispute_read_back_and_yes_opens_it_once(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        seeded = await call.query(
            "select id, customer_id, seller_id, order_id, kind, status from seller_issues order by id"
        )
        assert [row[0] for row in seeded] == [SEEDED_ISSUE_ID]
        lines = await propose(
            call, llm, "The novel I bought is falling apart, report the seller", "report_seller_issue", NOVEL_ISSUE
        )
        assert lines == [NOVEL_READ_BACK]
        assert await call.query("select count(*) from seller_issues") == [(1,)], "no write before the yes"
        r = await code_turn(call, llm, "yes please")
        assert spoken(r) == [
            "Done. Dispute SIS-610002 is open with Raman Books & Prints about order ORD-100103. The seller is asked to "
            "respond within 8 hours, and you'll get updates by email."
        ]
        assert await call.query(
            "select id, customer_id, seller_id, order_id, kind, status from seller_issues order by id"
        ) == [
            *seeded,
            ("SIS-610002", AVA.id, "SEL-1002", "ORD-100103", "not_as_described", "open"),
        ]
        assert call.userdata.actions[-1] == (
            "Dispute SIS-610002 (not as described) opened with Raman Books & Prints about order ORD-100103"
        )
        # The same dispute again: refused before any read-back.
        out = await refused(call, llm, "report them again", "report_seller_issue", NOVEL_ISSUE)
        assert out == (
            "Dispute SIS-610002 with Raman Books & Prints is already open for order ORD-100103; a second one cannot "
            "be opened. It is being handled."
        )
        assert llm.unscripted == 0


async def test_dispute_refusals_write_nothing(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        before = await rows(call, "seller_issues")
        base = {"kind": "not_as_described", "description": "Not what was pictured"}
        out = await refused(
            call, llm, "Report Lakeside about order 100201", "report_seller_issue",
            {"seller": "Lakeside Home Goods", "order_number": "ORD-100201", **base},
        )  # fmt: skip
        assert out == "There is no order ORD-100201 on this caller's account."
        out = await refused(
            call, llm, "Report Lakeside about order 100103", "report_seller_issue",
            {"seller": "Lakeside Home Goods", "order_number": "ORD-100103", **base},
        )  # fmt: skip
        assert out == (
            "Order ORD-100103 has no item sold by Lakeside Home Goods; its items come from Raman Books & Prints. "
            "Check which seller or order the caller means."
        )
        out = await refused(
            call, llm, "My headphones never came, report Northbeam", "report_seller_issue",
            {"seller": "Northbeam Audio", "kind": "not_received", "description": "Never came"},
        )  # fmt: skip
        assert out == (
            "To report Northbeam Audio for an item not received, the order is needed. "
            "Ask the caller which order it was."
        )
        out = await refused(
            call, llm, "My headphones never came", "report_seller_issue",
            {"seller": "the seller of my headphones", "kind": "not_received", "description": "Never came"},
        )  # fmt: skip
        assert out == "Order ORD-100102 is not late: it is expected by November 20."
        out = await refused(
            call,
            llm,
            "report them",
            "report_seller_issue",
            {"seller": "the seller of my novel", **base, "description": ""},
        )
        assert out == "The description is empty. Ask the caller for it."
        assert await rows(call, "seller_issues") == before
        assert llm.unscripted == 0


async def test_message_read_back_sent_after_yes_and_limited_per_day(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        args = {"seller": "the seller of my jacket", "message": "Is the jacket seam-sealed?"}
        lines = await propose(call, llm, "Ask the jacket seller if it's seam-sealed", "contact_seller", args)
        assert lines == [
            'I\'ll send Northwind Outfitters this message about order ORD-100101: "Is the jacket seam-sealed?" '
            "Shall I go ahead?"
        ]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [
            "Sent. Message MSG-620002 is with Northwind Outfitters; they usually reply within 12 hours, by email."
        ]
        assert await call.query(
            "select id, customer_id, seller_id, order_id, body from seller_messages where id = 'MSG-620002'"
        ) == [("MSG-620002", AVA.id, "SEL-1013", "ORD-100101", "Is the jacket seam-sealed?")]
        for n in range(MESSAGES_PER_SELLER_PER_DAY - 1):
            await call.services.sellers.contact_seller(AVA.id, "SEL-1013", message=f"Follow-up {n}", order_id=None)
        before = await rows(call, "seller_messages")
        out = await refused(call, llm, "Ask them again", "contact_seller", {"seller": "Northwind", "message": "Hello?"})
        assert out.startswith("The caller has already sent 3 messages to Northwind Outfitters today, the daily limit.")
        out = await refused(call, llm, "Send this", "contact_seller", {"seller": "Northwind", "message": "x" * 2_000})
        assert out == "The message is too long; summarise it in under 500 characters."
        out = await refused(
            call, llm, "About order 100201", "contact_seller",
            {"seller": "Pixel Depot", "message": "Hi", "order_number": "ORD-100201"},
        )  # fmt: skip
        assert out == "There is no order ORD-100201 on this caller's account."
        assert await rows(call, "seller_messages") == before
        assert llm.unscripted == 0


# ------------------------------------------------------------------------------------------ store owners


async def test_store_tools_refuse_a_caller_without_a_store(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=AVA, database_url=db_url) as call:
        before = await rows(call, "product_variants")
        no_store = (
            "This caller does not own a seller store on the marketplace, so there are no listings, payouts or store "
            "figures to share. Ask whether they meant a store they bought from."
        )
        assert await refused(call, llm, "How is my store doing?", "get_store_performance", {}) == no_store
        assert await refused(call, llm, "My payouts?", "get_payout_status", {}) == no_store
        out = await refused(
            call, llm, "Set the skillet to 9", "update_listing_stock", {"listing": "skillet", "quantity": 9}
        )
        assert out == no_store
        assert await rows(call, "product_variants") == before
        assert llm.unscripted == 0


async def test_owner_reads_performance_and_payouts_with_the_hold_reason(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=PRIYA, database_url=db_url) as call:
        output = await one_tool(call, llm, "Where's my payout?", "get_payout_status", {})
        assert output == (
            "Payouts of Raman Books & Prints (SEL-1002): last paid $612.30 for October 14 to October 27, paid on "
            "October 30. Next: $389.20 for November 11 to November 24, scheduled for Friday, November 27. "
            f"On hold: PAY-630006, $748.90 for October 28 to November 10. Reason: {PRIYA_HOLD_REASON}."
        )
        output = await one_tool(call, llm, "How's my shop doing?", "get_store_performance", {})
        assert output.startswith("Raman Books & Prints (SEL-1002), last 30 days: ")
        assert "Rating 4.8 from 204 ratings; 0 open disputes; 0 late shipments; 14 listings. Low stock: " in output
        assert output.endswith("more.") and output.count(" left") == 5, "at most five low-stock listings are named"
        assert llm.unscripted == 0


async def test_stock_update_refusals_and_bad_quantities(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Seller desk.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=MARCUS, database_url=db_url) as call:
        before = await rows(call, "product_variants")
        out = await refused(
            call, llm, "Set The Lighthouse Keeper to 5", "update_listing_stock", {"listing": "BOK-1001", "quantity": 5}
        )
        assert out.startswith("No listing in the caller's store matches 'BOK-1001'. Their listings include: ")
        out = await refused(call, llm, "the sofa to 5", "update_listing_stock", {"listing": "the sofa", "quantity": 5})
        assert out.startswith("Several listings in the caller's store match 'the sofa': Harbor 3-seat sofa (HOM-4003)")
        out = await refused(call, llm, "minus five", "update_listing_stock", {"listing": "skillet", "quantity": -5})
        assert out == (
            "Stock must be a whole number of units from 0 to 10,000; -5 is not possible. Ask the caller for the new "
            "quantity."
        )
        out = await refused(call, llm, "a million", "update_listing_stock", {"listing": "skillet", "quantity": 10**6})
        assert "1000000 is not possible" in out
        out = await refused(call, llm, "skillet to 3", "update_listing_stock", {"listing": "skillet", "quantity": 3})
        assert out == "The Cast iron skillet, 12 inch (black) already has 3 units in stock; nothing to change."
        assert await rows(call, "product_variants") == before
        assert await call.query("select count(*) from listing_stock_changes") == [(0,)]
        assert llm.unscripted == 0


# ------------------------------------------------------------------------------------- journeys (DB end)


async def test_journey_marcus_payouts_then_stock_of_his_listing(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hi Marcus, order tracking here.")])
    async with offline_call(llm=llm, start_agent="order_tracking", verified_as=MARCUS, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Actually I'm calling about my store's payouts",
            Reply.transfer(DESK, "Store owner asks about payouts"),
            Reply.say("Hi Marcus, this is the seller desk. Let's look at your payouts."),
        )
        assert handoffs(r) == [DESK] and type(call.session.current_agent) is SellerManagementAgent
        assert llm.requests[-1].tool_choice == "none", "the transfer greeting is speech only"

        output = await one_tool(call, llm, "When is my next payout?", "get_payout_status", {})
        assert output == (
            "Payouts of Lakeside Home Goods (SEL-1001): last paid $1,968.40 for October 28 to November 10, paid on "
            "November 13. Next: $1,254.10 for November 11 to November 24, scheduled for Friday, November 27. "
            "Nothing is on hold."
        )
        lines = await propose(call, llm, "Great. Set the navy Harbor sofa to six units", "update_listing_stock", SOFA)
        assert lines == [SOFA_READ_BACK]
        assert await call.query("select stock from product_variants where sku = 'HOM-4003' order by id") == [(4,), (1,)]
        r = await code_turn(call, llm, "yes, go ahead")
        assert spoken(r) == [
            "Done. The Harbor 3-seat sofa, navy (HOM-4003) now has 6 units in stock; the listing has 10 in all."
        ]
        # The database at the end: the variant and the product total changed, the change logged, nothing else.
        assert await call.query("select colour, stock from product_variants where sku = 'HOM-4003' order by id") == [
            ("grey", 4),
            ("navy", 6),
        ]
        assert await call.query("select stock from products where sku = 'HOM-4003'") == [(10,)]
        assert await call.query(
            "select seller_id, sku, old_stock, new_stock, changed_by from listing_stock_changes"
        ) == [("SEL-1001", "HOM-4003", 1, 6, MARCUS.id)]
        assert await call.query("select count(*) from payouts where seller_id = 'SEL-1001'") == [(4,)]
        assert [(t.from_agent, t.to_agent) for t in call.userdata.transfers] == [("order_tracking", DESK)]
        assert call.userdata.actions[-1] == "Stock of Harbor 3-seat sofa, navy (HOM-4003) set to 6 (was 1)"
        assert llm.unscripted == 0 and llm.pending == 0


async def test_journey_ava_unverified_seller_of_her_novel_verified_on_demand_then_dispute(db_url: str) -> None:
    """Ava, not yet verified, asks who sold her novel: code sends her to verification, which returns her to the
    seller desk with the request; the desk looks the seller up, then opens a dispute after her yes."""
    llm = ScriptedLLM([Reply.say("Hello, seller desk here.")])
    async with offline_call(llm=llm, start_agent=DESK, verified_as=None, database_url=db_url) as call:
        ctx = call.userdata
        seeded = await call.query("select id, customer_id, seller_id, order_id, kind from seller_issues order by id")
        lookup = {"seller": "the seller of my novel"}
        r = await turn(call, llm, "Who sold me my novel?", Reply.call("lookup_seller", **lookup))
        assert handoffs(r) == ["authentication"]
        assert spoken(r) == [
            "To look up the seller of your order, I need to verify your identity first. May I have your first name?"
        ]
        for said in ("Ava", "four one five, five five five, zero one three four", "yes", "April twelfth, 1988"):
            await code_turn(call, llm, said)
        r = await code_turn(call, llm, "SSN, four eight two one")
        assert ctx.verification.customer is not None and ctx.verification.customer.id == AVA.id
        r = await code_turn(call, llm, "Yes, that's still correct")
        assert spoken(r) == ["Thank you.", prompt_text("disclosure")]
        # The offer answer: code records it and returns Ava to the seller desk, which resumes her request.
        r = await turn(
            call,
            llm,
            "No thanks",
            Reply.call("lookup_seller", **lookup),
            Reply.say("Your novel was sold by Raman Books & Prints, rated 4.8 out of 5."),
        )
        assert spoken(r)[0] == "Thank you, I've noted that you've declined the offer. Now, back to your request."
        assert handoffs(r) == [DESK] and ctx.resume is None
        assert "Call lookup_seller now with" in "\n".join(llm.requests[-2].system_texts())
        assert tool_outputs(r) == [("lookup_seller", NOVEL_SELLER, False)]

        lines = await propose(
            call, llm, "The pages are falling out. Report them please.", "report_seller_issue", NOVEL_ISSUE
        )
        assert lines == [NOVEL_READ_BACK]
        await code_turn(call, llm, "yes")

        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [
            (DESK, "authentication"),
            ("authentication", DESK),
        ]
        assert await call.query("select id, customer_id, seller_id, order_id, kind from seller_issues order by id") == [
            *seeded,
            ("SIS-610002", AVA.id, "SEL-1002", "ORD-100103", "not_as_described"),
        ]
        assert await call.query("select customer_id, response from offer_responses") == [(AVA.id, "DECLINED")]
        assert llm.unscripted == 0 and llm.pending == 0
