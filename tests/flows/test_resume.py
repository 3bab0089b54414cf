"""Resuming a dropped call: two real AgentSessions on one database, the second picking up the first.

Call 1 verifies through the code-led steps, goes to returns, leaves a return read back and awaiting
the caller's yes, then drops (the caller's participant leaves, as LiveKit's RoomIO closes the session).
Its state is in the database, not in memory: call 2 (a new session, new services, as another worker
process would have) is offered to continue it, passes the shortened re-verification (phone number read
back, one factor against the stored digests) and lands at returns with the transfer summary.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from livekit.agents.voice.events import CloseReason

from agents.authentication import GREETING
from agents.prompts import text as prompt_text
from agents.returns import ReturnsAgent
from agents.steps.resume import FRESH_START, NOT_CONFIRMED, OFFER_QUESTION, RESUME_LEAD
from call.context import AuthStep, Channel, CustomerContext
from call.keypad import CONFIRM_HINT
from call.snapshot import RESUMED_ACTION
from services.demo_data import AVA
from worker.call_state import CallStateRecorder, attach_call_state, find_resumable_call
from worker.settings import Settings
from worker.testing import FIXED_NOW, OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, turn
from .keypad_helpers import Keypad

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

WEB_ID = "playground-user-7f3a"
"""A web caller's LiveKit participant identity (the caller key on the web)."""
SETTINGS = Settings(_env_file=None, resume_window_minutes=10)  # type: ignore[call-arg]
OFFER = f"{RESUME_LEAD} {OFFER_QUESTION}"
PHONE_Q = "What's the phone number on your account?"
FACTOR_Q = "And the last four digits of your Social Security number or of the card on file?"
READ_BACK = "I can open a return of the Alpine rain jacket from order ORD-100101 for a refund of $129.00."
JACKET = {"order_number": "ORD-100101", "condition": "unused", "reason": "too small"}


async def _verify(call: OfflineCall, llm: ScriptedLLM, *, answer_offer: bool = True) -> None:
    """The whole code-led verification of Ava (her request: a return), up to the offer answer."""
    await code_turn(call, llm, "Hi, I'm Ava and I want to return a jacket I bought")
    await code_turn(call, llm, "four one five, five five five, zero one three four")
    await code_turn(call, llm, "yes")
    await code_turn(call, llm, "April twelfth, 1988")
    await code_turn(call, llm, "SSN, four eight two one")
    if not answer_offer:
        return
    await code_turn(call, llm, "Yes, that's still correct")
    r = await turn(call, llm, "No thanks", Reply.say("Hi Ava, returns here. Which item would you like to return?"))
    assert handoffs(r) == ["returns"]


async def _drop(call: OfflineCall, recorder: CallStateRecorder) -> None:
    """The caller's line drops: LiveKit's RoomIO closes the session with PARTICIPANT_DISCONNECTED."""
    closed = asyncio.Event()
    call.session.once("close", lambda _ev: closed.set())
    call.session._close_soon(reason=CloseReason.PARTICIPANT_DISCONNECTED)  # what RoomIO does (room_io.py)
    await asyncio.wait_for(closed.wait(), timeout=10)
    await recorder.aclose()
    assert recorder.completed is False and recorder.failures == 0


