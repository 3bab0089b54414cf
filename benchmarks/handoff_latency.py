"""Handoff overhead: transfer tool call → the next agent's first LLM request, desk vs plain LiveKit handoff.

    python -m benchmarks.handoff_latency                          # 0, 6 and 40 exchanges, 12 transfers each
    python -m benchmarks.handoff_latency --history 0,6 --transfers 20
    python -m benchmarks.handoff_latency --history 0,2 --transfers 2 --out /tmp/h.json   # smoke

Writes ``runs/bench/handoff_latency.json`` (``--out``) and prints a table.

Both variants run the real ``AgentSession`` in this process with the same zero-latency
:class:`~worker.testing.ScriptedLLM`, text turns, and the same thirteen agent prompts, stepping two
agents ahead at each transfer (no A→B→A pattern):

* ``desk`` — :func:`worker.testing.offline_call` with a verified caller; the transfer is the desk's
  ``transfer_to_agent`` tool through the :class:`~agents.coordinator.HandoffCoordinator` (rules checked,
  transfer recorded, the last 12 items copied and redacted, the transfer summary added, the next
  agent built), then the next agent's greeting request.
* ``baseline`` — a bare ``AgentSession`` whose plain ``Agent`` s have one typed ``@function_tool``
  that returns the next agent built with
  ``chat_ctx=self.chat_ctx.copy(exclude_instructions=True, exclude_function_call=True).truncate(max_items=12)``
  (LiveKit's own recipe), whose ``on_enter`` asks for a greeting.

Measured the same way in both: from the moment the transfer tool's body starts (the desk: entry of
``HandoffCoordinator.transfer``, after LiveKit parsed the arguments; the baseline: the tool's first line)
to the next LLM request (``ScriptedLLM.requests[i].at``). The desk's own figure,
``TransferRecord.handoff_latency_s`` (stamped when the record is made, after the summary), is reported
beside it. ``--history N`` runs N caller/agent exchanges (LLM turns) at each agent before its transfer,
so the chat context to copy, trim and redact grows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livekit.agents import Agent, AgentSession, RunContext, function_tool

from benchmarks.common import BENCH_DIR, Headline, finish, machine, quiet_logs, ratio, summary

DEFAULT_OUT = BENCH_DIR / "handoff_latency.json"
DEFAULT_HISTORY = (0, 6, 40)
CARRIED = 12
"""Items the baseline carries (``truncate(max_items=12)``), as many as the desk's coordinator."""
SMOKE_ARGS = ["--history", "0,2", "--transfers", "2"]
"""Tiny sizes for the CI smoke run (a few seconds)."""

GREETING = "Hi, I'm here to help. What can I do for you?"
HISTORY_LINE = "Sure, the answer about your order is on its way to you."


@dataclass
class Sample:
    """One transfer of a run.

    Attributes:
        history: Exchanges at the agent before the transfer.
        latency_s: Tool body start → next agent's first LLM request, seconds.
        recorded_s: The desk's ``TransferRecord.handoff_latency_s`` (``None`` for the baseline).
    """

    history: int
    latency_s: float
    recorded_s: float | None = None


