"""Confirmation that means yes: one pending write per call, resolved by code from the caller's words.

τ-bench retail policy: list the details and get an explicit "yes" before any write. Here the
model never decides that a caller agreed. A write tool validates its arguments, builds a
:class:`PendingAction` (the read-back sentence and a closure that performs the write) and
proposes it; code speaks the read-back. The caller's *next* turn is classified by
:func:`call.answers.classify_yes_no` (precision first):

* **yes** — code runs the write, exactly once (the action is removed before it runs);
* **no**, or a change ("make it store credit") — the action is void;
* **unclear** — the read-back is asked again once; a second unclear answer voids it.

On phone calls the keypad answers too (:func:`resolve_keypad`): 1 is a yes, 2 a no, and for a
step-up action the four keyed digits are the answer; the keys become those words and are decided
by :func:`resolve`, the one mechanism.

Any other event voids it too: a transfer, another proposed write, or a caller turn that is not
an answer to it (:func:`resolve` is called on every caller turn, so a pending action never
survives a turn). The offer answer follows the same rules in its own step
(:class:`agents.steps.verification.OfferStep`): the disclosure's closing question is the
read-back, and the caller's next words are classified by code as ACCEPTED / DECLINED /
REMIND_LATER or asked again (:func:`call.answers.classify_offer`).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .answers import YesNo, classify_yes_no
from .keypad import KeypadEntry, keyed_answer
from .parse import parse_last_four

logger = logging.getLogger("marketplace.confirmation")

MAX_REASKS = 1
"""Unclear answers tolerated before a pending action is voided (the issue's rule: re-ask once)."""


@dataclass
class PendingAction:
    """A write proposed to the caller, awaiting their answer in the next caller turn.

    Attributes:
        name: The write's name, e.g. ``"initiate_return"`` (reports and logs).
        arguments: Normalised arguments, for the call report (no identity secrets).
        read_back: The sentence spoken to the caller; it ends with the question.
        execute: Performs the write; returns the sentence code speaks afterwards. Raises
            ``ToolError`` / ``ServiceError`` when the write is refused at execution time.
        agent: Registry key of the agent that proposed it.
        proposed_at_turn: Caller turns counted when it was proposed; only a later turn answers it.
        reasks: Unclear answers so far.
    """

    name: str
    arguments: dict[str, Any]
    read_back: str
    execute: Callable[[], Awaitable[str]] = field(repr=False)
    agent: str = ""
    proposed_at_turn: int = 0
    reasks: int = 0
    step_up: bool = False
    """A risky action (lock, password reset, payout or email change): the answer must be the last four
    digits of the SSN or card on file, re-checked by code just before it runs, instead of a yes."""
    proposed_monotonic: float = field(default_factory=time.monotonic, repr=False)
    """``time.monotonic()`` when it was proposed: keypad keys pressed before it do not answer it."""


class Verdict(enum.StrEnum):
    """What code decided about the caller's answer to a pending action."""

    EXECUTE = "execute"
    """Clear yes: run the action now (it has been removed from the context)."""
    REASK = "reask"
    """Unclear for the first time: ask the read-back again."""
    VOIDED = "voided"
    """No, a change, or unclear twice: nothing is written."""
    NOT_AN_ANSWER = "not_an_answer"
    """The turn was the one that proposed the action (nothing to decide yet)."""


@dataclass(frozen=True)
class Resolution:
    """The outcome of one caller turn for the pending action.

    Attributes:
        verdict: See :class:`Verdict`.
        action: The action concerned.
        answer: The classification of the caller's words.
    """

    verdict: Verdict
    action: PendingAction
    answer: YesNo
    last_four: str | None = field(default=None, repr=False)
    """For a step-up action: the four digits the caller said (checked by the caller of :func:`resolve`)."""


def resolve(action: PendingAction, utterance: str, *, user_turn: int) -> Resolution:
    """Classify the caller's answer to ``action`` (a yes/no write).

    Args:
        action: The pending action (mutated: ``reasks`` is counted).
        utterance: The caller's final transcript of this turn.
        user_turn: The number of this caller turn.

    Returns:
        The resolution; the caller of this function removes the action from the context unless
        the verdict is ``REASK`` or ``NOT_AN_ANSWER``.
    """
    if user_turn <= action.proposed_at_turn:
        return Resolution(Verdict.NOT_AN_ANSWER, action, YesNo.UNCLEAR)
    if action.step_up:
        return _resolve_step_up(action, utterance)
    answer = classify_yes_no(utterance)
    if answer is YesNo.YES:
        return Resolution(Verdict.EXECUTE, action, answer)
    if answer is YesNo.UNCLEAR and action.reasks < MAX_REASKS:
        action.reasks += 1
        return Resolution(Verdict.REASK, action, answer)
    return Resolution(Verdict.VOIDED, action, answer)


def _resolve_step_up(action: PendingAction, utterance: str) -> Resolution:
    """Four digits proceed (to be checked); a no voids; anything else is asked again once."""
    said = parse_last_four(utterance)
    answer = classify_yes_no(utterance)
    if said is not None:
        return Resolution(Verdict.EXECUTE, action, YesNo.YES, last_four=said.digits)
    if answer is not YesNo.NO and action.reasks < MAX_REASKS:
        action.reasks += 1
        return Resolution(Verdict.REASK, action, answer)
    return Resolution(Verdict.VOIDED, action, answer)


# --- keypad ---


def resolve_keypad(action: PendingAction, entry: KeypadEntry, *, user_turn: int) -> Resolution:
    """Classify a keypad answer to ``action`` exactly like a spoken one (the keypad is one more way to say it).

    1 is a yes and 2 a no; for a step-up action four digits are the answer
    (:func:`call.keypad.keyed_answer`). The keys are turned into those words and decided by
    :func:`resolve`, so re-asks, voiding and step-up follow the same rules.

    Args:
        action: The pending action (mutated as by :func:`resolve`).
        entry: The caller's keypad entry.
        user_turn: The number of this caller turn (the keypad entry counts as one).

    Returns:
        ``NOT_AN_ANSWER`` when the first key was pressed before the action was proposed (keys pressed
        while the reply that proposed it was being made, i.e. in the same turn, before the question);
        otherwise what :func:`resolve` decides.
    """
    if entry.keyed_at < action.proposed_monotonic:
        return Resolution(Verdict.NOT_AN_ANSWER, action, YesNo.UNCLEAR)
    return resolve(action, keyed_answer(entry, step_up=action.step_up), user_turn=user_turn)
