"""PII redaction (agents/redaction.py), argument validators (tools/common.py) and the explicit-yes rule
(call/answers.py)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from livekit.agents import ToolError

from call.answers import YesNo, classify_yes_no
from call.redaction import REDACTED, RedactingFilter, redact
from tools.common import (
    MAX_FREE_TEXT,
    digits_grouped,
    free_text,
    iso_date,
    order_id,
    person_name,
    return_id,
    us_phone,
)

pytestmark = pytest.mark.unit


# --- redact ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        "4821",
        "4 8 2 1",
        "48-21",
        "four eight two one",
        "Four, Eight, Two, One",
        "1988-04-12",
        "04/12/1988",
        "415-555-0134",
        "4155550134",
        "nineteen eighty eight",
        "April twelfth nineteen eighty-eight",
        "forty eight twenty one",
    ],
)
def test_redact_removes_identity_digits_however_spoken(secret: str) -> None:
    said = f"sure, it is {secret} thanks"

    cleaned = redact(said)

    assert REDACTED in cleaned
    assert cleaned.startswith("sure, it is ") and cleaned.endswith(" thanks")
    for digit in "0123456789":
        if digit in secret:
            assert digit not in cleaned
    for word in ("four", "eight", "two", "one", "nineteen", "eighty", "twelfth", "forty", "twenty"):
        if word in secret.lower():
            assert word not in cleaned.lower()


def test_redact_removes_every_secret_in_one_utterance() -> None:
    said = "I'm Ava, born 1988-04-12, phone 415-555-0134, my SSN ends four eight two one, card 7702."

    assert redact(said) == ("I'm Ava, born [redacted], phone [redacted], my SSN ends [redacted], card [redacted].")


@pytest.mark.parametrize(
    "business_id", ["ORD-100101", "RET-500001", "TCK-900001", "DLV-700001", "CUS-1001", "FSH-2001"]
)
def test_redact_keeps_business_identifiers(business_id: str) -> None:
    said = f"about {business_id}, and my last four are 4821"

    assert redact(said) == f"about {business_id}, and my last four are [redacted]"


@pytest.mark.parametrize(
    "harmless", ["I want to return my jacket", "it arrived 3 days ago", "two items", "order twenty two", "size 10"]
)
def test_redact_leaves_ordinary_speech_alone(harmless: str) -> None:
    assert redact(harmless) == harmless


@pytest.mark.parametrize("leak", ["my SSN-4821", "pin-4821", "DOB-19880412"])
def test_redact_does_not_mistake_a_labelled_secret_for_a_business_id(leak: str) -> None:
    assert "4821" not in redact(leak) and "1988" not in redact(leak)


def test_redacting_filter_cleans_log_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "marketplace", logging.INFO, __file__, 1, "caller said %s for %s", ("4 8 2 1", "ORD-100101"), None
    )

    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "caller said [redacted] for ORD-100101"


# --- validators --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spoken", "normalised"),
    [
        ("ORD-100101", "ORD-100101"),
        ("ord 100101", "ORD-100101"),
        ("100101", "ORD-100101"),
        ("#100101", "ORD-100101"),
        (" ORD 100 101 ", "ORD-100101"),
        ("ORD-1-0-0-1-0-1", "ORD-100101"),
    ],
)
def test_order_id_normalises_what_the_model_passes(spoken: str, normalised: str) -> None:
    assert order_id(spoken) == normalised


@pytest.mark.parametrize(
    "bad", ["ORD-12", "ORD-1001011", "RET-500001", "", "'; drop table orders;--", "x" * 5000, "ORD-10010A"]
)
def test_order_id_rejects_anything_else_with_an_example(bad: str) -> None:
    with pytest.raises(ToolError) as err:
        order_id(bad)

    assert "Order numbers look like ORD-104233 (six digits)" in err.value.message
    assert len(err.value.message) < 200  # a huge argument is not echoed back in full


@pytest.mark.parametrize(
    ("spoken", "normalised"), [("RET-500001", "RET-500001"), ("ret 500 001", "RET-500001"), ("500001", "RET-500001")]
)
def test_return_id_normalises(spoken: str, normalised: str) -> None:
    assert return_id(spoken) == normalised


@pytest.mark.parametrize("bad", ["RET-1", "ORD-100101", "", "x" * 5000])
def test_return_id_rejects_anything_else(bad: str) -> None:
    with pytest.raises(ToolError, match="Return numbers look like RET-512345"):
        return_id(bad)


def test_iso_date_parses_the_documented_format() -> None:
    assert iso_date(" 1988-04-12 ") == dt.date(1988, 4, 12)


@pytest.mark.parametrize("bad", ["12/04/1988", "1988-13-45", "", "April 12 1988", "1988-02-30", "tomorrow"])
def test_iso_date_rejects_spoken_or_impossible_dates(bad: str) -> None:
    with pytest.raises(ToolError) as err:
        iso_date(bad, field="date of birth")

    assert err.value.message.startswith("The date of birth ")
    assert "Use YYYY-MM-DD, e.g. 1990-01-31" in err.value.message


@pytest.mark.parametrize(
    "spoken",
    ["4155550134", "415 555 0134", "(415) 555-0134", "415.555.0134", "+1 415 555 0134", "1-415-555-0134"],
)
def test_us_phone_normalises_to_e164(spoken: str) -> None:
    assert us_phone(spoken) == "+14155550134"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("12", "has 10 digits; I got 2"),
        ("41555501345", "has 10 digits; I got 11"),
        ("555-CALL-NOW", "That is not a phone number"),
        ("4" * 200, "That is not a phone number"),
        ("", "has 10 digits; I got 0"),
        ("+44 20 7946 0958", "has 10 digits; I got 12"),
    ],
)
def test_us_phone_rejects_with_a_reason(bad: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        us_phone(bad)


@pytest.mark.parametrize("bad", ["015 555 0134", "115 555 0134"])
def test_us_phone_explains_a_bad_area_code(bad: str) -> None:
    with pytest.raises(ToolError) as err:
        us_phone(bad)

    assert "I got 10" not in err.value.message


def test_digits_grouped_reads_a_number_back_digit_by_digit() -> None:
    assert digits_grouped("+14155550134") == "4 1 5, 5 5 5, 0 1 3 4"


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("Ava", "Ava"),
        ("  ava  ", "ava"),
        ("Mary  Jane", "Mary Jane"),
        ("Anne-Marie", "Anne-Marie"),
        ("O'Brien", "O'Brien"),
        ("José", "José"),
    ],
)
def test_person_name_accepts_names(said: str, name: str) -> None:
    assert person_name(said) == name


@pytest.mark.parametrize("bad", ["", "   ", "R2D2", "Ava!", "A" * 41, "'; drop table customers;--", "--", "Ava_"])
def test_person_name_rejects_non_names(bad: str) -> None:
    with pytest.raises(ToolError, match="does not sound like a first name"):
        person_name(bad)


def test_free_text_collapses_whitespace_and_bounds_length() -> None:
    assert free_text("  too \n small  ", field="reason") == "too small"
    assert free_text("x" * MAX_FREE_TEXT, field="reason") == "x" * MAX_FREE_TEXT
    with pytest.raises(ToolError, match="The reason is empty"):
        free_text(" \t\n", field="reason")
    with pytest.raises(ToolError, match="The reason is too long; summarise it in under 300 characters"):
        free_text("x" * (MAX_FREE_TEXT + 1), field="reason")
    with pytest.raises(ToolError, match="under 2 characters"):
        free_text("California", field="state", max_len=2)


# --- explicit yes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["yes please", "Yes.", "yeah go ahead", "correct", "sure", "that's right", "OK", "confirmed", "absolutely"]
)
def test_a_clear_yes_is_yes(said: str) -> None:
    assert classify_yes_no(said) is YesNo.YES


@pytest.mark.parametrize(
    "said",
    [
        "no, wait",
        "yes but don't",
        "yes but dont",
        "yes, wait a second",
        "not sure",
        "yes? actually, cancel",
        "stop",
        "never mind",
        "",
        "maybe",
        "what's the fee?",
        "yesterday",
    ],
)
def test_anything_hedged_or_negative_is_not_yes(said: str) -> None:
    assert classify_yes_no(said) is not YesNo.YES


@pytest.mark.parametrize("said", ["yes but don’t", "okay, hold on", "I can't say yes to that"])
def test_other_spellings_of_a_negation_are_not_yes(said: str) -> None:
    assert classify_yes_no(said) is not YesNo.YES
