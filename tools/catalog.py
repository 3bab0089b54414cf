"""Catalogue tools shared by the four catalogue desks and sales: search, details, comparison, availability, stock.

Browsing needs no verification: none of these tools reads the caller's own data. Products are named by
the caller's words and resolved by code (:mod:`tools.references`); every product a tool tells the model
about is recorded as presented (:func:`tools.references.present`), so "the cheaper one" works next turn.
Outputs are short facts for the model to speak from: at most five products, prices in dollars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from livekit.agents import RunContext, ToolError, function_tool, llm

from call.context import CustomerContext
from services.catalog import CATEGORIES
from services.catalog_seed import ELECTRONICS_SPEC_KEYS
from services.views import ProductView, VariantView, dollars, the

from .common import preview, service_errors
from .references import present, price_text, resolve_product, resolve_variant

Ctx = RunContext[CustomerContext]
Category = Literal["", "home", "electronics", "fashion", "books"]

MAX_SHOWN = 5
"""Most products one tool output lists (a caller cannot follow more by ear)."""
LOW_STOCK = 3
"""At or under this many units, a variant is "only N left"."""
MAX_PRICE_DOLLARS = 100_000
"""Highest price limit accepted for a search, in dollars."""
DIGITAL_FORMATS = ("ebook", "audiobook", "digital")


# --- formatting --------------------------------------------------------------------------------------------


def stars(product: ProductView) -> str:
    """``"4.7 stars"``."""
    return f"{product.rating_tenths / 10:.1f} stars"


def stock_text(variants: Sequence[VariantView]) -> str:
    """``"in stock"``, ``"only 2 left"`` or ``"out of stock"`` for these variants together."""
    if any(v.format in DIGITAL_FORMATS and v.in_stock for v in variants):
        return "available"
    units = sum(v.stock for v in variants)
    if units <= 0:
        return "out of stock"
    return f"only {units} left" if units <= LOW_STOCK else "in stock"


def product_line(product: ProductView, number: int | None = None) -> str:
    """One product as the model speaks it: ``"2. Alpine rain jacket by Northwind (FSH-2001), $129.00, 4.7 stars,
    in stock."``"""
    prefix = f"{number}. " if number is not None else ""
    return (
        f"{prefix}{product.spoken()} ({product.sku}), {price_text(product)}, {stars(product)}, "
        f"{stock_text(product.variants) if product.variants else ('in stock' if product.in_stock else 'out of stock')}."
    )


def listing(products: Sequence[ProductView]) -> str:
    """Numbered product lines (at most :data:`MAX_SHOWN`)."""
    return " ".join(product_line(p, i) for i, p in enumerate(products[:MAX_SHOWN], start=1))


def max_price_cents(max_price_dollars: object) -> int | None:
    """A price limit in cents from dollars (0: no limit).

    Raises:
        ToolError: not a number, negative, not finite or absurdly large.
    """
    if isinstance(max_price_dollars, bool) or not isinstance(max_price_dollars, int | float):
        raise ToolError("The maximum price must be a number of dollars, e.g. 800, or 0 for no limit.")
    if not math.isfinite(max_price_dollars) or not 0 <= max_price_dollars <= MAX_PRICE_DOLLARS:
        raise ToolError(f"The maximum price must be between 0 and {MAX_PRICE_DOLLARS} dollars (0 for no limit).")
    return round(max_price_dollars * 100) if max_price_dollars else None


def details_sentence(product: ProductView) -> str:
    """The facts of one product: what it is, price, rating, description, category facts and seller."""
    a = product.attributes
    parts = [f"{product.spoken()} ({product.sku}, a {product.kind}): {price_text(product)}, {stars(product)}."]
    if product.description:
        parts.append(product.description)
    if product.category == "home" and "width_in" in a:
        parts.append(f"It is {a['width_in']} in wide, {a['depth_in']} in deep and {a['height_in']} in high.")
    elif product.category == "electronics":
        specs = a.get("specs") or {}
        labels = ELECTRONICS_SPEC_KEYS.get(product.kind, ())
        shown = [f"{label} {_value(specs[key])}" for key, label in labels if key in specs][:6]
        if shown:
            parts.append("Specs: " + "; ".join(shown) + ".")
    elif product.category == "fashion":
        parts.append(
            f"{str(a.get('material', '')).capitalize()}, {a.get('fit', 'regular')} fit; colours "
            f"{', '.join(product.options('colour'))}; sizes {', '.join(product.options('size'))}."
        )
    elif product.category == "books":
        series = f", book {a.get('series_number')} of {a.get('series')}" if a.get("series") else ""
        parts.append(f"{str(a.get('genre', '')).capitalize()}, {a.get('pages')} pages, {a.get('year')}{series}.")
    parts.append(f"Availability: {stock_text(product.variants)}.")
    if product.seller_name:
        parts.append(f"Sold by {product.seller_name}.")
    return " ".join(parts)


