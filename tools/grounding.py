"""Grounding of identity values in what the caller actually said.

Models invent argument values (the offline model recorded a first name before the caller gave
one, and phone numbers nobody said). For identity checks that is harmful twice over: a made-up
last four counts as a failed attempt, and three of them lock the real customer out. So the
identity tools accept a value only when it appears in the caller's recent turns.
"""

from __future__ import annotations

import re

from call.context import CustomerContext

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_MULTIPLIERS = {"double": 2, "triple": 3}


def spoken_digits(text: str) -> str:
    """All digits in ``text``, in order, with spoken digits converted (``"four 8 double two"`` → ``"4822"``).

    Args:
        text: A caller utterance as transcribed.

    Returns:
        A string of digits (possibly empty).
    """
    out: list[str] = []
    repeat = 1
    for token in re.findall(r"\d|[a-z]+", text.casefold()):
        if token in _MULTIPLIERS:
            repeat = _MULTIPLIERS[token]
            continue
        digit = token if token.isdigit() else _DIGIT_WORDS.get(token)
        if digit is not None:
            out.append(digit * repeat)
        repeat = 1
    return "".join(out)


def caller_said_digits(ctx: CustomerContext, digits: str) -> bool:
    """True when ``digits`` occur, in order and contiguous, among the digits of the caller's recent turns."""
    return bool(digits) and digits in spoken_digits(" ".join(ctx.recent_user_texts))


def caller_said_name(ctx: CustomerContext, name: str) -> bool:
    """True when ``name`` occurs in the caller's recent turns, as a word or spelled letter by letter."""
    wanted = re.sub(r"[^a-z]", "", name.casefold())
    said = " ".join(ctx.recent_user_texts).casefold()
    words = set(re.findall(r"[a-z]+", said))
    spelled = re.sub(r"[^a-z]", "", said)
    return bool(wanted) and (wanted in words or (len(wanted) > 1 and wanted in spelled and _spelled(said, wanted)))


def _spelled(said: str, wanted: str) -> bool:
    """The caller spelled ``wanted`` as single letters (``"a v a"``, ``"A-V-A"``)."""
    letters = "".join(re.findall(r"(?<![a-z])[a-z](?![a-z])", said))
    return wanted in letters
