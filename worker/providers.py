"""Provider profiles: which STT, LLM, TTS and turn detection a session uses.

* ``cloud`` — Deepgram nova-3 STT, OpenAI gpt-4o-mini (temperature 0.7, short replies, no
  parallel tool calls so a handoff is never emitted beside another call), ElevenLabs
  eleven_turbo_v2_5 TTS, Silero VAD, LiveKit's turn detector, preemptive generation.
* ``local`` — no network, no keys: faster-whisper tiny.en STT and Piper TTS in process, an
  OpenAI-compatible local LLM server (llama.cpp ``llama-server`` by default), LiveKit's embedded
  ``v1-mini`` audio turn detector and VAD-based interruption (nothing calls LiveKit Cloud).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livekit.agents import NOT_GIVEN, inference, llm, stt, tts, vad
from livekit.agents.voice.turn import TurnHandlingOptions

from .settings import Settings


@dataclass
class Providers:
    """The models of one session."""

    stt: stt.STT
    llm: llm.LLM
    tts: tts.TTS
    turn_handling: TurnHandlingOptions


def build_llm(settings: Settings) -> llm.LLM:
    """The LLM of the configured profile."""
    from livekit.plugins import openai

    if settings.provider_profile == "cloud":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else NOT_GIVEN
        return openai.LLM(
            model=settings.llm_model,
            api_key=key,
            temperature=settings.llm_temperature,
            parallel_tool_calls=False,
            max_completion_tokens=settings.llm_max_tokens,
        )
    if settings.local_llm_mode == "native_tools":
        return openai.LLM(
            model=settings.local_llm_model,
            base_url=settings.local_llm_url,
            api_key="local",
            temperature=0.2,
            parallel_tool_calls=False,
            max_completion_tokens=settings.llm_max_tokens,
        )
    from .offline.local_llm import ActionLLM

    return ActionLLM(
        model=settings.local_llm_model, base_url=settings.local_llm_url, timeout=settings.local_llm_timeout_s
    )


def build_providers(settings: Settings, *, preloaded: dict[str, Any] | None = None) -> Providers:
    """Construct the profile's models.

    Args:
        settings: Validated settings.
        preloaded: Models loaded once per process by the worker's prewarm (``whisper``, ``piper``).
    """
    preloaded = preloaded or {}
    if settings.provider_profile == "cloud":
        from livekit.plugins import deepgram, elevenlabs

        dg_key = settings.deepgram_api_key.get_secret_value() if settings.deepgram_api_key else NOT_GIVEN
        el_key = settings.eleven_api_key.get_secret_value() if settings.eleven_api_key else NOT_GIVEN
        tts_kwargs: dict[str, Any] = {"model": settings.tts_model, "api_key": el_key}
        if settings.elevenlabs_voice_id:
            tts_kwargs["voice_id"] = settings.elevenlabs_voice_id
        return Providers(
            stt=deepgram.STT(model=settings.stt_model, api_key=dg_key),
            llm=build_llm(settings),
            tts=elevenlabs.TTS(**tts_kwargs),
            turn_handling={
                "turn_detection": inference.TurnDetector(),
                "preemptive_generation": {"enabled": settings.preemptive_generation},
            },
        )
    from .offline.speech import PiperTTS, WhisperSTT

    return Providers(
        stt=WhisperSTT(model=preloaded.get("whisper")),
        llm=build_llm(settings),
        tts=PiperTTS(voice=preloaded.get("piper")),
        turn_handling=local_turn_handling(settings),
    )


def local_turn_handling(settings: Settings) -> TurnHandlingOptions:
    """Offline turn handling: embedded v1-mini end-of-utterance model, VAD interruptions.

    Endpointing waits a little longer than the default (0.8 s) because callers pause while reading
    digits (phone numbers, dates): cutting them off mid-number is the most common voice failure.
    """
    return {
        "turn_detection": inference.TurnDetector(version="v1-mini"),
        "interruption": {"mode": "vad"},
        "endpointing": {"min_delay": 0.8, "max_delay": 3.0},
        "preemptive_generation": {"enabled": settings.preemptive_generation},
    }


def load_vad() -> vad.VAD:
    """Silero VAD (the ONNX ships inside the plugin wheel; nothing downloads)."""
    from livekit.plugins import silero

    return silero.VAD.load()
