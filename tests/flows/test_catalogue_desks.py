"""The four catalogue desks (home, electronics, fashion, books) through the real AgentSession.

Every tool's happy path, bad input and refusal; references resolved by code across turns ("the cheaper
one", "the second one" after an ambiguity question); one journey per desk across agents. Browsing writes
nothing: each test ends with the catalogue's stock and the orders untouched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from call.context import AuthStep
from services.demo_data import AVA, DemoCustomer
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

GREETING = "Hello, how can I help?"
BROWSE = "You don't need to verify your identity to browse. I'll connect you with our {team} team now."


@asynccontextmanager
async def desk(
    db_url: str, agent: str, *, verified_as: DemoCustomer | None = None
) -> AsyncIterator[tuple[OfflineCall, ScriptedLLM]]:
    """A call that starts at ``agent`` (its greeting is one LLM reply)."""
    llm = ScriptedLLM([Reply.say(GREETING)])
    async with offline_call(llm=llm, start_agent=agent, verified_as=verified_as, database_url=db_url) as call:
        before = await untouched(call)
        yield call, llm
        assert await untouched(call) == before, "browsing wrote nothing"
        assert llm.unscripted == 0


async def untouched(call: OfflineCall) -> list[tuple[Any, ...]]:
    """Stock of every variant and the number of orders: what browsing must never change."""
    stock = await call.query("select sum(stock), count(*) from product_variants")
    orders = await call.query("select count(*) from orders")
    return [*stock, *orders]


async def use(call: OfflineCall, llm: ScriptedLLM, said: str, tool: str, reply: str, **args: Any) -> tuple[str, bool]:
    """One caller turn: the model calls ``tool`` once, then speaks ``reply``. Returns the tool's output."""
    r = await turn(call, llm, said, Reply.call(tool, **args), Reply.say(reply))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool
    assert spoken(r) == [reply]
    return output, is_error


# --- home ------------------------------------------------------------------------------------------------------


async def test_home_search_then_the_cheaper_one_and_its_room_fit(db_url: str) -> None:
    async with desk(db_url, "home") as (call, llm):
        out, err = await use(
            call, llm, "I need a sofa under a thousand dollars", "search_home_products",
            "I found two sofas.", query="sofa", max_price_dollars=1000,
        )  # fmt: skip
        assert not err and out.startswith("2 matches under $1,000.00: 1. Harbor 3-seat sofa by Lakeside (HOM-4003)")
        assert "2. Everly charcoal sofa by Lakeside (HOM-6045), $858.99" in out

        out, err = await use(
            call, llm, "Would the cheaper one fit a 10 by 8 foot room?", "check_room_fit", "Yes, it fits.",
            product="the cheaper one", room_length_feet=10, room_width_feet=8,
        )  # fmt: skip
        assert not err and out.startswith("It fits: the Everly charcoal sofa needs 7 ft 1 in by 6 ft 3 in")
        assert "including a 36 in walkway in front of the seat" in out

        out, err = await use(
            call, llm, "And the other one in an 8 by 6 den?", "check_room_fit", "No, it's 2 inches short.",
            product="Harbor 3-seat sofa", room_length_feet=8, room_width_feet=6,
        )  # fmt: skip
        assert not err and out.startswith("It does not fit: the Harbor 3-seat sofa needs 7 ft by 6 ft 2 in")
        assert "is 2 in short" in out
        assert list(call.userdata.products_in_view)[-2:] == ["HOM-6045", "HOM-4003"]