async def first_call(
    db_url: str,
    *,
    channel: Channel = "web",
    key: str = WEB_ID,
    pending: bool = True,
    answer_offer: bool = True,
    hang_up: Callable[[OfflineCall, CallStateRecorder], Awaitable[None]] = _drop,
) -> str:
    """Call 1: verify, go to returns, leave a return awaiting the caller's yes, then drop. Returns its id."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel=channel) as call:
        recorder = attach_call_state(call.session, key)
        await _verify(call, llm, answer_offer=answer_offer)
        if pending:
            r = await turn(
                call,
                llm,
                "The rain jacket, it's too small",
                Reply.call(
                    "check_return_eligibility", order_number="ORD-100101", condition="unused", reason="too small"
                ),
            )
            assert spoken(r)[0].startswith(f"Good news, it can be returned. {READ_BACK} Shall I go ahead?")
            assert call.userdata.pending is not None
        await hang_up(call, recorder)
        return call.userdata.call_id


def resumable(key: str) -> Callable[[CustomerContext], Awaitable[None]]:
    """What the worker's entrypoint does before the session starts: look for the caller's dropped call."""

    async def _before_start(ctx: CustomerContext) -> None:
        ctx.resumable = await find_resumable_call(ctx.services, channel=ctx.channel, caller_key=key, settings=SETTINGS)

    return _before_start


def greeting(call: OfflineCall) -> str:
    return next(i.text_content or "" for i in call.session.history.items if i.type == "message")


async def saved_rows(call: OfflineCall) -> list[tuple[Any, ...]]:
    return await call.query("select call_id, status, resumed_by, state from saved_calls order by created_at, call_id")


async def test_a_dropped_call_is_resumed_at_returns_with_its_pending_request(db_url: str) -> None:
    first_id = await first_call(db_url)
    llm = ScriptedLLM()
    later = FIXED_NOW + dt.timedelta(minutes=4)
    async with offline_call(
        llm=llm, database_url=db_url, channel="web", now=later, before_start=resumable(WEB_ID)
    ) as call:
        ctx = call.userdata
        assert greeting(call) == OFFER and ctx.verification.step is AuthStep.RESUME_OFFER
        assert ctx.verification.customer is None and ctx.intent is None and ctx.actions == []

        r = await code_turn(call, llm, "Yes please")
        assert spoken(r) == [f"Great, first a quick check. {PHONE_Q}"]
        r = await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert spoken(r) == ["I have 4 1 5, 5 5 5, 0 1 3 4. Is that right?"]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [f"Thank you. {FACTOR_Q}"]
        assert ctx.verification.customer is None, "nothing restored before the factor"

        # The factor passes: restored, the disclosure is not replayed (answered in call 1), back to returns,
        # whose first request carries the transfer summary and the pending request to propose again.
        r = await turn(call, llm, "four eight two one", Reply.call("initiate_return", **JACKET))
        assert spoken(r)[0] == "Thank you, Ava, you're verified. Now, back to your request."
        assert prompt_text("disclosure") not in spoken(r)
        assert handoffs(r) == ["returns"] and type(call.session.current_agent) is ReturnsAgent
        assert spoken(r)[-1] == f"{READ_BACK} Shall I go ahead?", "code reads the write back again"
        assert ctx.pending is not None and ctx.pending.name == "initiate_return"

        request = llm.requests[-1]
        system = "\n".join(request.system_texts())
        assert "TRANSFER SUMMARY: transferred from the authentication agent to you (returns)." in system
        assert "Caller: Ava T., identity VERIFIED" in system
        assert "Caller's intent: Hi, I'm [name] and I want to return a jacket I bought." in system
        assert (
            "Already done in this call: Identity verified; Loyalty offer a-592: DECLINED; " + RESUMED_ACTION
        ) in system
        assert "Loyalty offer answered: DECLINED." in system
        assert READ_BACK in request.all_text() and "Call initiate_return now with" in request.all_text()

        assert ctx.verification.step is AuthStep.DONE and ctx.disclosure.response == "DECLINED"
        assert ctx.resumed_from == first_id and ctx.resumable is None and ctx.earlier_transfers == 1
        assert await call.query("select customer_id, succeeded, factor from auth_attempts order by id") == [
            ("CUS-1001", 1, "ssn"),
            ("CUS-1001", 1, "step_up"),
        ]
        assert await call.query("select count(*) from offer_responses") == [(1,)], "the offer is not asked again"
        assert (await saved_rows(call))[0] == (first_id, "resumed", ctx.call_id, "{}")

        r = await code_turn(call, llm, "Yes, go ahead")
        assert spoken(r)[0].startswith("Done. Return RET-500001 for the Alpine rain jacket")
        assert await call.query("select order_id, status from returns") == [("ORD-100101", "initiated")]
        assert llm.unscripted == 0


async def test_the_disclosure_is_still_played_when_the_dropped_call_had_not_answered_the_offer(db_url: str) -> None:
    await first_call(db_url, pending=False, answer_offer=False)  # dropped at the address question
    llm = ScriptedLLM()
    later = FIXED_NOW + dt.timedelta(minutes=2)
    async with offline_call(
        llm=llm, database_url=db_url, channel="web", now=later, before_start=resumable(WEB_ID)
    ) as call:
        ctx = call.userdata
        for said in ("yes", "four one five, five five five, zero one three four", "yes"):
            await code_turn(call, llm, said)
        r = await code_turn(call, llm, "card, seven seven zero two")
        assert spoken(r) == ["Thank you, Ava, you're verified.", prompt_text("disclosure")]
        assert ctx.verification.step is AuthStep.OFFER_RESPONSE and ctx.disclosure.completed
        # No protected agent before the offer answer; then code routes the saved intent (a return).
        r = await turn(call, llm, "Remind me later", Reply.say("Hi Ava, returns here."))
        assert (
            spoken(r)[0]
            == "Thank you, I've noted that you'd like a reminder later. I'll connect you with our returns team now."
        )
        assert handoffs(r) == ["returns"]
        assert await call.query("select response from offer_responses order by id") == [("REMIND_LATER",)]


async def _phone_caller(ctx: CustomerContext) -> None:
    """A phone call from Ava's number (``sip.phoneNumber``), looking for her dropped call."""
    ctx.caller_number = AVA.phone
    await resumable(AVA.phone)(ctx)