@dataclass
class Run:
    """Samples and errors of one variant."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def agent_order() -> list[str]:
    """The thirteen agents a verified caller can be transferred between (authentication excluded)."""
    from agents.registry import AGENTS

    return [k for k in AGENTS if k != "authentication"]


def prompts() -> dict[str, str]:
    """Each agent's instructions as text (the baseline's agents get the same prompts)."""
    from agents.registry import AGENTS

    out = {}
    for key in agent_order():
        instructions = AGENTS[key]().instructions
        out[key] = instructions if isinstance(instructions, str) else instructions.render()
    return out


def _next(order: list[str], current: str) -> str:
    """Two ahead (13 agents: an odd count, so no A→B→A pattern ever arises)."""
    return order[(order.index(current) + 2) % len(order)]


# ---------------------------------------------------------------------------------------------------
# The desk
# ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def timed_coordinator(stamps: list[float]) -> Iterator[None]:
    """Install a :class:`~agents.coordinator.HandoffCoordinator` that appends ``time.monotonic()`` to
    ``stamps`` when a transfer starts (the process-wide one is restored afterwards)."""
    import agents.coordinator as coord
    from agents.registry import AGENTS

    class TimedCoordinator(coord.HandoffCoordinator):
        def transfer(self, *args: Any, **kwargs: Any) -> Any:
            stamps.append(time.monotonic())
            return super().transfer(*args, **kwargs)

    saved = coord._COORDINATOR
    coord._COORDINATOR = TimedCoordinator(AGENTS)
    try:
        yield
    finally:
        coord._COORDINATOR = saved


async def run_desk(history: int, transfers: int) -> Run:
    """``transfers`` desk transfers with ``history`` exchanges before each."""
    from services.demo_data import AVA
    from worker.testing import Reply, ScriptedLLM, offline_call

    order = agent_order()
    run = Run()
    stamps: list[float] = []
    llm = ScriptedLLM([Reply.say(GREETING)])  # the first agent greets the caller through the model
    with timed_coordinator(stamps):
        async with offline_call(llm=llm, start_agent=order[0], verified_as=AVA, max_transfers=10_000) as call:
            current = order[0]
            for n in range(transfers):
                for h in range(history):
                    llm.push(Reply.say(HISTORY_LINE))
                    await call.say(f"Question {h}: what about my order, when does it come?")
                target = _next(order, current)
                before_req, before_stamp = len(llm.requests), len(stamps)
                llm.push(Reply.transfer(target, "benchmark transfer"), Reply.say(GREETING))
                await call.say(f"Please put me through to someone else, number {n}.")
                await call.settle()
                record = call.userdata.transfers[-1] if call.userdata.transfers else None
                made = len(llm.requests) - before_req
                if record is None or record.to_agent != target or made != 2 or len(stamps) != before_stamp + 1:
                    run.errors.append(f"desk transfer {n} to {target}: {made} LLM request(s), record {record}")
                    break
                latency = llm.requests[before_req + 1].at - stamps[-1]
                run.samples.append(Sample(history, latency, record.handoff_latency_s))
                current = target
            if llm.unscripted:
                run.errors.append(f"desk: {llm.unscripted} unscripted LLM request(s)")
    return run


# ---------------------------------------------------------------------------------------------------
# The baseline: plain LiveKit agents and LiveKit's own chat-context recipe
# ---------------------------------------------------------------------------------------------------


class PlainAgent(Agent):
    """A plain LiveKit agent: a prompt, one transfer tool, a greeting when it was transferred to."""

    def __init__(
        self,
        key: str,
        *,
        texts: dict[str, str],
        stamps: list[float],
        transferred: bool = False,
        chat_ctx: Any = None,
    ) -> None:
        super().__init__(instructions=texts[key], chat_ctx=chat_ctx)
        self.key = key
        self._texts = texts
        self._stamps = stamps
        self._transferred = transferred

    async def on_enter(self) -> None:
        if self._transferred:
            self.session.generate_reply(
                instructions="You just received this caller by transfer. Greet them briefly and continue helping.",
                tool_choice="none",
            )

    @function_tool
    async def transfer_to_agent(self, context: RunContext[None], target: str, reason: str) -> Agent:
        """Transfer the caller to another agent.

        Args:
            target: The agent to transfer to.
            reason: One short sentence: what the caller needs from that agent.
        """
        self._stamps.append(time.monotonic())
        chat_ctx = self.chat_ctx.copy(exclude_instructions=True, exclude_function_call=True).truncate(max_items=CARRIED)
        return PlainAgent(target, texts=self._texts, stamps=self._stamps, transferred=True, chat_ctx=chat_ctx)


@contextlib.asynccontextmanager
async def bare_session(llm: Any, agent: Agent) -> AsyncIterator[AgentSession[None]]:
    """A started bare ``AgentSession``: text only (no end-of-turn model), as the desk's text sessions."""
    async with AgentSession[None](llm=llm, turn_handling={"turn_detection": "manual"}, user_away_timeout=None) as s:
        await s.start(agent, record=False)
        yield s


