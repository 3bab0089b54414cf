"""Return and refund tools. Policy is decided by ``services.returns``; every write needs the caller's yes."""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, function_tool, llm
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from services.returns import Condition
from services.views import Eligibility, ReturnView, dollars, spoken_date, spoken_weekday, the

from .common import free_text, iso_date, return_id, service_errors
from .order_references import resolve_order
from .writes import propose_write

Ctx = RunContext[CustomerContext]


def _return_sentence(r: ReturnView) -> str:
    s = f"Return {r.id} for {the(r.item_name)} (order {r.order_id})"
    if r.status == "pickup_scheduled" and r.pickup_date:
        s += f" is scheduled for pickup on {spoken_weekday(r.pickup_date)} in the {r.pickup_window}"
    else:
        s += f" is {r.status.replace('_', ' ')}"
        if r.pickup_date:
            s += f", with a pickup on {spoken_weekday(r.pickup_date)}"
    if r.status == "refunded":
        s += f", {dollars(r.refund_cents)} refunded to {str(r.refund_method).replace('_', ' ')}"
    else:
        s += f", refund due {dollars(r.refund_cents)}"
    return s + "."


@function_tool
async def check_return_eligibility(
    context: Ctx, order_number: str, condition: Condition, sku: str = "", reason: str = ""
) -> str | ToolResult:
    """Apply the return policy to an item of the caller's order. If it can be returned, code offers
    the return to the caller right away (their yes opens it); if not, you get the reason to explain.

    Args:
        order_number: The order number ("ORD-104233", "104233") or the caller's words for it ("my last
            order", "the rain jacket", "the one in transit"); code resolves it among the caller's orders.
        condition: unused (tags on), opened, defective, or damaged_by_customer.
        sku: The item's SKU if the order has several items, else "".
        reason: Why the caller returns it, if they said so, else "".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    oid, item = await resolve_order(ctx, customer.id, order_number), sku.strip() or None
    why = free_text(reason, field="reason") if reason.strip() else "not stated"
    async with service_errors():
        verdict = await ctx.services.returns.check_eligibility(customer.id, oid, sku=item, condition=condition)
    if not verdict.eligible:
        return "Not eligible. " + verdict.reason
    return _propose_return(
        context, customer.id, verdict, condition=condition, reason=why, lead="Good news, it can be returned."
    )


@function_tool
async def initiate_return(
    context: Ctx, order_number: str, condition: Condition, reason: str, sku: str = ""
) -> str | ToolResult:
    """Open a return for an eligible item. Code reads it back and opens it only after the caller's yes.

    Args:
        order_number: The order number ("ORD-104233") or the caller's words for it ("my last order",
            "the rain jacket"); code resolves it among the caller's orders.
        condition: unused, opened, defective, or damaged_by_customer.
        reason: Why the caller returns it, in a short sentence.
        sku: The item's SKU if the order has several items, else "".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    oid, why, item = (
        await resolve_order(ctx, customer.id, order_number),
        free_text(reason, field="reason"),
        sku.strip() or None,
    )
    async with service_errors():
        verdict = await ctx.services.returns.check_eligibility(customer.id, oid, sku=item, condition=condition)
    if not verdict.eligible:
        return "Not eligible, nothing was opened. " + verdict.reason
    return _propose_return(context, customer.id, verdict, condition=condition, reason=why)


def _propose_return(
    context: Ctx, customer_id: str, verdict: Eligibility, *, condition: Condition, reason: str, lead: str = ""
) -> ToolResult:
    """Hold the return of an eligible item for the caller's yes (read back by code)."""
    ctx = context.userdata

    async def _open() -> str:
        async with service_errors():
            created = await ctx.services.returns.initiate_return(
                customer_id, verdict.order_id, sku=verdict.sku, condition=condition, reason=reason
            )
        ctx.note_action(f"Return {created.id} opened for {the(created.item_name)} ({verdict.order_id})")
        return f"Done. {_return_sentence(created)} Would you like to schedule a pickup?"

    offer = f"I can open a return of {the(verdict.item_name)} from order {verdict.order_id} for a refund of "
    fee = verdict.restocking_fee_cents
    refund = dollars(verdict.refund_cents) + (f", after a {dollars(fee)} restocking fee" if fee else "")
    return propose_write(
        context,
        name="initiate_return",
        arguments={"order": verdict.order_id, "sku": verdict.sku, "condition": condition, "reason": reason},
        read_back=(f"{lead} " if lead else "") + offer + f"{refund}.",
        execute=_open,
    )


@function_tool
async def schedule_pickup(
    context: Ctx, return_number: str, date: str, window: Literal["morning", "afternoon", "evening"]
) -> ToolResult:
    """Book a carrier pickup for an open return. Code reads it back and books it only after the caller's yes.

    Args:
        return_number: e.g. "RET-512345".
        date: Pickup date as YYYY-MM-DD (tomorrow up to 14 days ahead, not Sunday).
        window: morning (8–12), afternoon (12–5) or evening (5–8).
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    rid, day = return_id(return_number), iso_date(date, field="pickup date")
    async with service_errors():
        await ctx.services.returns.check_pickup(customer.id, rid, date=day)

    async def _book() -> str:
        async with service_errors():
            updated = await ctx.services.returns.schedule_pickup(customer.id, rid, date=day, window=window)
        ctx.note_action(f"Pickup booked for {rid} on {spoken_date(day)} ({window})")
        return f"Booked. {_return_sentence(updated)}"

    return propose_write(
        context,
        name="schedule_pickup",
        arguments={"return": rid, "date": str(day), "window": window},
        read_back=f"I'll book a pickup for return {rid} on {spoken_weekday(day)} in the {window}.",
        execute=_book,
    )


@function_tool
async def process_refund(
    context: Ctx, return_number: str, method: Literal["original_payment", "store_credit"]
) -> ToolResult:
    """Issue the refund of a return whose pickup is booked. Code reads it back and refunds only after a yes.

    Args:
        return_number: e.g. "RET-512345".
        method: original_payment (3–5 business days) or store_credit (instant).
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    rid = return_id(return_number)
    async with service_errors():
        current = await ctx.services.returns.check_refund(customer.id, rid)

    async def _refund() -> str:
        async with service_errors():
            refunded = await ctx.services.returns.process_refund(customer.id, rid, method=method)
        ctx.note_action(f"Refund of {dollars(refunded.refund_cents)} issued for {rid}")
        return f"Done. {_return_sentence(refunded)}"

    return propose_write(
        context,
        name="process_refund",
        arguments={"return": rid, "method": method},
        read_back=f"I'll refund {dollars(current.refund_cents)} for return {rid} to your {method.replace('_', ' ')}.",
        execute=_refund,
    )


@function_tool
async def track_return_status(context: Ctx, return_number: str) -> str:
    """Status of one of the caller's returns.

    Args:
        return_number: e.g. "RET-512345".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        current = await ctx.services.returns.get_return(customer.id, return_id(return_number))
    return _return_sentence(current)


RETURN_TOOLS: list[llm.Tool] = [
    check_return_eligibility,
    initiate_return,
    schedule_pickup,
    process_refund,
    track_return_status,
]
