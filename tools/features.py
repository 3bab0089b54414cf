"""Advanced features desk tools: wishlist, price-drop alerts, subscribe and save, bundles.

Only the verified caller's own wishlist, alerts and subscriptions are reachable (``ctx.require_verified()``;
every service query is scoped by the caller's id). Products are resolved by code from the caller's words
(:func:`tools.references.resolve_product`); "my coffee subscription", "the monitor alert" or "the second
one" are resolved against the caller's own subscriptions, alerts and wishlist (:func:`pick_own`), so the
model never has to know an id. Every write (wishlist add/remove, alert create/cancel, subscribe, pause,
resume, cancel) is validated by the service first, then read back by code and done after the caller's yes
(:func:`tools.writes.propose_write`). Policies (discounts, limits, what is subscribable) are in
:mod:`services.advanced_features`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Literal, TypeVar

from livekit.agents import RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult
from pydantic import Field
from rapidfuzz import fuzz

from call.context import CustomerContext
from services import ServiceError
from services.advanced_features import INTERVALS_WEEKS, MAX_ALERT_PRICE_CENTS, MAX_QUANTITY
from services.errors import ErrorCode
from services.views import (
    BundleView,
    PriceAlertView,
    ProductView,
    SubscriptionQuoteView,
    SubscriptionView,
    dollars,
    spoken_weekday,
    the,
)

from .common import clean_text, free_text, preview, service_errors
from .references import present, resolve_product, resolve_variant
from .supervisor import consult_supervisor
from .writes import propose_write

Ctx = RunContext[CustomerContext]
T = TypeVar("T")
StrictPrice = Annotated[float, Field(strict=True)]
"""A price in dollars as a JSON number: ``true`` or ``"49.99"`` are refused before the tool runs (a lax float
would read ``true`` as $1.00)."""

MAX_REFERENCE = 120
"""Longest product, alert or subscription reference accepted, in characters."""
MAX_SPOKEN = 5
"""Items named in one answer."""
MATCH_SCORE = 55
"""Score (:func:`_score`, 0–100) from which an own record matches the caller's words."""
WORD_MATCH = 80
"""rapidfuzz ratio from which a word the caller said counts as a word of the record's name (mishearings)."""
AMBIGUITY_MARGIN = 8
"""Two records whose scores are this close are both offered to the caller."""
_ID_RE = {
    "subscription": re.compile(r"^(?:SUB)?[\s\-#]*(\d{6})$", re.I | re.ASCII),
    "price alert": re.compile(r"^(?:ALR)?[\s\-#]*(\d{6})$", re.I | re.ASCII),
}
_ID_PREFIX = {"subscription": "SUB", "price alert": "ALR"}
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4}
_FILLER_WORDS = re.compile(
    r"\b(?:my|the|a|an|one|please|subscription|subscriptions|alert|alerts|price|drop|wishlist|list|to|for|on|of)\b",
    re.I,
)
_REASONS = {
    "gold": "as a gold member",
    "five_or_more": "because this makes five or more active subscriptions",
    "standard": "the standard subscribe-and-save discount",
}


# --- references to the caller's own records ------------------------------------------------------------------


class NoMatchError(ToolError):
    """None of the caller's own records matches what they said (as opposed to several matching)."""


def pick_own(reference: str, records: Sequence[T], label: str, what: str) -> T:
    """The record of ``records`` (the caller's own, in the order the desk lists them) the caller means.

    Accepts an ordinal ("the second one", "last"), or words matched against each record's label with
    rapidfuzz ("coffee", "my coffee subscription"); with a single record, a generic reference ("my
    subscription") means it.

    Args:
        reference: What the caller said, cleaned.
        records: The caller's records.
        label: The attribute holding each record's name (e.g. ``"product_name"``).
        what: ``"subscription"``, ``"price alert"``, ``"wishlist item"`` (for the sentences).

    Raises:
        NoMatchError: nothing matches (the sentence lists what the caller has).
        ToolError: the caller has none, or several match (the sentence offers the choice).
    """
    names = [str(getattr(r, label)) for r in records]
    if not records:
        raise ToolError(f"The caller has no {what}s.")
    words = _FILLER_WORDS.sub(" ", reference.casefold()).split()
    if len(words) == 1 and (words[0] in _ORDINALS or words[0] == "last"):
        index = len(records) - 1 if words[0] == "last" else _ORDINALS[words[0]]
        if index < len(records):
            return records[index]
    query = " ".join(words)
    if not query:
        if len(records) == 1:
            return records[0]
        raise ToolError(f"The caller has several {what}s; ask which one: {_choices(names)}.")
    scored = sorted(((_score(words, name), i) for i, name in enumerate(names)), reverse=True)
    best_score, best = scored[0]
    if best_score < MATCH_SCORE:
        raise NoMatchError(f"No {what} of the caller matches '{preview(reference)}'. They have: {_choices(names)}.")
    close = [i for score, i in scored[1:] if best_score - score < AMBIGUITY_MARGIN]
    if close:
        options = [names[i] for i in sorted([best, *close])[:3]]  # in the order the desk lists them
        raise ToolError(f"Did the caller mean {' or '.join(options)}? Ask which {what}.")
    return records[best]


