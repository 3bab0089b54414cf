"""tools.references: the caller's words → one product or variant, resolved by code.

Exact SKUs (forged ones refused), positions and comparisons among the products presented last ("the
second one", "the cheaper one"), colours and brands among the products in view, then the whole catalogue,
misheard; ambiguity and no-match are ``ToolError`` sentences naming the choices or the closest product.
"""

from __future__ import annotations

from typing import Any

import pytest
from livekit.agents import ToolError

from call.context import CustomerContext
from services import Services
from tools.references import last_presented, present, resolve_product, resolve_variant

from .conftest import rows

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]


def context(services: Services, agent: str = "sales") -> CustomerContext:
    ctx = CustomerContext(services=services)
    ctx.current_agent = agent
    return ctx


async def shown(ctx: CustomerContext, *skus: str) -> None:
    """The desk presented these products, in this order."""
    present(ctx, await ctx.services.catalog.get_products(list(skus)))


async def refused(ctx: CustomerContext, reference: Any, **kwargs: Any) -> str:
    with pytest.raises(ToolError) as error:
        await resolve_product(ctx, reference, **kwargs)
    return str(error.value)


# --- SKUs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["FSH-2001", "fsh 2001", "FSH2001", "the jacket, FSH-2001, please"])
async def test_an_exact_sku_in_any_spelling_is_the_product(services: Services, said: str) -> None:
    assert (await resolve_product(context(services), said)).sku == "FSH-2001"


async def test_a_forged_or_foreign_sku_is_refused(services: Services) -> None:
    ctx = context(services)
    assert "There is no product FSH-9999 in the catalogue" in await refused(ctx, "FSH-9999")
    wrong_desk = await refused(ctx, "ELC-3001", category="books")
    assert "ELC-3001" in wrong_desk and "is a electronics product, not books" in wrong_desk


# --- positions and comparisons ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "sku"),
    [
        ("the first one", "ELC-3005"),
        ("the second one", "ELC-3006"),
        ("number three", "ELC-3007"),
        ("the last one", "ELC-3007"),
        ("the cheaper one", "ELC-3005"),
        ("the cheapest", "ELC-3005"),
        ("the most expensive one", "ELC-3006"),
        ("the best rated", "ELC-3006"),
        ("the cheaper charger", "ELC-3005"),
        ("the second charger", "ELC-3006"),
    ],
)
async def test_positions_and_comparisons_pick_among_the_products_presented_last(
    services: Services, said: str, sku: str
) -> None:
    ctx = context(services)
    await shown(ctx, "HOM-4003")  # an earlier list
    await shown(ctx, "ELC-3005", "ELC-3006", "ELC-3007")  # $19.99, $49.99, $29.99

    assert (await resolve_product(ctx, said)).sku == sku


async def test_the_cheaper_one_works_across_turns_after_a_search(services: Services) -> None:
    ctx = context(services, "electronics")
    hits = await services.catalog.search("electronics", "noise cancelling headphones", limit=3)
    present(ctx, hits)
    cheapest = min(hits, key=lambda p: p.price_cents)
    assert len(hits) == 3 and len({p.price_cents for p in hits}) == 3

    assert (await resolve_product(ctx, "the cheaper one")).sku == cheapest.sku
    assert last_presented(ctx) == tuple(p.sku for p in hits)


async def test_a_position_beyond_the_list_or_before_any_list_is_refused(services: Services) -> None:
    ctx = context(services)
    nothing_yet = await refused(ctx, "the cheaper one")
    assert "No products have been presented in this call yet" in nothing_yet
    await shown(ctx, "ELC-3005", "ELC-3006")
    beyond = await refused(ctx, "the fifth one")
    assert beyond.startswith("Only 2 products were presented") and "ELC-3005" in beyond and "$49.99" in beyond


async def test_that_one_is_the_single_product_just_presented(services: Services) -> None:
    ctx = context(services)
    await shown(ctx, "HOM-4005")
    assert (await resolve_product(ctx, "that one")).sku == "HOM-4005"
    await shown(ctx, "HOM-4003", "HOM-4004")
    assert "Several products were presented" in await refused(ctx, "that one")


async def test_equal_prices_are_a_question_not_a_guess(services: Services) -> None:
    lowest = await rows(
        services,
        "select p.sku, min(v.price_cents) from products p join product_variants v on v.sku = p.sku "
        "where p.category = 'books' group by p.sku order by p.sku",
    )
    by_price: dict[int, list[str]] = {}
    for sku, cents in lowest:
        by_price.setdefault(cents, []).append(sku)
    same_price = [(sku,) for sku in next(skus for skus in by_price.values() if len(skus) > 1)[:2]]
    ctx = context(services)
    await shown(ctx, *(sku for (sku,) in same_price))

    question = await refused(ctx, "the cheaper one")
    assert question.startswith("Those are the same:") and question.endswith("Ask which one the caller means.")


async def test_the_list_falls_back_to_everything_in_view_when_another_desk_showed_products(
    services: Services,
) -> None:
    ctx = context(services)
    await shown(ctx, "ELC-3005", "ELC-3006")
    ctx.show_products(["HOM-4003"])  # e.g. the cart showed one product directly
    assert last_presented(ctx) == ("ELC-3005", "ELC-3006", "HOM-4003")
    assert (await resolve_product(ctx, "the last one")).sku == "HOM-4003"


