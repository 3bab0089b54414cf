"""Bad input to every tool, through the real AgentSession: the model gets an error it can act on, and
nothing is written.

Each case starts an offline call (real ``AgentSession``, scripted model, this test's seeded SQLite
file, clock frozen on Wednesday 2026-11-18 15:00), optionally walks the real tools to the step the
case needs, snapshots every writable row, makes the scripted model call the tool with bad
arguments, and checks the ``function_call_output`` the model sees and that no row changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from livekit.agents import RunResult
from livekit.agents.llm import FunctionCallOutput, FunctionTool

from call.context import AuthStep
from services.demo_data import AVA, MARCUS
from tools.auth import AUTH_TOOLS
from tools.catalog import catalog_search_tool
from tools.escalation import create_escalation_ticket
from tools.orders import ORDER_TOOLS
from tools.returns import RETURN_TOOLS
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

pytestmark = pytest.mark.unit

Args = dict[str, Any]
Step = tuple[str, Args]
Snapshot = Callable[..., Awaitable[dict[str, list[tuple[Any, ...]]]]]
Arrange = Callable[[OfflineCall], Awaitable[None]]
Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]

HUGE = "x" * 10_000
SQL = "'; drop table orders;--"
NOT_VERIFIED = "The caller is not verified yet. Do not share account details; transfer to authentication."

# The authentication flow, step by step, through the real tools.
TO_PHONE: tuple[Step, ...] = (("record_first_name", {"first_name": "Ava"}),)
TO_PHONE_CONFIRM = (*TO_PHONE, ("record_phone_number", {"phone_number": "415 555 0134"}))
TO_DATE_OF_BIRTH = (*TO_PHONE_CONFIRM, ("confirm_phone_number", {"caller_says_correct": True}))
TO_LAST_FOUR = (*TO_DATE_OF_BIRTH, ("record_date_of_birth", {"date_of_birth": "1988-04-12"}))
TO_ADDRESS = (*TO_LAST_FOUR, ("authenticate_user", {"last_four": "4821", "digits_type": "ssn"}))
TO_DISCLOSURE = (*TO_ADDRESS, ("save_address", {"address_is_current": True}))
TO_OFFER_RESPONSE = (*TO_DISCLOSURE, ("read_disclosure", {}))


async def ava_has_a_return(call: OfflineCall) -> None:
    """Ava's jacket return RET-500001 (initiated, no pickup yet)."""
    await call.services.returns.initiate_return(AVA.id, "ORD-100101", sku=None, condition="unused", reason="Too small")


async def marcus_has_a_return(call: OfflineCall) -> None:
    """Marcus's monitor return RET-500001: not Ava's."""
    await call.services.returns.initiate_return(MARCUS.id, "ORD-100201", sku=None, condition="opened", reason="Too big")


@dataclass(frozen=True)
class BadCall:
    """One bad tool call and the sentence the model must get back."""

    agent: str
    tool: str
    args: Args
    says: str
    """A fragment of the error output the model sees."""
    verified: bool = True
    """Start the call with Ava already verified."""
    before: tuple[Step, ...] = ()
    """Tool calls (each must succeed) that bring the call to the step this case needs."""
    arrange: Arrange | None = None
    """Rows to create through the services before the call."""


@asynccontextmanager
async def call_for(case: BadCall, db_url: str) -> AsyncIterator[tuple[OfflineCall, ScriptedLLM]]:
    model = ScriptedLLM([Reply.say("Hello, how can I help?")])  # consumed by the agent's greeting
    async with offline_call(
        llm=model, start_agent=case.agent, verified_as=AVA if case.verified else None, database_url=db_url
    ) as call:
        if case.arrange is not None:
            await case.arrange(call)
        for name, args in case.before:
            output = await tool_output_of(call, model, name, args)
            assert not output.is_error, f"setup step {name} failed: {output.output}"
        yield call, model


def says(args: Args) -> str:
    """A caller turn that says every argument value (identity tools accept only values the caller said)."""
    return "Please go ahead: " + " ".join(str(v) for v in args.values())


