"""The multi-agent measures of one call: agents reached, hops, actions before verification, the
disclosure read verbatim, transfers refused.

"Actions before verification" counts tool runs that succeeded while the caller was not verified,
except the tools anyone may use (:data:`OPEN_TOOLS`: browsing the catalogue, policies, transfers,
ending the call). It must be 0 in every call: the desk's rule is that nothing touching a caller's
account runs before the four identity factors matched (seed requirement of the migration: the
retail scenario's authentication, enforced in code here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.voice.events import FunctionToolsExecutedEvent

from call.context import CustomerContext

OPEN_TOOLS = frozenset(
    {
        # browsing the catalogue (any caller; README "Agents and tools": "Reached by any caller")
        "search_products",
        "search_books",
        "search_tech",
        "search_fashion",
        "search_home_products",
        "get_product_details",
        "get_product_dimensions",
        "check_room_fit",
        "check_stock",
        "check_availability",
        "compare_products",
        "compare_specs",
        "get_compatibility",
        "get_book_details",
        "check_formats",
        "find_similar_books",
        "list_series",
        "get_sizing_guide",
        "get_style_recommendations",
        "find_similar_items",
        "find_bundles",
        "get_current_promotions",
        "lookup_seller",
        "get_seller_policies",
        # moving the call
        "transfer_to_agent",
        "transfer_to_colleague",
        "end_call",
        # the escalation desk takes a ticket from anyone; an unverified caller's ticket has no customer
        "create_escalation_ticket",
        # the authentication agent's own step (code checks the step)
        "save_address",
    }
)
"""Tools that need no verified caller. Every other tool touches the caller's account or writes."""


@dataclass
class ToolRun:
    """One executed tool call, as the desk ran it.

    Attributes:
        agent: The agent whose tool it was.
        name: Tool name.
        ok: It returned without error.
        verified: The caller was verified when it ran.
    """

    agent: str
    name: str
    ok: bool
    verified: bool


@dataclass
class CallObserver:
    """Follows a session's tool runs with the caller's verification state at the time of each.

    Attributes:
        runs: Every executed tool call, in order.
    """

    ctx: CustomerContext
    runs: list[ToolRun] = field(default_factory=list)

    def attach(self, session: AgentSession[CustomerContext]) -> None:
        """Start observing ``session`` (its ``function_tools_executed`` events)."""
        session.on("function_tools_executed", self._on_tools)

    def _on_tools(self, ev: FunctionToolsExecutedEvent) -> None:
        verified = self.ctx.verification.verified
        resume = self.ctx.resume
        for call, output in ev.zipped():
            # A tool that sent an unverified caller to authentication (verification on demand) did nothing
            # yet: it will run again, for a verified caller, on the way back.
            sent_to_verify = resume is not None and resume.tool == call.name and not verified
            ok = not output.is_error and not sent_to_verify
            self.runs.append(ToolRun(self.ctx.current_agent, call.name, ok, verified))

    def actions_before_verification(self) -> list[str]:
        """Names of the account tools that ran successfully for an unverified caller (must be empty)."""
        return [r.name for r in self.runs if r.ok and not r.verified and r.name not in OPEN_TOOLS]


@dataclass(frozen=True)
class Measures:
    """The multi-agent measures of one call (see the module docstring).

    Attributes:
        agents_visited: The first agent and every agent handed to, in order.
        right_agent: The scenario's desk was reached.
        hops: Agent transfers made.
        actions_before_verification: Account tools run for an unverified caller (names).
        disclosure_verbatim: The disclosure was played whole and word for word (``None``: not reached).
        transfers_refused: Transfer tool calls the coordinator refused.
    """

    agents_visited: list[str]
    right_agent: bool
    hops: int
    actions_before_verification: list[str]
    disclosure_verbatim: bool | None
    transfers_refused: int

    def as_json(self) -> dict[str, Any]:
        """The measures as the results JSON stores them."""
        return {
            "agents_visited": self.agents_visited,
            "right_agent": self.right_agent,
            "hops": self.hops,
            "actions_before_verification": len(self.actions_before_verification),
            "actions_before_verification_tools": self.actions_before_verification,
            "disclosure_verbatim": self.disclosure_verbatim,
            "transfers_refused": self.transfers_refused,
        }


def measure(
    ctx: CustomerContext,
    observer: CallObserver,
    *,
    start_agent: str,
    target_agent: str,
    agent_lines: list[str],
    disclosure: str,
    tool_calls: list[dict[str, Any]],
) -> Measures:
    """Compute the measures of a finished call.

    Args:
        ctx: The call's context at the end.
        observer: The tool runs observed during the call.
        start_agent: The agent that answered the call.
        target_agent: The desk the caller's goal belongs to.
        agent_lines: Everything the desk said, in order, unredacted (what the caller heard).
        disclosure: The disclosure text that must be read verbatim.
        tool_calls: The call report's tool calls (``name``, ``outcome``).

    Returns:
        The :class:`Measures`.
    """
    visited = [start_agent] + [t.to_agent for t in ctx.transfers]
    verbatim: bool | None = None
    if ctx.disclosure.started_at is not None:
        said_whole = any(" ".join(line.split()) == " ".join(disclosure.split()) for line in agent_lines)
        verbatim = said_whole and ctx.disclosure.played_pct == 100 and not ctx.disclosure.interrupted
    refused = sum(1 for c in tool_calls if c["name"] == "transfer_to_agent" and c["outcome"] == "error")
    return Measures(
        agents_visited=visited,
        right_agent=target_agent in visited,
        hops=len(ctx.transfers),
        actions_before_verification=observer.actions_before_verification(),
        disclosure_verbatim=verbatim,
        transfers_refused=refused,
    )