async def test_home_dimensions_for_a_room_type_and_stock(db_url: str) -> None:
    async with desk(db_url, "home") as (call, llm):
        out, err = await use(
            call, llm, "How big is the Linden recliner, and is it ok for a kitchen?", "get_product_dimensions",
            "It's 36 inches wide.", product="Linden recliner", room="kitchen",
        )  # fmt: skip
        assert not err
        assert out == (
            "The Linden power recliner (HOM-4004) is 36 in wide, 39 in deep and 41 in high, 102 lb. Leave 12 in "
            "behind it to recline, 24 in in front for the footrest: it needs a floor area of 36 by 75 in. It holds "
            "up to 300 lb. Assembly takes about 15 minutes; it ships flat-packed. Materials: steel mechanism, "
            "top-grain leather. It is not designed for a kitchen; it suits: living room."
        )
        out, err = await use(call, llm, "Is it in stock?", "check_stock", "Two left in cognac.", product="that one")
        assert (out, err) == (
            "Linden power recliner by Lakeside (HOM-4004): 2 units in stock over 2 options. Sold out: charcoal. "
            "Running low: cognac (2 left).",
            False,
        )


async def test_home_refuses_room_fit_for_a_skillet_and_implausible_rooms(db_url: str) -> None:
    async with desk(db_url, "home") as (call, llm):
        out, err = await use(
            call, llm, "Will the skillet fit my kitchen, 10 by 12?", "check_room_fit", "That doesn't apply.",
            product="HOM-4002", room_length_feet=10, room_width_feet=12,
        )  # fmt: skip
        assert err and out == (
            "There is no room fit information for the Cast iron skillet, 12 inch (a skillet): it does not apply to "
            "this product."
        )
        out, err = await use(
            call, llm, "My room is 400 feet long", "check_room_fit", "Could you check that measurement?",
            product="HOM-4003", room_length_feet=400, room_width_feet=10,
        )  # fmt: skip
        assert err and out.startswith("A room length of 400 ft is not plausible (expected 3 to 100 ft)")
        out, err = await use(
            call, llm, "The eh thing", "get_product_dimensions", "Which product do you mean?", product=""
        )
        assert err and out == "The product is empty. Ask the caller which product they mean."


# --- electronics -------------------------------------------------------------------------------------------


async def test_electronics_compare_compatibility_and_the_cheaper_one(db_url: str) -> None:
    async with desk(db_url, "electronics") as (call, llm):
        out, err = await use(call, llm, "Voltline chargers?", "search_tech", "I found five.", query="voltline charger")
        assert not err and out.startswith("5 matches: 1. Voltline 65 W GaN charger (ELC-3006), $49.99")
        out, err = await use(
            call, llm, "Compare the first and the third", "compare_specs", "The 65 watt one is faster.",
            products=["the first one", "the third one"],
        )  # fmt: skip
        assert not err and out.startswith(
            "Comparing Voltline 65 W GaN charger (ELC-3006) and Voltline 20 W USB-C charger (ELC-3005). "
            "Differences: price: $49.99 vs $19.99; rating: 4.7 of 5 vs 4.6 of 5; output (W): 65 vs 20"
        )
        out, err = await use(
            call, llm, "Will the cheaper one charge my Aria 13 phone?", "get_compatibility",
            "Yes, with a USB-C to Lightning cable.", product="the cheaper one", other_product="Aria 13 phone",
        )  # fmt: skip
        assert (out, err) == (
            "Yes, they work together. The Voltline 20 W USB-C charger charges the Aria 13 phone (Lightning port) at "
            "its full 20 W. It needs a USB-C to Lightning cable, not included with the charger.",
            False,
        )


async def test_electronics_stock_availability_and_refusals(db_url: str) -> None:
    async with desk(db_url, "electronics") as (call, llm):
        out, err = await use(
            call, llm, "Do you have the Orbit X2 with 256 gigs in black?", "check_availability", "Three left.",
            product="Orbit X2 phone", size="256", colour="black",
        )  # fmt: skip
        assert (out, err) == ("The Orbit X2 phone in 256 GB, black has only 3 left, $669.00.", False)
        out, err = await use(
            call, llm, "And in sage?", "check_availability", "Sage only comes with 128.",
            product="Orbit X2 phone", size="256", colour="sage",
        )  # fmt: skip
        assert err and out == "The Orbit X2 phone does not come in sage. Available colours: black."
        out, err = await use(
            call, llm, "Does the laptop work with the sofa?", "get_compatibility", "Those don't connect.",
            product="Nimbus 14 laptop", other_product="HOM-4003",
        )  # fmt: skip
        assert err and out.startswith("Harbor 3-seat sofa by Lakeside (HOM-4003) is a home product, not electronics")
        out, err = await use(
            call, llm, "Compare just this one", "compare_specs", "Which two should I compare?", products=["ELC-3001"]
        )
        assert err and out.startswith("Compare two or three products")