def _score(words: list[str], name: str) -> float:
    """How well the caller's words describe ``name`` (0–100): mostly the share of their words found in the
    name (each word matched with spelling tolerance), then rapidfuzz's overall similarity."""
    name_words = re.findall(r"[^\W_]+", name.casefold())
    found = sum(1 for w in words if any(fuzz.ratio(w, n) >= WORD_MATCH for n in name_words))
    return 0.7 * 100 * found / len(words) + 0.3 * fuzz.WRatio(" ".join(words), name.casefold())


def _choices(names: Sequence[str]) -> str:
    shown = list(names[:MAX_SPOKEN])
    more = f" and {len(names) - MAX_SPOKEN} more" if len(names) > MAX_SPOKEN else ""
    return ", ".join(shown) + more


def _id_reference(reference: str, what: str) -> str | None:
    """``"SUB-720001"`` for ``"sub 720001"`` / ``"720001"`` when ``reference`` is an id of ``what``, else ``None``."""
    m = _ID_RE[what].match(re.sub(r"(?<=\d)[\s\-](?=\d)", "", reference.strip()))
    return f"{_ID_PREFIX[what]}-{m.group(1)}" if m else None


def _present(ctx: CustomerContext, products: Sequence[tuple[str, str, int, bool]]) -> None:
    """Record ``(sku, name, price, in stock)`` products as just presented, so "the second one" refers to them."""
    present(ctx, [ProductView(sku, name, "", price, stock) for sku, name, price, stock in products])


def _reference(value: object, *, field: str) -> str:
    return free_text(value, field=field, max_len=MAX_REFERENCE)


# --- formatting ------------------------------------------------------------------------------------------------


def _alert_sentence(a: PriceAlertView) -> str:
    if a.triggered:
        return (
            f"{a.product_name} is now {dollars(a.current_price_cents)}, at or below the target of "
            f"{dollars(a.target_price_cents)} (alert {a.id})."
        )
    return (
        f"{a.product_name}: {dollars(a.current_price_cents)} now, waiting for {dollars(a.target_price_cents)} "
        f"(alert {a.id})."
    )


def _variant(text: str) -> str:
    return f", {text}" if text else ""


def _subscription_sentence(s: SubscriptionView) -> str:
    when = f"next delivery {spoken_weekday(s.next_delivery)}" if s.status == "active" else s.status
    return (
        f"{s.id}: {s.product_name}{_variant(s.variant)}, {s.quantity} every {s.every_weeks} weeks at "
        f"{dollars(s.price_per_delivery_cents)} per delivery ({s.discount_pct}% off), {when}."
    )


def _quote_sentence(q: SubscriptionQuoteView) -> str:
    units = f"{q.quantity} units" if q.quantity > 1 else "one"
    return (
        f"I'll start a subscription to {the(q.product_name)}{_variant(q.variant)}: {units} every {q.every_weeks} "
        f"weeks at {dollars(q.price_per_delivery_cents)} per delivery, {q.discount_pct}% off "
        f"{_REASONS.get(q.discount_reason, 'the subscription discount')}. The first delivery arrives on "
        f"{spoken_weekday(q.first_delivery)}."
    )


def _bundle_sentence(b: BundleView) -> str:
    items = " and ".join(i.name for i in b.items)
    return (
        f"{b.name} ({b.id}): {items}, {dollars(b.price_cents)} instead of {dollars(b.list_price_cents)} "
        f"({b.discount_pct}% off, a saving of {dollars(b.savings_cents)})."
    )


