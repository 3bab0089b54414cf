"""Provider profiles build the documented models (constructors only: no network, no keys needed)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from livekit.agents import llm, stt, tts
from pydantic import SecretStr

from worker.providers import LLM_ATTEMPT_TIMEOUT_S, build_providers
from worker.settings import Settings

pytestmark = pytest.mark.unit

KEYS = {
    "openai_api_key": SecretStr("sk-test"),
    "deepgram_api_key": SecretStr("dg-test"),
    "eleven_api_key": SecretStr("el-test"),
}


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any name lookup or connection made while building providers fails the test."""
    attempts: list[str] = []

    def _refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise AssertionError(f"network touched at construction: {args[:2]!r}")

    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    yield attempts
    assert attempts == []


def test_cloud_profile_puts_each_provider_behind_a_fallback_in_the_documented_order(no_network: list[str]) -> None:
    from livekit.agents import inference
    from livekit.plugins import deepgram, elevenlabs, openai

    providers = build_providers(_settings(provider_profile="cloud", **KEYS))

    assert isinstance(providers.llm, llm.FallbackAdapter)
    first, second = providers.llm._llm_instances
    assert isinstance(first, openai.LLM) and first.model == "gpt-4o-mini"
    assert isinstance(second, openai.LLM) and second.model == "gpt-4.1-mini"
    for model in (first, second):  # both keep the desk's options: one tool call per reply, short replies
        assert model._opts.temperature == 0.7 and model._opts.parallel_tool_calls is False
        assert model._opts.max_completion_tokens == 180
    assert second._client.api_key == "sk-test"  # the same OpenAI key
    assert providers.llm._attempt_timeout == LLM_ATTEMPT_TIMEOUT_S
    assert providers.llm._max_retry_per_llm == 0 and providers.llm._retry_on_chunk_sent is False

    assert isinstance(providers.stt, stt.FallbackAdapter)
    dg, oai_stt = providers.stt._stt_instances
    assert isinstance(dg, deepgram.STT) and dg.model == "nova-3"
    # OpenAI transcription is not streaming: LiveKit's adapter wraps it with the VAD.
    assert isinstance(oai_stt, stt.StreamAdapter) and isinstance(oai_stt.wrapped_stt, openai.STT)
    assert oai_stt.wrapped_stt.model == "gpt-4o-mini-transcribe"
    assert providers.stt.capabilities.streaming

    assert isinstance(providers.tts, tts.FallbackAdapter)
    el, oai_tts = providers.tts._tts_instances
    assert isinstance(el, elevenlabs.TTS) and el.model == "eleven_turbo_v2_5"
    assert isinstance(oai_tts, openai.TTS) and oai_tts.model == "gpt-4o-mini-tts"
    assert providers.tts._max_retry_per_tts == 0
    assert providers.tts.num_channels == 1 and providers.tts.sample_rate == max(el.sample_rate, oai_tts.sample_rate)

    assert isinstance(providers.turn_handling["turn_detection"], inference.TurnDetector)
    assert providers.turn_handling["preemptive_generation"] == {"enabled": True}


def test_each_fallback_can_be_switched_off(no_network: list[str]) -> None:
    from livekit.plugins import deepgram, elevenlabs, openai

    providers = build_providers(
        _settings(
            provider_profile="cloud",
            llm_fallback_enabled=False,
            stt_fallback_enabled=False,
            tts_fallback_enabled=False,
            **KEYS,
        )
    )
    assert isinstance(providers.llm, openai.LLM) and providers.llm.model == "gpt-4o-mini"
    assert isinstance(providers.stt, deepgram.STT)
    assert isinstance(providers.tts, elevenlabs.TTS)


def test_fallback_llm_on_another_openai_compatible_server(no_network: list[str]) -> None:
    providers = build_providers(
        _settings(
            provider_profile="cloud",
            llm_fallback_model="llama-3.3-70b",
            llm_fallback_url="https://llm.internal.example/v1",
            llm_fallback_api_key=SecretStr("other-key"),
            **KEYS,
        )
    )
    assert isinstance(providers.llm, llm.FallbackAdapter)
    first, second = providers.llm._llm_instances
    assert str(first._client.base_url).startswith("https://api.openai.com")  # type: ignore[attr-defined]
    assert str(second._client.base_url).startswith("https://llm.internal.example/v1")  # type: ignore[attr-defined]
    assert second._client.api_key == "other-key" and second.model == "llama-3.3-70b"  # type: ignore[attr-defined]


def test_realtime_profile_is_a_guarded_text_out_realtime_model_beside_the_cloud_speech(no_network: list[str]) -> None:
    from livekit.plugins.openai import realtime

    from worker.realtime import GuardedRealtimeModel

    providers = build_providers(_settings(provider_profile="realtime", **KEYS))
    assert isinstance(providers.llm, GuardedRealtimeModel)
    inner = providers.llm.inner
    assert isinstance(inner, realtime.RealtimeModel) and providers.llm.model == "gpt-realtime"
    caps = providers.llm.capabilities
    # Text out (our TTS speaks, the guard stands between), client-side turns, our STT's transcripts.
    assert caps.audio_output is False and inner._opts.modalities == ["text"]
    assert caps.turn_detection is False and inner._opts.turn_detection is None
    assert caps.user_transcription is False
    assert caps.mutable_instructions and caps.mutable_tools and caps.mutable_chat_context
    assert isinstance(providers.stt, stt.FallbackAdapter) and isinstance(providers.tts, tts.FallbackAdapter)
    assert providers.turn_handling["preemptive_generation"] == {"enabled": False}


def test_a_realtime_model_with_audio_out_is_refused() -> None:
    from livekit.plugins.openai import realtime

    from worker.realtime import GuardedRealtimeModel

    with pytest.raises(ValueError, match="text-out"):
        GuardedRealtimeModel(realtime.RealtimeModel(api_key="sk-test", turn_detection=None))


def test_realtime_and_cloud_profiles_name_their_missing_keys() -> None:
    for profile, what in (("realtime", "realtime model"), ("cloud", "OpenAI LLM")):
        problems = _settings(provider_profile=profile).problems("console")
        assert any(p.startswith("OPENAI_API_KEY is not set") and what in p for p in problems), problems
        assert any(p.startswith("DEEPGRAM_API_KEY") for p in problems)
        assert any(p.startswith("ELEVEN_API_KEY") for p in problems)
    assert _settings(provider_profile="realtime", **KEYS).problems("console") == []
    assert _settings(provider_profile="local").problems("console") == []
    assert any("LLM_FALLBACK_URL" in p for p in _settings(llm_fallback_url="llm.example").problems("console"))


def test_local_profile_is_offline() -> None:
    from worker.offline.local_llm import ActionLLM
    from worker.offline.speech import PiperTTS, WhisperSTT

    providers = build_providers(_settings(provider_profile="local", local_llm_url="http://127.0.0.1:9999/v1"))
    assert isinstance(providers.stt, WhisperSTT) and isinstance(providers.tts, PiperTTS)
    assert isinstance(providers.llm, ActionLLM)
    assert providers.turn_handling["interruption"] == {"mode": "vad"}
    # The server on this machine is priced as self-hosted in the call report (cost 0, not unknown).
    from worker.pricing import normalise_provider

    assert providers.llm.provider == "127.0.0.1:9999"
    assert normalise_provider(providers.llm.provider) == "self-hosted"


def test_local_profile_with_native_tools_uses_the_openai_plugin() -> None:
    from livekit.plugins import openai

    providers = build_providers(_settings(provider_profile="local", local_llm_mode="native_tools"))
    assert isinstance(providers.llm, openai.LLM)
