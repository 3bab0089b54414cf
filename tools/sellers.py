"""Seller desk tools: sellers for buyers (profile, policies, disputes, messages) and the caller's own store.

Browsing a seller's profile or policies needs no verification. A dispute, a message, a reference to
the caller's own orders ("the seller of my lamp") and every store tool need a verified caller: an
unverified one is handed to authentication and comes back with the request (:mod:`tools.access`).
Store tools serve only the store the verified caller owns (decided by the service from the context's
customer id). Seller and listing references are resolved by code from the caller's words
(:meth:`services.sellers.SellerService.find_seller`, :meth:`~services.sellers.SellerService.plan_stock_update`):
the model never has to know an id.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult
from pydantic import Field

from call.context import CustomerContext
from services import ServiceError
from services.errors import ErrorCode
from services.sellers import MAX_DESCRIPTION, MAX_MESSAGE, MAX_REFERENCE, MAX_STOCK, MIN_STOCK, is_own_reference
from services.views import (
    PayoutView,
    SellerMatch,
    SellerView,
    StockChangeView,
    dollars,
    spoken_date,
    spoken_weekday,
    the,
)

from .access import verified_or_handoff
from .common import clean_text, free_text, service_errors
from .errors import sentence_for
from .order_references import resolve_order
from .references import resolve_product
from .writes import propose_write

Ctx = RunContext[CustomerContext]
Units = Annotated[int, Field(strict=True)]
"""A whole number of units: strict, so ``true``, ``"7"`` or ``7.0`` are refused rather than coerced."""
IssueKind = Literal["not_as_described", "not_received", "seller_unresponsive", "counterfeit", "other"]

_IN_VIEW = re.compile(
    r"\b(first|second|third|fourth|fifth|last|1st|2nd|3rd|cheap\w*|less expensive|more expensive|most expensive|"
    r"pric\w*|best rated|top rated|that one|this one|same one)\b",
    re.IGNORECASE,
)
"""A position or comparison among the products the desk presented ("the seller of the cheaper one")."""
_SELLER_WORDS = re.compile(r"\b(who|sells|sold|seller|sellers|store|shop|of|from)\b", re.IGNORECASE)
_STORE_WORDS = re.compile(r"\b(store|shop|listings?|business)\b", re.IGNORECASE)
"""A reference to the caller's own store ("my store"), rather than to the seller of one of their orders."""
MAX_LOW_STOCK_SPOKEN = 5
"""Low-stock listings named in the performance summary (the rest are counted)."""

_KIND_PHRASES: dict[str, str] = {
    "not_as_described": "the item was not as described",
    "not_received": "the item was not received",
    "seller_unresponsive": "the seller is not responding",
    "counterfeit": "the item appears to be counterfeit",
    "other": "a problem with the seller",
}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _found_via(m: SellerMatch) -> str:
    if m.via and m.order_id:
        return f" sold {the(m.via)} in order {m.order_id}."
    if m.via:
        return f" sells {the(m.via)}."
    return "."


def _profile(s: SellerView) -> str:
    ratings = (
        f"rated {s.rating} out of 5 from {_plural(s.rating_count, 'rating')}" if s.rating_count else "not rated yet"
    )
    origin = f"ships from {s.ships_from}, " if s.ships_from else ""
    return (
        f"{ratings}; {origin}hands orders to the carrier within {_plural(s.handling_days, 'business day')}; "
        f"usually answers messages within {_plural(s.response_hours, 'hour')}."
    )


def _seller_ref(value: object) -> str:
    return free_text(value, field="seller", max_len=MAX_REFERENCE)


async def _find(ctx: CustomerContext, ref: str, customer_id: str | None) -> SellerMatch:
    """The seller ``ref`` names (services), else the seller of the order or product it points at.

    When the services find no seller: a reference to the caller's own orders ("the seller of my last
    order", "the one in transit") is resolved among their orders (:func:`tools.order_references.resolve_order`);
    a position or comparison ("the seller of the cheaper one", "the second one") among the products the desk
    presented (:func:`tools.references.resolve_product`); then the seller of that order or product.
    """
    sellers = ctx.services.sellers
    try:
        return await sellers.find_seller(ref, customer_id=customer_id, skus_in_view=tuple(ctx.products_in_view))
    except ServiceError as exc:
        if exc.code is not ErrorCode.SELLER_NOT_FOUND:
            raise ToolError(sentence_for(exc)) from exc
        if customer_id is not None and is_own_reference(ref):
            # "the seller of my last order", "the one in transit": the caller's order, resolved by code.
            target = await resolve_order(ctx, customer_id, ref)
        elif ctx.products_in_view and _IN_VIEW.search(ref):
            try:
                target = (await resolve_product(ctx, _SELLER_WORDS.sub(" ", ref).strip() or ref)).sku
            except ToolError:
                raise ToolError(sentence_for(exc)) from exc
        else:
            raise ToolError(sentence_for(exc)) from exc
    async with service_errors():
        return await sellers.find_seller(target, customer_id=customer_id)