def target_cents(value: object) -> int:
    """A target price in dollars from the model (``89.99``) as integer cents, rounded to the cent.

    Raises:
        ToolError: not a number, not finite, zero or negative, or above the highest accepted price.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ToolError("The target price must be a number of dollars, e.g. 89.99. Ask the caller for an amount.")
    if not math.isfinite(value) or value <= 0:
        raise ToolError("The target price must be a positive amount in dollars, e.g. 89.99. Ask the caller again.")
    if value * 100 > MAX_ALERT_PRICE_CENTS:
        raise ToolError(f"The target price must be at most {dollars(MAX_ALERT_PRICE_CENTS)}. Ask the caller again.")
    cents = round(value * 100)
    if cents < 1:
        raise ToolError("The target price must be at least one cent. Ask the caller again.")
    return int(cents)


def _weeks(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in INTERVALS_WEEKS:
        raise ToolError(
            "Deliveries can be every 2, 4 or 8 weeks (4 weeks is about monthly). Ask the caller which, "
            "and pass 2, 4 or 8."
        )
    return value


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ToolError(f"The quantity per delivery is a whole number from 1 to {MAX_QUANTITY}. Ask the caller again.")
    return value


# --- wishlist -----------------------------------------------------------------------------------------------


@function_tool
async def manage_wishlist(
    context: Ctx, action: Literal["list", "add", "remove"], product: str = ""
) -> str | ToolResult:
    """List the caller's wishlist with current prices, or add or remove a product (read back, done after a yes).

    Args:
        action: "list", "add" or "remove".
        product: For add and remove: the product in the caller's words, e.g. "the brass desk lamp" or "the
            second one"; leave empty for list.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    features = ctx.services.features
    if action == "list":
        async with service_errors():
            items = await features.wishlist(customer.id)
        if not items:
            return "The caller's wishlist is empty."
        _present(ctx, [(i.sku, i.name, i.price_cents, i.in_stock) for i in items[:MAX_SPOKEN]])
        more = f" And {len(items) - MAX_SPOKEN} more." if len(items) > MAX_SPOKEN else ""
        return (
            "Wishlist, newest first: "
            + " ".join(
                f"{i.name}, {dollars(i.price_cents)}, {'in stock' if i.in_stock else 'out of stock'}."
                for i in items[:MAX_SPOKEN]
            )
            + more
        )
    if action not in ("add", "remove"):
        raise ToolError("The action must be list, add or remove.")
    reference = _reference(product, field="product")
    if action == "add":
        found = await resolve_product(ctx, reference)
        async with service_errors():
            entry = await features.check_wishlist_add(customer.id, found.sku)

        async def _add() -> str:
            async with service_errors():
                added = await features.add_to_wishlist(customer.id, entry.sku)
            ctx.note_action(f"Added {the(added.name)} to the wishlist")
            return f"Done. {the(added.name, capital=True)} is on your wishlist."

        return propose_write(
            context,
            name="manage_wishlist",
            arguments={"action": "add", "sku": entry.sku},
            read_back=f"I'll add {the(entry.name)}, {dollars(entry.price_cents)} now, to your wishlist.",
            execute=_add,
        )
    async with service_errors():
        items = await features.wishlist(customer.id, limit=50)
    try:
        sku = pick_own(reference, items, "name", "wishlist item").sku
    except NoMatchError:  # not on the list: name the product, and the service says what is on it
        sku = (await resolve_product(ctx, reference)).sku
    async with service_errors():
        entry = await features.check_wishlist_remove(customer.id, sku)

    async def _remove() -> str:
        async with service_errors():
            removed = await features.remove_from_wishlist(customer.id, entry.sku)
        ctx.note_action(f"Removed {the(removed.name)} from the wishlist")
        return f"Done. {the(removed.name, capital=True)} is off your wishlist."

    return propose_write(
        context,
        name="manage_wishlist",
        arguments={"action": "remove", "sku": entry.sku},
        read_back=f"I'll remove {the(entry.name)} from your wishlist.",
        execute=_remove,
    )


# --- price alerts ------------------------------------------------------------------------------------------


