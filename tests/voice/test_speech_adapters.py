"""WhisperSTT and PiperTTS on real audio: the bundled caller recordings, a Piper round trip, and both
adapters inside a real AgentSession (no LLM, no room) with the WAV caller and speaker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import Agent, AgentSession, llm, stt, tts

from worker.offline.speech import (
    PiperTTS,
    WavAgentOutput,
    WavCallerInput,
    WhisperSTT,
    read_wav,
    resample_int16,
)

pytestmark = pytest.mark.voice

CALL = Path(__file__).resolve().parents[2] / "samples" / "calls" / "return_jacket"


@pytest.fixture(scope="module")
def whisper_model() -> Any:
    """faster-whisper tiny.en, loaded once for the module (~0.3 s)."""
    return WhisperSTT.load_model()


@pytest.fixture(scope="module")
def piper_voice() -> Any:
    """Piper en_US-joe-medium, loaded once for the module (~1.3 s)."""
    return PiperTTS.load_voice()


def _frames(samples: np.ndarray, rate: int, channels: int = 1, frame_ms: int = 20) -> list[rtc.AudioFrame]:
    step = rate * frame_ms // 1000
    out = []
    for i in range(0, samples.shape[0], step):
        chunk = np.ascontiguousarray(samples[i : i + step])
        out.append(rtc.AudioFrame(chunk.tobytes(), rate, channels, chunk.shape[0]))
    return out


def _text(ev: stt.SpeechEvent) -> str:
    assert ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT
    assert ev.alternatives and ev.alternatives[0].language == "en"
    return ev.alternatives[0].text


# ------------------------------------------------------------------------------------------------
# STT
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_whisper_transcribes_the_caller_recording(whisper_model: Any) -> None:
    whisper = WhisperSTT(model=whisper_model)
    assert not whisper.capabilities.streaming and not whisper.capabilities.interim_results

    samples, rate = read_wav(CALL / "06.wav")  # "The last four of my social security number are 4821."
    assert rate == 16000
    text = _text(await whisper.recognize(_frames(samples, rate)))  # its speed: python -m benchmarks speech
    digits = "".join(ch for ch in text if ch.isdigit())
    assert "social security" in text.lower(), text
    assert "4821" in digits, text


@pytest.mark.asyncio
async def test_whisper_resamples_48k_stereo_input(whisper_model: Any) -> None:
    whisper = WhisperSTT(model=whisper_model)
    samples, rate = read_wav(CALL / "11.wav")  # "Yes, please go ahead."
    up = resample_int16(samples, rate, 48000)
    stereo = np.stack([up, up], axis=1)
    text = _text(await whisper.recognize(_frames(stereo, 48000, channels=2))).lower()
    assert "please" in text and "ahead" in text, text


@pytest.mark.asyncio
async def test_whisper_empty_and_silent_audio_give_empty_text(whisper_model: Any) -> None:
    whisper = WhisperSTT(model=whisper_model)
    assert _text(await whisper.recognize([])) == ""
    assert _text(await whisper.recognize(rtc.AudioFrame(bytes(320), 16000, 1, 160))) == ""  # 10 ms
    assert _text(await whisper.recognize(rtc.AudioFrame(bytes(64000), 16000, 1, 32000))) == ""  # 2 s


# ------------------------------------------------------------------------------------------------
# TTS
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_piper_synthesizes_and_whisper_hears_it(piper_voice: Any, whisper_model: Any) -> None:
    piper = PiperTTS(voice=piper_voice)
    assert not piper.capabilities.streaming
    assert piper.sample_rate == 22050 and piper.num_channels == 1

    text = "Thanks for calling. I can help you return that jacket."
    frame = await piper.synthesize(text).collect()  # its speed: python -m benchmarks speech
    assert frame.sample_rate == 22050 and frame.num_channels == 1
    assert 0.5 < frame.duration < 5.0
    assert np.abs(np.frombuffer(frame.data, np.int16)).max() > 3000, "not silence"

    heard = _text(await WhisperSTT(model=whisper_model).recognize(frame)).lower()
    assert "jacket" in heard and "return" in heard, heard


@pytest.mark.asyncio
async def test_piper_speaks_nothing_speakable_as_short_silence(piper_voice: Any) -> None:
    frame = await PiperTTS(voice=piper_voice).synthesize("**").collect()
    assert 0 < frame.duration <= 0.05


# ------------------------------------------------------------------------------------------------
# Both adapters in a real AgentSession (VAD + StreamAdapter wrapping done by the framework)
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_session_hears_the_caller_and_the_caller_can_barge_in(
    tmp_path: Path, whisper_model: Any, piper_voice: Any
) -> None:
    from livekit.plugins import silero

    caller = WavCallerInput()
    speaker = WavAgentOutput(tmp_path / "agent.wav")
    session: AgentSession[None] = AgentSession(
        stt=WhisperSTT(model=whisper_model),
        tts=PiperTTS(voice=piper_voice),
        vad=silero.VAD.load(),
        aec_warmup_duration=None,  # no echo from a WAV file: allow barge-in at once
    )
    session.input.audio = caller
    session.output.audio = speaker
    agent = _TurnRecorder()

    try:
        await session.start(agent)
        # the caller speaks; the non-streaming STT is wrapped with the VAD by the session
        await caller.play(CALL / "04.wav")  # "Yes, that's right."
        await asyncio.wait_for(agent.committed.wait(), 10.0)
        assert "yes" in agent.user_turns[0].lower(), agent.user_turns

        # the agent answers: Piper -> (resampled to 24 kHz) -> simulated speaker, full playout
        handle = session.say("Great, thank you.")
        await asyncio.wait_for(handle.wait_for_playout(), 10.0)
        assert not handle.interrupted

        # the agent talks on and the caller talks over it: playback is cut short
        handle = session.say(
            "Here is our full return policy. Items can be returned within thirty days of delivery. "
            "They must be unworn, with their tags attached."
        )
        await asyncio.sleep(1.0)
        await caller.play(CALL / "11.wav")  # "Yes, please go ahead."
        await asyncio.wait_for(handle.wait_for_playout(), 10.0)
        assert handle.interrupted
        assert speaker.interruptions == 1
    finally:
        await session.aclose()
        await caller.aclose()
        speaker.close()

    assert speaker.segments_finished >= 2
    audio, rate = read_wav(speaker.path)
    assert rate == 24000 and audio.size / rate == pytest.approx(speaker.seconds_written)
    assert np.abs(audio).max() > 3000, "the agent's speech was recorded"


class _TurnRecorder(Agent):
    """No LLM: the session commits user turns but never replies; record the committed text."""

    def __init__(self) -> None:
        super().__init__(instructions="Speech adapter test.")
        self.user_turns: list[str] = []
        self.committed = asyncio.Event()

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage) -> None:
        self.user_turns.append(new_message.text_content or "")
        self.committed.set()


def test_session_wraps_non_streaming_adapters() -> None:
    """The framework adapters used by AgentSession accept ours (documented in stt_node/tts_node)."""
    from livekit.plugins import silero

    wrapped_stt = stt.StreamAdapter(stt=WhisperSTT(model=object()), vad=silero.VAD.load())
    wrapped_tts = tts.StreamAdapter(tts=PiperTTS(voice=SimpleNamespace(config=SimpleNamespace(sample_rate=22050))))
    assert wrapped_stt.capabilities.streaming and wrapped_tts.capabilities.streaming
    assert wrapped_tts.sample_rate == 22050
