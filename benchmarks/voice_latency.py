"""Offline voice latency per turn: code-led turns vs LLM turns of the bundled recording.

    python -m benchmarks.voice_latency                  # the whole call: 12 caller turns (~5 min on 2 cores)
    python -m benchmarks.voice_latency --turns 2 --out /tmp/v.json      # smoke: one LLM and one code turn

Writes ``runs/bench/voice_latency.json`` (``--out``) and prints a table.

The bundled recording ``samples/calls/return_jacket`` (Ava returns her jacket; one WAV per caller turn,
played in real time after the agent's reply) runs through the offline voice pipeline of
``python -m worker simulate --llm scripted`` (:func:`worker.offline.simulate.run_simulation`): the real
Silero VAD, LiveKit's ``v1-mini`` end-of-turn model with the local profile's endpointing, Whisper STT,
Piper TTS, the desk's agents and a fresh seeded SQLite file, with the scenario's scripted model replies
(:data:`worker.offline.scenarios.SCRIPTED` ``["return_jacket"]``, zero time to first token).

Per caller turn: the response latency, end of the caller's audio → the agent's first audio
(``TurnTiming.response_latency_s``), split by who answered (``TurnTiming.by_code``): code-led turns
(verification, read-backs, the offer answer: templates spoken with ``session.say``, no LLM request)
and LLM turns. Both share the same STT and TTS, whose floor cannot be separated here, so the figure is
the two side by side and the ratio LLM/code: what the model's turn costs over code's even with a model
that answers instantly (endpointing waits longer while digits are due, which makes some code turns slow).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, ROOT, Headline, finish, machine, quiet_logs, ratio, summary

DEFAULT_OUT = BENCH_DIR / "voice_latency.json"
CALL_DIR = ROOT / "samples" / "calls" / "return_jacket"
SMOKE_ARGS = ["--turns", "2"]
"""Tiny sizes for the CI smoke run: the first two caller turns (an LLM turn and a code-led one)."""


async def run_call(turns: int, out: Path, turn_timeout_s: float) -> dict[str, Any]:
    """The first ``turns`` caller turns of the recording through the offline pipeline; the call report."""
    from worker.offline.simulate import SimOptions, run_simulation
    from worker.settings import Settings
    from worker.testing import TEST_SALT

    wavs = sorted(CALL_DIR.glob("*.wav"))[:turns]
    opts = SimOptions(
        audio=wavs,
        text_lines=None,
        llm="scripted",
        scenario=None,
        out=out,
        database_url=None,
        start_agent="authentication",
        turn_timeout_s=turn_timeout_s,
    )
    settings = Settings(_env_file=None, provider_profile="local", secret_salt=TEST_SALT)
    return await run_simulation(opts, settings)


def analyse(report: dict[str, Any]) -> dict[str, Any]:
    """Per-turn latencies split by code/LLM, their summaries, errors and headline rows."""
    turns: list[dict[str, Any]] = report.get("turns", [])
    errors = []
    code: list[float] = []
    llm: list[float] = []
    rows = []
    for t in turns:
        latency = t.get("response_latency_s")
        rows.append(
            {
                "caller_input": t.get("caller_input"),
                "by": "code" if t.get("by_code") else "llm",
                "latency_s": latency,
                "timed_out": t.get("timed_out"),
            }
        )
        if t.get("timed_out"):
            errors.append(f"turn {t.get('caller_input')} timed out")
        elif latency is None:
            errors.append(f"turn {t.get('caller_input')}: the agent never spoke after the caller")
        else:
            (code if t.get("by_code") else llm).append(float(latency))
    c, m = summary(code), summary(llm)
    headline = []
    if c.get("n") and m.get("n"):
        # "desk" column: the LLM turns; "baseline": code-led turns of the same call (ratio LLM/code).
        headline.append(Headline.of("voice turn p50, LLM vs code-led", m["p50"], c["p50"], "s"))
        headline.append(Headline.of("voice turn p90, LLM vs code-led", m["p90"], c["p90"], "s"))
    elif turns:
        errors.append(f"need both kinds of turn: {len(code)} code-led, {len(llm)} LLM")
    return {
        "turns": rows,
        "code_s": c,
        "llm_s": m,
        "ratio_p50_llm_code": ratio(m.get("p50"), c.get("p50")),
        "ratio_p90_llm_code": ratio(m.get("p90"), c.get("p90")),
        "errors": errors,
        "headline": [h.to_dict() for h in headline],
    }


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.voice_latency``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.voice_latency", description=__doc__.split("\n\n")[0])
    p.add_argument("--turns", type=int, default=12, help="caller turns of the recording to play (default all 12)")
    p.add_argument("--turn-timeout", type=float, default=120.0, help="seconds allowed per turn (default 120)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--keep", type=Path, help="keep the call's report.json, transcript and agent.wav in this folder")
    a = p.parse_args(argv)
    available = len(list(CALL_DIR.glob("*.wav")))
    if not 1 <= a.turns <= available:
        p.error(f"--turns must be 1..{available}")
    quiet_logs()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        call_dir = a.keep or Path(tmp) / "call"
        try:
            call = asyncio.run(run_call(a.turns, call_dir, a.turn_timeout))
            result = analyse(call)
        except Exception as exc:  # the pipeline failed: an honest failed run, not a traceback only
            result = {"errors": [f"the call failed: {type(exc).__name__}: {exc}"[:300]], "headline": []}
    report = {
        "benchmark": "voice_latency",
        "machine": machine(),
        "params": {"recording": str(CALL_DIR.relative_to(ROOT)), "turns": a.turns, "llm": "scripted"},
        "unit": "s",
        **result,
        "run_s": round(time.perf_counter() - start, 1),
    }
    for r in result.get("turns", []):
        latency = "n/a" if r["latency_s"] is None else f"{r['latency_s']:.2f} s"
        print(f"  {r['caller_input']}: {r['by']:>4} {latency}")
    return finish("voice_latency", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
