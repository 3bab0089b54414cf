"""Grounding: identity values must occur in what the caller said."""

from __future__ import annotations

import pytest

from call.context import CustomerContext
from tools.grounding import caller_said_digits, caller_said_name, spoken_digits

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("four one five, five five five, zero one three four", "4155550134"),
        ("It's 415-555-0134", "4155550134"),
        ("oh one double three", "01" + "33"),
        ("triple seven 2", "7772"),
        ("one, oh, oh, one", "1001"),
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
    ctx = _ctx("my number is four one five", "five five five oh one three four")
    assert caller_said_digits(ctx, "4155550134")
    assert not caller_said_digits(ctx, "4155550135")
    assert not caller_said_digits(ctx, "")
    for filler in ("a", "b", "c"):  # only the last three turns count
        ctx.record_user_turn(filler)
    assert not caller_said_digits(ctx, "4155550134")


@pytest.mark.parametrize(
    ("turns", "name", "said"),
    [
        (("My first name is Ava.",), "Ava", True),
        (("it's spelled A V A",), "Ava", True),
        (("A-V-A",), "ava", True),
        (("I'm calling about a jacket",), "John", False),
        (("Savannah here",), "Ava", False),
    ],
)
def test_names_as_words_or_spelled(turns: tuple[str, ...], name: str, said: bool) -> None:
    assert caller_said_name(_ctx(*turns), name) is said
