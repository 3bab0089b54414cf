"""Provider profiles: which STT, LLM, TTS and turn detection a session uses.

* ``cloud`` — Deepgram nova-3 STT, OpenAI gpt-4o-mini (temperature 0.7, short replies, no
  parallel tool calls so a handoff is never emitted beside another call), ElevenLabs
  eleven_turbo_v2_5 TTS, Silero VAD, LiveKit's turn detector, preemptive generation. Each of the
  three has a second provider behind LiveKit's ``FallbackAdapter`` (see *Fallbacks*).
* ``local`` — no network, no keys: faster-whisper tiny.en STT and Piper TTS in process, an
  OpenAI-compatible local LLM server (llama.cpp ``llama-server`` by default), LiveKit's embedded
  ``v1-mini`` audio turn detector and VAD-based interruption (nothing calls LiveKit Cloud).
* ``realtime`` — OpenAI's realtime model in place of the cloud LLM, as a *half cascade*: it hears
  the caller's audio and answers in **text**, which our TTS speaks (see *Realtime*). STT and TTS
  (with their fallbacks) and the turn detector are the cloud profile's.

Fallbacks (cloud and realtime profiles; each can be switched off by a setting)
    LLM: ``LLM_MODEL`` → ``LLM_FALLBACK_MODEL`` (gpt-4.1-mini, same OpenAI key, or another
    OpenAI-compatible server at ``LLM_FALLBACK_URL``). STT: Deepgram → OpenAI transcription
    (``STT_FALLBACK_MODEL``; a non-streaming model, so LiveKit's adapter wraps it in
    ``stt.StreamAdapter`` with the session's Silero VAD). TTS: ElevenLabs → OpenAI TTS
    (``OPENAI_TTS_MODEL``/``OPENAI_TTS_VOICE``; non-streaming too: ``tts.FallbackAdapter`` wraps it
    itself in a ``tts.StreamAdapter`` with a blingfire sentence tokenizer, per stream).
    The adapters are LiveKit's (``livekit.agents.{llm,stt,tts}.FallbackAdapter``, 1.8.9): a failed
    provider is marked unavailable (an ``*_availability_changed`` event), the same request goes to
    the next one, and the failed one is probed in the background and preferred again once it
    answers. Tuned for a phone line: no retries on the primary before switching (a retry costs
    ``retry_interval`` = 2 s of silence, LiveKit's default), an LLM attempt may take
    :data:`LLM_ATTEMPT_TIMEOUT_S` before the next model is asked, and a reply that already
    reached the caller is never restarted on the second model (``retry_on_chunk_sent=False``:
    the caller would hear the beginning twice).

Realtime (why a half cascade)
    Our code speaks templates (identity read-backs, confirmations, the disclosure) with
    ``session.say``: with a realtime model that needs a TTS beside it. Letting the model speak its
    own audio would give the desk two voices, and nothing could stop a sentence meant for the
    model once its audio is generated: the speech guard could only clean the transcript, after
    the caller heard it. So the model is built with ``modalities=["text"]``, and
    :class:`worker.realtime.GuardedRealtimeModel` passes every text reply through the current
    agent's speech guard (``MarketplaceAgent.realtime_reply``) and the output guardrail before
    LiveKit tees it to TTS, transcript and history; the agent's notes for the model ride on the
    reply's instructions.
    Server-side turn detection is off (``turn_detection=None``): LiveKit's turn detector ends the
    caller's turn and calls ``on_user_turn_completed``, so code leads the structured turns exactly
    as in the cascade (with server turn detection the model would answer every turn by itself,
    bypassing code). The model's own input transcription is off too
    (``input_audio_transcription=None``): the turn's transcript comes from our STT, at end of turn
    (the realtime transcript arrives only after the audio is committed, too late for code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from livekit.agents import NOT_GIVEN, AgentSession, inference, llm, stt, tts, vad
from livekit.agents.voice.turn import TurnHandlingOptions

from .settings import Settings

LLM_ATTEMPT_TIMEOUT_S = 5.0
"""Seconds one LLM may take to answer before the fallback model is asked (LiveKit's default)."""
STT_ATTEMPT_TIMEOUT_S = 10.0
"""Seconds to connect a recognition stream before the fallback STT is used (LiveKit's default)."""
PRIMARY_RETRIES = 0
"""Retries on a failed provider before the next one is used: none (each retry is 2 s of silence)."""


@dataclass
class Providers:
    """The models of one session.

    Attributes:
        llm: A text LLM (``cloud``, ``local``) or a realtime model (``realtime``).
        stt, tts: Speech models (possibly ``FallbackAdapter`` s).
        turn_handling: Turn detection, endpointing, interruption, preemptive generation.
    """

    stt: stt.STT
    llm: llm.LLM | llm.RealtimeModel
    tts: tts.TTS
    turn_handling: TurnHandlingOptions

    def attach(self, session: AgentSession[Any]) -> None:
        """Bind the providers to the call's session (call once, after building it).

        Only the realtime model needs it: its text replies go through the speech guard of the
        session's current agent (without it, a context-free guard is used). A no-op otherwise.
        """
        from .realtime import GuardedRealtimeModel

        if isinstance(self.llm, GuardedRealtimeModel):
            self.llm.attach(session)


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None and value.get_secret_value().strip() else None


def _openai_llm(settings: Settings, *, model: str, base_url: str | None, api_key: str | None) -> llm.LLM:
    from livekit.plugins import openai

    return openai.LLM(
        model=model,
        base_url=base_url or NOT_GIVEN,
        api_key=api_key or NOT_GIVEN,
        temperature=settings.llm_temperature,
        parallel_tool_calls=False,
        max_completion_tokens=settings.llm_max_tokens,
    )


def build_cloud_llm(settings: Settings) -> llm.LLM:
    """``LLM_MODEL`` on OpenAI, behind an ``llm.FallbackAdapter`` with ``LLM_FALLBACK_MODEL`` unless switched off."""
    key = _secret(settings.openai_api_key)
    primary = _openai_llm(settings, model=settings.llm_model, base_url=None, api_key=key)
    if not settings.llm_fallback_enabled:
        return primary
    second = _openai_llm(
        settings,
        model=settings.llm_fallback_model,
        base_url=settings.llm_fallback_url,
        api_key=_secret(settings.llm_fallback_api_key) or key,
    )
    return llm_fallback(primary, second)


def llm_fallback(primary: llm.LLM, second: llm.LLM) -> llm.FallbackAdapter:
    """``primary``, then ``second`` when it fails or times out (the desk's tuning; see the module doc)."""
    return llm.FallbackAdapter(
        [primary, second],
        attempt_timeout=LLM_ATTEMPT_TIMEOUT_S,
        max_retry_per_llm=PRIMARY_RETRIES,
        retry_on_chunk_sent=False,
    )


def build_llm(settings: Settings) -> llm.LLM:
    """The text LLM of the configured profile (the cloud chain for ``cloud`` and ``realtime``)."""
    from livekit.plugins import openai

    if settings.provider_profile != "local":
        return build_cloud_llm(settings)
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
        model=settings.local_llm_model,
        base_url=settings.local_llm_url,
        timeout=settings.local_llm_timeout_s,
        # The server's address is the provider (as LiveKit's OpenAI plugin reports it): a loopback server is
        # priced as self-hosted in the call report (worker/pricing.py), another host as unknown.
        provider=urlparse(settings.local_llm_url).netloc or "openai-compatible",
    )