def availability_summary(product: ProductView) -> str:
    """What is in stock, grouped by the product's first dimension (format, colour or size)."""
    if len(product.variants) <= 1:
        return f"{_cap(the(product.title))} is {stock_text(product.variants)}."
    dimension = "format" if product.options("format") else "colour" if product.options("colour") else "size"
    if dimension == "colour" and product.options("size"):
        parts = []
        for colour in product.options("colour"):
            sizes = [v.size for v in product.variants if v.colour == colour and v.in_stock]
            parts.append(f"{colour}: {', '.join(sizes) if sizes else 'sold out'}")
        return f"{_cap(the(product.title))} in stock by colour, sizes: " + "; ".join(parts) + "."
    parts = []
    for value in product.options(dimension):
        chosen = [v for v in product.variants if getattr(v, dimension) == value]
        parts.append(f"{value} {dollars(chosen[0].price_cents)} {stock_text(chosen)}")
    return f"{_cap(the(product.title))}: " + "; ".join(parts) + "."


def variant_sentence(product: ProductView, variant: VariantView) -> str:
    """One variant's price and stock, with in-stock alternatives when it is out of stock."""
    label = variant.label()
    stock = stock_text([variant])
    verb = "has" if stock.startswith("only") else "is"
    where = f" in {label}" if label else ""
    line = f"{_cap(the(product.title))}{where} {verb} {stock}, {dollars(variant.price_cents)}."
    if variant.in_stock:
        return line
    same_size = [v.colour for v in product.variants if v.in_stock and v.size == variant.size and v.colour]
    same_colour = [v.size for v in product.variants if v.in_stock and v.colour == variant.colour and v.size]
    others = [v.label() for v in product.variants if v.in_stock][:4]
    if variant.size and same_size:
        return line + f" In size {variant.size} it is in stock in {', '.join(same_size)}."
    if variant.colour and same_colour:
        return line + f" In {variant.colour} it is in stock in sizes {', '.join(same_colour)}."
    return line + (f" In stock: {', '.join(others)}." if others else " No option of it is in stock.")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- shared implementations ------------------------------------------------------------------------------


async def search(context: Ctx, query: str, *, category: str | None, max_price_dollars: float = 0) -> str:
    """Search one category (or all) and present the hits; the body of every search tool."""
    ctx = context.userdata
    limit = max_price_cents(max_price_dollars)
    async with service_errors():  # the service checks the query (empty, too long, not plain text)
        hits = await ctx.services.catalog.search(category, query, limit=MAX_SHOWN, max_price_cents=limit)
    where = f"{category} " if category else ""
    under = f" under {dollars(limit)}" if limit else ""
    if not hits:
        return f"No {where}products{under} match '{preview(query.strip())}'. Ask the caller to describe it another way."
    present(ctx, hits)
    return f"{len(hits)} match{'es' if len(hits) > 1 else ''}{under}: {listing(hits)}"


async def compare(context: Ctx, products: object, *, category: str | None) -> str:
    """Resolve two or three products and compare them; the body of the compare tools."""
    ctx = context.userdata
    if not isinstance(products, list | tuple) or not 2 <= len(products) <= 3:
        raise ToolError('Compare two or three products: pass a list such as ["the first one", "ELC-3002"].')
    resolved = [await resolve_product(ctx, p, category=category) for p in products]
    async with service_errors():
        comparison = await ctx.services.catalog.compare([p.sku for p in resolved])
    present(ctx, comparison.products)
    names = " and ".join(f"{p.spoken()} ({p.sku})" for p in comparison.products)
    diffs = "; ".join(f"{r.label}: {' vs '.join(r.values)}" for r in comparison.differences[:7])
    same = ", ".join(r.label for r in comparison.same[:4])
    return f"Comparing {names}. Differences: {diffs or 'none listed'}." + (f" The same: {same}." if same else "")


