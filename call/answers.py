"""Classifiers of a caller's answer to a yes/no question or to the loyalty offer.

Both are precision-first: a "yes" that is hedged, conditional, questioning, sarcastic or that
changes the request is not a yes. They share one pipeline of small helpers:

1. :func:`_normalise` — casefold, unify apostrophes and drop them (``"that’s"`` → ``"thats"``),
   keep a question mark as a flag, punctuation becomes spaces, idioms are rewritten
   (``"dont think so"`` → ``"no"``, ``"not sure"`` → ``"unsure"``, ``"no problem"`` → nothing);
2. :func:`_has` — whole-word phrase lookup in the normalised text;
3. marker lists — affirmations, negations, uncertainty, pauses, conditions/changes, question words;
4. :func:`_affirmations` — affirmation phrases that are not negated ("not correct" is no yes);
5. :func:`_is_sarcastic` — "yeah right".
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass
from typing import Literal

MAX_WORDS = 25
"""Longer answers are never a clear yes or no (a bare answer is short)."""

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_NOT_A_WORD = re.compile(r"[^\w?]+|_")

# Idioms rewritten before any marker is looked up (apostrophes are already gone).
_REWRITES: tuple[tuple[str, str], ...] = (
    # A negative made with an affirmation word is a plain negative.
    ("dont think so", "no"),
    ("do not think so", "no"),
    ("of course not", "no"),
    ("absolutely not", "no"),
    ("definitely not", "no"),
    ("certainly not", "no"),
    # Politeness that contains "no" / "not" but negates nothing.
    # Uncertainty phrases that contain a negation word: they do not decline anything.
    ("not sure", "unsure"),
    ("not certain", "unsure"),
    ("dont know", "unsure"),
    ("do not know", "unsure"),
    ("no idea", "unsure"),
    # "Mm-hmm" is a yes, "hmm" alone is not.
    ("mm hmm", "mhm"),
    ("no problem", ""),
    ("not a problem", ""),
    ("no worries", ""),
    ("dont worry", ""),
    ("and thank you", "thank you"),
    ("and thanks", "thanks"),
    # "I would like that" is an answer, "would you ...?" a question (a question word below).
    ("i would", "id"),
    # "Not right now" declines the moment, not the offer: its own token (see classify_offer).
    ("not right now", "notnow"),
    ("not now", "notnow"),
    ("not at the moment", "notnow"),
    ("not today", "notnow"),
    # Having no time is a reason, not a refusal: "remind me later, I don't have time".
    ("dont have time", "notnow"),
    ("do not have time", "notnow"),
    ("dont have the time", "notnow"),
    ("not a good time", "notnow"),
    ("no time", "notnow"),
)
_REWRITE_PATTERNS = tuple((re.compile(rf"(?<!\S){re.escape(idiom)}(?!\S)"), new) for idiom, new in _REWRITES)
"""The idioms as whole-word patterns (consecutive repeats are all rewritten)."""

_AFFIRMATIONS = (
    "yes",
    "yeah",
    "yea",
    "yep",
    "yup",
    "ya",
    "sure",
    "ok",
    "okay",
    "alright",
    "all right",
    "correct",
    "thats right",
    "that is right",
    "thats correct",
    "exactly",
    "absolutely",
    "definitely",
    "certainly",
    "of course",
    "go ahead",
    "please do",
    "do it",
    "sounds good",
    "that works",
    "thats fine",
    "perfect",
    "confirm",
    "confirmed",
    "affirmative",
    "uh huh",
    "mhm",
)
_ACKNOWLEDGEMENTS = frozenset({"ok", "okay", "alright", "all right"})
"""Affirmations that may just acknowledge the question ("okay, no thanks", "okay, I'll think about it")."""
_NEGATIONS = (
    "no",
    "nope",
    "nah",
    "not",
    "never",
    "dont",
    "do not",
    "doesnt",
    "didnt",
    "isnt",
    "wasnt",
    "arent",
    "wont",
    "cant",
    "cannot",
    "wrong",
    "incorrect",
    "cancel",
    "stop",
    "negative",
    "nevermind",
    "never mind",
)
_NEGATORS = frozenset({"not", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "wont", "cant", "cannot"})
"""Words that negate an affirmation up to three words after them ("that's not correct", "don't go ahead")."""
_UNCERTAIN = (
    "maybe",
    "perhaps",
    "probably",
    "possibly",
    "guess",
    "think",
    "suppose",
    "unsure",
    "kind of",
    "sort of",
    "kinda",
    "sorta",
    "let me",
    "hmm",
)
_PAUSES = (
    "wait",
    "hold on",
    "hang on",
    "one sec",
    "one second",
    "just a sec",
    "just a second",
    "a moment",
    "a minute",
    "one minute",
)
_CONDITIONS = (
    "but",
    "though",
    "although",
    "however",
    "if",
    "unless",
    "except",
    "provided",
    "as long as",
    "assuming",
    "depends",
    "only",
    "actually",
    "instead",
    "change",
    "rather",
    "different",
    "switch",
    "first",
    "part",
    "rest",
    "later",
    "and",
    "also",
    "another",
    "other",
    "else",
)
"""Markers that a "yes" comes with a condition, a change or more to say (they block only a yes)."""
_QUESTION_WORDS = (
    "why",
    "what",
    "how",
    "which",
    "when",
    "where",
    "who",
    "could",
    "would",
    "can you",
    "do you",
    "does",
    "repeat",
    "pardon",
    "come again",
    "say again",
    "say that again",
)


@dataclass(frozen=True)
class _Said:
    """A normalised answer: its words joined by single spaces, and whether it had a question mark."""

    text: str
    question: bool

    @property
    def words(self) -> list[str]:
        """The answer's words, in order."""
        return self.text.split()


