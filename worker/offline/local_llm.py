"""A livekit ``llm.LLM`` for small local models behind any OpenAI-compatible server.

Small local models (the offline profile runs Qwen2.5-Coder-1.5B-Instruct in ``llama-server``)
are unreliable with native tool calling: llama-server's ``--jinja`` tools path makes this model
write the call as JSON inside the text, and servers that do return ``tool_calls`` drop
``role: "tool"`` messages or reject ``content: null``. :class:`ActionLLM` therefore never uses
native tools. Each turn it asks for exactly one grammar-constrained JSON "next action" object::

    {"tool": "<tool name>", "arguments": {...}, "say": "<spoken text>"}
    {"tool": "none", "say": "<spoken text>"}

through ``response_format={"type": "json_schema", ...}`` and turns it back into livekit
``ChatChunk`` s: ``say`` becomes assistant text (streamed as soon as its characters arrive) and
a known ``tool`` becomes one :class:`livekit.agents.llm.FunctionToolCall`.

The conversation is sent as plain ``system``/``user``/``assistant`` messages: earlier tool
calls are rendered as assistant text ``[tool call] name {json args}`` and their outputs as
``[tool result] name: output`` lines, so no server ever sees ``role: "tool"`` or null content.
The system message starts with the agent's instructions followed by a compact tool catalogue,
so it stays byte-identical across turns and llama-server's prompt cache (``cache_prompt``)
only has to process the new tail of the conversation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from livekit.agents import APIConnectionError, APIStatusError, APITimeoutError, llm
from livekit.agents.types import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    NotGivenOr,
)
from livekit.agents.utils import is_given

logger = logging.getLogger(__name__)

NO_TOOL = "none"
"""The ``tool`` value meaning "just speak"; a real tool must not use this name."""

SchemaMode = Literal["auto", "per_tool", "simple"]
"""How the next-action JSON schema is built.

