"""PII redaction (call/redaction.py), the id registry it keeps (services/ids.py) and where the
redacting filter is installed (worker/logging_setup.py)."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import call.redaction as redaction_module
import services.ids as ids_module
from call.redaction import REDACTED, RedactingFilter, is_pii_key, redact, redact_traceback, redact_value
from services.ids import (
    CUSTOMER_ID,
    DELIVERY_CASE_ID,
    FASHION_SKU,
    ORDER_ID,
    RETURN_ID,
    SKU_BY_CATEGORY,
    TICKET_ID,
    TRACKING_NUMBER,
    IdFormat,
    register_id,
    registered_ids,
    unregister_id,
)
from tests.hang_guard import without_hanging
from worker.logging_setup import GUARDED_LOGGERS, configure_logging

pytestmark = pytest.mark.unit

PHONE = "415" + "555" + "0134"
"""Built at run time so that a traceback's source lines never contain it."""
SSN4 = "48" + "21"

# --- redacted: four or more digits, however said ---------------------------------------------------

SECRETS = [
    # digits, any separators
    "4821",
    "4 8 2 1",
    "48-21",
    "7 - 7 - 0 - 2",
    "7, 7, 0, 2",
    "3 3 9 0",
    "123-45-6789",
    "(415) 555-0134",
    "415.555.0134",
    "415 555 0134",
    "4155550134",
    "+1 415 555 0134",
    "4111 1111 1111 1111",
    "94107",
    "1988",
    "٤٨٢١",  # Arabic-Indic digits
    "４８２１",  # full-width digits
    # words, or words and digits
    "seven 7 0 2",
    "4 eight 2 one",
    "four eight two one",
    "Four, Eight, Two, One",
    "nine oh two one",
    "zero zero seven one",
    "oh four one five",
    "double seven oh two",
    "seven seven oh two",
    "triple five two",
    "sixty six oh four",
    "forty eight twenty one",
    "one two three four",
    "nineteen eighty eight",
    "nineteen eighty-eight",
    "twenty twenty four",
    "two thousand and five",
    "nineteen hundred and eighty eight",
    # dates with a year
    "1988-04-12",
    "04/12/1988",
    "April 12, 1988",
    "12 April 1988",
    "Apr. 12, 1988",
    "May 5th, 2001",
    "April twelfth nineteen eighty-eight",
    "twelfth of April nineteen eighty-eight",
    "thirty-first of December 1999",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_redact_replaces_four_or_more_digits_however_said(secret: str) -> None:
    assert redact(f"sure, it is {secret} thanks") == f"sure, it is {REDACTED} thanks"


@pytest.mark.parametrize("secret", SECRETS)
def test_redact_replaces_a_secret_alone(secret: str) -> None:
    assert redact(secret) == REDACTED


# --- kept ----------------------------------------------------------------------------------------------

KEPT = [
    # business ids (registered in services.ids)
    "ORD-100101",
    "RET-500001",
    "TCK-900001",
    "DLV-700001",
    "CUS-1001",
    "FSH-2001",
    "ELC-3001",
    "BOK-1001",
    "HOM-4001",
    "GFT-5001",
    "1Z1001010184",
    # money
    "$129.00",
    "$1,299.99",
    "$1299",
    "$ 2500",
    "€45.00",
    "129 dollars",
    "2500 bucks",
    "12.50",
    "1,299.99",
    "one hundred twenty-nine dollars",
    "fifteen hundred dollars",
    # memory addresses and hex
    "0x7f3a2b1c9d00",
    "<object at 0x7f3a2b1c9d00>",
    "0X7F3A2B1C9D00",
    "550e8400-e29b-41d4-a716-446655440000",
    "speech_3f2a1234abcd",
    # times of day
    "3:30 pm",
    "12:30 PM",
    "10:45",
    "15:00:00",
    "10:45:30.123",
    "eleven forty-five pm",
    "seven oh five a.m.",
    "ten o'clock",
    # fewer than four digits
    "3 attempts",
    "2 items",
    "30 days",
    "size 10",
    "top 100",
    "99 problems",
    "1, 2, 3",
    "room 12 floor 3",
    "version 1.8.9",
    "x86_64",
    "one or two",
    "one, two, three",
    "a couple",
    "twenty one",
    "order twenty two",
    "one hundred twenty items",
    "a hundred",
    "I called a thousand times",
    "give me five minutes",
    "wait one second",
    "first second third",
    "April 12",
    "the first of May",
    "3 of 4",
    "I want to return my jacket",
    "",
]


@pytest.mark.parametrize("kept", KEPT)
def test_redact_keeps_ids_money_hex_times_and_short_numbers(kept: str) -> None:
    said = f"sure, it is {kept} thanks"

    assert redact(said) == said


@pytest.mark.parametrize(
    ("said", "cleaned"),
    [
        (
            "card 4821, refund $129.00 on ORD-100101 at 3:30 pm",
            "card [redacted], refund $129.00 on ORD-100101 at 3:30 pm",
        ),
        (
            "my number is (415) 555-0134 and my return is RET-500001",
            "my number is [redacted] and my return is RET-500001",
        ),
        ("born April 12, 1988, ticket TCK-900001", "born [redacted], ticket TCK-900001"),
        ("ssn four eight two one, that's 2 items", "ssn [redacted], that's 2 items"),
        ("4821 one hundred twenty-nine dollars", "[redacted] one hundred twenty-nine dollars"),
        ("4821 eleven forty-five pm", "[redacted] eleven forty-five pm"),
        ("4821, 129 dollars", "[redacted], 129 dollars"),
        ("4821 12.50", "[redacted] 12.50"),
        ("4821 0x7f3a", "[redacted] 0x7f3a"),
        ("4821 1Z1001010184", "[redacted] 1Z1001010184"),
        ("1988-04-12 10:45", "[redacted] 10:45"),
        ("2026-11-18T15:00:00", "[redacted]T15:00:00"),
        ("ORD-100101 4821", "ORD-100101 [redacted]"),
        ("TCK-900001/4821", "TCK-900001/[redacted]"),
        ("CUS-1001's card ends 7702", "CUS-1001's card ends [redacted]"),
        ("phone 415-555-0134.", "phone [redacted]."),
        ("Is it 4 8 2 1?", "Is it [redacted]?"),
        ("the 12th of April, 1988", "the [redacted]"),
        ('{"last_four": "4821", "order_id": "ORD-100101"}', '{"last_four": "[redacted]", "order_id": "ORD-100101"}'),
        # a labelled secret is not a business id
        ("my SSN-4821", "my SSN-[redacted]"),
        ("DOB-19880412", "DOB-[redacted]"),
        # an id of the wrong width, in lower case, read back spaced or spelled is not kept
        ("ORD-1001011", "ORD-[redacted]"),
        ("ord-100101", "ord-[redacted]"),
        ("ORD 100101", "ORD [redacted]"),
        ("R E T five zero zero zero zero one", "R E T [redacted]"),
    ],
)
def test_redact_in_context(said: str, cleaned: str) -> None:
    assert redact(said) == cleaned


@pytest.mark.parametrize("text", [*SECRETS, *KEPT, "card 4821, refund $129.00 on ORD-100101", "[redacted] 4821"])
def test_redact_is_idempotent(text: str) -> None:
    once = redact(f"it is {text}.")

    assert redact(once) == once


# --- the id registry is the source of what is kept -------------------------------------------------


@pytest.fixture
def restore_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the registry back as it was, whatever the test registers or removes."""
    monkeypatch.setattr(ids_module, "_registry", ids_module.registered_ids())


@pytest.mark.parametrize("fmt", registered_ids(), ids=lambda f: f.example)
def test_every_registered_id_is_kept_and_a_wider_one_is_not(fmt: IdFormat) -> None:
    largest = fmt.format(10**fmt.digits - 1)
    too_wide = fmt.prefix + fmt.separator + "1" * (fmt.digits + 1)

    assert redact(f"about {fmt.example} and {largest}") == f"about {fmt.example} and {largest}"
    assert redact(f"about {too_wide}") == f"about {fmt.prefix}{fmt.separator}{REDACTED}"


@pytest.mark.usefixtures("restore_registry")
def test_registering_a_format_makes_its_ids_kept() -> None:
    assert redact("promo PRM-12345") == "promo PRM-[redacted]"

    promo = register_id("PRM", 5, "promotion code")

    assert redact("promo PRM-12345, card 4821") == "promo PRM-12345, card [redacted]"
    unregister_id(promo)
    assert redact("promo PRM-12345") == "promo PRM-[redacted]"


@pytest.mark.usefixtures("restore_registry")
def test_unregistering_a_format_stops_keeping_it() -> None:
    unregister_id(ORDER_ID)

    assert redact("order ORD-100101") == "order ORD-[redacted]"
    assert redact("return RET-500001") == "return RET-500001"


def test_the_registry_holds_every_id_format_the_services_create() -> None:
    examples = {fmt.example for fmt in registered_ids()}

    assert ORDER_ID.format(100101) == "ORD-100101"
    assert RETURN_ID.format(500001) == "RET-500001"
    assert TICKET_ID.format(900001) == "TCK-900001"
    assert DELIVERY_CASE_ID.format(700001) == "DLV-700001"
    assert CUSTOMER_ID.format(1001) == "CUS-1001"
    assert FASHION_SKU.format(2001) == "FSH-2001"
    assert TRACKING_NUMBER.format(1001010184) == "1Z1001010184"
    assert {SKU_BY_CATEGORY[c].prefix for c in ("books", "electronics", "fashion", "home", "gift_cards")} == {
        "BOK",
        "ELC",
        "FSH",
        "HOM",
        "GFT",
    }
    assert {e.split("-")[0] for e in examples if "-" in e} == {
        "ORD",
        "RET",
        "TCK",
        "DLV",
        "CUS",
        "FSH",
        "ELC",
        "BOK",
        "HOM",
        "GFT",
        "SEL",
        "PRM",
        "SIS",
        "MSG",
        "PAY",
        "CHG",
        "SEC",
        "ALR",
        "SUB",
        "BND",
    }


def test_id_format_pads_validates_and_matches() -> None:
    assert ORDER_ID.format(7) == "ORD-000007"
    assert ORDER_ID.matches("ORD-100101")
    assert not ORDER_ID.matches("ORD-1001011")
    assert not ORDER_ID.matches("ord-100101")
    assert ORDER_ID.pattern.search("see ORD-100101.") is not None
    assert ORDER_ID.pattern.search("xORD-100101") is None
    with pytest.raises(ValueError, match="does not fit 6 digits"):
        ORDER_ID.format(1_000_000)
    with pytest.raises(ValueError):
        ORDER_ID.format(-1)
    with pytest.raises(TypeError):
        ORDER_ID.format("100101")  # type: ignore[arg-type]


@pytest.mark.usefixtures("restore_registry")
def test_register_id_is_idempotent_and_rejects_conflicts_and_bad_formats() -> None:
    assert register_id("ORD", 6, "order") is ORDER_ID
    with pytest.raises(ValueError, match="already registered"):
        register_id("ORD", 6, "something else")
    for prefix, digits in (("", 4), ("ord", 4), ("12", 4), ("ORD", 0), ("ORD", 99)):
        with pytest.raises(ValueError):
            register_id(prefix, digits, "bad")
    with pytest.raises(ValueError):
        register_id("ABC", 4, "  ")
    assert len(registered_ids()) == len({(f.prefix, f.separator, f.digits) for f in registered_ids()})


# --- robustness and speed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("\ud800 4821 \udfff", "\ud800 [redacted] \udfff"),
        ("a\x00 4821\x00b", "a\x00 [redacted]\x00b"),
        ("\x00" * 10, "\x00" * 10),
        ("4821\n7702", REDACTED),
        ("émile 4821 ünïcödé", "émile [redacted] ünïcödé"),
    ],
)
def test_redact_handles_odd_characters(text: str, cleaned: str) -> None:
    assert redact(text) == cleaned


def test_redact_accepts_a_non_string_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    anything: Any = 4155550134
    assert redact(anything) == REDACTED
    assert redact(Unprintable()) == REDACTED  # type: ignore[arg-type]

    def broken() -> re.Pattern[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr(redaction_module, "_pattern", broken)
    assert redact("card 4821") == REDACTED  # fail closed


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x" * 1_000_000, id="letters"),
        pytest.param("-" * 1_000_000, id="punctuation"),
        pytest.param("4" * 1_000_000, id="one-long-number"),
        pytest.param("4821 " * 200_000, id="many-numbers"),
        pytest.param("1-" * 500_000, id="one-long-run"),
        pytest.param("one " * 250_000, id="number-words"),
        pytest.param("1 a " * 250_000, id="short-numbers"),
        pytest.param("0x" + "f" * 1_000_000, id="hex"),
        pytest.param(
            "Ava said ORD-100101, card 4821, $12.50 at 10:45 speech_3f2a1234abcd. \ud800\x00 " * 14_000,
            id="mixed",
        ),
    ],
)
def test_redact_one_megabyte_of_hostile_text_without_hanging(text: str) -> None:
    cleaned = without_hanging(lambda: redact(text))

    assert SSN4 not in cleaned
    assert cleaned != REDACTED or text == "4" * 1_000_000, "a scan that raised inside fails closed"


# --- redact_value and redact_traceback -------------------------------------------------------------------


def test_redact_value_redacts_strings_in_nested_containers() -> None:
    Point = namedtuple("Point", "label n")
    value = {
        "arguments": '{"last_four": "4821"}',
        "list": ["415-555-0134", 4821, None, ("7702", b"4821")],
        "point": Point("card 7702", 3),
        "set": {"4821"},
        "frozen": frozenset({"4821", "ok"}),
        "ordered": OrderedDict(a="4821"),
        "order": "ORD-100101",
    }

    cleaned = redact_value(value)

    assert cleaned == {
        "arguments": '{"last_four": "[redacted]"}',
        "list": ["[redacted]", 4821, None, ("[redacted]", b"4821")],
        "point": Point("card [redacted]", 3),
        "set": {"[redacted]"},
        "frozen": frozenset({"[redacted]", "ok"}),
        "ordered": OrderedDict(a="[redacted]"),
        "order": "ORD-100101",
    }
    assert type(cleaned["point"]) is Point and type(cleaned["ordered"]) is OrderedDict
    assert value["arguments"] == '{"last_four": "4821"}', "the input is not modified"


@pytest.mark.parametrize("scalar", [4821, 48.21, True, None, b"4821", object])
def test_redact_value_leaves_other_scalars_unchanged(scalar: Any) -> None:
    assert redact_value(scalar) is scalar


def test_redact_value_returns_an_unchanged_container_itself_and_survives_cycles() -> None:
    clean = {"a": ["ok", 1], "b": ("ORD-100101",)}
    cyclic: list[Any] = ["4821"]
    cyclic.append(cyclic)

    assert redact_value(clean) is clean
    assert redact_value(cyclic) == ["[redacted]", "[redacted]"]


def test_redact_traceback_keeps_frames_and_redacts_the_messages() -> None:
    try:
        try:
            raise KeyError(PHONE)
        except KeyError as inner:
            raise ValueError(f"caller said {SSN4}") from inner
    except ValueError as exc:
        import traceback

        text = "".join(traceback.format_exception(exc))

    cleaned = redact_traceback(text + '  File "big.py", line 1053, in handler\n    go()\n')

    assert PHONE not in cleaned and SSN4 not in cleaned
    assert "ValueError: caller said [redacted]" in cleaned
    assert "KeyError: '[redacted]'" in cleaned
    assert 'File "big.py", line 1053, in handler' in cleaned, "frame line numbers are kept"
    assert "Traceback (most recent call last):" in cleaned
    assert redact_traceback(cleaned) == cleaned


# --- RedactingFilter on a record -------------------------------------------------------------------------


def make_record(msg: Any = "caller said %s for %s", args: Any = ("4 8 2 1", "ORD-100101"), **extra: Any) -> Any:
    record = logging.LogRecord("livekit.agents", logging.DEBUG, "/app/x.py", 1053, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_filter_merges_args_and_redacts_the_message() -> None:
    record = make_record()

    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "caller said [redacted] for ORD-100101"
    assert record.args is None


def test_filter_redacts_every_extra_field_and_whole_pii_keys() -> None:
    record = make_record(
        "executing tool",
        None,
        function="authenticate_user",
        arguments='{"last_four": "4821"}',
        user_transcript="it's 7 7 0 2",
        payload={"phone": PHONE, "items": [2, "ORD-100101"]},
        attempts=3,
        **{
            "lk.pii.user_input": "my order ORD-100101",
            "lk.pii.output": {"text": "ok"},
            "gen_ai.input.messages": "hello",
            "speech_id": "speech_3f2a1234abcd",
        },
    )

    RedactingFilter().filter(record)

    fields = vars(record)
    assert fields["function"] == "authenticate_user"
    assert fields["arguments"] == '{"last_four": "[redacted]"}'
    assert fields["user_transcript"] == "it's [redacted]"
    assert fields["payload"] == {"phone": REDACTED, "items": [2, "ORD-100101"]}
    assert fields["attempts"] == 3
    assert fields["lk.pii.user_input"] == REDACTED, "a LiveKit PII field is replaced whole"
    assert fields["lk.pii.output"] == REDACTED
    assert fields["gen_ai.input.messages"] == REDACTED
    assert fields["speech_id"] == "speech_3f2a1234abcd"


def test_filter_does_not_touch_standard_attributes_and_is_idempotent() -> None:
    record = make_record(extra_field="card 7702")
    standard = ("name", "levelno", "levelname", "pathname", "filename", "lineno", "created", "msecs", "process")
    before = {key: getattr(record, key) for key in standard}

    RedactingFilter().filter(record)
    once = dict(vars(record))
    RedactingFilter().filter(record)

    assert {key: getattr(record, key) for key in standard} == before
    assert vars(record) == once


def test_filter_renders_and_redacts_the_exception_without_dropping_it() -> None:
    try:
        raise ValueError("caller said " + PHONE)
    except ValueError:
        exc_info = sys.exc_info()
    record = make_record("tool failed", None)
    record.exc_info = exc_info

    RedactingFilter().filter(record)
    printed = logging.Formatter("%(message)s").format(record)

    assert record.exc_info is exc_info, "the exception is kept for handlers that use it"
    assert "ValueError: caller said [redacted]" in record.exc_text
    assert "Traceback (most recent call last):" in printed and PHONE not in printed


def test_filter_redacts_an_already_rendered_exception_and_stack() -> None:
    record = make_record(
        "x",
        None,
        exc_text=f'Traceback (most recent call last):\n  File "a.py", line 1200, in f\n    g()\nKeyError: {SSN4}',
        stack_info=f'Stack (most recent call last):\n  File "a.py", line 1300, in f\n    g()\nnote {PHONE}',
        message=f"x {SSN4}",
    )

    RedactingFilter().filter(record)

    assert record.exc_text.endswith("KeyError: [redacted]") and "line 1200" in record.exc_text
    assert record.stack_info.endswith("note [redacted]") and "line 1300" in record.stack_info
    assert record.message == "x [redacted]"


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        ("%d items for %s", ("x", PHONE)),  # the arguments do not fit the format
        ({"event": "auth", "last_four": SSN4}, None),  # structured message
        (ValueError(f"bad {SSN4}"), None),  # an object as the message
    ],
)
def test_filter_never_raises_and_never_leaks(msg: Any, args: Any) -> None:
    record = make_record(msg, args)

    assert RedactingFilter().filter(record) is True
    assert SSN4 not in str(record.msg) and PHONE not in str(record.msg)


def test_filter_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(record: logging.LogRecord) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(RedactingFilter, "_redact", staticmethod(broken))
    record = make_record()

    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == REDACTED


@pytest.mark.parametrize(
    ("key", "pii"),
    [
        ("lk.pii.user_input", True),
        ("lk.pii.function_tool.arguments", True),
        ("gen_ai.tool.call.arguments", True),
        ("function", False),
        ("speech_id", False),
        ("pii_like_but_not", False),
    ],
)
def test_is_pii_key_follows_livekit(key: str, pii: bool) -> None:
    from livekit.agents.telemetry.pii import is_pii_attribute

    assert is_pii_key(key) is pii is is_pii_attribute(key)


# --- a record logged like LiveKit does, printed with every extra field -------------------------------------


class DumpEverything(logging.Formatter):
    """A JSON-ish formatter that prints every field of the record, extras included."""

    def format(self, record: logging.LogRecord) -> str:
        super().format(record)
        return json.dumps({k: v for k, v in vars(record).items() if k != "exc_info"}, default=str)


def livekit_json_formatter() -> logging.Formatter:
    from livekit.agents.cli.log import JsonFormatter

    return JsonFormatter()


@pytest.mark.parametrize("formatter", [DumpEverything, livekit_json_formatter])
def test_a_livekit_style_record_prints_no_secret(formatter: Any) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction.livekit_style")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        logger.debug(
            "executing tool",
            extra={
                "function": "authenticate_user",
                "arguments": '{"last_four": "4821"}',
                "lk.pii.user_input": "my ssn ends 4821",
                "speech_id": "speech_3f2a1234abcd",
            },
        )
    finally:
        logger.removeHandler(handler)

    printed = stream.getvalue()
    assert "4821" not in printed
    assert "executing tool" in printed and "authenticate_user" in printed and "speech_3f2a1234abcd" in printed
    assert '"lk.pii.user_input": "[redacted]"' in printed


# --- configure_logging: every handler, including LiveKit's CLI handler added later -------------------------


@pytest.fixture
def isolated_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Undo everything configure_logging and LiveKit's CLI logging setup do to the logging tree."""
    from livekit.agents.cli import log as cli_log

    names = ("", *GUARDED_LOGGERS, "livekit.agents.voice", "livekit.plugins.silero", "marketplace.tools")
    loggers = [logging.getLogger(name) for name in (*names, *cli_log.NOISY_LOGGERS)]
    saved = [(lg, lg.handlers, list(lg.handlers), lg.filters, list(lg.filters), lg.level) for lg in loggers]
    handlers = {h for lg in loggers for h in lg.handlers}
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    saved_handlers = [
        (h, h.filters, list(h.filters), h.formatter, h.formatter is not None and "formatException" in vars(h.formatter))
        for h in handlers
    ]
    monkeypatch.setattr(cli_log.Plugin.emitter, "on", lambda *args, **kwargs: None)
    yield
    for logger, handler_list, handler_items, filter_list, filter_items, level in saved:
        handler_list[:] = handler_items
        logger.handlers = handler_list
        filter_list[:] = filter_items
        logger.filters = filter_list
        logger.setLevel(level)
    for handler, filter_list, filter_items, formatter, had_own_format_exception in saved_handlers:
        filter_list[:] = filter_items
        handler.filters = filter_list
        vars(handler).pop("format", None)
        if formatter is not None and not had_own_format_exception:
            vars(formatter).pop("formatException", None)


def log_like_livekit() -> None:
    lk = logging.getLogger("livekit.agents")
    lk.debug(
        "executing tool",
        extra={
            "function": "authenticate_user",
            "arguments": '{"last_four": "4821"}',
            "lk.pii.user_input": "my ssn ends 4821",
            "speech_id": "speech_3f2a1234abcd",
        },
    )
    logging.getLogger("livekit.agents.voice").info("user said %s", "four eight two one")
    logging.getLogger("livekit.plugins.silero").info("vad", extra={"lk.pii.transcript": "7702"})
    logging.getLogger("marketplace.tools").info("caller gave %s for ORD-100101", PHONE)
    try:
        raise ValueError("caller said " + PHONE)
    except ValueError:
        lk.exception("exception occurred while executing tool", extra={"function": "authenticate_user"})


def assert_clean(printed: str) -> None:
    for secret in (SSN4, PHONE, "7702", "four eight two one"):
        assert secret not in printed, printed
    for kept in ("executing tool", "authenticate_user", "speech_3f2a1234abcd", "ORD-100101", "ValueError"):
        assert kept in printed, printed


@pytest.mark.usefixtures("isolated_logging")
@pytest.mark.parametrize("devmode", [False, True], ids=["start-json", "dev-colored"])
def test_livekit_cli_handler_added_after_configure_logging_prints_no_secret(
    devmode: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    from livekit.agents.cli.log import setup_logging

    configure_logging("DEBUG")  # worker.__main__ runs this before cli.run_app ...
    setup_logging("DEBUG", devmode=devmode, console=False)  # ... which adds its own stdout handler
    log_like_livekit()

    assert_clean(capsys.readouterr().out)


@pytest.mark.usefixtures("isolated_logging")
def test_livekit_legacy_cli_handler_formatted_after_it_is_added_prints_no_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from livekit.agents.cli._legacy import _configure_logger

    configure_logging("DEBUG")
    _configure_logger(None, "DEBUG")  # adds a stdout handler, then sets its JSON formatter
    log_like_livekit()

    assert_clean(capsys.readouterr().out)


@pytest.mark.usefixtures("isolated_logging")
def test_handlers_present_before_configure_logging_print_no_secret() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(livekit_json_formatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("livekit.agents").setLevel(logging.DEBUG)

    configure_logging("DEBUG")
    log_like_livekit()

    assert_clean(stream.getvalue())


@pytest.mark.usefixtures("isolated_logging")
def test_records_forwarded_from_a_job_process_are_redacted() -> None:
    from livekit.agents.ipc.log_queue import LogQueueListener

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(livekit_json_formatter())
    configure_logging("DEBUG")
    logging.getLogger().addHandler(handler)
    logging.getLogger("livekit.agents").setLevel(logging.INFO)
    record = logging.LogRecord("livekit.agents", logging.INFO, "job.py", 1, f"caller said {SSN4}", None, None)
    record.__dict__.update({"user_transcript": "7 7 0 2", "lk.pii.arguments": '{"x": 1}'})

    # the main process hands a child's record straight to the handlers (no logger filter runs)
    LogQueueListener(None, lambda r: None).handle(record)  # type: ignore[arg-type]

    printed = stream.getvalue()
    assert SSN4 not in printed and "7 7 0 2" not in printed
    assert '"user_transcript": "[redacted]"' in printed and '"lk.pii.arguments": "[redacted]"' in printed


@pytest.mark.usefixtures("isolated_logging")
def test_fields_added_by_a_later_handler_filter_are_redacted_too() -> None:
    class RoomFields(logging.Filter):  # like LiveKit's job context filter, added once the job starts
        def filter(self, record: logging.LogRecord) -> bool:
            record.room = f"call-_+1{PHONE}_abc"
            return True

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(livekit_json_formatter())
    logging.getLogger().addHandler(handler)
    configure_logging("INFO")
    handler.addFilter(RoomFields())

    logging.getLogger("marketplace.tools").warning("hello")

    assert PHONE not in stream.getvalue() and '"room": "call-_[redacted]_abc"' in stream.getvalue()
    assert isinstance(handler.filters[-1], RedactingFilter)


@pytest.mark.usefixtures("isolated_logging")
def test_configure_logging_is_idempotent() -> None:
    configure_logging("INFO")
    configure_logging("DEBUG")
    logging.getLogger().addHandler(logging.NullHandler())

    for handler in logging.getLogger().handlers:
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    for name in GUARDED_LOGGERS:
        assert sum(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters) == 1
    assert logging.getLogger("marketplace").level == logging.DEBUG


def test_call_redaction_works_without_livekit_installed() -> None:
    import subprocess

    script = (
        "import importlib.abc, sys\n"
        "class NoLiveKit(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'livekit':\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, NoLiveKit())\n"
        "import logging\n"
        "from call.redaction import RedactingFilter, is_pii_key, redact\n"
        "record = logging.LogRecord('x', 10, 'f', 1, 'card %s', ('4821',), None)\n"
        "record.__dict__['lk.pii.user_input'] = 'hello'\n"
        "RedactingFilter().filter(record)\n"
        "assert record.getMessage() == 'card [redacted]', record.getMessage()\n"
        "assert vars(record)['lk.pii.user_input'] == '[redacted]'\n"
        "assert is_pii_key('gen_ai.tool.call.arguments') and not is_pii_key('function')\n"
        "assert 'livekit' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
