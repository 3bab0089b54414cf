"""Audio for offline sessions without a room: a TTS of silence and a sink that records what was played.

Both implement LiveKit's exact interfaces (``tts.TTS`` and ``voice.io.AudioOutput``), so the session's
real speech pipeline runs: ``say`` is synthesised (or its ``audio`` frames forwarded and resampled), the
sink "plays" each segment for a time proportional to its audio, and only then does LiveKit count it as
played out. Tests can then check that something happened *after* playout, and which frames were pushed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from livekit import rtc
from livekit.agents import AgentSession, llm
from livekit.agents.voice import io

from call.context import CustomerContext
from services import Clock, Services, open_services
from services.demo_data import AVA
from worker.session import build_session, start_call
from worker.testing import FIXED_NOW, TEST_SALT, mark_verified
from worker.testing.fake_tts import SilentTTS

SAMPLE_RATE = 24000
MS_PER_CHAR = 10
"""The silence TTS makes 10 ms of audio per character of text."""


def SilenceTTS() -> SilentTTS:
    """The seam's silent TTS at :data:`SAMPLE_RATE`, :data:`MS_PER_CHAR` per character (at least one character)."""
    return SilentTTS(sample_rate=SAMPLE_RATE, ms_per_char=MS_PER_CHAR, min_ms=MS_PER_CHAR)


@dataclass(frozen=True)
class Segment:
    """One played segment: when it started and finished (``time.monotonic()``) and its audio seconds."""

    started: float
    finished: float
    seconds: float
    interrupted: bool


class PlayoutRecorder(io.AudioOutput):
    """A loudspeaker that records every frame and plays a segment for ``seconds / speed`` after its flush.

    Args:
        speed: How much faster than real time segments "play" (10: a 6 s apology plays in 0.6 s).
    """

    def __init__(self, *, speed: float = 10.0) -> None:
        super().__init__(
            label="PlayoutRecorder",
            capabilities=io.AudioOutputCapabilities(pause=False),
            next_in_chain=None,
            sample_rate=SAMPLE_RATE,
        )
        self.frames: list[rtc.AudioFrame] = []
        self.segments: list[Segment] = []
        self._speed = speed
        self._start: float | None = None
        self._seconds = 0.0
        self._playing: asyncio.Task[None] | None = None

    @property
    def seconds_pushed(self) -> float:
        """Audio seconds captured so far."""
        return sum(f.duration for f in self.frames)

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        if self._playing is not None and not self._playing.done():
            await asyncio.shield(self._playing)
        if self._start is None:
            self._start = time.monotonic()
            self.on_playback_started(created_at=time.time())
        self.frames.append(frame)
        self._seconds += frame.duration

    def flush(self) -> None:
        super().flush()
        if self._start is None:
            return
        start, seconds = self._start, self._seconds
        self._start, self._seconds = None, 0.0

        async def _play() -> None:
            await asyncio.sleep(seconds / self._speed)
            self.segments.append(Segment(start, time.monotonic(), seconds, False))
            self.on_playback_finished(playback_position=seconds, interrupted=False)

        self._playing = asyncio.ensure_future(_play())

    def clear_buffer(self) -> None:
        if self._playing is not None and not self._playing.done():
            self._playing.cancel()
            now = time.monotonic()
            self.segments.append(Segment(now, now, 0.0, True))
            self.on_playback_finished(playback_position=0.0, interrupted=True)


@dataclass
class AudioCall:
    """A running offline call with audio out (no room, no STT: caller turns are typed)."""

    session: AgentSession[CustomerContext]
    userdata: CustomerContext
    services: Services
    speaker: PlayoutRecorder


@asynccontextmanager
async def audio_call(
    db_url: str,
    model: llm.LLM,
    *,
    start_agent: str = "order_tracking",
    user_away_timeout: float | None = None,
    grace_s: float | None = None,
    prepare: object = None,
) -> AsyncIterator[AudioCall]:
    """A verified call (Ava) at ``start_agent`` with the silence TTS and a :class:`PlayoutRecorder`.

    Args:
        user_away_timeout: Passed to the session builder (``None``: no away detection).
        grace_s: The idle grace period (seconds) after "Are you still there?".
        prepare: Called with the call's context before the session starts (e.g. to set its line).
    """
    from worker.settings import Settings

    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    ctx = CustomerContext(services=services, channel="phone")
    ctx.current_agent = start_agent
    mark_verified(ctx, AVA)
    if callable(prepare):
        prepare(ctx)
    settings = None
    if grace_s is not None:
        settings = Settings(_env_file=None, user_away_grace_s=grace_s, supervisor_enabled=False)  # type: ignore[call-arg]
    try:
        session = build_session(
            llm=model, userdata=ctx, tts=SilenceTTS(), settings=settings, user_away_timeout=user_away_timeout
        )
        speaker = PlayoutRecorder()
        session.output.audio = speaker
        async with session:
            await start_call(session, start_agent=start_agent, record=False)
            yield AudioCall(session, ctx, services, speaker)
    finally:
        await services.close()
