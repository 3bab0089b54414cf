"""Order tracking tools: only the verified caller's own orders (ownership from ``CustomerContext``)."""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, function_tool, llm
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from services.views import OrderView, dollars, spoken_date, spoken_weekday

from .common import free_text, iso_date, service_errors
from .order_references import resolve_order
from .writes import propose_write

Ctx = RunContext[CustomerContext]


def _status_sentence(o: OrderView) -> str:
    status = o.status.replace("_", " ")
    if o.status == "delivered" and o.delivered_at:
        when = f"delivered on {spoken_date(o.delivered_at)}"
    elif o.expected_delivery:
        when = f"{status}, expected {spoken_weekday(o.expected_delivery)}"
    else:
        when = status
    carrier = f" with {o.carrier}, tracking {o.tracking_number}" if o.carrier else ""
    return f"Order {o.id} ({o.item_names()}, {dollars(o.total_cents)}) is {when}{carrier}."


@function_tool
async def list_orders(context: Ctx) -> str:
    """List the verified caller's recent orders (newest first) with their status."""
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        orders = await ctx.services.orders.list_orders(customer.id, limit=5)
    if not orders:
        return "The caller has no orders."
    return " ".join(_status_sentence(o) for o in orders)


@function_tool
async def track_order(context: Ctx, order_number: str) -> str:
    """Where one of the caller's orders is and when it arrives.

    Args:
        order_number: The order number ("ORD-104233", "104233") or the caller's words for it ("my last
            order", "the rain jacket", "the one in transit"); code resolves it among the caller's orders.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        oid = await resolve_order(ctx, customer.id, order_number)
        order = await ctx.services.orders.get_order(customer.id, oid)
    return _status_sentence(order)


@function_tool
async def get_shipping_updates(context: Ctx, order_number: str) -> str:
    """The carrier's scan history of one of the caller's orders, latest last.

    Args:
        order_number: The order number ("ORD-104233") or the caller's words for it ("my last order",
            "the rain jacket"); code resolves it among the caller's orders.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    async with service_errors():
        oid = await resolve_order(ctx, customer.id, order_number)
        events = await ctx.services.orders.tracking_events(customer.id, oid)
    return " ".join(f"{e.at:%b %d %H:%M}: {e.description} ({e.location})." for e in events[-5:]) or "No scans yet."


@function_tool
async def modify_delivery(context: Ctx, order_number: str, new_date: str = "", instructions: str = "") -> ToolResult:
    """Reschedule delivery and/or set delivery instructions. Code reads it back and changes it only after a yes.

    Args:
        order_number: The order number ("ORD-104233") or the caller's words for it ("my last order",
            "the rain jacket"); code resolves it among the caller's orders.
        new_date: New delivery date as YYYY-MM-DD, or "" to keep the date.
        instructions: e.g. "leave with the concierge", or "" to keep them.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    oid = await resolve_order(ctx, customer.id, order_number)
    date = iso_date(new_date, field="delivery date") if new_date.strip() else None
    note = free_text(instructions, field="instructions") if instructions.strip() else None
    async with service_errors():
        await ctx.services.orders.check_delivery_change(customer.id, oid, new_date=date, instructions=note)
    parts = ([f"deliver on {spoken_weekday(date)}"] if date else []) + (
        [f"set the delivery instructions to '{note}'"] if note else []
    )

    async def _change() -> str:
        async with service_errors():
            order = await ctx.services.orders.modify_delivery(customer.id, oid, new_date=date, instructions=note)
        ctx.note_action(f"Delivery of {oid} changed ({' and '.join(parts)})")
        return f"Done. {_status_sentence(order)}"

    return propose_write(
        context,
        name="modify_delivery",
        arguments={"order": oid, "date": str(date), "note": note},
        read_back=f"For order {oid}, I'll {' and '.join(parts)}.",
        execute=_change,
    )


@function_tool
async def report_delivery_issue(
    context: Ctx, order_number: str, issue: Literal["missing", "damaged", "wrong_item", "late"], description: str
) -> ToolResult:
    """Open a delivery case (missing, damaged, wrong item, or late parcel) after the caller's yes to code's read-back.

    Args:
        order_number: The order number ("ORD-104233") or the caller's words for it ("my last order",
            "the rain jacket"); code resolves it among the caller's orders.
        issue: The kind of problem.
        description: One or two sentences in the caller's words.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    oid = await resolve_order(ctx, customer.id, order_number)
    text = free_text(description, field="description")
    async with service_errors():
        await ctx.services.orders.check_delivery_issue(customer.id, oid, kind=issue, description=text)

    async def _report() -> str:
        async with service_errors():
            case_id = await ctx.services.orders.report_delivery_issue(customer.id, oid, kind=issue, description=text)
        ctx.note_action(f"Delivery issue {case_id} ({issue}) opened for {oid}")
        return f"Case {case_id} is open for order {oid}. The delivery team replies by email within one business day."

    return propose_write(
        context,
        name="report_delivery_issue",
        arguments={"order": oid, "issue": issue, "text": text},
        read_back=f"I'll report order {oid} as {issue.replace('_', ' ')}, noting: {text}.",
        execute=_report,
    )


ORDER_TOOLS: list[llm.Tool] = [list_orders, track_order, get_shipping_updates, modify_delivery, report_delivery_issue]
