"""A realtime model whose every spoken word passes the agent's speech guard (the ``realtime`` profile).

LiveKit runs a realtime model without :meth:`~agents.base.MarketplaceAgent.llm_node` (1.8.9,
``voice/agent_activity.py``: ``_realtime_reply_task`` → ``RealtimeSession.generate_reply`` →
``GenerationCreatedEvent``, whose message text streams are teed to ``tts_node``, the transcript
and the chat history). :class:`GuardedRealtimeModel` wraps the realtime model and its sessions
(same interface, every call delegated) and changes two things:

* ``generate_reply``: the current agent's notes for the model
  (:meth:`~agents.base.MarketplaceAgent.realtime_reply`) are added to the reply's instructions;
* the generation it returns (and any the server starts by itself): each message's text goes
  through that reply's :class:`~agents.speech_guard.SpeechGuard`, then the output guardrail
  (:class:`~agents.output_guardrail.OutputGuardrail`: identity digits, figures no tool gave,
  off-brand lines), before LiveKit sees it, so a withheld sentence reaches neither TTS nor
  transcript nor history (exactly the two layers of ``llm_node``); tool calls with hostile
  arguments are dropped (:func:`~agents.speech_guard.tool_arguments_problem`), the model is told
  at its next reply and the caller hears the agent's fallback line instead of silence.

Only a text-out model can be guarded (audio would be spoken before its transcript could be
checked): an inner model with audio output is refused. ``session.say`` is not touched: code's
templates go to the TTS as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Literal

from livekit import rtc
from livekit.agents import AgentSession, llm, utils
from livekit.agents.llm import FunctionCall, GenerationCreatedEvent, MessageGeneration
from livekit.agents.types import NOT_GIVEN, NotGivenOr
from livekit.agents.utils import is_given

from agents.base import MarketplaceAgent, tool_name
from agents.output_guardrail import OutputGuardrail
from agents.speech_guard import SpeechGuard, tool_arguments_problem

logger = logging.getLogger("marketplace.realtime")

DEFAULT_FALLBACK_LINE = "Sorry, could you say that again?"
"""Said when a whole reply was withheld and no agent is attached (``MarketplaceAgent.fallback_line``'s default)."""
FUNCTIONS_WAIT_S = 2.0
"""How long a fully withheld reply waits for the generation's tool calls before saying the fallback line."""

_FORWARDED: tuple[str, ...] = (
    "input_speech_started",
    "input_speech_stopped",
    "input_audio_transcription_completed",
    "session_reconnected",
    "metrics_collected",
    "remote_item_added",
    "error",
)
"""Realtime session events passed on unchanged (``generation_created`` is guarded)."""


class GuardedRealtimeModel(llm.RealtimeModel):
    """``model`` with the speech guard between its text and the caller (see the module doc).

    Args:
        model: A text-out realtime model, e.g. ``openai.realtime.RealtimeModel(modalities=["text"])``.

    Raises:
        ValueError: ``model`` produces audio.
    """

    def __init__(self, model: llm.RealtimeModel) -> None:
        if model.capabilities.audio_output:
            raise ValueError("only a text-out realtime model can be guarded (modalities=['text'])")
        super().__init__(capabilities=model.capabilities)
        self._inner = model
        self._agent_session: AgentSession[Any] | None = None

    @property
    def inner(self) -> llm.RealtimeModel:
        """The wrapped model."""
        return self._inner

    @property
    def model(self) -> str:
        return self._inner.model

    @property
    def provider(self) -> str:
        return self._inner.provider

    def attach(self, session: AgentSession[Any]) -> None:
        """Guard replies with the notes and guard of ``session``'s current agent.

        Unattached, a context-free guard is used (tool names only; no notes, no write-claim check).
        """
        self._agent_session = session

    def current_agent(self) -> MarketplaceAgent | None:
        """The attached session's current desk agent, if any."""
        if self._agent_session is None:
            return None
        try:
            agent = self._agent_session.current_agent
        except RuntimeError:  # not started yet
            return None
        return agent if isinstance(agent, MarketplaceAgent) else None

    def session(self, *, turn_detection_disabled: bool = False) -> GuardedRealtimeSession:
        return GuardedRealtimeSession(self, self._inner.session(turn_detection_disabled=turn_detection_disabled))

    async def aclose(self) -> None:
        await self._inner.aclose()


class _GuardedReply:
    """The guard of one reply: filters its text, drops hostile tool calls, fills silence."""

    def __init__(self, agent: MarketplaceAgent | None, tools: list[llm.Tool]) -> None:
        self.agent = agent
        self.tools = tools
        tool_names = [tool_name(t) for t in tools]
        if agent is not None:
            self.notes, self.guard = agent.realtime_reply(tool_names)
            self.fallback = agent.fallback_line()
        else:
            self.notes, self.guard, self.fallback = "", SpeechGuard(tool_names), DEFAULT_FALLBACK_LINE
        self.called = self.rejected = False
        self.functions_done = asyncio.Event()

    def wrap(self, ev: GenerationCreatedEvent) -> GenerationCreatedEvent:
        return GenerationCreatedEvent(
            message_stream=self._messages(ev.message_stream),
            function_stream=self._functions(ev.function_stream),
            user_initiated=ev.user_initiated,
            response_id=ev.response_id,
        )

    async def _messages(self, stream: AsyncIterable[MessageGeneration]) -> AsyncIterator[MessageGeneration]:
        any_message = False
        async for msg in stream:
            any_message = True
            yield MessageGeneration(
                message_id=msg.message_id,
                text_stream=self._text(msg.text_stream),
                audio_stream=msg.audio_stream,
                modalities=msg.modalities,
            )
        if any_message:
            return
        # A reply of tool calls only: if every call was refused, nothing would be said at all.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.functions_done.wait(), FUNCTIONS_WAIT_S)
        if self.rejected and not self.called:
            yield _text_message(self.fallback)

    async def _text(self, text: AsyncIterable[str]) -> AsyncIterator[str]:
        """The speech guard, then (with an agent) the output guardrail, as :meth:`MarketplaceAgent.llm_node` does."""
        if self.agent is None:
            async for line in self._speech_guarded(text):
                yield line
            return
        # Built when the text arrives, so the facts include this reply's tool results.
        agent = self.agent
        guardrail = OutputGuardrail.for_request(agent.userdata, agent.chat_ctx, self.tools, agent=agent.name)
        async for chunk in guardrail.guard(self._speech_guarded(text)):
            if isinstance(chunk, str):
                yield chunk

    async def _speech_guarded(self, text: AsyncIterable[str]) -> AsyncIterator[str]:
        guard = self.guard
        async for delta in text:
            if out := guard.feed(str(delta)):
                yield out
        if rest := guard.flush():
            yield rest
        if guard.dropped:
            logger.warning("withheld %d sentence(s) of realtime model text meant for the model", guard.dropped)
        if not guard.spoken and (self.rejected or guard.dropped):
            # Say something unless a tool is running on the caller's behalf (as llm_node does).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.functions_done.wait(), FUNCTIONS_WAIT_S)
            if self.rejected or not self.called:
                yield self.fallback

    async def _functions(self, stream: AsyncIterable[FunctionCall]) -> AsyncIterator[FunctionCall]:
        try:
            async for call in stream:
                problem = tool_arguments_problem(call.arguments or "")
                if problem is not None:
                    self.rejected = True
                    logger.warning("dropped realtime tool call %s: %s", call.name, problem)
                    if self.agent is not None:
                        self.agent.userdata.notes_for_model.append(f"Your call of {call.name} was refused: {problem}")
                    continue
                self.called = True
                yield call
        finally:
            self.functions_done.set()


def _text_message(text: str) -> MessageGeneration:
    """A one-line text message generation (the fallback line said in place of a refused reply)."""
    text_ch, audio_ch = utils.aio.Chan[str](), utils.aio.Chan[rtc.AudioFrame]()
    text_ch.send_nowait(text)
    text_ch.close()
    audio_ch.close()
    modalities: asyncio.Future[list[Literal["text", "audio"]]] = asyncio.get_running_loop().create_future()
    modalities.set_result(["text"])
    return MessageGeneration(
        message_id=utils.shortuuid("guard_msg_"), text_stream=text_ch, audio_stream=audio_ch, modalities=modalities
    )


class GuardedRealtimeSession(llm.RealtimeSession[Any]):
    """One realtime session of a :class:`GuardedRealtimeModel`: the inner session, guarded."""

    def __init__(self, model: GuardedRealtimeModel, inner: llm.RealtimeSession[Any]) -> None:
        super().__init__(model)
        self._model = model
        self._inner = inner
        self._handlers: dict[str, Any] = {}
        for event in _FORWARDED:
            self._handlers[event] = self._forwarder(event)
        self._handlers["generation_created"] = self._on_generation_created
        for event, handler in self._handlers.items():
            inner.on(event, handler)

    def _forwarder(self, event: str) -> Any:
        def _forward(ev: object) -> None:
            self.emit(event, ev)

        return _forward

    def _new_reply(self, tools: NotGivenOr[list[llm.Tool]]) -> _GuardedReply:
        offered = tools if is_given(tools) else self._inner.tools.flatten()
        return _GuardedReply(self._model.current_agent(), list(offered))

    def _on_generation_created(self, ev: GenerationCreatedEvent) -> None:
        # Generations LiveKit asked for arrive through generate_reply's future (guarded there);
        # one the server starts by itself is guarded here.
        self.emit("generation_created", ev if ev.user_initiated else self._new_reply(NOT_GIVEN).wrap(ev))

    @property
    def capabilities(self) -> llm.RealtimeCapabilities:
        return self._inner.capabilities

    @property
    def chat_ctx(self) -> llm.ChatContext:
        return self._inner.chat_ctx

    @property
    def tools(self) -> llm.ToolContext:
        return self._inner.tools

    async def update_instructions(self, instructions: str) -> None:
        await self._inner.update_instructions(instructions)

    async def update_chat_ctx(self, chat_ctx: llm.ChatContext) -> None:
        await self._inner.update_chat_ctx(chat_ctx)

    async def update_tools(self, tools: list[llm.Tool]) -> None:
        await self._inner.update_tools(tools)

    def update_options(self, *, tool_choice: NotGivenOr[llm.ToolChoice | None] = NOT_GIVEN) -> None:
        self._inner.update_options(tool_choice=tool_choice)

    def push_audio(self, frame: rtc.AudioFrame) -> None:
        self._inner.push_audio(frame)

    def push_video(self, frame: rtc.VideoFrame) -> None:
        self._inner.push_video(frame)

    def generate_reply(
        self,
        *,
        instructions: NotGivenOr[str] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        tools: NotGivenOr[list[llm.Tool]] = NOT_GIVEN,
    ) -> asyncio.Future[GenerationCreatedEvent]:
        """The inner ``generate_reply`` with the agent's notes added and the resulting generation guarded."""
        reply = self._new_reply(tools)
        if reply.notes:
            instructions = f"{instructions}\n{reply.notes}" if is_given(instructions) and instructions else reply.notes
        inner_fut = self._inner.generate_reply(instructions=instructions, tool_choice=tool_choice, tools=tools)
        outer: asyncio.Future[GenerationCreatedEvent] = asyncio.get_running_loop().create_future()

        def _inner_done(f: asyncio.Future[GenerationCreatedEvent]) -> None:
            if outer.done():
                return
            if f.cancelled():
                outer.cancel()
            elif (exc := f.exception()) is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(reply.wrap(f.result()))

        def _outer_done(f: asyncio.Future[GenerationCreatedEvent]) -> None:
            if f.cancelled() and not inner_fut.done():
                inner_fut.cancel()  # LiveKit cancels on interruption; the plugin then cancels the response

        inner_fut.add_done_callback(_inner_done)
        outer.add_done_callback(_outer_done)
        return outer

    def commit_audio(self) -> None:
        self._inner.commit_audio()

    def clear_audio(self) -> None:
        self._inner.clear_audio()

    def interrupt(self) -> None:
        self._inner.interrupt()

    def start_user_activity(self) -> None:
        self._inner.start_user_activity()

    def say(self, text: str | AsyncIterable[str]) -> asyncio.Future[GenerationCreatedEvent]:
        return self._inner.say(text)

    def truncate(
        self,
        *,
        message_id: str,
        modalities: list[Literal["text", "audio"]],
        audio_end_ms: int,
        audio_transcript: NotGivenOr[str] = NOT_GIVEN,
    ) -> None:
        self._inner.truncate(
            message_id=message_id, modalities=modalities, audio_end_ms=audio_end_ms, audio_transcript=audio_transcript
        )

    async def aclose(self) -> None:
        for event, handler in self._handlers.items():
            self._inner.off(event, handler)
        await self._inner.aclose()