@function_tool
async def create_price_alert(context: Ctx, product: str, target_price: StrictPrice) -> ToolResult:
    """Set a price-drop alert: the caller is notified when the product's price falls to the target or below.

    Args:
        product: The product in the caller's words, e.g. "the 4K monitor" or "the cheaper one".
        target_price: The price to wait for, in dollars, below the current price, e.g. 299.00.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    cents = target_cents(target_price)
    found = await resolve_product(ctx, _reference(product, field="product"))
    async with service_errors():
        quote = await ctx.services.features.check_price_alert(customer.id, found.sku, cents)

    async def _create() -> str:
        async with service_errors():
            alert = await ctx.services.features.create_price_alert(customer.id, quote.sku, cents)
        ctx.note_action(f"Price alert {alert.id} set for {the(alert.product_name)} at {dollars(cents)}")
        return (
            f"Done. Alert {alert.id} is set: you'll get a notification when {the(alert.product_name)} is "
            f"{dollars(cents)} or less."
        )

    return propose_write(
        context,
        name="create_price_alert",
        arguments={"sku": quote.sku, "target_cents": cents},
        read_back=(
            f"I'll set a price alert for {the(quote.product_name)}: it's {dollars(quote.current_price_cents)} now, "
            f"and you'll get a notification when it's {dollars(cents)} or less."
        ),
        execute=_create,
    )


@function_tool
async def check_price_drops(context: Ctx) -> str:
    """The caller's active price alerts, and which products have dropped to the target price."""
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        alerts = await ctx.services.features.price_alerts(customer.id)
    if not alerts:
        return "The caller has no active price alerts."
    dropped = [a for a in alerts if a.triggered]
    waiting = [a for a in alerts if not a.triggered]
    _present(ctx, [(a.sku, a.product_name, a.current_price_cents, True) for a in [*dropped, *waiting][:MAX_SPOKEN]])
    parts = []
    if dropped:
        parts.append("Price dropped: " + " ".join(_alert_sentence(a) for a in dropped[:MAX_SPOKEN]))
    else:
        parts.append("No price has dropped to its target yet.")
    if waiting:
        parts.append("Still waiting: " + " ".join(_alert_sentence(a) for a in waiting[:MAX_SPOKEN]))
    return " ".join(parts)


@function_tool
async def cancel_price_alert(context: Ctx, alert: str) -> ToolResult:
    """Cancel one of the caller's price alerts (read back, done after a yes).

    Args:
        alert: The alert in the caller's words: the product ("the monitor alert") or its number ("ALR-710001").
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    reference = _reference(alert, field="price alert")
    features = ctx.services.features
    alert_id = _id_reference(reference, "price alert")
    if alert_id is None:
        async with service_errors():
            alerts = await features.price_alerts(customer.id)
        alert_id = pick_own(reference, alerts, "product_name", "price alert").id
    async with service_errors():
        found = await features.check_cancel_price_alert(customer.id, alert_id)

    async def _cancel() -> str:
        async with service_errors():
            done = await features.cancel_price_alert(customer.id, found.id)
        ctx.note_action(f"Price alert {done.id} for {the(done.product_name)} cancelled")
        return f"Done. The price alert for {the(done.product_name)} is cancelled."

    return propose_write(
        context,
        name="cancel_price_alert",
        arguments={"alert": found.id},
        read_back=(
            f"I'll cancel your price alert {found.id} for {the(found.product_name)}, "
            f"target {dollars(found.target_price_cents)}."
        ),
        execute=_cancel,
    )


# --- subscriptions -------------------------------------------------------------------------------------------


@function_tool
async def subscribe_and_save(
    context: Ctx, product: str, every_weeks: int, quantity: int = 1, size: str = "", format: str = ""
) -> ToolResult:
    """Start a subscribe-and-save subscription to a consumable such as coffee, tea or filters (done after a yes).

    Args:
        product: The product in the caller's words, e.g. "the house blend coffee beans".
        every_weeks: Weeks between deliveries: 2, 4 (about monthly) or 8.
        quantity: Units per delivery, 1 to 6.
        size: The size the caller asked for, e.g. "2 lb", or "" if they did not say.
        format: A format if the product has several, else "".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    weeks, units = _weeks(every_weeks), _quantity(quantity)
    size_t = clean_text(size, field="size", max_len=40)
    format_t = clean_text(format, field="format", max_len=40)
    found = await resolve_product(ctx, _reference(product, field="product"))
    features = ctx.services.features
    quote: SubscriptionQuoteView | None = None
    async with service_errors():
        try:
            quote = await features.quote_subscription(
                customer.id, found.sku, variant_id=None, every_weeks=weeks, quantity=units
            )
        except ServiceError as exc:
            if exc.code is not ErrorCode.SUBSCRIPTION_VARIANT_REQUIRED:
                raise
    if quote is None:  # several sizes or formats: the one the caller said (or a question back)
        variant = await resolve_variant(ctx, found, size=size_t, format=format_t)
        async with service_errors():
            quote = await features.quote_subscription(
                customer.id, found.sku, variant_id=variant.id, every_weeks=weeks, quantity=units
            )
    chosen = quote

    async def _subscribe() -> str:
        async with service_errors():
            sub = await features.subscribe(
                customer.id, chosen.sku, variant_id=chosen.variant_id, every_weeks=weeks, quantity=units
            )
        ctx.note_action(f"Subscription {sub.id} started: {the(sub.product_name)} every {weeks} weeks")
        return (
            f"Done. Subscription {sub.id} is active: {dollars(sub.price_per_delivery_cents)} per delivery, "
            f"the first on {spoken_weekday(sub.next_delivery)}."
        )

    return propose_write(
        context,
        name="subscribe_and_save",
        arguments={"sku": chosen.sku, "variant_id": chosen.variant_id, "every_weeks": weeks, "quantity": units},
        read_back=_quote_sentence(chosen),
        execute=_subscribe,
    )


