"""``call.answers``: yes/no and loyalty-offer answers, precision first."""

from __future__ import annotations

from typing import get_args

import pytest

from call.answers import MAX_WORDS, OfferAnswer, YesNo, classify_offer, classify_yes_no
from tests.hang_guard import without_hanging

pytestmark = pytest.mark.unit

HOSTILE = [
    "",
    " ",
    "\t\n \r",
    "\x00",
    "\ud800",
    "\udfff\ud800" * 50,
    "?" * 10_000,
    "x" * 10_000,
    "yes " * 2_500,
    "no " * 2_500,
    "yes, " * 2_000,
    "later " * 1_500,
    "not " * 2_500,
    "’" * 10_000,
    "🙂" * 1_000,
    "_" * 10_000,
]


# --- classify_yes_no -----------------------------------------------------------------------------------

MUST_BE_YES = [
    "yes",
    "Yes.",
    "yeah",
    "yep",
    "yes please",
    "Yes, please go ahead.",
    "Yes, that's right.",
    "That's right",
    "correct",
    "that's correct",
    "Yes, that address is still correct.",
    "Yes, that arrest is still correct.",  # speech-to-text mishearing
    "sure",
    "sure, go ahead",
    "okay",
    "ok do it",
    "absolutely",
    "yes it is",
    "go ahead",
    "please do",
    "sounds good",
    "yes thank you",
]

ALSO_YES = [
    "YES",
    "Yes!",
    "yes.",
    "  yes  ",
    "Yes yes",
    "yup",
    "Yeah.",
    "Yep, that's correct.",
    "yeah that's right",
    "That’s right.",
    "that’s correct",
    "THAT'S RIGHT",
    "that is right",
    "that is correct",
    "Correct.",
    "OK",
    "Ok.",
    "Okay, go ahead.",
    "alright",
    "all right",
    "Sure thing",
    "of course",
    "Yes, of course",
    "definitely",
    "certainly",
    "exactly",
    "Perfect.",
    "that works",
    "that's fine",
    "confirmed",
    "I confirm",
    "Mm-hmm.",
    "uh huh",
    "yes ma'am",
    "yes sir",
    "Yes, I would",
    "yes, no problem",
    "No problem, go ahead.",
    "Not a problem, please do.",
    "Don't worry, go ahead",
    "yes and thank you",
    "yes, still correct",
    "yes\x00",
    "\ud800yes",
]


@pytest.mark.parametrize("text", MUST_BE_YES + ALSO_YES)
def test_yes(text: str) -> None:
    assert classify_yes_no(text) is YesNo.YES


MUST_NOT_BE_YES = [
    "okay, I'll think about it",
    "yeah right",
    "yeah, right.",
    "sure, but change it to store credit first",
    "yes to the first part, the rest I'm unsure about",
    "yes but",
    "yes if it's free",
    "maybe",
    "I guess",
    "probably",
    "I think so",
    "yes?",
    "is it?",
    "what?",
    "yes, wait",
    "hold on",
    "hang on",
    "not sure",
    "yes no",
    "yes, actually make it Friday",
    "yes and also cancel my other order",
    "I suppose",
    "kind of",
    "let me think",
    "can you repeat that",
    "sure, why not?",
]

ALSO_UNCLEAR = [
    "",
    " ",
    "\t\n",
    "\x00",
    "\ud800",
    "...",
    "?",
    "hmm",
    "um",
    "right",
    "it is",
    "yesterday",
    "hello",
    "I don't know",
    "I do not know",
    "no idea",
    "I'm not certain",
    "perhaps",
    "possibly",
    "maybe yes",
    "yes maybe",
    "yeah I guess",
    "I suppose so",
    "sort of",
    "kinda",
    "yes, I think so",
    "yes, let me check",
    "Yes? What do you mean?",
    "yes!?",
    "Is that right?",
    "correct?",
    "sure?",
    "what",
    "why",
    "how much is it",
    "which one",
    "when will it arrive",
    "could you say that again",
    "would you repeat that",
    "pardon",
    "come again",
    "say that again",
    "yes, wait a second",
    "okay, hold on",
    "yeah hang on",
    "one sec",
    "just a moment",
    "yes right",
    "sure, right",
    "Yep, right.",
    "yes but don't",
    "yes, though I'd rather pick it up",
    "yes unless it costs extra",
    "yes except the shoes",
    "yes, only the jacket",
    "yes instead of the card",
    "yes, change the date",
    "yes, later",
    "yes, first tell me the price",
    "ok, also send a receipt",
    "yes and send it to my office",
    "yes, other than that",
    "yes, something else",
    "Yeah, no.",
    "No, yes.",
    "yes, cancel it",
    "sure, don't bother",
    "ok no",
    "yes, that's wrong",
    "Yes? actually, cancel",
    "yes that would be great",
    "sure, why not",
    "okay, I’ll think about it",
    "yes " + "and so on " * 12,
    "Yes, that's right, " + "the address on file " * 6,
]


