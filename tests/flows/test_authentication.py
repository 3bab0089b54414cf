"""The authentication flow, led by code, through the real AgentSession (the scripted LLM answers
only the turns code leaves to it)."""

from __future__ import annotations

import pytest

from agents.authentication import GREETING
from agents.human import HumanAgent
from agents.prompts import text as prompt_text
from agents.returns import ReturnsAgent
from agents.steps.verification import LOCKED_OUT_DECLINED
from call.context import AuthStep
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

PHONE_Q = "What's the phone number on your account?"
DOB_Q = "What's your date of birth?"
LAST_FOUR_Q = (
    "Now the last four digits of your Social Security number or of the card on file, and please tell me which one."
)
ADDRESS_Q = "Is 221 Pine Street, San Francisco, CA 94104 still your address?"
NEW_ADDRESS_Q = "What's your current address: the street, city, state and ZIP code?"
OFFER_LINES = {
    "DECLINED": "you've declined the offer",
    "ACCEPTED": "you'd like to join Marketplace Plus",
    "REMIND_LATER": "you'd like a reminder later",
}


async def _through_dob(call: OfflineCall, llm: ScriptedLLM, dob: str = "April twelfth, 1988") -> None:
    """First name (with the request) → phone → read-back yes → date of birth: all answered by code."""
    r = await code_turn(call, llm, "Hi, I'm Ava and I want to return a jacket I bought")
    assert spoken(r) == [f"Thanks, Ava. {PHONE_Q}"]
    r = await code_turn(call, llm, "four one five, five five five, zero one three four")
    assert spoken(r) == ["I have 4 1 5, 5 5 5, 0 1 3 4. Is that right?"]
    r = await code_turn(call, llm, "yes")
    assert spoken(r) == [f"Thank you. {DOB_Q}"]
    r = await code_turn(call, llm, dob)
    assert spoken(r) == [f"Thank you. {LAST_FOUR_Q}"]
    assert call.userdata.verification.step is AuthStep.LAST_FOUR


async def _locked_out(call: OfflineCall, llm: ScriptedLLM) -> list[str]:
    """Three wrong last fours (the date of birth asked again between them): the call is locked out.

    Returns:
        What code said after the third failure.
    """
    await _through_dob(call, llm)
    for attempt in range(3):
        r = await code_turn(call, llm, "SSN one one one one")
        if attempt < 2:
            assert call.userdata.verification.step is AuthStep.DATE_OF_BIRTH
            await code_turn(call, llm, "April twelfth 1988")
    assert call.userdata.verification.step is AuthStep.LOCKED_OUT
    return spoken(r)


async def _through_address(call: OfflineCall, llm: ScriptedLLM) -> None:
    await _through_dob(call, llm)
    r = await code_turn(call, llm, "SSN, four eight two one")
    assert call.userdata.verification.step is AuthStep.ADDRESS, spoken(r)


async def test_greeting_is_spoken_by_code(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        assert llm.requests == []
        greeting = [i.text_content for i in call.session.history.items if i.type == "message"]
        assert greeting == [f"{GREETING} May I have your first name?"]
        assert call.userdata.verification.step is AuthStep.FIRST_NAME


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("No thanks, not right now", "DECLINED"),
        ("Yes please, sign me up.", "ACCEPTED"),
        ("Remind me later", "REMIND_LATER"),
    ],
)
async def test_full_verification_disclosure_offer_and_routing(db_url: str, answer: str, expected: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm)
        r = await code_turn(call, llm, "SSN, four eight two one")
        assert spoken(r) == [f"Thank you, Ava, you're verified. {ADDRESS_Q}"]
        assert ctx.verification.verified and ctx.verification.customer is not None
        assert ctx.verification.customer.id == "CUS-1001" and ctx.verification.secret_kind == "ssn"
        assert ctx.verification.step is AuthStep.ADDRESS

        r = await code_turn(call, llm, "Yes, that's still correct")
        assert spoken(r) == ["Thank you.", prompt_text("disclosure")]
        assert spoken(r)[1].startswith("Before we continue, I'm required to read you")
        assert ctx.disclosure.completed and ctx.disclosure.played_pct == 100 and not ctx.disclosure.interrupted
        assert ctx.verification.step is AuthStep.OFFER_RESPONSE

        # The offer answer is classified by code; code routes the original request; only the
        # returns agent's transfer greeting is an LLM request (speech only).
        r = await turn(call, llm, answer, Reply.say("Hi Ava, I'm the returns specialist. Let's sort out that jacket."))
        assert r.by_code and tool_calls(r) == []
        assert (
            spoken(r)[0]
            == f"Thank you, I've noted that {OFFER_LINES[expected]}. I'll connect you with our returns team now."
        )
        assert handoffs(r) == ["returns"]
        assert type(call.session.current_agent) is ReturnsAgent and ctx.current_agent == "returns"
        assert llm.requests[-1].tool_choice == "none"
        assert ctx.verification.step is AuthStep.DONE and ctx.disclosure.response == expected
        assert ctx.intent == "Hi, I'm Ava and I want to return a jacket I bought"
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [("authentication", "returns")]
        assert ctx.transfers[0].handoff_latency_s is not None

        rows = await call.query(
            "select customer_id, offer_id, response, disclosure_completed, disclosure_played_pct from offer_responses"
        )
        assert rows == [("CUS-1001", "a-592", expected, 1, 100)]
        assert await call.query("select customer_id, succeeded, factor from auth_attempts") == [("CUS-1001", 1, "ssn")]
        assert len(llm.requests) == 1, "greeting and every verification step made no LLM request"
        assert llm.unscripted == 0 and llm.pending == 0


