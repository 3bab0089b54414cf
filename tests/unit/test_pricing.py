"""Estimated cost from LiveKit's usage types: known list prices, unknown models null (not zero)."""

from __future__ import annotations

import re

import pytest
from livekit.agents.metrics.usage import (
    EOTModelUsage,
    LLMModelUsage,
    STTModelUsage,
    TTSModelUsage,
)

from worker.pricing import PRICES, estimate_cost, find_price, normalise_provider, usage_cost
from worker.settings import Settings


def test_every_price_names_its_source_and_date() -> None:
    for price in PRICES:
        assert price.source.startswith("https://"), price
        assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", price.as_of), price
        rates = {
            "llm": (price.input_per_mtok, price.output_per_mtok),
            "stt": (price.per_minute,),
            "tts": (price.per_1k_chars or price.per_minute,),
        }[price.kind]
        assert all(r is not None and r > 0 for r in rates), price


def test_the_default_models_of_the_hosted_profiles_and_their_fallbacks_are_priced() -> None:
    s = Settings(_env_file=None)
    assert find_price("llm", "api.openai.com", s.llm_model) is not None
    assert find_price("stt", "Deepgram", s.stt_model) is not None
    assert find_price("tts", "ElevenLabs", s.tts_model) is not None
    assert find_price("llm", "api.openai.com", s.realtime_model) is not None
    assert find_price("llm", "api.openai.com", s.llm_fallback_model) is not None
    assert find_price("stt", "api.openai.com", s.stt_fallback_model) is not None
    assert find_price("tts", "api.openai.com", s.openai_tts_model) is not None


@pytest.mark.parametrize(
    ("reported", "normalised"),
    [
        ("api.openai.com", "openai"),
        ("Deepgram", "deepgram"),
        ("ElevenLabs", "elevenlabs"),
        ("127.0.0.1:8088", "self-hosted"),
        ("localhost:11434", "self-hosted"),
        ("piper", "self-hosted"),
        ("faster-whisper", "self-hosted"),
        ("openai-compatible", "openai-compatible"),
    ],
)
def test_provider_names_are_normalised(reported: str, normalised: str) -> None:
    assert normalise_provider(reported) == normalised


def test_llm_cost_splits_uncached_cached_and_output_tokens() -> None:
    usage = LLMModelUsage(
        provider="api.openai.com",
        model="gpt-4o-mini",
        input_tokens=10_000,
        input_cached_tokens=4_000,
        output_tokens=500,
    )
    usd, price = usage_cost(usage)
    # 6,000 x $0.15/M + 4,000 x $0.075/M + 500 x $0.60/M
    assert usd == pytest.approx(0.0009 + 0.0003 + 0.0003)
    assert price is not None and price.model == "gpt-4o-mini"


def test_a_dated_snapshot_is_priced_as_its_model() -> None:
    usd, _ = usage_cost(LLMModelUsage(provider="api.openai.com", model="gpt-4.1-2025-04-14", output_tokens=1_000_000))
    assert usd == pytest.approx(8.00)


def test_realtime_audio_and_text_tokens_at_their_own_rates() -> None:
    usage = LLMModelUsage(
        provider="api.openai.com",
        model="gpt-realtime",
        input_tokens=1_500,
        input_audio_tokens=1_000,
        input_cached_tokens=300,
        input_cached_audio_tokens=200,
        output_tokens=900,
        output_audio_tokens=800,
    )
    usd, _ = usage_cost(usage)
    # text in 400 x $4 + cached text 100 x $0.40 + text out 100 x $16
    # + audio in 800 x $32 + cached audio 200 x $0.40 + audio out 800 x $64, per million
    expected = (400 * 4 + 100 * 0.4 + 100 * 16 + 800 * 32 + 200 * 0.4 + 800 * 64) / 1e6
    assert usd == pytest.approx(expected)


def test_speech_costs_per_minute_and_per_character() -> None:
    stt, _ = usage_cost(STTModelUsage(provider="Deepgram", model="nova-3", audio_duration=120.0))
    tts, _ = usage_cost(TTSModelUsage(provider="ElevenLabs", model="eleven_turbo_v2_5", characters_count=2_000))
    assert stt == pytest.approx(2 * 0.0077) and tts == pytest.approx(2 * 0.05)
    by_minute, _ = usage_cost(TTSModelUsage(provider="api.openai.com", model="gpt-4o-mini-tts", audio_duration=60.0))
    assert by_minute == pytest.approx(0.015)


def test_unknown_models_cost_null_and_make_the_total_incomplete() -> None:
    report = estimate_cost(
        [
            LLMModelUsage(provider="api.openai.com", model="gpt-4o-mini", input_tokens=1_000_000),
            LLMModelUsage(provider="marketplace-tests", model="scripted", output_tokens=10),
            LLMModelUsage(provider="api.openai.com", model="gpt-9-imaginary", input_tokens=5),
            EOTModelUsage(provider="livekit", model="turn-detector", total_requests=4),
            STTModelUsage(provider="faster-whisper", model="whisper-tiny.en", audio_duration=30.0),
        ]
    )
    costs = [m["cost_usd"] for m in report["models"]]
    assert costs == [0.15, None, None, None, 0.0]
    assert report["total_usd"] == 0.15 and report["complete"] is False
    assert report["models"][0]["price"]["source"].startswith("https://platform.openai.com")
    assert report["models"][4]["price"]["source"] == "self-hosted: no per-use charge"
    assert report["models"][1]["output_tokens"] == 10 and "input_tokens" not in report["models"][1], "zeros dropped"


def test_no_usage_at_all() -> None:
    assert estimate_cost([]) == {"currency": "USD", "models": [], "total_usd": None, "complete": True}
