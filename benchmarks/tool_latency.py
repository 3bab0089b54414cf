"""Tool latency per tool: in the session vs the raw services-layer call, on SQLite and PostgreSQL.

    python -m benchmarks.tool_latency                                   # SQLite (+ PostgreSQL if TEST_POSTGRES_URL)
    python -m benchmarks.tool_latency --postgres-url postgresql+asyncpg://user:pw@127.0.0.1:5432/db
    python -m benchmarks.tool_latency --session-reps 3 --raw-reps 5 --out /tmp/t.json     # smoke

Writes ``runs/bench/tool_latency.json`` (``--out``) and prints a table. A throwaway PostgreSQL:
``bash scripts/postgres.sh start DIR`` prints its URL, ``bash scripts/postgres.sh stop DIR`` removes it.

Eleven tools, a read or a write proposal of every desk that serves a verified caller's data or the
catalogue (see :data:`CASES`). For each tool and database:

* ``session`` — a verified caller (Ava) at the tool's agent in the real ``AgentSession``
  (:func:`worker.testing.offline_call`), the zero-latency scripted model calling the tool; the time from
  the model's ``FunctionCall`` item to its ``FunctionCallOutput`` item (their ``created_at``): LiveKit's
  argument parsing, the tool's own code (reference resolution, verification checks, read-back, sentence)
  and its service calls.
* ``raw`` — the same service call(s) on :func:`services.open_services` directly, no session and no tool.

The two are interleaved (each round: a tool's raw calls, then its session call) so the drift of a shared
machine hits both alike; the first round warms up and is not counted.

The ratio session/raw is the tool layer's cost over the database's. Write proposals (``add_to_cart``,
``check_return_eligibility`` when eligible) only read back; the caller's "no" voids them, so nothing is
written and every repetition sees the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, Headline, finish, machine, quiet_logs, ratio, summary

DEFAULT_OUT = BENCH_DIR / "tool_latency.json"
SMOKE_ARGS = ["--session-reps", "3", "--raw-reps", "5", "--tools", "track_order,search_books,add_to_cart"]
"""Tiny sizes for the CI smoke run (a few seconds)."""

Raw = Callable[[Any, str], Awaitable[object]]
"""A raw service call: ``(services, customer_id) -> result``."""


@dataclass(frozen=True)
class Case:
    """One tool to measure.

    Attributes:
        agent: Registry key of the agent that has the tool.
        tool: The tool's name.
        arguments: What the scripted model passes.
        caller: What the caller says in the turn (it grounds the values the model passes).
        raw: The service call(s) the tool makes, called directly.
        proposes: The tool reads a write back and holds it pending (the caller's "no" voids it).
    """

    agent: str
    tool: str
    arguments: dict[str, Any]
    caller: str
    raw: Raw
    proposes: bool = False


async def _add_to_cart_raw(s: Any, who: str) -> object:
    variant = await s.catalog.variant("ELC-3005")
    return await s.cart.check_add(who, variant.id, 1)


CASES: tuple[Case, ...] = (
    Case(
        "order_tracking",
        "list_orders",
        {},
        "What are my recent orders?",
        lambda s, who: s.orders.list_orders(who, limit=5),
    ),
    Case(
        "order_tracking",
        "track_order",
        {"order_number": "ORD-100102"},
        "Where is my order ORD-100102?",
        lambda s, who: s.orders.get_order(who, "ORD-100102"),
    ),
    Case(
        "returns",
        "check_return_eligibility",
        {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"},
        "Can I return the jacket from order ORD-100101? It's unused, it does not fit.",
        lambda s, who: s.returns.check_eligibility(who, "ORD-100101", sku=None, condition="unused"),
        proposes=True,
    ),
    Case(
        "books",
        "search_books",
        {"query": "mystery novel"},
        "I'm looking for a mystery novel.",
        lambda s, who: s.catalog.search("books", "mystery novel", limit=5, max_price_cents=None),
    ),
    Case(
        "sales",
        "search_products",
        {"query": "rain jacket"},
        "Do you have rain jackets?",
        lambda s, who: s.catalog.search(None, "rain jacket", limit=5, max_price_cents=None),
    ),
    Case(
        "sales",
        "add_to_cart",
        {"product": "ELC-3005"},
        "Please add the Voltline 20 W USB-C charger ELC-3005 to my cart.",
        _add_to_cart_raw,
        proposes=True,
    ),
    Case(
        "promotions",
        "get_current_promotions",
        {},
        "What deals are on today?",
        lambda s, who: s.promotions.current_promotions(None),
    ),
    Case(
        "seller_management",
        "lookup_seller",
        {"seller": "Lakeside Home Goods"},
        "Tell me about the seller Lakeside Home Goods.",
        lambda s, who: s.sellers.find_seller("Lakeside Home Goods", customer_id=who),
    ),
    Case(
        "security",
        "verify_transaction",
        {},
        "Can you read me my recent card charges?",
        lambda s, who: s.account_security.recent_charges(who),
    ),
    Case(
        "personalization",
        "get_recommendations",
        {},
        "What would you recommend for me?",
        lambda s, who: s.personalization.recommendations(who, category=None, limit=3),
    ),
    Case(
        "advanced_features",
        "check_price_drops",
        {},
        "Have any of my price alerts dropped?",
        lambda s, who: s.features.price_alerts(who),
    ),
)


@dataclass
class Timings:
    """Per-tool samples (seconds) and errors of one database."""

    session: dict[str, list[float]] = field(default_factory=dict)
    raw: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _tool_times(items: list[Any], tool: str) -> tuple[list[float], list[str]]:
    """``FunctionCall`` → ``FunctionCallOutput`` seconds of ``tool`` among a turn's items, and errors."""
    calls = {i.call_id: i for i in items if i.type == "function_call" and i.name == tool}
    times, errors = [], []
    for out in (i for i in items if i.type == "function_call_output" and i.name == tool):
        call = calls.get(out.call_id)
        if call is None:
            errors.append(f"{tool}: output without its call")
        elif out.is_error:
            errors.append(f"{tool}: tool error: {str(out.output)[:160]}")
        else:
            times.append(out.created_at - call.created_at)
    if not calls:
        errors.append(f"{tool}: the tool was not called")
    return times, errors


async def _session_turn(call: Any, llm: Any, case: Case, timings: Timings, *, keep: bool) -> bool:
    """One caller turn in which the model calls ``case.tool``; False when the script went off track."""
    from worker.testing import Reply

    llm.push(Reply.call(case.tool, **case.arguments))
    if not case.proposes:
        llm.push(Reply.say("Here is what I found."))
    result = await call.say(case.caller)
    times, errors = _tool_times(result.items, case.tool)
    timings.errors += [f"session {case.agent}: {e}" for e in errors]
    if keep:
        timings.session.setdefault(case.tool, []).extend(times)
    if case.proposes:
        if call.userdata.pending is None:
            timings.errors.append(f"session {case.tool}: no write was proposed")
        await call.say("No, thanks.")  # code voids the read-back: nothing is written
    if llm.pending:
        timings.errors.append(f"session {case.tool}: {llm.pending} scripted reply(ies) unused")
        return False
    return True


async def _raw_calls(services: Any, case: Case, count: int, timings: Timings, *, keep: bool) -> bool:
    """``count`` direct service calls of ``case``; False after a failed one."""
    from services.demo_data import AVA

    samples = timings.raw.setdefault(case.tool, [])
    for _ in range(count):
        t0 = time.perf_counter()
        try:
            await case.raw(services, AVA.id)
        except Exception as exc:  # a failed call is an error of the run, not a crash
            timings.errors.append(f"raw {case.tool}: {type(exc).__name__}: {exc}"[:200])
            return False
        if keep:
            samples.append(time.perf_counter() - t0)
    return True


async def measure(url: str, cases: list[Case], session_reps: int, raw_reps: int) -> Timings:
    """Both measurements on the database at ``url`` (seeded on first use), interleaved.

    One call per agent stays open (a verified caller at that agent); each round calls every tool once in
    its session and ``ceil(raw_reps / session_reps)`` times directly, so the machine's drift hits both
    alike. The first round warms up and is not counted.
    """
    from services import Clock, open_services
    from services.demo_data import AVA
    from worker.testing import FIXED_NOW, TEST_SALT, Reply, ScriptedLLM, offline_call

    timings = Timings()
    per_round = max(1, math.ceil(raw_reps / session_reps))
    services = await open_services(url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    try:
        async with contextlib.AsyncExitStack() as stack:
            calls: dict[str, tuple[Any, Any]] = {}
            for agent in dict.fromkeys(c.agent for c in cases):
                llm = ScriptedLLM(
                    [Reply.say("Hello, how can I help?")], fallback_text="Alright. Anything else I can help you with?"
                )
                call = await stack.enter_async_context(
                    offline_call(llm=llm, start_agent=agent, verified_as=AVA, database_url=url)
                )
                calls[agent] = (call, llm)
            for n in range(session_reps + 1):
                for case in cases:
                    call, llm = calls[case.agent]
                    ok = await _raw_calls(services, case, per_round, timings, keep=n > 0)
                    if not (ok and await _session_turn(call, llm, case, timings, keep=n > 0)):
                        return timings
    finally:
        await services.close()
    return timings


def figures(db: str, cases: list[Case], t: Timings) -> tuple[dict[str, Any], list[Headline]]:
    """Per-tool summaries and the headline rows (p50 per tool, session vs raw)."""
    tools: dict[str, Any] = {}
    headline = []
    for case in cases:
        s = summary(t.session.get(case.tool, []), scale=1000)
        r = summary(t.raw.get(case.tool, []), scale=1000)
        tools[case.tool] = {
            "agent": case.agent,
            "session_ms": s,
            "raw_ms": r,
            "ratio_p50": ratio(s.get("p50"), r.get("p50")),
            "ratio_p99": ratio(s.get("p99"), r.get("p99")),
        }
        if s.get("n") and r.get("n"):
            headline.append(Headline.of(f"tool {case.tool} p50 ({db})", s["p50"], r["p50"], "ms"))
    return tools, headline


def print_db(db: str, tools: dict[str, Any]) -> None:
    """One table per database: per tool p50/p99 in the session and raw, and the ratio."""
    from benchmarks.common import fmt, table

    rows = []
    for name, f in tools.items():
        s, r = f["session_ms"], f["raw_ms"]
        rows.append(
            [
                name,
                fmt(s.get("p50")),
                fmt(s.get("p99")),
                fmt(r.get("p50")),
                fmt(r.get("p99")),
                "–" if f["ratio_p50"] is None else f"{f['ratio_p50']:.2f}x",
            ]
        )
    print(f"\n{db}:")
    print(table(["tool", "session p50 ms", "p99", "raw p50 ms", "p99", "ratio p50"], rows))


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.tool_latency``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.tool_latency", description=__doc__.split("\n\n")[0])
    p.add_argument("--session-reps", type=int, default=40, help="calls per tool in the session (default 40)")
    p.add_argument(
        "--raw-reps",
        type=int,
        default=200,
        help="direct service calls per tool (default 200; rounded up to a multiple of --session-reps)",
    )
    p.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", ""),
        help="postgresql+asyncpg:// URL of a throwaway database (default: env TEST_POSTGRES_URL; none: not measured)",
    )
    p.add_argument("--tools", default="", help="comma-separated tool names (default: all eleven)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    cases = list(CASES)
    if a.tools:
        wanted = [t.strip() for t in a.tools.split(",") if t.strip()]
        unknown = sorted(set(wanted) - {c.tool for c in CASES})
        if unknown:
            p.error(f"unknown tool(s) {unknown}; known: {', '.join(c.tool for c in CASES)}")
        cases = [c for c in CASES if c.tool in wanted]
    if a.session_reps < 1 or a.raw_reps < 1:
        p.error("--session-reps and --raw-reps must be >= 1")
    quiet_logs()
    start = time.perf_counter()
    report: dict[str, Any] = {
        "benchmark": "tool_latency",
        "machine": machine(),
        "params": {"session_reps": a.session_reps, "raw_reps": a.raw_reps, "tools": [c.tool for c in cases]},
        "unit": "ms",
        "errors": [],
        "headline": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-tools-") as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'marketplace.db'}"
        dbs = [("sqlite", sqlite_url)] + ([("postgres", a.postgres_url)] if a.postgres_url else [])
        for db, url in dbs:
            t = asyncio.run(measure(url, cases, a.session_reps, a.raw_reps))
            tools, headline = figures(db, cases, t)
            report[db] = {"tools": tools}
            report["errors"] += [f"{db}: {e}" for e in t.errors]
            report["headline"] += [h.to_dict() for h in headline]
            print_db(db, tools)
    if not a.postgres_url:
        report["postgres"] = "not measured: no URL"
        print("\npostgres: not measured: no URL (give --postgres-url or set TEST_POSTGRES_URL)")
    report["run_s"] = round(time.perf_counter() - start, 1)
    print()
    return finish("tool_latency", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