async def run_baseline(history: int, transfers: int, texts: dict[str, str]) -> Run:
    """``transfers`` plain LiveKit handoffs with ``history`` exchanges before each."""
    from worker.testing import Reply, ScriptedLLM

    order = agent_order()
    run = Run()
    stamps: list[float] = []
    llm = ScriptedLLM()
    async with bare_session(llm, PlainAgent(order[0], texts=texts, stamps=stamps)) as session:
        current = order[0]
        for n in range(transfers):
            for h in range(history):
                llm.push(Reply.say(HISTORY_LINE))
                await session.run(user_input=f"Question {h}: what about my order, when does it come?")
            target = _next(order, current)
            before_req, before_stamp = len(llm.requests), len(stamps)
            llm.push(Reply.transfer(target, "benchmark transfer"), Reply.say(GREETING))
            await session.run(user_input=f"Please put me through to someone else, number {n}.")
            await _idle(session)
            agent = session.current_agent
            made = len(llm.requests) - before_req
            if not isinstance(agent, PlainAgent) or agent.key != target or made != 2 or len(stamps) != before_stamp + 1:
                run.errors.append(f"baseline transfer {n} to {target}: {made} LLM request(s)")
                break
            run.samples.append(Sample(history, llm.requests[before_req + 1].at - stamps[-1]))
            current = target
        if llm.unscripted:
            run.errors.append(f"baseline: {llm.unscripted} unscripted LLM request(s)")
    return run


async def _idle(session: AgentSession[Any]) -> None:
    """Until the new agent's greeting is done."""
    for _ in range(100):
        await session.wait_for_idle()
        await asyncio.sleep(0.01)
        if session.current_speech is None:
            return


# ---------------------------------------------------------------------------------------------------


async def measure(histories: list[int], transfers: int) -> dict[str, Any]:
    """Both variants at every history size, alternating (desk, baseline) so drift hits both alike."""
    texts = prompts()
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    headline: list[Headline] = []
    # Warm-up, not counted: one round over all thirteen agents each (imports, each agent class's first
    # construction and tool schemas), so the first history size measured does not pay for them.
    await run_desk(0, len(agent_order()))
    await run_baseline(0, len(agent_order()), texts)
    for history in histories:
        desk = await run_desk(history, transfers)
        base = await run_baseline(history, transfers, texts)
        errors += desk.errors + base.errors
        d = summary([s.latency_s for s in desk.samples], scale=1000)
        b = summary([s.latency_s for s in base.samples], scale=1000)
        rec = summary([s.recorded_s for s in desk.samples if s.recorded_s is not None], scale=1000)
        row = {
            "history": history,
            "desk_ms": d,
            "baseline_ms": b,
            "desk_recorded_ms": rec,
            "ratio_p50": ratio(d.get("p50"), b.get("p50")),
            "ratio_p90": ratio(d.get("p90"), b.get("p90")),
        }
        rows.append(row)
        print(
            f"history {history:>3}: desk p50 {d.get('p50', 0):.2f} ms p90 {d.get('p90', 0):.2f}"
            f" max {d.get('max', 0):.2f}"
            f" | baseline p50 {b.get('p50', 0):.2f} p90 {b.get('p90', 0):.2f} max {b.get('max', 0):.2f}"
            f" | ratio p50 {row['ratio_p50']}",
            flush=True,
        )
        if d.get("n") and b.get("n"):
            headline.append(Headline.of(f"handoff p50, {history} exchanges", d["p50"], b["p50"], "ms"))
            headline.append(Headline.of(f"handoff p90, {history} exchanges", d["p90"], b["p90"], "ms"))
    return {"rows": rows, "errors": errors, "headline": [h.to_dict() for h in headline]}


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.handoff_latency``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.handoff_latency", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--history",
        default=",".join(map(str, DEFAULT_HISTORY)),
        help="comma-separated exchanges before each transfer (default 0,6,40)",
    )
    p.add_argument("--transfers", type=int, default=12, help="transfers per variant and history size (default 12)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    histories = [int(x) for x in a.history.split(",") if x.strip()]
    if a.transfers < 1 or not histories or min(histories) < 0:
        p.error("--transfers must be >= 1 and --history non-negative numbers")
    quiet_logs()
    start = time.perf_counter()
    result = asyncio.run(measure(histories, a.transfers))
    report = {
        "benchmark": "handoff_latency",
        "machine": machine(),
        "params": {"history": histories, "transfers": a.transfers, "carried_items": CARRIED},
        "unit": "ms",
        **result,
        "run_s": round(time.perf_counter() - start, 1),
    }
    return finish("handoff_latency", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
