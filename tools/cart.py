"""Cart and checkout tools of the sales desk: the verified caller's own cart only.

The customer is always the verified caller (:func:`tools.access.verified_or_handoff`: an unverified
caller is handed to authentication with the request, and back); no tool takes a customer id. Products
and variants are resolved by code from the caller's words (:mod:`tools.references`); items already in
the cart are resolved against the caller's own cart. Every change goes through :func:`propose_write`:
code reads back the item, quantity and price, or the order's exact total, and the caller's yes decides.
Totals, tax, shipping, stock and promotions are decided by :mod:`services.cart`; these tools only format.
"""

from __future__ import annotations

from dataclasses import replace

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult
from rapidfuzz import fuzz, process

from call.context import CustomerContext
from services.promotions import refusal
from services.views import CartLineView, CartView, PromotionCheck, dollars, spoken_weekday, the

from .access import verified_or_handoff
from .common import clean_text, free_text, preview, service_errors
from .errors import sentence_for
from .references import resolve_product, resolve_variant
from .writes import propose_write

Ctx = RunContext[CustomerContext]

MAX_REFERENCE = 120
"""Longest product or cart item reference accepted, in characters."""
MAX_OPTION = 24
"""Longest size, colour or format accepted, in characters."""
MAX_CODE_TEXT = 60
"""Longest promotion code text accepted (a spelled-out code is long: "s a v e one zero")."""
MAX_QUANTITY = 10
"""Units of one item per cart line (the service's rule; checked here to refuse early with a sentence)."""
LINES_SPOKEN = 3
"""Cart lines read out in a read-back or summary before "and N more"."""
MIN_ITEM_SCORE = 60
"""rapidfuzz WRatio (0–100) at which a cart line matches the caller's words."""
AMBIGUOUS_MARGIN = 5
"""Two cart lines scoring within this many points of each other are ambiguous."""


_CATEGORY_WORDS = {"books": "book novel", "electronics": "electronics device", "fashion": "clothes", "home": "home"}
"""Words callers use for a cart line's category ("the book"), matched with its name."""
_FILLER = frozenset(
    {"the", "a", "an", "my", "one", "ones", "it", "that", "this", "of", "please", "item", "from", "cart"}
)

# ---------------------------------------------------------------------------------------------- helpers


def quantity_arg(value: object, *, allow_zero: bool = False) -> int:
    """A quantity from the model: a whole number from 1 (or 0 with ``allow_zero``) to :data:`MAX_QUANTITY`.

    Raises:
        ToolError: not a whole number, or out of range.
    """
    low = 0 if allow_zero else 1
    refused = f"The quantity must be a whole number from {low} to {MAX_QUANTITY}. Ask the caller how many."
    if isinstance(value, bool):
        raise ToolError(refused)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= MAX_QUANTITY:
        raise ToolError(refused)
    return value


def promo_code_text(value: object) -> str:
    """The caller's words for a promotion code, checked (the service normalises and matches them).

    Raises:
        ToolError: not text, empty, too long or not storable.
    """
    return free_text(value, field="promotion code", max_len=MAX_CODE_TEXT)


def _option(value: object, field: str) -> str:
    return clean_text(value, field=field, max_len=MAX_OPTION)


def _lines(lines: tuple[CartLineView, ...], *, prices: bool = True) -> str:
    shown = [
        f"{line.spoken()}, {dollars(line.line_total_cents)}" if prices else line.spoken()
        for line in lines[:LINES_SPOKEN]
    ]
    more = len(lines) - LINES_SPOKEN
    if more > 0:
        shown.append(f"and {more} more item{'s' if more > 1 else ''}")
    return "; ".join(shown)


def promotion_note(check: PromotionCheck | None) -> str:
    """A sentence about the cart's promotion for the model: its discount, or why it no longer applies."""
    if check is None:
        return ""
    code = check.promotion.code
    if check.eligible:
        capped = " (the promotion's cap)" if check.capped else ""
        return f" Code {code} takes {dollars(check.discount_cents)} off{capped}."
    return f" Code {code} is on the cart but no longer applies: {sentence_for(refusal(check))}"