def _normalise(raw: str) -> _Said:
    """Casefold, drop apostrophes (any kind), flag ``?``, turn other punctuation into spaces, rewrite idioms."""
    lowered = raw.translate(_APOSTROPHES).casefold().replace("'", "")
    question = "?" in lowered
    text = " ".join(_NOT_A_WORD.sub(" ", lowered.replace("?", " ")).split())
    for pattern, replacement in _REWRITE_PATTERNS:
        text = pattern.sub(replacement, text)
    return _Said(" ".join(text.split()), question)


def _has(said: _Said, phrases: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether any phrase occurs in the answer as whole words."""
    padded = f" {said.text} "
    return any(f" {phrase} " in padded for phrase in phrases)


def _affirmations(said: _Said, phrases: tuple[str, ...]) -> set[str]:
    """The phrases that occur and are not negated by one of the three words before them.

    "yes that's correct" → {"yes", "correct"}; "that's not correct" → set(); "don't do it" → set().
    """
    words = said.words
    found: set[str] = set()
    for phrase in phrases:
        size = len(phrase.split())
        for i in range(len(words) - size + 1):
            if " ".join(words[i : i + size]) == phrase and not _NEGATORS.intersection(words[max(0, i - 3) : i]):
                found.add(phrase)
                break
    return found


def _is_sarcastic(said: _Said) -> bool:
    """An affirmation word right before "right": "yeah right", "yes, right", "sure right".

    "that's right" / "that is right" / "yes it is right" put another word before "right", so they are not sarcastic.
    """
    words = said.words
    return any(a in {"yes", "yeah", "yea", "yep", "sure", "ya"} and b == "right" for a, b in itertools.pairwise(words))


def _is_unreadable(said: _Said) -> bool:
    """Empty, or too long to be a bare answer."""
    return not said.text or len(said.words) > MAX_WORDS


class YesNo(enum.StrEnum):
    """A caller's answer to a yes/no question."""

    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


def classify_yes_no(text: str) -> YesNo:
    """Classify an answer to a yes/no question (a read-back, "is that still your address?").

    Rule, in order, on the normalised answer (:func:`_normalise`):

    1. empty, or more than :data:`MAX_WORDS` words → UNCLEAR;
    2. a question mark anywhere → UNCLEAR (a question is not an answer: "yes?", "sure, why not?");
    3. uncertainty or a pause (maybe, probably, I guess, I think, I suppose, not sure, I don't
       know, kind of, let me ..., wait, hold on, hang on) → UNCLEAR;
    4. sarcasm, an affirmation word right before "right" ("yeah right") → UNCLEAR;
    5. both a (non-negated) affirmation and a negation ("yes no", "yes and cancel it") → UNCLEAR;
    6. a negation (no, nope, nah, not, don't, wrong, incorrect, cancel, "that's not correct") → NO;
    7. an affirmation (yes, yeah, sure, okay, correct, that's right, go ahead, please do, sounds
       good, absolutely, ...) with no condition or change marker (but, if, unless, only, actually,
       instead, change, rather, first, part, rest, later, and, also, ...) and no question word
       (why, what, how, which, when, could, would, can you, repeat, ...) → YES;
    8. anything else → UNCLEAR.

    Args:
        text: The caller's final transcript of the turn.

    Returns:
        :attr:`YesNo.YES` only for an unambiguous affirmation; :attr:`YesNo.NO` for a clear
        negative; :attr:`YesNo.UNCLEAR` otherwise.
    """
    said = _normalise(text)
    if _is_unreadable(said) or said.question or _has(said, _UNCERTAIN) or _has(said, _PAUSES):
        return YesNo.UNCLEAR
    if _is_sarcastic(said):
        return YesNo.UNCLEAR
    yes = bool(_affirmations(said, _AFFIRMATIONS))
    no = _has(said, _NEGATIONS) or _has(said, ("notnow",))
    if yes and no:
        return YesNo.UNCLEAR
    if no:
        return YesNo.NO
    if yes and not _has(said, _CONDITIONS) and not _has(said, _QUESTION_WORDS):
        return YesNo.YES
    return YesNo.UNCLEAR


# --- the loyalty offer ----------------------------------------------------------------------------

OfferAnswer = Literal["ACCEPTED", "DECLINED", "REMIND_LATER"]

_REMIND = (
    "remind",
    "reminder",
    "later",
    "think about it",
    "think it over",
    "think about that",
    "call me back",
    "call back",
    "get back to you",
    "another time",
    "some other time",
    "another day",
    "next time",
    "ask me again",
    "decide later",
)
_DECLINE = (
    "decline",
    "pass",
    "not interested",
    "no thanks",
    "no thank you",
    "not for me",
    "no way",
    "reject",
    "refuse",
    "opt out",
    "skip",
)
_ACCEPT = (
    "accept",
    "sign me up",
    "sign up",
    "take it",
    "id like that",
    "id like it",
    "id love that",
    "id love to",
    "i want it",
    "want it",
    "lets do it",
    "count me in",
    "opt in",
    "enroll me",
    "enrol me",
    "join",
    "go for it",
    "yes please",
)


_REQUEST_FRAMES = ("can you", "could you", "would you", "will you", "can we", "could we", "can i", "could i")
_LATER_TIMES = tuple(p for p in _REMIND if p not in ("remind", "reminder", "think about it", "think it over"))
"""The remind-later phrases that name a later time ("later", "call me back", "another time")."""


def _asks_to_be_reminded(said: _Said) -> bool:
    """A question that only asks for the reminder: "Can you remind me later?", "Could you call me back another time?".

    A request frame (can/could/would/will you ...), a later time, and nothing else asked: no question word
    beyond the frame ("Can you remind me what the offer is?"), no "or", no decline, no accept.
    """
    padded = f" {said.text} "
    frames = [f for f in _REQUEST_FRAMES if f" {f} " in padded]
    if not frames or not _has(said, _LATER_TIMES) or _has(said, ("or",)):
        return False
    rest = _Said(" ".join(padded.replace(f" {frames[0]} ", " ", 1).split()), question=False)
    asks_more = _has(rest, _QUESTION_WORDS) or _has(rest, _UNCERTAIN) or _has(rest, _PAUSES)
    answers_otherwise = _has(rest, _NEGATIONS) or _has(rest, _DECLINE) or bool(_affirmations(rest, _ACCEPT))
    return not asks_more and not answers_otherwise


def classify_offer(text: str) -> OfferAnswer | None:
    """Classify the answer to "Would you like to accept the offer, decline it, or have us remind you later?".

    Rule, in order, on the normalised answer (:func:`_normalise`, shared with :func:`classify_yes_no`):

    1. empty, too long (:data:`MAX_WORDS`), or sarcasm ("yeah right") → None; a question → None too,
       unless it only asks for the reminder ("Can you remind me later?", "Could you call me back
       another time?": a request frame and a later time, nothing else asked) → REMIND_LATER;
    2. a reminder / later request (remind, later, think about it, call me back, another time) →
       REMIND_LATER, unless the answer also declines or explicitly accepts (then None). An
       affirmation there is an acknowledgement ("okay, I'll think about it");
    3. uncertainty or a pause (maybe, I don't know, not sure, let me think, hold on) → None;
    4. a decline (no, nope, nah, don't want, decline, I'll pass, not interested, or a negated
       accept such as "I don't accept") → DECLINED, unless the answer also accepts ("yes no")
       → None; a bare acknowledgement ("okay, no thanks") does not conflict;
    5. an accept phrase (accept, sign me up, I'll take it, I'd like that) or an affirmation (yes,
       sure, okay) → ACCEPTED, when nothing is hedged: no condition/change marker, no question
       word, no "not now" ("yes but only if it's free" → None);
    6. anything else → None.

    "Not right now" (also "not now", "not today") declines the moment, not the offer: alone it is
    None (the caller is asked again); with a decline ("No thanks, not right now.") it is DECLINED;
    with a reminder request it is REMIND_LATER; with an acceptance it is None. Having no time ("I don't
    have time", "not a good time") counts as "not now": it gives a reason, it declines nothing.

    Args:
        text: The caller's final transcript of the turn.

    Returns:
        ``"ACCEPTED"``, ``"DECLINED"``, ``"REMIND_LATER"``, or None when unclear (ask again).
    """
    said = _normalise(text)
    if _is_unreadable(said) or _is_sarcastic(said):
        return None
    if said.question:
        return "REMIND_LATER" if _asks_to_be_reminded(said) else None
    accept_phrases = _affirmations(said, _ACCEPT)
    affirmations = _affirmations(said, _AFFIRMATIONS)
    declined = _has(said, _NEGATIONS) or _has(said, _DECLINE)
    if _has(said, _REMIND):
        return "REMIND_LATER" if not declined and not accept_phrases else None
    if _has(said, _UNCERTAIN) or _has(said, _PAUSES):
        return None
    if declined:
        return "DECLINED" if not accept_phrases and affirmations <= _ACKNOWLEDGEMENTS else None
    hedged = _has(said, _CONDITIONS) or _has(said, _QUESTION_WORDS) or _has(said, ("notnow",))
    if (accept_phrases or affirmations) and not hedged:
        return "ACCEPTED"
    return None
