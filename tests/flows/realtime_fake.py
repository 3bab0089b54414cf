"""A scripted realtime model of the exact ``llm.RealtimeModel`` / ``llm.RealtimeSession`` interface.

No realtime server can run here (llama.cpp and Ollama do not speak the protocol), so this fake
stands in for OpenAI's: the same capabilities as the realtime profile's model (text out, no server
turn detection, no model-side transcription, mutable instructions/tools/context, per-response tool
choice), generations built of LiveKit's own event types (``GenerationCreatedEvent`` with
``MessageGeneration`` text streams and ``FunctionCall`` s), answered from a queue of
:class:`worker.testing.Reply` s. Everything LiveKit pushes to the session is recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import Any, Literal

from livekit import rtc
from livekit.agents import llm, utils
from livekit.agents.llm import ChatContext, FunctionCall, GenerationCreatedEvent, MessageGeneration
from livekit.agents.types import NOT_GIVEN, NotGivenOr
from livekit.agents.utils import is_given

from agents.base import tool_name
from worker.testing import Reply

CAPABILITIES = llm.RealtimeCapabilities(
    message_truncation=True,
    turn_detection=False,
    user_transcription=False,
    auto_tool_reply_generation=False,
    audio_output=False,
    manual_function_calls=True,
    mutable_chat_context=True,
    mutable_instructions=True,
    mutable_tools=True,
    per_response_tool_choice=True,
)
"""What the realtime profile's ``openai.realtime.RealtimeModel`` reports (text out, no server turn-taking)."""

_ids = itertools.count(1)


@dataclass
class ReplyRequest:
    """One ``generate_reply`` LiveKit made."""

    instructions: str | None
    tool_choice: Any
    tool_names: list[str]
    reply: Reply


@dataclass
class SessionLog:
    """What LiveKit pushed to the realtime session."""

    instructions: list[str] = field(default_factory=list)
    tools: list[list[str]] = field(default_factory=list)
    chat_ctx: list[ChatContext] = field(default_factory=list)
    replies: list[ReplyRequest] = field(default_factory=list)
    commits: int = 0
    interrupts: int = 0


class ScriptedRealtimeModel(llm.RealtimeModel):
    """Replies come from a queue; ``fallback_text`` (counted in :attr:`unscripted`) when it is empty."""

    def __init__(self, replies: list[Reply] | None = None, *, fallback_text: str = "Anything else?") -> None:
        super().__init__(capabilities=CAPABILITIES)
        self.queue: deque[Reply] = deque(replies or [])
        self.fallback_text = fallback_text
        self.log = SessionLog()
        self.sessions: list[ScriptedRealtimeSession] = []
        self.unscripted = 0

    @property
    def model(self) -> str:
        return "scripted-realtime"

    @property
    def provider(self) -> str:
        return "marketplace-tests"

    def push(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    def session(self, *, turn_detection_disabled: bool = False) -> ScriptedRealtimeSession:
        sess = ScriptedRealtimeSession(self)
        self.sessions.append(sess)
        return sess

    async def aclose(self) -> None:
        return None


class ScriptedRealtimeSession(llm.RealtimeSession[Any]):
    def __init__(self, model: ScriptedRealtimeModel) -> None:
        super().__init__(model)
        self._model = model
        self._chat_ctx = ChatContext.empty()
        self._tools = llm.ToolContext.empty()

    @property
    def chat_ctx(self) -> ChatContext:
        return self._chat_ctx.copy()

    @property
    def tools(self) -> llm.ToolContext:
        return self._tools.copy()

    async def update_instructions(self, instructions: str) -> None:
        self._model.log.instructions.append(instructions)

    async def update_chat_ctx(self, chat_ctx: ChatContext) -> None:
        self._chat_ctx = chat_ctx.copy()
        self._model.log.chat_ctx.append(self._chat_ctx)

    async def update_tools(self, tools: list[llm.Tool]) -> None:
        self._tools = llm.ToolContext(tools)
        self._model.log.tools.append([tool_name(t) for t in tools])

    def update_options(self, *, tool_choice: NotGivenOr[llm.ToolChoice | None] = NOT_GIVEN) -> None:
        return None

    def push_audio(self, frame: rtc.AudioFrame) -> None:
        return None

    def push_video(self, frame: rtc.VideoFrame) -> None:
        return None

    def generate_reply(
        self,
        *,
        instructions: NotGivenOr[str] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        tools: NotGivenOr[list[llm.Tool]] = NOT_GIVEN,
    ) -> asyncio.Future[GenerationCreatedEvent]:
        model = self._model
        if model.queue:
            reply = model.queue.popleft()
        else:
            model.unscripted += 1
            reply = Reply.say(model.fallback_text)
        offered = tools if is_given(tools) else self._tools.flatten()
        model.log.replies.append(
            ReplyRequest(
                instructions=instructions if is_given(instructions) else None,
                tool_choice=tool_choice if is_given(tool_choice) else None,
                tool_names=[tool_name(t) for t in offered],
                reply=reply,
            )
        )
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[GenerationCreatedEvent] = loop.create_future()
        loop.call_soon(self._generate, fut, reply)
        return fut

    def _generate(self, fut: asyncio.Future[GenerationCreatedEvent], reply: Reply) -> None:
        if fut.done():  # cancelled by an interruption
            return
        messages = utils.aio.Chan[MessageGeneration]()
        functions = utils.aio.Chan[FunctionCall]()
        if reply.text:
            text = utils.aio.Chan[str]()
            audio = utils.aio.Chan[rtc.AudioFrame]()
            modalities: asyncio.Future[list[Literal["text", "audio"]]] = asyncio.get_running_loop().create_future()
            modalities.set_result(["text"])
            message_id = f"rt_msg_{next(_ids)}"
            messages.send_nowait(
                MessageGeneration(message_id=message_id, text_stream=text, audio_stream=audio, modalities=modalities)
            )
            for i, word in enumerate(reply.text.split(" ")):
                text.send_nowait(word if i == 0 else " " + word)
            text.close()
            audio.close()
            self._chat_ctx.add_message(role="assistant", content=reply.text, id=message_id)
        messages.close()
        for planned in reply.calls:
            args = planned.arguments(self._chat_ctx) if callable(planned.arguments) else planned.arguments
            call = FunctionCall(call_id=f"rt_call_{next(_ids)}", name=planned.name, arguments=json.dumps(args))
            self._chat_ctx.items.append(call)
            functions.send_nowait(call)
        functions.close()
        fut.set_result(
            GenerationCreatedEvent(
                message_stream=messages,
                function_stream=functions,
                user_initiated=True,
                response_id=f"resp_{next(_ids)}",
            )
        )

    def commit_audio(self) -> None:
        self._model.log.commits += 1

    def clear_audio(self) -> None:
        return None

    def interrupt(self) -> None:
        self._model.log.interrupts += 1

    def say(self, text: str | AsyncIterable[str]) -> asyncio.Future[GenerationCreatedEvent]:
        raise NotImplementedError("the realtime profile speaks templates with its TTS")

    def truncate(
        self,
        *,
        message_id: str,
        modalities: list[Literal["text", "audio"]],
        audio_end_ms: int,
        audio_transcript: NotGivenOr[str] = NOT_GIVEN,
    ) -> None:
        return None

    async def aclose(self) -> None:
        return None
