"""Keypad (DTMF) entries on phone calls: what the keys stand for, decided by code.

A phone caller can key in the date of birth and the last four digits, and answer any read-back
with 1 (confirm) or 2 (change). :mod:`agents.keypad` collects the keys of one entry (``#`` or a
pause ends it); this module says what an entry means. It turns the keys into the *canonical words*
that the code path for speech already reads — ``1`` → ``"yes"``, ``04121988`` → ``"1988-04-12"``,
``48211`` → ``"4821 social security"`` — so a keyed answer goes through exactly the same parser,
validation and transitions as a spoken one (:mod:`call.parse`, :func:`call.confirmation.resolve`,
the verification steps of :mod:`agents.steps.verification`). Nothing here guesses: an entry of the
wrong length or shape stands for nothing (``None``) and the caller is asked again.

The keys are identity data. They are never put in a chat context, the session history, a transcript,
the call report or a log; what the conversation records of an entry is :data:`KEYPAD_MESSAGE`, and
:class:`KeypadEntry` hides its keys from ``repr``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

KEYPAD_MESSAGE = "[keypad entry]"
"""The caller's turn as the history, the chat context and the transcript record a keypad entry."""

MAX_KEYS = 16
"""Digit keys kept per entry; more make the entry :attr:`KeypadEntry.too_long` (the longest answer, a
date of birth, is 8 keys)."""

CONFIRM_KEY, CHANGE_KEY = "1", "2"
"""Answers to a read-back: 1 confirms (a yes), 2 changes (a no)."""
SSN_KEY, CARD_KEY = "1", "2"
"""After the last four digits: 1 if they are from the Social Security number, 2 if from the card."""

CONFIRM_HINT = "Press 1 to confirm, or 2 to change."
"""Said after every yes/no read-back on phone calls."""
STEP_UP_HINT = "You can also key them in, then press the pound key."
"""Said after the step-up question (the last four instead of a yes) on phone calls."""
DATE_KEYS = 8
"""A keyed date of birth: two digits for the month, two for the day, four for the year (MMDDYYYY)."""
LAST_FOUR_KEYS = 4


@dataclass(frozen=True)
class KeypadEntry:
    """One keypad entry of the caller: the digit keys pressed until ``#`` or a pause.

    Attributes:
        keys: The digit keys in order, ``"0"``–``"9"`` only (at most :data:`MAX_KEYS`). Identity data:
            never logged, never shown to the model, hidden from ``repr``.
        keyed_at: ``time.monotonic()`` of the first key press (seconds). A pending action proposed
            after it is not answered by this entry (the keys came before the question).
        too_long: More than :data:`MAX_KEYS` digits were pressed; the entry stands for nothing.

    Raises:
        ValueError: ``keys`` holds something other than ASCII digits, or more than :data:`MAX_KEYS`.
    """

    keys: str = field(repr=False)
    keyed_at: float = field(default_factory=time.monotonic)
    too_long: bool = False

    def __post_init__(self) -> None:
        if self.keys and not (self.keys.isascii() and self.keys.isdigit()):
            raise ValueError("a keypad entry holds digit keys only")
        if len(self.keys) > MAX_KEYS:
            raise ValueError(f"a keypad entry keeps at most {MAX_KEYS} keys")

    @property
    def usable(self) -> str:
        """The keys, or ``""`` for an entry that was too long (it stands for nothing)."""
        return "" if self.too_long else self.keys


def read_back_hint(*, step_up: bool) -> str:
    """What a phone caller hears after a read-back's question: how to answer it on the keypad.

    Args:
        step_up: The action is confirmed with the last four digits instead of a yes.
    """
    return STEP_UP_HINT if step_up else CONFIRM_HINT


def keyed_yes_no(entry: KeypadEntry) -> str:
    """The answer to a yes/no read-back: ``"yes"`` for 1, ``"no"`` for 2, ``""`` (unclear) otherwise."""
    return {CONFIRM_KEY: "yes", CHANGE_KEY: "no"}.get(entry.usable, "")


def keyed_answer(entry: KeypadEntry, *, step_up: bool) -> str:
    """The words a keypad answer to a pending action stands for (read by :func:`call.confirmation.resolve`).

    A yes/no action: 1 → ``"yes"``, 2 → ``"no"``. A step-up action: exactly four digits → those
    digits; 2 → ``"no"``. Anything else → ``""``, which is unclear (asked again once, then void).

    Args:
        entry: The caller's keys.
        step_up: The action wants the last four digits instead of a yes.
    """
    if step_up and len(entry.usable) == LAST_FOUR_KEYS:
        return entry.usable
    answer = keyed_yes_no(entry)
    return "" if step_up and answer == "yes" else answer


def keyed_date(entry: KeypadEntry) -> str | None:
    """A keyed date of birth, MMDDYYYY, written as ``YYYY-MM-DD`` for :func:`call.parse.parse_date`.

    Only the shape is checked here (eight digits, a month 01–12, a day 01–31); whether the date
    exists, is in the past and gives a plausible age is decided by the same code as a spoken date.

    Returns:
        ``"1988-04-12"`` for ``04121988``, or ``None``.
    """
    keys = entry.usable
    if len(keys) != DATE_KEYS:
        return None
    month, day, year = keys[:2], keys[2:4], keys[4:]
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def keyed_secret_kind(entry: KeypadEntry) -> str | None:
    """Which secret the last four are from: 1 → ``"social security"``, 2 → ``"card"``, else ``None``."""
    return {SSN_KEY: "social security", CARD_KEY: "card"}.get(entry.usable)


def keyed_last_four(entry: KeypadEntry) -> str | None:
    """The last four digits, optionally followed by the key for which secret, as words.

    ``4821`` → ``"4821"`` (which one is asked next), ``48211`` → ``"4821 social security"``,
    ``48212`` → ``"4821 card"``; anything else → ``None``.
    """
    keys = entry.usable
    if len(keys) == LAST_FOUR_KEYS:
        return keys
    if len(keys) == LAST_FOUR_KEYS + 1 and (kind := keyed_secret_kind(KeypadEntry(keys[-1]))) is not None:
        return f"{keys[:LAST_FOUR_KEYS]} {kind}"
    return None
