"""The security and personalization desks through the real AgentSession with a scripted model: each tool's
happy path, bad input and refusal; writes read back by code and decided by the caller's next turn (the
risky ones, lock and password reset, by the last four digits re-checked in code); the account lock
holding for the rest of the call and in a new call; one journey per desk asserting the database.

Demo facts: :mod:`services.account_seed` (Priya's unusual charges CHG-810008 $489.00 Lagos, CHG-810009
$1.00 and CHG-810010 $1.49 Bucharest; Ava prefers fashion, size M, navy; Marcus electronics under $300).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from call.context import AuthStep
from services.account_seed import PRIYA_LAGOS, PRIYA_TEST_CHARGES
from services.demo_data import AVA, MARCUS, PRIYA
from tools.writes import STEP_UP_QUESTION
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

from .helpers import code_turn, handoffs, spoken, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

HELD = "The details were read back to the caller and nothing is saved yet."
NOT_VERIFIED = "The caller has not finished authentication."
LOCKED = "This account is locked for security."
LAGOS_LINE = "CHG-810008: $489.00 at Lagos Gadget Hub (Electronics), Lagos, Nigeria, November 16, marked unusual."
TEST_LINES = (
    "CHG-810010: $1.49 at VRFY*Online Services (Card verification), Bucharest, Romania, November 15, marked unusual. "
    "CHG-810009: $1.00 at VRFY*Online Services (Card verification), Bucharest, Romania, November 15, marked unusual."
)
LOCK_READ_BACK = (
    "I'll lock your account now: no sign-ins, orders or changes until our security team unlocks it with you, "
    f"and I won't be able to look at your account for the rest of this call. {STEP_UP_QUESTION}"
)
LOCKED_LINE = (
    "Your account is locked: no one can sign in, order or change anything. Our security team will contact you by "
    "email to unlock it with you."
)
MISMATCH = (
    "Those digits don't match our records, so I haven't changed anything. If you'd like, I can connect you with our "
    "escalation desk."
)
RESET_READ_BACK = f"I'll send a password reset link to p***@example.com; it expires in 30 minutes. {STEP_UP_QUESTION}"


def at_desk(agent: str, customer: Any = PRIYA, greeting: str = "Hello, how can I help?") -> Any:
    """An offline call at ``agent`` with ``customer`` verified; the model's greeting is scripted."""
    llm = ScriptedLLM([Reply.say(greeting)])
    return llm, lambda db_url: offline_call(llm=llm, start_agent=agent, verified_as=customer, database_url=db_url)


async def propose(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, **args: Any) -> list[str]:
    """The model calls a write tool once; code reads it back; nothing more is asked of the model."""
    r = await turn(call, llm, caller, Reply.call(tool, **args))
    assert tool_calls(r) == [(tool, args)]
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error and output.startswith(HELD), output
    assert call.userdata.pending is not None and call.userdata.pending.name == tool
    return spoken(r)


async def refused(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, **args: Any) -> str:
    """The model calls ``tool``; it is refused with a sentence for the model; nothing is proposed."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Let me explain."))
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and is_error, output
    assert call.userdata.pending is None
    assert spoken(r) == ["Let me explain."]
    return output


async def read(call: OfflineCall, llm: ScriptedLLM, caller: str, tool: str, **args: Any) -> str:
    """The model calls a read tool and then speaks; the tool's output."""
    r = await turn(call, llm, caller, Reply.call(tool, **args), Reply.say("Here is what I found."))
    ((name, output, is_error),) = tool_outputs(r)
    assert name == tool and not is_error, output
    return output


async def account(call: OfflineCall) -> dict[str, list[tuple[Any, ...]]]:
    """The security and personalization rows a call can change."""
    return {
        "charges": await call.query("select id, status from charges order by id"),
        "cases": await call.query("select id, customer_id, kind, charge_ids, status from security_cases order by id"),
        "resets": await call.query("select customer_id, sent_to, expires_at from password_resets order by id"),
        "locks": await call.query("select id, security_locked_at, security_lock_reason from customers order by id"),
        "preferences": await call.query("select customer_id, key, value from preferences order by customer_id, key"),
        "events": await call.query("select customer_id, kind, sku, query from behavior_events order by id"),
    }