@pytest.mark.parametrize("text", MUST_NOT_BE_YES + ALSO_UNCLEAR)
def test_unclear(text: str) -> None:
    assert classify_yes_no(text) is YesNo.UNCLEAR


MUST_BE_NO = [
    "no",
    "nope",
    "no thanks",
    "No, that's wrong",
    "that's not right",
    "wrong",
    "incorrect",
    "cancel",
    "don't",
    "no, don't do that",
    "nah",
    "not that one",
]

ALSO_NO = [
    "No.",
    "NO",
    "No!",
    "  no  ",
    "no no no",
    "Nope, that's wrong.",
    "No thank you",
    "no, that's incorrect",
    "that's not correct",
    "That’s not correct.",
    "that is not correct",
    "that isn't right",
    "that isn’t right",
    "thats not right",
    "it's not",
    "it isn't",
    "it wasn't",
    "don't do it",
    "do not do that",
    "dont",
    "please don't",
    "no, I moved",
    "No, that's an old address",
    "no, the number is wrong",
    "never",
    "stop",
    "cancel that",
    "never mind",
    "nevermind",
    "I don't think so",
    "absolutely not",
    "of course not",
    "definitely not",
    "certainly not",
    "negative",
    "No, but thanks",
    "no, change it to Friday",
    "not right now",
    "No thanks, not right now.",
    "I can't say yes to that",
    "no\x00",
]


@pytest.mark.parametrize("text", MUST_BE_NO + ALSO_NO)
def test_no(text: str) -> None:
    assert classify_yes_no(text) is YesNo.NO


def test_long_answers_are_unclear() -> None:
    bare = "yes " * MAX_WORDS
    assert classify_yes_no(bare) is YesNo.YES
    assert classify_yes_no(bare + "yes") is YesNo.UNCLEAR
    assert classify_yes_no("no " * (MAX_WORDS + 1)) is YesNo.UNCLEAR


def test_yes_no_is_a_str_enum() -> None:
    assert [m.value for m in YesNo] == ["yes", "no", "unclear"]
    assert YesNo("yes") is YesNo.YES
    assert f"{YesNo.UNCLEAR}" == "unclear"


# --- classify_offer ------------------------------------------------------------------------------------

REMIND_LATER = [
    "remind me later",
    "later",
    "maybe later",
    "I'll think about it",
    "okay, I'll think about it",
    "let me think about it",
    "call me back about it",
    "ask me another time",
    "Remind me later, please.",
    "LATER",
    "Later.",
    "please remind me",
    "send me a reminder",
    "remind me next week",
    "I’ll think about it",
    "I'll think it over",
    "let me think about that",
    "can you call back tomorrow",
    "I'll get back to you",
    "some other time",
    "another day",
    "next time",
    "ask me again later",
    "I'd like to decide later",
    "yes, remind me later",
    "ok later",
    "Not right now, but maybe later.",
    "not now, remind me",
    "I'm not sure, remind me later",
    # a question that only asks for the reminder is the answer
    "can you remind me later?",
    "Could you call me back another time?",
    "Would you remind me next time?",
    # having no time gives a reason, it declines nothing
    "Remind me later, I don't have time.",
    "I don't have time right now, remind me later",
    "Not a good time, call me back later",
]


@pytest.mark.parametrize("text", REMIND_LATER)
def test_offer_remind_later(text: str) -> None:
    assert classify_offer(text) == "REMIND_LATER"


