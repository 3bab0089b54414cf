"""An unrecoverable provider error: the pre-recorded apology is played (its frames reach the speaker, no
TTS involved), then a phone caller is handed to a person, or the call ends."""

from __future__ import annotations

import asyncio
import time
import wave

import pytest
from livekit.agents import APIStatusError
from livekit.agents.llm import ChatMessage, LLMError
from livekit.agents.voice.events import ErrorEvent

from call.context import CustomerContext
from call.phone_line import TransferFailedError
from tests.flows.fake_audio import AudioCall, audio_call
from tests.flows.fake_line import NUMBER, FakePhoneLine, target
from worker.provider_errors import APOLOGY_END, APOLOGY_TRANSFER, ASSET_SAMPLE_RATE
from worker.testing import BreakableLLM

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]


def failing_llm() -> BreakableLLM:
    """A model whose every request fails with a non-retryable error (an invalid key: HTTP 401)."""
    return BreakableLLM([], error=lambda: APIStatusError("invalid api key", status_code=401), broken=True)


def _wav_seconds(path: object) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def _prepare(line: FakePhoneLine | None, *, number: bool) -> object:
    def prepare(ctx: CustomerContext) -> None:
        ctx.phone_line = line
        ctx.human_transfer = target("cold") if number else None

    return prepare


async def _until(check: object, what: str) -> None:
    for _ in range(300):
        if callable(check) and check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _agent_lines(call: AudioCall) -> list[str]:
    return [
        m.text_content or "" for m in call.session.history.items if isinstance(m, ChatMessage) and m.role == "assistant"
    ]


@pytest.mark.parametrize("path", [APOLOGY_END.wav, APOLOGY_TRANSFER.wav])
async def test_the_recorded_apologies_are_short_16khz_mono_wavs(path: object) -> None:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, ASSET_SAMPLE_RATE)
    assert 3.0 < _wav_seconds(path) < 9.0


async def test_the_apology_is_played_then_the_call_ends(db_url: str) -> None:
    """No number configured: the recorded apology, then the session closes and the line hangs up."""
    line = FakePhoneLine()
    async with audio_call(db_url, failing_llm(), prepare=_prepare(line, number=False)) as call:
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        assert line.calls == [("hang_up",)]
        assert _agent_lines(call) == [APOLOGY_END.text]
        apology = call.speaker.segments[-1]
        assert apology.seconds == pytest.approx(_wav_seconds(APOLOGY_END.wav), abs=0.05), "the WAV's frames were played"
        assert apology.finished <= line.times[-1]
        assert call.userdata.ended_by == "error"


async def test_a_phone_caller_hears_the_apology_and_is_handed_to_a_person(db_url: str) -> None:
    line = FakePhoneLine()
    async with audio_call(db_url, failing_llm(), prepare=_prepare(line, number=True)) as call:
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        assert line.calls == [("cold", NUMBER), ("hang_up",)]
        assert _agent_lines(call) == [APOLOGY_TRANSFER.text]
        assert call.speaker.seconds_pushed == pytest.approx(_wav_seconds(APOLOGY_TRANSFER.wav), abs=0.05)
        assert call.speaker.segments[-1].finished <= line.times[0], "the apology played before the transfer"
        assert call.userdata.actions == ["Transferred to a person after a technical problem (cold transfer)"]
        assert call.userdata.ended_by == "transfer"


async def test_a_failed_transfer_after_the_apology_ends_the_call(db_url: str) -> None:
    line = FakePhoneLine(cold_error=TransferFailedError("SIP 486 busy"))
    async with audio_call(db_url, failing_llm(), prepare=_prepare(line, number=True)) as call:
        await _until(lambda: "hang_up" in line.kinds(), "the hang-up")
        assert line.kinds() == ["cold", "hang_up"]
        assert call.userdata.ended_by == "error"


async def test_a_recoverable_error_changes_nothing(db_url: str) -> None:
    """A provider error LiveKit will retry is not the end of the call."""
    from worker.testing import Reply, ScriptedLLM

    model = ScriptedLLM([Reply.say("Order tracking here.")])
    line = FakePhoneLine()
    async with audio_call(db_url, model, prepare=_prepare(line, number=True)) as call:
        await call.session.wait_for_idle()
        error = LLMError(
            timestamp=time.time(), label="scripted", error=APIStatusError("busy", status_code=503), recoverable=True
        )
        call.session.emit("error", ErrorEvent(error=error, source=model))
        await asyncio.sleep(0.3)
        assert line.calls == [] and call.userdata.ended_by is None
        assert _agent_lines(call) == ["Order tracking here."]
