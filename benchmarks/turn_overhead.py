"""Code overhead per caller turn: the desk vs a bare ``AgentSession`` with the same scripted model.

    python -m benchmarks.turn_overhead                 # 200 turns of each kind per variant
    python -m benchmarks.turn_overhead --turns 5 --out /tmp/t.json      # smoke

Writes ``runs/bench/turn_overhead.json`` (``--out``) and prints a table.

Both variants run the real ``AgentSession`` in this process, text only, with a zero-latency
:class:`~worker.testing.ScriptedLLM` giving the same replies, on a fresh seeded SQLite file each:

* ``desk`` — :func:`worker.testing.offline_call`: a verified caller (Ava) at the order-tracking agent;
  each turn goes through :func:`agents.turns.send_caller_text` (the desk's code-first turn: the turn
  counted, the pending write and a request for a person checked, the agent's code-led step, then the
  LLM with the speech guard, the output guardrail and the agent's thirteen tool schemas).
* ``baseline`` — a bare ``AgentSession`` with one plain ``Agent`` (the same prompt text, one typed
  ``track_order`` tool calling the same service) and ``session.run(user_input=...)``.

Two kinds of turn, interleaved desk/baseline so the machine's noise hits both alike:

* ``llm`` — the model says one line;
* ``tool`` — the model calls ``track_order`` (a read of the caller's order), then speaks.

The figure is the wall time from the caller's text to the reply done (``RunResult`` finished), per turn:
p50/p99 of each and the difference and ratio desk/baseline. No audio: speech adds the same STT/TTS to both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from livekit.agents import Agent, AgentSession, RunContext, function_tool
from livekit.agents.voice.run_result import RunResult

from benchmarks.common import BENCH_DIR, Headline, finish, machine, quiet_logs, ratio, summary

DEFAULT_OUT = BENCH_DIR / "turn_overhead.json"
SMOKE_ARGS = ["--turns", "5"]
"""Tiny sizes for the CI smoke run (a few seconds)."""

ORDER = "ORD-100102"
LLM_LINE = "Our help desk is open around the clock, every day of the year."
TOOL_LINE = "Your headphones are on their way with FedEx and arrive in two days."
KINDS = ("llm", "tool")


def caller_line(kind: str, n: int) -> str:
    """The caller's words for turn ``n`` of ``kind``."""
    if kind == "llm":
        return f"Question {n}: when is your help desk open?"
    return f"Where is my order {ORDER}? That's question {n}."


class PlainAgent(Agent):
    """The baseline's one plain agent: the order-tracking prompt and a typed ``track_order`` tool."""

    def __init__(self, instructions: str, services: Any, customer_id: str) -> None:
        super().__init__(instructions=instructions)
        self._services = services
        self._customer_id = customer_id

    @function_tool
    async def track_order(self, context: RunContext[None], order_number: str) -> str:
        """Where one of the caller's orders is and when it arrives.

        Args:
            order_number: The order number, e.g. "ORD-104233".
        """
        o = await self._services.orders.get_order(self._customer_id, order_number)
        return f"Order {o.id} is {o.status.replace('_', ' ')}."