async def tool_output_of(call: OfflineCall, model: ScriptedLLM, name: str, args: Args) -> FunctionCallOutput:
    """Let the model call ``name`` once and return the output it got (any event layout)."""
    model.push(Reply.call(name, **args), Reply.say("Okay."))
    result: RunResult[None] = await call.session.run(user_input=says(args))
    outputs = [ev.item for ev in result.events if ev.type == "function_call_output" and ev.item.name == name]
    assert len(outputs) == 1, result.events
    return outputs[0]


async def bad_call(
    call: OfflineCall, model: ScriptedLLM, name: str, args: Args, user_input: str | None = None
) -> FunctionCallOutput:
    """The model calls ``name`` with ``args``; assert the exact turn: call, error output, spoken reply."""
    model.push(Reply.call(name, **args), Reply.say("Sorry, let me check that."))
    result: RunResult[None] = await call.session.run(user_input=user_input if user_input is not None else says(args))
    result.expect.next_event().is_function_call(name=name)
    output = result.expect.next_event().is_function_call_output(is_error=True).event().item
    result.expect.next_event().is_message(role="assistant")
    result.expect.no_more_events()
    return output


def case(case_id: str, agent: str, tool: str, args: Args, says: str, **kw: Any) -> Any:
    return pytest.param(BadCall(agent, tool, args, says, **kw), id=case_id)


def parse_error(field: str) -> str:
    """What the framework tells the model when an argument does not fit the tool's schema: the pydantic
    report, which names the argument on its own line, then what was wrong with it."""
    return f"\n{field}\n  "


AUTH = "authentication"
ORDERS = "order_tracking"
RETURNS = "returns"

