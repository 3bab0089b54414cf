"""Promotions desk tools: current deals (open to anyone), and codes checked against the verified
caller's own cart.

Browsing promotions needs no verification. Eligibility, discounts and applying a code read the
caller's cart and redemptions, so they need a verified caller (:func:`tools.access.verified_or_handoff`).
The rules (dates, category, minimum spend, membership, once per customer, one per order) and every
amount are decided by :mod:`services.promotions`; spoken codes ("save ten") are normalised there.
"""

from __future__ import annotations

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from services.promotions import refusal
from services.views import PromotionView, dollars, spoken_date

from .access import verified_or_handoff
from .cart import apply_code, promo_code_text, view_cart
from .common import clean_text, preview, service_errors
from .errors import sentence_for

Ctx = RunContext[CustomerContext]

PROMOTIONS_SPOKEN = 5
"""Promotions listed at most in one answer."""
CATEGORY_WORDS: dict[str, str] = {
    "book": "books",
    "books": "books",
    "reading": "books",
    "novels": "books",
    "electronics": "electronics",
    "electronic": "electronics",
    "tech": "electronics",
    "gadgets": "electronics",
    "fashion": "fashion",
    "clothes": "fashion",
    "clothing": "fashion",
    "apparel": "fashion",
    "home": "home",
    "kitchen": "home",
    "furniture": "home",
    "home goods": "home",
    "gift cards": "gift_cards",
    "gift card": "gift_cards",
}
"""What callers call the catalogue's categories."""


def category_arg(value: object) -> str | None:
    """A category from the model ("" for all; "books", "clothes", "kitchen"...) as the catalogue names it.

    Raises:
        ToolError: not text, or not a category of the catalogue.
    """
    text = clean_text(value, field="category", max_len=40).casefold()
    if not text or text in ("all", "any", "everything"):
        return None
    if text in CATEGORY_WORDS:
        return CATEGORY_WORDS[text]
    raise ToolError(
        f"'{preview(text)}' is not a category. Use books, electronics, fashion, home or gift cards, or '' for all."
    )


def _promotion_line(p: PromotionView) -> str:
    return f"{p.code}: {p.terms()}, until {spoken_date(p.ends_on)}."


@function_tool
async def get_current_promotions(context: Ctx, category: str = "") -> str:
    """The promotions running today, optionally only those for one category (sitewide ones included).

    Args:
        category: "books", "electronics", "fashion", "home", "gift cards", or "" for every promotion.
    """
    wanted = category_arg(category)
    async with service_errors():
        found = await context.userdata.services.promotions.current_promotions(wanted)
    if not found:
        scope = f" for {wanted.replace('_', ' ')}" if wanted else ""
        return f"No promotions are running today{scope}."
    shown = " ".join(_promotion_line(p) for p in found[:PROMOTIONS_SPOKEN])
    more = len(found) - PROMOTIONS_SPOKEN
    rest = f" And {more} more." if more > 0 else ""
    return f"{len(found)} promotion{'s' if len(found) > 1 else ''} running today. {shown}{rest}"


@function_tool
async def check_eligibility(context: Ctx, code: str) -> str | Agent:
    """Whether a promotion code works on the caller's cart now, and if not, which rule it fails.

    Args:
        code: The code as the caller said it, e.g. "SAVE10", "save ten" or "s a v e 1 0".
    """
    ctx = context.userdata
    text = promo_code_text(code)
    who = verified_or_handoff(
        context, request=f"check the code {text} on your cart", tool="check_eligibility", arguments={"code": text}
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        check = await ctx.services.promotions.check_eligibility(who.id, text)
    promo = check.promotion
    if check.eligible:
        if not check.eligible_subtotal_cents:
            return f"Code {promo.code} ({promo.terms()}) can be used; the cart is empty, so it takes nothing off yet."
        capped = ", the most it gives" if check.capped else ""
        return (
            f"Code {promo.code} applies: {dollars(check.discount_cents)} off{capped} "
            f"({promo.terms()}, on {dollars(check.eligible_subtotal_cents)} of the cart)."
        )
    return f"Code {promo.code} does not apply. {sentence_for(refusal(check))}"


@function_tool
async def calculate_discount(context: Ctx, code: str) -> str | Agent:
    """How much a promotion code takes off the caller's cart and what the total would then be (nothing is applied).

    Args:
        code: The code as the caller said it, e.g. "TAKE20" or "take twenty".
    """
    ctx = context.userdata
    text = promo_code_text(code)
    who = verified_or_handoff(
        context, request=f"work out the code {text} on your cart", tool="calculate_discount", arguments={"code": text}
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        view = await ctx.services.cart.preview_promotion(who.id, text)
    check = view.promotion
    assert check is not None and check.eligible  # preview_promotion raises the failed rule otherwise
    capped = " (its cap)" if check.capped else ""
    total = ""
    if view.address is not None:
        shipping = "free shipping" if not view.shipping_cents else f"{dollars(view.shipping_cents)} shipping"
        total = (
            f" With it the cart would be {dollars(view.total_cents)}: {dollars(view.subtotal_cents)} minus "
            f"{dollars(view.discount_cents)}, plus {dollars(view.tax_cents)} tax and {shipping}."
        )
    return (
        f"Code {check.promotion.code} takes {dollars(check.discount_cents)} off{capped}.{total} It is not applied yet."
    )


@function_tool
async def apply_promo_code(context: Ctx, code: str) -> ToolResult | Agent:
    """Apply a promotion code to the caller's cart (one per order); code reads back the discount, applies after a yes.

    Args:
        code: The code as the caller said it, e.g. "SAVE10", "save ten" or "s a v e 1 0".
    """
    return await apply_code(context, code, tool="apply_promo_code")


PROMOTION_TOOLS: list[llm.Tool] = [
    get_current_promotions,
    check_eligibility,
    calculate_discount,
    apply_promo_code,
    view_cart,
]
"""The promotions desk's tools (``view_cart`` is shared with sales)."""
