"""A text-to-speech model of LiveKit's exact ``tts.TTS`` interface that speaks silence.

For tests and benchmarks that need the audio path of a session (``session.say`` requires a TTS)
without the cost of a real voice: each line becomes silence whose length follows the text, after an
optional time to first byte, in 100 ms pieces as a streaming provider sends them (a cloud TTS is what
production uses, and it cannot run here). Tests that need real speech use Piper
(:mod:`worker.offline.speech`).
"""

from __future__ import annotations

import asyncio

from livekit.agents import APIConnectOptions, tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

SAMPLE_RATE = 16_000
"""Hz, mono int16, by default (what telephony and most cloud voices deliver)."""
MS_PER_CHARACTER = 2.0
"""Milliseconds of silence per character by default: short, so a test's calls play out quickly."""
PIECE_S = 0.1
"""Seconds of audio per pushed piece."""


class SilentTTS(tts.TTS):
    """Non-streaming TTS: ``len(text) * ms_per_char`` ms of silence per line (at least ``min_ms``).

    Args:
        sample_rate: Hz of the audio (mono int16).
        ms_per_char: Milliseconds of audio per character of text (65 ≈ 150 words a minute).
        min_ms: Shortest line, in milliseconds.
        ttfb_s: Seconds before the first audio (a provider's time to first byte).

    Attributes:
        spoken: Every text synthesised, in order.
    """

    def __init__(
        self,
        *,
        sample_rate: int = SAMPLE_RATE,
        ms_per_char: float = MS_PER_CHARACTER,
        min_ms: float = 20.0,
        ttfb_s: float = 0.0,
    ) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=sample_rate, num_channels=1)
        self.ms_per_char = ms_per_char
        self.min_ms = min_ms
        self.ttfb_s = ttfb_s
        self.spoken: list[str] = []

    @property
    def model(self) -> str:
        """Model identifier used in metrics."""
        return "silent"

    @property
    def provider(self) -> str:
        """Provider identifier used in metrics."""
        return "test"

    def seconds_for(self, text: str) -> float:
        """Seconds of audio a line of ``text`` gets."""
        return max(self.min_ms, len(text) * self.ms_per_char) / 1000

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        """Silence for ``text`` (see the class docstring)."""
        self.spoken.append(text)
        return _SilentStream(tts=self, input_text=text, conn_options=conn_options)


class _SilentStream(tts.ChunkedStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        owner = self._tts
        assert isinstance(owner, SilentTTS)
        rate = owner.sample_rate
        output_emitter.initialize(
            request_id=utils.shortuuid("silent_"), sample_rate=rate, num_channels=1, mime_type="audio/pcm"
        )
        if owner.ttfb_s > 0:
            await asyncio.sleep(owner.ttfb_s)
        samples = int(rate * owner.seconds_for(self.input_text))
        piece = int(rate * PIECE_S)
        for start in range(0, samples, piece):
            output_emitter.push(bytes(2 * min(piece, samples - start)))
