"""``MarketplaceAgent``: behaviour shared by all fourteen agents.

Each agent is a thin subclass: a registry key, a one-line description, whether it needs a
verified caller, its prompt file and its domain tools. This base adds:

* **the caller turn, led by code first.** Every finished caller turn goes through
  :meth:`MarketplaceAgent.take_caller_turn` — from LiveKit's ``on_user_turn_completed`` for
  speech, and from :func:`agents.turns.send_caller_text` for typed text (LiveKit's
  ``generate_reply(user_input=...)`` skips ``on_user_turn_completed``). It counts the turn,
  resolves the pending write (:mod:`call.confirmation`: yes → code runs it), and runs the agent's
  own code-led step (:meth:`code_turn`, e.g. identity capture). When code answered, it speaks from
  templates with ``session.say`` and no LLM request is made for the turn;
* a phone caller's keypad entry (:meth:`MarketplaceAgent.take_keypad_entry`, from :mod:`agents.keypad`),
  handled by code like a spoken answer, with no LLM request and without the keys in any record;
* the single ``transfer_to_agent`` tool. One tool whose ``target`` is an enum of the other
  thirteen agents, rather than thirteen ``transfer_to_<name>`` tools: every tool schema is sent
  on every LLM request, so one schema keeps the prompt ~13 schemas shorter (latency, and the
  small offline model picks among fewer tools), and all rules live in one place (the
  :class:`~agents.coordinator.HandoffCoordinator`);
* a guarded LLM node: notes for the model are added as a system message, the reply is checked a
  sentence at a time so text meant for the model is never spoken (:mod:`agents.speech_guard`),
  and hostile tool-call arguments are dropped before LiveKit parses them; then the output guardrail
  replaces identity digits, figures no tool gave and off-brand lines (:mod:`agents.output_guardrail`);
* a greeting on entry that shows awareness of the transfer (never a silent handoff), and the
  handoff latency measurement (transfer tool call → this agent's first LLM request).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from livekit.agents import Agent, ChatContext, ModelSettings, RunContext, StopResponse, ToolError, function_tool, llm
from livekit.agents.llm import ChatChunk, ChatMessage, ChoiceDelta, RawFunctionTool
from livekit.agents.llm.chat_context import Instructions
from livekit.agents.voice import SpeechHandle

from call.confirmation import Verdict, resolve, resolve_keypad
from call.context import CustomerContext, ResumeRequest
from call.keypad import KEYPAD_MESSAGE, KeypadEntry
from call.redaction import redact
from services import ServiceError
from tools.end_call import DeskEndCallTool
from tools.errors import sentence_for
from tools.human_transfer import colleague

from .listening import ListenMode, apply_listening
from .output_guardrail import OutputGuardrail
from .prompts import prompt
from .speech_guard import SpeechGuard, tool_arguments_problem
from .steps.routing import route_for_request

logger = logging.getLogger("marketplace.agents")

MAX_REASON_CHARS = 200
HUMAN = "human"
BARE_ANSWER_WORDS = 3
"""A "no" of at most this many words is a bare no (code answers); longer ones carry a change for the model."""


@dataclass
class Speech:
    """One line code speaks with ``session.say``.

    Attributes:
        text: The exact words (from a template).
        interruptible: Whether the caller can barge in (the disclosure cannot).
        on_done: Awaited with the speech handle after playout (e.g. to record proof of delivery).
    """

    text: str
    interruptible: bool = True
    on_done: Callable[[SpeechHandle], Awaitable[None]] | None = None


@dataclass
class CodeReply:
    """What code says (and does) in answer to a caller turn, instead of an LLM reply.

    Attributes:
        speech: Lines spoken in order.
        handoff: The next agent, switched to after the lines are queued (built by the coordinator).
    """

    speech: list[Speech] = field(default_factory=list)
    handoff: Agent | None = None

    @classmethod
    def say(cls, *lines: str) -> CodeReply:
        """A reply of plain interruptible lines."""
        return cls([Speech(line) for line in lines])


class MarketplaceAgent(Agent):
    """Base of every agent of the desk.

    Class attributes:
        name: Registry key, e.g. ``"returns"``; also the prompt file name and the agent id.
        description: A few words used in the transfer tool's target list.
        requires_verified_customer: The coordinator refuses transfers here before authentication.
        listen_mode: Endpointing and recognition hints while this agent listens.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    requires_verified_customer: ClassVar[bool] = True
    listen_mode: ClassVar[ListenMode] = "general"

    def __init__(self, *, chat_ctx: ChatContext | None = None, tools: Sequence[llm.Tool] = ()) -> None:
        super().__init__(
            instructions=prompt(self.name),
            id=self.name,
            chat_ctx=chat_ctx,
            tools=[*tools, transfer_tool(type(self)), DeskEndCallTool()],  # --- ending ---: LiveKit's end_call
        )
        self._background: set[asyncio.Task[None]] = set()
        self._actions_at_turn = 0
        self._said_this_turn: set[str] = set()

    @property
    def userdata(self) -> CustomerContext:
        """The call's :class:`CustomerContext`."""
        data: CustomerContext = self.session.userdata
        return data

    # ------------------------------------------------------------------ entering

    async def on_enter(self) -> None:
        """Greet the caller: as the entry agent, or aware of the transfer that brought them here.

        A transfer greeting is generated as speech only (``tool_choice="none"``): tools act on what
        the caller says next, and a model that calls tools while greeting only adds latency and errors.
        """
        ctx = self.userdata
        ctx.current_agent = self.name
        ctx.verification_handoff = self._handoff_for_verification
        self._actions_at_turn = len(ctx.actions)
        apply_listening(self.session, self.listen_mode)
        last = ctx.transfers[-1] if ctx.transfers else None
        resume = ctx.resume
        if resume is not None and resume.agent == self.name and ctx.verified_customer() is not None:
            # Back from verification on demand: do what the caller asked before being sent to verify.
            ctx.resume = None
            call = f" Call {resume.tool} now with {json.dumps(resume.arguments)}." if resume.tool else ""
            self.session.generate_reply(
                instructions=(
                    f"The caller is back from identity verification and is now verified. They had asked to "
                    f"{resume.request}. Continue that request now without asking again.{call}"
                ),
            )
        elif last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
            self.session.generate_reply(
                instructions=(
                    f"You just received this caller by transfer from the {last.from_agent} agent. "
                    "In one or two short sentences, say who you are, show you know why they are here "
                    "(see the transfer summary), and continue helping. Do not ask again for anything listed "
                    "under 'do not ask again'."
                ),
                tool_choice="none",
            )
        else:
            await self.start_call()

    async def start_call(self) -> None:
        """First words when this agent starts the call (not by transfer). Override for a code greeting."""
        self.session.generate_reply(
            instructions=f"Greet the caller briefly as the {self.description} desk and ask how you can help.",
            tool_choice="none",
        )

    # ------------------------------------------------------------------ caller turns

    async def on_user_turn_completed(self, turn_ctx: ChatContext, new_message: ChatMessage) -> None:
        """LiveKit's hook for a finished spoken caller turn: code first, the LLM only if code did not answer."""
        if await self.take_caller_turn(new_message) is not None:
            raise StopResponse()
        if isinstance(self.session.llm, llm.RealtimeModel):
            # LiveKit drops the STT transcript when a realtime model replies (the realtime profile has
            # the model's own transcription off, see worker/providers.py): keep the caller's words.
            await self._add_caller_message(new_message)

    async def take_caller_turn(self, message: ChatMessage) -> list[SpeechHandle] | None:
        """Handle one finished caller turn in code if code leads it.

        Counts the turn, resolves the pending write, then runs :meth:`code_turn`.

        Args:
            message: The caller's final transcript as a user chat message.

        Returns:
            The speech handles code queued (the caller's message has then been added to the chat
            context and history by this method), or ``None`` when the LLM must reply as usual.
        """
        text = message.text_content or ""
        ctx = self.userdata
        ctx.record_user_turn(text)
        self._actions_at_turn = len(ctx.actions)
        self._said_this_turn = set()
        had_pending = ctx.pending is not None
        reply = await self._resolve_pending(text)
        if reply is None:
            reply = self._person_requested(text)
        if reply is None:
            reply = await self.code_turn(text)
        if reply is None and not had_pending:  # --- ending --- (a goodbye said to a read-back answers it)
            from .goodbye import goodbye_reply

            reply = goodbye_reply(self, text)
        if reply is None:
            return None
        ctx.code_turns += 1
        await self._add_caller_message(message)
        return self.speak(reply)

    async def code_turn(self, text: str) -> CodeReply | None:
        """The agent's own code-led handling of a caller turn (none by default).

        Args:
            text: The caller's final transcript.

        Returns:
            What code says, or ``None`` to let the LLM reply.
        """
        return None

    # --- keypad ---

    async def take_keypad_entry(self, entry: KeypadEntry) -> list[SpeechHandle]:
        """Handle one keypad entry of a phone caller in code, like a spoken turn (no LLM request, ever).

        Called by :mod:`agents.keypad` when the caller ends an entry (``#`` or a pause). It counts a
        caller turn, resolves the pending action with the keys (:func:`call.confirmation.resolve_keypad`:
        1 yes, 2 no, four digits for a step-up), else hands them to :meth:`code_keypad` (the verification
        step that is due). Keys that answer nothing get a polite line and change nothing. The keys never
        reach the chat context, the history, the transcript or a log: the turn is recorded as
        :data:`call.keypad.KEYPAD_MESSAGE`.

        Args:
            entry: The caller's keys.

        Returns:
            The speech handles code queued.
        """
        ctx = self.userdata
        ctx.record_user_turn(KEYPAD_MESSAGE)
        self._actions_at_turn = len(ctx.actions)
        self._said_this_turn = set()
        action = ctx.pending
        reply = await self._resolve_pending(KEYPAD_MESSAGE, keypad=entry)
        if reply is None and action is not None and ctx.pending is action:
            # Not an answer: the first key came before the read-back was proposed (the same turn).
            reply = CodeReply.say(
                f"Those keys came before my question, so I haven't taken them as an answer. {action.read_back}"
            )
        if reply is None:
            reply = await self.code_keypad(entry)
        if reply is None:
            reply = CodeReply.say("Sorry, I wasn't expecting any keys just then. You can just tell me what you need.")
        ctx.code_turns += 1
        await self._add_caller_message(ChatMessage(role="user", content=[KEYPAD_MESSAGE]))
        return self.speak(reply)

    async def code_keypad(self, entry: KeypadEntry) -> CodeReply | None:
        """The agent's own use of a keypad entry (none by default: the keys are politely ignored).

        Args:
            entry: The caller's keys.

        Returns:
            What code says, or ``None`` when the keys mean nothing here.
        """
        return None

    # --- end keypad ---

    def _person_requested(self, text: str) -> CodeReply | None:
        """A caller who asks for a person gets one, from any agent, decided by code (always allowed)."""
        from .coordinator import TransferRefusedError, coordinator

        if self.name == HUMAN or route_for_request(text) != HUMAN:
            return None
        try:
            nxt = coordinator().transfer(self.userdata, self, HUMAN, "The caller asked for a person")
        except TransferRefusedError:
            return None
        return CodeReply([Speech(f"Of course. I'll connect you with {colleague(self.userdata)} now.")], handoff=nxt)

    def _handoff_for_verification(self, resume: ResumeRequest) -> Agent:
        """The transfer to authentication for a tool that needs a verified caller (verification on demand).

        Raises:
            TransferRefusedError: the coordinator refused (e.g. the transfer budget is spent).
        """
        from .coordinator import AUTHENTICATION, coordinator

        ctx = self.userdata
        nxt = coordinator().transfer(ctx, self, AUTHENTICATION, f"Verify the caller to {resume.request}")
        ctx.resume = resume
        return nxt

    def speak(self, reply: CodeReply) -> list[SpeechHandle]:
        """Queue ``reply``'s lines with ``session.say`` (and its handoff); return the speech handles."""
        handles: list[SpeechHandle] = []
        for line in reply.speech:
            handle = self.session.say(line.text, allow_interruptions=line.interruptible)
            handles.append(handle)
            if line.on_done is not None:
                self._run_after(handle, line.on_done)
        if reply.handoff is not None:
            self.session.update_agent(reply.handoff)
        return handles

    def _run_after(self, handle: SpeechHandle, callback: Callable[[SpeechHandle], Awaitable[None]]) -> None:
        async def _after() -> None:
            await handle.wait_for_playout()
            await callback(handle)

        task = asyncio.ensure_future(_after())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _add_caller_message(self, message: ChatMessage) -> None:
        # LiveKit drops the caller's message when on_user_turn_completed raises StopResponse; keep it
        # in this agent's chat context and in the session history (which emits
        # conversation_item_added, so transcripts and reports see it), as LiveKit itself does when a
        # turn arrives while the session closes (voice/agent_activity.py, 1.8.9).
        chat_ctx = self.chat_ctx.copy()
        chat_ctx.items.append(message)
        await self.update_chat_ctx(chat_ctx)
        self.session._conversation_item_added(message)

    async def _resolve_pending(self, text: str, *, keypad: KeypadEntry | None = None) -> CodeReply | None:
        """Decide the pending action from the caller's words or keys (``keypad``); ``None``: the LLM replies
        (never for keys: a keypad turn always gets a code line)."""
        ctx = self.userdata
        action = ctx.pending
        if action is None:
            return None
        if keypad is None:
            outcome = resolve(action, text, user_turn=ctx.user_turns)
        else:
            outcome = resolve_keypad(action, keypad, user_turn=ctx.user_turns)
        if outcome.verdict is Verdict.NOT_AN_ANSWER:
            return None
        if outcome.verdict is Verdict.REASK:
            if action.step_up:
                return CodeReply.say(f"Sorry, I need the four digits to go ahead. {action.read_back}")
            return CodeReply.say(f"Sorry, I need a clear yes or no. {action.read_back}")
        ctx.pending = None
        if outcome.verdict is Verdict.VOIDED:
            logger.info("pending %s voided (%s)", action.name, outcome.answer)
            ctx.notes_for_model.append(
                f"The caller did not say a clear yes, so {action.name} was NOT done and nothing changed. "
                "Help with what they said; if they want it with changes, call the tool again with the new details."
            )
            if keypad is not None or (len(text.split()) <= BARE_ANSWER_WORDS and outcome.answer == "no"):
                return CodeReply.say("Okay, I haven't changed anything. What would you like to do instead?")
            return None
        if action.step_up and not await self._stepped_up(outcome.last_four):
            logger.info("step-up for %s failed; nothing done", action.name)
            ctx.notes_for_model.append(
                f"The security check failed, so {action.name} was NOT done. Do not retry it in this call; "
                "offer a person instead."
            )
            return CodeReply.say(
                "Those digits don't match our records, so I haven't changed anything. "
                f"If you'd like, I can connect you with {colleague(ctx)}."
            )
        try:
            sentence = await action.execute()
        except (ToolError, ServiceError) as exc:
            logger.info("confirmed %s refused at execution: %s", action.name, redact(str(exc)))
            why = sentence_for(exc) if isinstance(exc, ServiceError) else str(exc)
            ctx.notes_for_model.append(f"{action.name} could not be done, nothing changed: {why}")
            if keypad is not None:
                return CodeReply.say("I'm sorry, that couldn't be done just now, so nothing has changed.")
            return None
        logger.info("confirmed %s executed", action.name)
        return await self.after_confirmed(action.name, CodeReply.say(sentence))

    async def _stepped_up(self, last_four: str | None) -> bool:
        """Re-check one factor (the last four) against the verified caller's record, just before a risky write."""
        ctx = self.userdata
        customer = ctx.verification.customer
        if customer is None or last_four is None:
            return False
        try:
            return await ctx.services.customers.step_up(customer.id, last_four)
        except ServiceError as exc:
            logger.warning("step-up check failed: %s", exc)
            return False

    async def after_confirmed(self, action: str, reply: CodeReply) -> CodeReply:
        """Extend code's reply after a confirmed write ran (e.g. continue a structured flow)."""
        return reply

    # ------------------------------------------------------------------ the LLM

    def model_notes(self) -> list[str]:
        """System notes for this LLM request (the agent's step, if any). Override to add your own."""
        return []

    def fallback_line(self) -> str:
        """Spoken when every sentence of a model reply had to be withheld."""
        return "Sorry, could you say that again?"

    async def llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """The default LLM node, guarded twice: the speech guard (:meth:`_speech_guarded_llm_node`), then the
        output guardrail (:mod:`agents.output_guardrail`: identity digits, figures no tool gave, offensive or
        off-brand lines are replaced with a safe line before they are spoken)."""
        guardrail = OutputGuardrail.for_request(self.userdata, chat_ctx, tools, agent=self.name)
        async for chunk in guardrail.guard(self._speech_guarded_llm_node(chat_ctx, tools, model_settings)):
            yield chunk

    async def _speech_guarded_llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """The default LLM node with the speech guard.

        Adds pending notes for the model as one system message, withholds sentences meant for the
        model (:class:`~agents.speech_guard.SpeechGuard`), drops tool calls with hostile arguments
        (the model is told, the caller hears an apology) and stamps the handoff latency on the first
        request after a transfer.
        """
        ctx = self.userdata
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
            last.handoff_latency_s = time.monotonic() - last.started_monotonic
            logger.info("handoff %s -> %s latency %.3fs", last.from_agent, last.to_agent, last.handoff_latency_s)
        notes = [*self.model_notes(), *ctx.notes_for_model]
        ctx.notes_for_model.clear()
        if notes:
            chat_ctx = chat_ctx.copy()
            chat_ctx.add_message(role="system", content="\n".join(notes))
        # "I've updated your delivery" is only true if a write ran in this caller turn.
        guard = SpeechGuard(
            (tool_name(t) for t in tools),
            claims_allowed=len(ctx.actions) > self._actions_at_turn,
            said=self._said_this_turn,
            notes=[*notes, _text_of(self.instructions)],  # a small model also reads its own prompt aloud
        )
        rejected = called = False
        async for chunk in Agent.default.llm_node(self, chat_ctx, tools, model_settings):
            if isinstance(chunk, str):
                if text := guard.feed(chunk):
                    yield text
                continue
            if not isinstance(chunk, ChatChunk) or chunk.delta is None:
                yield chunk
                continue
            delta = chunk.delta
            calls = []
            called = called or bool(delta.tool_calls)
            for call in delta.tool_calls or []:
                problem = tool_arguments_problem(call.arguments or "")
                if problem is None:
                    calls.append(call)
                else:
                    rejected = True
                    logger.warning("dropped tool call %s: %s", call.name, problem)
                    ctx.notes_for_model.append(f"Your call of {call.name} was refused: {problem}")
            text = guard.feed(delta.content) if delta.content else ""
            if text or calls or chunk.usage is not None:
                yield ChatChunk(
                    id=chunk.id,
                    delta=ChoiceDelta(role=delta.role, content=text or None, tool_calls=calls),
                    usage=chunk.usage,
                )
        if rest := guard.flush():
            yield rest
        if guard.dropped:
            logger.warning("withheld %d sentence(s) of model text meant for the model", guard.dropped)
        if not guard.spoken and (rejected or (guard.dropped and not called)):
            # Nothing was said and no tool is running on the caller's behalf: don't leave silence.
            yield self.fallback_line()

    def realtime_reply(self, tool_names: Sequence[str]) -> tuple[str, SpeechGuard]:
        """What one reply of a realtime model needs from this agent (it does not go through :meth:`llm_node`).

        The realtime profile's model wrapper (:class:`worker.realtime.GuardedRealtimeModel`) adds the
        notes to the reply's instructions and passes the model's text through the guard before
        LiveKit sends it to TTS, transcript and history; on the same terms as :meth:`llm_node`.

        Args:
            tool_names: The tools offered to the model for this reply.

        Returns:
            The notes for the model (one string, "" when none) and a fresh guard for the reply's text.
        """
        ctx = self.userdata
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
            last.handoff_latency_s = time.monotonic() - last.started_monotonic
        notes = [*self.model_notes(), *ctx.notes_for_model]
        ctx.notes_for_model.clear()
        guard = SpeechGuard(
            tool_names,
            claims_allowed=len(ctx.actions) > self._actions_at_turn,
            said=self._said_this_turn,
            notes=[*notes, _text_of(self.instructions)],
        )
        return "\n".join(notes), guard


