"""Estimated cost of a call from LiveKit's per-model usage (``session.usage`` / ``session_usage_updated``).

Prices are the providers' **published pay-as-you-go list prices** in US dollars, one :class:`Price` per
(provider, model), each with the page it comes from and the month it was read (``as_of``). They are
estimates: plan discounts, committed-use contracts, taxes, minimum billing increments and a provider's
price changes after ``as_of`` are not reflected. Check the source pages before relying on a figure.

Rules:
    * A model with no entry here costs ``None`` ("unknown"), never ``0``; the call total then says it is
      incomplete. Models that run on the worker itself (Piper, faster-whisper, a model server on the
      loopback interface) cost ``0.0``: there is no per-use charge, only the machine.
    * Provider names are normalised from what the plugins report (``"api.openai.com"`` → ``openai``,
      ``"Deepgram"`` → ``deepgram``, ``"ElevenLabs"`` → ``elevenlabs``); a dated model snapshot
      (``gpt-4o-mini-2024-07-18``) is priced as its base name.
    * LLM: uncached input, cached input and output tokens at their rates; for speech-to-speech models,
      audio and text tokens at their own rates. STT: per minute of audio. TTS: per 1,000 characters, or
      per minute of audio for token-billed models, at the provider's own per-minute estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlparse

from livekit.agents.metrics.usage import (
    EOTModelUsage,
    InterruptionModelUsage,
    LLMModelUsage,
    ModelUsage,
    STTModelUsage,
    TTSModelUsage,
)

Kind = Literal["llm", "stt", "tts"]

OPENAI_PRICING = "https://platform.openai.com/docs/pricing"
OPENAI_REALTIME = "https://openai.com/index/introducing-gpt-realtime/"
DEEPGRAM_PRICING = "https://deepgram.com/pricing"
ELEVENLABS_PRICING = "https://elevenlabs.io/pricing/api"

SELF_HOSTED_PROVIDERS = frozenset({"piper", "faster-whisper"})
"""Engines that run inside the worker (see :mod:`worker.offline.speech`): no per-use charge."""
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
"""A dated snapshot suffix, e.g. ``-2024-07-18``."""


@dataclass(frozen=True)
class Price:
    """The list price of one model.

    Attributes:
        kind: ``llm``, ``stt`` or ``tts``.
        provider: Normalised provider (``openai``, ``deepgram``, ``elevenlabs``).
        model: Model name as configured (``gpt-4o-mini``, ``nova-3``, ``eleven_turbo_v2_5``).
        source: The provider's pricing page the figures come from.
        as_of: When the figures were read from that page (``YYYY-MM``).
        input_per_mtok / cached_input_per_mtok / output_per_mtok: USD per million text tokens (LLM).
        audio_input_per_mtok / cached_audio_input_per_mtok / audio_output_per_mtok: USD per million audio
            tokens (speech-to-speech models).
        per_minute: USD per minute of audio (STT; TTS priced by audio length).
        per_1k_chars: USD per 1,000 characters synthesised (TTS).
        note: Which price line of the page applies (e.g. streaming vs pre-recorded).
    """

    kind: Kind
    provider: str
    model: str
    source: str
    as_of: str
    input_per_mtok: float | None = None
    cached_input_per_mtok: float | None = None
    output_per_mtok: float | None = None
    audio_input_per_mtok: float | None = None
    cached_audio_input_per_mtok: float | None = None
    audio_output_per_mtok: float | None = None
    per_minute: float | None = None
    per_1k_chars: float | None = None
    note: str = ""


def _llm(model: str, inp: float, cached: float, out: float, *, as_of: str = "2025-06") -> Price:
    return Price("llm", "openai", model, OPENAI_PRICING, as_of, inp, cached, out, note="Standard tier, per 1M tokens")


PRICES: tuple[Price, ...] = (
    # OpenAI text models (Standard tier), platform.openai.com/docs/pricing
    _llm("gpt-4o-mini", 0.15, 0.075, 0.60),
    _llm("gpt-4o", 2.50, 1.25, 10.00),
    _llm("gpt-4.1", 2.00, 0.50, 8.00),
    _llm("gpt-4.1-mini", 0.40, 0.10, 1.60),
    _llm("gpt-4.1-nano", 0.10, 0.025, 0.40),
    # OpenAI speech-to-speech (Realtime API); text and audio tokens at their own rates
    Price(
        "llm",
        "openai",
        "gpt-realtime",
        OPENAI_REALTIME,
        "2025-08",
        input_per_mtok=4.00,
        cached_input_per_mtok=0.40,
        output_per_mtok=16.00,
        audio_input_per_mtok=32.00,
        cached_audio_input_per_mtok=0.40,
        audio_output_per_mtok=64.00,
        note="gpt-realtime launch prices (2025-08-28), per 1M tokens",
    ),
    Price(
        "llm",
        "openai",
        "gpt-4o-realtime-preview",
        OPENAI_PRICING,
        "2025-06",
        input_per_mtok=5.00,
        cached_input_per_mtok=2.50,
        output_per_mtok=20.00,
        audio_input_per_mtok=40.00,
        cached_audio_input_per_mtok=2.50,
        audio_output_per_mtok=80.00,
        note="2024-12-17 snapshot and later, per 1M tokens",
    ),
    # OpenAI speech
    Price("stt", "openai", "whisper-1", OPENAI_PRICING, "2025-06", per_minute=0.006, note="per minute of audio"),
    Price(
        "stt",
        "openai",
        "gpt-4o-transcribe",
        OPENAI_PRICING,
        "2025-06",
        per_minute=0.006,
        note="OpenAI's estimated cost per minute (billed in tokens)",
    ),
    Price(
        "stt",
        "openai",
        "gpt-4o-mini-transcribe",
        OPENAI_PRICING,
        "2025-06",
        per_minute=0.003,
        note="OpenAI's estimated cost per minute (billed in tokens)",
    ),
    Price(
        "tts",
        "openai",
        "gpt-4o-mini-tts",
        OPENAI_PRICING,
        "2025-06",
        per_minute=0.015,
        note="OpenAI's estimated cost per minute of audio (billed in tokens)",
    ),
    Price("tts", "openai", "tts-1", OPENAI_PRICING, "2025-06", per_1k_chars=0.015, note="$15 per 1M characters"),
    Price("tts", "openai", "tts-1-hd", OPENAI_PRICING, "2025-06", per_1k_chars=0.030, note="$30 per 1M characters"),
    # Deepgram (Pay As You Go); LiveKit's plugin streams, so the streaming line applies
    Price(
        "stt",
        "deepgram",
        "nova-3",
        DEEPGRAM_PRICING,
        "2025-06",
        per_minute=0.0077,
        note="Nova-3 monolingual, streaming",
    ),
    Price("stt", "deepgram", "nova-2", DEEPGRAM_PRICING, "2025-06", per_minute=0.0058, note="Nova-2, streaming"),
    # ElevenLabs API (pay as you go per character; subscription tiers include a monthly quota instead)
    Price(
        "tts", "elevenlabs", "eleven_turbo_v2_5", ELEVENLABS_PRICING, "2025-06", per_1k_chars=0.05, note="Flash/Turbo"
    ),
    Price(
        "tts", "elevenlabs", "eleven_flash_v2_5", ELEVENLABS_PRICING, "2025-06", per_1k_chars=0.05, note="Flash/Turbo"
    ),
    Price(
        "tts",
        "elevenlabs",
        "eleven_multilingual_v2",
        ELEVENLABS_PRICING,
        "2025-06",
        per_1k_chars=0.10,
        note="Multilingual v2/v3",
    ),
)
"""Every priced model. Add a line (with its source and date) to price another model."""

_BY_KEY: dict[tuple[Kind, str, str], Price] = {(p.kind, p.provider, p.model): p for p in PRICES}


def normalise_provider(provider: str) -> str:
    """The provider as this table names it.

    Args:
        provider: What a plugin reports (``LLM.provider``): a name (``"Deepgram"``) or, for OpenAI-compatible
            clients, the API host (``"api.openai.com"``, ``"127.0.0.1:8088"``).

    Returns:
        ``openai`` / ``deepgram`` / ``elevenlabs``, ``self-hosted`` for engines on this machine, else the
        lower-cased input.
    """
    raw = provider.strip().lower()
    host = (urlparse(f"//{raw}").hostname or raw) if raw else raw
    if raw in SELF_HOSTED_PROVIDERS or host in LOOPBACK_HOSTS:
        return "self-hosted"
    if host == "api.openai.com" or raw == "openai":
        return "openai"
    if "deepgram" in raw:
        return "deepgram"
    if "elevenlabs" in raw or "eleven labs" in raw:
        return "elevenlabs"
    return raw


def find_price(kind: Kind, provider: str, model: str) -> Price | None:
    """The list price of ``model`` from ``provider`` (``None`` when not in :data:`PRICES`).

    Args:
        kind: ``llm``, ``stt`` or ``tts``.
        provider: As reported by the plugin (normalised with :func:`normalise_provider`).
        model: As reported; a dated snapshot suffix is ignored.
    """
    name = provider if provider in ("openai", "deepgram", "elevenlabs") else normalise_provider(provider)
    model = model.strip()
    return _BY_KEY.get((kind, name, model)) or _BY_KEY.get((kind, name, _DATED.sub("", model)))


def _kind(usage: ModelUsage) -> Kind | None:
    if isinstance(usage, LLMModelUsage):
        return "llm"
    if isinstance(usage, STTModelUsage):
        return "stt"
    if isinstance(usage, TTSModelUsage):
        return "tts"
    return None


def _per_million(tokens: int, rate: float | None) -> float | None:
    if tokens <= 0:
        return 0.0
    return None if rate is None else tokens * rate / 1_000_000


def _llm_cost(u: LLMModelUsage, p: Price) -> float | None:
    audio_in = u.input_audio_tokens
    cached_audio = u.input_cached_audio_tokens
    audio_out = u.output_audio_tokens
    # Text tokens are the rest: the totals include the audio tokens (and cached tokens are part of the input).
    cached_text = max(u.input_cached_tokens - cached_audio, 0)
    text_in = max(u.input_tokens - audio_in - cached_text, 0)
    text_out = max(u.output_tokens - audio_out, 0)
    parts = [
        _per_million(text_in, p.input_per_mtok),
        _per_million(cached_text, p.cached_input_per_mtok),
        _per_million(text_out, p.output_per_mtok),
        _per_million(max(audio_in - cached_audio, 0), p.audio_input_per_mtok),
        _per_million(cached_audio, p.cached_audio_input_per_mtok),
        _per_million(audio_out, p.audio_output_per_mtok),
    ]
    return None if any(part is None for part in parts) else sum(part or 0.0 for part in parts)


def usage_cost(usage: ModelUsage) -> tuple[float | None, Price | None]:
    """Estimated cost of one model's usage.

    Args:
        usage: One entry of ``session.usage.model_usage`` (LLM, STT, TTS, interruption or end-of-turn).

    Returns:
        ``(usd, price)``: ``usd`` is ``0.0`` for a self-hosted engine or for no billable usage,
        ``None`` when the model is not priced here (``price`` is then ``None`` too).
    """
    kind = _kind(usage)
    provider = normalise_provider(usage.provider)
    if provider == "self-hosted":
        return 0.0, None
    if kind is None:  # interruption / end-of-turn detection: priced per request by LiveKit Cloud, not listed
        assert isinstance(usage, (InterruptionModelUsage, EOTModelUsage))
        return (0.0, None) if usage.total_requests == 0 else (None, None)
    price = find_price(kind, provider, usage.model)
    if price is None:
        return None, None
    if isinstance(usage, LLMModelUsage):
        return _llm_cost(usage, price), price
    if isinstance(usage, STTModelUsage):
        return (None if price.per_minute is None else usage.audio_duration / 60 * price.per_minute), price
    assert isinstance(usage, TTSModelUsage)
    if price.per_1k_chars is not None:
        return usage.characters_count / 1000 * price.per_1k_chars, price
    return (None if price.per_minute is None else usage.audio_duration / 60 * price.per_minute), price


def usage_figures(usage: ModelUsage) -> dict[str, Any]:
    """The non-zero usage figures of one model (what the report shows), plus ``type``/``provider``/``model``."""
    data = usage.model_dump()
    keep = ("type", "provider", "model")
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in data.items() if k in keep or v}


def estimate_cost(usages: list[ModelUsage]) -> dict[str, Any]:
    """The call's usage and estimated cost, as the report shows it.

    Args:
        usages: ``session.usage.model_usage`` at the end of the call.

    Returns:
        ``{"models": [...], "total_usd": float | None, "complete": bool, "currency": "USD"}``. Each model
        entry has its usage figures, ``cost_usd`` (``None`` when unknown) and the price ``source``/``as_of``.
        ``total_usd`` sums the known costs (``None`` when no cost is known); ``complete`` is ``False`` when
        any model with usage has an unknown cost.
    """
    models: list[dict[str, Any]] = []
    known: list[float] = []
    complete = True
    for usage in usages:
        usd, price = usage_cost(usage)
        entry = usage_figures(usage)
        entry["cost_usd"] = None if usd is None else round(usd, 6)
        if price is not None:
            entry["price"] = {"source": price.source, "as_of": price.as_of, "note": price.note}
        elif usd == 0.0 and normalise_provider(usage.provider) == "self-hosted":
            entry["price"] = {"source": "self-hosted: no per-use charge", "as_of": None, "note": ""}
        if usd is None:
            complete = False
        else:
            known.append(usd)
        models.append(entry)
    return {
        "currency": "USD",
        "models": models,
        "total_usd": round(sum(known), 6) if known else None,
        "complete": complete,
    }
