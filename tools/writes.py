"""Every write goes through :func:`propose_write`: validate, read back by code, wait for a real yes.

A write tool validates its arguments and the business rules first (so the caller never agrees
to something that will be refused), then calls :func:`propose_write` with the read-back sentence
and a closure that performs the write. Code speaks the read-back with ``session.say`` and holds
the action as the call's single pending action (:mod:`call.confirmation`); the model gets no
follow-up turn. The caller's next turn decides, in code: yes runs the closure exactly once; no,
a change, or a second unclear answer voids it. The model never needs to call the tool again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from livekit.agents import RunContext, ToolError
from livekit.agents.llm import ToolResult

from call.confirmation import PendingAction
from call.context import CustomerContext
from call.keypad import read_back_hint

logger = logging.getLogger("marketplace.tools.writes")

STEP_UP_QUESTION = (
    "For your security, please say the last four digits of your card or Social Security number to confirm."
)
"""Asked instead of "Shall I go ahead?" before a risky action (the issue's step-up rule)."""


HELD = (
    "The details were read back to the caller and nothing is saved yet. Their answer decides; "
    "do not call this tool again for it."
)
"""A held write's output, for the model only (the speech guard withholds it if the model reads it out)."""


def one_full_stop(sentence: str) -> str:
    """``"... noting: cracked screen.."`` → ``"... noting: cracked screen."``: a template's closing full stop
    after free text that already ended a sentence (``"cracked screen."``, ``"urgent!"``) is dropped."""
    sentence = sentence.rstrip()
    body = sentence[:-1].rstrip() if sentence.endswith(".") else ""
    return body if body.endswith((".", "!", "?", "…")) else sentence


def propose_write(
    context: RunContext[CustomerContext],
    *,
    name: str,
    arguments: dict[str, Any],
    read_back: str,
    execute: Callable[[], Awaitable[str]],
    step_up: bool = False,
) -> ToolResult:
    """Hold a validated write until the caller confirms it; speak its read-back now.

    Args:
        context: The tool's run context.
        name: The write's name (the tool name), for logs and the call report.
        arguments: Normalised arguments (no identity secrets).
        read_back: What will be done, as one sentence; code appends the question.
        execute: Performs the write and returns the sentence spoken after it (e.g. the new id).
        step_up: A risky action (account lock, password reset, payout or email change): instead of a
            yes, the caller must say the last four digits of their SSN or card, which code re-checks
            against the account just before the write runs (:meth:`services.customers.CustomerService.step_up`).

    Returns:
        A tool result that asks for no model reply (the caller's answer comes next).

    Raises:
        ToolError: a write was already proposed in this same caller turn (one at a time), or the same
            reply already transferred the caller (the coordinator voids a write proposed before it).
    """
    ctx = context.userdata
    if context.speech_handle.id in ctx.transfer_reply_ids:
        # The same reply already handed the caller to another agent (tool calls of one reply run
        # concurrently): a write proposed now would be answered at the next agent.
        raise ToolError("This reply already transferred the caller; nothing was proposed. Do not propose changes now.")
    if ctx.pending is not None and ctx.pending.proposed_at_turn == ctx.user_turns:
        raise ToolError(
            f"{ctx.pending.name} is already waiting for the caller's answer. Do not propose another change now."
        )
    if ctx.pending is not None:
        logger.info("pending %s voided by a new write", ctx.pending.name)
    sentence = f"{one_full_stop(read_back)} {STEP_UP_QUESTION if step_up else 'Shall I go ahead?'}"
    if ctx.channel == "phone":  # the keypad answers too (1 confirm, 2 change; or the four digits)
        sentence = f"{sentence} {read_back_hint(step_up=step_up)}"
    ctx.pending = PendingAction(
        name=name,
        arguments=dict(arguments),
        read_back=sentence,
        execute=execute,
        agent=ctx.current_agent,
        proposed_at_turn=ctx.user_turns,
        step_up=step_up,
    )
    context.session.say(sentence)
    return ToolResult(HELD, reply_required=False)