def cart_summary(view: CartView) -> str:
    """The cart for the model: lines, then subtotal, discount, tax, shipping and total."""
    if view.empty:
        return "The cart is empty."
    count = sum(line.quantity for line in view.lines)
    parts = [f"The cart has {count} item{'s' if count > 1 else ''}: {_lines(view.lines)}."]
    parts.append(f"Subtotal {dollars(view.subtotal_cents)}.{promotion_note(view.promotion)}")
    if view.address is None:
        parts.append("No shipping address is on file, so tax and shipping cannot be worked out.")
    else:
        tax = f"Tax {dollars(view.tax_cents)} ({view.tax_region} {view.tax_rate_text})."
        shipping = (
            f"Shipping free ({view.free_shipping})."
            if not view.shipping_cents
            else f"Shipping {dollars(view.shipping_cents)}."
        )
        parts.append(f"{tax} {shipping} Total {dollars(view.total_cents)}.")
    return " ".join(parts)


def _money_words(view: CartView) -> str:
    """``"minus $12.90 with code SAVE10, plus $8.42 tax and free shipping"`` for the checkout read-back."""
    parts = []
    promo = view.promotion
    if promo is not None and promo.eligible and view.discount_cents:
        parts.append(f"minus {dollars(view.discount_cents)} with code {promo.promotion.code}")
    parts.append(f"plus {dollars(view.tax_cents)} tax")
    parts.append("free shipping" if not view.shipping_cents else f"{dollars(view.shipping_cents)} shipping")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _match_line(view: CartView, reference: str) -> CartLineView:
    """The line of the caller's own cart that ``reference`` names ("the jacket", "the red one").

    Raises:
        ToolError: the cart is empty, nothing matches, or two lines match about as well (which one?).
    """
    if view.empty:
        raise ToolError("The cart is empty: there is nothing to change.")
    labels = {
        i: f"{line.name} {line.variant_label} {_CATEGORY_WORDS.get(line.category, line.category)} {line.sku}"
        for i, line in enumerate(view.lines)
    }
    words = " ".join(w for w in reference.casefold().replace(",", " ").split() if w not in _FILLER)
    if len(view.lines) == 1 and not words:
        return view.lines[0]  # "it", "that one"
    hits = process.extract(words, labels, scorer=fuzz.WRatio, limit=2, score_cutoff=MIN_ITEM_SCORE)
    if not hits:
        raise ToolError(f"'{preview(reference)}' is not in the cart. The cart has: {_lines(view.lines, prices=False)}.")
    if len(hits) > 1 and hits[0][1] - hits[1][1] < AMBIGUOUS_MARGIN:
        first, second = view.lines[hits[0][2]], view.lines[hits[1][2]]
        raise ToolError(f"Ask which one the caller means: {first.spoken()[2:]} or {second.spoken()[2:]}?")
    return view.lines[hits[0][2]]