async def _browse(context: Ctx, ref: str, tool: str) -> SellerMatch | Agent:
    """Resolve a seller for a browsing tool; a reference to the caller's own records needs verification."""
    ctx = context.userdata
    customer = ctx.verified_customer()
    if customer is None and is_own_reference(ref):
        about = "your store" if _STORE_WORDS.search(ref) else "the seller of your order"
        who = verified_or_handoff(context, request=f"look up {about}", tool=tool, arguments={"seller": ref})
        if isinstance(who, Agent):
            return who
        customer = who
    return await _find(ctx, ref, customer.id if customer else None)


async def _order_of(ctx: CustomerContext, customer_id: str, order_number: str) -> str | None:
    """The caller's order the model named (a number or the caller's words), or ``None`` when none was given."""
    if not order_number:
        return None
    return await resolve_order(ctx, customer_id, order_number)


@function_tool
async def lookup_seller(context: Ctx, seller: str) -> str | Agent:
    """Who a seller is: rating, number of ratings, where they ship from, handling and reply times.

    Args:
        seller: What the caller said, resolved by code: a store name ("Lakeside Home Goods", misheard or
            partial is fine), a seller id ("SEL-1001"), a product ("the brass desk lamp"), an order number,
            or "the seller of my jacket".
    """
    ref = _seller_ref(seller)
    found = await _browse(context, ref, "lookup_seller")
    if isinstance(found, Agent):
        return found
    s = found.seller
    return f"{s.name} ({s.id}){_found_via(found)} It is {_profile(s)}"


@function_tool
async def get_seller_policies(context: Ctx, seller: str) -> str | Agent:
    """A seller's return window, handling and shipping, policy note and contact email.

    Args:
        seller: A store name, seller id, product or order, as the caller said it (see lookup_seller).
    """
    ref = _seller_ref(seller)
    found = await _browse(context, ref, "get_seller_policies")
    if isinstance(found, Agent):
        return found
    s = found.seller
    returns = (
        f"returns accepted within {_plural(s.return_window_days, 'day')} of delivery"
        if s.return_window_days
        else "no returns accepted"
    )
    origin = f" from {s.ships_from}" if s.ships_from else ""
    note = f" {s.policy_note.strip()}" if s.policy_note.strip() else ""
    contact = f" Contact: {s.contact_email}." if s.contact_email else ""
    return (
        f"{s.name} ({s.id}): {returns}; orders ship{origin} within {_plural(s.handling_days, 'business day')}."
        f"{note}{contact} Messages are usually answered within {_plural(s.response_hours, 'hour')}."
    )


