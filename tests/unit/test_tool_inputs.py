"""Bad input to every tool, through the real AgentSession: the model gets an error it can act on, and
nothing is written.

Each case starts an offline call (real ``AgentSession``, scripted model, this test's seeded SQLite
file, clock frozen on Wednesday 2026-11-18 15:00), optionally walks the real tools to the step the
case needs, snapshots every writable row, makes the scripted model call the tool with bad
arguments, and checks the ``function_call_output`` the model sees and that no row changed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from livekit.agents.llm import FunctionCallOutput, FunctionTool

from agents.speech_guard import MAX_TOOL_ARGUMENTS_CHARS
from agents.turns import CallerTurn
from call.context import AuthStep
from services.demo_data import AVA, MARCUS
from tools.auth import save_address
from tools.books import search_books
from tools.escalation import create_escalation_ticket
from tools.orders import ORDER_TOOLS
from tools.returns import RETURN_TOOLS
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

pytestmark = pytest.mark.unit

Args = dict[str, Any]
Snapshot = Callable[..., Awaitable[dict[str, list[tuple[Any, ...]]]]]
Arrange = Callable[[OfflineCall], Awaitable[None]]
Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]

HUGE = "x" * 10_000
SQL = "'; drop table orders;--"
NOT_VERIFIED = "The caller has not finished authentication. Do not share account details; transfer to authentication."


async def ava_has_a_return(call: OfflineCall) -> None:
    """Ava's jacket return RET-500001 (initiated, no pickup yet)."""
    await call.services.returns.initiate_return(AVA.id, "ORD-100101", sku=None, condition="unused", reason="Too small")


async def marcus_has_a_return(call: OfflineCall) -> None:
    """Marcus's monitor return RET-500001: not Ava's."""
    await call.services.returns.initiate_return(MARCUS.id, "ORD-100201", sku=None, condition="opened", reason="Too big")


async def new_address_due(call: OfflineCall) -> None:
    """Ava is verified and has said her address changed: code now waits for the new one (the model extracts it)."""
    call.userdata.advance(AuthStep.ADDRESS_NEW)


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
    arrange: Arrange | None = None
    """State or rows to create before the call's first turn."""


@asynccontextmanager
async def call_for(case: BadCall, db_url: str) -> AsyncIterator[tuple[OfflineCall, ScriptedLLM]]:
    # The authentication agent greets by code; every other agent's greeting is one LLM request.
    model = ScriptedLLM([] if case.agent == AUTH else [Reply.say("Hello, how can I help?")])
    async with offline_call(
        llm=model, start_agent=case.agent, verified_as=AVA if case.verified else None, database_url=db_url
    ) as call:
        assert model.pending == 0
        if case.arrange is not None:
            await case.arrange(call)
        yield call, model


def says(args: Args) -> str:
    """A caller turn that says every argument value (model-extracted values must be the caller's words)."""
    return "Please go ahead: " + " ".join(str(v) for v in args.values())


async def tool_output_of(call: OfflineCall, model: ScriptedLLM, name: str, args: Args) -> FunctionCallOutput:
    """Let the model call ``name`` once and return the output it got (a write is then read back by code)."""
    model.push(Reply.call(name, **args))
    result = await call.say(says(args))
    outputs = [i for i in result.items if i.type == "function_call_output" and i.name == name]
    assert len(outputs) == 1, result.items
    return outputs[0]


async def bad_call(
    call: OfflineCall, model: ScriptedLLM, name: str, args: Args, user_input: str | None = None
) -> FunctionCallOutput:
    """The model calls ``name`` with ``args``; assert the exact turn: call, error output, spoken reply."""
    model.push(Reply.call(name, **args), Reply.say("Sorry, let me check that."))
    turn: CallerTurn = await call.say(user_input if user_input is not None else says(args))
    assert model.pending == 0 and turn.run is not None
    result = turn.run
    result.expect.next_event().is_function_call(name=name)
    output = result.expect.next_event().is_function_call_output(is_error=True).event().item
    result.expect.next_event().is_message(role="assistant")
    result.expect.no_more_events()
    assert call.userdata.pending is None, "a refused write is never held for a yes"
    return output


def case(case_id: str, agent: str, tool: str, args: Args, says: str, **kw: Any) -> Any:
    return pytest.param(BadCall(agent, tool, args, says, **kw), id=case_id)


