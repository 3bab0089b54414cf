"""Fashion desk tools: search, sizing from the brand's chart, availability by size and colour, style advice,
similar items.

Size charts (a brand that runs small gives a larger size for the same chest) and the colour pairings
live in :mod:`services.catalog_seed` and :mod:`services.catalog`.
"""

from __future__ import annotations

from livekit.agents import RunContext, ToolError, function_tool, llm

from call.context import CustomerContext
from services.views import dollars, the

from .catalog import check_availability, get_product_details, search
from .common import service_errors
from .references import present, resolve_product

Ctx = RunContext[CustomerContext]


@function_tool
async def search_fashion(context: Ctx, query: str, max_price_dollars: float = 0) -> str:
    """Search clothing, shoes and accessories.

    Args:
        query: The caller's words, e.g. "navy rain jacket", "slim jeans", "white leather sneakers".
        max_price_dollars: Only products at or under this price, e.g. 150; 0 for no limit.
    """
    return await search(context, query, category="fashion", max_price_dollars=max_price_dollars)


@function_tool
async def get_sizing_guide(
    context: Ctx,
    product: str,
    chest_inches: float = 0,
    waist_inches: float = 0,
    hip_inches: float = 0,
    foot_length_inches: float = 0,
) -> str:
    """The size to order for one item from the caller's body measurements and that brand's own size chart.

    Without measurements, returns the brand's chart so you can ask for the right one.

    Args:
        product: The caller's words for it, e.g. "the Alpine rain jacket", "the first one", "FSH-2003".
        chest_inches: Chest in inches (tops, jackets, dresses), e.g. 39; 0 if not given. Convert cm: divide by 2.54.
        waist_inches: Waist in inches (trousers, jeans, dresses); 0 if not given.
        hip_inches: Hip in inches (trousers, dresses); 0 if not given.
        foot_length_inches: Foot length in inches (shoes), e.g. 10.5; 0 if not given.
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product, category="fashion")
    measures = {"chest": chest_inches, "waist": waist_inches, "hip": hip_inches, "foot length": foot_length_inches}
    for name, value in measures.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ToolError(f"The {name} must be a number of inches, or 0 if the caller did not give it.")
    async with service_errors():
        advice = await ctx.services.catalog.size_advice(
            item.sku,
            chest_in=float(chest_inches),
            waist_in=float(waist_inches),
            hip_in=float(hip_inches),
            foot_in=float(foot_length_inches),
        )
    present(ctx, [item])
    if advice.size is None:
        rows = "; ".join(
            f"{r.size} " + ", ".join(f"{m} {lo:g}-{hi:g}" for m, lo, hi in r.ranges) for r in advice.chart[:8]
        )
        fit = f" {advice.brand} {advice.fit_note}." if advice.fit_note else ""
        return f"{advice.brand} size chart for {the(advice.name)}, in inches: {rows}.{fit} Ask for the measurement."
    if not advice.offered:
        return f"{advice.reason} {the(advice.name, capital=True)} is not made in {advice.size}; offer a similar item."
    stock = (
        f"Size {advice.size} is in stock in {', '.join(advice.colours_in_stock)}."
        if advice.colours_in_stock
        else f"Size {advice.size} is sold out in every colour."
    )
    return f"Recommended size {advice.size}. {advice.reason} {stock}"


@function_tool
async def get_style_recommendations(context: Ctx, product: str) -> str:
    """What goes with an item: colours that pair with it and in-stock pieces that complete an outfit.

    Args:
        product: The caller's words for it, e.g. "the Alpine rain jacket", "the jeans", "FSH-2001".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product, category="fashion")
    async with service_errors():
        advice = await ctx.services.catalog.style_advice(item.sku, limit=3)
    if not advice.suggestions:
        colours = ", ".join(advice.colours)
        return f"Nothing in stock pairs with {the(item.name)} right now. Colours that go with it: {colours}."
    present(ctx, [s.product for s in advice.suggestions])
    lines = " ".join(
        f"{i}. {s.product.spoken()} ({s.product.sku}), {dollars(s.product.price_cents)}: {s.reason}."
        for i, s in enumerate(advice.suggestions, start=1)
    )
    return f"With {the(item.name)}: {lines}"


@function_tool
async def find_similar_items(context: Ctx, product: str) -> str:
    """Items like this one (same kind, close in price), e.g. when it is sold out in the caller's size.

    Args:
        product: The caller's words for it, e.g. "the Harbor rain jacket", "the second one", "FSH-2002".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product, category="fashion")
    async with service_errors():
        similar = await ctx.services.catalog.similar(item.sku, limit=3)
    if not similar:
        return f"There is nothing similar to {the(item.name)} in the catalogue."
    present(ctx, [s.product for s in similar])
    lines = " ".join(
        f"{i}. {s.product.spoken()} ({s.product.sku}), {dollars(s.product.price_cents)}, "
        f"{'in stock' if s.product.in_stock else 'out of stock'}: {s.reason}."
        for i, s in enumerate(similar, start=1)
    )
    return f"Similar to {the(item.name)}: {lines}"


FASHION_TOOLS: list[llm.Tool] = [
    search_fashion,
    get_product_details,
    get_sizing_guide,
    check_availability,
    get_style_recommendations,
    find_similar_items,
]
"""The fashion desk's tools."""
