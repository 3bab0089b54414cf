"""The caller's goodbye, classified by code (precision first), the looser test that gates the model's
``end_call``, and the speech guard letting ordinary goodbyes through."""

from __future__ import annotations

import pytest

from agents.goodbye import GOODBYE_LINE
from agents.registry import AGENTS
from agents.speech_guard import SpeechGuard, unsafe_reason
from call.confirmation import PendingAction
from call.context import CustomerContext
from call.goodbye import is_goodbye, sounds_like_closing
from services import Services
from tools.end_call import end_call_problem
from worker.idle import IDLE_GOODBYE
from worker.provider_errors import APOLOGY_END, APOLOGY_TRANSFER

pytestmark = pytest.mark.unit

GOODBYES = [
    "that's all, thanks, bye",
    "No, that's everything, goodbye",
    "Bye",
    "goodbye!",
    "Okay, bye bye",
    "Bye for now",
    "Thanks so much, have a great day",
    "Good bye",
    "thank you, you've been very helpful, bye",
    "I think that's all for today, thanks, goodbye",
    "Alright, take care",
    "That’s it, bye.",
    "ok thank you bye",
    "Thanks anyway, goodbye",
    "Okay, thanks anyways, bye",
    "That's all I needed. Bye now.",
    "That was all I needed, thanks, goodbye",
]
NOT_GOODBYES = [
    "I want to buy a lamp",  # "buy" is not "bye"
    "goodbye to my old sofa, I need a new one",  # more than closing words
    "bye?",  # a question
    "thanks, that's all for that",  # no farewell: the caller may go on
    "Thanks",
    "before you say goodbye, can I change the address",
    "wait, don't hang up, bye",
    "stand by",
    "take care of my return",
    "Bye, but first cancel my order",
    "okay, thanks, by",  # speech-to-text's "by" is not a farewell
    "can you say goodbye",
    "yes",
    "one more thing then bye",
    "That's all I need to know about the order, bye",  # more than closing words
    "Anyway, goodbye to my old sofa",
    "",
]


@pytest.mark.parametrize("words", GOODBYES)
def test_a_plain_goodbye_is_recognised(words: str) -> None:
    assert is_goodbye(words) and sounds_like_closing(words)


@pytest.mark.parametrize("words", NOT_GOODBYES)
def test_anything_more_or_less_than_a_goodbye_is_not(words: str) -> None:
    assert not is_goodbye(words)


@pytest.mark.parametrize("words", ["no", "No thanks", "I'm done", "that's all", "nothing else", "I have to go"])
def test_closing_words_let_the_model_end_the_call(words: str) -> None:
    assert sounds_like_closing(words)


@pytest.mark.parametrize("words", ["no, the blue one", "where is my order", "yes", "thanks", "", "hmm"])
def test_other_words_do_not(words: str) -> None:
    assert not sounds_like_closing(words)


def _ctx(last_words: str) -> CustomerContext:
    ctx = CustomerContext(services=Services.__new__(Services))
    ctx.record_user_turn(last_words)
    return ctx


async def _noop() -> str:
    return ""


def test_the_model_may_end_the_call_only_when_the_caller_is_done_and_nothing_is_pending() -> None:
    assert end_call_problem(_ctx("no thanks, that's all")) is None
    assert "has not said they are done" in (end_call_problem(_ctx("where is my order")) or "")
    pending = _ctx("that's all")
    pending.pending = PendingAction(name="initiate_return", arguments={}, read_back="...", execute=_noop)
    assert "waiting for the caller's yes or no" in (end_call_problem(pending) or "")
    on_hold = _ctx("bye")
    on_hold.handover_in_progress = True
    assert "being transferred" in (end_call_problem(on_hold) or "")


def _all_tool_names() -> list[str]:
    from livekit.agents import llm

    from agents.base import tool_name

    names: set[str] = set()
    for cls in AGENTS.values():
        for tool in cls().tools:
            if isinstance(tool, llm.Toolset):
                names.update(tool_name(t) for t in tool.tools)
            else:
                names.add(tool_name(tool))
    return sorted(names)


@pytest.mark.parametrize(
    "line",
    [
        GOODBYE_LINE,
        "Thanks for calling, Ava. Goodbye!",
        "You're welcome. Have a great day!",
        "Happy to help. Bye for now!",
        "Thank you for calling the Marketplace help desk, and take care.",
    ],
)
def test_the_speech_guard_lets_ordinary_goodbyes_through(line: str) -> None:
    names = _all_tool_names()
    assert "end_call" in names
    assert unsafe_reason(line, names, claims_allowed=False) is None
    guard = SpeechGuard(names, claims_allowed=False)
    assert (guard.feed(line + " ") + guard.flush()).strip() == line and guard.dropped == 0


def test_the_tool_name_itself_is_still_withheld() -> None:
    assert unsafe_reason("I'll call end_call now.", ["end_call"]) is not None


@pytest.mark.parametrize("line", [IDLE_GOODBYE, APOLOGY_END.text, APOLOGY_TRANSFER.text])
def test_code_lines_of_the_ending_carry_no_tool_name(line: str) -> None:
    assert unsafe_reason(line, _all_tool_names()) is None