def parse_error(field: str) -> str:
    """What the framework tells the model when an argument does not fit the tool's schema: the pydantic
    report, which names the argument on its own line, then what was wrong with it."""
    return f"\n{field}\n  "


AUTH = "authentication"
ADDRESS = {"street": "1 Main St", "city": "Reno", "state": "NV", "zip_code": "89501"}
ORDERS = "order_tracking"
RETURNS = "returns"

# fmt: off
AUTH_CASES = [
    # save_address: the only authentication tool left to the model (a new address, in the caller's words)
    case("address-before-verification", AUTH, "save_address", ADDRESS,
         "Not now: code leads verification", verified=False),
    case("address-when-no-new-address-is-due", AUTH, "save_address", ADDRESS, "Not now: code leads verification"),
    case("address-zip-four-digits", AUTH, "save_address", {**ADDRESS, "zip_code": "8950"},
         "The ZIP code must be five digits", arrange=new_address_due),
    case("address-zip-letters", AUTH, "save_address", {**ADDRESS, "zip_code": "ABCDE"},
         "The ZIP code must be five digits", arrange=new_address_due),
    case("address-empty-street", AUTH, "save_address", {**ADDRESS, "street": ""}, "The street is empty",
         arrange=new_address_due),
    case("address-huge-city", AUTH, "save_address", {**ADDRESS, "city": HUGE}, "The city is too long",
         arrange=new_address_due),
    case("address-unknown-state", AUTH, "save_address", {**ADDRESS, "state": "ZZ"},
         "Use the two-letter code of a US state", arrange=new_address_due),
    case("address-missing-zip", AUTH, "save_address",
         {"street": "1 Main St", "city": "Reno", "state": "NV"}, parse_error("zip_code"), arrange=new_address_due),
]

ORDER_CASES = [
    case("list-unverified", ORDERS, "list_orders", {}, NOT_VERIFIED, verified=False),
    case("track-unverified", ORDERS, "track_order", {"order_number": "ORD-100101"}, NOT_VERIFIED, verified=False),
    case("track-short-id", ORDERS, "track_order", {"order_number": "ORD-12"}, "'ORD-12' is not an order number"),
    case("track-sql", ORDERS, "track_order", {"order_number": SQL}, "No order matches"),
    case("track-huge-id", ORDERS, "track_order", {"order_number": "x" * 5000}, "is not an order number"),
    case("track-other-customer", ORDERS, "track_order", {"order_number": "ORD-100201"},
         "There is no order ORD-100201 on this caller's account."),
    case("track-nonexistent", ORDERS, "track_order", {"order_number": "ORD-999999"},
         "There is no order ORD-999999 on this caller's account."),
    case("updates-unverified", ORDERS, "get_shipping_updates", {"order_number": "ORD-100102"}, NOT_VERIFIED,
         verified=False),
    case("updates-bad-id", ORDERS, "get_shipping_updates", {"order_number": "x"}, "No order matches"),
    case("updates-other-customer", ORDERS, "get_shipping_updates", {"order_number": "ORD-100201"},
         "There is no order ORD-100201 on this caller's account."),
    case("modify-unverified", ORDERS, "modify_delivery", {"order_number": "ORD-100102", "instructions": "Porch"},
         NOT_VERIFIED, verified=False),
    case("modify-bad-id", ORDERS, "modify_delivery", {"order_number": SQL, "new_date": "2026-11-25"},
         "No order matches"),
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
    case("catalog-empty-query", "books", "search_books", {"query": ""},
         "Say in a few words what product the caller is looking for."),
    case("catalog-huge-query", "books", "search_books", {"query": HUGE},
         "Say in a few words what product the caller is looking for."),
    case("catalog-missing-query", "books", "search_books", {}, parse_error("query")),
]
# fmt: on


