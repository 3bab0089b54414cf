"""The desk's model for an eval run, chosen by ``--llm``: the scripted model, the local server, or a URL.

* ``scripted`` — :class:`worker.testing.ScriptedLLM`, fed the scenario's planned replies turn by turn
  (regression runs and CI: deterministic, no server).
* ``local`` — the ``local`` provider profile's model (``LOCAL_LLM_URL``, the JSON-action adapter the
  1.5B model needs; ``bash scripts/setup_local_llm.sh start``).
* an ``http(s)://…/v1`` URL — any OpenAI-compatible endpoint with ``--model`` (gpt-4o-mini by default)
  and the key in ``EVALS_LLM_API_KEY`` or ``OPENAI_API_KEY``; ``--adapter json_actions`` serves small
  local models through the JSON-action adapter instead of native tool calls.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Literal

from livekit.agents import llm

from worker.settings import Settings
from worker.testing import ScriptedLLM

Adapter = Literal["native_tools", "json_actions"]


@dataclass(frozen=True)
class DeskModelChoice:
    """What ``--llm``, ``--model`` and ``--adapter`` chose.

    Attributes:
        kind: ``scripted``, ``local`` or ``url``.
        url: The endpoint (``None`` for scripted).
        model: Model name at the endpoint.
        adapter: How tools are offered to it.
    """

    kind: Literal["scripted", "local", "url"]
    url: str | None = None
    model: str = ""
    adapter: Adapter = "native_tools"

    @property
    def label(self) -> str:
        """For reports: ``scripted``, ``local:<model>`` or ``<model>@<url>``."""
        if self.kind == "scripted":
            return "scripted"
        if self.kind == "local":
            return f"local:{self.model}"
        return f"{self.model}@{self.url}"


def choose(llm_arg: str, *, model: str | None, adapter: Adapter | None, settings: Settings) -> DeskModelChoice:
    """Read ``--llm`` (``scripted``, ``local`` or a URL).

    Raises:
        ValueError: anything else (the message lists the choices).
    """
    if llm_arg == "scripted":
        return DeskModelChoice("scripted")
    if llm_arg == "local":
        return DeskModelChoice(
            "local", settings.local_llm_url, model or settings.local_llm_model, adapter or settings.local_llm_mode
        )
    if llm_arg.startswith(("http://", "https://")):
        return DeskModelChoice("url", llm_arg.rstrip("/"), model or "gpt-4o-mini", adapter or "native_tools")
    raise ValueError(f"--llm {llm_arg!r}: use 'scripted', 'local' or an OpenAI-compatible URL (https://.../v1)")


def api_key(choice: DeskModelChoice) -> str:
    """The key for the endpoint: ``EVALS_LLM_API_KEY``, else ``OPENAI_API_KEY``, else ``"local"``."""
    if choice.kind == "local":
        return "local"
    return os.environ.get("EVALS_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or "local"


def reachable(choice: DeskModelChoice, *, timeout_s: float = 3.0) -> bool:
    """Whether the endpoint answers ``GET /models`` (always true for scripted)."""
    if choice.url is None:
        return True
    request = urllib.request.Request(choice.url + "/models", headers={"Authorization": f"Bearer {api_key(choice)}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def build(choice: DeskModelChoice, settings: Settings) -> llm.LLM:
    """A fresh model instance for one call (each trial gets its own)."""
    if choice.kind == "scripted":
        return ScriptedLLM()
    if choice.kind == "local":
        from worker.providers import build_llm

        return build_llm(settings.model_copy(update={"provider_profile": "local"}))
    assert choice.url is not None
    if choice.adapter == "json_actions":
        from worker.offline.local_llm import ActionLLM

        return ActionLLM(
            model=choice.model, base_url=choice.url, timeout=settings.local_llm_timeout_s, api_key=api_key(choice)
        )
    from livekit.plugins import openai

    return openai.LLM(
        model=choice.model,
        base_url=choice.url,
        api_key=api_key(choice),
        temperature=0.2,
        parallel_tool_calls=False,
        max_completion_tokens=settings.llm_max_tokens,
    )
