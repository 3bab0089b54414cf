"""Caller confirmation enforced in code before every write (τ-bench retail policy: read back the
details and get an explicit "yes" before any write).

A write tool calls :func:`confirm_or_propose` first. The first call stores a pending action and
returns a read-back for the model to speak; the write happens only when the *same* tool is called
again with the *same* arguments after a later caller turn that is an explicit yes.
"""

from __future__ import annotations

import re
from typing import Any

from livekit.agents import ToolError

from call.context import CustomerContext, PendingConfirmation

_YES = re.compile(
    r"\b(yes|yeah|yep|yup|correct|sure|okay|ok|confirm(?:ed)?|go ahead|please do|do it|that['’]?s right|"
    r"sounds good|absolutely|definitely|of course)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"\b(no|nope|don['’]?t|do not|not|can['’]?t|cannot|won['’]?t|wait|hold on|hang on|stop|cancel|never ?mind)\b",
    re.IGNORECASE,
)


def is_explicit_yes(utterance: str) -> bool:
    """True when the utterance affirms and does not also negate ("yes" ✓, "no, wait" ✗, "yes but no" ✗)."""
    return bool(_YES.search(utterance)) and not _NO.search(utterance)


def confirm_or_propose(ctx: CustomerContext, action: str, arguments: dict[str, Any], read_back: str) -> str | None:
    """Gate a write on the caller's explicit confirmation.

    Args:
        ctx: The call's userdata (holds the pending action and the caller's last utterance).
        action: Tool name, e.g. ``"initiate_return"``.
        arguments: Normalised arguments; confirmation is valid only for exactly these.
        read_back: The sentence to read to the caller, e.g. "Return the Alpine rain jacket ...".

    Returns:
        ``None`` when the write may proceed now; otherwise the instruction for the model
        (read back and ask), after storing the pending action.

    Raises:
        ToolError: the caller answered the read-back with something other than a clear yes.
    """
    pending = ctx.pending
    if (
        pending is not None
        and pending.action == action
        and pending.arguments == arguments
        and ctx.user_turns > pending.proposed_at_turn
    ):
        ctx.pending = None
        if is_explicit_yes(ctx.last_user_text):
            return None
        raise ToolError(
            "The caller did not clearly confirm, so nothing was changed. Ask what they would like to change."
        )
    ctx.pending = PendingConfirmation(action, dict(arguments), read_back, ctx.user_turns)
    return (
        f"Nothing is saved yet. Read this back to the caller and ask for a clear yes: {read_back} "
        f"When they say yes, call {action} again with the same arguments."
    )
