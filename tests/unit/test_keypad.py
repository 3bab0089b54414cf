"""The keypad: the collector's rules (digits, ``#``, the per-key timeout, speech, ``*`` and other keys), what
an entry stands for (:mod:`call.keypad`), and the keypad answer to a pending action (one mechanism with speech)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from agents.keypad import KeypadCollector
from call.answers import YesNo
from call.confirmation import PendingAction, Verdict, resolve, resolve_keypad
from call.keypad import (
    MAX_KEYS,
    KeypadEntry,
    keyed_answer,
    keyed_date,
    keyed_last_four,
    keyed_secret_kind,
    keyed_yes_no,
    read_back_hint,
)
from call.parse import parse_date, parse_last_four

pytestmark = pytest.mark.unit

TIMEOUT_S = 0.05
TODAY = dt.date(2026, 11, 18)


class Entries:
    """The collector's output, with a way to wait for the next entry."""

    def __init__(self) -> None:
        self.got: list[KeypadEntry] = []
        self._arrived = asyncio.Event()

    def __call__(self, entry: KeypadEntry) -> None:
        self.got.append(entry)
        self._arrived.set()

    async def wait(self) -> KeypadEntry:
        await asyncio.wait_for(self._arrived.wait(), 2.0)
        self._arrived.clear()
        return self.got[-1]


def press(collector: KeypadCollector, keys: str) -> None:
    for key in keys:
        collector.press(key)


# --- the collector -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pound_submits_at_once_with_every_digit_in_order() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=60.0)  # only "#" can submit within the test
    before = time.monotonic()
    press(collector, "0412")
    assert collector.held_keys == 4 and entries.got == []
    press(collector, "1988#")
    entry = await entries.wait()
    assert entry.keys == "04121988" and not entry.too_long
    assert before <= entry.keyed_at <= time.monotonic()
    assert collector.held_keys == 0 and not collector.submit_pending


@pytest.mark.asyncio
async def test_a_pause_after_the_last_key_submits_the_entry() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=TIMEOUT_S)
    press(collector, "1")
    await asyncio.sleep(TIMEOUT_S / 3)
    press(collector, "2")  # each key restarts the per-key timer
    await asyncio.sleep(TIMEOUT_S / 2)
    assert entries.got == [], "submitted before the per-key timeout after the last key"
    entry = await entries.wait()
    assert entry.keys == "12"
    await asyncio.sleep(TIMEOUT_S * 2)
    assert len(entries.got) == 1, "one entry, submitted once"


@pytest.mark.asyncio
async def test_caller_speech_cancels_the_pending_submit_until_they_stop() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=TIMEOUT_S)
    press(collector, "4821")
    assert collector.submit_pending
    collector.hold("caller")  # the caller starts speaking
    assert not collector.submit_pending
    press(collector, "1")  # a key while someone speaks does not start the timer either
    await asyncio.sleep(TIMEOUT_S * 3)
    assert entries.got == [] and collector.held_keys == 5
    collector.hold("agent")
    collector.release("caller")  # the agent still speaks: nothing yet
    await asyncio.sleep(TIMEOUT_S * 3)
    assert entries.got == []
    collector.release("agent")
    assert (await entries.wait()).keys == "48211"


@pytest.mark.asyncio
async def test_pound_submits_even_while_someone_speaks() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=60.0)
    collector.hold("agent")
    press(collector, "1#")
    assert (await entries.wait()).keys == "1"


@pytest.mark.asyncio
async def test_star_clears_and_letters_and_unknown_keys_are_ignored() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=60.0)
    press(collector, "99*")
    assert collector.held_keys == 0 and not collector.submit_pending
    press(collector, "1A2B3CD4")
    collector.press("x")
    collector.press("")
    collector.press("11")
    press(collector, "#")
    assert (await entries.wait()).keys == "1234"


@pytest.mark.asyncio
async def test_pound_alone_or_after_star_submits_nothing() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=TIMEOUT_S)
    press(collector, "#")
    press(collector, "12*#")
    await asyncio.sleep(TIMEOUT_S * 3)
    assert entries.got == []


@pytest.mark.asyncio
async def test_thirty_digits_are_one_entry_too_long_with_bounded_keys() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=60.0)
    press(collector, "1234567890" * 3)
    assert collector.held_keys == MAX_KEYS
    press(collector, "#")
    entry = await entries.wait()
    assert entry.too_long and entry.keys == ("1234567890" * 2)[:MAX_KEYS] and entry.usable == ""
    assert len(entries.got) == 1


@pytest.mark.asyncio
async def test_clear_drops_a_pending_submit() -> None:
    entries = Entries()
    collector = KeypadCollector(entries, timeout_s=TIMEOUT_S)
    press(collector, "12")
    collector.clear()
    await asyncio.sleep(TIMEOUT_S * 3)
    assert entries.got == [] and collector.held_keys == 0


def test_bad_collector_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        KeypadCollector(lambda e: None, timeout_s=0)
    with pytest.raises(ValueError):
        KeypadCollector(lambda e: None, max_keys=MAX_KEYS + 1)


# --- what an entry stands for ------------------------------------------------------------------------


def test_an_entry_holds_digits_only_and_never_shows_them() -> None:
    entry = KeypadEntry("48211")
    assert "4821" not in repr(entry) and "4821" not in str(entry)
    for bad in ("12#", "1*", "４８２１", "12 3", "1" * (MAX_KEYS + 1)):
        with pytest.raises(ValueError):
            KeypadEntry(bad)