PHONE_READ_BACK = (
    "Great, first a quick check. I see you're calling from 4 1 5, 5 5 5, 0 1 3 4. Is that the number on your "
    f"account? {CONFIRM_HINT}"
)


async def test_on_the_phone_the_callers_number_is_read_back(db_url: str) -> None:
    await first_call(db_url, channel="phone", key=AVA.phone)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="phone", before_start=_phone_caller) as call:
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [PHONE_READ_BACK]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [f"Thank you. {FACTOR_Q}"]
        await turn(call, llm, "social four eight two one", Reply.say("Returns here, let's finish that."))
        assert call.userdata.current_agent == "returns" and call.userdata.verification.verified


async def test_on_the_phone_the_keypad_answers_the_offer_the_read_back_and_the_factor(db_url: str) -> None:
    await first_call(db_url, channel="phone", key=AVA.phone)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="phone", before_start=_phone_caller) as call:
        pad = Keypad(call)
        pad.listener.attach()
        try:
            assert await pad.key("1") == [PHONE_READ_BACK]
            assert await pad.key("1") == [f"Thank you. {FACTOR_Q}"]
            llm.push(Reply.say("Returns here, let's finish that."))
            said = await pad.key("4821")
        finally:
            pad.listener.detach()
        assert said[0] == "Thank you, Ava, you're verified. Now, back to your request."
        assert call.userdata.current_agent == "returns" and call.userdata.resumed_from is not None
        history = [i.text_content or "" for i in call.session.history.items if i.type == "message"]
        assert not any("4821" in line for line in history), "keyed digits never reach the history"


async def test_a_wrong_factor_is_counted_and_restores_nothing(db_url: str) -> None:
    first_id = await first_call(db_url)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=resumable(WEB_ID)) as call:
        ctx = call.userdata
        for said in ("yes", "four one five, five five five, zero one three four", "yes"):
            await code_turn(call, llm, said)
        r = await code_turn(call, llm, "one two three four")
        assert spoken(r) == [f"{NOT_CONFIRMED} May I have your first name?"]
        assert ctx.verification.failed_attempts == 1 and ctx.verification.step is AuthStep.FIRST_NAME
        assert ctx.verification.customer is None and ctx.intent is None and ctx.actions == []
        assert ctx.resume is None and ctx.resumable is None and ctx.current_agent == "authentication"
        assert await call.query("select succeeded, factor from auth_attempts order by id") == [
            (1, "ssn"),
            (0, "step_up"),
        ]
        assert await call.query("select failed_auth_attempts from customers where id = 'CUS-1001'") == [(1,)]
        assert (await saved_rows(call))[0][:3] == (first_id, "closed", None), "one try per dropped call"
        # The usual verification goes on, and the earlier failure still counts towards the lockout.
        r = await code_turn(call, llm, "Ava")
        assert spoken(r) == [f"Thanks, Ava. {PHONE_Q}"]


