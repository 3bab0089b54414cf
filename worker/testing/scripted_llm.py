"""``ScriptedLLM``: a deterministic ``llm.LLM`` that replays planned replies and records requests.

It implements the exact ``livekit.agents.llm.LLM`` interface, so the real ``AgentSession``, tool
execution and handoffs run unchanged; only the model's choices are scripted. Used by the flow
tests, the ``simulate --llm scripted`` mode, the voice test and the handoff benchmark.

Example::

    llm = ScriptedLLM()
    llm.push(Reply.call("record_first_name", first_name="Ava"))
    llm.push(Reply.say("Thanks, Ava. What phone number is on the account?"))
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import APIConnectOptions, APIError, llm
from livekit.agents.llm import ChatChunk, ChatContext, ChoiceDelta, FunctionToolCall
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import is_given

from agents.base import tool_name

ArgsSource = dict[str, Any] | Callable[[ChatContext], dict[str, Any]]


@dataclass
class PlannedCall:
    """One tool call of a reply. ``arguments`` may be computed from the request's chat context
    (e.g. to reuse an id that an earlier tool returned)."""

    name: str
    arguments: ArgsSource


@dataclass
class Reply:
    """One LLM response: optional text, zero or more tool calls, and an artificial delay (seconds)
    before the first chunk (to model time-to-first-token in benchmarks)."""

    text: str = ""
    calls: list[PlannedCall] = field(default_factory=list)
    delay_s: float = 0.0

    @classmethod
    def say(cls, text: str, *, delay_s: float = 0.0) -> Reply:
        """A reply that only speaks ``text``."""
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def call(cls, name: str, /, **arguments: Any) -> Reply:
        """A reply that calls tool ``name`` with ``arguments``."""
        return cls(calls=[PlannedCall(name, arguments)])

    @classmethod
    def call_computed(cls, name: str, arguments: Callable[[ChatContext], dict[str, Any]]) -> Reply:
        """A reply that calls tool ``name`` with arguments computed from the request's chat context
        (e.g. ``lambda ctx: {"return_number": ...last_tool_output(ctx, "initiate_return")...}``)."""
        return cls(calls=[PlannedCall(name, arguments)])

    @classmethod
    def transfer(cls, target: str, reason: str = "caller request") -> Reply:
        """A reply that calls ``transfer_to_agent``."""
        return cls.call("transfer_to_agent", target=target, reason=reason)


@dataclass
class RecordedRequest:
    """What the session sent to the LLM for one reply."""

    chat_ctx: ChatContext
    tool_names: list[str]
    tool_choice: str | None
    """``"none"``, ``"auto"``, ``"required"``, a named tool, or ``None`` when not given."""
    at: float
    """``time.monotonic()`` when the request was made."""
    reply: Reply | None
    """The scripted reply that answered it, ``None`` if the script was exhausted."""

    def system_texts(self) -> list[str]:
        """Text of every system/developer message in the request (instructions, summaries)."""
        return [m.text_content or "" for m in self.chat_ctx.messages() if m.role in ("system", "developer")]

    def all_text(self) -> str:
        """Every message's text joined, for "is X anywhere in the context?" checks."""
        return "\n".join((m.text_content or "") for m in self.chat_ctx.messages())


Responder = Callable[[RecordedRequest], Reply | None]


