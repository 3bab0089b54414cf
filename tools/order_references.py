"""Which of the caller's orders they mean, resolved by code from their words.

Callers rarely read out an order number: they say "my last order", "the jacket", "the one that's
in transit". The order tools accept what the caller said and resolve it here against the caller's
own orders only (ownership from ``CustomerContext``), so the model never has to invent an id. An
order number the caller said wins over whatever the model passed (:mod:`tools.grounding`).
"""

from __future__ import annotations

import re

from livekit.agents import ToolError
from rapidfuzz import fuzz

from call.context import CustomerContext
from services.views import OrderView

from .common import clean_text, order_id, preview, service_errors
from .grounding import grounded_order_id, order_number_said

MAX_REFERENCE = 120
"""Longest order reference accepted, in characters."""
RECENT_ORDERS = 10
"""Orders considered when resolving a description (the caller's most recent)."""
MIN_ITEM_SCORE = 70
"""rapidfuzz ``partial_ratio`` (0–100) at which an item name matches the caller's words."""

_LATEST = re.compile(r"\b(last|latest|most recent|newest|recent)\b")
_OLDEST = re.compile(r"\b(first|oldest|earliest)\b")
_STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_transit", ("in transit", "on its way", "on the way", "shipping", "shipped")),
    ("out_for_delivery", ("out for delivery", "arriving today", "coming today")),
    ("processing", ("processing", "not shipped", "hasn't shipped", "just ordered", "being prepared")),
    ("delivered", ("delivered", "arrived", "received", "got")),
)
_CATEGORY_WORDS: dict[str, re.Pattern[str]] = {
    "books": re.compile(r"\b(book|books|novel|novels)\b"),
    "electronics": re.compile(r"\b(electronics|gadget|device)\b"),
    "fashion": re.compile(r"\b(clothes|clothing|outfit)\b"),
    "home": re.compile(r"\b(furniture|homeware|kitchen)\b"),
    "gift_cards": re.compile(r"\b(gift ?card)\b"),
}
_FILLER = re.compile(r"\b(my|the|one|order|orders|i|a|an|that|which|with|from|for|placed|bought|of)\b")


async def resolve_order(ctx: CustomerContext, customer_id: str, reference: object) -> str:
    """The id of the caller's order that ``reference`` names.

    Args:
        ctx: The call's context (for the order number the caller said, if any).
        customer_id: The verified caller (from the context, never from the model).
        reference: What the model passed: an order number ("ORD-100101", "100101") or the caller's
            description ("my last order", "the rain jacket", "the one in transit").

    Returns:
        An order id like ``ORD-100101`` (an order number is returned as said; ownership is checked by
        the service that reads it).

    Raises:
        ToolError: not text; no order matches (the sentence lists the caller's recent orders); or several
            match (the sentence names at most three to choose from).
    """
    if not isinstance(reference, str) or any(c.isdigit() for c in reference):
        return grounded_order_id(ctx, order_id(reference))  # an order number, well-formed or refused as such
    text = clean_text(reference, field="order", max_len=MAX_REFERENCE)
    said = order_number_said(ctx)
    if said is not None:
        return f"ORD-{said}"
    if not text:
        raise ToolError("Which order? Ask the caller for the order number or what was in it.")
    async with service_errors():
        orders = await ctx.services.orders.list_orders(customer_id, limit=RECENT_ORDERS)
    if not orders:
        raise ToolError("The caller has no orders on this account.")
    matches = _match(text.casefold(), orders)
    if len(matches) == 1:
        return matches[0].id
    shown = matches or orders
    choices = "; ".join(f"{o.id} ({o.item_names()}, {o.status.replace('_', ' ')})" for o in shown[:3])
    if matches:
        raise ToolError(f"Several orders match '{preview(text)}': {choices}. Ask the caller which one.")
    raise ToolError(f"No order matches '{preview(text)}'. The caller's recent orders: {choices}. Ask which one.")


def _match(said: str, orders: list[OrderView]) -> list[OrderView]:
    """Orders (newest first) that the description names: by recency, status, then item names."""
    if _LATEST.search(said) and not _item_words(said):
        return orders[:1]
    if _OLDEST.search(said) and not _item_words(said):
        return orders[-1:]
    by_status = [o for o in orders if any(w in said for w in _words_for(o.status))]
    by_item = [
        o
        for o in orders
        if _item_score(said, o) >= MIN_ITEM_SCORE
        or any(_CATEGORY_WORDS[i.category].search(said) for i in o.items if i.category in _CATEGORY_WORDS)
    ]
    if by_item:
        both = [o for o in by_item if o in by_status]
        return both or by_item
    return by_status


def _item_words(said: str) -> str:
    rest = _LATEST.sub(" ", _OLDEST.sub(" ", said))
    return " ".join(_FILLER.sub(" ", rest).split())


def _item_score(said: str, order: OrderView) -> float:
    words = _item_words(said)
    if len(words) < 3:
        return 0.0
    return max((fuzz.partial_ratio(words, i.name.casefold()) for i in order.items), default=0.0)


def _words_for(status: str) -> tuple[str, ...]:
    return next((words for key, words in _STATUS_WORDS if key == status), ())
