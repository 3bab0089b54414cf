"""An unrecoverable provider error: a pre-recorded apology, then a person (phone) or the end of the call.

LiveKit emits the session's ``error`` event (``voice/events.py`` ``ErrorEvent``) for every failed STT, LLM
or TTS request; ``ev.error.recoverable`` is false once the provider's retries are spent (``LLMStream``,
``SynthesizeStream`` and ``RecognizeStream`` in 1.8.9: a non-retryable error, or the last attempt). The
reply that failed is lost: without this handler the caller hears nothing (LiveKit closes the session only
after more than ``max_unrecoverable_errors`` of them in a row, leaving the caller in a silent room).

:func:`attach_provider_error_handling` reacts to the first one, once per call:

1. the apology is played from a WAV recorded once with the bundled Piper voice
   (``worker/assets/apology*.wav``, see :func:`write_apology_assets`), through ``session.say(text,
   audio=frames)``: no TTS is needed, since the TTS may be what failed; its text goes to the transcript;
2. a phone caller is handed to a person when a number is configured (a cold transfer: a warm one needs the
   LLM to brief the person), else — or when that transfer fails — the call ends
   (:func:`tools.end_call.end_call`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.voice.events import ErrorEvent

from call.context import CustomerContext
from tools.end_call import end_call, is_ending

logger = logging.getLogger("marketplace.worker.provider_errors")

ASSETS = Path(__file__).resolve().parent / "assets"
FRAME_MS = 20
"""Length of the audio frames the apology is played in."""
ASSET_SAMPLE_RATE = 16000
"""Sample rate of the recorded apologies (mono int16): telephony is 8 kHz, the Playground resamples."""


@dataclass(frozen=True)
class Apology:
    """A pre-recorded apology: its words (for the transcript) and its WAV file."""

    text: str
    wav: Path


APOLOGY_END = Apology(
    "I'm sorry, we've hit a technical problem and I can't continue this call. "
    "Please call us back in a few minutes. Goodbye.",
    ASSETS / "apology.wav",
)
"""Played before the call ends."""
APOLOGY_TRANSFER = Apology(
    "I'm sorry, we've hit a technical problem on our side. "
    "Please stay on the line while I transfer you to a colleague.",
    ASSETS / "apology_transfer.wav",
)
"""Played before a phone caller is handed to a person."""


def apology_frames(path: Path) -> AsyncIterator[rtc.AudioFrame]:
    """The WAV at ``path`` as 20 ms mono int16 frames (the last one may be shorter).

    Raises:
        OSError / wave.Error: the file is missing or not a 16-bit PCM WAV (raised on first iteration).
    """

    async def _frames() -> AsyncIterator[rtc.AudioFrame]:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise wave.Error(f"{path.name}: 16-bit PCM expected")
            rate, channels = wav.getframerate(), wav.getnchannels()
            per_frame = rate * FRAME_MS // 1000
            while data := wav.readframes(per_frame):
                yield rtc.AudioFrame(data, rate, channels, len(data) // (2 * channels))

    return _frames()


class ProviderErrorHandler:
    """Reacts once per call to an unrecoverable provider error (see the module docstring)."""

    def __init__(self, session: AgentSession[CustomerContext]) -> None:
        self._session = session
        self._task: asyncio.Task[None] | None = None
        session.on("error", self._on_error)

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The apology-and-hand-over task, once an unrecoverable error happened (tests await it)."""
        return self._task

    def _on_error(self, ev: ErrorEvent) -> None:
        if getattr(ev.error, "recoverable", True) or self._task is not None or is_ending(self._session):
            return
        logger.error("unrecoverable %s error: %s", getattr(ev.error, "type", "provider"), type(ev.error).__name__)
        self._task = asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        session = self._session
        ctx = session.userdata
        line, target = ctx.phone_line, ctx.human_transfer
        transfer = line is not None and line.is_phone and target is not None and not ctx.handover_in_progress
        apology = APOLOGY_TRANSFER if transfer else APOLOGY_END
        try:
            handle = session.say(apology.text, audio=apology_frames(apology.wav), allow_interruptions=False)
            await handle.wait_for_playout()
        except Exception:  # the session may already be closing: hand over or hang up all the same
            logger.exception("could not play the apology")
        if transfer and line is not None and target is not None:
            ctx.handover_in_progress = True
            try:
                await line.transfer_cold(target.number)
            except Exception as exc:  # TransferUnavailableError, TransferFailedError or the line's own error
                logger.warning("transfer after a provider error failed (%s); ending the call", type(exc).__name__)
                ctx.note_action("A transfer to a person after a technical problem failed")
            else:
                ctx.note_action("Transferred to a person after a technical problem (cold transfer)")
                await end_call(session, ended_by="transfer")
                return
        await end_call(session, ended_by="error")


def attach_provider_error_handling(session: AgentSession[CustomerContext]) -> ProviderErrorHandler:
    """On the first unrecoverable provider error: the recorded apology, then a person or the end of the call.

    Args:
        session: The call's session.

    Returns:
        The handler (tests await :attr:`ProviderErrorHandler.task`).
    """
    return ProviderErrorHandler(session)


def write_apology_assets(out_dir: Path = ASSETS) -> list[Path]:
    """Record the apologies once with the bundled Piper voice (``pip install .[local]``) into ``out_dir``.

    The files are checked in; run this only to change the wording (keep :data:`APOLOGY_END` and
    :data:`APOLOGY_TRANSFER` in step with them): ``python -m worker.provider_errors``.

    Returns:
        The files written (16 kHz mono 16-bit WAV).
    """
    import numpy as np

    from .offline.speech.piper_tts import PiperTTS
    from .offline.speech.wav_io import resample_int16, write_wav

    voice = PiperTTS.load_voice()
    written = []
    for apology in (APOLOGY_END, APOLOGY_TRANSFER):
        pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(apology.text))
        samples = resample_int16(np.frombuffer(pcm, dtype=np.int16), int(voice.config.sample_rate), ASSET_SAMPLE_RATE)
        path = out_dir / apology.wav.name
        write_wav(path, samples, ASSET_SAMPLE_RATE)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m worker.provider_errors``: re-record the apology WAVs."""
    for path in write_apology_assets():
        with wave.open(str(path), "rb") as wav:
            print(f"wrote {path} ({wav.getnframes() / wav.getframerate():.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
