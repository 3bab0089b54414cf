"""``MarketplaceAgent``: behaviour shared by all fourteen agents.

Each agent is a thin subclass: a registry key, a one-line description, whether it needs a
verified caller, its prompt file and its domain tools. This base adds:

* the single ``transfer_to_agent`` tool. One tool whose ``target`` is an enum of the other
  thirteen agents, rather than thirteen ``transfer_to_<name>`` tools: every tool schema is sent
  on every LLM request, so one schema keeps the prompt ~13 schemas shorter (latency, and the
  small offline model picks among fewer tools), and all rules live in one place (the
  :class:`~agents.coordinator.HandoffCoordinator`);
* a greeting on entry that shows awareness of the transfer (never a silent handoff);
* the handoff latency measurement (transfer tool call → this agent's first LLM request).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterable, Sequence
from typing import Any, ClassVar

from livekit.agents import Agent, ChatContext, ModelSettings, RunContext, ToolError, function_tool, llm
from livekit.agents.llm import RawFunctionTool

from call.context import CustomerContext

from .prompts import prompt

logger = logging.getLogger("marketplace.agents")

MAX_REASON_CHARS = 200


class MarketplaceAgent(Agent):
    """Base of every agent of the desk.

    Class attributes:
        name: Registry key, e.g. ``"returns"``; also the prompt file name and the agent id.
        description: A few words used in the transfer tool's target list.
        requires_verified_customer: The coordinator refuses transfers here before verification.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    requires_verified_customer: ClassVar[bool] = True

    def __init__(self, *, chat_ctx: ChatContext | None = None, tools: Sequence[llm.Tool] = ()) -> None:
        super().__init__(
            instructions=prompt(self.name),
            id=self.name,
            chat_ctx=chat_ctx,
            tools=[*tools, transfer_tool(type(self))],
        )

    @property
    def userdata(self) -> CustomerContext:
        """The call's :class:`CustomerContext`."""
        data: CustomerContext = self.session.userdata
        return data

    async def on_enter(self) -> None:
        """Greet the caller: as the entry agent, or aware of the transfer that brought them here.

        The greeting is speech only (``tool_choice="none"``): tools act on what the caller says next,
        and a model that calls tools while greeting only adds latency and errors.
        """
        ctx = self.userdata
        ctx.current_agent = self.name
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
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
            self.session.generate_reply(instructions=self.entry_greeting(), tool_choice="none")

    def entry_greeting(self) -> str:
        """Instructions for the first reply when this agent starts the call (not by transfer)."""
        return f"Greet the caller briefly as the {self.description} desk and ask how you can help."

    async def llm_node(
        self, chat_ctx: ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | Any]:
        """Default LLM node, plus the handoff latency stamp on the first request after a transfer."""
        ctx = self.userdata
        last = ctx.transfers[-1] if ctx.transfers else None
        if last is not None and last.to_agent == self.name and last.handoff_latency_s is None:
            last.handoff_latency_s = time.monotonic() - last.started_monotonic
            logger.info("handoff %s -> %s latency %.3fs", last.from_agent, last.to_agent, last.handoff_latency_s)
        async for chunk in Agent.default.llm_node(self, chat_ctx, tools, model_settings):
            yield chunk


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
    from .coordinator import HandoffCoordinator
    from .registry import AGENTS

    coordinator = HandoffCoordinator(AGENTS)
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
        return coordinator.transfer(context.userdata, source, target, reason)

    return function_tool(transfer_to_agent, raw_schema=schema)