def build_cloud_stt(settings: Settings, *, vad_model: vad.VAD | None = None) -> stt.STT:
    """Deepgram, behind an ``stt.FallbackAdapter`` with OpenAI transcription unless switched off.

    Args:
        settings: Validated settings.
        vad_model: The session's VAD, which segments speech for the non-streaming fallback
            (loaded here when not given).
    """
    from livekit.plugins import deepgram, openai

    primary = deepgram.STT(model=settings.stt_model, api_key=_secret(settings.deepgram_api_key) or NOT_GIVEN)
    if not settings.stt_fallback_enabled:
        return primary
    second = openai.STT(
        model=settings.stt_fallback_model, language="en", api_key=_secret(settings.openai_api_key) or NOT_GIVEN
    )
    return stt_fallback(primary, second, vad_model=vad_model or load_vad())


def stt_fallback(primary: stt.STT, second: stt.STT, *, vad_model: vad.VAD) -> stt.FallbackAdapter:
    """``primary``, then ``second`` when its stream fails; a non-streaming one is segmented by ``vad_model``."""
    return stt.FallbackAdapter(
        [primary, second], vad=vad_model, attempt_timeout=STT_ATTEMPT_TIMEOUT_S, max_retry_per_stt=PRIMARY_RETRIES
    )


