"""Escalation to a person: a ticket that carries the transfer summary.

The ticket is a write like every other (code reads it back, the caller's yes opens it). It is proposed
by the model (:func:`create_escalation_ticket`) or by code when a transfer to a person failed
(:mod:`tools.human_transfer`); both build it with :func:`ticket_write`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from livekit.agents import RunContext, function_tool
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from call.redaction import redact
from call.summary import TransferSummary

from .common import free_text, service_errors
from .writes import propose_write

Ctx = RunContext[CustomerContext]
Priority = Literal["low", "normal", "high", "urgent"]

TICKET_TOOL = "create_escalation_ticket"


@dataclass(frozen=True)
class TicketWrite:
    """A ticket for a person, ready to be proposed.

    Attributes:
        arguments: Normalised arguments (for the pending action and the call report).
        read_back: The sentence code reads back (the question is appended by the proposer).
        execute: Opens the ticket; returns the sentence spoken afterwards (with the ticket number).
    """

    arguments: dict[str, Any]
    read_back: str
    execute: Callable[[], Awaitable[str]]


def ticket_write(ctx: CustomerContext, *, reason: str, priority: Priority = "normal") -> TicketWrite:
    """Build the ticket write for the call: the reason, the priority and the call's transfer summary.

    Args:
        ctx: The call's context.
        reason: What the person must resolve (already validated, at most 500 characters; redacted here).
        priority: urgent for safety/fraud, high for money at stake, else normal.
    """
    last = ctx.transfers[-1] if ctx.transfers else None
    summary = TransferSummary.build(
        ctx,
        from_agent=last.from_agent if last else ctx.current_agent,
        to_agent="human",
        reason=last.reason if last else reason,
    )
    customer = ctx.verification.customer
    contact = "by email or phone" if customer else "at the number you called from"

    async def _open() -> str:
        async with service_errors():
            ticket = await ctx.services.tickets.create(
                customer_id=customer.id if customer else None,
                reason=redact(reason),
                priority=priority,
                summary={
                    **summary.to_dict(),
                    "transfers": [(t.from_agent, t.to_agent, t.reason) for t in ctx.transfers],
                },
            )
        ctx.note_action(f"Ticket {ticket.id} opened for a person ({priority})")
        return f"Done. Your ticket number is {ticket.id}. A colleague will follow up {contact} within one business day."

    return TicketWrite(
        arguments={"priority": priority, "reason": reason},
        read_back=f"I'll open a {priority} priority ticket so a colleague follows up with you {contact}.",
        execute=_open,
    )


@function_tool
async def create_escalation_ticket(context: Ctx, reason: str, priority: Priority = "normal") -> ToolResult:
    """Open a ticket so a person follows up with the caller (after code's read-back and their yes).

    The ticket carries the call's transfer summary.

    Args:
        reason: What the person must resolve, in one or two sentences.
        priority: urgent for safety/fraud, high for money at stake, else normal.
    """
    why = free_text(reason, field="reason", max_len=500)
    ticket = ticket_write(context.userdata, reason=why, priority=priority)
    return propose_write(
        context,
        name=TICKET_TOOL,
        arguments=ticket.arguments,
        read_back=ticket.read_back,
        execute=ticket.execute,
    )
