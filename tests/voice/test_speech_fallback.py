"""The cloud profile's STT and TTS fallbacks on real audio: the primary fails, the second one serves.

The primaries are fakes of the exact ``stt.STT`` / ``tts.TTS`` interfaces that fail as a cloud
provider does (the streaming connection is refused). The second providers are real and offline,
and have the production fallbacks' shape: non-streaming (like OpenAI transcription and OpenAI
TTS), so LiveKit's adapters wrap them (``stt.StreamAdapter`` with the real Silero VAD,
``tts.StreamAdapter`` with a sentence tokenizer) and resample. The adapters are configured by
:func:`worker.providers.stt_fallback` / :func:`worker.providers.tts_fallback`, as in production.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import DEFAULT_API_CONNECT_OPTIONS, APIConnectionError, APIConnectOptions, stt, tts, utils
from livekit.agents.types import NOT_GIVEN, NotGivenOr

from worker.offline.speech import PiperTTS, WhisperSTT, read_wav
from worker.providers import load_vad, stt_fallback, tts_fallback

pytestmark = [pytest.mark.voice, pytest.mark.asyncio]

CALL = Path(__file__).resolve().parents[2] / "samples" / "calls" / "return_jacket"


class DownSTT(stt.STT):
    """A streaming cloud STT whose connection is refused (Deepgram's interface and capabilities)."""

    def __init__(self) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=True, interim_results=True))
        self.attempts = 0

    @property
    def model(self) -> str:
        return "down-stt"

    async def _recognize_impl(
        self, buffer: utils.AudioBuffer, *, language: NotGivenOr[str] = NOT_GIVEN, conn_options: APIConnectOptions
    ) -> stt.SpeechEvent:
        self.attempts += 1
        raise APIConnectionError("connection refused")

    def stream(
        self, *, language: NotGivenOr[str] = NOT_GIVEN, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> stt.RecognizeStream:
        self.attempts += 1
        return _DownRecognizeStream(stt=self, conn_options=conn_options)


class _DownRecognizeStream(stt.RecognizeStream):
    async def _run(self) -> None:
        raise APIConnectionError("websocket closed: 1011")


class DownTTS(tts.TTS):
    """A streaming cloud TTS whose connection is refused (ElevenLabs' interface; 24 kHz so the adapter resamples)."""

    def __init__(self) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=True), sample_rate=24000, num_channels=1)
        self.attempts = 0

    @property
    def model(self) -> str:
        return "down-tts"

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        self.attempts += 1
        return _DownChunkedStream(tts=self, input_text=text, conn_options=conn_options)

    def stream(self, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS) -> tts.SynthesizeStream:
        self.attempts += 1
        return _DownSynthesizeStream(tts=self, conn_options=conn_options)


class _DownChunkedStream(tts.ChunkedStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        raise APIConnectionError("connection refused")


class _DownSynthesizeStream(tts.SynthesizeStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        raise APIConnectionError("websocket closed: 1011")


@pytest.fixture(scope="module")
def whisper_model() -> Any:
    return WhisperSTT.load_model()


@pytest.fixture(scope="module")
def piper_voice() -> Any:
    return PiperTTS.load_voice()


def _frames(samples: np.ndarray, rate: int, frame_ms: int = 20) -> list[rtc.AudioFrame]:
    step = rate * frame_ms // 1000
    return [
        rtc.AudioFrame(np.ascontiguousarray(samples[i : i + step]).tobytes(), rate, 1, len(samples[i : i + step]))
        for i in range(0, len(samples), step)
    ]


async def test_stt_fallback_transcribes_the_caller_with_the_second_stt(whisper_model: Any) -> None:
    primary = DownSTT()
    adapter = stt_fallback(primary, WhisperSTT(model=whisper_model), vad_model=load_vad())
    changes: list[tuple[str, bool]] = []
    adapter.on("stt_availability_changed", lambda ev: changes.append((ev.stt.model, ev.available)))

    samples, rate = read_wav(CALL / "06.wav")  # "The last four of my social security number are 4821."
    silence = np.zeros(rate, dtype=np.int16)
    stream = adapter.stream()
    stream.push_frame(_frames(silence, rate)[0])
    for _ in range(100):  # the primary's stream is refused at connection
        if changes:
            break
        await asyncio.sleep(0.01)
    assert changes == [("down-stt", False)]

    for frame in _frames(np.concatenate([silence, samples, silence, silence]), rate):
        stream.push_frame(frame)
        await asyncio.sleep(0)
    stream.end_input()
    finals = []
    async with asyncio.timeout(30):
        async for ev in stream:
            if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT and ev.alternatives[0].text:
                finals.append(ev.alternatives[0].text)
    await stream.aclose()
    await adapter.aclose()

    text = " ".join(finals)
    assert "social security" in text.lower() and "4821" in "".join(c for c in text if c.isdigit()), text
    assert primary.attempts >= 1


@pytest.mark.parametrize("mode", ["stream", "synthesize"])
async def test_tts_fallback_speaks_the_line_with_the_second_tts(
    piper_voice: Any, whisper_model: Any, mode: str
) -> None:
    primary = DownTTS()
    adapter = tts_fallback(primary, PiperTTS(voice=piper_voice))
    changes: list[tuple[str, bool]] = []
    adapter.on("tts_availability_changed", lambda ev: changes.append((ev.tts.model, ev.available)))
    assert adapter.capabilities.streaming and adapter.sample_rate == 24000  # Piper's 22.05 kHz is resampled

    line = "Thanks for calling. I can help you return that jacket."
    if mode == "stream":  # what an AgentSession does (the adapter is streaming)
        stream = adapter.stream()
        for word in line.split(" "):
            stream.push_text(word + " ")
        stream.end_input()
        frames = [ev.frame async for ev in stream]
        await stream.aclose()
        audio = rtc.combine_audio_frames(frames)
    else:
        audio = await adapter.synthesize(line).collect()
    await adapter.aclose()

    assert changes == [("down-tts", False)] and primary.attempts >= 1
    assert audio.sample_rate == 24000 and 1.0 < audio.duration < 8.0
    assert np.abs(np.frombuffer(audio.data, np.int16)).max() > 3000, "not silence"
    heard = (await WhisperSTT(model=whisper_model).recognize(audio)).alternatives[0].text.lower()
    assert "jacket" in heard and "return" in heard, heard
