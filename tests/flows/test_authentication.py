"""The authentication flow, driven through the real AgentSession by a scripted LLM."""

from __future__ import annotations

import pytest

from agents.returns import ReturnsAgent
from call.context import AuthStep
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import handoffs, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

GREETING = Reply.say("Thanks for calling the Marketplace help desk. May I have your first name?")


async def _through_dob(call: OfflineCall, llm: ScriptedLLM, dob: str = "1988-04-12") -> None:
    await turn(
        call,
        llm,
        "Hi, I'm Ava and I want to return a jacket I bought",
        Reply.call("record_first_name", first_name="Ava", caller_request="return a jacket"),
        Reply.say("Thanks, Ava. What phone number is on the account?"),
    )
    await turn(
        call,
        llm,
        "four one five, five five five, zero one three four",
        Reply.call("record_phone_number", phone_number="4155550134"),
        Reply.say("That's 4 1 5, 5 5 5, 0 1 3 4. Is that right?"),
    )
    await turn(
        call,
        llm,
        "yes",
        Reply.call("confirm_phone_number", caller_says_correct=True),
        Reply.say("And your date of birth?"),
    )
    await turn(
        call,
        llm,
        "April twelfth, 1988",
        Reply.call("record_date_of_birth", date_of_birth=dob),
        Reply.say("Last four of your SSN or card, and which one?"),
    )


async def test_full_verification_disclosure_and_routing(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm)
        assert set(llm.requests[0].tool_names) == {"record_first_name", "transfer_to_agent"}, "greeting step"
        assert set(llm.requests[-1].tool_names) == {
            "authenticate_user",
            "record_date_of_birth",
            "record_phone_number",
            "record_first_name",
            "transfer_to_agent",
        }, "only the due step's tools (and corrections) are shown to the model"
        r = await turn(
            call,
            llm,
            "SSN, four eight two one",
            Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
            Reply.say("Thank you, you're verified. Is 221 Pine Street still your address?"),
        )
        assert tool_outputs(r)[0][2] is False
        assert ctx.verification.verified and ctx.verification.customer is not None
        assert ctx.verification.customer.id == "CUS-1001"
        assert ctx.verification.step is AuthStep.ADDRESS

        r = await turn(
            call,
            llm,
            "Yes, that's still correct",
            Reply.call("save_address", address_is_current=True),
            Reply.call("read_disclosure"),
            Reply.say("Would you like to accept, decline, or be reminded later?"),
        )
        assert [n for n, _ in tool_calls(r)] == ["save_address", "read_disclosure"]
        spoken = [e.item.text_content for e in r.events if e.type == "message"]
        assert spoken[0] is not None and spoken[0].startswith("Before we continue, I'm required to read you")
        assert ctx.disclosure.completed and ctx.disclosure.played_pct == 100

        r = await turn(
            call,
            llm,
            "No thanks, not right now",
            Reply.call("log_offer_response", response="DECLINED"),
            Reply.transfer("returns", "Caller wants to return a jacket"),
            Reply.say("Hi Ava, I'm the returns specialist. Let's sort out that jacket."),
        )
        assert [n for n, _ in tool_calls(r)] == ["log_offer_response", "transfer_to_agent"]
        r.expect.contains_agent_handoff(new_agent_type=ReturnsAgent)
        assert handoffs(r) == ["returns"]
        assert ctx.verification.step is AuthStep.DONE and ctx.disclosure.response == "DECLINED"
        assert ctx.intent == "return a jacket"
        assert [(t.from_agent, t.to_agent) for t in ctx.transfers] == [("authentication", "returns")]
        assert ctx.transfers[0].handoff_latency_s is not None

        rows = await call.query(
            "select customer_id, offer_id, response, disclosure_completed, disclosure_played_pct from offer_responses"
        )
        assert rows == [("CUS-1001", "a-592", "DECLINED", 1, 100)]
        assert await call.query("select customer_id, succeeded, factor from auth_attempts") == [("CUS-1001", 1, "ssn")]
        assert llm.unscripted == 0