# --- security: reading charges ------------------------------------------------------------------------------


async def test_verify_transaction_lists_the_recent_charges_unusual_first(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        out = await read(call, llm, "There are charges on my card I don't recognise", "verify_transaction")
        assert out == (
            f"5 charges in the last 30 days, 3 marked unusual. {LAGOS_LINE} {TEST_LINES} "
            "CHG-810006: $45.00 at Marketplace (Cast iron skillet, 12 inch, order ORD-100301), Seattle, WA, "
            "November 14. CHG-810007: $50.00 at Marketplace (Marketplace gift card, 50 dollars, order ORD-100302), "
            "Seattle, WA, November 12. Ask whether the caller recognises the unusual ones; unrecognised charges can "
            "be reported as fraud."
        )
        out = await read(call, llm, "What's the 489 dollar one?", "verify_transaction", amount="$489")
        assert out.startswith(f"1 matching charge. {LAGOS_LINE}")
        out = await read(call, llm, "And the ones from Bucharest?", "verify_transaction", merchant="Bucharest")
        assert out.startswith(f"2 matching charges. {TEST_LINES}")
        out = await read(call, llm, "Anything from Paris?", "verify_transaction", merchant="Paris")
        assert out.startswith("No charge matching 'Paris' in the last 30 days. Other charges: CHG-810008")
        assert llm.unscripted == 0


async def test_verify_transaction_reads_only_the_callers_own_charges(db_url: str) -> None:
    llm, desk = at_desk("security", AVA)
    async with desk(db_url) as call:
        out = await read(call, llm, "Check my charges", "verify_transaction")
        assert out.startswith("2 charges in the last 30 days, 0 marked unusual. CHG-810002: $199.00")
        assert "CHG-810008" not in out and "Lagos" not in out and "CHG-810003" not in out  # Priya's; 50 days old
        out = await read(call, llm, "The 489 dollar one?", "verify_transaction", amount="489")
        assert out.startswith("No charge of about $489.00 in the last 30 days.") and "Lagos" not in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"amount": "lots"}, "'lots' is not an amount of dollars"),
        ({"amount": "0"}, "is not an amount of dollars"),
        ({"merchant": "x" * 500}, "The merchant is too long"),
        ({"amount": "12345678901 dollars"}, "is not an amount of dollars"),
    ],
)
async def test_verify_transaction_bad_input(db_url: str, args: dict[str, str], says: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        assert says in await refused(call, llm, "Check that charge", "verify_transaction", **args)


async def test_security_tools_refuse_a_caller_who_is_not_verified(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Security desk.")])
    async with offline_call(llm=llm, start_agent="security", database_url=db_url) as call:
        before = await account(call)
        for tool, args in [
            ("verify_transaction", {}),
            ("report_fraud", {"charges": "the one from Lagos", "description": "not me"}),
            ("flag_suspicious_activity", {"description": "odd email"}),
            ("lock_account", {"reason": "hacked"}),
            ("reset_password", {}),
        ]:
            assert (await refused(call, llm, "Help me", tool, **args)).startswith(NOT_VERIFIED)
        assert await account(call) == before


# --- security: fraud and suspicious activity ----------------------------------------------------------------


async def test_report_fraud_disputes_the_charge_after_a_yes(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        lines = await propose(
            call,
            llm,
            "The one from Lagos isn't mine",
            "report_fraud",
            charges="the one from Lagos",
            description="I have never bought anything in Lagos",
        )
        assert lines == [
            "I'll report the charge of $489.00 at Lagos Gadget Hub on November 16 as fraud and dispute it. "
            "Shall I go ahead?"
        ]
        assert await call.query("select count(*) from security_cases") == [(0,)]
        r = await code_turn(call, llm, "Yes please")
        assert spoken(r) == [
            "Case SEC-820001 is open and the charge of $489.00 at Lagos Gadget Hub on November 16 is disputed: you "
            "won't pay it while we investigate, and confirmed fraud is credited back to your card within 10 "
            "business days."
        ]
        assert await call.query("select id, customer_id, kind, charge_ids, description from security_cases") == [
            ("SEC-820001", PRIYA.id, "fraud", '["CHG-810008"]', "I have never bought anything in Lagos")
        ]
        assert await call.query("select id from charges where status = 'disputed'") == [(PRIYA_LAGOS,)]
        assert call.userdata.actions[-1] == "Fraud case SEC-820001 opened; disputed CHG-810008 ($489.00)"
        # Reported again: refused before anything is proposed.
        out = await refused(call, llm, "Report it again", "report_fraud", charges="CHG-810008", description="again")
        assert out == "Charge CHG-810008 is already reported as fraud and under review."


async def test_report_fraud_of_several_charges_in_the_callers_words(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        lines = await propose(
            call,
            llm,
            "And the two tiny ones from Bucharest",
            "report_fraud",
            charges="the two small test charges",
            description="Card testing",
        )
        assert lines == [
            "I'll report 2 charges ($1.49 at VRFY*Online Services on November 15 and $1.00 at VRFY*Online Services "
            "on November 15) as fraud and dispute them. Shall I go ahead?"
        ]
        await code_turn(call, llm, "yes")
        assert await call.query("select id from charges where status = 'disputed' order by id") == [
            (i,) for i in PRIYA_TEST_CHARGES
        ]
        assert await call.query("select charge_ids from security_cases") == [('["CHG-810010", "CHG-810009"]',)]


@pytest.mark.parametrize(
    ("charges", "says"),
    [
        ("the small one", "Several charges fit 'the small one': CHG-810010, $1.49 at VRFY*Online Services"),
        ("the one from Paris", "No charge on the caller's card fits 'the one from Paris'. Their charges: CHG-810008"),
        ("CHG-810001", "There is no charge CHG-810001 on this caller's card."),  # Ava's
        ("", "The charges is empty."),
        ("x" * 400, "The charges is too long"),
    ],
)
async def test_report_fraud_refusals_write_nothing(db_url: str, charges: str, says: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        before = await account(call)
        out = await refused(call, llm, "Report it", "report_fraud", charges=charges, description="Not mine")
        assert out.startswith(says), out
        assert "Ava" not in out and "Thompson" not in out
        await turn(call, llm, "yes", Reply.say("What would you like to do?"))
        assert await account(call) == before


async def test_report_fraud_no_writes_nothing(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        before = await account(call)
        await propose(call, llm, "Lagos", "report_fraud", charges="the Lagos one", description="not me")
        r = await code_turn(call, llm, "no")
        assert spoken(r) == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert await account(call) == before


async def test_flag_suspicious_activity_with_and_without_charges(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        lines = await propose(
            call,
            llm,
            "I got a login alert from a phone I don't own",
            "flag_suspicious_activity",
            description="Login alert from an unknown phone",
        )
        assert lines == [
            "I'll open a suspicious-activity case for our security team, noting: Login alert from an unknown phone. "
            "Shall I go ahead?"
        ]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [
            "Case SEC-820001 is open. Our security team reviews it within one business day and contacts you by email."
        ]
        lines = await propose(
            call,
            llm,
            "And that 1 dollar charge looks odd too",
            "flag_suspicious_activity",
            description="A one dollar charge I don't know",
            charges="the 1 dollar one",
        )
        assert lines[0].startswith(
            "I'll open a suspicious-activity case for our security team about the charge of $1.00 at VRFY*Online "
            "Services on November 15, noting:"
        )
        await code_turn(call, llm, "yes")
        assert await call.query("select id, kind, charge_ids from security_cases order by id") == [
            ("SEC-820001", "suspicious_activity", "[]"),
            ("SEC-820002", "suspicious_activity", '["CHG-810009"]'),
        ]
        assert await call.query("select count(*) from charges where status <> 'posted'") == [(0,)]
        assert await refused(call, llm, "Flag it", "flag_suspicious_activity", description="") == (
            "The description is empty. Ask the caller for it."
        )


# --- security: step-up writes ----------------------------------------------------------------------------------


async def test_lock_with_the_right_digits_locks_the_account_for_the_rest_of_the_call(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        lines = await propose(call, llm, "Lock my account, someone has my card", "lock_account", reason="Card stolen")
        assert lines == [LOCK_READ_BACK]
        assert await call.query("select security_locked_at from customers where id = :c", c=PRIYA.id) == [(None,)]
        r = await code_turn(call, llm, "It's nine zero two one")  # Priya's card
        assert spoken(r) == [LOCKED_LINE]
        assert call.userdata.account_locked
        assert await call.query(
            "select security_locked_at, security_lock_reason from customers where id = :c", c=PRIYA.id
        ) == [("2026-11-18 15:00:00.000000", "Card stolen")]
        assert await call.query("select customer_id, succeeded, factor from auth_attempts") == [
            (PRIYA.id, 1, "step_up")
        ]
        assert call.userdata.actions[-1] == "Account locked for security"
        assert await call.query("select id, kind, description from security_cases") == [
            ("SEC-820001", "account_lock", "Card stolen")
        ]
        # Every account tool now refuses, here and after a transfer.
        assert (await refused(call, llm, "Check my charges", "verify_transaction")).startswith(LOCKED)
        r = await turn(
            call,
            llm,
            "Where's my skillet?",
            Reply.transfer("order_tracking", "Caller asks where the skillet is"),
            Reply.say("Order tracking here."),
        )
        assert handoffs(r) == ["order_tracking"]
        assert (await refused(call, llm, "Where's my skillet?", "list_orders")).startswith(LOCKED)
        out = await refused(call, llm, "Track ORD-100301", "track_order", order_number="ORD-100301")
        assert out.startswith(LOCKED)


async def test_a_locked_account_stays_locked_in_a_new_call_after_verification(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        await propose(call, llm, "Lock it", "lock_account", reason="Someone else signed in")
        await code_turn(call, llm, "6 6 0 4")  # Priya's SSN
        assert call.userdata.account_locked
    # A new call on the same database: Priya verifies again; the lock holds.
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await code_turn(call, llm, "Hi, this is Priya, where is my skillet order?")
        await code_turn(call, llm, "two oh six, five five five, zero one one two")
        await code_turn(call, llm, "yes")
        await code_turn(call, llm, "July 28th, 1992")
        await code_turn(call, llm, "SSN six six zero four")
        assert ctx.verification.verified and ctx.verification.step is AuthStep.ADDRESS
        assert ctx.account_locked
        await code_turn(call, llm, "yes, that's right")
        # Code says so and hands the caller to a person instead of routing them to order tracking.
        r = await turn(call, llm, "no thanks", Reply.say("Hello, a colleague here."))
        assert handoffs(r) == ["human"]
        assert "Your account is locked for security" in spoken(r)[0]
        assert ctx.verified_customer() is None
        assert ctx.transfers[-1].reason == "The account is locked for security"


@pytest.mark.parametrize(
    ("digits", "why"),
    [("1 2 3 4", "wrong"), ("four eight two one", "Ava's SSN"), ("7 7 0 2", "Ava's card")],
)
async def test_lock_with_wrong_digits_changes_nothing_and_is_audited(db_url: str, digits: str, why: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        before = await account(call)
        await propose(call, llm, "Lock my account", "lock_account", reason="Card stolen")
        r = await code_turn(call, llm, digits)
        assert spoken(r) == [MISMATCH], why
        assert not call.userdata.account_locked and call.userdata.pending is None
        assert await account(call) == before
        assert await call.query("select customer_id, succeeded, factor from auth_attempts") == [
            (PRIYA.id, 0, "step_up")
        ]
        assert await call.query("select failed_auth_attempts from customers where id = :c", c=PRIYA.id) == [(1,)]
        # A later right answer confirms nothing: the lock was voided.
        await turn(call, llm, "9 0 2 1", Reply.say("Is there anything else?"))
        assert await account(call) == before


async def test_a_yes_is_not_the_digits_and_no_cancels(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        before = await account(call)
        await propose(call, llm, "Lock my account", "lock_account", reason="Card stolen")
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == [f"Sorry, I need the four digits to go ahead. {LOCK_READ_BACK}"]
        r = await turn(call, llm, "yes, go ahead", Reply.say("I can't lock it without those digits."))
        assert call.userdata.pending is None and not call.userdata.account_locked
        await propose(call, llm, "Lock it", "lock_account", reason="Card stolen")
        r = await code_turn(call, llm, "no")
        assert spoken(r) == ["Okay, I haven't changed anything. What would you like to do instead?"]
        assert await account(call) == before
        assert await call.query("select count(*) from auth_attempts") == [(0,)]


async def test_reset_password_with_the_digits_sends_a_link_to_the_masked_email(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        lines = await propose(call, llm, "I forgot my password", "reset_password")
        assert lines == [RESET_READ_BACK]
        assert await call.query("select count(*) from password_resets") == [(0,)]
        r = await code_turn(call, llm, "card, 9021")
        assert spoken(r) == ["Sent. The link is on its way to p***@example.com and expires in 30 minutes."]
        assert await call.query("select customer_id, sent_to, expires_at from password_resets") == [
            (PRIYA.id, PRIYA.email, "2026-11-18 15:30:00.000000")
        ]
        everything = " ".join(i.text_content or "" for i in call.session.history.items if i.type == "message")
        assert PRIYA.email not in everything and PRIYA.email not in llm.requests[-1].all_text()
        # A second link while the first is valid: refused before any read-back.
        out = await refused(call, llm, "Send it again", "reset_password")
        assert out.startswith("A password reset link was already sent to p***@example.com and is valid until 15:30")


async def test_reset_password_with_wrong_digits_sends_nothing(db_url: str) -> None:
    llm, desk = at_desk("security", MARCUS)
    async with desk(db_url) as call:
        await propose(call, llm, "Reset my password", "reset_password")
        r = await code_turn(call, llm, "6 6 0 4")  # Priya's SSN, not Marcus's
        assert spoken(r) == [MISMATCH]
        assert await call.query("select count(*) from password_resets") == [(0,)]
        assert await call.query("select succeeded, factor from auth_attempts") == [(0, "step_up")]


async def test_lock_refused_when_already_locked_and_bad_reason(db_url: str) -> None:
    llm, desk = at_desk("security")
    async with desk(db_url) as call:
        assert await refused(call, llm, "Lock it", "lock_account", reason="") == (
            "The reason is empty. Ask the caller for it."
        )
        await call.services.account_security.lock_account(PRIYA.id, "locked by a colleague")
        out = await refused(call, llm, "Lock it", "lock_account", reason="stolen card")
        assert out == "The account is already locked (since November 18); only a person can unlock it."


# --- the security journey ------------------------------------------------------------------------------------------


async def test_journey_priya_verifies_reports_fraud_and_locks_her_account(db_url: str) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        ctx = call.userdata
        await code_turn(call, llm, "Hi, I'm Priya and I want to report a suspicious charge on my card")
        await code_turn(call, llm, "2 0 6 5 5 5 0 1 1 2")
        await code_turn(call, llm, "yes")
        await code_turn(call, llm, "July 28, 1992")
        await code_turn(call, llm, "my card, 9 0 2 1")
        await code_turn(call, llm, "Yes it is")
        r = await turn(call, llm, "No thanks", Reply.say("Hi Priya, security desk here. Let's look at that charge."))
        assert handoffs(r) == ["security"] and ctx.current_agent == "security"

        out = await read(call, llm, "There's a charge I don't know", "verify_transaction")
        assert out.startswith("5 charges in the last 30 days, 3 marked unusual.")
        await propose(
            call,
            llm,
            "The Lagos one and the two small ones aren't mine",
            "report_fraud",
            charges="the one from Lagos and the two small test charges",
            description="Never been to Lagos or Bucharest",
        )
        r = await code_turn(call, llm, "yes")
        assert spoken(r)[0].startswith("Case SEC-820001 is open and 3 charges")
        await propose(call, llm, "Please lock my account too", "lock_account", reason="Card details stolen")
        r = await code_turn(call, llm, "six six zero four")
        assert spoken(r) == [LOCKED_LINE]

        assert await call.query("select id, customer_id, kind, charge_ids, status from security_cases order by id") == [
            ("SEC-820001", PRIYA.id, "fraud", '["CHG-810008", "CHG-810010", "CHG-810009"]', "open"),
            ("SEC-820002", PRIYA.id, "account_lock", "[]", "open"),
        ]
        assert await call.query("select id, status from charges where customer_id = :c order by id", c=PRIYA.id) == [
            ("CHG-810006", "posted"),
            ("CHG-810007", "posted"),
            ("CHG-810008", "disputed"),
            ("CHG-810009", "disputed"),
            ("CHG-810010", "disputed"),
        ]
        assert await call.query(
            "select id, security_lock_reason from customers where security_locked_at is not null"
        ) == [(PRIYA.id, "Card details stolen")]
        assert await call.query("select succeeded, factor from auth_attempts order by id") == [
            (1, "card"),
            (1, "step_up"),
        ]
        assert ctx.actions[-2:] == [
            "Fraud case SEC-820001 opened; disputed CHG-810008, CHG-810010, CHG-810009 ($491.49)",
            "Account locked for security",
        ]
        assert llm.unscripted == 0


# --- personalization ---------------------------------------------------------------------------------------------


async def test_recommendations_are_presented_so_the_second_one_resolves(db_url: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        out = await read(call, llm, "What would you recommend for me?", "get_recommendations")
        assert out.startswith("Recommended for the caller: ")
        skus = re.findall(r"\((FSH-\d{4})\)", out)
        assert len(skus) == 3 and "FSH-2001" not in skus, out  # fashion, and not the jacket she bought
        assert "fashion is their favourite category" in out and "in their size M" in out
        assert list(call.userdata.products_in_view)[-3:] == skus
        r = await turn(
            call,
            llm,
            "Tell me about the second one",
            Reply.call("track_behavior", kind="viewed", product="the second one"),
            Reply.say("Good choice."),
        )
        assert tool_outputs(r) == [("track_behavior", "Noted.", False)]
        assert spoken(r) == ["Good choice."], "noting is silent: no read-back, no question"
        assert await call.query("select customer_id, call_id, kind, sku, query from behavior_events") == [
            (AVA.id, call.userdata.call_id, "viewed", skus[1], "")
        ]


@pytest.mark.parametrize(
    ("category", "says"),
    [
        ("cars", "That is not a valid category: it must be one of books, electronics, fashion or home."),
        ("x" * 100, "The category is too long"),
    ],
)
async def test_recommendations_bad_category(db_url: str, category: str, says: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        out = await refused(call, llm, "Recommend something", "get_recommendations", category=category)
        assert out.startswith(says), out


async def test_recommendations_respect_a_budget_and_category(db_url: str) -> None:
    llm, desk = at_desk("personalization", MARCUS)
    async with desk(db_url) as call:
        out = await read(call, llm, "Any gadgets for me?", "get_recommendations", category="electronics")
        prices = [int(d.replace(",", "")) * 100 + int(c) for d, c in re.findall(r"\$([\d,]+)\.(\d\d)", out)]
        assert len(prices) == 3 and max(prices) <= 30000, out
        out = await read(call, llm, "Any books?", "get_recommendations", category="books")
        assert re.findall(r"\((BOK-\d{4})\)", out), out


async def test_personalization_tools_refuse_a_caller_who_is_not_verified(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Personalization desk.")])
    async with offline_call(llm=llm, start_agent="personalization", database_url=db_url) as call:
        before = await account(call)
        for tool, args in [
            ("get_recommendations", {}),
            ("get_preferences", {}),
            ("suggest_products", {"occasion_or_need": "a gift"}),
            ("update_preferences", {"key": "clothing_size", "value": "M"}),
            ("track_behavior", {"kind": "asked", "query": "boots"}),
        ]:
            assert (await refused(call, llm, "Help me", tool, **args)).startswith(NOT_VERIFIED)
        assert await account(call) == before


async def test_update_preferences_saves_replaces_and_removes_after_a_yes(db_url: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        lines = await propose(
            call, llm, "I'm a nine and a half in shoes", "update_preferences", key="shoe_size", value="nine and a half"
        )
        assert lines == ["I'll save your shoe size 9.5. Shall I go ahead?"]
        assert await call.query("select value from preferences where key = 'shoe_size'") == []
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Saved: shoe size 9.5. Recommendations will use it from now on."]
        lines = await propose(
            call, llm, "Actually I wear a large now", "update_preferences", key="clothing_size", value="large"
        )
        assert lines == ["I'll save your clothing size L (it was clothing size M). Shall I go ahead?"]
        await code_turn(call, llm, "yes please")
        lines = await propose(call, llm, "Forget the colour", "update_preferences", key="colour", value="none")
        assert lines == ["I'll remove your saved colour. Shall I go ahead?"]
        r = await code_turn(call, llm, "yes")
        assert spoken(r) == ["Done, your colour is no longer saved."]
        assert await call.query("select key, value from preferences where customer_id = :c order by key", c=AVA.id) == [
            ("clothing_size", "L"),
            ("favourite_category", "fashion"),
            ("shoe_size", "9.5"),
        ]
        assert call.userdata.actions[-3:] == [
            "Preference saved: shoe size 9.5",
            "Preference saved: clothing size L",
            "Preference colour removed",
        ]
        out = await read(call, llm, "What have you got saved?", "get_preferences")
        assert out == "Saved preferences: favourite category fashion; clothing size L; shoe size 9.5."


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"key": "clothing_size", "value": "gigantic"}, "That is not a valid clothing size: it must be one of XS"),
        ({"key": "budget_max", "value": "a lot"}, "That is not a valid budget max: it must be an amount in dollars"),
        ({"key": "shoe_size", "value": "42"}, "That is not a valid shoe size: it must be a US shoe size"),
        ({"key": "preferred_brand", "value": "Zzyzx Qwerty"}, "That is not a valid preferred brand"),
        ({"key": "clothing_size", "value": ""}, "The value is empty."),
        ({"key": "clothing_size", "value": "M"}, "Already saved: clothing size M. Nothing to change."),
        ({"key": "shoe_size", "value": "none"}, "The caller has no saved shoe size; nothing to remove."),
    ],
)
async def test_update_preferences_refusals_propose_nothing(db_url: str, args: dict[str, str], says: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        before = await account(call)
        r = await turn(call, llm, "Save that", Reply.call("update_preferences", **args), Reply.say("Okay."))
        ((_, output, _),) = tool_outputs(r)
        assert output.startswith(says), output
        assert call.userdata.pending is None and not any("Shall I go ahead" in s for s in spoken(r))
        await turn(call, llm, "yes", Reply.say("Anything else?"))
        assert await account(call) == before


async def test_update_preferences_unknown_key_and_no(db_url: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        before = await account(call)
        r = await turn(
            call, llm, "Save my password", Reply.call("update_preferences", key="password", value="x"), Reply.say("No.")
        )
        assert tool_outputs(r)[0][2], "an unknown key is refused by the tool's schema"
        await propose(call, llm, "Budget 150", "update_preferences", key="budget_max", value="150 dollars")
        assert call.userdata.pending is not None and call.userdata.pending.read_back == (
            "I'll save your budget up to $150.00. Shall I go ahead?"
        )
        await code_turn(call, llm, "no")
        assert await account(call) == before


async def test_suggest_products_for_a_need(db_url: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        out = await read(
            call, llm, "I need something for a rainy hike", "suggest_products", occasion_or_need="rainy hike"
        )
        assert out.startswith("Suggestions for 'rainy hike': ") and out.count("fits the need: rain jacket") == 3, out
        assert "FSH-2001" not in out
        assert list(call.userdata.products_in_view)[-3:] == re.findall(r"\((FSH-\d{4})\)", out)
        out = await read(call, llm, "Something zebra quartz?", "suggest_products", occasion_or_need="xylophone zebra")
        assert out.startswith("Nothing in the catalogue fits 'xylophone zebra'.")
        assert (await refused(call, llm, "Suggest", "suggest_products", occasion_or_need=" ")).startswith(
            "The occasion or need is empty."
        )


async def test_track_behavior_is_capped_and_needs_something_to_note(db_url: str) -> None:
    llm, desk = at_desk("personalization", AVA)
    async with desk(db_url) as call:
        out = await refused(call, llm, "Hmm", "track_behavior", kind="viewed")
        assert out == "Give the product the caller looked at, or what they asked about."
        await refused(call, llm, "The purple unicorn", "track_behavior", kind="viewed", product="zqxj vwpk")
        assert await call.query("select count(*) from behavior_events") == [(0,)]
        await call.services.personalization.track(AVA.id, call.userdata.call_id, kind="asked", query="x")
        for n in range(19):
            await call.services.personalization.track(AVA.id, call.userdata.call_id, kind="asked", query=f"q{n}")
        out = await refused(call, llm, "And boots?", "track_behavior", kind="asked", query="boots")
        assert out.startswith("This call already noted 20 products or questions")
        assert await call.query("select count(*) from behavior_events") == [(20,)]


# --- the personalization journey ------------------------------------------------------------------------------------


async def test_journey_ava_from_fashion_to_personalization_saves_a_size_and_gets_suggestions(db_url: str) -> None:
    llm, desk = at_desk("fashion", AVA, greeting="Fashion desk, hi Ava.")
    async with desk(db_url) as call:
        r = await turn(
            call,
            llm,
            "Can you recommend things for me based on what I like?",
            Reply.transfer("personalization", "Caller wants recommendations from her preferences"),
            Reply.say("Hi Ava, I can recommend things for you."),
        )
        assert handoffs(r) == ["personalization"]
        out = await read(call, llm, "Go on then", "get_recommendations")
        first = re.findall(r"\((FSH-\d{4})\)", out)[0]
        await turn(
            call,
            llm,
            "Ooh, the first one sounds nice",
            Reply.call("track_behavior", kind="viewed", product="the first one"),
            Reply.say("It's a lovely piece."),
        )
        await propose(call, llm, "By the way I'm a size 8 in shoes", "update_preferences", key="shoe_size", value="8")
        await code_turn(call, llm, "yes")
        out = await read(
            call, llm, "And something for a rainy hike?", "suggest_products", occasion_or_need="a rainy hike"
        )
        assert "rain jacket" in out
        await turn(
            call,
            llm,
            "I'd like to buy one",
            Reply.transfer("sales", "Caller wants to buy a rain jacket"),
            Reply.say("Sales here."),
        )

        assert await call.query("select key, value from preferences where customer_id = :c order by key", c=AVA.id) == [
            ("clothing_size", "M"),
            ("colour", "navy"),
            ("favourite_category", "fashion"),
            ("shoe_size", "8"),
        ]
        assert await call.query("select customer_id, kind, sku from behavior_events") == [(AVA.id, "viewed", first)]
        assert [(t.from_agent, t.to_agent) for t in call.userdata.transfers] == [
            ("fashion", "personalization"),
            ("personalization", "sales"),
        ]
        assert call.userdata.actions[-1] == "Preference saved: shoe size 8"
        assert llm.unscripted == 0