# fmt: off
AUTH_CASES = [
    # record_first_name
    case("first-name-empty", AUTH, "record_first_name", {"first_name": ""}, "does not sound like a first name",
         verified=False),
    case("first-name-digits", AUTH, "record_first_name", {"first_name": "R2D2"}, "does not sound like a first name",
         verified=False),
    case("first-name-sql", AUTH, "record_first_name", {"first_name": SQL}, "does not sound like a first name",
         verified=False),
    case("first-name-huge", AUTH, "record_first_name", {"first_name": HUGE}, "does not sound like a first name",
         verified=False),
    case("first-name-missing", AUTH, "record_first_name", {}, parse_error("first_name"), verified=False),
    case("first-name-already-verified", AUTH, "record_first_name", {"first_name": "Eve"},
         "already verified; do not collect identity details again"),
    # record_phone_number
    case("phone-too-short", AUTH, "record_phone_number", {"phone_number": "12"}, "has 10 digits; I got 2",
         verified=False, before=TO_PHONE),
    case("phone-letters", AUTH, "record_phone_number", {"phone_number": "555-CALL-NOW"},
         "That is not a phone number", verified=False, before=TO_PHONE),
    case("phone-200-digits", AUTH, "record_phone_number", {"phone_number": "4" * 200}, "That is not a phone number",
         verified=False, before=TO_PHONE),
    case("phone-before-first-name", AUTH, "record_phone_number", {"phone_number": "4155550134"},
         "Not now: the current verification step is first name", verified=False),
    # confirm_phone_number
    case("confirm-before-phone", AUTH, "confirm_phone_number", {"caller_says_correct": True},
         "Not now: the current verification step is phone", verified=False, before=TO_PHONE),
    case("confirm-not-a-bool", AUTH, "confirm_phone_number", {"caller_says_correct": "maybe"},
         parse_error("caller_says_correct"), verified=False, before=TO_PHONE_CONFIRM),
    # record_date_of_birth
    case("dob-us-format", AUTH, "record_date_of_birth", {"date_of_birth": "12/04/1988"}, "Use YYYY-MM-DD",
         verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-impossible", AUTH, "record_date_of_birth", {"date_of_birth": "1988-13-45"}, "Use YYYY-MM-DD",
         verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-empty", AUTH, "record_date_of_birth", {"date_of_birth": ""}, "Use YYYY-MM-DD",
         verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-future", AUTH, "record_date_of_birth", {"date_of_birth": "2027-01-01"},
         "That date of birth is not plausible", verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-too-young", AUTH, "record_date_of_birth", {"date_of_birth": "2020-05-05"},
         "That date of birth is not plausible", verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-too-old", AUTH, "record_date_of_birth", {"date_of_birth": "1890-01-01"},
         "That date of birth is not plausible", verified=False, before=TO_DATE_OF_BIRTH),
    case("dob-before-phone-confirmed", AUTH, "record_date_of_birth", {"date_of_birth": "1988-04-12"},
         "Not now: the current verification step is phone confirm", verified=False, before=TO_PHONE_CONFIRM),
    # authenticate_user
    case("auth-before-date-of-birth", AUTH, "authenticate_user", {"last_four": "4821", "digits_type": "ssn"},
         "Not now: the current verification step is date of birth; ask for the date of birth", verified=False,
         before=TO_DATE_OF_BIRTH),
    case("auth-three-digits", AUTH, "authenticate_user", {"last_four": "482", "digits_type": "ssn"},
         "exactly four digits", verified=False, before=TO_LAST_FOUR),
    case("auth-five-digits", AUTH, "authenticate_user", {"last_four": "48211", "digits_type": "ssn"},
         "exactly four digits", verified=False, before=TO_LAST_FOUR),
    case("auth-letters", AUTH, "authenticate_user", {"last_four": "48a1", "digits_type": "card"},
         "exactly four digits", verified=False, before=TO_LAST_FOUR),
    case("auth-huge", AUTH, "authenticate_user", {"last_four": HUGE, "digits_type": "ssn"},
         "exactly four digits", verified=False, before=TO_LAST_FOUR),
    case("auth-wrong-kind", AUTH, "authenticate_user", {"last_four": "4821", "digits_type": "passport"},
         parse_error("digits_type"), verified=False, before=TO_LAST_FOUR),
    # save_address
    case("address-before-verification", AUTH, "save_address",
         {"address_is_current": False, "street": "1 Main St", "city": "Reno", "state": "NV", "zip_code": "89501"},
         "Not now: the current verification step is first name", verified=False),
    case("address-zip-four-digits", AUTH, "save_address",
         {"address_is_current": False, "street": "1 Main St", "city": "Reno", "state": "NV", "zip_code": "8950"},
         "The ZIP code must be five digits", verified=False, before=TO_ADDRESS),
    case("address-zip-letters", AUTH, "save_address",
         {"address_is_current": False, "street": "1 Main St", "city": "Reno", "state": "NV", "zip_code": "ABCDE"},
         "The ZIP code must be five digits", verified=False, before=TO_ADDRESS),
    case("address-empty-street", AUTH, "save_address",
         {"address_is_current": False, "street": "", "city": "Reno", "state": "NV", "zip_code": "89501"},
         "The street is empty", verified=False, before=TO_ADDRESS),
    case("address-huge-city", AUTH, "save_address",
         {"address_is_current": False, "street": "1 Main St", "city": HUGE, "state": "NV", "zip_code": "89501"},
         "The city is too long", verified=False, before=TO_ADDRESS),
    case("address-state-spelled-out", AUTH, "save_address",
         {"address_is_current": False, "street": "1 Main St", "city": "Reno", "state": "Nevada", "zip_code": "89501"},
         "Use the two-letter state code", verified=False, before=TO_ADDRESS),
    # read_disclosure
    case("disclosure-before-verification", AUTH, "read_disclosure", {},
         "Not now: the current verification step is first name", verified=False),
    case("disclosure-before-address", AUTH, "read_disclosure", {},
         "Not now: the current verification step is address; confirm the address on file", verified=False,
         before=TO_ADDRESS),
    case("disclosure-after-done", AUTH, "read_disclosure", {}, "Not now: the current verification step is done"),
    # log_offer_response
    case("offer-before-disclosure", AUTH, "log_offer_response", {"response": "ACCEPTED"},
         "Not now: the current verification step is disclosure; call read_disclosure", verified=False,
         before=TO_DISCLOSURE),
    case("offer-before-verification", AUTH, "log_offer_response", {"response": "DECLINED"},
         "Not now: the current verification step is first name", verified=False),
    case("offer-unknown-answer", AUTH, "log_offer_response", {"response": "MAYBE"}, parse_error("response"),
         verified=False, before=TO_OFFER_RESPONSE),
    case("offer-lowercase-answer", AUTH, "log_offer_response", {"response": "accepted"}, parse_error("response"),
         verified=False, before=TO_OFFER_RESPONSE),
]