async def test_wrong_date_of_birth_counts_and_allows_retry(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm, dob="1988-04-13")
        r = await turn(
            call,
            llm,
            "card, seven seven zero two",
            Reply.call("authenticate_user", last_four="7702", digits_type="card"),
            Reply.say("Those details don't match. Could you repeat your date of birth?"),
        )
        ((name, output, is_error),) = tool_outputs(r)
        assert name == "authenticate_user" and is_error
        assert "do not match" in output and "2 attempts left" in output
        assert not ctx.verification.verified and ctx.verification.failed_attempts == 1
        assert ctx.verification.step is AuthStep.DATE_OF_BIRTH

        await turn(
            call,
            llm,
            "Sorry, April twelfth 1988",
            Reply.call("record_date_of_birth", date_of_birth="1988-04-12"),
            Reply.say("And the last four?"),
        )
        r = await turn(
            call,
            llm,
            "card, seven seven zero two",
            Reply.call("authenticate_user", last_four="7702", digits_type="card"),
            Reply.say("You're verified."),
        )
        assert tool_outputs(r)[0][2] is False and ctx.verification.verified
        assert ctx.verification.secret_kind == "card"
        assert await call.query("select succeeded from auth_attempts order by id") == [(0,), (1,)]


async def test_three_failures_lock_out_and_only_human_remains(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm)
        for attempt in range(3):
            r = await turn(
                call,
                llm,
                "SSN one one one one",
                Reply.call("authenticate_user", last_four="1111", digits_type="ssn"),
                Reply.say("That doesn't match."),
            )
            assert tool_outputs(r)[0][2] is True
            if attempt < 2:
                await turn(
                    call,
                    llm,
                    "April twelfth 1988",
                    Reply.call("record_date_of_birth", date_of_birth="1988-04-12"),
                    Reply.say("Last four?"),
                )
        assert ctx.verification.step is AuthStep.LOCKED_OUT and ctx.verification.failed_attempts == 3
        assert "locked out" in tool_outputs(r)[0][1]
        # The account itself is locked in the database, so a new call cannot bypass it.
        ((locked_until,),) = await call.query("select locked_until from customers where id = 'CUS-1001'")
        assert locked_until is not None

        r = await turn(
            call,
            llm,
            "Then let me talk to returns",
            Reply.transfer("returns", "wants a return"),
            Reply.say("I can't do that, but a person can."),
        )
        assert handoffs(r) == [] and tool_outputs(r)[0][2] is True
        assert "only the human agent" in tool_outputs(r)[0][1]
        r = await turn(
            call,
            llm,
            "Fine, a person then",
            Reply.transfer("human", "Caller locked out after failed verification"),
            Reply.say("I'm the escalation assistant; a person will follow up."),
        )
        assert handoffs(r) == ["human"]
        summary = "\n".join(llm.requests[-1].system_texts())
        assert "LOCKED OUT" in summary


async def test_human_is_reachable_before_verification(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "I just want a real person",
            Reply.transfer("human", "Caller asked for a person before verifying"),
            Reply.say("I'll make sure a person follows up."),
        )
        assert handoffs(r) == ["human"]
        assert call.userdata.current_agent == "human" and not call.userdata.verification.verified


@pytest.mark.parametrize("target", ["order_tracking", "returns", "security", "books"])
async def test_protected_agents_refused_before_verification(db_url: str, target: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Where is my order?",
            Reply.transfer(target, "caller asks about an order"),
            Reply.say("I need to verify you first. What's your first name?"),
        )
        ((name, output, is_error),) = tool_outputs(r)
        assert name == "transfer_to_agent" and is_error and "needs a verified caller" in output
        assert handoffs(r) == [] and call.userdata.transfers == []
        assert call.userdata.current_agent == "authentication"


async def test_leaving_authentication_before_disclosure_is_refused(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        await _through_dob(call, llm)
        await turn(
            call,
            llm,
            "SSN 4821",
            Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
            Reply.say("Verified."),
        )
        r = await turn(
            call, llm, "Just send me to returns", Reply.transfer("returns", "return"), Reply.say("One more step first.")
        )
        assert handoffs(r) == [] and "next step is address" in tool_outputs(r)[0][1]


async def test_steps_out_of_order_are_refused(db_url: str) -> None:
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "SSN 4821",
            Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
            Reply.call("log_offer_response", response="ACCEPTED"),
            Reply.say("Let's start with your first name."),
        )
        outputs = tool_outputs(r)
        assert [(n, e) for n, _, e in outputs] == [("authenticate_user", True), ("log_offer_response", True)]
        assert "current verification step is first name" in outputs[0][1]
        assert await call.query("select count(*) from auth_attempts") == [(0,)]
        assert await call.query("select count(*) from offer_responses") == [(0,)]


