"""Does the caller end the call? Two classifiers of the caller's words, both decided in code.

* :func:`is_goodbye` — precision first: code says the goodbye and hangs up on it, with no LLM request.
  The caller must say a farewell ("bye", "goodbye", "have a good day", "take care") and nothing but
  closing words around it ("no, that's everything, goodbye", "that's all, thanks, bye"). "I want to
  buy a lamp" has no farewell; "goodbye to my old sofa, I need a new one" has more than closing words;
  "bye?" is a question; "thanks, that's all for that" has no farewell (the caller may go on).
* :func:`sounds_like_closing` — looser: the caller's last words may end the call ("no thanks",
  "I'm done", "that's all"). The model's ``end_call`` tool is refused unless they do, so a model that
  calls it by mistake cannot cut a caller off mid-request.

Whether a read-back is waiting for the caller's answer is decided by the caller of these functions: a
goodbye said then is an answer to the read-back first (see :meth:`agents.base.MarketplaceAgent.take_caller_turn`).
"""

from __future__ import annotations

import re

MAX_WORDS = 16
"""Longer turns are never a plain goodbye (they carry something else)."""

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

_FAREWELL = re.compile(
    r"\b(?:good ?bye|bye(?: bye)*|byebye|farewell|take care|talk (?:to you )?(?:later|soon)|"
    r"have a (?:good|great|nice|lovely|wonderful|pleasant) (?:day|one|night|evening|afternoon|morning|weekend))\b"
)
"""Words that take leave. "by" is not "bye" (precision: speech-to-text writes "stand by", "by Friday")."""

_CLOSING_WORDS = (
    # thanks
    r"thank you(?: (?:so|very) much)?|thanks(?: (?:so|very) much| a lot| again)?|thank u|thx|cheers|"
    r"much appreciated|(?:i )?appreciate (?:it|your help|the help)|for (?:all )?(?:your|the) help|for everything|"
    r"for your time",
    # nothing more
    r"(?:i think )?(?:that(?:s| is| was| will be|ll be) (?:all|everything|it))"
    r"(?: (?:i|we) (?:needed|need|wanted|had|called (?:for|about)))?(?: for (?:now|today))?|"
    r"nothing (?:else|more)|(?:im|i am|were|we are) (?:all )?(?:done|set|good)|all (?:set|good)|"
    r"(?:you(?:ve| have)? been|you were|that was|that is|thats) (?:(?:very|really|so|super) )?(?:helpful|great)",
    # acknowledgements and fillers
    r"no|nope|nah|ok|okay|alright|all right|yes|yeah|yep|sure|great|perfect|good|wonderful|awesome|cool|fine|"
    r"lovely|you too|same to you|and|so|then|well|oh|ah|now|for now|again|today|for today|sir|maam|mate|"
    r"everyone|guys|folks|again|anyway|anyways",
)
_CLOSING = re.compile(r"\b(?:" + "|".join(_CLOSING_WORDS) + r")\b")

_LOOSE_CLOSING = re.compile(
    r"\b(?:that(?:s| is| was| will be|ll be) (?:all|everything|it)|nothing (?:else|more)|"
    r"(?:im|i am|were|we are) (?:all )?(?:done|set|good)|all set|no thanks?|no thank you|"
    r"hang up|end (?:the|this) call|(?:got|have|need|gotta) (?:to )?go)\b"
)
"""Closing phrases anywhere in the turn (the looser test for the model's ``end_call``)."""
_BARE_NO = re.compile(r"(?:no|nope|nah|not really|no thanks?|no thank you)(?: (?:thanks?|thank you))?")


def _normalise(text: str) -> str:
    """Casefold, drop apostrophes ("that’s" → "thats"), punctuation → spaces, single spaces."""
    lowered = text.translate(_APOSTROPHES).casefold().replace("'", "")
    return " ".join(re.sub(r"[^\w]+|_", " ", lowered).split())


def is_goodbye(text: str) -> bool:
    """Whether ``text`` is the caller clearly ending the call (precision first).

    Args:
        text: The caller's final transcript of one turn.

    Returns:
        True only for a farewell with nothing but closing words around it ("that's all, thanks, bye",
        "no, that's everything, goodbye", "okay, have a good day"); False for a question, a long turn,
        anything else said with it, or no farewell at all.
    """
    if "?" in text:
        return False
    words = _normalise(text)
    if not words or len(words.split()) > MAX_WORDS or not _FAREWELL.search(words):
        return False
    rest = _CLOSING.sub(" ", _FAREWELL.sub(" ", words))
    return not rest.strip()


def sounds_like_closing(text: str) -> bool:
    """Whether ``text`` may end the call: a goodbye, a farewell or closing phrase anywhere, or a bare no.

    Looser than :func:`is_goodbye`; used to refuse the model's ``end_call`` when the caller said nothing
    of the kind.

    Args:
        text: The caller's final transcript of their latest turn.
    """
    words = _normalise(text)
    if not words:
        return False
    return bool(_FAREWELL.search(words) or _LOOSE_CLOSING.search(words) or _BARE_NO.fullmatch(words))