async def test_a_phone_number_that_is_not_the_records_is_counted_and_restores_nothing(db_url: str) -> None:
    await first_call(db_url)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=resumable(WEB_ID)) as call:
        await code_turn(call, llm, "yes")
        await code_turn(call, llm, "three one two, five five five, zero one seven eight")
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [f"{NOT_CONFIRMED} May I have your first name?"]
        assert call.userdata.verification.failed_attempts == 1 and call.userdata.verification.customer is None
        assert await call.query("select count(*) from auth_attempts where factor = 'step_up'") == [(0,)]


async def test_no_to_the_offer_starts_the_usual_verification_and_closes_the_saved_call(db_url: str) -> None:
    first_id = await first_call(db_url)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=resumable(WEB_ID)) as call:
        r = await code_turn(call, llm, "No thanks")
        assert spoken(r) == [f"{FRESH_START} May I have your first name?"]
        assert call.userdata.verification.failed_attempts == 0 and call.userdata.resumable is None
        assert (await saved_rows(call))[0][:2] == (first_id, "closed")
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=resumable(WEB_ID)) as call:
        assert greeting(call) == f"{GREETING} May I have your first name?", "a declined call is not offered again"


async def test_outside_the_window_the_usual_verification_runs(db_url: str) -> None:
    await first_call(db_url)
    llm = ScriptedLLM()
    later = FIXED_NOW + dt.timedelta(minutes=11)
    async with offline_call(
        llm=llm, database_url=db_url, channel="web", now=later, before_start=resumable(WEB_ID)
    ) as call:
        assert call.userdata.resumable is None
        assert greeting(call) == f"{GREETING} May I have your first name?"
        assert call.userdata.verification.step is AuthStep.FIRST_NAME


@pytest.mark.parametrize(
    ("channel", "key"),
    [("web", "playground-user-0000"), ("web", AVA.phone), ("phone", WEB_ID), ("phone", "+13125550178")],
)
async def test_another_caller_is_not_offered_the_call(db_url: str, channel: Channel, key: str) -> None:
    await first_call(db_url)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel=channel, before_start=resumable(key)) as call:
        assert call.userdata.resumable is None
        assert greeting(call) == f"{GREETING} May I have your first name?"


async def test_resuming_is_off_with_a_zero_window(db_url: str) -> None:
    await first_call(db_url)
    llm = ScriptedLLM()
    off = Settings(_env_file=None, resume_window_minutes=0)  # type: ignore[call-arg]

    async def _off(ctx: CustomerContext) -> None:
        ctx.resumable = await find_resumable_call(ctx.services, channel="web", caller_key=WEB_ID, settings=off)

    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=_off) as call:
        assert call.userdata.resumable is None and greeting(call).startswith(GREETING)


async def _goodbye(call: OfflineCall, recorder: CallStateRecorder) -> None:
    """The call ends normally: the desk closes the session after the goodbye (EndCallTool: USER_INITIATED)."""
    await call.session.aclose()
    await recorder.aclose()
    assert recorder.completed is True


async def test_a_call_that_ended_with_a_goodbye_is_not_offered(db_url: str) -> None:
    first_id = await first_call(db_url, hang_up=_goodbye)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, channel="web", before_start=resumable(WEB_ID)) as call:
        assert call.userdata.resumable is None and greeting(call).startswith(GREETING)
        assert (await saved_rows(call))[0] == (first_id, "closed", None, "{}")


async def test_the_saved_state_holds_no_phone_number_name_or_caller_key(db_url: str) -> None:
    first_id = await first_call(db_url, channel="phone", key=AVA.phone)
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ((call_id, digest, status, state),) = await call.query(
            "select call_id, caller_digest, status, state from saved_calls"
        )
        assert (call_id, status) == (first_id, "dropped")
        row = f"{call_id} {digest} {status} {state}"
        for personal in (
            "4155550134",
            "415-555",
            "Ava",
            "Thompson",
            "1988",
            "4821",
            "7702",
            "Pine Street",
            "San Francisco",
        ):
            assert personal.casefold() not in row.casefold(), personal
        saved = json.loads(state)
        assert saved == {
            "version": 1,
            "agent": "returns",
            "customer_id": "CUS-1001",
            "intent": "Hi, I'm [name] and I want to return a jacket I bought",
            "actions": ["Identity verified", "Loyalty offer a-592: DECLINED"],
            "pending": {
                "agent": "returns",
                "request": f"go ahead with what was read back to them before the call dropped: Good news, it can be "
                f"returned. {READ_BACK}",
                "tool": "initiate_return",
                "arguments": {"order": "ORD-100101", "sku": "FSH-2001", "condition": "unused", "reason": "too small"},
            },
            "offer_answer": "DECLINED",
            "disclosure_completed": True,
            "transfers": 1,
        }