# --- fashion ----------------------------------------------------------------------------------------------------


async def test_fashion_ambiguity_then_the_second_one_then_its_size(db_url: str) -> None:
    async with desk(db_url, "fashion", verified_as=AVA) as (call, llm):
        out, err = await use(
            call, llm, "Tell me about your rain jacket", "get_product_details", "Which one: Alpine, Granite or Larch?",
            product="rain jacket",
        )  # fmt: skip
        assert err and out.startswith(
            "Several products match. Did the caller mean Alpine rain jacket by Northwind (FSH-2001, $129.00), "
        )
        out, err = await use(
            call, llm, "The second one", "get_product_details", "It's the Granite trail jacket.",
            product="the second one",
        )  # fmt: skip
        assert not err and out.startswith("Granite trail rain jacket by Trailhead (FSH-6001, a rain jacket)")
        out, err = await use(
            call, llm, "I have a 39 inch chest, which size of the Harbor packable?", "get_sizing_guide",
            "Go for a large.", product="Harbor packable rain jacket", chest_inches=39,
        )  # fmt: skip
        assert (out, err) == (
            "Recommended size L. A 39 in chest is Cobalt Thread's L (39 to 41 in). Cobalt Thread runs small. "
            "Size L is in stock in navy.",
            False,
        )


async def test_fashion_availability_style_and_similar_items(db_url: str) -> None:
    async with desk(db_url, "fashion") as (call, llm):
        out, err = await use(
            call, llm, "Is the Alpine jacket in medium red?", "check_availability", "Not in red, sorry.",
            product="Alpine rain jacket", size="medium", colour="red",
        )  # fmt: skip
        assert (out, err) == (
            "The Alpine rain jacket in size M, red is out of stock, $129.00. In size M it is in stock in navy, black.",
            False,
        )
        out, err = await use(
            call, llm, "What goes with it?", "get_style_recommendations", "A sweater and jeans.", product="it"
        )
        assert not err and out.startswith("With the Alpine rain jacket: 1. ")
        assert out.count("goes with the rain jacket") == 3
        out, err = await use(
            call, llm, "Anything like the Harbor packable?", "find_similar_items", "Three similar jackets.",
            product="Harbor packable rain jacket",
        )  # fmt: skip
        assert not err and out.startswith("Similar to the Harbor packable rain jacket: 1. ")
        assert out.count("also a rain jacket") == 3


async def test_fashion_sizing_bad_measurements_and_a_sofa(db_url: str) -> None:
    async with desk(db_url, "fashion") as (call, llm):
        out, err = await use(
            call, llm, "My chest is 102", "get_sizing_guide", "Is that in centimetres?",
            product="Alpine rain jacket", chest_inches=102,
        )  # fmt: skip
        assert err and out.startswith("A chest of 102 in is not plausible (expected 20 to 70 in)")
        out, err = await use(
            call, llm, "Size for the Harbor sofa?", "get_sizing_guide", "That's a sofa.", product="HOM-4003"
        )
        assert err and "is a home product, not fashion" in out
        out, err = await use(
            call, llm, "Which size?", "get_sizing_guide", "What's your chest?", product="Alpine rain jacket"
        )
        assert not err and out.startswith("Northwind size chart for the Alpine rain jacket, in inches: XS chest 32-34")


# --- books -----------------------------------------------------------------------------------------------------


