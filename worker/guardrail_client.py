"""The optional output classifier: any OpenAI-compatible chat-completions server judging agent replies.

The output guardrail (:mod:`agents.output_guardrail`) always runs its rule layer in code. When
``GUARDRAIL_CLASSIFIER_URL`` is set, each reply that passed the rules is also sent (redacted) to a model
at that URL, which answers with a short JSON verdict (:data:`call.guardrail.CLASSIFIER_INSTRUCTIONS`):
``{"verdict": "allow"}`` or ``{"verdict": "block", "category": "offensive"}``. It is off by default.

* ``GUARDRAIL_CLASSIFIER_URL``: base URL (``https://api.openai.com/v1``, a llama-server or Ollama ``/v1``);
* ``GUARDRAIL_CLASSIFIER_MODEL``: model name (default ``gpt-4o-mini``, a fast hosted model);
* ``GUARDRAIL_CLASSIFIER_API_KEY``: bearer key, else ``OPENAI_API_KEY``, else a placeholder (local servers);
* ``GUARDRAIL_CLASSIFIER_TIMEOUT_S``: bound on one verdict (default 1.5 s). The reply is held until the
  verdict, so this is added latency at worst; on a timeout or any failure the rule layer alone decides.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import openai
from livekit.agents import AgentSession
from openai.types.chat import ChatCompletionMessageParam

from call.context import CustomerContext
from call.guardrail import CATEGORIES, CLASSIFIER_INSTRUCTIONS, Category, GuardrailVerdict

from .lifecycle import close_with_session
from .settings import Settings

logger = logging.getLogger("marketplace.guardrail")

NO_KEY = "not-needed"
"""Placeholder key for servers that ignore it (the ``openai`` client requires one)."""
MAX_VERDICT_TOKENS = 30
"""Cap on the verdict (``{"verdict": "block", "category": "personal_data"}`` is ~15 tokens)."""
_JSON_OBJECT = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class ClassifierEndpoint:
    """Where and how the classifier is reached."""

    base_url: str
    model: str
    api_key: str
    timeout_s: float


def classifier_endpoint(settings: Settings) -> ClassifierEndpoint | None:
    """The classifier configured by ``settings``, or ``None`` (no ``GUARDRAIL_CLASSIFIER_URL``: rules only)."""
    url = (settings.guardrail_classifier_url or "").strip()
    if not url:
        return None
    key = _secret(settings.guardrail_classifier_api_key) or _secret(settings.openai_api_key) or NO_KEY
    return ClassifierEndpoint(
        base_url=url,
        model=settings.guardrail_classifier_model,
        api_key=key,
        timeout_s=settings.guardrail_classifier_timeout_s,
    )


def build_guardrail_classifier(settings: Settings) -> OpenAIGuardrailClassifier | None:
    """The classifier client for ``settings``, or ``None`` when none is configured."""
    endpoint = classifier_endpoint(settings)
    if endpoint is None:
        logger.info("no guardrail classifier configured: the rule layer alone checks replies")
        return None
    logger.info("guardrail classifier: %s at %s (timeout %.1fs)", endpoint.model, endpoint.base_url, endpoint.timeout_s)
    return OpenAIGuardrailClassifier(
        base_url=endpoint.base_url, model=endpoint.model, api_key=endpoint.api_key, timeout_s=endpoint.timeout_s
    )


def parse_verdict(content: str) -> GuardrailVerdict:
    """The verdict in a model's answer: the first JSON object in it (code fences and prose around are ignored).

    Raises:
        ConnectionError: no JSON object, or one with no valid ``verdict`` (``allow`` or ``block``).
    """
    match = _JSON_OBJECT.search(content)
    try:
        data = json.loads(match.group(0)) if match else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("verdict") not in ("allow", "block"):
        raise ConnectionError("guardrail classifier answered without a valid verdict")
    if data["verdict"] == "allow":
        return GuardrailVerdict(allowed=True)
    category = data.get("category")
    valid: Category = category if category in CATEGORIES and category != "ok" else "off_brand"
    return GuardrailVerdict(allowed=False, category=valid)


class OpenAIGuardrailClassifier:
    """:class:`call.guardrail.GuardrailClassifier` over an OpenAI-compatible ``/chat/completions`` endpoint.

    One request per reply (no retries: the caller is waiting), bounded by ``timeout_s``, temperature 0,
    JSON mode (``response_format={"type": "json_object"}``, supported by OpenAI, llama-server and Ollama).

    Args:
        base_url: e.g. ``https://api.openai.com/v1`` or ``http://127.0.0.1:8088/v1``.
        model: Model name sent with the request.
        api_key: Bearer key (any text for servers that need none).
        timeout_s: Seconds one verdict may take.
    """

    def __init__(self, *, base_url: str, model: str, api_key: str, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.model = model
        self.timeout_s = timeout_s
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0)

    def messages(self, reply: str, agent: str) -> list[ChatCompletionMessageParam]:
        """The chat messages of one request: the instructions, then the desk and the reply."""
        return [
            {"role": "system", "content": CLASSIFIER_INSTRUCTIONS},
            {"role": "user", "content": f"Desk: {agent}\nReply:\n{reply}"},
        ]

    async def classify(self, reply: str, *, agent: str) -> GuardrailVerdict:
        """Ask the model; see :meth:`call.guardrail.GuardrailClassifier.classify`.

        Raises:
            TimeoutError: no verdict within ``timeout_s``.
            ConnectionError: unreachable, an error status, or an answer that is not a verdict.
        """
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.chat.completions.create(
                    model=self.model,
                    messages=self.messages(reply, agent),
                    max_completion_tokens=MAX_VERDICT_TOKENS,
                    temperature=0,
                    response_format={"type": "json_object"},
                )
        except openai.APITimeoutError as exc:
            raise TimeoutError(f"guardrail classifier {self.model} did not answer in {self.timeout_s:.1f}s") from exc
        except openai.APIStatusError as exc:
            raise ConnectionError(f"guardrail classifier {self.model} refused (HTTP {exc.status_code})") from exc
        except openai.APIError as exc:
            raise ConnectionError(f"guardrail classifier {self.model} unreachable: {type(exc).__name__}") from exc
        choices = getattr(response, "choices", None) or []
        content = choices[0].message.content if choices else None
        return parse_verdict(content or "")

    async def aclose(self) -> None:
        """Release the HTTP connection pool."""
        await self._client.close()


def attach_guardrail_classifier(session: AgentSession[CustomerContext], settings: Settings) -> None:
    """Put the configured classifier on the session's call context (unless one is set) and close it with the session.

    Args:
        session: The ``AgentSession`` (its ``userdata`` is the call's ``CustomerContext``).
        settings: The worker's settings.
    """
    ctx = session.userdata
    if ctx.guardrail_classifier is not None:
        return
    classifier = build_guardrail_classifier(settings)
    ctx.guardrail_classifier = classifier
    if classifier is not None:
        close_with_session(session, classifier)


def _secret(value: Any) -> str:
    text = value.get_secret_value() if value is not None else ""
    return str(text).strip()
