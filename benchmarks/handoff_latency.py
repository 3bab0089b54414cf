"""Handoff overhead: transfer tool call → the next agent's first LLM request, scripted LLM.

Runs a verified caller through N transfers (a round trip over all 14 agents, repeated) in the
real AgentSession with a scripted LLM of zero latency, so the figure is the framework's and the
coordinator's own cost: validating, summarising, copying and redacting the chat context,
constructing the next agent, the activity switch and its greeting request.

    python -m benchmarks.handoff_latency [--rounds 5] [--history 0]

``--history`` adds that many caller/agent exchanges before each transfer (a longer chat context
to copy and redact).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from agents import AGENTS
from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM, offline_call

ORDER = [k for k in AGENTS if k != "authentication"]


async def run(rounds: int, history: int) -> list[float]:
    llm = ScriptedLLM([Reply.say("Hello.")])
    latencies: list[float] = []
    async with offline_call(llm=llm, start_agent=ORDER[0], verified_as=AVA, max_transfers=10_000) as call:
        current = ORDER[0]
        for n in range(rounds * (len(ORDER) - 1)):
            for h in range(history):
                llm.push(Reply.say(f"Sure, here is answer {h} about your order ORD-100101."))
                await call.say(f"question {h}: my card ends 7702, what about my order?")
            # step two ahead so no A→B→A pattern arises (len(ORDER) is odd: 13)
            target = ORDER[(ORDER.index(current) + 2) % len(ORDER)]
            llm.push(Reply.transfer(target, "benchmark"), Reply.say("Hi, how can I help?"))
            await call.say(f"transfer {n}")
            record = call.userdata.transfers[-1]
            assert record.to_agent == target and record.handoff_latency_s is not None
            latencies.append(record.handoff_latency_s)
            current = target
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--history", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    lat = sorted(asyncio.run(run(args.rounds, args.history)))
    ms = [x * 1000 for x in lat]
    p95 = ms[int(0.95 * (len(ms) - 1))]
    print(
        f"handoffs: {len(ms)} (history {args.history} exchanges before each), wall {time.perf_counter() - start:.1f}s"
    )
    print(f"handoff overhead ms: median {statistics.median(ms):.2f}  p95 {p95:.2f}  max {ms[-1]:.2f}  min {ms[0]:.2f}")


if __name__ == "__main__":
    main()
