"""Keypad entry on a phone call, through the real AgentSession and the real keypad listener.

The room is LiveKit's ``rtc.EventEmitter`` emitting ``sip_dtmf_received`` (see ``keypad_helpers``). Keys
answer like speech — the date of birth and the last four after a failed spoken try, 1/2 for read-backs and
writes, four digits for a step-up — with no LLM request, and the keyed digits reach no record.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from livekit import rtc

from agents.keypad import attach_keypad
from agents.prompts import text as prompt_text
from agents.steps.verification import DOB_KEYPAD, KIND_KEYPAD, LAST_FOUR_KEYPAD
from call.context import AuthStep
from call.keypad import CONFIRM_HINT, KEYPAD_MESSAGE, STEP_UP_HINT
from services.demo_data import AVA, PRIYA
from tools.writes import STEP_UP_QUESTION
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, turn
from .keypad_helpers import TIMEOUT_S, everything_recorded, keypad_turns, phone_call

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

PHONE_Q = "What's the phone number on your account?"
PHONE_READ_BACK = f"I have 4 1 5, 5 5 5, 0 1 3 4. Is that right? {CONFIRM_HINT}"
DOB_Q = "What's your date of birth?"
LAST_FOUR_Q = (
    "Now the last four digits of your Social Security number or of the card on file, and please tell me which one."
)
ADDRESS_Q = f"Is 221 Pine Street, San Francisco, CA 94104 still your address? {CONFIRM_HINT}"
KIND_Q = f"Are those the last four of your Social Security number, or of your card? {KIND_KEYPAD}"
DOB_RETRY = (
    "Sorry, I couldn't use those keys. Please key in your date of birth as two digits for the month, two for the day "
    "and four for the year, then the pound key."
)
JACKET_RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}
MISMATCH = (
    "Those digits don't match our records, so I haven't changed anything. If you'd like, I can connect you with our "
    "escalation desk."
)
LOCK_READ_BACK = (
    "I'll lock your account now: no sign-ins, orders or changes until our security team unlocks it with you, "
    f"and I won't be able to look at your account for the rest of this call. {STEP_UP_QUESTION} {STEP_UP_HINT}"
)
KEYED_FORMS = ("04121988", "0412", "1988", "4821", "48211", "4 8 2 1", "0 4 1 2", "1988-04-12", "1988, 4, 12")
"""Ava's keyed date of birth and last four, in every shape a leak could take."""


async def _to_phone_confirm(call: OfflineCall, llm: ScriptedLLM) -> None:
    r = await code_turn(call, llm, "Hi, I'm Ava and I want to return a jacket I bought")
    assert spoken(r) == [f"Thanks, Ava. {PHONE_Q}"]
    r = await code_turn(call, llm, "four one five, five five five, zero one three four")
    assert spoken(r) == [PHONE_READ_BACK], "on the phone a read-back says how to answer on the keypad"