async def test_books_misheard_title_details_formats_and_series(db_url: str) -> None:
    async with desk(db_url, "books") as (call, llm):
        out, err = await use(
            call, llm, "Do you have the lite house keeper?", "search_books", "Yes, by Eleanor Vance.",
            query="lite house keeper",
        )  # fmt: skip
        assert (out, err) == (
            "1 match: 1. The Lighthouse Keeper by Eleanor Vance (BOK-1001), from $12.00, 4.6 stars, available.",
            False,
        )
        out, err = await use(call, llm, "Tell me about it", "get_book_details", "It's a mystery.", book="that one")
        assert not err and out.startswith(
            "The Lighthouse Keeper by Eleanor Vance (BOK-1001): mystery, 352 pages, published 2021 by Tern & Tide"
        )
        out, err = await use(call, llm, "What formats?", "check_formats", "Four formats.", book="The Lighthouse Keeper")
        assert (out, err) == (
            "The Lighthouse Keeper (BOK-1001): hardcover $24.00, in stock; paperback $15.00, in stock; ebook $12.00, "
            "available; audiobook $21.99 (narrated by Imogen Hale, 10.7 hours), available.",
            False,
        )
        out, err = await use(call, llm, "Is it a series?", "list_series", "Yes, three books.", book="BOK-1001")
        assert out == (
            "Saltmarsh Mysteries by Eleanor Vance, in order: 1. The Lighthouse Keeper (BOK-1001), $24.00. "
            "2. The Tide Clock (BOK-1002), $26.00. 3. Drowned Bells (BOK-1003), $28.00."
        )
        # the series' own name is no one book of it: the series is listed, not a choice asked for
        named, err = await use(
            call, llm, "And the Saltmarsh Mysteries?", "list_series", "Three books.", book="Saltmarsh Mysteries"
        )
        assert (named, err) == (out, False)
        out, err = await use(
            call, llm, "Which is cheapest?", "check_formats", "The Lighthouse Keeper.", book="the cheapest one"
        )
        assert not err and out.startswith("The Lighthouse Keeper (BOK-1001)")


async def test_books_similar_books_and_refusals(db_url: str) -> None:
    async with desk(db_url, "books") as (call, llm):
        out, err = await use(
            call, llm, "More like Drowned Bells?", "find_similar_books", "The rest of the series.", book="Drowned Bells"
        )
        assert not err and out.startswith(
            "Like Drowned Bells: 1. The Tide Clock by Eleanor Vance (BOK-1002), $26.00: book 2 of Saltmarsh Mysteries."
        )
        out, err = await use(call, llm, "BOK-9999?", "get_book_details", "I can't find that one.", book="BOK-9999")
        assert (out, err) == (
            "There is no product BOK-9999 in the catalogue. Search by name instead of guessing a code.",
            True,
        )
        out, err = await use(call, llm, "Hmm", "search_books", "What are you looking for?", query="")
        assert (out, err) == ("Say in a few words what product the caller is looking for.", True)
        out, err = await use(
            call, llm, "Is Salt Hours a series?", "list_series", "It's a standalone.", book="Salt Hours"
        )
        assert err and out == (
            "There is no series information for the Salt Hours (a poetry collection): it does not apply to this "
            "product."
        )


# --- journeys across agents -----------------------------------------------------------------------------------


