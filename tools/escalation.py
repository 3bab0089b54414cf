"""Escalation to a person: a ticket that carries the transfer summary."""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, function_tool
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from call.redaction import redact
from call.summary import TransferSummary

from .common import free_text, service_errors
from .writes import propose_write

Ctx = RunContext[CustomerContext]


@function_tool
async def create_escalation_ticket(
    context: Ctx, reason: str, priority: Literal["low", "normal", "high", "urgent"] = "normal"
) -> ToolResult:
    """Open a ticket so a person follows up with the caller (after code's read-back and their yes).

    The ticket carries the call's transfer summary.

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
    contact = "by email or phone" if customer else "at the number you called from"

    async def _open() -> str:
        async with service_errors():
            ticket = await ctx.services.tickets.create(
                customer_id=customer.id if customer else None,
                reason=redact(why),
                priority=priority,
                summary={
                    **summary.to_dict(),
                    "transfers": [(t.from_agent, t.to_agent, t.reason) for t in ctx.transfers],
                },
            )
        ctx.note_action(f"Ticket {ticket.id} opened for a person ({priority})")
        return f"Done. Your ticket number is {ticket.id}. A colleague will follow up {contact} within one business day."

    return propose_write(
        context,
        name="create_escalation_ticket",
        arguments={"priority": priority, "reason": why},
        read_back=f"I'll open a {priority} priority ticket so a colleague follows up with you {contact}.",
        execute=_open,
    )
