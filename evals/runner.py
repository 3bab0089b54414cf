"""Run a suite: every chosen scenario k times, in parallel, graded, written as JSON (and HTML).

Trials are ordered trial-major (every scenario's first trial, then every second...), so a run cut
short still has pass^1 over the whole suite. ``results.json`` is rewritten after every finished trial.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from livekit.agents import llm

from worker.report import percentile
from worker.settings import Settings

from .callers import Caller
from .passk import curve, suite_curve
from .scenario import Scenario
from .trial import TrialSetup, run_trial


@dataclass(frozen=True)
class SuiteOptions:
    """A suite run (see ``python -m evals run --help``).

    Attributes:
        scenarios: The scenarios to play.
        k: Trials per scenario.
        parallel: Trials running at once.
        desk_llm / desk_label: Builds the desk's model per trial, and its label.
        caller / caller_label: Builds the caller per trial, and its label.
        judge_llm: Builds the judge model, or ``None``.
        settings: Worker settings.
        out_dir: Where ``results.json``, ``report.html`` and each trial's folder go.
        turn_timeout_s: Seconds allowed per caller turn.
        command: The command line, for the report.
    """

    scenarios: list[Scenario]
    k: int
    parallel: int
    desk_llm: Callable[[], llm.LLM]
    desk_label: str
    caller: Callable[[Scenario], Caller]
    caller_label: str
    judge_llm: Callable[[], llm.LLM] | None
    settings: Settings
    out_dir: Path
    turn_timeout_s: float
    command: str


def machine() -> dict[str, Any]:
    """CPU model, cores, Python and livekit-agents versions: printed beside every figure."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "livekit_agents": metadata.version("livekit-agents"),
    }


def finished_trials(previous: dict[str, Any], scenarios: list[Scenario], k: int) -> dict[str, list[dict[str, Any]]]:
    """The trials of an earlier ``results.json`` that a resumed run keeps.

    A trial is kept only if its scenario file is unchanged (same digest) and its number is at most ``k``.

    Args:
        previous: The earlier results.
        scenarios: The scenarios of this run.
        k: Trials per scenario of this run.

    Returns:
        Scenario id → kept trial entries.
    """
    digests = {s.id: s.digest for s in scenarios}
    kept: dict[str, list[dict[str, Any]]] = {}
    for entry in previous.get("scenarios", []):
        if entry.get("id") in digests and entry.get("digest") == digests[entry["id"]]:
            kept[entry["id"]] = [t for t in entry.get("trials", []) if int(t["trial"]) <= k]
    return kept


