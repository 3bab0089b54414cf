"""The supervisor implementation: any OpenAI-compatible chat-completions server.

The chat-supervisor pattern of openai-realtime-agents (``chatSupervisor``) asks ``gpt-4.1`` for the
next message whenever the fast agent faces a non-trivial question. Here the supervisor is reached
through the ``openai`` package's chat completions (OpenAI itself, or any compatible server such as
llama.cpp's ``llama-server`` or Ollama) and answers one question from facts code gathered
(:mod:`tools.supervisor`); code checks the answer before it is spoken.

Which server (:func:`supervisor_endpoint`):

* ``SUPERVISOR_ENABLED=false`` → none: the desk says the feature is unavailable and offers a person;
* ``SUPERVISOR_URL`` set → that server, with ``SUPERVISOR_MODEL`` and ``SUPERVISOR_API_KEY`` (falling back
  to ``OPENAI_API_KEY``, then to a placeholder for servers that need no key);
* else the ``local`` profile → the local LLM server (``LOCAL_LLM_URL``, ``LOCAL_LLM_MODEL``), as in
  ``simulate`` and offline demos;
* else the ``cloud`` profile with ``OPENAI_API_KEY`` → OpenAI, ``gpt-4.1`` unless ``SUPERVISOR_MODEL``;
* else none.

The timeout is ``SUPERVISOR_TIMEOUT_S``, by default 8 s against a hosted model and 45 s against the
local server (a 1.5B model on 2 CPU cores reads the facts at ~100 tokens/s and writes ~13 tokens/s).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import openai

from call.supervisor import SUPERVISOR_INSTRUCTIONS

from .settings import Settings

logger = logging.getLogger("marketplace.supervisor")

OPENAI_URL = "https://api.openai.com/v1"
CLOUD_MODEL = "gpt-4.1"
"""The supervisor model of the system we migrate from (openai-realtime-agents ``chatSupervisor``)."""
CLOUD_TIMEOUT_S = 8.0
LOCAL_TIMEOUT_S = 45.0
NO_KEY = "not-needed"
"""Placeholder key for servers that ignore it (the ``openai`` client requires one)."""
MAX_ANSWER_TOKENS = 300
"""Cap on the supervisor's answer (three short sentences need ~80 tokens)."""


@dataclass(frozen=True)
class SupervisorEndpoint:
    """Where and how the supervisor is reached."""

    base_url: str
    model: str
    api_key: str
    timeout_s: float


def supervisor_endpoint(settings: Settings) -> SupervisorEndpoint | None:
    """The supervisor server configured by ``settings``, or ``None`` when there is none (see the module doc)."""
    if not settings.supervisor_enabled:
        return None
    explicit_key = _secret(settings.supervisor_api_key)
    openai_key = _secret(settings.openai_api_key)
    if settings.supervisor_url:
        local_default = settings.provider_profile == "local"
        return SupervisorEndpoint(
            base_url=settings.supervisor_url,
            model=settings.supervisor_model or (settings.local_llm_model if local_default else CLOUD_MODEL),
            api_key=explicit_key or openai_key or NO_KEY,
            timeout_s=settings.supervisor_timeout_s or (LOCAL_TIMEOUT_S if local_default else CLOUD_TIMEOUT_S),
        )
    if settings.provider_profile == "local":
        return SupervisorEndpoint(
            base_url=settings.local_llm_url,
            model=settings.supervisor_model or settings.local_llm_model,
            api_key=explicit_key or NO_KEY,
            timeout_s=settings.supervisor_timeout_s or LOCAL_TIMEOUT_S,
        )
    key = explicit_key or openai_key
    if not key:
        return None
    return SupervisorEndpoint(
        base_url=OPENAI_URL,
        model=settings.supervisor_model or CLOUD_MODEL,
        api_key=key,
        timeout_s=settings.supervisor_timeout_s or CLOUD_TIMEOUT_S,
    )


def build_supervisor(settings: Settings) -> OpenAISupervisor | None:
    """The supervisor client for ``settings``, or ``None`` when none is configured."""
    endpoint = supervisor_endpoint(settings)
    if endpoint is None:
        logger.info("no supervisor configured: complex questions are offered a person")
        return None
    logger.info("supervisor: %s at %s (timeout %.0fs)", endpoint.model, endpoint.base_url, endpoint.timeout_s)
    return OpenAISupervisor(
        base_url=endpoint.base_url, model=endpoint.model, api_key=endpoint.api_key, timeout_s=endpoint.timeout_s
    )


class OpenAISupervisor:
    """:class:`call.supervisor.Supervisor` over an OpenAI-compatible ``/chat/completions`` endpoint.

    One request per question (no retries: the caller is waiting), bounded by ``timeout_s``.

    Args:
        base_url: e.g. ``https://api.openai.com/v1`` or ``http://127.0.0.1:8088/v1``.
        model: Model name sent with the request.
        api_key: Bearer key (any text for servers that need none).
        timeout_s: Seconds one answer may take.
        max_tokens: Cap on the answer's tokens.
    """

    def __init__(
        self, *, base_url: str, model: str, api_key: str, timeout_s: float, max_tokens: int = MAX_ANSWER_TOKENS
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.model = model
        self.timeout_s = timeout_s
        self._max_tokens = max_tokens
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0)

    def messages(self, question: str, facts: str) -> list[dict[str, Any]]:
        """The chat messages of one request: the instructions, then the facts and the question."""
        return [
            {"role": "system", "content": SUPERVISOR_INSTRUCTIONS},
            {"role": "user", "content": f"Facts:\n{facts}\n\nThe caller's question: {question}"},
        ]

    async def answer(self, question: str, facts: str) -> str:
        """Ask the model; see :meth:`call.supervisor.Supervisor.answer`.

        Raises:
            TimeoutError: no answer within ``timeout_s``.
            ConnectionError: the server could not be reached, answered with an error status, or with no text.
        """
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.chat.completions.create(
                    model=self.model,
                    messages=self.messages(question, facts),  # type: ignore[arg-type]
                    max_completion_tokens=self._max_tokens,
                )
        except openai.APITimeoutError as exc:
            raise TimeoutError(f"supervisor {self.model} did not answer within {self.timeout_s:.0f}s") from exc
        except openai.APIStatusError as exc:
            raise ConnectionError(f"supervisor {self.model} refused the request (HTTP {exc.status_code})") from exc
        except openai.APIError as exc:
            raise ConnectionError(f"supervisor {self.model} unreachable: {type(exc).__name__}") from exc
        choices = getattr(response, "choices", None) or []
        content = choices[0].message.content if choices else None
        if not content or not content.strip():
            raise ConnectionError(f"supervisor {self.model} returned no answer")
        return content.strip()

    async def aclose(self) -> None:
        """Release the HTTP connection pool."""
        await self._client.close()


def _secret(value: Any) -> str:
    text = value.get_secret_value() if value is not None else ""
    return str(text).strip()
