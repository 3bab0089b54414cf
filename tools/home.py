"""Home desk tools: furniture and home goods search, dimensions and clearance, room fit.

The rules (clearance around each kind of piece, the 36 in walkway, a 32 in doorway) live in
:mod:`services.catalog`; these tools resolve the caller's words to a product and phrase the answer.
"""

from __future__ import annotations

from livekit.agents import RunContext, ToolError, function_tool, llm

from call.context import CustomerContext
from services.views import the

from .catalog import check_stock, compare_products, get_product_details, search
from .common import clean_text, service_errors
from .references import present, resolve_product

Ctx = RunContext[CustomerContext]


@function_tool
async def search_home_products(context: Ctx, query: str, max_price_dollars: float = 0) -> str:
    """Search home goods: furniture, rugs, lamps, kitchenware, decor.

    Args:
        query: The caller's words, e.g. "three seat sofa", "oak dining table", "cast iron skillet".
        max_price_dollars: Only products at or under this price, e.g. 900; 0 for no limit.
    """
    return await search(context, query, category="home", max_price_dollars=max_price_dollars)


@function_tool
async def get_product_dimensions(context: Ctx, product: str, room: str = "") -> str:
    """Dimensions, clearance needed around it, assembly, weight capacity, doorway fit, and whether it suits a room.

    Args:
        product: The caller's words for it, e.g. "the Harbor sofa", "the second one", "HOM-4003".
        room: A room type if the caller named one, e.g. "living room", "bedroom", "home office"; "" if not.
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product, category="home")
    room_text = clean_text(room, field="room", max_len=60)
    async with service_errors():
        d = await ctx.services.catalog.dimensions(item.sku, room=room_text)
    present(ctx, [item])
    parts = [
        f"{the(d.name, capital=True)} ({d.sku}) is {d.width_in} in wide, {d.depth_in} in deep and {d.height_in} in high"
    ]
    parts[0] += f", {d.weight_lb} lb." if d.weight_lb else "."
    if d.clearance_note and (d.clearance_front_in or d.clearance_back_in or d.clearance_sides_in):
        parts.append(
            f"Leave {d.clearance_note}: it needs a floor area of {d.needs_length_in} by {d.needs_width_in} in."
        )
    if d.weight_capacity_lb:
        parts.append(f"It holds up to {d.weight_capacity_lb} lb.")
    parts.append(
        f"Assembly takes about {d.assembly_minutes} minutes; it ships flat-packed."
        if d.assembly_required
        else "It arrives assembled."
    )
    if d.through_doorway is False:
        parts.append("Assembled, it is too big for a standard 32 in doorway: measure doors and stairs first.")
    if d.materials:
        parts.append(f"Materials: {', '.join(d.materials)}.")
    if d.room:
        rooms = ", ".join(d.rooms)
        parts.append(
            f"It is made for a {d.room}." if d.room_suited else f"It is not designed for a {d.room}; it suits: {rooms}."
        )
    return " ".join(parts)


@function_tool
async def check_room_fit(context: Ctx, product: str, room_length_feet: float, room_width_feet: float) -> str:
    """Whether a piece fits a room, counting the free space it needs around it (walkway, chairs pulled out...).

    Args:
        product: The caller's words for it, e.g. "the dining table", "the first one", "HOM-4005".
        room_length_feet: The room's length in feet, e.g. 12 (convert metres: multiply by 3.28).
        room_width_feet: The room's width in feet, e.g. 10.
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product, category="home")
    for name, value in (("room length", room_length_feet), ("room width", room_width_feet)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ToolError(f"The {name} must be a number of feet, e.g. 12.")
    async with service_errors():
        fit = await ctx.services.catalog.check_room_fit(item.sku, float(room_length_feet), float(room_width_feet))
    present(ctx, [item])
    return fit.reason + " Doors, windows and other furniture are not counted; suggest measuring them too."


HOME_TOOLS: list[llm.Tool] = [
    search_home_products,
    get_product_details,
    get_product_dimensions,
    check_room_fit,
    check_stock,
    compare_products,
]
"""The home desk's tools."""
