"""The pending-action resolution, including step-up actions answered with the last four digits."""

from __future__ import annotations

import pytest

from call.answers import YesNo
from call.confirmation import MAX_REASKS, PendingAction, Verdict, resolve


async def _noop() -> str:
    return "done"


def action(*, step_up: bool = False) -> PendingAction:
    return PendingAction(name="lock_account", arguments={}, read_back="I'll lock it.", execute=_noop, step_up=step_up)


def test_the_turn_that_proposed_an_action_does_not_answer_it() -> None:
    a = action(step_up=True)
    assert resolve(a, "4 8 2 1", user_turn=0).verdict is Verdict.NOT_AN_ANSWER


@pytest.mark.parametrize(
    ("said", "digits"),
    [("4 8 2 1", "4821"), ("it's four eight two one", "4821"), ("the last four of my card are 7702", "7702")],
)
def test_step_up_proceeds_only_with_four_digits_which_are_handed_back_for_checking(said: str, digits: str) -> None:
    outcome = resolve(action(step_up=True), said, user_turn=1)
    assert outcome.verdict is Verdict.EXECUTE
    assert outcome.last_four == digits


@pytest.mark.parametrize("said", ["yes", "yes please go ahead", "sure, do it"])
def test_a_plain_yes_does_not_pass_a_step_up(said: str) -> None:
    a = action(step_up=True)
    first = resolve(a, said, user_turn=1)
    assert first.verdict is Verdict.REASK and first.last_four is None
    assert resolve(a, said, user_turn=2).verdict is Verdict.VOIDED
    assert a.reasks == MAX_REASKS


@pytest.mark.parametrize("said", ["no", "no, don't lock it", "actually no"])
def test_a_no_voids_a_step_up_at_once(said: str) -> None:
    outcome = resolve(action(step_up=True), said, user_turn=1)
    assert outcome.verdict is Verdict.VOIDED and outcome.answer is YesNo.NO


@pytest.mark.parametrize("said", ["4 8 2", "4 8 2 1 5", "my birthday is April 12"])
def test_step_up_needs_exactly_four_digits(said: str) -> None:
    outcome = resolve(action(step_up=True), said, user_turn=1)
    assert outcome.verdict is not Verdict.EXECUTE


def test_digits_are_not_a_yes_for_an_ordinary_write() -> None:
    outcome = resolve(action(), "4 8 2 1", user_turn=1)
    assert outcome.verdict is Verdict.REASK
    assert outcome.last_four is None