@pytest.mark.parametrize(
    ("keys", "words"),
    [("04121988", "1988-04-12"), ("12311999", "1999-12-31"), ("0412198", None), ("041219880", None),
     ("13121988", None), ("00121988", None), ("04001988", None), ("04321988", None)],
)  # fmt: skip
def test_a_keyed_date_is_month_day_year(keys: str, words: str | None) -> None:
    assert keyed_date(KeypadEntry(keys)) == words


def test_a_keyed_date_is_read_by_the_same_parser_as_speech() -> None:
    assert parse_date(keyed_date(KeypadEntry("04121988")) or "", today=TODAY) == dt.date(1988, 4, 12)
    # The shape passes, the date does not exist: the speech parser refuses it as it would a spoken one.
    assert parse_date(keyed_date(KeypadEntry("02301988")) or "", today=TODAY) is None
    assert keyed_date(KeypadEntry("04121988", too_long=True)) is None


@pytest.mark.parametrize(
    ("keys", "words", "digits", "kind"),
    [
        ("4821", "4821", "4821", None),
        ("48211", "4821 social security", "4821", "ssn"),
        ("77022", "7702 card", "7702", "card"),
        ("11111", "1111 social security", "1111", "ssn"),
    ],
)
def test_keyed_last_four_and_which(keys: str, words: str, digits: str, kind: str | None) -> None:
    said = keyed_last_four(KeypadEntry(keys))
    assert said == words
    parsed = parse_last_four(said)
    assert parsed is not None and parsed.digits == digits and parsed.kind == kind


@pytest.mark.parametrize("keys", ["482", "48213", "482110", "", "1"])
def test_other_last_four_entries_stand_for_nothing(keys: str) -> None:
    assert keyed_last_four(KeypadEntry(keys)) is None


def test_yes_no_and_which_secret_keys() -> None:
    assert [keyed_yes_no(KeypadEntry(k)) for k in ("1", "2", "3", "11", "")] == ["yes", "no", "", "", ""]
    assert [keyed_secret_kind(KeypadEntry(k)) for k in ("1", "2", "3")] == ["social security", "card", None]
    assert keyed_yes_no(KeypadEntry("1", too_long=True)) == ""


def test_keyed_answers_to_a_pending_action() -> None:
    assert keyed_answer(KeypadEntry("1"), step_up=False) == "yes"
    assert keyed_answer(KeypadEntry("2"), step_up=False) == "no"
    assert keyed_answer(KeypadEntry("4821"), step_up=False) == ""
    assert keyed_answer(KeypadEntry("4821"), step_up=True) == "4821"
    assert keyed_answer(KeypadEntry("1"), step_up=True) == "", "a step-up wants the digits, not a yes"
    assert keyed_answer(KeypadEntry("2"), step_up=True) == "no"
    assert keyed_answer(KeypadEntry("482"), step_up=True) == ""


def test_read_back_hints() -> None:
    assert read_back_hint(step_up=False) == "Press 1 to confirm, or 2 to change."
    assert "pound key" in read_back_hint(step_up=True)


# --- the keypad answer to a pending action -----------------------------------------------------------


async def _noop() -> str:
    return "done"


def _action(*, step_up: bool = False, turn: int = 3) -> PendingAction:
    return PendingAction(
        name="initiate_return",
        arguments={},
        read_back="Shall I?",
        execute=_noop,
        proposed_at_turn=turn,
        step_up=step_up,
    )


def _after(action: PendingAction, keys: str) -> KeypadEntry:
    return KeypadEntry(keys, keyed_at=action.proposed_monotonic + 0.5)


def test_one_confirms_two_changes_like_yes_and_no() -> None:
    action = _action()
    outcome = resolve_keypad(action, _after(action, "1"), user_turn=4)
    assert outcome.verdict is Verdict.EXECUTE and outcome.answer is YesNo.YES
    action = _action()
    outcome = resolve_keypad(action, _after(action, "2"), user_turn=4)
    assert outcome.verdict is Verdict.VOIDED and outcome.answer is YesNo.NO


def test_other_keys_are_unclear_asked_again_once_then_void() -> None:
    action = _action()
    assert resolve_keypad(action, _after(action, "9"), user_turn=4).verdict is Verdict.REASK
    assert resolve_keypad(action, _after(action, "123"), user_turn=5).verdict is Verdict.VOIDED
    # the same counter as speech: one unclear spoken answer and one unclear keyed answer void it too
    action = _action()
    assert resolve(action, "hmm", user_turn=4).verdict is Verdict.REASK
    assert resolve_keypad(action, _after(action, "7"), user_turn=5).verdict is Verdict.VOIDED


def test_step_up_takes_the_four_keyed_digits() -> None:
    action = _action(step_up=True)
    outcome = resolve_keypad(action, _after(action, "6604"), user_turn=4)
    assert outcome.verdict is Verdict.EXECUTE and outcome.last_four == "6604"
    action = _action(step_up=True)
    assert resolve_keypad(action, _after(action, "1"), user_turn=4).verdict is Verdict.REASK
    assert resolve_keypad(action, _after(action, "2"), user_turn=5).verdict is Verdict.VOIDED
    action = _action(step_up=True)
    entry = KeypadEntry("6604", keyed_at=action.proposed_monotonic + 1, too_long=True)
    assert resolve_keypad(action, entry, user_turn=4).verdict is Verdict.REASK


def test_keys_pressed_before_the_action_was_proposed_are_not_an_answer() -> None:
    early = KeypadEntry("1")
    action = _action()
    assert early.keyed_at < action.proposed_monotonic
    outcome = resolve_keypad(action, early, user_turn=4)
    assert outcome.verdict is Verdict.NOT_AN_ANSWER and action.reasks == 0
    # ... nor are keys in the turn that proposed it
    assert resolve_keypad(action, _after(action, "1"), user_turn=3).verdict is Verdict.NOT_AN_ANSWER