class ScriptedLLM(llm.LLM):
    """An LLM whose replies come from a queue (``push``) or a ``responder`` function.

    Args:
        replies: Initial queue of replies, consumed one per LLM request.
        responder: Called when the queue is empty; returns a reply or ``None``.
        fallback_text: Spoken when neither gives a reply; such requests are counted in
            :attr:`unscripted` so a test can assert the script covered the whole call.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        responder: Responder | None = None,
        fallback_text: str = "Is there anything else I can help you with?",
    ) -> None:
        super().__init__()
        self._queue: deque[Reply] = deque(replies)
        self._responder = responder
        self._fallback_text = fallback_text
        self.requests: list[RecordedRequest] = []
        self.unscripted = 0

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "marketplace-tests"

    def push(self, *replies: Reply) -> None:
        """Append replies to the queue."""
        self._queue.extend(replies)

    def clear(self) -> int:
        """Drop the replies not consumed yet; returns how many were dropped."""
        dropped = len(self._queue)
        self._queue.clear()
        return dropped

    @property
    def pending(self) -> int:
        """Replies not consumed yet."""
        return len(self._queue)

    def chat(
        self,
        *,
        chat_ctx: ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        tools = tools or []
        choice = (
            None if not is_given(tool_choice) else (tool_choice if isinstance(tool_choice, str) else str(tool_choice))
        )
        request = RecordedRequest(
            chat_ctx=chat_ctx.copy(),
            tool_names=[tool_name(t) for t in tools],
            tool_choice=choice,
            at=time.monotonic(),
            reply=None,
        )
        reply = self._queue.popleft() if self._queue else (self._responder(request) if self._responder else None)
        if reply is None:
            self.unscripted += 1
            reply = Reply.say(self._fallback_text)
        if choice == "none" and reply.calls:
            raise AssertionError(
                f"scripted reply calls {[c.name for c in reply.calls]} "
                "but the request forbids tools (tool_choice='none')"
            )
        request.reply = reply
        self.requests.append(request)
        return _ScriptedStream(self, reply=reply, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)


_call_ids = itertools.count(1)


class _ScriptedStream(llm.LLMStream):
    def __init__(
        self,
        llm_: ScriptedLLM,
        *,
        reply: Reply,
        chat_ctx: ChatContext,
        tools: list[llm.Tool],
        conn_options: APIConnectOptions,
    ) -> None:
        super().__init__(llm_, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._reply = reply

    async def _run(self) -> None:
        if self._reply.delay_s:
            await asyncio.sleep(self._reply.delay_s)
        request_id = f"scripted-{next(_call_ids)}"
        if self._reply.text:
            # Stream word by word, as a real model does, so TTS and transcription sync see deltas.
            words = self._reply.text.split(" ")
            for i, word in enumerate(words):
                piece = word if i == 0 else " " + word
                self._event_ch.send_nowait(ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", content=piece)))
        if self._reply.calls:
            calls = []
            for planned in self._reply.calls:
                args = planned.arguments(self._chat_ctx) if callable(planned.arguments) else planned.arguments
                calls.append(
                    FunctionToolCall(name=planned.name, arguments=json.dumps(args), call_id=f"call_{next(_call_ids)}")
                )
            self._event_ch.send_nowait(ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", tool_calls=calls)))


def last_tool_output(chat_ctx: ChatContext, name: str) -> str:
    """The output text of the most recent call of tool ``name`` in ``chat_ctx`` ("" if none).

    Handy in ``Reply.call_computed(name, lambda ctx: {...})`` to reuse an id returned by an earlier tool.
    """
    call_ids = {item.call_id for item in chat_ctx.items if item.type == "function_call" and item.name == name}
    for item in reversed(chat_ctx.items):
        if item.type == "function_call_output" and item.call_id in call_ids:
            return str(item.output)
    return ""


class BreakableLLM(ScriptedLLM):
    """A :class:`ScriptedLLM` that fails like a provider once :attr:`broken` is set.

    Tests of provider failures use it: a fallback to a second model mid-call, an unrecoverable error.

    Args:
        replies: Planned replies while it works.
        error: Builds the exception each failed request raises (an ``APIError`` as the plugins raise).
        broken: Fail from the first request on.
    """

    def __init__(self, replies: list[Reply], *, error: Callable[[], APIError], broken: bool = False) -> None:
        super().__init__(replies)
        self._error = error
        self.broken = broken
        self.failures = 0

    def chat(
        self,
        *,
        chat_ctx: ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        if not self.broken:
            return super().chat(chat_ctx=chat_ctx, tools=tools, conn_options=conn_options, tool_choice=tool_choice)
        self.failures += 1
        return _FailingStream(
            self, error=self._error(), chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options
        )


class _FailingStream(llm.LLMStream):
    def __init__(
        self,
        llm_: llm.LLM,
        *,
        error: APIError,
        chat_ctx: ChatContext,
        tools: list[llm.Tool],
        conn_options: APIConnectOptions,
    ) -> None:
        super().__init__(llm_, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._error = error

    async def _run(self) -> None:
        raise self._error