async def run_suite(
    opts: SuiteOptions,
    *,
    on_trial: Callable[[str, dict[str, Any]], None] | None = None,
    done: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Play every trial and return the results (the shape of ``results.json``, written as it goes).

    Args:
        opts: The suite.
        on_trial: Called with ``(scenario id, trial entry)`` as each trial finishes (progress output).
        done: Trials already played (``--resume``, from :func:`finished_trials`); they are not played again.
    """
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    trials: dict[str, list[dict[str, Any]]] = {s.id: list((done or {}).get(s.id, [])) for s in opts.scenarios}
    gate = asyncio.Semaphore(max(1, opts.parallel))
    opts.out_dir.mkdir(parents=True, exist_ok=True)

    def results(finished: bool) -> dict[str, Any]:
        return build_results(opts, trials, started=started, wall_s=time.monotonic() - t0, finished=finished)

    async def one(scenario: Scenario, number: int) -> None:
        async with gate:
            setup = TrialSetup(
                scenario=scenario,
                trial=number,
                desk_llm=opts.desk_llm,
                desk_label=opts.desk_label,
                caller=opts.caller,
                settings=opts.settings,
                out_dir=opts.out_dir / scenario.id / f"trial-{number}",
                turn_timeout_s=opts.turn_timeout_s,
                judge_llm=opts.judge_llm,
            )
            try:
                entry = await run_trial(setup)
            except Exception as exc:  # a crash of one trial fails that trial, never the suite
                entry = crashed_trial(number, exc)
            trials[scenario.id].append(entry)
            trials[scenario.id].sort(key=lambda t: int(t["trial"]))
            write_json(opts.out_dir / "results.json", results(finished=False))
            if on_trial is not None:
                on_trial(scenario.id, entry)

    jobs = [
        one(s, n)
        for n in range(1, opts.k + 1)
        for s in opts.scenarios
        if all(int(t["trial"]) != n for t in trials[s.id])
    ]
    await asyncio.gather(*jobs)
    final = results(finished=True)
    write_json(opts.out_dir / "results.json", final)
    return final


def crashed_trial(number: int, exc: BaseException) -> dict[str, Any]:
    """The entry of a trial whose call could not run at all."""
    why = f"{type(exc).__name__}: {str(exc)[:300]}"
    return {
        "trial": number,
        "passed": False,
        "wall_s": 0.0,
        "error": why,
        "checks": [{"what": "call completed", "expected": "yes", "seen": why, "ok": False}],
        "measures": {
            "agents_visited": [],
            "right_agent": False,
            "hops": 0,
            "actions_before_verification": 0,
            "actions_before_verification_tools": [],
            "disclosure_verbatim": None,
            "transfers_refused": 0,
            "judge": None,
        },
        "transcript": [],
        "tool_calls": [],
        "db_diff": {},
        "turns": [],
        "report_path": None,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically (a reader never sees half a file)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def _latency(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 50), 3),
        "p90": round(percentile(values, 90), 3),
        "p99": round(percentile(values, 99), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def build_results(
    opts: SuiteOptions,
    trials: dict[str, list[dict[str, Any]]],
    *,
    started: dt.datetime,
    wall_s: float,
    finished: bool,
) -> dict[str, Any]:
    """Aggregate the finished trials into the results JSON (per scenario and for the suite)."""
    scenarios = []
    counts: list[tuple[int, int]] = []
    code: list[float] = []
    by_llm: list[float] = []
    all_trials: list[dict[str, Any]] = []
    by_agent: dict[str, list[tuple[int, int]]] = {}
    for s in opts.scenarios:
        done = trials[s.id]
        n, c = len(done), sum(1 for t in done if t["passed"])
        if n:
            counts.append((n, c))
            by_agent.setdefault(s.agent, []).append((n, c))
        all_trials.extend(done)
        for t in done:
            for turn in t["turns"]:
                latency = turn.get("response_latency_s")
                if latency is not None:
                    (code if turn.get("by_code") else by_llm).append(float(latency))
        scenarios.append(
            {
                "id": s.id,
                "title": s.title,
                "agent": s.agent,
                "mode": s.mode,
                "goal": s.goal,
                "digest": s.digest,
                "n": n,
                "passes": c,
                "pass_hat_k": curve(n, c) if n else {},
                "trials": done,
            }
        )
    measures = [t["measures"] for t in all_trials]
    judged = [m.get("judge") for m in measures if m.get("judge")]
    verbatim = [m["disclosure_verbatim"] for m in measures if m.get("disclosure_verbatim") is not None]
    return {
        "suite": {
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds") if finished else None,
            "finished": finished,
            "wall_s": round(wall_s, 1),
            "desk_llm": opts.desk_label,
            "caller": opts.caller_label,
            "k": opts.k,
            "scenarios_total": len(opts.scenarios),
            "machine": machine(),
            "command": opts.command,
        },
        "summary": {
            "trials": len(all_trials),
            "passed": sum(1 for t in all_trials if t["passed"]),
            "pass_hat_k": suite_curve(counts),
            "measures": {
                "right_agent_rate": _rate([bool(m["right_agent"]) for m in measures]),
                "mean_hops": round(statistics.fmean(m["hops"] for m in measures), 2) if measures else None,
                "actions_before_verification": sum(int(m["actions_before_verification"]) for m in measures),
                "disclosure_verbatim_rate": _rate([bool(v) for v in verbatim]),
                "transfers_refused": sum(int(m["transfers_refused"]) for m in measures),
                "judge": {
                    key: sum(1 for j in judged if j["verdict"] == verdict)
                    for key, verdict in (("passed", "pass"), ("failed", "fail"), ("not_run", "not_run"))
                },
            },
            "latency_s": {"code": _latency(code), "llm": _latency(by_llm)},
            "by_agent": {
                agent: {"scenarios": len(cs), "pass_hat_1": suite_curve(cs).get("1")}
                for agent, cs in sorted(by_agent.items())
            },
        },
        "scenarios": scenarios,
    }


def _rate(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def print_summary(results: dict[str, Any], *, out: Any = sys.stdout) -> None:
    """The console summary: one line per scenario, then the suite's figures and the verdict."""
    for s in results["scenarios"]:
        mark = "PASS" if s["n"] and s["passes"] == s["n"] else "FAIL"
        first_fail = next((t for t in s["trials"] if not t["passed"]), None)
        why = ""
        if first_fail is not None:
            failed = [c for c in first_fail["checks"] if not c["ok"]]
            if failed:
                why = f"  ({failed[0]['what']}: expected {failed[0]['expected']!r}, seen {failed[0]['seen']!r})"
        print(f"  {mark} {s['id']:<34} {s['passes']}/{s['n']}  [{s['agent']}]{why}", file=out)
    summary = results["summary"]
    m = summary["measures"]
    curve_text = "  ".join(f"pass^{k}={v:.2f}" for k, v in summary["pass_hat_k"].items())
    print(f"\n  trials passed: {summary['passed']}/{summary['trials']}   {curve_text}", file=out)
    print(
        f"  actions before verification: {m['actions_before_verification']}   right agent: {m['right_agent_rate']}   "
        f"disclosure verbatim: {m['disclosure_verbatim_rate']}   transfers refused: {m['transfers_refused']}   "
        f"judge: {m['judge']}",
        file=out,
    )
    for kind, lat in summary["latency_s"].items():
        if lat.get("count"):
            print(f"  {kind} turns: n={lat['count']} p50={lat['p50']}s p90={lat['p90']}s", file=out)