# --- descriptions ----------------------------------------------------------------------------------------------


async def test_a_colour_or_brand_picks_among_the_products_in_view(services: Services) -> None:
    ctx = context(services)
    await shown(ctx, "FSH-2001", "FSH-2002", "ELC-3006")

    assert (await resolve_product(ctx, "the yellow one")).sku == "FSH-2002"
    assert (await resolve_product(ctx, "the Voltline")).sku == "ELC-3006"
    assert (await resolve_product(ctx, "the Alpine jacket")).sku == "FSH-2001"
    assert "Did the caller mean" in await refused(ctx, "the jacket"), "two jackets in view"


async def test_a_title_with_an_ordinal_word_is_not_a_position(services: Services) -> None:
    (title, sku), *_ = await rows(
        services, "select name, sku from products where category = 'books' and name like '%Last %' order by sku"
    )
    ctx = context(services)
    await shown(ctx, sku, "BOK-1001", "BOK-1002")

    assert (await resolve_product(ctx, title)).sku == sku


@pytest.mark.parametrize(
    ("said", "sku"),
    [
        ("lite house keeper", "BOK-1001"),
        ("the lighthouse keeper by eleanor vance", "BOK-1001"),
        ("Alpine rain jacket", "FSH-2001"),
        ("27-inch 4K monitor", "ELC-3002"),
        ("noise cancelling headphones", "ELC-3001"),
    ],
)
async def test_a_name_said_approximately_is_found_in_the_catalogue(services: Services, said: str, sku: str) -> None:
    assert (await resolve_product(context(services), said)).sku == sku


async def test_an_ambiguous_name_names_three_choices_with_prices_and_presents_them(services: Services) -> None:
    ctx = context(services, "fashion")
    question = await refused(ctx, "rain jacket")

    assert question.startswith("Several products match. Did the caller mean Alpine rain jacket by Northwind")
    assert question.count("$") == 3 and " or " in question
    assert len(last_presented(ctx)) == 3
    assert (await resolve_product(ctx, "the first one")).sku == "FSH-2001", "the choices can be picked by position"


async def test_the_desks_own_category_is_searched_first(services: Services) -> None:
    question = await refused(context(services, "fashion"), "harbor")
    assert "Did the caller mean" in question and "HOM-4003" not in question and question.count("FSH-") == 3
    assert (await resolve_product(context(services, "books"), "harbor 3-seat sofa")).sku == "HOM-4003", (
        "nothing in books: the whole catalogue next"
    )


async def test_no_match_names_the_closest_product_or_asks_for_other_words(services: Services) -> None:
    closest = await refused(context(services), "harbor jacket", category="home")
    assert closest.startswith("No product in home matches 'harbor jacket'. The closest is Harbor 3-seat sofa")
    nothing = await refused(context(services), "quantum flux capacitor")
    assert nothing == "No product matches 'quantum flux capacitor'. Ask the caller to describe it differently."


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (None, "The product must be text, not null."),
        (2001, "The product must be text, not a number."),
        (["FSH-2001"], "The product must be text, not a list."),
        ("", "The product is empty."),
        ("   ", "The product is empty."),
        ("x" * 5000, "The product is too long"),
        ("jacket\x00", "The product contains a NUL character"),
        ("\ud800", "The product contains invalid Unicode"),
    ],
)
async def test_a_reference_that_is_not_short_plain_text_is_refused(
    services: Services, reference: Any, message: str
) -> None:
    assert (await refused(context(services), reference)).startswith(message)


# --- variants ----------------------------------------------------------------------------------------------------


async def test_a_variant_is_resolved_from_spoken_sizes_colours_and_formats(services: Services) -> None:
    ctx = context(services)
    jacket = await services.catalog.get_product("FSH-2001")
    book = await services.catalog.get_product("BOK-1001")

    assert (await resolve_variant(ctx, jacket, size="medium", colour="navy")).label() == "size M, navy"
    assert (await resolve_variant(ctx, book, format="audio book")).format == "audiobook"
    lamp = await services.catalog.get_product("HOM-4002")
    assert (await resolve_variant(ctx, lamp)).colour == "black", "the only variant needs no choice"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": "M"}, "The Alpine rain jacket comes in several colours: navy, red, black. Ask the caller which"),
        ({"size": "XXL", "colour": "navy"}, "The Alpine rain jacket does not come in XXL. Available sizes: XS, S, M"),
        ({"size": "M", "colour": "purple"}, "does not come in purple. Available colours: navy, red, black."),
        ({"size": "M" * 500}, "The size is too long"),
        ({"colour": 7}, "The colour must be text, not a number."),
    ],
)
async def test_a_variant_not_made_or_not_said_is_a_question_for_the_caller(
    services: Services, kwargs: dict[str, Any], message: str
) -> None:
    jacket = await services.catalog.get_product("FSH-2001")
    with pytest.raises(ToolError) as error:
        await resolve_variant(context(services), jacket, **kwargs)
    assert message in str(error.value)