async def test_a_whole_verification_keyed_after_failed_spoken_tries(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        ctx = call.userdata
        await _to_phone_confirm(call, llm)
        # The phone read-back confirmed with 1 (no "#": the per-key pause submits it).
        assert await pad.key("1") == [f"Thank you. {DOB_Q}"]
        assert ctx.verification.step is AuthStep.DATE_OF_BIRTH and not ctx.keypad_offered

        # One failed spoken try at the date of birth: code offers the keypad.
        r = await code_turn(call, llm, "April 12")
        assert spoken(r) == [f"I need the full date of birth: the month, the day and the year. {DOB_KEYPAD}"]
        assert ctx.keypad_offered
        assert await pad.key("04121988#") == [f"Thank you. {LAST_FOUR_Q} {LAST_FOUR_KEYPAD}"]
        assert ctx.verification.date_of_birth == dt.date(1988, 4, 12)

        # A question mid-step goes to the model, which sees "[keypad entry]" where the caller keyed.
        r = await turn(call, llm, "Why do you need that?", Reply.say("It keeps your account safe."))
        assert not r.by_code and spoken(r)[0].startswith("It keeps your account safe.")
        assert llm.requests[-1].all_text().count(KEYPAD_MESSAGE) == 2

        # One failed spoken try at the last four, then the digits and "which one" keyed.
        r = await code_turn(call, llm, "four eight two")
        assert spoken(r) == [
            f"Please say just the last four digits, and whether they're from your Social or card. {LAST_FOUR_KEYPAD}"
        ]
        assert await pad.key("48211#") == [f"Thank you, Ava, you're verified. {ADDRESS_Q}"]
        v = ctx.verification
        assert v.verified and v.customer is not None and v.customer.id == "CUS-1001" and v.secret_kind == "ssn"

        # The address read-back confirmed with 1, then the disclosure and the offer as usual.
        assert await pad.key("1#") == ["Thank you.", prompt_text("disclosure")]
        assert ctx.disclosure.completed and v.step is AuthStep.OFFER_RESPONSE
        r = await turn(call, llm, "No thanks", Reply.say("Hi Ava, returns here. Let's sort out that jacket."))
        assert r.by_code and handoffs(r) == ["returns"]

        assert await call.query("select customer_id, succeeded, factor from auth_attempts") == [("CUS-1001", 1, "ssn")]
        assert keypad_turns(call) == 4 and ctx.code_turns >= 8
        assert len(llm.requests) == 2, "only the question and the returns greeting reached the model"

        # The keyed digits reached no record: history, any chat context the LLM got, the report, the logs.
        assert any(r.name.startswith("livekit") for r in caplog.records), "LiveKit's own loggers are captured"
        records = everything_recorded(call, llm, caplog.records)
        assert KEYPAD_MESSAGE in records["history"] and KEYPAD_MESSAGE in records["report"]
        for where, text in records.items():
            for form in KEYED_FORMS:
                assert form not in text, f"{form!r} found in the {where}"


async def test_keyed_entries_that_do_not_fit_are_asked_again_and_checked_like_speech(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        ctx = call.userdata
        await _to_phone_confirm(call, llm)
        assert await pad.key("1#") == [f"Thank you. {DOB_Q}"]
        # The keypad works before it is offered; shapes that are not a date are asked again.
        assert await pad.key("13121988#") == [DOB_RETRY], "month 13"
        assert await pad.key("0412198#") == [DOB_RETRY], "seven digits"
        r = await pad.key("02301988#")  # the shape of a date, not a real one: the speech parser refuses it
        assert r == [f"I need the full date of birth: the month, the day and the year. {DOB_KEYPAD}"]
        assert ctx.verification.step is AuthStep.DATE_OF_BIRTH and ctx.verification.date_of_birth is None
        assert await pad.key("04121988#") == [f"Thank you. {LAST_FOUR_Q} {LAST_FOUR_KEYPAD}"]
        # Four digits without "which": asked, answered with 2 (card). Ava's card is 7702, so no match.
        assert await pad.key("4821#") == [KIND_Q]
        assert await pad.key("2#") == [
            f"I'm sorry, those details don't match our records. Let's try again. {DOB_Q} {DOB_KEYPAD}"
        ]
        assert ctx.verification.failed_attempts == 1 and not ctx.verification.verified
        assert ctx.verification.last_four_pending is None
        assert await pad.key("04121988#") == [f"Thank you. {LAST_FOUR_Q} {LAST_FOUR_KEYPAD}"]
        assert await pad.key("77022#") == [f"Thank you, Ava, you're verified. {ADDRESS_Q}"]
        assert ctx.verification.secret_kind == "card"
        assert await call.query("select succeeded from auth_attempts order by id") == [(0,), (1,)]
        assert llm.requests == []


async def test_keypad_is_offered_and_mentioned_on_phone_calls_only(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web") as call:
        await code_turn(call, llm, "Hi, I'm Ava")
        r = await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert spoken(r) == ["I have 4 1 5, 5 5 5, 0 1 3 4. Is that right?"]
        await code_turn(call, llm, "yes")
        r = await code_turn(call, llm, "April 12")
        assert spoken(r) == ["I need the full date of birth: the month, the day and the year."]
        assert not call.userdata.keypad_offered


async def test_a_write_confirmed_with_1_and_refused_with_2(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        ctx = call.userdata
        r = await turn(
            call, llm, "Return the jacket, order 100101, unworn", Reply.call("initiate_return", **JACKET_RETURN)
        )
        assert spoken(r)[-1].endswith(f"Shall I go ahead? {CONFIRM_HINT}")
        assert await pad.key("2#") == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert ctx.pending is None and await call.query("select count(*) from returns") == [(0,)]

        await turn(call, llm, "Actually yes, return it", Reply.call("initiate_return", **JACKET_RETURN))
        assert ctx.pending is not None
        lines = await pad.key("1")
        assert len(lines) == 1 and "RET-500001" in lines[0]
        assert await call.query("select id, order_id, status from returns") == [
            ("RET-500001", "ORD-100101", "initiated")
        ]
        assert ctx.pending is None and ctx.actions[-1].startswith("Return RET-500001 opened")
        # A later 1 confirms nothing: the action is gone (a polite line, no second return).
        assert await pad.key("1#") == [
            "Sorry, I wasn't expecting any keys just then. You can just tell me what you need."
        ]
        assert await call.query("select count(*) from returns") == [(1,)]
        assert len(llm.requests) == 3, "the greeting and the two proposals; every keyed answer decided by code"


async def test_an_unclear_keyed_answer_is_asked_again_once_then_void(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with phone_call(db_url, llm, start_agent="returns", verified_as=AVA) as (call, pad):
        r = await turn(
            call, llm, "Return the jacket, order 100101, unworn", Reply.call("initiate_return", **JACKET_RETURN)
        )
        read_back = spoken(r)[-1]
        assert await pad.key("9#") == [f"Sorry, I need a clear yes or no. {read_back}"]
        assert await pad.key("7#") == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert call.userdata.pending is None and await call.query("select count(*) from returns") == [(0,)]


async def test_a_step_up_answered_on_the_keypad(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Security here.")])
    async with phone_call(db_url, llm, start_agent="security", verified_as=PRIYA) as (call, pad):
        ctx = call.userdata
        lock = Reply.call("lock_account", reason="Card stolen")
        r = await turn(call, llm, "Lock my account, someone has my card", lock)
        assert spoken(r) == [LOCK_READ_BACK]
        # Wrong digits: re-checked by code, nothing locked, the failure audited.
        assert await pad.key("1111#") == [MISMATCH]
        assert not ctx.account_locked
        assert await call.query("select security_locked_at from customers where id = :i", i=PRIYA.id) == [(None,)]
        assert await call.query("select succeeded, factor from auth_attempts") == [(0, "step_up")]
        # The right digits (Priya's SSN), keyed.
        await turn(call, llm, "Lock it please", Reply.call("lock_account", reason="Card stolen"))
        lines = await pad.key("6604#")
        assert len(lines) == 1 and lines[0].startswith("Your account is locked")
        assert ctx.account_locked
        ((locked_at,),) = await call.query("select security_locked_at from customers where id = :i", i=PRIYA.id)
        assert locked_at is not None
        assert await call.query("select succeeded, factor from auth_attempts order by id") == [
            (0, "step_up"),
            (1, "step_up"),
        ]
        history = str(call.session.history.to_dict())
        assert "6604" not in history and "1111" not in history and "6604" not in llm.requests[-1].all_text()


async def test_a_step_up_wants_the_digits_not_a_1(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Security here.")])
    async with phone_call(db_url, llm, start_agent="security", verified_as=PRIYA) as (call, pad):
        await turn(call, llm, "Lock my account", Reply.call("lock_account", reason="Card stolen"))
        assert await pad.key("1#") == [f"Sorry, I need the four digits to go ahead. {LOCK_READ_BACK}"]
        assert await pad.key("2#") == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert not call.userdata.account_locked and call.userdata.pending is None
        assert await call.query("select count(*) from auth_attempts") == [(0,)]


async def test_a_spoken_answer_discards_keys_pressed_before_it(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm, timeout_s=30.0) as (call, pad):
        await _to_phone_confirm(call, llm)
        pad.press("2")  # the caller starts keying, then says yes instead
        assert pad.listener.collector.held_keys == 1
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [f"Thank you. {DOB_Q}"]
        assert pad.listener.collector.held_keys == 0 and not pad.listener.collector.submit_pending
        assert call.userdata.verification.step is AuthStep.DATE_OF_BIRTH and keypad_turns(call) == 0


async def test_attach_keypad_listens_to_the_caller_only_until_detached(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="phone") as call:
        room: rtc.EventEmitter[str] = rtc.EventEmitter()
        detach = attach_keypad(room, call.session, caller_identity="sip_+14155550134", timeout_s=TIMEOUT_S)
        await _to_phone_confirm(call, llm)
        agent_leg = SimpleNamespace(
            identity="sip_agent_transfer"
        )  # another SIP leg's participant (only .identity is read)
        caller = SimpleNamespace(identity="sip_+14155550134")
        for key in "2#":
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=2, digit=key, participant=agent_leg))
        await asyncio.sleep(TIMEOUT_S * 3)
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM, "another participant's keys are ignored"
        for key in "1#":
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=1, digit=key, participant=caller))
        for _ in range(200):
            if call.userdata.verification.step is AuthStep.DATE_OF_BIRTH:
                break
            await asyncio.sleep(0.01)
        await call.settle()
        assert call.userdata.verification.step is AuthStep.DATE_OF_BIRTH
        detach()
        detach()  # harmless twice
        assert room._events.get("sip_dtmf_received", {}) == {}, "detached from the room"
        for key in "04121988#":
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=0, digit=key, participant=caller))
        await asyncio.sleep(TIMEOUT_S * 3)
        assert call.userdata.verification.date_of_birth is None


async def test_keys_while_the_model_speaks_wait_for_it(db_url: str) -> None:
    """Keys pressed during a model reply are held until the agent listens again (GetDtmfTask's rule)."""
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        await _to_phone_confirm(call, llm)
        await code_turn(call, llm, "yes")
        llm.push(Reply.say("Your date of birth helps us confirm it's you.", delay_s=0.3))
        task = asyncio.ensure_future(call.say("why do you need my birthday"))
        await asyncio.sleep(0.1)
        assert call.session.agent_state == "thinking"
        pad.press("04121988")
        await asyncio.sleep(TIMEOUT_S * 3)
        assert pad.listener.collector.held_keys == 8, "not submitted while the agent is thinking"
        await task
        await pad.settled()
        assert call.userdata.verification.date_of_birth == dt.date(1988, 4, 12)


CALLER_ID_Q = (
    "Is the number on your account the one you're calling from, ending in 0 1 3 4? Press 1 for yes, or 2 for no."
)


async def test_the_caller_id_is_offered_at_the_phone_step_and_confirmed_with_1(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        call.userdata.caller_number = "+14155550134"  # from sip.phoneNumber on a real call
        r = await code_turn(call, llm, "Hi, I'm Ava")
        assert spoken(r) == [f"Thanks, Ava. {CALLER_ID_Q}"]
        assert await pad.key("1") == [f"Thank you. {DOB_Q}"]
        assert call.userdata.verification.phone == "+14155550134"
        assert await pad.key("04121988#") == [f"Thank you. {LAST_FOUR_Q} {LAST_FOUR_KEYPAD}"]
        assert await pad.key("48211#") == [f"Thank you, Ava, you're verified. {ADDRESS_Q}"]
        assert llm.requests == []


async def test_a_caller_id_that_is_not_the_account_number_is_asked_for(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, _pad):
        call.userdata.caller_number = "+12065550199"
        await code_turn(call, llm, "Hi, I'm Ava")
        r = await code_turn(call, llm, "No, it isn't.")
        assert spoken(r) == [f"No problem. {PHONE_Q}"]
        assert call.userdata.caller_id_declined and call.userdata.verification.phone is None
        r = await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert spoken(r) == [PHONE_READ_BACK]


async def test_a_number_said_at_the_caller_id_question_is_read_back(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        call.userdata.caller_number = "+12065550199"
        await code_turn(call, llm, "Hi, I'm Ava")
        assert await pad.key("7#") == [f"Sorry, I didn't get that. {CALLER_ID_Q.replace('0 1 3 4', '0 1 9 9')}"]
        r = await code_turn(call, llm, "It's four one five, five five five, zero one three four")
        assert spoken(r) == [PHONE_READ_BACK]
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM


async def test_no_caller_id_offer_off_the_phone(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web") as call:
        call.userdata.caller_number = "+14155550134"
        r = await code_turn(call, llm, "Hi, I'm Ava")
        assert spoken(r) == [f"Thanks, Ava. {PHONE_Q}"]


async def test_caller_speech_holds_the_submit_until_they_stop(db_url: str) -> None:
    llm = ScriptedLLM()
    async with phone_call(db_url, llm) as (call, pad):
        await _to_phone_confirm(call, llm)
        pad.press("1")
        # The session's own user-state update, as voice activity detection makes it on a live call.
        call.session._update_user_state("speaking")
        await asyncio.sleep(TIMEOUT_S * 4)
        assert pad.listener.collector.held_keys == 1 and not pad.listener.collector.submit_pending
        assert call.userdata.verification.step is AuthStep.PHONE_CONFIRM
        call.session._update_user_state("listening")  # they stopped without a transcript (a cough)
        await pad.settled()
        assert call.userdata.verification.step is AuthStep.DATE_OF_BIRTH


async def test_the_keypad_detaches_itself_when_the_session_closes(db_url: str) -> None:
    llm = ScriptedLLM()
    room: rtc.EventEmitter[str] = rtc.EventEmitter()
    async with offline_call(llm=llm, database_url=db_url, channel="phone") as call:
        detach = attach_keypad(room, call.session)
        assert room._events.get("sip_dtmf_received")
    assert not room._events.get("sip_dtmf_received"), "still listening to the room after the call"
    detach()  # the lead's shutdown callback may still call it: harmless