async def test_identity_values_the_caller_never_said_are_refused_and_not_counted(db_url: str) -> None:
    """A model that invents a name, a phone number or last-four digits gets refused in code: nothing
    is recorded, and an invented last four does not count as a failed attempt (it would otherwise
    let model errors lock the real customer out)."""
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        r = await turn(
            call,
            llm,
            "Hi, I want to return a jacket",
            Reply.call("record_first_name", first_name="John"),
            Reply.say("May I have your name?"),
        )
        assert tool_outputs(r)[0][2] and "has not said that name" in tool_outputs(r)[0][1]
        assert ctx.verification.first_name is None
        await turn(call, llm, "It's A V A, Ava", Reply.call("record_first_name", first_name="Ava"), Reply.say("Phone?"))
        r = await turn(
            call,
            llm,
            "Let me find it",
            Reply.call("record_phone_number", phone_number="2125550100"),
            Reply.say("What's the number?"),
        )
        assert "has not said that number" in tool_outputs(r)[0][1] and ctx.verification.phone is None
        # Spoken digits, split over two turns, are grounded.
        await turn(call, llm, "four one five, five five five", Reply.say("And the rest?"))
        await turn(
            call,
            llm,
            "oh one three four",
            Reply.call("record_phone_number", phone_number="4155550134"),
            Reply.say("Is 415 555 0134 right?"),
        )
        assert ctx.verification.phone == "+14155550134"
        await turn(call, llm, "yes", Reply.call("confirm_phone_number", caller_says_correct=True), Reply.say("DOB?"))
        await turn(
            call,
            llm,
            "April 12 1988",
            Reply.call("record_date_of_birth", date_of_birth="1988-04-12"),
            Reply.say("Last four?"),
        )
        r = await turn(
            call,
            llm,
            "hmm, which one do you need?",
            Reply.call("authenticate_user", last_four="1234", digits_type="ssn"),
            Reply.say("The last four of your SSN or card, please."),
        )
        assert "has not said those digits" in tool_outputs(r)[0][1]
        assert ctx.verification.failed_attempts == 0
        assert await call.query("select count(*) from auth_attempts") == [(0,)]
        r = await turn(
            call,
            llm,
            "SSN, double four... no wait, four eight two one",
            Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
            Reply.say("Verified."),
        )
        assert not tool_outputs(r)[0][2] and ctx.verification.verified


async def test_the_model_cannot_answer_for_the_caller(db_url: str) -> None:
    """What the offline model did in a demo call: verify, then in the same reply confirm the address,
    play the disclosure, log an ACCEPTED offer and transfer, without the caller saying a word.
    Each step's answer must come from a caller turn after its question, so all of that is refused."""
    llm = ScriptedLLM([GREETING])
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await _through_dob(call, llm)
        r = await turn(
            call,
            llm,
            "SSN, four eight two one",
            Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
            Reply.call("save_address", address_is_current=True),
            Reply.call("read_disclosure"),
            Reply.call("log_offer_response", response="ACCEPTED"),
            Reply.say("Is 221 Pine Street still your address?"),
        )
        outputs = tool_outputs(r)
        assert [(name, err) for name, _, err in outputs] == [
            ("authenticate_user", False),
            ("save_address", True),
            ("read_disclosure", True),
            ("log_offer_response", True),
        ]
        assert "has not answered yet: confirm the address on file" in outputs[1][1]
        assert ctx.verification.step is AuthStep.ADDRESS and not ctx.disclosure.played
        await turn(
            call,
            llm,
            "Yes, that's right",
            Reply.call("save_address", address_is_current=True),
            Reply.call("read_disclosure"),
            Reply.call("log_offer_response", response="ACCEPTED"),
            Reply.say("Would you like the offer?"),
        )
        assert ctx.disclosure.completed and ctx.disclosure.response is None, "the answer must follow the disclosure"
        assert await call.query("select count(*) from offer_responses") == [(0,)]
        await turn(
            call, llm, "Remind me later", Reply.call("log_offer_response", response="REMIND_LATER"), Reply.say("Noted.")
        )
        assert await call.query("select response from offer_responses") == [("REMIND_LATER",)]