DECLINED = [
    "no",
    "no thanks",
    "No thanks, not right now.",
    "No thanks, not interested",
    "decline",
    "I'll pass",
    "not interested",
    "no I don't want it",
    "nope",
    "No.",
    "NO THANKS",
    "No thank you.",
    "nah",
    "I decline",
    "I'd like to decline",
    "decline it",
    "pass",
    "I’ll pass",
    "I'm not interested",
    "not for me",
    "no way",
    "I don't want it",
    "I don't accept",
    "I won't take it",
    "don't sign me up",
    "skip it",
    "opt out",
    "No, not now.",
    "no thanks, not today",
    "okay, no thanks",
    "ok, I'll pass",
    "I'd rather not",
    "No, I'm good",
]


@pytest.mark.parametrize("text", DECLINED)
def test_offer_declined(text: str) -> None:
    assert classify_offer(text) == "DECLINED"


ACCEPTED = [
    "yes",
    "yes please",
    "sure, sign me up",
    "I accept",
    "accept",
    "I'll take it",
    "okay sign me up",
    "yes I'd like that",
    "Yes.",
    "YES",
    "yeah",
    "yep",
    "sure",
    "okay",
    "absolutely",
    "sign me up",
    "Sign me up, please.",
    "yes, I accept",
    "I accept the offer",
    "accept it",
    "I’ll take it",
    "I would like that",
    "I'd love that",
    "count me in",
    "let's do it",
    "go for it",
    "sounds good",
    "yes, no problem",
    "I want to join",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_offer_accepted(text: str) -> None:
    assert classify_offer(text) == "ACCEPTED"


UNCLEAR_OFFER = [
    "what does it cost?",
    "hmm",
    "yes no",
    "I don't know",
    "maybe",
    "yes but only if it's free",
    "not right now",  # declines the moment, not the offer: ask again
    "not now",
    "Not today.",
    "yes, not now",
    "I accept, but not right now",
    "",
    " ",
    "\x00",
    "\ud800",
    "...",
    "?",
    "what?",
    "how much?",
    "Is it free?",
    "can you remind me what the offer is?",  # a question about the offer: the model answers, then asks again
    "Can you remind me later or now?",
    "Could you not call me back later?",
    "Can you remind me later, maybe?",
    "Why would you remind me later?",
    "Can you sign me up later?",
    "I don't have time.",  # a reason with no answer: ask again
    "what is it",
    "why",
    "yeah right",
    "sure, right",
    "yes, wait",
    "hold on",
    "let me think",
    "I guess",
    "probably",
    "I'm not sure",
    "yes if it's free",
    "yes, only if there's no fee",
    "sure, but what's the catch",
    "sure, why not",
    "ok, tell me more first",
    "yes, no",
    "no, yes",
    "no, remind me later",
    "don't remind me",
    "no, I accept",
    "yes, no thanks",
    "I accept, no thanks",
    "I'll take it, remind me later",
    "hello",
    "the jacket",
    "accept " + "and so on " * 12,
]


@pytest.mark.parametrize("text", UNCLEAR_OFFER)
def test_offer_unclear(text: str) -> None:
    assert classify_offer(text) is None


def test_offer_affirmation_before_a_reminder_request_is_an_acknowledgement() -> None:
    assert classify_offer("yes, later") == "REMIND_LATER"
    assert classify_offer("okay, remind me later") == "REMIND_LATER"
    assert classify_offer("I'll take it, remind me later") is None  # a real acceptance conflicts


def test_offer_answer_literal_matches_the_service() -> None:
    assert set(get_args(OfferAnswer)) == {"ACCEPTED", "DECLINED", "REMIND_LATER"}


def test_offer_and_yes_no_agree_on_a_clean_yes_and_no() -> None:
    for text in ("yes", "yes please", "sure", "okay", "absolutely"):
        assert classify_yes_no(text) is YesNo.YES
        assert classify_offer(text) == "ACCEPTED"
    for text in ("no", "nope", "no thanks", "nah"):
        assert classify_yes_no(text) is YesNo.NO
        assert classify_offer(text) == "DECLINED"


# --- hostile input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_classifiers_never_raise_or_hang(text: str) -> None:
    yes_no = without_hanging(lambda: classify_yes_no(text))
    offer = without_hanging(lambda: classify_offer(text))
    assert yes_no is YesNo.UNCLEAR
    assert offer is None
