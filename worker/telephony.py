"""How a caller's audio reaches the desk: LiveKit ``RoomOptions`` per participant (phone or web).

:func:`room_options_for` is what the worker's entrypoint passes to ``session.start(room_options=...)``.

* **Sample rate.** A phone caller arrives through the SIP bridge as narrowband audio (G.711, 8 kHz,
  300–3,400 Hz) carried in a 48 kHz WebRTC track. Every model that listens to the caller runs at
  16 kHz — Silero VAD (its default), LiveKit's end-of-turn model and interruption model, Deepgram
  (the plugin's default rate), Whisper — so phone audio is taken from the room at 16 kHz: one
  resampling step, nothing lost (8 kHz would be upsampled again by each model; the framework's
  24 kHz default is downsampled again by each). Web callers keep the framework's default, which
  is also what OpenAI's realtime model takes.
* **Noise cancellation** (``NOISE_CANCELLATION=bvc``): LiveKit's BVC models remove background noise
  *and* background voices, BVCTelephony tuned for SIP audio. They need LiveKit Cloud and the
  ``livekit-plugins-noise-cancellation`` package (not installed by default). LiveKit's guidance is
  one stage of noise cancellation, not two: with ``bvc`` set, turn ``krisp_enabled`` off on the SIP
  trunk (``deploy/sip/inbound-trunk.json``); with ``off`` (the default) the trunk's Krisp does it.
* **Typed turns** from the Playground's chat go through the callback given (the code-first path).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from livekit import rtc
from livekit.agents.voice.room_io import AudioInputOptions, RoomOptions, TextInputOptions
from livekit.agents.voice.room_io.types import NoiseCancellationParams, TextInputCallback

from .preflight import NOISE_CANCELLATION_MODULE, noise_cancellation_problem
from .settings import Settings

logger = logging.getLogger("marketplace.telephony")

PHONE_SAMPLE_RATE = 16_000
"""Hz at which a SIP caller's audio is taken from the room (see the module docstring)."""

NoiseSelector = Callable[[NoiseCancellationParams], rtc.NoiseCancellationOptions | None]


def is_phone(participant: rtc.Participant) -> bool:
    """Whether ``participant`` is a caller that came in through the SIP bridge."""
    return bool(participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP)


def noise_selector(settings: Settings) -> NoiseSelector | None:
    """LiveKit's documented per-participant choice: BVCTelephony for SIP callers, BVC for the others.

    Returns:
        A ``NoiseCancellationSelector`` for ``AudioInputOptions.noise_cancellation``, or ``None`` when
        ``NOISE_CANCELLATION=off`` or :func:`worker.preflight.noise_cancellation_problem` has a reason
        (logged; ``python -m worker`` refuses to start then).
    """
    if settings.noise_cancellation == "off":
        return None
    if problem := noise_cancellation_problem(settings):
        logger.warning("noise cancellation off: %s", problem)
        return None
    module = importlib.import_module(NOISE_CANCELLATION_MODULE)
    bvc: Callable[[], rtc.NoiseCancellationOptions] = module.BVC
    bvc_telephony: Callable[[], rtc.NoiseCancellationOptions] = module.BVCTelephony

    def select(params: NoiseCancellationParams) -> rtc.NoiseCancellationOptions | None:
        return bvc_telephony() if is_phone(params.participant) else bvc()

    return select


def room_options_for(
    participant: rtc.Participant, settings: Settings, *, text_input_cb: TextInputCallback | None = None
) -> RoomOptions:
    """The ``RoomOptions`` of a call with ``participant``.

    Args:
        participant: The caller the session links to (``ctx.wait_for_participant()``).
        settings: ``NOISE_CANCELLATION`` and ``LIVEKIT_URL`` are read.
        text_input_cb: Handler of typed turns (``None``: LiveKit's default handler).

    Returns:
        Options for ``session.start(room_options=...)``: the caller's identity is linked, phone audio
        is taken at :data:`PHONE_SAMPLE_RATE`, and noise cancellation follows :func:`noise_selector`.
    """
    selector = noise_selector(settings)
    audio: dict[str, Any] = {"noise_cancellation": selector}
    if selector is not None:
        # As LiveKit does when noise cancellation is given directly (it leaves gain control on for a selector).
        audio["auto_gain_control"] = False
    if is_phone(participant):
        audio["sample_rate"] = PHONE_SAMPLE_RATE
    kwargs: dict[str, Any] = {
        "audio_input": AudioInputOptions(**audio),
        "participant_identity": participant.identity,
    }
    if text_input_cb is not None:
        kwargs["text_input"] = TextInputOptions(text_input_cb=text_input_cb)
    return RoomOptions(**kwargs)
