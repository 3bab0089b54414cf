"""The authentication agent: the call's entry point.

Code leads it (:mod:`agents.steps.verification`): it asks, captures, reads back, checks identity,
plays the disclosure, classifies the offer answer and routes the caller. The LLM only answers
what falls outside a step (a question, "why do you need that?") and then asks the step's question
again; it sees ``save_address`` only while a new address is due, and ``transfer_to_agent``, which
the coordinator limits to the human agent until authentication is complete.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable
from typing import Any

from livekit.agents import ChatContext, ModelSettings, llm

from call.context import AuthStep
from call.keypad import KeypadEntry
from tools.auth import save_address

from .base import CodeReply, MarketplaceAgent, tool_name
from .listening import apply_listening
from .steps.resume import offer_resume
from .steps.verification import STEPS, disclosure_reply, keypad_turn, verification_turn

GREETING = "Thanks for calling the Marketplace help desk. I'll verify your identity first."


class AuthenticationAgent(MarketplaceAgent):
    """Identity verification, disclosure and routing."""

    name = "authentication"
    description = "identity verification (start here)"
    requires_verified_customer = False

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[save_address])

    async def on_enter(self) -> None:
        """Speak the greeting and the current step's question from templates (no LLM request)."""
        ctx = self.userdata
        ctx.current_agent = self.name
        ctx.verification_handoff = None
        resuming = offer_resume(ctx)  # a dropped call of this caller: the offer to continue it comes first
        step = STEPS[ctx.verification.step]
        apply_listening(self.session, step.listen)
        if resuming is not None:
            lead = resuming
        elif ctx.resume is not None:
            lead = f"To {ctx.resume.request}, I need to verify your identity first."
        else:
            lead = GREETING if not ctx.transfers else "This is identity verification."
        self.session.say(f"{lead} {step.question(ctx)}")

    async def code_turn(self, text: str) -> CodeReply | None:
        ctx = self.userdata
        reply = await verification_turn(ctx, self, text)
        apply_listening(self.session, STEPS[ctx.verification.step].listen)
        return reply

    async def code_keypad(self, entry: KeypadEntry) -> CodeReply | None:
        """A phone caller's keys answer the current verification step like speech (:func:`keypad_turn`)."""
        ctx = self.userdata
        reply = await keypad_turn(ctx, self, entry)
        if (step := STEPS.get(ctx.verification.step)) is not None:
            apply_listening(self.session, step.listen)
        return reply

    async def after_confirmed(self, action: str, reply: CodeReply) -> CodeReply:
        """After a confirmed new address, continue with the disclosure."""
        if action == "save_address" and self.userdata.verification.step is AuthStep.ADDRESS_NEW:
            return disclosure_reply(self.userdata, reply.speech[0].text if reply.speech else "Thank you.")
        return reply

    def model_notes(self) -> list[str]:
        return [STEPS[self.userdata.verification.step].model_note(self.userdata)]

    def fallback_line(self) -> str:
        return STEPS[self.userdata.verification.step].question(self.userdata)

    async def llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """The guarded LLM node, plus two rules for this agent.

        ``save_address`` is shown only while a new address is due (fewer schemas, fewer wrong
        calls). And the step resumes in code: if the model's reply did not ask the current step's
        question (and called no tool), code appends it, so the caller always knows what is due.
        """
        ctx = self.userdata
        if ctx.verification.step is not AuthStep.ADDRESS_NEW:
            tools = [t for t in tools if tool_name(t) != "save_address"]
        step = STEPS[ctx.verification.step]
        question = step.question(ctx)
        spoken: list[str] = []
        called = False
        async for chunk in super().llm_node(chat_ctx, tools, model_settings):
            if isinstance(chunk, str):
                spoken.append(chunk)
            elif isinstance(chunk, llm.ChatChunk) and chunk.delta is not None:
                spoken.append(chunk.delta.content or "")
                called = called or bool(chunk.delta.tool_calls)
            yield chunk
        if not called and not _asks(" ".join(spoken), question, step.slot):
            yield (" " if spoken and not "".join(spoken).endswith(" ") else "") + question


def _asks(reply: str, question: str, slot: str) -> bool:
    """Whether ``reply`` already asks ``question``, or names the step's slot (ignoring case and punctuation)."""

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.casefold()).split())

    said = norm(reply)
    return norm(question) in said or bool(slot and norm(slot) in said)
