"""``HandoffCoordinator``: every transfer between agents goes through here.

It validates the target, enforces preconditions in code, records the transfer, and builds the
next agent with a trimmed, redacted copy of the chat context plus one system message: the
transfer summary. Agents never import each other; the coordinator asks the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from livekit.agents import ChatContext, ToolError
from livekit.agents.llm import ChatMessage

from call.context import AuthStep, CustomerContext, TransferRecord
from call.redaction import redact
from call.summary import TransferSummary

if TYPE_CHECKING:
    from .base import MarketplaceAgent

logger = logging.getLogger("marketplace.handoff")

HUMAN = "human"
AUTHENTICATION = "authentication"
CARRIED_ITEMS = 12
"""Chat items carried into the next agent (older ones live on in the summary)."""


class TransferRefusedError(ToolError):
    """A transfer broke a rule; the message tells the model what to do instead."""


class HandoffCoordinator:
    """Validates, records and performs transfers.

    Args:
        registry: Registry key → agent class (see :data:`agents.registry.AGENTS`).
        carried_items: How many recent chat items the next agent receives.
    """

    def __init__(self, registry: Mapping[str, type[MarketplaceAgent]], *, carried_items: int = CARRIED_ITEMS) -> None:
        self.registry = registry
        self.carried_items = carried_items

    def check(self, ctx: CustomerContext, source: str, target: str) -> None:
        """Raise ``TransferRefusedError`` unless ``source`` may hand the caller to ``target`` now.

        Rules, in order: the target exists and is not the source; the human agent is always
        reachable; a locked-out caller can reach only the human; a caller whose identity is verified
        cannot leave before the disclosure is played and the offer answered; protected agents need a
        verified caller (open agents — browsing — do not); at most
        one transfer per caller turn; the call's transfer budget; no A→B→A→B ping-pong.
        Protected agents need the whole authentication (identity verified, disclosure played and
        the offer answered), whoever asks, the human agent included.
        """
        if target not in self.registry:
            raise TransferRefusedError(f"There is no '{target}' agent. Choose one of: {', '.join(self.registry)}.")
        if target == source:
            raise TransferRefusedError(f"You are already the {source} agent: help the caller yourself.")
        if target == HUMAN:
            return
        v = ctx.verification
        if v.locked_out:
            raise TransferRefusedError(
                "The caller is locked out after failed identity checks; only the human agent can help."
            )
        if v.verified and v.step is not AuthStep.DONE:
            raise TransferRefusedError(
                "The caller's identity is verified but the mandatory disclosure and the offer answer are not done: "
                "continue authentication first."
            )
        if self.registry[target].requires_verified_customer and not (v.verified and v.step is AuthStep.DONE):
            if source == AUTHENTICATION:
                hint = "Continue with the caller: authentication is not finished."
            else:
                hint = "Transfer to authentication first."
            raise TransferRefusedError(
                f"The {target} agent needs a caller who finished authentication (identity, disclosure and "
                f"offer answer). {hint}"
            )
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == source and last.user_turn == ctx.user_turns:
            raise TransferRefusedError("You just received this caller: talk with them before transferring again.")
        if len(ctx.transfers) >= ctx.max_transfers:
            raise TransferRefusedError(
                "This call has been transferred too many times. "
                "Help the caller yourself or transfer to the human agent."
            )
        returning = source == AUTHENTICATION and ctx.resume is not None and ctx.resume.agent == target
        if len(ctx.transfers) >= 2 and not returning:  # the way back from verification on demand is no ping-pong
            a, b = ctx.transfers[-2], ctx.transfers[-1]
            if (a.from_agent, a.to_agent, b.from_agent, b.to_agent) == (source, target, target, source):
                raise TransferRefusedError(
                    f"The caller already went {source} → {target} → {source}. Do not bounce them again: "
                    "help directly, or transfer to the human agent."
                )

    def transfer(
        self,
        ctx: CustomerContext,
        source: MarketplaceAgent,
        target: str,
        reason: str,
        *,
        reply_id: str | None = None,
    ) -> MarketplaceAgent:
        """Validate, record and build the next agent.

        Args:
            ctx: The call's userdata.
            source: The agent handing off.
            target: Registry key of the next agent.
            reason: Why, in a short sentence (redacted, then shown to the next agent and in reports).
            reply_id: The reply (speech handle id) that asked for the transfer; a second transfer
                in the same reply is refused before anything is recorded (LiveKit would drop both).

        Returns:
            The next agent, constructed with the carried chat context and the summary.

        Raises:
            TransferRefusedError: a rule of :meth:`check` failed (nothing is recorded).
        """
        reason = redact(" ".join(reason.split())[:200])
        if reply_id is not None and reply_id in ctx.transfer_reply_ids:
            raise TransferRefusedError("Only one transfer per reply: this reply already transferred the caller.")
        self.check(ctx, source.name, target)
        summary = TransferSummary.build(ctx, from_agent=source.name, to_agent=target, reason=reason)
        chat_ctx = self.carry_chat_ctx(source.chat_ctx, from_authentication=source.name == AUTHENTICATION)
        chat_ctx.add_message(role="system", content=summary.to_prompt())
        record = TransferRecord(
            from_agent=source.name,
            to_agent=target,
            reason=reason,
            at=ctx.services.clock.now(),
            user_turn=ctx.user_turns,
        )
        ctx.transfers.append(record)
        if reply_id is not None:
            ctx.transfer_reply_ids.add(reply_id)
        if ctx.pending is not None:
            logger.info("pending %s voided by the transfer", ctx.pending.name)
            ctx.pending = None
        ctx.current_agent = target
        logger.info("transfer %s -> %s (%s)", source.name, target, reason)
        return self.registry[target](chat_ctx=chat_ctx)

    def carry_chat_ctx(self, chat_ctx: ChatContext, *, from_authentication: bool) -> ChatContext:
        """A redacted copy of the recent conversation for the next agent.

        Tool calls and outputs, instructions and earlier summaries are dropped; caller and agent
        messages are redacted (:func:`agents.redaction.redact`). Nothing said during
        authentication is carried: it is identity data, and the summary states the outcome.
        """
        carried = ChatContext.empty()
        if from_authentication:
            return carried
        source = chat_ctx.copy(
            exclude_function_call=True,
            exclude_instructions=True,
            exclude_empty_message=True,
            exclude_handoff=True,
            exclude_config_update=True,
        )
        for item in source.items[-self.carried_items :]:
            if isinstance(item, ChatMessage) and item.role in ("user", "assistant"):
                carried.add_message(role=item.role, content=redact(item.text_content or ""))
        return carried


_COORDINATOR: HandoffCoordinator | None = None


def coordinator() -> HandoffCoordinator:
    """The process-wide coordinator over :data:`agents.registry.AGENTS` (stateless: state is in the context)."""
    global _COORDINATOR
    if _COORDINATOR is None:
        from .registry import AGENTS

        _COORDINATOR = HandoffCoordinator(AGENTS)
    return _COORDINATOR
