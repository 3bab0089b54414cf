"""Hostile text (lone surrogates, NUL, control characters, huge strings, non-strings) never crashes
and never half-writes.

Two layers are checked on their own: the tools' argument validators (``tools/common.py``) must turn
anything into a ``ToolError`` that names the argument without echoing the value; and every service
write that stores free text must refuse it with a typed ``InvalidInputError`` before writing, on a
real seeded SQLite database, leaving every row as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from livekit.agents import ToolError

from services import InvalidInputError, Services
from services.demo_data import AVA
from services.errors import ErrorCode, checked_text, storable, text_problem
from tools.common import (
    PREVIEW_LEN,
    clean_text,
    free_text,
    iso_date,
    order_id,
    person_name,
    preview,
    return_id,
    us_phone,
)

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
Snapshot = Callable[[Services], Awaitable[dict[str, list[tuple[Any, ...]]]]]

# --- the services: every write that stores free text ------------------------------------------------

# (id, hostile text, expected code)
HOSTILE_TEXT = [
    pytest.param("\ud800", ErrorCode.TEXT_NOT_ENCODABLE, id="lone-surrogate"),
    pytest.param("Too small \udcff", ErrorCode.TEXT_NOT_ENCODABLE, id="trailing-low-surrogate"),
    pytest.param("abc\x00def", ErrorCode.TEXT_NOT_ENCODABLE, id="nul"),
    pytest.param("bell\x07 and escape\x1b[31m", ErrorCode.TEXT_NOT_ENCODABLE, id="control-characters"),
    pytest.param("x" * 100_000, ErrorCode.FIELD_TOO_LONG, id="100k-chars"),
]

Write = Callable[[Services, Any], Awaitable[Any]]


async def _initiate_return(s: Services, text: Any) -> Any:
    return await s.returns.initiate_return(AVA.id, "ORD-100101", sku=None, condition="unused", reason=text)


async def _instructions_only(s: Services, text: Any) -> Any:
    return await s.orders.modify_delivery(AVA.id, "ORD-100102", new_date=None, instructions=text)


async def _instructions_with_a_valid_date(s: Services, text: Any) -> Any:
    # The date alone would be accepted: it must not be saved without the instructions.
    return await s.orders.modify_delivery(AVA.id, "ORD-100102", new_date=dt.date(2026, 11, 23), instructions=text)


async def _check_delivery_change(s: Services, text: Any) -> Any:
    return await s.orders.check_delivery_change(AVA.id, "ORD-100102", new_date=None, instructions=text)


async def _report_issue(s: Services, text: Any) -> Any:
    return await s.orders.report_delivery_issue(AVA.id, "ORD-100101", kind="damaged", description=text)


async def _check_issue(s: Services, text: Any) -> Any:
    return await s.orders.check_delivery_issue(AVA.id, "ORD-100101", kind="damaged", description=text)


async def _street(s: Services, text: Any) -> Any:
    return await s.customers.save_address(AVA.id, line1=text, city="Oakland", region="CA", postal_code="94607")


async def _city(s: Services, text: Any) -> Any:
    return await s.customers.save_address(AVA.id, line1="12 Oak Avenue", city=text, region="CA", postal_code="94607")


async def _state(s: Services, text: Any) -> Any:
    return await s.customers.save_address(
        AVA.id, line1="12 Oak Avenue", city="Oakland", region=text, postal_code="94607"
    )


async def _ticket_reason(s: Services, text: Any) -> Any:
    return await s.tickets.create(customer_id=AVA.id, reason=text, priority="normal", summary={"intent": "refund"})


async def _catalog_query(s: Services, text: Any) -> Any:
    return await s.catalog.search("books", text)


# (id, write, field named in the error, table whose row count must not change)
WRITES = [
    pytest.param(_initiate_return, "return reason", "returns", id="return-reason"),
    pytest.param(_instructions_only, "delivery instructions", "orders", id="delivery-instructions"),
    pytest.param(_instructions_with_a_valid_date, "delivery instructions", "orders", id="instructions-with-date"),
    pytest.param(_check_delivery_change, "delivery instructions", "orders", id="check-delivery-change"),
    pytest.param(_report_issue, "issue description", "delivery_issues", id="issue-description"),
    pytest.param(_check_issue, "issue description", "delivery_issues", id="check-issue"),
    pytest.param(_street, "street", "addresses", id="address-street"),
    pytest.param(_city, "city", "addresses", id="address-city"),
    pytest.param(_state, "state", "addresses", id="address-state"),
    pytest.param(_ticket_reason, "ticket reason", "tickets", id="ticket-reason"),
    pytest.param(_catalog_query, "search query", "products", id="catalog-query"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("write", "field", "table"), WRITES)
@pytest.mark.parametrize(("text", "code"), HOSTILE_TEXT)
async def test_a_service_write_refuses_hostile_text_and_changes_nothing(
    services: Services,
    db_snapshot: Snapshot,
    query: Query,
    write: Write,
    field: str,
    table: str,
    text: str,
    code: ErrorCode,
) -> None:
    before = await db_snapshot(services)
    count = f"select count(*) from {table}"
    rows_before = await query(services, count)

    with pytest.raises(InvalidInputError) as refused:
        await write(services, text)

    assert refused.value.code is code
    assert refused.value.details["field"] == field
    assert await query(services, count) == rows_before
    assert await db_snapshot(services) == before
    # The error itself is safe to log and carries no copy of the text.
    str(refused.value).encode("utf-8")
    assert text not in str(refused.value)


# ``instructions=None`` means "no new instructions" for a delivery change, so None is hostile only elsewhere.
REQUIRED_TEXT_WRITES = [w for w in WRITES if w.values[1] != "delivery instructions"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("write", "field", "value"),
    [
        pytest.param(*w.values[:2], value, id=f"{w.id}-{kind}")
        for w in WRITES
        for kind, value in (("int", 42), ("list", ["a"]), ("dict", {"a": 1}))
    ]
    + [pytest.param(*w.values[:2], None, id=f"{w.id}-none") for w in REQUIRED_TEXT_WRITES],
)
async def test_a_service_write_refuses_a_non_string_and_changes_nothing(
    services: Services, db_snapshot: Snapshot, write: Write, field: str, value: Any
) -> None:
    before = await db_snapshot(services)

    with pytest.raises(InvalidInputError) as refused:
        await write(services, value)

    assert (refused.value.code, refused.value.details["field"]) == (ErrorCode.NOT_TEXT, field)
    assert await db_snapshot(services) == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("lookup", "field"),
    [
        pytest.param(lambda s, bad: s.orders.get_order(AVA.id, bad), "order number", id="order-id"),
        pytest.param(lambda s, bad: s.returns.get_return(AVA.id, bad), "return number", id="return-id"),
        pytest.param(
            lambda s, bad: s.returns.check_eligibility(AVA.id, "ORD-100101", sku=bad, condition="unused"),
            "SKU",
            id="sku",
        ),
        pytest.param(
            lambda s, bad: s.customers.verify(
                first_name="Ava", phone=bad, date_of_birth=dt.date(1988, 4, 12), last4="4821", kind="ssn"
            ),
            "phone number",
            id="verify-phone",
        ),
        pytest.param(
            lambda s, bad: s.customers.verify(
                first_name=bad, phone=AVA.phone, date_of_birth=dt.date(1988, 4, 12), last4="4821", kind="ssn"
            ),
            "first name",
            id="verify-first-name",
        ),
    ],
)
@pytest.mark.parametrize("bad", ["\ud800", "ORD-\x00100101"], ids=["lone-surrogate", "nul"])
async def test_a_lookup_by_hostile_text_is_a_typed_error_not_a_driver_crash(
    services: Services,
    db_snapshot: Snapshot,
    lookup: Callable[[Services, str], Awaitable[Any]],
    field: str,
    bad: str,
) -> None:
    before = await db_snapshot(services)

    with pytest.raises(InvalidInputError) as refused:
        await lookup(services, bad)

    assert (refused.value.code, refused.value.details["field"]) == (ErrorCode.TEXT_NOT_ENCODABLE, field)
    assert await db_snapshot(services) == before  # not even an auth attempt is recorded


@pytest.mark.asyncio
async def test_good_text_next_to_the_refusals_is_still_stored_stripped(services: Services, query: Query) -> None:
    await services.orders.modify_delivery(
        AVA.id, "ORD-100102", new_date=None, instructions="  Leave it\twith the\nconcierge  "
    )

    assert await query(services, "select delivery_instructions from orders where id = 'ORD-100102'") == [
        ("Leave it\twith the\nconcierge",)
    ]


@pytest.mark.asyncio
async def test_a_ticket_summary_built_by_code_is_repaired_not_refused(services: Services, query: Query) -> None:
    summary = {"intent": "refund \ud800 please\x00", "done": ("a\x07b", {"k\udcff": ["ok\n"]}), "n": 3}

    ticket = await services.tickets.create(
        customer_id=AVA.id, reason="Refund dispute", priority="high", summary=summary
    )

    [(stored,)] = await query(services, "select summary from tickets where id = :id", id=ticket.id)
    assert '"intent": "refund \\ufffd please"' in stored
    assert '"done": ["ab", {"k\\ufffd": ["ok\\n"]}]' in stored
    assert '"n": 3' in stored


# --- the building blocks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("plain text, ünïcödé and emoji 🙂", None),
        ("tabs\tnewlines\nreturns\r", None),
        ("\ud800", ("invalid_unicode", 0)),
        ("ab\udfff", ("invalid_unicode", 2)),
        ("a\x00", ("nul", 1)),
        ("\x7f", ("control_character", 0)),
        ("next line\x85", ("control_character", 9)),
    ],
)
def test_text_problem_finds_what_cannot_be_stored(text: str, problem: tuple[str, int] | None) -> None:
    assert text_problem(text) == problem


def test_checked_text_strips_and_bounds() -> None:
    assert checked_text("  ok  ", field="f", max_len=2) == "ok"
    assert checked_text("   ", field="f", max_len=2, required=False) == ""
    assert checked_text("x" * 10_000, field="f", max_len=None) == "x" * 10_000


def test_storable_keeps_clean_values_as_they_are() -> None:
    data = {"a": ["b", 1, None, True], "c": {"d": "é 🙂"}}

    assert storable(data) == data


# --- the tools' validators ----------------------------------------------------------------------------

HOSTILE_ARGS = [
    pytest.param("\ud800", id="lone-surrogate"),
    pytest.param("ORD-100101\udcff", id="id-then-surrogate"),
    pytest.param("abc\x00def", id="nul"),
    pytest.param("a\x07b\x1b[31m", id="control-characters"),
    pytest.param("\x1c\x1d\x1e\x1f", id="separators-python-calls-whitespace"),
    pytest.param("x" * 10_000, id="10k-chars"),
    pytest.param(None, id="none"),
    pytest.param(42, id="int"),
    pytest.param(3.5, id="float"),
    pytest.param(True, id="bool"),
    pytest.param([1, 2], id="list"),
    pytest.param({"a": 1}, id="dict"),
]

VALIDATORS = [
    pytest.param(lambda v: free_text(v, field="reason"), "reason", id="free_text"),
    pytest.param(lambda v: clean_text(v, field="instructions", max_len=300), "instructions", id="clean_text"),
    pytest.param(person_name, None, id="person_name"),
    pytest.param(us_phone, None, id="us_phone"),
    pytest.param(order_id, None, id="order_id"),
    pytest.param(return_id, None, id="return_id"),
    pytest.param(lambda v: iso_date(v, field="pickup date"), "pickup date", id="iso_date"),
]


@pytest.mark.parametrize(("validate", "field"), VALIDATORS)
@pytest.mark.parametrize("value", HOSTILE_ARGS)
def test_validators_turn_anything_into_a_tool_error_that_does_not_echo_it(
    validate: Callable[[Any], Any], field: str | None, value: Any
) -> None:
    with pytest.raises(ToolError) as refused:  # any other exception fails the test
        validate(value)

    message = refused.value.message
    message.encode("utf-8")
    assert message.isprintable(), message
    assert len(message) < 300
    if field is not None:
        assert field in message
    if isinstance(value, str) and len(value) > PREVIEW_LEN:
        assert value not in message


@pytest.mark.parametrize(
    ("value", "says"),
    [
        pytest.param("\ud800", "invalid Unicode", id="surrogate"),
        pytest.param("abc\x00def", "NUL", id="nul"),
        pytest.param("a\x07b", "control characters", id="control"),
        pytest.param(42, "must be text, not a number", id="int"),
        pytest.param(None, "must be text, not null", id="none"),
        pytest.param([1, 2], "must be text, not a list", id="list"),
        pytest.param({"a": 1}, "must be text, not an object", id="dict"),
        pytest.param("x" * 10_000, "too long; summarise it in under 300 characters", id="huge"),
    ],
)
def test_free_text_says_what_is_wrong_with_the_argument(value: Any, says: str) -> None:
    with pytest.raises(ToolError) as refused:
        free_text(value, field="reason")

    assert refused.value.message.startswith("The reason ")
    assert says in refused.value.message


def test_clean_text_keeps_tabs_and_newlines_only_as_single_spaces() -> None:
    assert clean_text("  Leave it\twith the\r\nconcierge  ", field="instructions", max_len=300) == (
        "Leave it with the concierge"
    )
    assert clean_text("   ", field="instructions", max_len=300) == ""
    assert clean_text("émoji 🙂 ok", field="instructions", max_len=300) == "émoji 🙂 ok"


@pytest.mark.parametrize(
    ("validate", "value"),
    [
        pytest.param(order_id, "ORD-١٠٠١٠١", id="order-id-arabic-indic-digits"),
        pytest.param(return_id, "RET-５００００１", id="return-id-fullwidth-digits"),
        pytest.param(us_phone, "٤١٥٥٥٥٠١٣٤", id="phone-arabic-indic-digits"),
        pytest.param(iso_date, "١٩٨٨-04-12", id="date-arabic-indic-digits"),
        pytest.param(person_name, "A\x1fva", id="name-with-a-unit-separator"),
        pytest.param(person_name, "Ava\u0000", id="name-with-nul"),
    ],
)
def test_validators_accept_only_ascii_digits_and_no_control_characters(
    validate: Callable[[Any], Any], value: str
) -> None:
    with pytest.raises(ToolError):
        validate(value)


def test_person_name_reads_a_decomposed_accent_as_one_letter() -> None:
    assert person_name("Jose\u0301") == "José"


def test_a_refused_id_is_echoed_only_as_a_short_printable_preview() -> None:
    with pytest.raises(ToolError) as refused:
        order_id("ORD-\ud800\x00" + "9" * 100)

    assert refused.value.message.startswith("'ORD-??99999")
    assert "…' is not an order number" in refused.value.message
    assert preview("ab\x00\ud800") == "ab??"
