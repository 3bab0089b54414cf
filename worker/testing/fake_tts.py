"""A text-to-speech model of LiveKit's exact ``tts.TTS`` interface that speaks silence.

For tests that need the audio path of a session (``session.say`` requires a TTS) without the
cost of a real voice: each line becomes silence whose length follows the text (a cloud TTS is
what production uses, and it cannot run here). Tests that need real speech use Piper
(:mod:`worker.offline.speech`).
"""

from __future__ import annotations

from livekit.agents import APIConnectOptions, tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

SAMPLE_RATE = 16_000
"""Hz, mono int16 (what telephony and most cloud voices deliver)."""
MS_PER_CHARACTER = 2
"""Milliseconds of silence per character: short, so a test's calls play out quickly."""


class SilentTTS(tts.TTS):
    """Non-streaming TTS: ``len(text) * MS_PER_CHARACTER`` ms of silence per line (at least 20 ms).

    Attributes:
        spoken: Every text synthesised, in order.
    """

    def __init__(self) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=SAMPLE_RATE, num_channels=1)
        self.spoken: list[str] = []

    @property
    def model(self) -> str:
        """Model identifier used in metrics."""
        return "silent"

    @property
    def provider(self) -> str:
        """Provider identifier used in metrics."""
        return "test"

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        """Silence for ``text`` (see the class docstring)."""
        self.spoken.append(text)
        return _SilentStream(tts=self, input_text=text, conn_options=conn_options)


class _SilentStream(tts.ChunkedStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=utils.shortuuid("silent_"), sample_rate=SAMPLE_RATE, num_channels=1, mime_type="audio/pcm"
        )
        ms = max(20, len(self.input_text) * MS_PER_CHARACTER)
        output_emitter.push(bytes(2 * SAMPLE_RATE * ms // 1000))
