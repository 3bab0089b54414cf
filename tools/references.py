"""Product references resolved by code: what the caller said → one catalogue product or variant.

The model passes the caller's words ("the blue one", "the cheaper one", "the second one", "lite house
keeper", "ELC-3001"); code decides which product that is, so the model never has to invent a SKU:

1. an exact SKU (``FSH-2001``, ``fsh 2001``), checked against the catalogue (a forged SKU is refused);
2. a position or a comparison among the products the desk presented last (:func:`present`): "the first
   one", "the second", "the last one", "the cheaper one", "the most expensive", "the best rated", "that one";
3. a description matched against the products presented in this call ("the blue one", "the Voltline"),
   then against the whole catalogue (misspellings and mishearings tolerated, :mod:`services.catalog`).

Ambiguity is a ``ToolError`` naming at most three choices with their prices (and those choices become
the products in view, so the caller's "the second one" works next); no match is a ``ToolError`` with the
closest product, if any.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

from livekit.agents import ToolError

from call.context import CustomerContext
from services.catalog import CATEGORIES, match_variant, score_products
from services.ids import SKU_BY_CATEGORY
from services.views import ProductView, SearchHit, VariantView, dollars

from .common import clean_text, preview, service_errors

__all__ = [
    "MAX_REFERENCE",
    "describe_choices",
    "last_presented",
    "present",
    "price_text",
    "resolve_product",
    "resolve_variant",
]

MAX_REFERENCE = 120
"""Longest product reference accepted, in characters."""
MAX_CHOICES = 3
"""Products named in an "is it A, B or C?" question."""
IN_VIEW_SCORE = 60
"""Lowest match score (0–100) for a description to pick a product the caller was shown."""
CLEAR_LEAD = 10
"""Points by which the best match must beat the next one to be chosen without asking."""
SUGGEST_SCORE = 30
"""Lowest score of a "the closest is ..." suggestion when nothing matches."""
REMEMBERED_CALLS = 500
"""Calls whose last presented list is remembered (oldest forgotten first)."""

_SKU = re.compile(
    r"\b(" + "|".join(sorted({f.prefix for f in SKU_BY_CATEGORY.values()})) + r")[\s\-#]*(\d{4})\b", re.IGNORECASE
)
_ORDINALS: tuple[tuple[str, int], ...] = (
    (r"\b(first|1st|number one|top one|option one|option 1)\b", 0),
    (r"\b(second|2nd|number two|option two|option 2|middle one)\b", 1),
    (r"\b(third|3rd|number three|option three|option 3)\b", 2),
    (r"\b(fourth|4th|number four)\b", 3),
    (r"\b(fifth|5th|number five)\b", 4),
    (r"\b(last|final|latter)\b", -1),
    (r"\b(former)\b", 0),
)
_CHEAPER = re.compile(r"\b(cheap(er|est)?|less expensive|least expensive|lower[- ]priced|budget|affordable|lowest)\b")
_PRICIER = re.compile(r"\b(more expensive|most expensive|pric(ier|iest)|higher[- ]end|premium|dearer|top[- ]end)\b")
_RATED = re.compile(r"\b(best|better|highest|top)[- ]rated\b")
_DEICTIC = re.compile(r"^(it|that|this|that one|this one|the same one|same one|the one you (just )?(said|mentioned))$")
_FILLER = re.compile(r"\b(the|a|an|one|ones|please|that|this|of them|of those|from before|you mentioned)\b")

_last_lists: OrderedDict[str, tuple[str, ...]] = OrderedDict()


def present(ctx: CustomerContext, products: Sequence[ProductView]) -> None:
    """Record products the desk is about to tell the caller about, in the order spoken.

    Calls :meth:`CustomerContext.show_products` (so other desks see them too) and remembers this list as the
    one "the first one" and "the cheaper one" refer to.
    """
    skus = tuple(dict.fromkeys(p.sku for p in products))
    if not skus:
        return
    ctx.show_products(list(skus))
    _last_lists[ctx.call_id] = skus
    _last_lists.move_to_end(ctx.call_id)
    while len(_last_lists) > REMEMBERED_CALLS:
        _last_lists.popitem(last=False)


def last_presented(ctx: CustomerContext) -> tuple[str, ...]:
    """The SKUs of the list presented last, in the order spoken.

    The list recorded by :func:`present` while nothing was shown since; otherwise (another desk called
    ``show_products`` directly) every product in view, oldest first.
    """
    in_view = tuple(ctx.products_in_view)
    remembered = _last_lists.get(ctx.call_id, ())
    if remembered and in_view[-len(remembered) :] == remembered:
        return remembered
    return in_view


def price_text(product: ProductView) -> str:
    """``"$129.00"``, or ``"from $11.99"`` when its variants differ in price."""
    prices = {v.price_cents for v in product.variants} or {product.price_cents}
    return dollars(min(prices)) if len(prices) == 1 else f"from {dollars(min(prices))}"


def describe_choices(products: Sequence[ProductView]) -> str:
    """``"A ($x), B ($y) or C ($z)"`` for at most :data:`MAX_CHOICES` products."""
    named = [f"{p.spoken()} ({p.sku}, {price_text(p)})" for p in products[:MAX_CHOICES]]
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " or " + named[-1]


async def resolve_product(ctx: CustomerContext, reference: object, *, category: str | None = None) -> ProductView:
    """The one product the caller means.

    Args:
        ctx: The call's context (products in view, services).
        reference: What the caller said: a SKU, a position or comparison among the products just presented
            ("the second one", "the cheaper one"), a colour or brand ("the blue one"), or a name, even
            misheard ("lite house keeper").
        category: Only products of this category (``home``, ``electronics``, ``fashion``, ``books``); ``None``
            for any, in which case a catalogue desk's own category is searched first.

    Returns:
        The product, with its variants.

    Raises:
        ToolError: the reference is not text, empty or too long; the SKU does not exist or is of another
            category; a position beyond the list; several products match ("Did the caller mean A ($x) or
            B ($y)?"); nothing matches (with the closest product, if any).
    """
    text = clean_text(reference, field="product", max_len=MAX_REFERENCE)
    if not text:
        raise ToolError("The product is empty. Ask the caller which product they mean.")
    said = " ".join(re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", text.casefold()))
    catalogue = ctx.services.catalog

    sku = _SKU.search(text)
    if sku is not None:
        async with service_errors():
            product = await catalogue.get_product(f"{sku.group(1).upper()}-{sku.group(2)}")
        return _in_category(product, category)

    in_view = await catalogue.get_products(list(reversed(ctx.products_in_view)))  # most recent first
    if category is not None:
        in_view = [p for p in in_view if p.category == category]
    scored = score_products(text, in_view)
    named = [h for h in scored if h.score >= 100 and h.precision >= 1.0]
    if len(named) == 1:  # the whole name of a product in view ("The Last Orchard" is not "the last one")
        return named[0].product

    presented = [p for p in in_view if p.sku in set(last_presented(ctx))]
    presented.sort(key=lambda p: last_presented(ctx).index(p.sku))
    picked = _positional(said, presented)
    if picked is not None:
        return picked

    if in_view:
        chosen = _choose(ctx, scored, min_score=IN_VIEW_SCORE)
        if chosen is not None:
            return chosen

    for scope in _scopes(ctx, category):
        async with service_errors():
            hits = await catalogue.search_hits(text, category=scope, limit=MAX_CHOICES + 1)
        chosen = _choose(ctx, hits, min_score=0)
        if chosen is not None:
            return chosen
    raise ToolError(await _not_found(ctx, text, category))


async def resolve_variant(
    ctx: CustomerContext, product: ProductView, *, size: str = "", colour: str = "", format: str = ""
) -> VariantView:
    """The variant of ``product`` the caller described (sizes, colours and formats said any usual way).

    Args:
        ctx: The call's context (unused today; kept for symmetry and future per-call defaults).
        product: From :func:`resolve_product`.
        size: ``"M"``, ``"medium"``, ``"32"``, ``"nine and a half"``, ``"256 GB"`` or ``""``.
        colour: ``"navy"``, ``"the blue"``, ``"gray"`` or ``""``.
        format: Books: ``"hardcover"``, ``"audio"``, ``"kindle"`` or ``""``.

    Returns:
        The variant, in stock or not (say so; the caller decides).

    Raises:
        ToolError: a value is not short plain text; the product does not come in what was asked (the
            options are listed); it comes in several and one was not said (the options are listed).
    """
    del ctx
    values = {
        name: clean_text(value, field=name, max_len=40)
        for name, value in (("size", size), ("colour", colour), ("format", format))
    }
    async with service_errors():
        return match_variant(product, size=values["size"], colour=values["colour"], format=values["format"])


# --- helpers --------------------------------------------------------------------------------------------


def _in_category(product: ProductView, category: str | None) -> ProductView:
    if category is not None and product.category != category:
        desk = product.category.replace("_", " ")
        raise ToolError(
            f"{product.spoken()} ({product.sku}) is a {desk} product, not {category}; the {desk} desk or sales can "
            "help with it."
        )
    return product


def _positional(said: str, presented: Sequence[ProductView]) -> ProductView | None:
    """A product picked by position or by price/rating among the list presented last, or ``None``.

    Other words narrow the list first: "the second jacket" is the second of the jackets presented,
    "the cheaper charger" the cheaper of the chargers.
    """
    wants_cheaper, wants_pricier, wants_rated = (bool(p.search(said)) for p in (_CHEAPER, _PRICIER, _RATED))
    ordinal = next((index for pattern, index in _ORDINALS if re.search(pattern, said)), None)
    deictic = bool(_DEICTIC.match(said))
    if not (wants_cheaper or wants_pricier or wants_rated or ordinal is not None or deictic):
        return None
    if not presented:
        raise ToolError(
            "No products have been presented in this call yet, so that reference is unclear. Search first, or ask "
            "the caller for the product's name."
        )
    rest = "" if deictic else said
    for pattern in (_CHEAPER, _PRICIER, _RATED, *(re.compile(p) for p, _ in _ORDINALS), _FILLER):
        rest = pattern.sub(" ", rest)
    rest = " ".join(w for w in rest.split() if w not in ("is", "s", "more", "most", "less", "least", "price"))
    if rest:
        narrowed = [h.product for h in score_products(rest, presented) if h.score >= IN_VIEW_SCORE]
        if not narrowed:
            return None  # the other words describe something else: not a position in this list
        presented = [p for p in presented if p in narrowed]
    if ordinal is not None and not (wants_cheaper or wants_pricier or wants_rated):
        if ordinal >= len(presented):
            raise ToolError(
                f"Only {len(presented)} product{'s were' if len(presented) > 1 else ' was'} presented: "
                f"{describe_choices(presented)}. Ask which one."
            )
        return presented[ordinal]
    if deictic:
        if len(presented) == 1:
            return presented[0]
        raise ToolError(f"Several products were presented; ask whether the caller means {describe_choices(presented)}.")
    if wants_rated:
        best = max(p.rating_tenths for p in presented)
        tied = [p for p in presented if p.rating_tenths == best]
    else:
        target = min if wants_cheaper else max
        price = target(p.from_price_cents for p in presented)  # the price the caller heard ("from $x")
        tied = [p for p in presented if p.from_price_cents == price]
    if len(tied) > 1:
        raise ToolError(f"Those are the same: {describe_choices(tied)}. Ask which one the caller means.")
    return tied[0]


def _choose(ctx: CustomerContext, hits: Sequence[SearchHit], *, min_score: float) -> ProductView | None:
    """The clear best of ``hits``; ``None`` if none reaches ``min_score``.

    Clear: the only hit, or ahead of the next by :data:`CLEAR_LEAD` points, or the only top hit whose whole
    name the caller said ("27-inch 4K monitor"). Otherwise the top choices are presented and a ``ToolError``
    asks which one.
    """
    hits = [h for h in hits if h.score >= min_score]
    if not hits:
        return None
    top = hits[0]
    if len(hits) == 1 or top.score - hits[1].score >= CLEAR_LEAD:
        return top.product
    tied = [h for h in hits if top.score - h.score < CLEAR_LEAD]
    whole_name = [h for h in tied if h.precision >= 1.0]
    if len(whole_name) == 1:
        return whole_name[0].product
    choices = [h.product for h in tied[:MAX_CHOICES]]
    present(ctx, choices)
    raise ToolError(f"Several products match. Did the caller mean {describe_choices(choices)}?")


def _scopes(ctx: CustomerContext, category: str | None) -> list[str | None]:
    """Where to search the catalogue: the given category; else the desk's own category first, then all."""
    if category is not None:
        return [category]
    if ctx.current_agent in CATEGORIES:
        return [ctx.current_agent, None]
    return [None]


async def _not_found(ctx: CustomerContext, text: str, category: str | None) -> str:
    words = " ".join(w for w in _FILLER.sub(" ", text.casefold()).split())
    async with service_errors():
        near = await ctx.services.catalog.search_hits(
            words or text, category=category, limit=1, min_score=SUGGEST_SCORE
        )
    where = f" in {category}" if category else ""
    if near:
        closest = near[0].product
        present(ctx, [closest])
        return (
            f"No product{where} matches '{preview(text)}'. The closest is {closest.spoken()} ({closest.sku}, "
            f"{dollars(closest.price_cents)}); ask whether that is the one, or search with other words."
        )
    return f"No product{where} matches '{preview(text)}'. Ask the caller to describe it differently."
