"""Configuration, read once from the environment and ``.env`` (pydantic-settings).

Every key is listed, with a comment, in ``.env.sample``. Tests build ``Settings(...)`` explicitly
with ``_env_file=None`` so a developer's ``.env`` never leaks into them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from call.phone_line import TransferTarget, e164_problem

Profile = Literal["cloud", "local", "realtime"]
LocalLLMMode = Literal["json_actions", "native_tools"]

DEFAULT_SALT = "dev-only-salt-change-me"
LIVEKIT_COMMANDS = frozenset({"dev", "start", "connect"})
"""CLI commands that connect to a LiveKit server."""
PROVIDER_COMMANDS = frozenset({"dev", "start", "connect", "console"})
"""CLI commands that run a live session with the chosen provider profile."""


class Settings(BaseSettings):
    """All settings of the worker. Environment variable = field name in upper case."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )  # an empty KEY= in .env means unset (the default), as in .env.sample

    # LiveKit server (Cloud or self-hosted; see livekit.yaml)
    livekit_url: str | None = None
    livekit_api_key: SecretStr | None = None
    livekit_api_secret: SecretStr | None = None
    agent_name: str = "marketplace-desk"
    """Explicit dispatch name (SIP dispatch rules and the Playground must request it). Empty = automatic dispatch."""

    # Provider profile
    provider_profile: Profile = "cloud"
    openai_api_key: SecretStr | None = None
    deepgram_api_key: SecretStr | None = None
    eleven_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_temperature: float = Field(0.7, ge=0.0, le=2.0)
    llm_max_tokens: int = Field(180, ge=16, le=4096)
    """Cap on one reply's tokens: voice replies are short."""
    stt_model: str = "nova-3"
    tts_model: str = "eleven_turbo_v2_5"
    elevenlabs_voice_id: str | None = None
    preemptive_generation: bool = True

    # Local profile (no network, no keys)
    local_llm_url: str = "http://127.0.0.1:8088/v1"
    local_llm_model: str = "qwen2.5-coder-1.5b-instruct"
    local_llm_mode: LocalLLMMode = "json_actions"
    """json_actions: grammar-constrained JSON (llama-server); native_tools: OpenAI tool calls (e.g. Ollama)."""
    local_llm_timeout_s: float = Field(90.0, gt=0)

    # Supervisor: a stronger model the advanced features desk consults for complex questions
    # (see worker/supervisor_client.py for the defaults of each profile)
    supervisor_enabled: bool = True
    supervisor_url: str | None = None
    """OpenAI-compatible base URL; unset: OpenAI (cloud profile) or LOCAL_LLM_URL (local profile)."""
    supervisor_model: str | None = None
    """Unset: gpt-4.1 (cloud) or LOCAL_LLM_MODEL (local)."""
    supervisor_api_key: SecretStr | None = None
    """Unset: OPENAI_API_KEY, or none for a local server."""
    supervisor_timeout_s: float | None = Field(None, gt=0, le=120)
    """Seconds one supervisor answer may take; unset: 8 (hosted) or 45 (local server)."""

    # Data and policy
    database_url: str = "sqlite+aiosqlite:///data/marketplace.db"
    secret_salt: SecretStr = SecretStr(DEFAULT_SALT)
    service_timeout_s: float = Field(3.0, gt=0, le=60)
    max_transfers_per_call: int = Field(8, ge=1, le=100)
    max_auth_attempts: int = Field(3, ge=1, le=10)

    # Operations
    record_calls: bool = False
    """Let LiveKit record audio and transcripts server-side (they contain identity digits): off by default."""
    reports_dir: Path = Path("data/reports")
    """Where the redacted report of each live call is written when it ends."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    prometheus_port: int | None = None

    # --- providers ---
    # Fallbacks of the cloud and realtime profiles (LiveKit's FallbackAdapter; see worker/providers.py)
    llm_fallback_enabled: bool = True
    llm_fallback_model: str = "gpt-4.1-mini"
    """Second LLM, used when LLM_MODEL fails or times out (same OpenAI key unless LLM_FALLBACK_URL is set)."""
    llm_fallback_url: str | None = None
    """OpenAI-compatible base URL of the second LLM; unset: OpenAI."""
    llm_fallback_api_key: SecretStr | None = None
    """Key for LLM_FALLBACK_URL; unset: OPENAI_API_KEY."""
    stt_fallback_enabled: bool = True
    stt_fallback_model: str = "gpt-4o-mini-transcribe"
    """OpenAI speech-to-text model used when Deepgram fails."""
    tts_fallback_enabled: bool = True
    openai_tts_model: str = "gpt-4o-mini-tts"
    """OpenAI text-to-speech model: the TTS fallback when ElevenLabs fails."""
    openai_tts_voice: str = "ash"
    # Realtime profile: OpenAI's realtime model reads the caller's audio and writes text; our TTS speaks it
    realtime_model: str = "gpt-realtime"

    # --- deploy ---
    # Scale-out (AgentServer options, see worker/scaling.py) and phone audio (worker/telephony.py)
    load_threshold: float | None = Field(None, gt=0, le=1)
    """Worker load (LiveKit's CPU moving average, 0-1) above which it takes no new call; unset: LiveKit's 0.7.
    LiveKit Cloud hosting ignores it."""
    num_idle_processes: int | None = Field(None, ge=0, le=64)
    """Warm job processes kept ready for the next calls; unset: LiveKit's default (the CPU count)."""
    job_memory_limit_mb: float = Field(0, ge=0)
    """A call's process is killed above this memory (PSS, MB); 0 = no limit. Figures: benchmarks/load_test.py."""
    initialize_process_timeout_s: float | None = Field(None, gt=0, le=600)
    """Seconds a job process may take to prewarm; unset: LiveKit's 10 (cloud profile), 60 (local profile)."""
    noise_cancellation: Literal["off", "bvc"] = "off"
    """bvc: LiveKit Cloud BVC (web) / BVCTelephony (phone) in the agent; off: none (the SIP trunk's Krisp)."""

    # --- observability ---
    report_retention_days: int = Field(30, ge=0, le=3650)
    """Call reports in REPORTS_DIR older than this many days are deleted when a new one is written; 0 = keep all."""
    prometheus_multiproc_dir: Path | None = None
    """Folder where job processes write their Prometheus metrics for the /metrics port (prometheus_client's
    multiprocess mode). Unset with PROMETHEUS_PORT set: a folder under the system temp dir. See worker/metrics.py."""
    otel_exporter_otlp_endpoint: str | None = None
    """OTLP/HTTP collector base URL (e.g. http://localhost:4318): LiveKit's OpenTelemetry spans are sent there."""

    @field_validator("prometheus_multiproc_dir", "otel_exporter_otlp_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``KEY=`` (as in .env.sample) means unset, not the current folder or an empty URL."""
        return None if isinstance(value, str) and not value.strip() else value

    # --- resume ---
    resume_window_minutes: int = Field(10, ge=0, le=1440)
    """Minutes after a dropped call during which the same caller (phone number, or web participant identity)
    is offered to continue it, after a shortened re-verification; 0 disables resuming (worker/call_state.py)."""

    # --- ending ---
    # Human transfer (phone callers only) and the end of a call (worker/phone_line.py, worker/idle.py)
    human_transfer_number: str | None = None
    """E.164 number of the human team (e.g. +14155550100); unset: the human agent is an AI stand-in (tickets)."""
    human_transfer_mode: Literal["cold", "warm"] = "cold"
    """cold: SIP REFER to the number; warm: call the team first and brief them (LiveKit Cloud; falls back to cold)."""
    livekit_sip_outbound_trunk: str | None = None
    """Outbound SIP trunk id (ST_...) a warm transfer dials the team through; unset: warm falls back to cold."""
    warm_transfer_ringing_timeout_s: float = Field(30.0, gt=0, le=120)
    """Seconds a warm transfer lets the team's phone ring before the caller is returned to the desk."""
    user_away_timeout_s: float = Field(15.0, gt=0, le=600)
    """Seconds of silence (caller and agent) before the desk asks "Are you still there?" (voice sessions)."""
    user_away_grace_s: float = Field(15.0, gt=0, le=600)
    """Further seconds of silence after that question before the desk says goodbye and ends the call."""

    @field_validator("human_transfer_number", "livekit_sip_outbound_trunk", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``KEY=`` (as in .env.sample) means unset; a number is checked as E.164 (see call.phone_line)."""
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("human_transfer_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is not None and (problem := e164_problem(value)) is not None:
            raise ValueError(problem)
        return value

    def human_transfer_target(self) -> TransferTarget | None:
        """Where the human team answers, or ``None`` when no number is configured."""
        if self.human_transfer_number is None:
            return None
        return TransferTarget(self.human_transfer_number, self.human_transfer_mode)

    # --- end ending ---

    # --- guardrail ---
    # The optional model classifier of the output guardrail (the rule layer always runs; worker/guardrail_client.py)
    guardrail_classifier_url: str | None = None
    """OpenAI-compatible base URL of a classifier judging each agent reply before it is spoken; unset: rules only."""
    guardrail_classifier_model: str = "gpt-4o-mini"
    guardrail_classifier_api_key: SecretStr | None = None
    """Unset: OPENAI_API_KEY, or none for a local server."""
    guardrail_classifier_timeout_s: float = Field(1.5, gt=0, le=30)
    """Seconds one verdict may take (the reply waits for it); past it the rule layer alone decides."""

    @field_validator("guardrail_classifier_url", mode="before")
    @classmethod
    def _classifier_url(cls, value: object) -> object:
        """``KEY=`` means unset; a URL must be http(s)."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.strip().startswith(("http://", "https://")):
            raise ValueError(f"GUARDRAIL_CLASSIFIER_URL must start with http:// or https:// (got '{value[:40]}')")
        return value.strip() if isinstance(value, str) else value

    # --- end guardrail ---

    def problems(self, command: str) -> list[str]:
        """What is missing for ``command`` (``dev``, ``start``, ``console``, ...), one sentence each."""
        missing: list[str] = []
        if command in LIVEKIT_COMMANDS:
            for key in ("livekit_url", "livekit_api_key", "livekit_api_secret"):
                if not _present(getattr(self, key)):
                    missing.append(f"{key.upper()} is not set (needed to connect to the LiveKit server)")
            if self.livekit_url and not self.livekit_url.startswith(("ws://", "wss://", "http://", "https://")):
                missing.append(f"LIVEKIT_URL must start with wss:// or ws:// (got '{self.livekit_url[:40]}')")
        if command in PROVIDER_COMMANDS and self.provider_profile in ("cloud", "realtime"):
            llm_what = "OpenAI LLM" if self.provider_profile == "cloud" else "OpenAI realtime model"
            for key, what in (
                ("openai_api_key", llm_what),
                ("deepgram_api_key", "Deepgram STT"),
                ("eleven_api_key", "ElevenLabs TTS"),
            ):
                if not _present(getattr(self, key)):
                    missing.append(
                        f"{key.upper()} is not set (needed by the {self.provider_profile} profile's {what}; "
                        "or set PROVIDER_PROFILE=local)"
                    )
        if self.llm_fallback_url and not self.llm_fallback_url.startswith(("http://", "https://")):
            missing.append(f"LLM_FALLBACK_URL must start with http:// or https:// (got '{self.llm_fallback_url[:40]}')")
        if self.supervisor_url and not self.supervisor_url.startswith(("http://", "https://")):
            missing.append(f"SUPERVISOR_URL must start with http:// or https:// (got '{self.supervisor_url[:40]}')")
        if command == "start" and self.secret_salt.get_secret_value() == DEFAULT_SALT:
            missing.append("SECRET_SALT is the development default; set a secret value in production")
        return missing


def _present(value: str | SecretStr | None) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value and value.strip())