@function_tool
async def report_seller_issue(
    context: Ctx, seller: str, kind: IssueKind, description: str, order_number: str = ""
) -> ToolResult | Agent:
    """Open a dispute with a seller for the caller. Code reads it back; it is opened only after the caller's yes.

    Args:
        seller: The seller as the caller said it (store name, product, "the seller of my lamp").
        kind: not_as_described, not_received, seller_unresponsive, counterfeit or other.
        description: One or two sentences in the caller's words.
        order_number: The order it concerns ("ORD-100101", or the caller's words such as "my last order"),
            or "" when none; needed for not_received and not_as_described.
    """
    ctx = context.userdata
    ref = _seller_ref(seller)
    text = free_text(description, field="description", max_len=MAX_DESCRIPTION)
    order_ref = clean_text(order_number, field="order number", max_len=MAX_REFERENCE)
    who = verified_or_handoff(
        context,
        request="report a problem with a seller",
        tool="report_seller_issue",
        arguments={"seller": ref, "kind": kind, "description": text, "order_number": order_ref},
    )
    if isinstance(who, Agent):
        return who
    match = await _find(ctx, ref, who.id)
    oid = await _order_of(ctx, who.id, order_ref) or match.order_id
    async with service_errors():
        draft = await ctx.services.sellers.check_seller_issue(
            who.id, match.seller.id, order_id=oid, kind=kind, description=text
        )
    about = f" about order {oid}" if oid else ""
    name = draft.seller_name

    async def _open() -> str:
        async with service_errors():
            issue = await ctx.services.sellers.report_seller_issue(
                who.id, match.seller.id, order_id=oid, kind=kind, description=text
            )
        ctx.note_action(f"Dispute {issue.id} ({kind.replace('_', ' ')}) opened with {name}{about}")
        return (
            f"Done. Dispute {issue.id} is open with {name}{about}. The seller is asked to respond within "
            f"{_plural(match.seller.response_hours, 'hour')}, and you'll get updates by email."
        )

    return propose_write(
        context,
        name="report_seller_issue",
        arguments={"seller": match.seller.id, "order": oid, "kind": kind, "text": text},
        read_back=f"I'll open a dispute with {name}{about} saying {_KIND_PHRASES[kind]}, noting: {text}.",
        execute=_open,
    )


@function_tool
async def contact_seller(context: Ctx, seller: str, message: str, order_number: str = "") -> ToolResult | Agent:
    """Send the caller's message to a seller (the seller answers by email). Code reads it back; sent after a yes.

    Args:
        seller: The seller as the caller said it (store name, product, "the seller of my lamp").
        message: The caller's message, in their words (at most a few sentences).
        order_number: The order it is about ("ORD-100101", or the caller's words), or "" when none.
    """
    ctx = context.userdata
    ref = _seller_ref(seller)
    body = free_text(message, field="message", max_len=MAX_MESSAGE)
    order_ref = clean_text(order_number, field="order number", max_len=MAX_REFERENCE)
    who = verified_or_handoff(
        context,
        request="send a message to a seller",
        tool="contact_seller",
        arguments={"seller": ref, "message": body, "order_number": order_ref},
    )
    if isinstance(who, Agent):
        return who
    match = await _find(ctx, ref, who.id)
    oid = await _order_of(ctx, who.id, order_ref) or match.order_id
    async with service_errors():
        draft = await ctx.services.sellers.check_message(who.id, match.seller.id, message=body, order_id=oid)
    about = f" about order {oid}" if oid else ""
    name = draft.seller_name

    async def _send() -> str:
        async with service_errors():
            sent = await ctx.services.sellers.contact_seller(who.id, match.seller.id, message=body, order_id=oid)
        ctx.note_action(f"Message {sent.id} sent to {name}{about}")
        return (
            f"Sent. Message {sent.id} is with {name}; they usually reply within "
            f"{_plural(match.seller.response_hours, 'hour')}, by email."
        )

    return propose_write(
        context,
        name="contact_seller",
        arguments={"seller": match.seller.id, "order": oid, "message": body},
        read_back=f'I\'ll send {name} this message{about}: "{body}"',
        execute=_send,
    )