@function_tool
async def list_subscriptions(context: Ctx) -> str:
    """The caller's subscribe-and-save subscriptions: product, schedule, price per delivery and next delivery date."""
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        subs = await ctx.services.features.subscriptions(customer.id)
    if not subs:
        return "The caller has no subscriptions."
    return " ".join(_subscription_sentence(s) for s in subs[:MAX_SPOKEN])


@function_tool
async def manage_subscription(
    context: Ctx, subscription: str, action: Literal["pause", "resume", "cancel"]
) -> ToolResult:
    """Pause, resume or cancel one of the caller's subscriptions (read back, done after a yes).

    Args:
        subscription: The subscription in the caller's words: the product ("my coffee subscription") or its
            number ("SUB-720001").
        action: "pause", "resume" or "cancel".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    if action not in ("pause", "resume", "cancel"):
        raise ToolError("The action must be pause, resume or cancel.")
    reference = _reference(subscription, field="subscription")
    features = ctx.services.features
    sub_id = _id_reference(reference, "subscription")
    if sub_id is None:
        async with service_errors():
            subs = await features.subscriptions(customer.id)
        sub_id = pick_own(reference, subs, "product_name", "subscription").id
    async with service_errors():
        after = await features.check_subscription_change(customer.id, sub_id, action)
    name = f"{after.product_name}{_variant(after.variant)}"
    if action == "pause":
        read_back = f"I'll pause your subscription {after.id} to {the(name)}: no deliveries until you resume it."
    elif action == "resume":
        read_back = (
            f"I'll resume your subscription {after.id} to {the(name)}; the next delivery will be on "
            f"{spoken_weekday(after.next_delivery)}."
        )
    else:
        read_back = f"I'll cancel your subscription {after.id} to {the(name)}. This can't be undone."

    async def _change() -> str:
        async with service_errors():
            done = await features.change_subscription(customer.id, after.id, action)
        past = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}[action]
        ctx.note_action(f"Subscription {done.id} ({done.product_name}) {past}")
        when = f" The next delivery is on {spoken_weekday(done.next_delivery)}." if done.status == "active" else ""
        return f"Done. Your subscription to {the(done.product_name)} is {past}.{when}"

    return propose_write(
        context,
        name="manage_subscription",
        arguments={"subscription": after.id, "action": action},
        read_back=read_back,
        execute=_change,
    )


# --- bundles -------------------------------------------------------------------------------------------------


@function_tool
async def find_bundles(context: Ctx, product: str) -> str:
    """Bundles that include a product, with the bundle price after its discount.

    Args:
        product: The product in the caller's words, e.g. "the 4K monitor".
    """
    ctx = context.userdata
    ctx.require_verified()
    found = await resolve_product(ctx, _reference(product, field="product"))
    async with service_errors():
        bundles = await ctx.services.features.bundles_with(found.sku)
    if not bundles:
        return f"{the(found.name, capital=True)} is not part of any bundle."
    _present(ctx, [(i.sku, i.name, i.price_cents, i.in_stock) for b in bundles[:3] for i in b.items])
    count = "1 bundle" if len(bundles) == 1 else f"{len(bundles)} bundles"
    return f"{the(found.name, capital=True)} is in {count}: " + " ".join(_bundle_sentence(b) for b in bundles[:3])


FEATURE_TOOLS: list[llm.Tool] = [
    manage_wishlist,
    create_price_alert,
    check_price_drops,
    cancel_price_alert,
    subscribe_and_save,
    list_subscriptions,
    manage_subscription,
    find_bundles,
    consult_supervisor,
]
"""The advanced features desk's tools (nine; the transfer tool is added by the agent base class)."""
