"""Provider profiles build the documented models (constructors only: no network, no keys needed)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from worker.providers import build_providers
from worker.settings import Settings

pytestmark = pytest.mark.unit


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_cloud_profile_is_deepgram_openai_elevenlabs_with_livekit_turn_detection() -> None:
    from livekit.agents import inference
    from livekit.plugins import deepgram, elevenlabs, openai

    providers = build_providers(
        _settings(
            provider_profile="cloud",
            openai_api_key=SecretStr("sk-test"),
            deepgram_api_key=SecretStr("dg-test"),
            eleven_api_key=SecretStr("el-test"),
        )
    )
    assert isinstance(providers.stt, deepgram.STT) and providers.stt.model == "nova-3"
    assert isinstance(providers.llm, openai.LLM) and providers.llm.model == "gpt-4o-mini"
    assert providers.llm._opts.temperature == 0.7 and providers.llm._opts.parallel_tool_calls is False
    assert isinstance(providers.tts, elevenlabs.TTS) and providers.tts.model == "eleven_turbo_v2_5"
    assert isinstance(providers.turn_handling["turn_detection"], inference.TurnDetector)
    assert providers.turn_handling["preemptive_generation"] == {"enabled": True}


def test_local_profile_is_offline() -> None:
    from worker.offline.local_llm import ActionLLM
    from worker.offline.speech import PiperTTS, WhisperSTT

    providers = build_providers(_settings(provider_profile="local", local_llm_url="http://127.0.0.1:9999/v1"))
    assert isinstance(providers.stt, WhisperSTT) and isinstance(providers.tts, PiperTTS)
    assert isinstance(providers.llm, ActionLLM)
    assert providers.turn_handling["interruption"] == {"mode": "vad"}


def test_local_profile_with_native_tools_uses_the_openai_plugin() -> None:
    from livekit.plugins import openai

    providers = build_providers(_settings(provider_profile="local", local_llm_mode="native_tools"))
    assert isinstance(providers.llm, openai.LLM)