async def apply_code(context: Ctx, code: str, *, tool: str) -> ToolResult | Agent:
    """Shared by ``apply_promotion`` (sales) and ``apply_promo_code`` (promotions): check, read back, apply.

    Another promotion already on the cart is replaced only when the read-back said so and the caller
    said yes (one promotion per order).
    """
    ctx = context.userdata
    text = promo_code_text(code)
    who = verified_or_handoff(
        context, request=f"apply the code {text} to your cart", tool=tool, arguments={"code": text}
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        check, current = await ctx.services.promotions.check_apply(who.id, text)
    promo = check.promotion
    saving = f"{dollars(check.discount_cents)} off your cart"
    if current is not None:
        read_back = (
            f"Only one code works per order, so I'll replace {current} with {promo.code}, {promo.terms()}: {saving}."
        )
    else:
        read_back = f"I'll apply code {promo.code}, {promo.terms()}: {saving}."

    async def _apply() -> str:
        async with service_errors():
            applied = await ctx.services.promotions.apply_promo_code(who.id, text, replace=current is not None)
            view = await ctx.services.cart.view(who.id)
        ctx.note_action(
            f"Promotion {applied.promotion.code} applied to the cart ({dollars(applied.discount_cents)} off)"
        )
        total = f" Your cart total is now {dollars(view.total_cents)}." if view.address is not None else ""
        return f"Done. Code {applied.promotion.code} takes {dollars(applied.discount_cents)} off.{total}"

    return propose_write(
        context, name=tool, arguments={"code": promo.code, "replaces": current}, read_back=read_back, execute=_apply
    )


# ------------------------------------------------------------------------------------------------ tools


@function_tool
async def add_to_cart(
    context: Ctx, product: str, quantity: int = 1, size: str = "", colour: str = "", format: str = ""
) -> ToolResult | Agent:
    """Add a product to the caller's cart. Code reads back the item and price and adds it only after a yes.

    Args:
        product: The product as the caller said it, e.g. "the Alpine rain jacket", "FSH-2001", "the cheaper one".
        quantity: How many, 1 to 10 (default 1).
        size: Clothing or shoe size when the product has sizes, e.g. "M", "10.5"; "" if none.
        colour: Colour when the product comes in several, e.g. "navy"; "" if none.
        format: Book format when it is a book: "hardcover", "paperback", "ebook" or "audiobook"; "" if none.
    """
    ctx = context.userdata
    ref = free_text(product, field="product", max_len=MAX_REFERENCE)
    count = quantity_arg(quantity)
    size_t, colour_t, format_t = _option(size, "size"), _option(colour, "colour"), _option(format, "format")
    found = await resolve_product(ctx, ref)
    variant = await resolve_variant(ctx, found, size=size_t, colour=colour_t, format=format_t)
    ctx.show_products([found.sku])
    arguments = {"product": found.name, "quantity": count, "size": size_t, "colour": colour_t, "format": format_t}
    who = verified_or_handoff(
        context, request=f"add {the(found.name)} to your cart", tool="add_to_cart", arguments=arguments
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        line = await ctx.services.cart.check_add(who.id, variant.id, count)
    what = replace(line, quantity=count).spoken()
    each = " each" if count > 1 else ""
    making = f" That makes {line.quantity} in your cart." if line.quantity > count else ""
    read_back = f"I'll add {what}, {dollars(line.unit_price_cents)}{each}, to your cart.{making}"

    async def _add() -> str:
        async with service_errors():
            view = await ctx.services.cart.add_item(who.id, variant.id, count)
        ctx.note_action(f"Added {what} ({line.sku}) to the cart")
        items = sum(line.quantity for line in view.lines)
        return (
            f"Done, it's in your cart. You have {items} item{'s' if items > 1 else ''}, "
            f"subtotal {dollars(view.subtotal_cents)}."
        )

    return propose_write(
        context,
        name="add_to_cart",
        arguments={"variant_id": variant.id, "quantity": count},
        read_back=read_back,
        execute=_add,
    )


@function_tool
async def view_cart(context: Ctx) -> str | Agent:
    """What is in the caller's cart, with the subtotal, the promotion's discount, tax, shipping and the total."""
    ctx = context.userdata
    who = verified_or_handoff(context, request="go over your cart", tool="view_cart", arguments={})
    if isinstance(who, Agent):
        return who
    async with service_errors():
        view = await ctx.services.cart.view(who.id)
    ctx.show_products(list(dict.fromkeys(line.sku for line in view.lines)))
    return cart_summary(view)


@function_tool
async def update_cart_item(context: Ctx, item: str, quantity: int) -> ToolResult | Agent:
    """Change how many of an item in the caller's cart; 0 removes it. Code reads it back and changes it after a yes.

    Args:
        item: The cart item as the caller said it, e.g. "the jacket", "the hardcover", "the silver headphones".
        quantity: The new quantity, 0 to 10 (0 removes the item).
    """
    ctx = context.userdata
    ref = free_text(item, field="item", max_len=MAX_REFERENCE)
    count = quantity_arg(quantity, allow_zero=True)
    who = verified_or_handoff(
        context, request="change your cart", tool="update_cart_item", arguments={"item": ref, "quantity": count}
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        view = await ctx.services.cart.view(who.id)
    line = _match_line(view, ref)
    if count == line.quantity:
        raise ToolError(f"The cart already has {line.spoken()}; nothing to change.")
    async with service_errors():
        await ctx.services.cart.check_set_quantity(who.id, line.variant_id, count)
    what = line.spoken()[len(str(line.quantity)) + 1 :]
    read_back = f"I'll remove {the(what)} from your cart." if count == 0 else f"I'll change {the(what)} to {count}."

    async def _update() -> str:
        async with service_errors():
            after = await ctx.services.cart.set_quantity(who.id, line.variant_id, count)
        ctx.note_action(f"Cart: {what} {'removed' if count == 0 else f'set to {count}'}")
        if after.empty:
            return "Done. Your cart is now empty."
        return f"Done. Your cart subtotal is now {dollars(after.subtotal_cents)}."

    return propose_write(
        context,
        name="update_cart_item",
        arguments={"variant_id": line.variant_id, "quantity": count},
        read_back=read_back,
        execute=_update,
    )


@function_tool
async def apply_promotion(context: Ctx, code: str) -> ToolResult | Agent:
    """Apply a promotion code to the caller's cart (one per order); code reads back the discount, applies after a yes.

    Args:
        code: The code as the caller said it, e.g. "SAVE10", "save ten" or "s a v e 1 0".
    """
    return await apply_code(context, code, tool="apply_promotion")


@function_tool
async def place_order(context: Ctx) -> ToolResult | Agent:
    """Check out: order the caller's whole cart, charged to the card on file and shipped to the address on file.

    Code reads back the exact total (with the discount, tax and shipping) and the address, and places the
    order only after the caller's yes.
    """
    ctx = context.userdata
    who = verified_or_handoff(context, request="place your order", tool="place_order", arguments={})
    if isinstance(who, Agent):
        return who
    async with service_errors():
        quote = await ctx.services.cart.quote_checkout(who.id)
    assert quote.address is not None  # quote_checkout refuses a cart without an address
    dropped = ""
    if quote.promotion is not None and not quote.promotion.eligible:
        dropped = f" Code {quote.promotion.promotion.code} no longer applies to this cart, so it's not included."
    read_back = (
        f"I'll place your order for {_lines(quote.lines, prices=False)}: {dollars(quote.subtotal_cents)}, "
        f"{_money_words(quote)}, "
        f"{dollars(quote.total_cents)} in total, charged to your card on file and shipped to "
        f"{quote.address.line1}, {quote.address.city}.{dropped}"
    )

    async def _place() -> str:
        async with service_errors():
            order = await ctx.services.cart.checkout(who.id, expected_total_cents=quote.total_cents)
        ctx.note_action(f"Order {order.order_id} placed for {dollars(order.total_cents)} ({order.charge_id})")
        return (
            f"Done. Your order number is {order.order_id}, {dollars(order.total_cents)} charged to your card on file. "
            f"It should arrive by {spoken_weekday(order.expected_delivery)}."
        )

    return propose_write(
        context,
        name="place_order",
        arguments={"total_cents": quote.total_cents, "lines": len(quote.lines)},
        read_back=read_back,
        execute=_place,
    )


CART_TOOLS: list[llm.Tool] = [add_to_cart, view_cart, update_cart_item, apply_promotion, place_order]
"""The sales desk's cart tools (the catalogue tools come from :mod:`tools.catalog`)."""