def build_openai_tts(settings: Settings) -> tts.TTS:
    """OpenAI TTS (``OPENAI_TTS_MODEL``, ``OPENAI_TTS_VOICE``), non-streaming."""
    from livekit.plugins import openai

    return openai.TTS(
        model=settings.openai_tts_model,
        voice=settings.openai_tts_voice,
        api_key=_secret(settings.openai_api_key) or NOT_GIVEN,
    )


def build_cloud_tts(settings: Settings) -> tts.TTS:
    """ElevenLabs, behind a ``tts.FallbackAdapter`` with OpenAI TTS unless switched off."""
    from livekit.plugins import elevenlabs

    kwargs: dict[str, Any] = {"model": settings.tts_model, "api_key": _secret(settings.eleven_api_key) or NOT_GIVEN}
    if settings.elevenlabs_voice_id:
        kwargs["voice_id"] = settings.elevenlabs_voice_id
    primary = elevenlabs.TTS(**kwargs)
    if not settings.tts_fallback_enabled:
        return primary
    return tts_fallback(primary, build_openai_tts(settings))


def tts_fallback(primary: tts.TTS, second: tts.TTS) -> tts.FallbackAdapter:
    """``primary``, then ``second`` when it fails before any audio of a line was produced.

    A non-streaming ``second`` is wrapped per stream in ``tts.StreamAdapter`` (blingfire sentences)
    by LiveKit's adapter; different sample rates (ElevenLabs 22.05 kHz, OpenAI 24 kHz) are resampled
    to the higher one.
    """
    return tts.FallbackAdapter([primary, second], max_retry_per_tts=PRIMARY_RETRIES)


def build_realtime_model(settings: Settings) -> llm.RealtimeModel:
    """OpenAI's realtime model as a half cascade (text out, no server turn detection), guarded.

    Raises:
        ValueError: no OpenAI key (the plugin refuses to build without one).
    """
    from livekit.plugins.openai import realtime

    from .realtime import GuardedRealtimeModel

    model = realtime.RealtimeModel(
        model=settings.realtime_model,
        modalities=["text"],
        turn_detection=None,
        input_audio_transcription=None,
        api_key=_secret(settings.openai_api_key),
    )
    return GuardedRealtimeModel(model)


def cloud_turn_handling(settings: Settings, *, preemptive: bool) -> TurnHandlingOptions:
    """LiveKit's turn detector (end of utterance from the transcript), preemptive generation as set."""
    return {
        "turn_detection": inference.TurnDetector(),
        "preemptive_generation": {"enabled": preemptive and settings.preemptive_generation},
    }


def build_providers(settings: Settings, *, preloaded: dict[str, Any] | None = None) -> Providers:
    """Construct the profile's models (constructors only: nothing connects until a call uses them).

    Args:
        settings: Validated settings.
        preloaded: Models loaded once per process by the worker's prewarm (``vad``, ``whisper``, ``piper``).
    """
    preloaded = preloaded or {}
    if settings.provider_profile == "local":
        from .offline.speech import PiperTTS, WhisperSTT

        return Providers(
            stt=WhisperSTT(model=preloaded.get("whisper")),
            llm=build_llm(settings),
            tts=PiperTTS(voice=preloaded.get("piper")),
            turn_handling=local_turn_handling(settings),
        )
    speech_stt = build_cloud_stt(settings, vad_model=preloaded.get("vad"))
    speech_tts = build_cloud_tts(settings)
    if settings.provider_profile == "realtime":
        # Preemptive generation is a text-LLM feature; a realtime reply starts from the committed audio.
        return Providers(
            stt=speech_stt,
            llm=build_realtime_model(settings),
            tts=speech_tts,
            turn_handling=cloud_turn_handling(settings, preemptive=False),
        )
    return Providers(
        stt=speech_stt,
        llm=build_cloud_llm(settings),
        tts=speech_tts,
        turn_handling=cloud_turn_handling(settings, preemptive=True),
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
