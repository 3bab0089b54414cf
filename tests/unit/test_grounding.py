"""Grounding: values the model extracts (a new address) must occur in what the caller said."""

from __future__ import annotations

import pytest

from call.context import CustomerContext
from call.parse import spoken_digits
from tools.grounding import caller_said_digits, caller_said_state, caller_said_words

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("four one five, five five five, zero one three four", "4155550134"),
        ("It's 415-555-0134", "4155550134"),
        ("oh one double three", "01" + "33"),
        ("triple seven 2", "7772"),
        ("one, oh, oh, one", "1001"),
        ("eight nine five oh one", "89501"),
        ("no digits here", ""),
    ],
)
def test_spoken_digits(text: str, digits: str) -> None:
    assert spoken_digits(text) == digits


def _ctx(*turns: str) -> CustomerContext:
    ctx = CustomerContext(services=None)  # type: ignore[arg-type]  # grounding never touches services
    for t in turns:
        ctx.record_user_turn(t)
    return ctx


def test_digits_must_be_contiguous_and_recent() -> None:
    ctx = _ctx("my zip is eight nine", "five oh one")
    assert caller_said_digits(ctx, "89501")
    assert not caller_said_digits(ctx, "89502")
    assert not caller_said_digits(ctx, "")
    for filler in ("a", "b", "c"):  # only the last three turns count
        ctx.record_user_turn(filler)
    assert not caller_said_digits(ctx, "89501")


@pytest.mark.parametrize(
    ("turns", "value", "said"),
    [
        (("It's 12 Oak Avenue in Reno",), "12 Oak Avenue", True),
        (("twelve oak avenue",), "12 Oak Avenue", True),
        (("It's 12 Oak Avenue in Reno",), "Reno", True),
        (("It's 12 Oak Avenue in Reno",), "14 Oak Avenue", False),
        (("It's 12 Oak Avenue in Reno",), "12 Elm Street", False),
        (("I moved to Reno",), "1 Main Street", False),
        (("I moved",), "", False),
    ],
)
def test_words_and_house_numbers_must_be_said(turns: tuple[str, ...], value: str, said: bool) -> None:
    assert caller_said_words(_ctx(*turns), value) is said


@pytest.mark.parametrize(
    ("turns", "code", "said"),
    [
        (("Reno, Nevada",), "NV", True),
        (("Reno, NV 89501",), "NV", True),
        (("Reno, N V",), "NV", True),
        (("new york city",), "NY", True),
        (("Reno",), "NV", False),
        (("Reno, Nevada",), "CA", False),
    ],
)
def test_state_by_name_or_code(turns: tuple[str, ...], code: str, said: bool) -> None:
    assert caller_said_state(_ctx(*turns), code) is said