async def test_a_call_that_drops_after_a_goodbye_is_not_resumable(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, start_agent="returns", verified_as=AVA) as call:
        recorder = attach_call_state(call.session, WEB_ID)
        # Not a goodbye code answers (no farewell), so the model replies; its words close the call.
        await turn(call, llm, "No, that's all I needed", Reply.say("You're welcome, Ava. Have a great day!"))
        closed = asyncio.Event()
        call.session.once("close", lambda _ev: closed.set())
        call.session._close_soon(reason=CloseReason.PARTICIPANT_DISCONNECTED)  # the caller hangs up
        await asyncio.wait_for(closed.wait(), timeout=10)
        await recorder.aclose()
        assert recorder.completed is True
        assert await call.query("select status from saved_calls") == [("closed",)]


@pytest.mark.parametrize(
    ("ended_by", "completed"), [("goodbye", True), ("transfer", True), ("idle", False), ("error", False)]
)
async def test_how_the_desk_ended_the_call_decides(db_url: str, ended_by: str, completed: bool) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, start_agent="returns", verified_as=AVA) as call:
        recorder = attach_call_state(call.session, WEB_ID)
        call.userdata.ended_by = ended_by
        await call.session.aclose()  # the desk closes the session (USER_INITIATED) in every case
        await recorder.aclose()
        assert recorder.completed is completed
        expected = "closed" if completed else "dropped"
        assert await call.query("select status from saved_calls") == [(expected,)]


async def test_a_failing_database_neither_blocks_nor_breaks_the_call(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from services import ServiceTimeoutError

    slow_calls = 0

    async def slow_then_fail(*_args: Any, **_kwargs: Any) -> None:
        nonlocal slow_calls
        slow_calls += 1
        await asyncio.sleep(0.5)
        raise ServiceTimeoutError(seconds=3.0)

    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, start_agent="returns", verified_as=AVA) as call:
        monkeypatch.setattr(call.services.calls, "save", slow_then_fail)
        recorder = attach_call_state(call.session, AVA.phone)
        loop = asyncio.get_running_loop()
        started = loop.time()
        r = await turn(
            call,
            llm,
            "The rain jacket from my last order, it's too small",
            Reply.call("check_return_eligibility", order_number="ORD-100101", condition="unused", reason="too small"),
        )
        assert loop.time() - started < 0.5, "the turn did not wait for the save"
        assert spoken(r)[0].startswith("Good news, it can be returned.")
        r = await code_turn(call, llm, "yes")
        assert spoken(r)[0].startswith("Done. Return RET-500001"), "the call goes on"
        await call.session.aclose()
        await recorder.aclose()
        assert recorder.failures >= 2 and recorder.saves == 0 and slow_calls >= 2
        assert slow_calls <= 4, "saves do not pile up: one at a time, the latest state wins"
    messages = [r.getMessage() for r in caplog.records if r.name == "marketplace.call_state"]
    assert any("call state not saved: ServiceTimeoutError" in m for m in messages)
    assert not any("4155550134" in m for m in messages)


async def test_at_job_shutdown_the_last_save_waits_for_the_session_to_close(db_url: str) -> None:
    """LiveKit runs the job's shutdown callbacks concurrently (the session's own close among them): the
    recorder's ``aclose`` waits for that close and its final save before the services may close."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url, start_agent="returns", verified_as=AVA) as call:
        recorder = attach_call_state(call.session, WEB_ID)
        flush = asyncio.ensure_future(recorder.aclose())  # our shutdown callback starts first
        await asyncio.sleep(0.05)
        assert not flush.done()
        call.session._close_soon(reason=CloseReason.JOB_SHUTDOWN)  # LiveKit's own shutdown callback
        await asyncio.wait_for(flush, timeout=10)
        assert recorder.completed is False and recorder.saves == 1
        ((status, state),) = await call.query("select status, state from saved_calls")
        assert status == "dropped" and json.loads(state)["agent"] == "returns"
