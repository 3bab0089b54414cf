"""A small model echoes its system notes; the echo is withheld, the question the note quotes is not."""

from __future__ import annotations

import pytest

from agents.speech_guard import SpeechGuard
from agents.steps.verification import STEPS
from call.context import AuthStep

pytestmark = pytest.mark.unit


def test_an_echoed_step_note_is_withheld_but_its_quoted_question_is_spoken() -> None:
    note = STEPS[AuthStep.FIRST_NAME].model_note(None)  # type: ignore[arg-type]
    guard = SpeechGuard(notes=[note])
    spoken = guard.feed("Verification is in progress and code collects the details. May I have your first name? ")
    assert spoken == "May I have your first name? "
    assert guard.dropped == 1


def test_short_or_unrelated_sentences_pass() -> None:
    guard = SpeechGuard(notes=["The caller is verified. Find out what they need."])
    assert guard.feed("Sure. What do you need today? ") == "Sure. What do you need today? "
    assert guard.dropped == 0


def test_a_sentence_copied_from_the_agent_prompt_is_withheld() -> None:
    from agents.prompts import prompt

    guard = SpeechGuard(notes=[prompt("fashion")])
    line = next(s for s in prompt("fashion").replace("\n", " ").split(". ") if len(s.split()) >= 6)
    assert guard.feed(f"Happy to help. {line}. What are you looking for? ") == (
        "Happy to help. What are you looking for? "
    )


def test_the_held_write_output_echoed_by_the_model_is_withheld() -> None:
    """Found by the local-model evals: the model re-spoke the second sentence of a held write's output."""
    from tools.writes import HELD

    guard = SpeechGuard()
    assert guard.feed(f"{HELD} Is there anything else? ") == "Is there anything else? "
    assert guard.dropped == 2
    # ordinary speech about tools is left alone
    assert guard.feed("Is the tool box in stock? ") == "Is the tool box in stock? "