ORDER_CASES = [
    case("list-unverified", ORDERS, "list_orders", {}, NOT_VERIFIED, verified=False),
    case("track-unverified", ORDERS, "track_order", {"order_number": "ORD-100101"}, NOT_VERIFIED, verified=False),
    case("track-short-id", ORDERS, "track_order", {"order_number": "ORD-12"}, "'ORD-12' is not an order number"),
    case("track-sql", ORDERS, "track_order", {"order_number": SQL}, "is not an order number"),
    case("track-huge-id", ORDERS, "track_order", {"order_number": "x" * 5000}, "is not an order number"),
    case("track-other-customer", ORDERS, "track_order", {"order_number": "ORD-100201"},
         "There is no order ORD-100201 on this caller's account."),
    case("track-nonexistent", ORDERS, "track_order", {"order_number": "ORD-999999"},
         "There is no order ORD-999999 on this caller's account."),
    case("updates-unverified", ORDERS, "get_shipping_updates", {"order_number": "ORD-100102"}, NOT_VERIFIED,
         verified=False),
    case("updates-bad-id", ORDERS, "get_shipping_updates", {"order_number": "x"}, "is not an order number"),
    case("updates-other-customer", ORDERS, "get_shipping_updates", {"order_number": "ORD-100201"},
         "There is no order ORD-100201 on this caller's account."),
    case("modify-unverified", ORDERS, "modify_delivery", {"order_number": "ORD-100102", "instructions": "Porch"},
         NOT_VERIFIED, verified=False),
    case("modify-bad-id", ORDERS, "modify_delivery", {"order_number": SQL, "new_date": "2026-11-25"},
         "is not an order number"),
    case("modify-us-date", ORDERS, "modify_delivery", {"order_number": "ORD-100102", "new_date": "11/25/2026"},
         "The delivery date '11/25/2026' is not valid. Use YYYY-MM-DD"),
    case("modify-impossible-date", ORDERS, "modify_delivery",
         {"order_number": "ORD-100102", "new_date": "2026-13-45"}, "Use YYYY-MM-DD"),
    case("modify-huge-instructions", ORDERS, "modify_delivery",
         {"order_number": "ORD-100102", "instructions": HUGE}, "The instructions is too long"),
    case("modify-other-customer", ORDERS, "modify_delivery",
         {"order_number": "ORD-100202", "new_date": "2026-11-26"},
         "There is no order ORD-100202 on this caller's account."),
    case("report-unverified", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100101", "issue": "damaged", "description": "Dented"}, NOT_VERIFIED, verified=False),
    case("report-bad-id", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-12", "issue": "damaged", "description": "Dented"}, "is not an order number"),
    case("report-unknown-issue", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100101", "issue": "lost", "description": "Gone"}, parse_error("issue")),
    case("report-empty-description", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100101", "issue": "damaged", "description": ""}, "The description is empty"),
    case("report-huge-description", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100101", "issue": "damaged", "description": HUGE}, "The description is too long"),
    case("report-missing-undelivered", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100102", "issue": "missing", "description": "Not here"},
         "ORD-100102 has not been delivered yet, so it cannot be reported missing"),
    case("report-late-not-yet", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100102", "issue": "late", "description": "Slow"},
         "ORD-100102 is not late: it is expected by November 20"),
    case("report-late-delivered", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100101", "issue": "late", "description": "Slow"}, "was already delivered"),
    case("report-other-customer", ORDERS, "report_delivery_issue",
         {"order_number": "ORD-100201", "issue": "damaged", "description": "Cracked screen"},
         "There is no order ORD-100201 on this caller's account."),
]

RETURN_CASES = [
    case("eligibility-unverified", RETURNS, "check_return_eligibility",
         {"order_number": "ORD-100101", "condition": "unused"}, NOT_VERIFIED, verified=False),
    case("eligibility-bad-id", RETURNS, "check_return_eligibility", {"order_number": "ORD-12", "condition": "unused"},
         "is not an order number"),
    case("eligibility-unknown-condition", RETURNS, "check_return_eligibility",
         {"order_number": "ORD-100101", "condition": "brand_new"}, parse_error("condition")),
    case("eligibility-missing-condition", RETURNS, "check_return_eligibility", {"order_number": "ORD-100101"},
         parse_error("condition")),
    case("eligibility-unknown-sku", RETURNS, "check_return_eligibility",
         {"order_number": "ORD-100101", "condition": "unused", "sku": "FSH-9999"},
         "Order ORD-100101 has no item FSH-9999. Items: FSH-2001 Alpine rain jacket"),
    case("eligibility-other-customer", RETURNS, "check_return_eligibility",
         {"order_number": "ORD-100201", "condition": "opened"},
         "There is no order ORD-100201 on this caller's account."),
    case("initiate-unverified", RETURNS, "initiate_return",
         {"order_number": "ORD-100101", "condition": "unused", "reason": "Too small"}, NOT_VERIFIED, verified=False),
    case("initiate-empty-reason", RETURNS, "initiate_return",
         {"order_number": "ORD-100101", "condition": "unused", "reason": ""}, "The reason is empty"),
    case("initiate-huge-reason", RETURNS, "initiate_return",
         {"order_number": "ORD-100101", "condition": "unused", "reason": HUGE}, "The reason is too long"),
    case("initiate-unknown-condition", RETURNS, "initiate_return",
         {"order_number": "ORD-100101", "condition": "like_new", "reason": "Too small"}, parse_error("condition")),
    case("initiate-huge-id", RETURNS, "initiate_return",
         {"order_number": "x" * 5000, "condition": "unused", "reason": "Too small"}, "is not an order number"),
    case("initiate-other-customer", RETURNS, "initiate_return",
         {"order_number": "ORD-100201", "condition": "opened", "reason": "Too big"},
         "There is no order ORD-100201 on this caller's account."),
    case("pickup-unverified", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-11-19", "window": "morning"}, NOT_VERIFIED, verified=False,
         arrange=ava_has_a_return),
    case("pickup-bad-id", RETURNS, "schedule_pickup",
         {"return_number": "RET-1", "date": "2026-11-19", "window": "morning"}, "is not a return number"),
    case("pickup-spoken-date", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "tomorrow", "window": "morning"},
         "The pickup date 'tomorrow' is not valid", arrange=ava_has_a_return),
    case("pickup-unknown-window", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-11-19", "window": "night"}, parse_error("window"),
         arrange=ava_has_a_return),
    case("pickup-unknown-return", RETURNS, "schedule_pickup",
         {"return_number": "RET-599999", "date": "2026-11-19", "window": "morning"},
         "There is no return RET-599999 on this caller's account."),
    case("pickup-other-customers-return", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-11-19", "window": "morning"},
         "There is no return RET-500001 on this caller's account.", arrange=marcus_has_a_return),
    case("refund-unverified", RETURNS, "process_refund", {"return_number": "RET-500001", "method": "store_credit"},
         NOT_VERIFIED, verified=False, arrange=ava_has_a_return),
    case("refund-unknown-method", RETURNS, "process_refund", {"return_number": "RET-500001", "method": "cash"},
         parse_error("method"), arrange=ava_has_a_return),
    case("refund-sql-id", RETURNS, "process_refund", {"return_number": SQL, "method": "store_credit"},
         "is not a return number"),
    case("refund-other-customers-return", RETURNS, "process_refund",
         {"return_number": "RET-500001", "method": "original_payment"},
         "There is no return RET-500001 on this caller's account.", arrange=marcus_has_a_return),
    case("status-unverified", RETURNS, "track_return_status", {"return_number": "RET-500001"}, NOT_VERIFIED,
         verified=False, arrange=ava_has_a_return),
    case("status-huge-id", RETURNS, "track_return_status", {"return_number": "x" * 5000},
         "is not a return number"),
    case("status-other-customers-return", RETURNS, "track_return_status", {"return_number": "RET-500001"},
         "There is no return RET-500001 on this caller's account.", arrange=marcus_has_a_return),
]

OTHER_CASES = [
    case("ticket-empty-reason", "human", "create_escalation_ticket", {"reason": ""}, "The reason is empty",
         verified=False),
    case("ticket-blank-reason", "human", "create_escalation_ticket", {"reason": "  \n "}, "The reason is empty",
         verified=False),
    case("ticket-huge-reason", "human", "create_escalation_ticket", {"reason": HUGE},
         "The reason is too long; summarise it in under 500 characters"),
    case("ticket-unknown-priority", "human", "create_escalation_ticket", {"reason": "Refund", "priority": "critical"},
         parse_error("priority")),
    case("catalog-empty-query", "books", "search_catalog", {"query": ""},
         "Say in a few words what product the caller is looking for."),
    case("catalog-huge-query", "books", "search_catalog", {"query": HUGE},
         "Say in a few words what product the caller is looking for."),
    case("catalog-missing-query", "fashion", "search_catalog", {}, parse_error("query")),
]
# fmt: on


def test_every_tool_has_bad_input_cases() -> None:
    tools = [*AUTH_TOOLS, *ORDER_TOOLS, *RETURN_TOOLS, create_escalation_ticket, catalog_search_tool("books")]
    names = {t.info.name for t in tools if isinstance(t, FunctionTool)}
    covered = {p.values[0].tool for p in AUTH_CASES + ORDER_CASES + RETURN_CASES + OTHER_CASES}

    assert len(names) == len(tools) == 20
    assert names - covered == set()


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", AUTH_CASES + ORDER_CASES + RETURN_CASES + OTHER_CASES)
async def test_bad_input_is_an_error_the_model_sees_and_writes_nothing(
    bad: BadCall, db_url: str, db_snapshot: Snapshot
) -> None:
    async with call_for(bad, db_url) as (call, model):
        before = await db_snapshot(call.services)

        output = await bad_call(call, model, bad.tool, bad.args)

        assert bad.says in output.output
        assert len(output.output) < 600, "a huge argument must not be echoed back to the model"
        assert await db_snapshot(call.services) == before


@pytest.mark.asyncio
async def test_a_schema_error_names_the_argument_and_the_allowed_values(db_url: str) -> None:
    model = ScriptedLLM([Reply.say("Hello")])
    async with offline_call(llm=model, start_agent=RETURNS, verified_as=AVA, database_url=db_url) as call:
        output = await bad_call(
            call, model, "check_return_eligibility", {"order_number": "ORD-100101", "condition": "brand_new"}
        )

    assert "condition" in output.output
    assert "'unused', 'opened', 'defective' or 'damaged_by_customer'" in output.output


@pytest.mark.asyncio
async def test_an_unverified_caller_is_not_even_offered_the_order_tools(db_url: str, db_snapshot: Snapshot) -> None:
    model = ScriptedLLM([Reply.say("Hello")])
    async with offline_call(llm=model, start_agent=AUTH, database_url=db_url) as call:
        before = await db_snapshot(call.services)
        model.push(Reply.call("track_order", order_number="ORD-100101"), Reply.say("Let me verify you first."))

        result: RunResult[None] = await call.session.run(user_input="Where is my order ORD-100101?")

        result.expect.contains_function_call_output(is_error=True)
        [output] = [ev.item for ev in result.events if ev.type == "function_call_output"]
        assert "Unknown function: track_order" in output.output
        assert "track_order" not in model.requests[-2].tool_names
        assert await db_snapshot(call.services) == before


@pytest.mark.asyncio
async def test_three_wrong_last_fours_lock_the_call_and_the_account(db_url: str, query: Query) -> None:
    model = ScriptedLLM([Reply.say("Hello")])
    async with offline_call(llm=model, start_agent=AUTH, database_url=db_url) as call:
        for name, args in TO_LAST_FOUR:
            assert not (await tool_output_of(call, model, name, args)).is_error
        for attempt in range(3):
            output = await bad_call(call, model, "authenticate_user", {"last_four": "0000", "digits_type": "ssn"})
            if attempt < 2:
                assert "do not match our records" in output.output
                assert "Do not say which detail was wrong" in output.output
                await tool_output_of(call, model, "record_date_of_birth", {"date_of_birth": "1988-04-12"})
        assert "locked out" in output.output
        assert call.userdata.verification.step is AuthStep.LOCKED_OUT

        # The right digits no longer help, in this call...
        output = await bad_call(call, model, "authenticate_user", {"last_four": "4821", "digits_type": "ssn"})
        assert "identity cannot be verified in this call" in output.output
        assert call.userdata.verification.customer is None
        # ...and the account itself is locked for the next call.
        assert await query(call.services, "select locked_until from customers where id = :id", id=AVA.id) == [
            ("2026-11-18 15:30:00.000000",)
        ]
        assert await query(call.services, "select succeeded from auth_attempts") == [(0,), (0,), (0,)]


@pytest.mark.asyncio
async def test_not_eligible_is_a_verdict_not_an_error_and_opens_nothing(db_url: str, db_snapshot: Snapshot) -> None:
    model = ScriptedLLM([Reply.say("Hello")])
    async with offline_call(llm=model, start_agent=RETURNS, verified_as=AVA, database_url=db_url) as call:
        before = await db_snapshot(call.services)

        output = await tool_output_of(
            call, model, "initiate_return", {"order_number": "ORD-100103", "condition": "unused", "reason": "Unread"}
        )

        assert not output.is_error
        assert output.output.startswith("Not eligible, nothing was opened. The 30-day return window")
        assert await db_snapshot(call.services) == before


# Writes gated on the caller's "yes": the rule is enforced when the write is attempted.

# fmt: off
GATED_RULE_BREAKERS = [
    case("modify-delivered-order", ORDERS, "modify_delivery", {"order_number": "ORD-100101", "new_date": "2026-11-25"},
         "ORD-100101 is delivered; its delivery can no longer be changed"),
    case("modify-past-date", ORDERS, "modify_delivery", {"order_number": "ORD-100102", "new_date": "2026-11-10"},
         "The new delivery date must be after today."),
    case("modify-before-expected", ORDERS, "modify_delivery",
         {"order_number": "ORD-100102", "new_date": "2026-11-19"}, "cannot deliver before the expected date"),
    case("modify-beyond-hold", ORDERS, "modify_delivery", {"order_number": "ORD-100102", "new_date": "2026-12-05"},
         "Delivery can be held at most 14 days after November 20."),
    case("modify-nothing", ORDERS, "modify_delivery", {"order_number": "ORD-100102"}, "Nothing to change"),
    case("pickup-sunday", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-11-22", "window": "morning"},
         "Carriers do not collect on Sundays", arrange=ava_has_a_return),
    case("pickup-today", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-11-18", "window": "afternoon"},
         "Pickups can be booked from tomorrow up to 14 days ahead.", arrange=ava_has_a_return),
    case("pickup-15-days-ahead", RETURNS, "schedule_pickup",
         {"return_number": "RET-500001", "date": "2026-12-03", "window": "evening"},
         "Pickups can be booked from tomorrow up to 14 days ahead.", arrange=ava_has_a_return),
    case("refund-before-pickup", RETURNS, "process_refund", {"return_number": "RET-500001", "method": "store_credit"},
         "needs a pickup booked before the refund can be issued", arrange=ava_has_a_return),
]
# fmt: on


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", GATED_RULE_BREAKERS)
async def test_a_rule_breaking_write_is_refused_even_after_the_callers_yes(
    bad: BadCall, db_url: str, db_snapshot: Snapshot
) -> None:
    async with call_for(bad, db_url) as (call, model):
        before = await db_snapshot(call.services)
        await tool_output_of(call, model, bad.tool, bad.args)  # the read-back, whatever it says

        output = await bad_call(call, model, bad.tool, bad.args, user_input="Yes please.")

        assert bad.says in output.output
        assert call.userdata.pending is None
        assert await db_snapshot(call.services) == before


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", GATED_RULE_BREAKERS)
async def test_a_rule_breaking_write_is_refused_before_it_is_read_back(
    bad: BadCall, db_url: str, db_snapshot: Snapshot
) -> None:
    async with call_for(bad, db_url) as (call, model):
        before = await db_snapshot(call.services)

        output = await bad_call(call, model, bad.tool, bad.args)

        assert bad.says in output.output
        assert "Read this back" not in output.output
        assert call.userdata.pending is None
        assert await db_snapshot(call.services) == before


@pytest.mark.asyncio
async def test_a_refused_record_first_name_records_nothing(db_url: str) -> None:
    bad = BadCall(
        AUTH,
        "record_first_name",
        {"first_name": "Ava", "caller_request": HUGE},
        "The caller request is too long",
        verified=False,
    )
    async with call_for(bad, db_url) as (call, model):
        output = await bad_call(call, model, bad.tool, bad.args)

        assert bad.says in output.output
        assert call.userdata.verification.first_name is None
