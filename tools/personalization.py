"""Personalization desk tools: the caller's preferences, recommendations, suggestions for a need, and what
they looked at in this call.

Only the verified caller's own preferences and history are reachable (``ctx.require_verified()``; the
service filters by their id). Products the tools present are remembered (``present``) so
"the cheaper one" or "the second one" resolves later (:func:`tools.references.present`, ``resolve_product``).
Saving a preference is a write (code reads it back, the caller's yes decides); noting what the caller
viewed or asked is not: it logs the caller's own activity in this call, capped per call by the service.
"""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from call.redaction import redact
from services.views import PreferenceView, SuggestionView, dollars

from .common import clean_text, free_text, service_errors
from .references import present, resolve_product
from .writes import propose_write

Ctx = RunContext[CustomerContext]

PreferenceKeyName = Literal[
    "favourite_category", "preferred_brand", "clothing_size", "shoe_size", "budget_max", "colour", "book_format"
]
"""The keys callers can set (:data:`services.personalization.PREFERENCE_KEYS`)."""
BehaviorKind = Literal["viewed", "asked", "compared", "carted"]

MAX_NEED = 120
MAX_VALUE = 80


def _pref_sentence(p: PreferenceView) -> str:
    return p.spoken()


def _suggestion_line(s: SuggestionView) -> str:
    brand = f" by {s.brand}" if s.brand and s.brand.casefold() not in s.name.casefold() else ""
    rating = f", rated {s.rating_tenths / 10:.1f}" if s.rating_tenths else ""
    why = f": {', '.join(s.reasons[:3])}" if s.reasons else ""
    return f"{s.name} ({s.sku}){brand}, {dollars(s.price_cents)}{rating}{why}."


async def _present(ctx: CustomerContext, picks: list[SuggestionView]) -> None:
    """Remember the products just offered, in order, so "the second one" or "the cheaper one" resolves to them."""
    async with service_errors():
        products = await ctx.services.catalog.get_products([p.sku for p in picks])
    present(ctx, products)


@function_tool
async def get_preferences(context: Ctx) -> str:
    """The caller's saved shopping preferences (category, brand, sizes, budget, colour, book format)."""
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        prefs = await ctx.services.personalization.preferences(customer.id)
    if not prefs:
        return "The caller has no saved preferences."
    return "Saved preferences: " + "; ".join(_pref_sentence(p) for p in prefs) + "."


@function_tool
async def update_preferences(context: Ctx, key: PreferenceKeyName, value: str) -> str | ToolResult:
    """Save one shopping preference (or remove it with value "none"). Code reads it back; the caller's yes decides.

    Args:
        key: Which preference: favourite_category (books, electronics, fashion, home), preferred_brand,
            clothing_size (XS to XXL), shoe_size (US, e.g. 9.5), budget_max (dollars, e.g. 150), colour,
            book_format (hardcover, paperback, ebook, audiobook).
        value: The value as the caller said it ("medium", "nine and a half", "150 dollars"), or "none" to remove.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    said = free_text(value, field="value", max_len=MAX_VALUE)
    service = ctx.services.personalization
    async with service_errors():
        wanted = await service.check_preference(key, said)
        current = {p.key: p for p in await service.preferences(customer.id)}
    label = key.replace("_", " ")
    if wanted is None and key not in current:
        return f"The caller has no saved {label}; nothing to remove."
    if wanted is not None and current.get(key) == wanted:
        return f"Already saved: {wanted.spoken()}. Nothing to change."
    was = f" (it was {current[key].spoken()})" if key in current and wanted is not None else ""
    read_back = f"I'll save your {wanted.spoken()}{was}." if wanted is not None else f"I'll remove your saved {label}."

    async def _save() -> str:
        async with service_errors():
            saved = await service.set_preference(customer.id, key, said)
        if saved is None:
            ctx.note_action(f"Preference {key} removed")
            return f"Done, your {label} is no longer saved."
        ctx.note_action(f"Preference saved: {saved.spoken()}")
        return f"Saved: {saved.spoken()}. Recommendations will use it from now on."

    return propose_write(
        context,
        name="update_preferences",
        arguments={"key": key, "value": wanted.value if wanted else "none"},
        read_back=read_back,
        execute=_save,
    )


@function_tool
async def get_recommendations(context: Ctx, category: str = "") -> str:
    """Products for the caller from their orders, saved preferences and browsing, never ones they bought.

    Present at most three, each with its reason.

    Args:
        category: Only this category ("books", "electronics", "fashion", "home"), or "" for any.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    wanted = clean_text(category, field="category", max_len=40) or None
    async with service_errors():
        picks = await ctx.services.personalization.recommendations(customer.id, category=wanted, limit=3)
    if not picks:
        return "Nothing in stock fits the caller's preferences and budget right now. Ask what they are looking for."
    await _present(ctx, picks)
    return "Recommended for the caller: " + " ".join(_suggestion_line(p) for p in picks)


@function_tool
async def suggest_products(context: Ctx, occasion_or_need: str) -> str:
    """Products that fit an occasion or need the caller describes, weighed by their preferences and budget.

    E.g. "a gift for a friend who loves cooking", "something for a rainy hike".

    Args:
        occasion_or_need: The caller's words, a short phrase (under 120 characters).
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    need = free_text(occasion_or_need, field="occasion or need", max_len=MAX_NEED)
    async with service_errors():
        picks = await ctx.services.personalization.suggest(customer.id, need, limit=3)
    if not picks:
        return (
            f"Nothing in the catalogue fits '{need}'. Ask what kind of product they have in mind, "
            "or which category to look in."
        )
    await _present(ctx, picks)
    return f"Suggestions for '{need}': " + " ".join(_suggestion_line(p) for p in picks)


@function_tool
async def track_behavior(context: Ctx, kind: BehaviorKind, product: str = "", query: str = "") -> str:
    """Silently note a product the caller looked at or a question they asked, for later recommendations.

    Nothing is said to the caller about it; no confirmation is needed.

    Args:
        kind: viewed, asked, compared or carted.
        product: The product as the caller named it ("the blue rain jacket", "the second one"), or "".
        query: What they asked about, a short phrase ("waterproof hiking boots"), or "".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    asked = redact(clean_text(query, field="query", max_len=MAX_NEED))
    named = clean_text(product, field="product", max_len=MAX_NEED)
    if not asked and not named:
        raise ToolError("Give the product the caller looked at, or what they asked about.")
    sku = (await resolve_product(ctx, named)).sku if named else None
    async with service_errors():
        await ctx.services.personalization.track(customer.id, ctx.call_id, kind=kind, sku=sku, query=asked)
    return "Noted."


PERSONALIZATION_TOOLS: list[llm.Tool] = [
    get_recommendations,
    suggest_products,
    get_preferences,
    update_preferences,
    track_behavior,
]