async def test_journey_an_unverified_caller_browses_books_then_goes_to_sales(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        before = await untouched(call)
        r = await turn(
            call, llm, "Hi, I'm looking for a mystery novel for my dad", Reply.say("Books here. Any title in mind?")
        )
        assert spoken(r) == [BROWSE.format(team="books"), "Books here. Any title in mind?"]
        assert handoffs(r) == ["books"]

        r = await turn(
            call, llm, "Something by Eleanor Vance", Reply.call("search_books", query="Eleanor Vance mystery"),
            Reply.say("She wrote the Saltmarsh mysteries."),
        )  # fmt: skip
        ((_, out, err),) = tool_outputs(r)
        assert not err and "The Lighthouse Keeper by Eleanor Vance (BOK-1001)" in out
        r = await turn(
            call, llm, "The first one, what formats?", Reply.call("check_formats", book="the first one"),
            Reply.say("Hardcover, paperback, ebook or audiobook."),
        )  # fmt: skip
        assert tool_outputs(r)[0][1].startswith("The Lighthouse Keeper (BOK-1001): hardcover $24.00")
        r = await turn(
            call, llm, "I'll buy the hardcover", Reply.transfer("sales", "Caller wants the hardcover of BOK-1001"),
            Reply.say("Sales here, let's get that hardcover for you."),
        )  # fmt: skip
        assert handoffs(r) == ["sales"]

        ctx = call.userdata
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [("authentication", "books"), ("books", "sales")]
        assert ctx.verification.customer is None and ctx.verification.step is AuthStep.FIRST_NAME
        assert "BOK-1001" in ctx.products_in_view
        assert await untouched(call) == before
        assert await call.query("select count(*) from orders where customer_id is null") == [(0,)]


async def test_journey_a_room_size_question_goes_from_authentication_to_home_then_sales(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        before = await untouched(call)
        r = await turn(
            call, llm, "Do you have a sofa that fits a small living room?", Reply.say("Home desk. How big is it?")
        )
        assert handoffs(r) == ["home"]
        r = await turn(
            call, llm, "Show me Lakeside sofas", Reply.call("search_home_products", query="lakeside sofa"),
            Reply.say("The Harbor 3-seat sofa, among others."),
        )  # fmt: skip
        assert "2. Harbor 3-seat sofa by Lakeside (HOM-4003), $899.00" in tool_outputs(r)[0][1]
        r = await turn(
            call, llm, "Does the second one fit nine by seven feet?",
            Reply.call("check_room_fit", product="the second one", room_length_feet=9, room_width_feet=7),
            Reply.say("It fits, but the room will feel full."),
        )  # fmt: skip
        assert "It fits: the Harbor 3-seat sofa" in tool_outputs(r)[0][1] and "feel full" in tool_outputs(r)[0][1]
        r = await turn(
            call, llm, "Great, I want to buy it", Reply.transfer("sales", "Caller wants HOM-4003"),
            Reply.say("Sales here."),
        )  # fmt: skip
        assert [t.to_agent for t in call.userdata.transfers] == ["home", "sales"]
        assert await untouched(call) == before


async def test_journey_electronics_compare_then_sales(db_url: str) -> None:
    async with desk(db_url, "electronics") as (call, llm):
        await use(
            call, llm, "Noise cancelling headphones?", "search_tech", "Five pairs.", query="noise cancelling headphones"
        )
        out, _ = await use(
            call, llm, "Compare the first two", "compare_specs", "The Northbeam lasts longer.",
            products=["the first one", "the second one"],
        )  # fmt: skip
        assert out.startswith("Comparing Noise-cancelling headphones by Northbeam (ELC-3001) and ")
        r = await turn(
            call, llm, "I'll take the first", Reply.transfer("sales", "Caller wants ELC-3001"), Reply.say("Sales here.")
        )
        assert handoffs(r) == ["sales"]
        assert call.userdata.transfers[-1].from_agent == "electronics"


async def test_journey_fashion_sold_out_size_to_similar_items_then_sales(db_url: str) -> None:
    async with desk(db_url, "fashion", verified_as=AVA) as (call, llm):
        out, _ = await use(
            call, llm, "Alpine jacket, size medium in red?", "check_availability", "Red is sold out in medium.",
            product="Alpine rain jacket", size="M", colour="red",
        )  # fmt: skip
        assert "is out of stock" in out
        out, _ = await use(
            call, llm, "Something similar in red?", "find_similar_items", "Here are three.", product="it"
        )
        assert out.startswith("Similar to the Alpine rain jacket: 1. ")
        r = await turn(
            call, llm, "I'll buy the navy Alpine instead", Reply.transfer("sales", "Caller wants FSH-2001 M navy"),
            Reply.say("Sales here."),
        )  # fmt: skip
        assert handoffs(r) == ["sales"]
        assert call.userdata.verified_customer() is not None
