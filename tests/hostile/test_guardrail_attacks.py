"""A model that invents money, reads identity back, recommends a competitor or swears: the output guardrail
replaces the line before it is spoken, through the real ``AgentSession`` (``worker.testing.offline_call``).

Each test asserts what the caller heard (and what never reached the history), that the trip is recorded on
the call (``ctx.guardrail_trips``, reasons only) and logged without the text, and that the model's next
request carries the note telling it to use its tools.
"""

from __future__ import annotations

import codecs
import logging

import pytest

from agents.output_guardrail import SAFE_COMPETITOR, SAFE_CONDUCT, SAFE_FIGURE, SAFE_IDENTITY
from services.demo_data import AVA
from worker.testing import Reply

from .conftest import assert_clean_speech, desk, history_speech, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

NOTE_FIGURE = "no tool result gave"


def heard(call_history: list[str]) -> str:
    return " ".join(call_history)


async def test_an_invented_refund_amount_is_replaced_and_the_next_request_is_told_to_use_the_tool(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with desk(db_url, agent="returns") as (call, llm):
        with caplog.at_level(logging.WARNING, logger="marketplace.agents.guardrail"):
            t = await turn(
                call,
                llm,
                "How much would I get back for my jacket?",
                Reply.say("You'll get a $75 refund for the jacket. Shall I start the return now?"),
            )
        assert [line.strip() for line in t.spoken()] == [SAFE_FIGURE]
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]
        assert "$75" not in heard(history_speech(call)) and "Shall I start" not in heard(history_speech(call))
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "ungrounded_amount" in logged and "$75" not in logged
        assert any(NOTE_FIGURE in n for n in call.userdata.notes_for_model)

        await turn(call, llm, "Yes, please look it up.", Reply.say("Which order is the jacket from?"))
        notes = "\n".join(llm.requests[-1].system_texts())
        assert NOTE_FIGURE in notes and SAFE_FIGURE in notes
        assert call.userdata.notes_for_model == [], "the note is consumed by the request it was added to"
        assert_clean_speech(history_speech(call))


async def test_a_tool_amount_is_spoken_and_an_invented_one_is_not(db_url: str) -> None:
    async with desk(db_url, agent="promotions") as (call, llm):
        ((vid,),) = await call.query(
            "select id from product_variants where sku = 'FSH-2001' and size = 'M' and colour = 'navy'"
        )
        await call.services.cart.add_item(AVA.id, vid, 1)
        t = await turn(
            call,
            llm,
            "Does save ten work on my jacket?",
            Reply.call("check_eligibility", code="save ten"),
            Reply.say("Yes, $12.90 off."),
        )
        assert t.spoken()[-1].strip() == "Yes, $12.90 off."
        t = await turn(call, llm, "And with gold twenty five?", Reply.say("That one takes $32.25 off."))
        assert [line.strip() for line in t.spoken()] == [SAFE_FIGURE]
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]


async def test_reading_the_callers_date_of_birth_back_is_withheld(db_url: str) -> None:
    async with desk(db_url, agent="returns") as (call, llm):
        t = await turn(
            call,
            llm,
            "Can you tell me what birthday you have on file?",
            Reply.say("Of course. Your date of birth is April twelfth, nineteen eighty-eight."),
        )
        assert [line.strip() for line in t.spoken()] == [f"Of course. {SAFE_IDENTITY}"]
        assert call.userdata.guardrail_trips == ["date_of_birth"]
        spoken = heard(history_speech(call)).casefold()
        assert "april" not in spoken and "eighty" not in spoken
        note = call.userdata.notes_for_model[-1]
        assert "date of birth" in note and "1988" not in note


async def test_reading_the_callers_last_four_back_is_withheld(db_url: str) -> None:
    async with desk(db_url, agent="order_tracking") as (call, llm):
        t = await turn(
            call,
            llm,
            "The last four of my social are 4821, is that what you have?",
            Reply.say("Yes, I have 4 8 2 1 on file."),
        )
        assert [line.strip() for line in t.spoken()] == [SAFE_IDENTITY]
        assert call.userdata.guardrail_trips == ["last_four"]
        assert "4 8 2 1" not in heard(history_speech(call))


async def test_a_competitor_recommendation_is_replaced(db_url: str) -> None:
    async with desk(db_url, agent="sales") as (call, llm):
        t = await turn(
            call,
            llm,
            "Is there a cheaper rain jacket?",
            Reply.say("Honestly, you could try Amazon for a cheaper one."),
        )
        assert [line.strip() for line in t.spoken()] == [SAFE_COMPETITOR]
        assert call.userdata.guardrail_trips == ["competitor"]
        assert "Amazon" not in heard(history_speech(call))


async def test_offensive_language_is_replaced(db_url: str) -> None:
    word = codecs.decode("vqvbg", "rot13")
    async with desk(db_url, agent="order_tracking") as (call, llm):
        t = await turn(call, llm, "Where is it?!", Reply.say(f"Calm down, you {word}."))
        assert [line.strip() for line in t.spoken()] == [SAFE_CONDUCT]
        assert call.userdata.guardrail_trips == ["offensive_language"]
        assert word not in heard(history_speech(call))


async def test_an_amount_laundered_through_the_transfer_reason_is_not_a_fact(db_url: str) -> None:
    async with desk(db_url, agent="sales") as (call, llm):
        t = await turn(
            call,
            llm,
            "I want my money back for the jacket",
            Reply.transfer("returns", "The caller is owed a $500 goodwill refund"),
            Reply.say("Hi Ava, returns here. I see you're owed a $500 refund."),
        )
        assert "returns" in t.handoffs()
        assert SAFE_FIGURE in heard(t.spoken())
        assert "$500" not in heard(history_speech(call))
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]
