"""Escalation to a person: a ticket that carries the transfer summary."""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, function_tool

from call.context import CustomerContext
from call.summary import TransferSummary

from .common import free_text, service_errors

Ctx = RunContext[CustomerContext]


@function_tool
async def create_escalation_ticket(
    context: Ctx, reason: str, priority: Literal["low", "normal", "high", "urgent"] = "normal"
) -> str:
    """Open a ticket so a person follows up with the caller; it carries the call's transfer summary.

    Args:
        reason: What the person must resolve, in one or two sentences.
        priority: urgent for safety/fraud, high for money at stake, else normal.
    """
    ctx = context.userdata
    why = free_text(reason, field="reason", max_len=500)
    last = ctx.transfers[-1] if ctx.transfers else None
    summary = TransferSummary.build(
        ctx,
        from_agent=last.from_agent if last else ctx.current_agent,
        to_agent="human",
        reason=last.reason if last else why,
    )
    customer = ctx.verification.customer
    async with service_errors():
        ticket = await ctx.services.tickets.create(
            customer_id=customer.id if customer else None,
            reason=why,
            priority=priority,
            summary={**summary.to_dict(), "transfers": [(t.from_agent, t.to_agent, t.reason) for t in ctx.transfers]},
        )
    ctx.note_action(f"Ticket {ticket.id} opened for a person ({priority})")
    contact = "by email or phone" if customer else "at the number they called from"
    return (
        f"Ticket {ticket.id} is open with {priority} priority. Tell the caller plainly that a person will "
        f"follow up {contact} within one business day, and give the ticket number."
    )
