"""Configuration, read once from the environment and ``.env`` (pydantic-settings).

Every key is listed, with a comment, in ``.env.sample``. Tests build ``Settings(...)`` explicitly
with ``_env_file=None`` so a developer's ``.env`` never leaks into them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Profile = Literal["cloud", "local"]
LocalLLMMode = Literal["json_actions", "native_tools"]

DEFAULT_SALT = "dev-only-salt-change-me"
LIVEKIT_COMMANDS = frozenset({"dev", "start", "connect"})
"""CLI commands that connect to a LiveKit server."""
PROVIDER_COMMANDS = frozenset({"dev", "start", "connect", "console"})
"""CLI commands that run a live session with the chosen provider profile."""


class Settings(BaseSettings):
    """All settings of the worker. Environment variable = field name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

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

    def problems(self, command: str) -> list[str]:
        """What is missing for ``command`` (``dev``, ``start``, ``console``, ...), one sentence each."""
        missing: list[str] = []
        if command in LIVEKIT_COMMANDS:
            for key in ("livekit_url", "livekit_api_key", "livekit_api_secret"):
                if not _present(getattr(self, key)):
                    missing.append(f"{key.upper()} is not set (needed to connect to the LiveKit server)")
            if self.livekit_url and not self.livekit_url.startswith(("ws://", "wss://", "http://", "https://")):
                missing.append(f"LIVEKIT_URL must start with wss:// or ws:// (got '{self.livekit_url[:40]}')")
        if command in PROVIDER_COMMANDS and self.provider_profile == "cloud":
            for key, what in (
                ("openai_api_key", "OpenAI LLM"),
                ("deepgram_api_key", "Deepgram STT"),
                ("eleven_api_key", "ElevenLabs TTS"),
            ):
                if not _present(getattr(self, key)):
                    missing.append(
                        f"{key.upper()} is not set (needed by the cloud profile's {what}; "
                        "or set PROVIDER_PROFILE=local)"
                    )
        if self.supervisor_url and not self.supervisor_url.startswith(("http://", "https://")):
            missing.append(f"SUPERVISOR_URL must start with http:// or https:// (got '{self.supervisor_url[:40]}')")
        if command == "start" and self.secret_salt.get_secret_value() == DEFAULT_SALT:
            missing.append("SECRET_SALT is the development default; set a secret value in production")
        return missing


def _present(value: str | SecretStr | None) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value and value.strip())