async def test_wrong_date_of_birth_counts_and_allows_retry(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm, dob="April thirteenth, 1988")
        r = await code_turn(call, llm, "card, seven seven zero two")
        assert spoken(r) == [f"I'm sorry, those details don't match our records. Let's try again. {DOB_Q}"]
        assert "date" not in spoken(r)[0].split("Let's try again.")[0], "never says which factor was wrong"
        assert not ctx.verification.verified and ctx.verification.failed_attempts == 1
        assert ctx.verification.step is AuthStep.DATE_OF_BIRTH

        r = await code_turn(call, llm, "Sorry, April twelfth 1988")
        assert spoken(r) == [f"Thank you. {LAST_FOUR_Q}"]
        r = await code_turn(call, llm, "card, seven seven zero two")
        assert ctx.verification.verified and ctx.verification.secret_kind == "card"
        assert ctx.verification.step is AuthStep.ADDRESS
        assert await call.query("select succeeded from auth_attempts order by id") == [(0,), (1,)]
        assert llm.requests == [] and llm.unscripted == 0


async def test_three_failures_lock_out_then_yes_goes_to_a_person(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        assert await _locked_out(call, llm) == [
            "I'm sorry, I couldn't verify those details. I can't verify your identity on this call, but I can "
            "transfer you to our escalation desk. Would you like that?"
        ]
        assert ctx.verification.step is AuthStep.LOCKED_OUT and ctx.verification.failed_attempts == 3
        assert await call.query("select succeeded from auth_attempts") == [(0,), (0,), (0,)]
        # The account itself is locked in the database, so a new call cannot bypass it.
        ((locked_until,),) = await call.query("select locked_until from customers where id = 'CUS-1001'")
        assert locked_until is not None

        r = await turn(call, llm, "yes", Reply.say("I'm the escalation assistant; a person will follow up."))
        assert r.by_code and spoken(r)[0] == "Okay, I'm transferring you to our escalation desk now."
        assert handoffs(r) == ["human"] and type(call.session.current_agent) is HumanAgent
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [("authentication", "human")]
        assert "LOCKED OUT" in "\n".join(llm.requests[-1].system_texts())
        assert len(llm.requests) == 1 and llm.unscripted == 0


async def test_a_locked_out_caller_who_declines_the_person_is_answered_by_code(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _locked_out(call, llm)

        r = await code_turn(call, llm, "No, don't transfer me. I'll find the right card and call back.")
        assert spoken(r) == [LOCKED_OUT_DECLINED] and handoffs(r) == []
        assert ctx.verification.step is AuthStep.LOCKED_OUT and not ctx.verification.verified
        # still locked out: a later yes still reaches a person
        r = await turn(call, llm, "Yes, please.", Reply.say("I am the escalation assistant."))
        assert handoffs(r) == ["human"]
        assert len(llm.requests) == 1 and llm.unscripted == 0


async def test_locked_out_caller_cannot_reach_a_protected_agent(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        await _locked_out(call, llm)
        r = await turn(
            call,
            llm,
            "Then let me talk to returns",
            Reply.transfer("returns", "wants a return"),
            Reply.say("I can't do that, but a colleague can."),
        )
        assert handoffs(r) == [] and tool_outputs(r)[0][2] is True
        assert "only the human agent" in tool_outputs(r)[0][1]
        assert call.userdata.transfers == [] and call.userdata.current_agent == "authentication"


async def test_a_person_on_request_is_reached_by_code_before_verification(db_url: str) -> None:
    """Asking for a person is honoured by code (the small model ignored it); only the human's greeting is generated."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call, llm, "I just want to talk to a real person please", Reply.say("I'll make sure a person follows up.")
        )
        assert tool_calls(r) == []
        assert r.spoken()[0] == "Of course. I'll connect you with our escalation desk now."
        assert handoffs(r) == ["human"]
        assert call.userdata.current_agent == "human" == call.session.current_agent.id
        assert not call.userdata.verification.verified
        assert [(t.from_agent, t.to_agent, t.reason) for t in call.userdata.transfers] == [
            ("authentication", "human", "The caller asked for a person")
        ]
        assert llm.requests[-1].tool_choice == "none", "the human agent's greeting is speech only"


async def test_the_model_may_transfer_to_human_before_verification(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "This is too complicated, I give up",
            Reply.transfer("human", "Caller is frustrated before verifying"),
            Reply.say("I'll make sure a person follows up."),
        )
        assert not r.by_code
        assert tool_calls(r) == [
            ("transfer_to_agent", {"target": "human", "reason": "Caller is frustrated before verifying"})
        ]
        assert tool_outputs(r)[0][2] is False
        assert handoffs(r) == ["human"]
        assert call.userdata.current_agent == "human" == call.session.current_agent.id
        assert not call.userdata.verification.verified
        assert llm.unscripted == 0


@pytest.mark.parametrize("target", ["order_tracking", "returns", "security", "personalization"])
async def test_protected_agents_refused_before_verification(db_url: str, target: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Where is my order?",
            Reply.transfer(target, "caller asks about an order"),
            Reply.say("I need to verify you first. May I have your first name?"),
        )
        ((name, output, is_error),) = tool_outputs(r)
        assert name == "transfer_to_agent" and is_error and "needs a caller who finished authentication" in output
        assert handoffs(r) == [] and call.userdata.transfers == []
        assert call.userdata.current_agent == "authentication"
        assert call.userdata.verification.step is AuthStep.FIRST_NAME


async def test_protected_transfer_before_authentication_completes_is_refused(db_url: str) -> None:
    """Verified and the disclosure played, but the offer answer is still due: returns is refused."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        await _through_address(call, llm)
        await code_turn(call, llm, "yes")
        assert call.userdata.verification.verified and call.userdata.disclosure.completed
        r = await turn(
            call,
            llm,
            "Can you just send me to returns?",
            Reply.transfer("returns", "return"),
            Reply.say("One more step first."),
        )
        assert handoffs(r) == [] and tool_outputs(r)[0][2] is True
        assert "mandatory disclosure and the offer answer are not done" in tool_outputs(r)[0][1]
        assert call.userdata.transfers == [] and call.userdata.verification.step is AuthStep.OFFER_RESPONSE
        assert call.userdata.current_agent == "authentication"
        assert await call.query("select count(*) from offer_responses") == [(0,)]


async def test_phone_read_back_no_goes_back_to_the_phone_step(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await code_turn(call, llm, "My first name is Ava.")
        await code_turn(call, llm, "four one five, five five five, zero one three five")
        assert ctx.verification.step is AuthStep.PHONE_CONFIRM
        r = await code_turn(call, llm, "No, that's wrong")
        assert spoken(r) == [f"Sorry about that. Let's try again. {PHONE_Q}"]
        assert ctx.verification.step is AuthStep.PHONE and ctx.verification.phone is None
        r = await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert spoken(r) == ["I have 4 1 5, 5 5 5, 0 1 3 4. Is that right?"]
        await code_turn(call, llm, "yes")
        assert ctx.verification.phone == "+14155550134" and ctx.verification.step is AuthStep.DATE_OF_BIRTH
        assert llm.requests == []


async def test_partial_phone_digits_get_a_code_reask(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await code_turn(call, llm, "Ava")
        r = await code_turn(call, llm, "four one five, five five five")
        assert spoken(r) == ["I heard 6 digits. Please say all ten digits of the phone number, area code first."]
        assert ctx.verification.step is AuthStep.PHONE and ctx.verification.phone is None
        r = await code_turn(call, llm, "four one five five five five zero one three four")
        assert ctx.verification.step is AuthStep.PHONE_CONFIRM and ctx.verification.phone == "+14155550134"
        assert llm.requests == []


async def test_why_do_you_need_that_goes_to_the_model_and_the_step_resumes(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await code_turn(call, llm, "Ava")
        r = await turn(
            call,
            llm,
            "why do you need that?",
            Reply.say(f"It lets us find your account securely. {PHONE_Q}"),
        )
        assert not r.by_code and r.run is not None
        assert [line.strip() for line in spoken(r)] == [f"It lets us find your account securely. {PHONE_Q}"]
        note = "\n".join(llm.requests[-1].system_texts())
        assert f"ask exactly: '{PHONE_Q}'" in note
        assert "save_address" not in llm.requests[-1].tool_names
        assert llm.requests[-1].tool_names == ["transfer_to_agent", "end_call"]
        assert ctx.verification.step is AuthStep.PHONE
        r = await code_turn(call, llm, "four one five, five five five, zero one three four")
        assert ctx.verification.step is AuthStep.PHONE_CONFIRM
        assert len(llm.requests) == 1 and llm.unscripted == 0


async def test_new_address_is_saved_after_read_back_and_yes(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_address(call, llm)
        r = await code_turn(call, llm, "No, I moved")
        assert spoken(r) == [f"No problem. {NEW_ADDRESS_Q}"]
        assert ctx.verification.step is AuthStep.ADDRESS_NEW

        new = {"street": "12 Oak Avenue", "city": "Reno", "state": "NV", "zip_code": "89501"}
        r = await turn(
            call,
            llm,
            "It's 12 Oak Avenue, Reno, Nevada, 89501",
            Reply.call("save_address", **new),
        )
        assert "save_address" in llm.requests[-1].tool_names
        assert "call save_address with exactly their words" in "\n".join(llm.requests[-1].system_texts())
        assert tool_calls(r) == [("save_address", new)]
        ((_, output, is_error),) = tool_outputs(r)
        assert not is_error and "nothing is saved yet" in output
        assert spoken(r) == ["I'll update your address to 12 Oak Avenue, Reno, NV 8 9 5 0 1. Shall I go ahead?"]
        assert ctx.pending is not None and ctx.pending.name == "save_address"
        assert await call.query("select line1 from addresses where customer_id = 'CUS-1001'") == [("221 Pine Street",)]

        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Your address is updated.", prompt_text("disclosure")]
        assert ctx.pending is None and ctx.verification.step is AuthStep.OFFER_RESPONSE
        assert ctx.disclosure.completed and ctx.disclosure.played_pct == 100
        assert await call.query(
            "select line1, city, region, postal_code from addresses where customer_id = 'CUS-1001'"
        ) == [("12 Oak Avenue", "Reno", "NV", "89501")]
        assert len(llm.requests) == 1 and llm.unscripted == 0


async def test_save_address_with_values_the_caller_never_said_is_refused(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_address(call, llm)
        await code_turn(call, llm, "No, I moved")
        before = await call.query("select * from addresses order by customer_id")
        r = await turn(
            call,
            llm,
            "Let me think, it's in Reno",
            Reply.call("save_address", street="1 Main Street", city="Reno", state="NV", zip_code="89501"),
            Reply.say("What's the street and ZIP code?"),
        )
        ((name, output, is_error),) = tool_outputs(r)
        assert name == "save_address" and is_error
        assert "has not said this street and state and ZIP code" in output
        assert ctx.pending is None and ctx.verification.step is AuthStep.ADDRESS_NEW
        assert await call.query("select * from addresses order by customer_id") == before
        assert llm.unscripted == 0


async def test_the_step_question_follows_a_model_reply_that_forgot_it(db_url: str) -> None:
    """The 1.5B model answered "I'm sorry, but I can't help with that." and stopped; code asks the step's question."""
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call, llm, "Hi, I want to check on an order.", Reply.say("I'm sorry, but I can't help with that.")
        )
        assert not r.by_code
        assert r.spoken() == ["I'm sorry, but I can't help with that. May I have your first name?"]
        r = await turn(call, llm, "Hi, I want to check on an order.", Reply.say("Sure. May I have your first name?"))
        assert r.spoken() == ["Sure. May I have your first name?"], "not asked twice"


async def test_no_second_question_when_the_model_asked_in_its_own_words(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(call, llm, "Hi, I'd like to return a jacket.", Reply.say("Please provide your first name."))
        assert r.spoken() == ["Please provide your first name."]