@contextlib.asynccontextmanager
async def baseline_session(llm: Any) -> AsyncIterator[AgentSession[None]]:
    """A started bare session with :class:`PlainAgent` on its own seeded SQLite file."""
    from agents.registry import AGENTS
    from services import Clock, open_services
    from services.demo_data import AVA
    from worker.testing import FIXED_NOW, TEST_SALT

    instructions = AGENTS["order_tracking"]().instructions
    text = instructions if isinstance(instructions, str) else instructions.render()
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'marketplace.db'}"
        services = await open_services(url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
        try:
            async with AgentSession[None](
                llm=llm, turn_handling={"turn_detection": "manual"}, user_away_timeout=None
            ) as session:
                await session.start(PlainAgent(text, services, AVA.id), record=False)
                yield session
        finally:
            await services.close()


async def measure(turns: int) -> dict[str, Any]:
    """``turns`` turns of each kind per variant, interleaved; returns the report's figures."""
    from services.demo_data import AVA
    from worker.testing import Reply, ScriptedLLM, offline_call

    times: dict[str, dict[str, list[float]]] = {v: {k: [] for k in KINDS} for v in ("desk", "baseline")}
    errors: list[str] = []
    desk_llm = ScriptedLLM([Reply.say("Hello, this is order tracking. How can I help?")])
    base_llm = ScriptedLLM()

    def replies(kind: str) -> list[Reply]:
        if kind == "llm":
            return [Reply.say(LLM_LINE)]
        return [Reply.call("track_order", order_number=ORDER), Reply.say(TOOL_LINE)]

    async with (
        offline_call(llm=desk_llm, start_agent="order_tracking", verified_as=AVA) as call,
        baseline_session(base_llm) as bare,
    ):
        warmup = 2
        for n in range(turns + warmup):
            for kind in KINDS:
                text = caller_line(kind, n)
                # desk
                before = len(desk_llm.requests)
                desk_llm.push(*replies(kind))
                t0 = time.perf_counter()
                result = await call.say(text)
                elapsed = time.perf_counter() - t0
                made = len(desk_llm.requests) - before
                problem = _check(kind, made, result.tool_outputs(), result.spoken())
                if problem:
                    errors.append(f"desk {kind} turn {n}: {problem}")
                elif n >= warmup:
                    times["desk"][kind].append(elapsed)
                # baseline
                before = len(base_llm.requests)
                base_llm.push(*replies(kind))
                t0 = time.perf_counter()
                run: RunResult[Any] = await bare.run(user_input=text)
                elapsed = time.perf_counter() - t0
                made = len(base_llm.requests) - before
                outputs = [
                    (e.item.name, e.item.output, e.item.is_error)
                    for e in run.events
                    if e.type == "function_call_output"
                ]
                spoken = [e.item.text_content or "" for e in run.events if e.type == "message"]
                problem = _check(kind, made, outputs, spoken)
                if problem:
                    errors.append(f"baseline {kind} turn {n}: {problem}")
                elif n >= warmup:
                    times["baseline"][kind].append(elapsed)
                if len(errors) > 10:
                    break
        for name, model in (("desk", desk_llm), ("baseline", base_llm)):
            if model.unscripted:
                errors.append(f"{name}: {model.unscripted} unscripted LLM request(s)")
    figures: dict[str, Any] = {}
    headline: list[Headline] = []
    for kind in KINDS:
        d = summary(times["desk"][kind], scale=1000)
        b = summary(times["baseline"][kind], scale=1000)
        figures[kind] = {
            "desk_ms": d,
            "baseline_ms": b,
            "diff_p50_ms": None if not (d.get("n") and b.get("n")) else round(d["p50"] - b["p50"], 3),
            "ratio_p50": ratio(d.get("p50"), b.get("p50")),
            "ratio_p99": ratio(d.get("p99"), b.get("p99")),
        }
        if d.get("n") and b.get("n"):
            headline.append(Headline.of(f"turn ({kind}) p50", d["p50"], b["p50"], "ms"))
            headline.append(Headline.of(f"turn ({kind}) p99", d["p99"], b["p99"], "ms"))
            print(
                f"{kind:>4} turn: desk p50 {d['p50']:.2f} ms p99 {d['p99']:.2f} | baseline p50 {b['p50']:.2f} "
                f"p99 {b['p99']:.2f} | +{d['p50'] - b['p50']:.2f} ms, {ratio(d['p50'], b['p50'])}x",
                flush=True,
            )
    return {"turns": figures, "errors": errors, "headline": [h.to_dict() for h in headline]}


def _check(kind: str, made: int, outputs: list[tuple[str, str, bool]], spoken: list[str]) -> str | None:
    """What went wrong with a turn (``None`` when it went as scripted)."""
    expected = 1 if kind == "llm" else 2
    if made != expected:
        return f"{made} LLM request(s), expected {expected}"
    if kind == "tool" and (len(outputs) != 1 or outputs[0][2]):
        return f"tool outputs {outputs}"
    if not any(spoken):
        return "nothing was said"
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.turn_overhead``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.turn_overhead", description=__doc__.split("\n\n")[0])
    p.add_argument("--turns", type=int, default=200, help="measured turns of each kind per variant (default 200)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    if a.turns < 1:
        p.error("--turns must be >= 1")
    quiet_logs()
    start = time.perf_counter()
    result = asyncio.run(measure(a.turns))
    report = {
        "benchmark": "turn_overhead",
        "machine": machine(),
        "params": {"turns": a.turns, "agent": "order_tracking", "tool": "track_order"},
        "unit": "ms",
        **result,
        "run_s": round(time.perf_counter() - start, 1),
    }
    return finish("turn_overhead", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