def test_every_tool_has_bad_input_cases() -> None:
    tools = [save_address, *ORDER_TOOLS, *RETURN_TOOLS, create_escalation_ticket, search_books]
    names = {t.info.name for t in tools if isinstance(t, FunctionTool)}
    covered = {p.values[0].tool for p in AUTH_CASES + ORDER_CASES + RETURN_CASES + OTHER_CASES}

    assert len(names) == len(tools) == 13
    assert names - covered == set()


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", AUTH_CASES + ORDER_CASES + RETURN_CASES + OTHER_CASES)
async def test_bad_input_is_an_error_the_model_sees_and_writes_nothing(
    bad: BadCall, db_url: str, db_snapshot: Snapshot
) -> None:
    async with call_for(bad, db_url) as (call, model):
        before = await db_snapshot(call.services)

        if len(json.dumps(bad.args)) > MAX_TOOL_ARGUMENTS_CHARS:
            await oversized_call_is_dropped(call, model, bad.tool, bad.args)
        else:
            output = await bad_call(call, model, bad.tool, bad.args)
            assert bad.says in output.output
            assert len(output.output) < 600, "a huge argument must not be echoed back to the model"
        assert await db_snapshot(call.services) == before


async def oversized_call_is_dropped(call: OfflineCall, model: ScriptedLLM, name: str, args: Args) -> None:
    """Oversized arguments never reach the tool: the guarded LLM node drops the call, the caller hears the
    agent's fallback line, and the model is told on its next request."""
    model.push(Reply.call(name, **args))
    turn = await call.say("Please go ahead with that.")
    assert model.pending == 0 and turn.run is not None
    assert turn.tool_calls() == [] and turn.tool_outputs() == []
    assert len(turn.spoken()) == 1, turn.spoken()
    model.push(Reply.say("Sorry, could you say that more briefly?"))
    await call.say("Did that work?")
    note = "\n".join(model.requests[-1].system_texts())
    assert f"Your call of {name} was refused: The arguments are too long" in note
    assert HUGE not in model.requests[-1].all_text()
    assert call.userdata.pending is None


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
    model = ScriptedLLM()  # the authentication agent greets by code
    async with offline_call(llm=model, start_agent=AUTH, database_url=db_url) as call:
        before = await db_snapshot(call.services)
        model.push(Reply.call("track_order", order_number="ORD-100101"), Reply.say("Let me verify you first."))

        turn = await call.say("Where is my order ORD-100101?")
        assert turn.run is not None
        result = turn.run

        result.expect.contains_function_call_output(is_error=True)
        [output] = [ev.item for ev in result.events if ev.type == "function_call_output"]
        assert "Unknown function: track_order" in output.output
        assert "track_order" not in model.requests[-2].tool_names
        assert await db_snapshot(call.services) == before


@pytest.mark.asyncio
async def test_three_wrong_last_fours_lock_the_call_and_the_account(db_url: str, query: Query) -> None:
    """Identity is checked by code from the caller's words; no tool call is involved at all."""
    model = ScriptedLLM()
    async with offline_call(llm=model, start_agent=AUTH, database_url=db_url) as call:
        for line in ("Ava", "four one five, five five five, zero one three four", "yes", "April 12 1988"):
            assert (await call.say(line)).by_code
        for attempt in range(3):
            turn = await call.say("SSN zero zero zero zero")
            assert turn.by_code
            if attempt < 2:
                assert "those details don't match our records" in turn.spoken()[0]
                assert (await call.say("April 12 1988")).by_code
        assert "I couldn't verify those details" in turn.spoken()[0]
        assert call.userdata.verification.step is AuthStep.LOCKED_OUT

        # The right digits no longer help, in this call (the model answers, code checks nothing)...
        model.push(Reply.say("I can't verify you on this call, but a colleague can help."))
        turn = await call.say("SSN four eight two one")
        assert not turn.by_code and turn.tool_calls() == []
        assert call.userdata.verification.customer is None
        # ...and the account itself is locked for the next call.
        assert await query(call.services, "select locked_until from customers where id = :id", id=AVA.id) == [
            ("2026-11-18 15:30:00.000000",)
        ]
        assert await query(call.services, "select succeeded from auth_attempts") == [(0,), (0,), (0,)]
        assert len(model.requests) == 1 and model.unscripted == 0


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
async def test_a_rule_breaking_write_is_not_held_so_a_yes_writes_nothing(
    bad: BadCall, db_url: str, db_snapshot: Snapshot
) -> None:
    async with call_for(bad, db_url) as (call, model):
        before = await db_snapshot(call.services)
        await bad_call(call, model, bad.tool, bad.args)

        model.push(Reply.say("There's nothing to confirm yet."))
        turn = await call.say("Yes please.")

        assert not turn.by_code and turn.tool_calls() == [], "no pending write: the yes goes to the model"
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