``per_tool``: an ``anyOf`` with one object per tool whose ``arguments`` is that tool's exact
parameter schema (the grammar then enforces argument names and types), plus a say-only object.
``simple``: one object with ``tool`` as an enum and ``arguments`` as a free object.
``auto``: ``per_tool``, falling back to ``simple`` for the rest of the LLM's life when the
server rejects the schema.
"""

ToolResultRole = Literal["user", "system"]

_SCHEMA_NAME = "next_action"
_DROP_SCHEMA_KEYS = frozenset({"title", "default", "examples", "$schema"})
_SCHEMA_ERROR_HINTS = ("schema", "grammar", "response_format", "json_schema")


# --------------------------------------------------------------------------- tool catalogue


@dataclass(frozen=True)
class ToolSpec:
    """What the model needs to know about one callable function tool.

    Attributes:
        name: The function name the model must write in ``tool``.
        description: One-paragraph description of the tool, whitespace collapsed.
        parameters: JSON schema of the arguments object, with titles/defaults removed.
    """

    name: str
    description: str
    parameters: dict[str, Any]


def clean_schema(schema: Any) -> Any:
    """Recursively drop schema keys that only cost prompt tokens or grammar states.

    ``title``, ``default``, ``examples`` and ``$schema`` carry no constraint, so they are
    removed from every nested mapping. Property *names* are preserved even when a property is
    itself called ``title`` or ``default``.

    Args:
        schema: A JSON-schema fragment (mapping, list or scalar).

    Returns:
        A cleaned deep copy of ``schema``.
    """
    if isinstance(schema, list):
        return [clean_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: clean_schema(sub) for name, sub in value.items()}
        elif key not in _DROP_SCHEMA_KEYS:
            out[key] = clean_schema(value)
    return out


def tool_specs(tools: list[llm.Tool]) -> list[ToolSpec]:
    """Extract the function tools of a ``chat()`` call as :class:`ToolSpec` s.

    Provider tools (server-side tools of hosted APIs) are ignored: a local server cannot run
    them.

    Args:
        tools: The tools passed to ``LLM.chat``; function tools, raw function tools, provider
            tools or toolsets.

    Returns:
        One spec per function tool, in the tool context's order.
    """
    specs: list[ToolSpec] = []
    for entry in llm.ToolContext(tools).parse_function_tools("openai", strict=False):
        fn = entry.get("function", entry)
        params = clean_schema(fn.get("parameters") or {})
        if not isinstance(params, dict):
            params = {}
        params.setdefault("type", "object")
        params.setdefault("properties", {})
        description = " ".join(str(fn.get("description") or "").split())
        specs.append(ToolSpec(name=str(fn["name"]), description=description, parameters=params))
    return specs


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def describe_tools(specs: list[ToolSpec]) -> str:
    """Render the tool catalogue for the system message, one short block per tool.

    Args:
        specs: The tools to describe.

    Returns:
        Lines like ``- lookup_order: Look up an order. arguments: {...} required: [...]``;
        an empty string when there are no tools.
    """
    lines: list[str] = []
    for spec in specs:
        props = spec.parameters.get("properties") or {}
        line = f"- {spec.name}: {spec.description or spec.name}"
        line += f"\n  arguments: {_compact_json(props) if props else '{}'}"
        required = spec.parameters.get("required") or []
        if required:
            line += f" required: {_compact_json(required)}"
        if spec.parameters.get("$defs"):
            line += f" $defs: {_compact_json(spec.parameters['$defs'])}"
        lines.append(line)
    return "\n".join(lines)


def _rewrite_refs(schema: Any, prefix: str) -> Any:
    if isinstance(schema, list):
        return [_rewrite_refs(v, prefix) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = "#/$defs/" + prefix + value[len("#/$defs/") :]
        else:
            out[key] = _rewrite_refs(value, prefix)
    return out


def _action_object(props: dict[str, Any], *, say_first: bool, say_schema: dict[str, Any]) -> dict[str, Any]:
    ordered = {"say": say_schema, **props} if say_first else {**props, "say": say_schema}
    return {
        "type": "object",
        "properties": ordered,
        "required": list(ordered),
        "additionalProperties": False,
    }


def build_action_schema(
    specs: list[ToolSpec],
    *,
    mode: Literal["per_tool", "simple"],
    allow_say_only: bool = True,
    say_first: bool = False,
) -> dict[str, Any]:
    """Build the JSON schema of one "next action" object for ``response_format``.

    llama.cpp generates properties in their declared order, so the order is a design choice:
    ``tool``, ``arguments``, ``say`` (default) makes the model commit to an action before it
    phrases the spoken text; ``say_first`` starts speech sooner but lets the model talk
    itself into (or out of) a tool call.

    Args:
        specs: The tools the model may call in this turn (already filtered by ``tool_choice``).
        mode: ``per_tool`` for an ``anyOf`` with each tool's exact parameter schema,
            ``simple`` for one object with an enum of tool names and free-form arguments.
        allow_say_only: Whether ``{"tool": "none", "say": ...}`` is allowed. Forced on when
            ``specs`` is empty.
        say_first: Put ``say`` before ``tool``/``arguments``.

    Returns:
        A JSON schema (a mapping) suitable for ``response_format.json_schema.schema``.
    """
    say_schema: dict[str, Any] = {"type": "string"}
    say_only = _action_object({"tool": {"const": NO_TOOL}}, say_first=say_first, say_schema=say_schema)
    if not specs:
        return say_only
    if mode == "simple":
        names = [s.name for s in specs] + ([NO_TOOL] if allow_say_only else [])
        return _action_object(
            {"tool": {"type": "string", "enum": names}, "arguments": {"type": "object"}},
            say_first=say_first,
            say_schema=say_schema,
        )

    defs: dict[str, Any] = {}
    options: list[dict[str, Any]] = []
    for spec in specs:
        params = dict(spec.parameters)
        local_defs = params.pop("$defs", None)
        if isinstance(local_defs, dict) and local_defs:
            prefix = f"{spec.name}__"
            params = _rewrite_refs(params, prefix)
            for def_name, def_schema in local_defs.items():
                defs[prefix + def_name] = _rewrite_refs(def_schema, prefix)
        options.append(
            _action_object(
                {"tool": {"const": spec.name}, "arguments": params},
                say_first=say_first,
                say_schema=say_schema,
            )
        )
    if allow_say_only:
        options.append(say_only)
    schema: dict[str, Any] = {"anyOf": options}
    if defs:
        schema["$defs"] = defs
    return schema


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    """Wrap a schema as an OpenAI ``response_format`` of type ``json_schema``.

    Args:
        schema: The next-action schema from :func:`build_action_schema`.

    Returns:
        ``{"type": "json_schema", "json_schema": {"name": "next_action", "schema": schema}}``.
    """
    return {"type": "json_schema", "json_schema": {"name": _SCHEMA_NAME, "schema": schema}}


# --------------------------------------------------------------------------- messages


def format_rules(has_tools: bool, *, say_first: bool = False) -> str:
    """The fixed reply-format rules appended to the system message.

    Args:
        has_tools: Whether any tool is offered in this turn.
        say_first: Show ``say`` first in the examples (match :func:`build_action_schema`).

    Returns:
        A short paragraph explaining the next-action JSON object.
    """
    speak = '"say": "<what you say to the caller>"'
    if not has_tools:
        return f'Reply with one JSON object: {{"tool": "none", {speak}}}.'
    if say_first:
        just_speak = f'{{{speak}, "tool": "none"}}'
        call = '{"say": "<short sentence>", "tool": "<tool name>", "arguments": {...}}'
    else:
        just_speak = f'{{"tool": "none", {speak}}}'
        call = '{"tool": "<tool name>", "arguments": {...}, "say": "<short sentence>"}'
    return (
        "Reply with one JSON object and nothing else.\n"
        f"To answer, ask or chat: {just_speak}\n"
        f"To call a tool: {call}\n"
        'Most replies use "none". Call a tool only when the caller asks for exactly what it does '
        "and gave every required value; never guess or invent values (ids, numbers, names): "
        'ask for them with "none" instead. '
        'Tool results arrive as "[tool result]" lines; answer the caller from them.'
    )


def _message_text(msg: llm.ChatMessage) -> str:
    parts: list[str] = []
    for content in msg.content:
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, llm.AudioContent) and content.transcript:
            parts.append(content.transcript)
    return "\n".join(p for p in parts if p)


def chat_ctx_to_messages(
    chat_ctx: llm.ChatContext,
    *,
    tools_block: str,
    rules: str,
    tool_result_role: ToolResultRole = "user",
    max_tool_output_chars: int = 1500,
    max_history_chars: int | None = None,
) -> list[dict[str, str]]:
    """Convert a livekit chat context to plain OpenAI chat messages.

    The leading system/developer messages are merged into one system message laid out as
    ``<instructions>`` + tool catalogue + format rules + ``<later leading system messages>``
    (livekit stores per-call ``Instructions.dynamic`` text as a second system message, so it
    goes last and the cached prefix survives). Later system messages stay ``system``. Function
    calls become assistant text ``[tool call] name {args}``; outputs become
    ``[tool result] name: output`` (``[tool error]`` for errors) in ``tool_result_role``.
    Consecutive messages with the same role are merged, because several chat templates
    require strict user/assistant alternation. Handoff and config-update items are skipped.

    Args:
        chat_ctx: The conversation to send.
        tools_block: The tool catalogue from :func:`describe_tools` (may be empty).
        rules: The reply-format rules from :func:`format_rules`.
        tool_result_role: Role carrying tool results: ``user`` (default) or ``system``.
        max_tool_output_chars: Tool outputs longer than this many characters are cut.
        max_history_chars: When the conversation after the system message is longer than
            this many characters, its oldest messages are dropped (the newest message is
            always kept, and the kept part starts with a user message when possible), so
            long calls do not overflow the server's context. ``None`` keeps everything.

    Returns:
        A list of ``{"role": ..., "content": ...}`` dicts with roles ``system``, ``user`` or
        ``assistant`` only and non-empty string content.
    """
    items = list(chat_ctx.items)
    head: list[str] = []
    idx = 0
    while idx < len(items):
        item = items[idx]
        if isinstance(item, llm.ChatMessage) and item.role in ("system", "developer"):
            text = _message_text(item)
            if text:
                head.append(text)
            idx += 1
        elif isinstance(item, (llm.AgentHandoff, llm.AgentConfigUpdate)):
            idx += 1
        else:
            break

    system_parts = head[:1]
    if tools_block:
        system_parts.append("Tools you can call:\n" + tools_block)
    system_parts.append(rules)
    system_parts.extend(head[1:])
    messages: list[dict[str, str]] = [{"role": "system", "content": "\n\n".join(system_parts)}]

    def add(role: str, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if messages[-1]["role"] == role and (role != "system" or len(messages) > 1):
            messages[-1]["content"] += "\n" + text
        else:
            messages.append({"role": role, "content": text})

    for item in items[idx:]:
        if isinstance(item, llm.ChatMessage):
            role = "system" if item.role in ("system", "developer") else item.role
            add(role, _message_text(item))
        elif isinstance(item, llm.FunctionCall):
            add("assistant", f"[tool call] {item.name} {item.arguments or '{}'}")
        elif isinstance(item, llm.FunctionCallOutput):
            output = item.output
            if len(output) > max_tool_output_chars:
                output = output[:max_tool_output_chars] + " ...(cut)"
            tag = "[tool error]" if item.is_error else "[tool result]"
            add(tool_result_role, f"{tag} {item.name or 'tool'}: {output or '(empty)'}")
    if max_history_chars is not None:
        _fit_history(messages, max_history_chars)
    return messages


def _fit_history(messages: list[dict[str, str]], max_chars: int) -> None:
    total = sum(len(m["content"]) for m in messages[1:])
    dropped = 0
    while len(messages) > 2 and total > max_chars:
        total -= len(messages.pop(1)["content"])
        dropped += 1
    while dropped and len(messages) > 2 and messages[1]["role"] != "user":
        messages.pop(1)
    if dropped:
        logger.debug("local LLM prompt: dropped the %d oldest messages to fit", dropped)


# --------------------------------------------------------------------------- parsing


@dataclass
class ParsedAction:
    """The model's next action, decoded from its JSON reply.

    Attributes:
        say: Text to speak (may be empty).
        tool: The chosen tool name, or ``None`` for "just speak" / unknown tool.
        arguments: JSON-encoded arguments object for ``tool`` (``"{}"`` when none).
        well_formed: False when the reply was not a valid next-action object and ``say`` is a
            best-effort salvage of the raw text.
    """

    say: str
    tool: str | None = None
    arguments: str = "{}"
    well_formed: bool = True


_SAY_RE = re.compile(r'"say"\s*:\s*"((?:[^"\\]|\\.)*)')


def _loads_object(text: str) -> dict[str, Any] | None:
    candidates = [text]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    # a reply cut by max_tokens: close the open string/objects
    candidates += [text + suffix for suffix in ('"}', "}", '"}}', "}}", '"}}}')]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (ValueError, TypeError):
            continue
        if isinstance(value, dict):
            return value
    return None


def _salvage_text(text: str) -> str:
    match = _SAY_RE.search(text)
    if match:
        raw = match.group(1)
        for cut in range(4):
            try:
                return str(json.loads('"' + raw[: len(raw) - cut] + '"')).strip()
            except ValueError:
                continue
    return " ".join(re.sub(r'[{}\[\]"]', " ", text).split())


def parse_action(text: str, tool_names: set[str] | frozenset[str]) -> ParsedAction:
    """Decode the model's reply into a :class:`ParsedAction`; never raises.

    Args:
        text: The raw completion text (expected to be one JSON object).
        tool_names: Names of the tools offered in this request; any other ``tool`` value is
            treated as "just speak".

    Returns:
        The decoded action. Malformed JSON yields ``well_formed=False``, no tool, and the raw
        text (or the ``say`` value found in it) with JSON punctuation stripped as ``say``.
    """
    obj = _loads_object(text.strip())
    if obj is None:
        return ParsedAction(say=_salvage_text(text), well_formed=False)
    say_value = obj.get("say")
    say = say_value.strip() if isinstance(say_value, str) else ""
    tool_value = obj.get("tool")
    if not isinstance(tool_value, str) or tool_value in ("", NO_TOOL):
        return ParsedAction(say=say)
    if tool_value not in tool_names:
        logger.warning("local LLM chose an unknown tool %r; speaking only", tool_value)
        return ParsedAction(say=say)
    args = obj.get("arguments")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = None
    if not isinstance(args, dict):
        args = {}
    return ParsedAction(say=say, tool=tool_value, arguments=json.dumps(args, ensure_ascii=False))


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class SayStreamer:
    """Incrementally extract the top-level ``"say"`` string from a streaming JSON reply.

    Feed completion deltas as they arrive; each call returns the newly decoded characters of
    the ``say`` value (empty when none), so speech can start before the object is complete.
    Only a ``say`` key directly inside the outermost object counts: the same word inside
    ``arguments`` or inside a string is ignored.

    Attributes:
        emitted: Everything returned so far, concatenated.
    """

    def __init__(self) -> None:
        """Start in the state "before the outermost object"."""
        self.emitted = ""
        self._depth = 0
        self._in_string = False
        self._escape: str | None = None
        self._is_key = False
        self._expect_key = False
        self._key_buf: list[str] = []
        self._last_key = ""
        self._capturing = False

    def feed(self, delta: str) -> str:
        """Consume one chunk of completion text.

        Args:
            delta: The next piece of the raw completion.

        Returns:
            Newly decoded characters of the top-level ``say`` value.
        """
        out: list[str] = []
        for ch in delta:
            if self._in_string:
                self._string_char(ch, out)
            elif ch == '"':
                self._in_string = True
                self._is_key = self._depth == 1 and self._expect_key
                self._capturing = self._depth == 1 and not self._is_key and self._last_key == "say"
                self._key_buf = []
            elif ch in "{[":
                self._depth += 1
                self._expect_key = ch == "{" and self._depth == 1
            elif ch in "}]":
                self._depth -= 1
            elif ch == "," and self._depth == 1:
                self._expect_key = True
            elif ch == ":" and self._depth == 1:
                self._expect_key = False
        text = "".join(out)
        self.emitted += text
        return text

    def _string_char(self, ch: str, out: list[str]) -> None:
        if self._escape is not None:
            self._escape += ch
            if self._escape[0] == "u":
                if len(self._escape) < 5:
                    return
                try:
                    decoded = chr(int(self._escape[1:], 16))
                except ValueError:
                    decoded = ""
            else:
                decoded = _ESCAPES.get(self._escape, self._escape)
            self._escape = None
            self._emit(decoded, out)
            return
        if ch == "\\":
            self._escape = ""
            return
        if ch == '"':
            self._in_string = False
            if self._is_key:
                self._last_key = "".join(self._key_buf)
            self._capturing = False
            return
        self._emit(ch, out)

    def _emit(self, text: str, out: list[str]) -> None:
        if self._is_key:
            self._key_buf.append(text)
        elif self._capturing:
            out.append(text)


# --------------------------------------------------------------------------- LLM


@dataclass
class ActionLLMOptions:
    """Settings of an :class:`ActionLLM`; see its constructor for their meaning."""

    model: str
    base_url: str
    api_key: str
    temperature: float
    max_tokens: int
    timeout: float
    cache_prompt: bool
    stream: bool
    schema_mode: SchemaMode
    tool_result_role: ToolResultRole
    provider: str
    extra_body: dict[str, Any]
    max_history_chars: int | None
    say_first: bool


class ActionLLM(llm.LLM):
    """A livekit LLM that drives tools through grammar-constrained JSON "next actions".

    Works against any OpenAI-compatible ``/v1/chat/completions`` endpoint that supports
    ``response_format`` ``json_schema`` (llama.cpp ``llama-server``, Ollama, vLLM). See the
    module docstring for the protocol.

    Example:
        ``AgentSession(llm=ActionLLM(base_url="http://127.0.0.1:8088/v1"), ...)``
    """

    def __init__(
        self,
        *,
        model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m",
        base_url: str = "http://127.0.0.1:8088/v1",
        api_key: str = "local",
        temperature: float = 0.2,
        max_tokens: int = 200,
        timeout: float = 60.0,
        cache_prompt: bool = True,
        stream: bool = True,
        schema_mode: SchemaMode = "auto",
        tool_result_role: ToolResultRole = "user",
        provider: str = "openai-compatible",
        extra_body: dict[str, Any] | None = None,
        max_history_chars: int | None = 8000,
        say_first: bool = False,
    ) -> None:
        """Create the LLM; no connection is made until the first request.

        Args:
            model: Model name sent in the request (llama-server ignores it; Ollama/vLLM need
                the served name).
            base_url: The server's OpenAI API root, e.g. ``http://127.0.0.1:8088/v1``.
            api_key: Sent as ``Authorization: Bearer <api_key>``; local servers ignore it.
            temperature: Sampling temperature (0 = greedy).
            max_tokens: Upper bound of generated tokens per reply (the whole JSON object).
                About 85 ms per token on 2 CPU cores with the 1.5B model.
            timeout: Seconds allowed for one whole request, including streaming. It replaces
                ``conn_options.timeout`` (10 s by default), which a cold local prompt exceeds.
                Exceeding it raises :class:`livekit.agents.APITimeoutError`.
            cache_prompt: Send llama-server's ``cache_prompt: true`` so the unchanged prompt
                prefix is reused across turns.
            stream: Stream the completion and emit ``say`` text while it is generated.
            schema_mode: ``auto`` (default), ``per_tool`` or ``simple``; see
                :data:`SchemaMode`.
            tool_result_role: Role of the ``[tool result]`` lines: ``user`` or ``system``.
            provider: Provider label reported in metrics and traces.
            extra_body: Extra JSON fields merged into every request body (e.g. ``top_k``).
            max_history_chars: Character budget of the conversation after the system message
                (about 3.5 characters per token); older messages are dropped beyond it so a
                long call does not overflow a 4096-token context. ``None`` disables it.
            say_first: Ask for ``say`` before ``tool``/``arguments`` (speech starts sooner;
                see :func:`build_action_schema`).

        Raises:
            ValueError: If a numeric option is out of range.
        """
        super().__init__()
        if max_tokens <= 0:
            raise ValueError("max_tokens must be positive")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if temperature < 0:
            raise ValueError("temperature must be >= 0")
        self._opts = ActionLLMOptions(
            model=model,
            base_url=base_url.rstrip("/"),
            api_key=api_key,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=timeout,
            cache_prompt=cache_prompt,
            stream=stream,
            schema_mode=schema_mode,
            tool_result_role=tool_result_role,
            provider=provider,
            extra_body=dict(extra_body or {}),
            max_history_chars=max_history_chars,
            say_first=say_first,
        )
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._simple_schema_only = schema_mode == "simple"

    @property
    def model(self) -> str:
        """The model name sent with each request."""
        return self._opts.model

    @property
    def provider(self) -> str:
        """The provider label used in metrics."""
        return self._opts.provider

    @property
    def options(self) -> ActionLLMOptions:
        """The (mutable) request options."""
        return self._opts

    def _http(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session_loop = loop
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=min(10.0, self._opts.timeout)),
                headers={"Authorization": f"Bearer {self._opts.api_key}"},
            )
        return self._session

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> ActionLLMStream:
        """Start one next-action request.

        Args:
            chat_ctx: The conversation so far.
            tools: Tools the model may call; at most one is called per reply.
            conn_options: Retry policy (``max_retry``, ``retry_interval``); the timeout is
                this LLM's ``timeout`` option.
            parallel_tool_calls: Ignored: one action per reply by construction.
            tool_choice: ``auto`` (default), ``none`` (speak only), ``required`` (must call a
                tool) or a named function (must call that one).
            extra_kwargs: Extra JSON fields merged into the request body.

        Returns:
            The stream of ``ChatChunk`` s for this reply.
        """
        return ActionLLMStream(
            self,
            chat_ctx=chat_ctx,
            tools=tools or [],
            conn_options=conn_options,
            tool_choice=tool_choice if is_given(tool_choice) else "auto",
            extra_kwargs=dict(extra_kwargs) if is_given(extra_kwargs) else {},
        )

    async def warm_up(self, *, chat_ctx: llm.ChatContext, tools: list[llm.Tool] | None = None) -> float:
        """Fill the server's prompt cache with this context's prefix (one token generated).

        Call it at the start of a call with the agent's instructions and tools so the first
        real turn only pays for the caller's words.

        Args:
            chat_ctx: A context that starts like the real ones (instructions first).
            tools: The agent's tools.

        Returns:
            Seconds the warm-up request took.

        Raises:
            livekit.agents.APIError: If the server fails or times out.
        """
        t0 = time.perf_counter()
        stream = ActionLLMStream(
            self,
            chat_ctx=chat_ctx,
            tools=tools or [],
            conn_options=APIConnectOptions(max_retry=0),
            tool_choice="auto",
            extra_kwargs={"max_tokens": 1},
            warm_only=True,
        )
        async with stream:
            async for _ in stream:
                pass
        return time.perf_counter() - t0

    async def _prewarm_impl(self) -> None:
        async with self._http().get(f"{self._opts.base_url}/models") as resp:
            await resp.read()

    async def aclose(self) -> None:
        """Close the HTTP session and cancel a pending prewarm."""
        await super().aclose()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class _SchemaRejectedError(Exception):
    """The server refused the per-tool ``anyOf`` schema; retry with the simple form."""


class ActionLLMStream(llm.LLMStream):
    """One next-action request/response, exposed as a livekit ``LLMStream``."""

    def __init__(
        self,
        llm_v: ActionLLM,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        conn_options: APIConnectOptions,
        tool_choice: llm.ToolChoice,
        extra_kwargs: dict[str, Any],
        warm_only: bool = False,
    ) -> None:
        """Create the stream; the request starts immediately in a background task.

        Args:
            llm_v: The owning :class:`ActionLLM`.
            chat_ctx: The conversation so far.
            tools: Tools offered in this turn.
            conn_options: Retry policy from the caller.
            tool_choice: See :meth:`ActionLLM.chat`.
            extra_kwargs: Extra JSON fields for the request body.
            warm_only: Only fill the prompt cache: emit no chunks except usage.
        """
        super().__init__(llm_v, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._action_llm = llm_v
        self._tool_choice = tool_choice
        self._extra_kwargs = extra_kwargs
        self._warm_only = warm_only
        self._request_id = ""
        self._sent_output = False
        self._streamed_say = ""

    def _offered_specs(self) -> tuple[list[ToolSpec], list[ToolSpec], bool]:
        """Return (all specs, specs allowed this turn, whether say-only is allowed)."""
        specs = tool_specs(self._tools)
        choice = self._tool_choice
        if choice == "none":
            return specs, [], True
        if choice == "required":
            return specs, specs, not specs
        if isinstance(choice, dict):
            name = choice.get("function", {}).get("name")
            chosen = [s for s in specs if s.name == name]
            return specs, chosen, not chosen
        return specs, specs, True

    def _body(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> dict[str, Any]:
        opts = self._action_llm.options
        body: dict[str, Any] = {
            "model": opts.model,
            "messages": messages,
            "temperature": opts.temperature,
            "max_tokens": opts.max_tokens,
            "stream": opts.stream,
            "response_format": response_format(schema),
        }
        if opts.stream:
            body["stream_options"] = {"include_usage": True}
        if opts.cache_prompt:
            body["cache_prompt"] = True
        body.update(opts.extra_body)
        body.update(self._extra_kwargs)
        return body

    async def _run(self) -> None:
        opts = self._action_llm.options
        all_specs, allowed, say_only = self._offered_specs()
        # the catalogue lists every tool (not only the allowed ones) so the system message,
        # and therefore the cached prompt prefix, does not change with tool_choice
        messages = chat_ctx_to_messages(
            self._chat_ctx,
            tools_block=describe_tools(all_specs),
            rules=format_rules(bool(all_specs), say_first=opts.say_first),
            tool_result_role=opts.tool_result_role,
            max_history_chars=opts.max_history_chars,
        )
        names = frozenset(s.name for s in allowed)
        self._request_id = f"local-{uuid.uuid4().hex[:12]}"
        self._sent_output = False
        self._streamed_say = ""
        try:
            async with asyncio.timeout(opts.timeout):
                simple = self._action_llm._simple_schema_only or not allowed
                mode: Literal["per_tool", "simple"] = "simple" if simple else "per_tool"
                schema = build_action_schema(allowed, mode=mode, allow_say_only=say_only, say_first=opts.say_first)
                try:
                    await self._request(self._body(messages, schema), names)
                except _SchemaRejectedError:
                    if opts.schema_mode != "auto" or mode == "simple":
                        raise
                    logger.warning("server rejected the per-tool anyOf schema; using the simple form")
                    self._action_llm._simple_schema_only = True
                    schema = build_action_schema(
                        allowed, mode="simple", allow_say_only=say_only, say_first=opts.say_first
                    )
                    await self._request(self._body(messages, schema), names)
        except _SchemaRejectedError as e:
            raise APIStatusError(str(e), status_code=400, retryable=False) from e
        except TimeoutError as e:
            raise APITimeoutError(
                f"local LLM did not answer within {opts.timeout:g} s", retryable=not self._sent_output
            ) from e
        except aiohttp.ClientResponseError as e:
            raise APIStatusError(e.message, status_code=e.status, retryable=not self._sent_output) from e
        except aiohttp.ClientError as e:
            raise APIConnectionError(
                f"local LLM at {opts.base_url} unreachable: {e}", retryable=not self._sent_output
            ) from e

    async def _request(self, body: dict[str, Any], names: frozenset[str]) -> None:
        url = f"{self._action_llm.options.base_url}/chat/completions"
        async with self._action_llm._http().post(url, json=body) as resp:
            if resp.status >= 400:
                text = await resp.text()
                lowered = text.lower()
                if resp.status in (400, 422, 500) and any(h in lowered for h in _SCHEMA_ERROR_HINTS):
                    if "anyOf" in json.dumps(body.get("response_format", {})):
                        raise _SchemaRejectedError(text[:500])
                raise APIStatusError(
                    f"local LLM returned HTTP {resp.status}: {text[:300]}",
                    status_code=resp.status,
                    body=text,
                    retryable=resp.status >= 500 or resp.status in (408, 429),
                )
            if body.get("stream"):
                text, usage = await self._read_stream(resp)
            else:
                payload = await resp.json(content_type=None)
                text, usage = self._read_whole(payload)
        self._finish(text, usage, names)

    def _read_whole(self, payload: Any) -> tuple[str, llm.CompletionUsage | None]:
        if not isinstance(payload, dict):
            raise APIConnectionError("local LLM returned a non-object JSON body", retryable=True)
        self._request_id = str(payload.get("id") or self._request_id)
        choices = payload.get("choices") or []
        message = (choices[0].get("message") or {}) if choices else {}
        text = message.get("content") or ""
        return str(text), _usage_from(payload)

    async def _read_stream(self, resp: aiohttp.ClientResponse) -> tuple[str, llm.CompletionUsage | None]:
        streamer = SayStreamer()
        parts: list[str] = []
        usage: llm.CompletionUsage | None = None
        async for raw in resp.content:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                logger.warning("local LLM sent an undecodable stream line: %.200s", data)
                continue
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                raise APIStatusError(
                    f"local LLM stream error: {chunk['error']}",
                    status_code=500,
                    body=chunk,
                    retryable=not self._sent_output,
                )
            self._request_id = str(chunk.get("id") or self._request_id)
            usage = _usage_from(chunk) or usage
            for choice in chunk.get("choices") or []:
                delta = (choice.get("delta") or {}).get("content")
                if not delta:
                    continue
                parts.append(delta)
                spoken = streamer.feed(delta)
                if spoken and not self._warm_only:
                    self._send(llm.ChoiceDelta(role="assistant", content=spoken))
        self._streamed_say = streamer.emitted
        return "".join(parts), usage

    def _send(self, delta: llm.ChoiceDelta | None = None, usage: llm.CompletionUsage | None = None) -> None:
        if delta is not None and (delta.content or delta.tool_calls):
            self._sent_output = True
        self._event_ch.send_nowait(llm.ChatChunk(id=self._request_id, delta=delta, usage=usage))

    def _finish(self, text: str, usage: llm.CompletionUsage | None, names: frozenset[str]) -> None:
        if not self._warm_only:
            action = parse_action(text, names)
            if not action.well_formed:
                logger.warning("local LLM reply is not a next-action object; speaking it: %.200r", text)
            already = self._streamed_say.lstrip()
            if already and action.say.startswith(already):
                rest = action.say[len(already) :]
            elif already:
                rest = ""  # the spoken prefix cannot be taken back
            else:
                rest = action.say
            if rest:
                self._send(llm.ChoiceDelta(role="assistant", content=rest))
            if action.tool is not None:
                call = llm.FunctionToolCall(
                    name=action.tool,
                    arguments=action.arguments,
                    call_id=f"call_{uuid.uuid4().hex[:16]}",
                )
                self._send(llm.ChoiceDelta(role="assistant", tool_calls=[call]))
        if usage is not None:
            self._send(usage=usage)


def _usage_from(payload: dict[str, Any]) -> llm.CompletionUsage | None:
    """Map an OpenAI ``usage`` object (or llama-server ``timings``) to livekit usage.

    Args:
        payload: A completion response or stream chunk.

    Returns:
        The usage, or ``None`` when the payload carries none.
    """
    usage = payload.get("usage")
    timings = payload.get("timings") if isinstance(payload.get("timings"), dict) else {}
    if not isinstance(usage, dict):
        return None
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    details = usage.get("prompt_tokens_details")
    cached = int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0
    if not cached and timings:
        cached = int(timings.get("cache_n") or 0)
    return llm.CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        prompt_cached_tokens=cached,
        total_tokens=int(usage.get("total_tokens") or prompt + completion),
    )