# --- the generic tools --------------------------------------------------------------------------------


@function_tool
async def search_products(context: Ctx, query: str, category: Category = "", max_price_dollars: float = 0) -> str:
    """Search the whole catalogue (or one department) by name, brand, kind, author or description.

    Args:
        query: A few words as the caller said them, e.g. "noise cancelling headphones", "lighthouse keeper".
        category: "home", "electronics", "fashion" or "books"; "" for every department.
        max_price_dollars: Only products at or under this price, e.g. 800; 0 for no limit.
    """
    return await search(context, query, category=category or None, max_price_dollars=max_price_dollars)


@function_tool
async def get_product_details(context: Ctx, product: str) -> str:
    """Everything about one product: what it is, price, rating, key facts, availability and seller.

    Args:
        product: The caller's words for it: a name ("the Alpine rain jacket"), "the second one", "the cheaper
            one", "the blue one", or a code such as "FSH-2001".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product)
    present(ctx, [item])
    return details_sentence(item)


@function_tool
async def compare_products(context: Ctx, products: list[str]) -> str:
    """Compare two or three products side by side: the differences that matter first.

    Args:
        products: Two or three of the caller's references, e.g. ["the first one", "the cheaper one"] or
            ["FSH-2001", "Harbor packable rain jacket"].
    """
    return await compare(context, products, category=None)


@function_tool
async def check_availability(context: Ctx, product: str, size: str = "", colour: str = "", format: str = "") -> str:
    """Whether a product is in stock in a given size, colour or book format, and its price in it.

    Leave size, colour and format empty to hear what is in stock overall.

    Args:
        product: The caller's words for it, e.g. "the Alpine rain jacket", "the first one", "FSH-2001".
        size: e.g. "M", "medium", "32", "nine and a half", "256 GB"; "" if not said.
        colour: e.g. "navy", "red"; "" if not said.
        format: Books: "hardcover", "paperback", "ebook" or "audiobook"; "" if not said.
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product)
    present(ctx, [item])
    if not any(isinstance(v, str) and v.strip() for v in (size, colour, format)):
        return availability_summary(item)
    variant = await resolve_variant(ctx, item, size=size, colour=colour, format=format)
    return variant_sentence(item, variant)


@function_tool
async def check_stock(context: Ctx, product: str) -> str:
    """How many units of a product are in stock, and which of its options are sold out.

    Args:
        product: The caller's words for it, e.g. "the Harbor sofa", "the second one", "HOM-4003".
    """
    ctx = context.userdata
    item = await resolve_product(ctx, product)
    present(ctx, [item])
    physical = [v for v in item.variants if v.format not in DIGITAL_FORMATS]
    digital = [v.format for v in item.variants if v.format in DIGITAL_FORMATS and v.in_stock]
    parts = [f"{item.spoken()} ({item.sku}):"]
    if physical:
        units = sum(v.stock for v in physical)
        parts.append(
            f"{units} unit{'s' if units != 1 else ''} in stock"
            + (f" over {len(physical)} options." if len(physical) > 1 else ".")
        )
        sold_out = [v.label() for v in physical if not v.in_stock]
        low = [f"{v.label() or 'it'} ({v.stock} left)" for v in physical if 0 < v.stock <= LOW_STOCK]
        if sold_out:
            parts.append(f"Sold out: {', '.join(sold_out[:6])}{' and more' if len(sold_out) > 6 else ''}.")
        if low:
            parts.append(f"Running low: {', '.join(low[:4])}.")
    if digital:
        parts.append(f"Always available as {' and '.join(digital)}.")
    return " ".join(parts)


CATALOG_TOOLS: list[llm.Tool] = [
    search_products,
    get_product_details,
    compare_products,
    check_availability,
    check_stock,
]
"""The generic catalogue tools (sales uses them; each desk takes the ones it needs)."""

__all__ = [
    "CATALOG_TOOLS",
    "CATEGORIES",
    "availability_summary",
    "check_availability",
    "check_stock",
    "compare",
    "compare_products",
    "details_sentence",
    "get_product_details",
    "listing",
    "max_price_cents",
    "price_text",
    "product_line",
    "search",
    "search_products",
    "stars",
    "stock_text",
    "variant_sentence",
]
