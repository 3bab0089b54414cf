"""The human escalation agent: puts a phone caller through to a person, or (the AI stand-in) opens a ticket.

Reachable from every agent, even before verification. What it does depends on the call
(:func:`tools.human_transfer.can_transfer`):

* **a person can take the call** (``HUMAN_TRANSFER_NUMBER`` set and a phone caller): a caller whose own
  words asked for a person is put through at once; otherwise code reads back the offer and only the
  caller's yes puts them through. The transfer runs in ``on_enter`` (LiveKit runs a warm transfer as an
  ``AgentTask``, which may only be awaited there or in a tool), so a yes given later re-enters this agent
  with ``connect=True``. A transfer that fails returns the caller to the conversation: an apology and
  a ticket offer, read back by code. A transfer that succeeds ends the desk's part of the call.
* **no person can** (no number, a web caller, an offline call): code says plainly that this is the
  desk's automated assistant, then the model helps and opens a ticket (``create_escalation_ticket``),
  as in the original system.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterable
from typing import Any

from livekit.agents import ChatContext, ModelSettings, llm

from call.answers import YesNo, classify_yes_no
from call.phone_line import TransferFailedError
from tools.end_call import end_call_soon
from tools.escalation import TICKET_TOOL, create_escalation_ticket, ticket_write
from tools.human_transfer import (
    BRIDGED_LINE,
    FAILED_LINE,
    HOLD_LINES,
    STAND_IN_LINE,
    TRANSFER_ACTION,
    can_transfer,
    connect_caller,
    offer_from_code,
    offer_transfer,
    transfer_reason,
    transfer_to_colleague,
)

from .base import CodeReply, MarketplaceAgent, tool_name
from .listening import apply_listening
from .steps.routing import route_for_request

logger = logging.getLogger("marketplace.agents.human")


class HumanAgent(MarketplaceAgent):
    """Escalation to the human team: a phone transfer when possible, else a ticket with the transfer summary.

    Args:
        chat_ctx: The carried conversation (built by the coordinator).
        connect: Put the caller through as soon as this agent starts (the caller already said yes).
    """

    name = "human"
    description = "a human colleague (complaints, anything unresolved, or on request)"
    requires_verified_customer = False

    def __init__(self, *, chat_ctx: ChatContext | None = None, connect: bool = False) -> None:
        super().__init__(chat_ctx=chat_ctx, tools=[create_escalation_ticket, transfer_to_colleague])
        self._connect = connect

    async def on_enter(self) -> None:
        """Put the caller through, offer it, or say that this is the AI stand-in (see the module docstring)."""
        ctx = self.userdata
        if not can_transfer(ctx):
            self.session.say(STAND_IN_LINE)
            await super().on_enter()
            return
        self._entered()
        if self._connect or self._caller_asked_for_person():
            await self._put_through()
        else:
            offer_transfer(ctx, self.session)

    def _entered(self) -> None:
        """The bookkeeping of :meth:`MarketplaceAgent.on_enter`, when code speaks instead of a model greeting."""
        ctx = self.userdata
        ctx.current_agent = self.name
        ctx.verification_handoff = self._handoff_for_verification
        self._actions_at_turn = len(ctx.actions)
        apply_listening(self.session, self.listen_mode)
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
            last.handoff_latency_s = time.monotonic() - last.started_monotonic

    def _caller_asked_for_person(self) -> bool:
        """The caller already asked for a person, decided by code: their latest words ask for one (as for the
        handoff here), or a locked-out caller said yes to code's "I can transfer you to a colleague" (the
        locked-out step's question; its yes is what brought them here)."""
        ctx = self.userdata
        last = ctx.recent_user_texts[-1] if ctx.recent_user_texts else ""
        if route_for_request(last) == self.name:
            return True
        return ctx.verification.locked_out and classify_yes_no(last) is YesNo.YES

    async def _put_through(self) -> None:
        """Transfer the caller (runs in ``on_enter``): hold line, transfer, then leave or apologise."""
        ctx = self.userdata
        target = ctx.human_transfer
        assert target is not None  # can_transfer() checked it
        ctx.handover_in_progress = True
        try:
            await self.session.say(HOLD_LINES[target.mode], allow_interruptions=False).wait_for_playout()
            how = await connect_caller(ctx, reason=transfer_reason(ctx))
        except TransferFailedError as exc:
            ctx.handover_in_progress = False
            self.session.reset_away_timer()  # silence on hold does not count: the idle count starts again
            logger.warning("transfer to a person failed: %s", exc)
            ctx.note_action("A transfer to a person failed; a ticket was offered")
            self._offer_ticket_after_failure()
            return
        if how == "warm":
            await self.session.say(BRIDGED_LINE, allow_interruptions=False).wait_for_playout()
        end_call_soon(self.session, ended_by="transfer")

    def _offer_ticket_after_failure(self) -> None:
        """Never dead air: apologise and read back a ticket (the caller's yes opens it)."""
        ctx = self.userdata
        ctx.notes_for_model.append(
            "The transfer to a person failed and the caller is still with you. Code offered a ticket; help "
            "with whatever they say next."
        )
        self.session.say(FAILED_LINE)
        ticket = ticket_write(ctx, reason=transfer_reason(ctx))
        offer_from_code(
            ctx,
            self.session,
            name=TICKET_TOOL,
            arguments=ticket.arguments,
            read_back=ticket.read_back,
            execute=ticket.execute,
        )

    async def code_turn(self, text: str) -> CodeReply | None:
        """A caller who asks for a person here is put through (if one can take the call)."""
        if (
            can_transfer(self.userdata)
            and not self.userdata.handover_in_progress
            and route_for_request(text) == self.name
        ):
            return CodeReply([], handoff=self._again(connect=True))
        return None

    async def after_confirmed(self, action: str, reply: CodeReply) -> CodeReply:
        """The caller said yes to the transfer offer: re-enter to put them through (see the module docstring)."""
        if action == TRANSFER_ACTION:
            return CodeReply([], handoff=self._again(connect=True))
        return reply

    def _again(self, *, connect: bool) -> HumanAgent:
        return HumanAgent(chat_ctx=self.chat_ctx.copy(), connect=connect)

    async def llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """The guarded LLM node; the transfer tool is offered only when a person can take the call."""
        if not can_transfer(self.userdata):
            tools = [t for t in tools if tool_name(t) != TRANSFER_ACTION]
        async for chunk in super().llm_node(chat_ctx, tools, model_settings):
            yield chunk