@function_tool
async def get_store_performance(context: Ctx) -> str | Agent:
    """The caller's own store over the last 30 days: sales, revenue, rating, disputes, late shipments, low stock.

    Only for a caller who owns a store on the marketplace.
    """
    who = verified_or_handoff(
        context, request="look up your store's performance", tool="get_store_performance", arguments={}
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        p = await context.userdata.services.sellers.get_store_performance(who.id)
    rating = f"rating {p.rating_tenths // 10}.{p.rating_tenths % 10} from {_plural(p.rating_count, 'rating')}"
    low = [f"{v.name}{f' ({v.variant})' if v.variant else ''}: {v.stock} left" for v in p.low_stock]
    more = len(low) - MAX_LOW_STOCK_SPOKEN
    low_text = (
        "Low stock: " + "; ".join(low[:MAX_LOW_STOCK_SPOKEN]) + (f"; and {more} more" if more > 0 else "") + "."
        if low
        else "No listing is low on stock."
    )
    return (
        f"{p.seller_name} ({p.seller_id}), last {p.days} days: {_plural(p.orders, 'order')}, "
        f"{_plural(p.units_sold, 'unit')} sold, revenue {dollars(p.revenue_cents)}. {rating[0].upper()}{rating[1:]}; "
        f"{_plural(p.open_disputes, 'open dispute')}; {_plural(p.late_shipments, 'late shipment')}; "
        f"{_plural(p.listings, 'listing')}. {low_text}"
    )


def _payout(p: PayoutView) -> str:
    return f"{dollars(p.amount_cents)} for {spoken_date(p.period_start)} to {spoken_date(p.period_end)}"


@function_tool
async def get_payout_status(context: Ctx) -> str | Agent:
    """The caller's own store's payouts: the last one paid, the next one scheduled, and any on hold with the reason.

    Only for a caller who owns a store on the marketplace. Payout details cannot be changed here.
    """
    who = verified_or_handoff(context, request="check your store's payouts", tool="get_payout_status", arguments={})
    if isinstance(who, Agent):
        return who
    async with service_errors():
        status = await context.userdata.services.sellers.get_payout_status(who.id)
    parts = [f"Payouts of {status.seller_name} ({status.seller_id}):"]
    if status.last_paid is not None and status.last_paid.paid_at is not None:
        parts.append(f"last paid {_payout(status.last_paid)}, paid on {spoken_date(status.last_paid.paid_at)}.")
    else:
        parts.append("no payout has been paid yet.")
    if status.next_scheduled is not None:
        nxt = status.next_scheduled
        parts.append(f"Next: {_payout(nxt)}, scheduled for {spoken_weekday(nxt.scheduled_for)}.")
    else:
        parts.append("No payout is scheduled.")
    for held in status.on_hold[:3]:
        parts.append(f"On hold: {held.id}, {_payout(held)}. Reason: {held.hold_reason.rstrip('.')}.")
    if not status.on_hold:
        parts.append("Nothing is on hold.")
    return " ".join(parts)


def _listing(c: StockChangeView) -> str:
    return f"{c.name}{f', {c.variant}' if c.variant else ''} ({c.sku})"


@function_tool
async def update_listing_stock(context: Ctx, listing: str, quantity: Units, variant: str = "") -> ToolResult | Agent:
    """Set the stock of one of the caller's own store listings. Code reads it back; changed only after a yes.

    Args:
        listing: The product as the caller said it ("the brass desk lamp", "HOM-4001"); code matches it among
            the caller's own listings only.
        quantity: The new number of units in stock, a whole number from 0 to 10000 (e.g. 40).
        variant: Which variant, as the caller said it ("size M, blue", "paperback"), or "" if it has only one.
    """
    ctx = context.userdata
    ref = free_text(listing, field="listing", max_len=MAX_REFERENCE)
    which = clean_text(variant, field="variant", max_len=MAX_REFERENCE)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ToolError(f"The quantity must be a whole number of units from {MIN_STOCK} to {MAX_STOCK:,}.")
    who = verified_or_handoff(
        context,
        request="update the stock of your listing",
        tool="update_listing_stock",
        arguments={"listing": ref, "quantity": quantity, "variant": which},
    )
    if isinstance(who, Agent):
        return who
    async with service_errors():
        plan = await ctx.services.sellers.plan_stock_update(who.id, ref, variant=which, quantity=quantity)

    async def _update() -> str:
        async with service_errors():
            done = await ctx.services.sellers.update_listing_stock(
                who.id, plan.sku, variant_id=plan.variant_id, quantity=plan.new_stock
            )
        ctx.note_action(f"Stock of {_listing(done)} set to {done.new_stock} (was {done.old_stock})")
        total = f"; the listing has {done.product_stock:,} in all" if done.product_stock != done.new_stock else ""
        return f"Done. The {_listing(done)} now has {_plural(done.new_stock, 'unit')} in stock{total}."

    return propose_write(
        context,
        name="update_listing_stock",
        arguments={"sku": plan.sku, "variant_id": plan.variant_id, "quantity": plan.new_stock},
        read_back=(
            f"I'll set the stock of the {_listing(plan)} in {plan.seller_name} to "
            f"{_plural(plan.new_stock, 'unit')}; it has {plan.old_stock:,} now."
        ),
        execute=_update,
    )


SELLER_TOOLS: list[llm.Tool] = [
    lookup_seller,
    get_seller_policies,
    report_seller_issue,
    contact_seller,
    get_store_performance,
    get_payout_status,
    update_listing_stock,
]
"""The seller management desk's tools (the transfer tool is added by the agent base)."""