def _text_of(instructions: str | Instructions) -> str:
    """The agent's instructions as plain text (LiveKit's ``Instructions`` renders its common text)."""
    return instructions if isinstance(instructions, str) else instructions.render()


def tool_name(tool: llm.Tool) -> str:
    """The name the model sees for ``tool`` (function tools and raw-schema tools alike)."""
    info = getattr(tool, "info", None)
    return str(getattr(info, "name", getattr(tool, "id", "")))


_TRANSFER_TOOLS: dict[str, RawFunctionTool] = {}


def transfer_tool(agent_cls: type[MarketplaceAgent]) -> RawFunctionTool:
    """The ``transfer_to_agent`` tool of ``agent_cls``: its target enum lists every other agent.

    Built once per class, lazily (the registry must be complete).
    """
    if agent_cls.name not in _TRANSFER_TOOLS:
        _TRANSFER_TOOLS[agent_cls.name] = _build_transfer_tool(agent_cls)
    return _TRANSFER_TOOLS[agent_cls.name]


def _build_transfer_tool(agent_cls: type[MarketplaceAgent]) -> RawFunctionTool:
    from .coordinator import coordinator
    from .registry import AGENTS

    targets = [key for key in AGENTS if key != agent_cls.name]
    catalogue = "; ".join(f"{key}: {AGENTS[key].description}" for key in targets)
    schema = {
        "name": "transfer_to_agent",
        "description": (
            "Transfer the caller to another agent when their request is outside your domain or they ask "
            f"for it. Say nothing else in the same turn. Agents: {catalogue}."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "target": {"type": "string", "enum": targets, "description": "The agent to transfer to."},
                "reason": {
                    "type": "string",
                    "description": "One short sentence: what the caller needs from that agent.",
                },
            },
            "required": ["target", "reason"],
            "additionalProperties": False,
        },
    }

    async def transfer_to_agent(raw_arguments: dict[str, object], context: RunContext[CustomerContext]) -> Agent:
        target, reason = raw_arguments.get("target"), raw_arguments.get("reason", "")
        if not isinstance(target, str) or not isinstance(reason, str):
            raise ToolError("transfer_to_agent needs a target agent name and a short reason.")
        if not reason.strip():
            raise ToolError("Give a short reason for the transfer: what does the caller need?")
        if len(reason) > MAX_REASON_CHARS * 5:
            raise ToolError("The reason is too long: one short sentence.")
        source = context.session.current_agent
        if not isinstance(source, MarketplaceAgent):
            raise ToolError("Transfers are only possible between desk agents.")
        return coordinator().transfer(context.userdata, source, target, reason, reply_id=context.speech_handle.id)

    return function_tool(transfer_to_agent, raw_schema=schema)
