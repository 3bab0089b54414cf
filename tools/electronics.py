"""Electronics desk tools: search, spec comparison, compatibility between two products.

Compatibility is decided from structured specs (ports, connectors, wattage, Qi, Bluetooth codecs) by
:func:`services.catalog._compatibility`; these tools resolve the caller's words and phrase the verdict.
"""

from __future__ import annotations

from livekit.agents import RunContext, function_tool, llm

from call.context import CustomerContext

from .catalog import check_availability, check_stock, compare, get_product_details, search
from .common import service_errors
from .references import present, resolve_product

Ctx = RunContext[CustomerContext]


@function_tool
async def search_tech(context: Ctx, query: str, max_price_dollars: float = 0) -> str:
    """Search electronics: phones, chargers, headphones, earbuds, laptops, tablets, monitors, cables, power banks.

    Args:
        query: The caller's words, e.g. "65 watt usb-c charger", "noise cancelling earbuds", "27 inch 4K monitor".
        max_price_dollars: Only products at or under this price, e.g. 300; 0 for no limit.
    """
    return await search(context, query, category="electronics", max_price_dollars=max_price_dollars)


@function_tool
async def compare_specs(context: Ctx, products: list[str]) -> str:
    """Compare the specs of two or three electronics products: the differences first.

    Args:
        products: Two or three of the caller's references, e.g. ["the first one", "the second one"] or
            ["ELC-3001", "Lumen Air earbuds"].
    """
    return await compare(context, products, category="electronics")


@function_tool
async def get_compatibility(context: Ctx, product: str, other_product: str) -> str:
    """Whether two electronics products work together (charger and phone, cable and laptop, monitor and laptop,
    headphones and phone), and what else is needed.

    Args:
        product: The caller's words for the first, e.g. "the 65 watt charger", "ELC-3006".
        other_product: The second, e.g. "the Nimbus laptop", "my Aria 13 phone".
    """
    ctx = context.userdata
    first = await resolve_product(ctx, product, category="electronics")
    second = await resolve_product(ctx, other_product, category="electronics")
    async with service_errors():
        verdict = await ctx.services.catalog.compatibility(first.sku, second.sku)
    present(ctx, [first, second])
    answer = "Yes, they work together." if verdict.compatible else "No, they do not work together."
    return " ".join(p for p in (answer, verdict.reason, verdict.caveat) if p)


ELECTRONICS_TOOLS: list[llm.Tool] = [
    search_tech,
    get_product_details,
    compare_specs,
    get_compatibility,
    check_stock,
    check_availability,
]
"""The electronics desk's tools."""
