"""Handing a phone caller to a person: the briefing, the transfer itself, and code-proposed offers.

When a number for the human team is configured (``HUMAN_TRANSFER_NUMBER``) and the caller is on the
phone, the human agent puts the caller through (:mod:`agents.human`):

* **consent is the caller's, decided by code.** A caller whose own words ask for a person ("can I talk
  to a real person") is put through at once; that request was decided by code
  (:func:`agents.steps.routing.route_for_request`), exactly as for the handoff to the human agent.
  Otherwise (the model sent the caller to the human agent, or the model offers it later with
  :func:`transfer_to_colleague`) code reads the offer back and holds it as the call's pending action:
  only the caller's clear yes, classified by :func:`call.confirmation.resolve`, puts them through.
  It is not a :func:`tools.writes.propose_write` write: nothing is written to the database and the
  call ends when it succeeds, so it has its own tests (``tests/flows/test_human_transfer.py``) instead
  of the database write suites;
* **the transfer** (:func:`connect_caller`): warm when configured and possible — the person is called
  first and briefed with the redacted transfer summary (:func:`briefing`) — else, or when warm fails,
  cold (SIP REFER);
* **a failure never leaves dead air**: the caller stays with the desk, hears an apology and is offered a
  ticket, read back by code like any write (:func:`tools.escalation.ticket_write`).

Without a number, or for a web caller, the human agent stays the AI stand-in of the original system:
it says so plainly and opens tickets.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from livekit.agents import AgentSession, RunContext, ToolError, function_tool
from livekit.agents.llm import ToolResult

from call.confirmation import PendingAction
from call.context import CustomerContext
from call.keypad import read_back_hint
from call.phone_line import TransferFailedError, TransferMode, TransferUnavailableError
from call.summary import TransferSummary

logger = logging.getLogger("marketplace.tools.human_transfer")

Ctx = RunContext[CustomerContext]

TRANSFER_ACTION = "transfer_to_colleague"
"""Name of the tool and of the pending action of an offer to put the caller through."""

STAND_IN_LINE = (
    "Just so you know, I'm the desk's automated assistant: no colleague can join this call, "
    "but I can open a ticket so a person follows up with you."
)
"""Said by code when the human agent cannot put the caller through (no number, or a web caller)."""
OFFER_READ_BACK = (
    "I'm the desk's automated assistant. I can put you through to a colleague now and brief them on your call."
)
"""The offer read back by code when the caller did not ask for a person in their own words."""
HOLD_LINES: dict[TransferMode, str] = {
    "cold": "Please stay on the line while I transfer you to a colleague.",
    "warm": "Please stay on the line while I reach a colleague and tell them what we've covered.",
}
"""Said (not interruptible) before the transfer starts, by the configured mode."""
BRIDGED_LINE = "You're now on the line with my colleague. Goodbye!"
"""Said after a warm transfer merged the person into the call; then the desk leaves."""
FAILED_LINE = "I'm sorry, I couldn't reach a colleague just now."
"""Said when the transfer failed; the ticket offer follows."""


def can_transfer(ctx: CustomerContext) -> bool:
    """Whether a person can take this call: a number is configured and the caller is on the phone."""
    return ctx.human_transfer is not None and ctx.phone_line is not None and ctx.phone_line.is_phone


def colleague(ctx: CustomerContext) -> str:
    """Who the caller is handed to, in code's lines: a colleague when a person can take the call
    (:func:`can_transfer`), else the escalation desk, whose automated assistant opens a ticket for a person.

    So the desk never says "I'll connect you with a colleague" and then "no colleague can join this call"
    (heard in a local-model call before this).
    """
    return "a colleague" if can_transfer(ctx) else "our escalation desk"


def transfer_reason(ctx: CustomerContext) -> str:
    """Why the caller goes to a person: the reason of the transfer to the human agent, if any."""
    last = ctx.transfers[-1] if ctx.transfers else None
    if last is not None and last.to_agent == "human" and last.reason.strip():
        return last.reason
    return "The caller asked for a person"


def briefing(ctx: CustomerContext, *, reason: str) -> str:
    """What the person is told before the caller joins (a warm transfer): the transfer summary, redacted.

    Built from :class:`call.summary.TransferSummary` (reason, intent and actions redacted there), as
    plain sentences for a person. No identity digits, no date of birth, no address.

    Args:
        ctx: The call's context.
        reason: Why the caller goes to a person.
    """
    last = ctx.transfers[-1] if ctx.transfers else None
    s = TransferSummary.build(
        ctx, from_agent=last.from_agent if last else ctx.current_agent, to_agent="human", reason=reason
    )
    who = f"{s.caller}, customer {s.customer_id}" if s.customer_id else s.caller
    status = "identity verified" if s.verified else "identity not verified"
    lines = [
        f"A caller from the Marketplace help desk: {who}, {status}.",
        f"Why they need a person: {s.reason or 'not given'}.",
        f"What they called about: {s.intent or 'not stated'}.",
    ]
    if s.done:
        lines.append("Already done in this call: " + "; ".join(s.done) + ".")
    if s.offer_response:
        lines.append(f"They answered the loyalty offer: {s.offer_response.lower().replace('_', ' ')}.")
    return " ".join(lines)


async def connect_caller(ctx: CustomerContext, *, reason: str) -> TransferMode:
    """Put the caller through to the human team: warm when configured and possible, else cold.

    Must be awaited from an agent's ``on_enter`` (LiveKit runs a warm transfer as an ``AgentTask``,
    which only runs there or in a tool). Records the transfer as an action of the call.

    Args:
        ctx: The call's context; :func:`can_transfer` must be true.
        reason: Why the caller goes to a person (in the briefing).

    Returns:
        ``"warm"`` (the caller is now talking with the person, in this call's room) or ``"cold"``
        (the caller was sent to the team's number and has left the call).

    Raises:
        TransferFailedError: no transfer connected; the caller is still with the desk.
    """
    line, target = ctx.phone_line, ctx.human_transfer
    if line is None or target is None or not line.is_phone:
        raise TransferFailedError("no phone line or no number for the human team")
    if target.mode == "warm":
        try:
            await line.transfer_warm(target.number, briefing(ctx, reason=reason))
        except Exception as exc:  # TransferUnavailableError, TransferFailedError, NotImplementedError, a line's own
            logger.warning("warm transfer not done (%s): %s; trying a cold transfer", type(exc).__name__, exc)
        else:
            ctx.note_action("Transferred to a person (warm transfer, colleague briefed)")
            return "warm"
    try:
        await line.transfer_cold(target.number)
    except (TransferUnavailableError, TransferFailedError) as exc:
        raise TransferFailedError(str(exc)) from exc
    except Exception as exc:  # a SIP or API error of the line: the caller is still here
        raise TransferFailedError(f"{type(exc).__name__}: {exc}") from exc
    ctx.note_action("Transferred to a person (cold transfer)")
    return "cold"


def offer_from_code(
    ctx: CustomerContext,
    session: AgentSession[Any],
    *,
    name: str,
    arguments: dict[str, Any],
    read_back: str,
    execute: Callable[[], Awaitable[str]],
    reply_id: str | None = None,
) -> PendingAction:
    """Read an offer back and hold it as the call's pending action, as :func:`tools.writes.propose_write`
    does for a write, when code (not a tool call) makes the offer.

    The caller's next turn decides it in code (:func:`call.confirmation.resolve`): yes runs ``execute``,
    anything else voids it.

    Args:
        ctx: The call's context.
        session: The call's session (code speaks the read-back).
        name: The pending action's name (logs, the call report).
        arguments: Its arguments (no identity secrets).
        read_back: What will be done, one sentence; the question is appended.
        execute: Run on the caller's yes; returns the sentence spoken afterwards ("" to say nothing).
        reply_id: The model reply proposing it, when a tool does (one transfer or offer per reply).

    Raises:
        ToolError: the same reply already transferred the caller, or another offer awaits this turn's answer.
    """
    if reply_id is not None and reply_id in ctx.transfer_reply_ids:
        raise ToolError("This reply already transferred the caller; nothing was offered.")
    if reply_id is not None and ctx.pending is not None and ctx.pending.proposed_at_turn == ctx.user_turns:
        raise ToolError(f"{ctx.pending.name} is already waiting for the caller's answer. Do not offer anything now.")
    sentence = f"{read_back} Shall I go ahead?"
    if ctx.channel == "phone":  # the keypad answers too (1 confirm, 2 change)
        sentence = f"{sentence} {read_back_hint(step_up=False)}"
    action = PendingAction(
        name=name,
        arguments=dict(arguments),
        read_back=sentence,
        execute=execute,
        agent=ctx.current_agent,
        proposed_at_turn=ctx.user_turns,
    )
    ctx.pending = action
    session.say(sentence)
    return action


async def _consented() -> str:
    """The transfer offer's action on the caller's yes: nothing yet (the human agent connects them next)."""
    return ""


def offer_transfer(ctx: CustomerContext, session: AgentSession[Any], *, reply_id: str | None = None) -> None:
    """Read back the offer to put the caller through to a person; their yes connects them.

    Raises:
        ToolError: see :func:`offer_from_code`.
    """
    offer_from_code(
        ctx,
        session,
        name=TRANSFER_ACTION,
        arguments={},
        read_back=OFFER_READ_BACK,
        execute=_consented,
        reply_id=reply_id,
    )


@function_tool
async def transfer_to_colleague(context: Ctx) -> ToolResult:
    """Offer to put a phone caller through to a person now (code reads the offer back; their yes connects them).

    Use when the caller wants to speak with a person rather than have a ticket.
    """
    ctx = context.userdata
    if not can_transfer(ctx):
        raise ToolError("No colleague can join this call. Offer create_escalation_ticket instead.")
    if ctx.handover_in_progress:
        raise ToolError("The caller is already being transferred.")
    offer_transfer(ctx, context.session, reply_id=context.speech_handle.id)
    return ToolResult(
        "The offer was read back to the caller; their answer decides. Do not call this tool again for it.",
        reply_required=False,
    )
