"""Private memory (USS) per job process, idle and in a call: our desk beside bare livekit-agents, same run.

    python -m benchmarks.memory_uss                    # 2 calls per variant, 2 caller turns (~2.5 min on 2 cores)
    python -m benchmarks.memory_uss --size 5 --turns 4 # more processes to average, a longer call
    python -m benchmarks.memory_uss --size 1 --turns 1 --tts-ms-per-char 10 --no-preload --parallel 3  # smoke

Writes ``runs/bench/memory_uss.json`` (``--out``), prints a table and the headline rows (desk, bare
baseline, ratio). Exits 1, saying so, when any call errored.

What runs: the batches of :mod:`benchmarks.load_test` (LiveKit's ``AgentServer`` unregistered, warm job
processes from its forkserver after the worker's prewarm, fake jobs through ``AgentServer.simulate_job``),
one per variant, each with ``--size`` voice calls through the real Silero VAD and ``v1-mini`` end-of-turn
model with fake STT/LLM/TTS:

* ``desk`` — our desk's session (``worker.session.build_session``/``start_call``, SQLite per call);
* ``desk-preload`` — the same with LiveKit's ``preload_modules`` naming the desk (its imports shared with
  the forkserver, copy-on-write; ``--no-preload`` skips it);
* ``bare`` — the baseline: a bare ``AgentSession`` with one plain ``Agent``, same fake providers. Its job
  processes import nothing of the desk.

Figures (psutil ``memory_full_info().uss``: the pages only this process maps, what it would free on exit):

* idle — a warm job process after prewarm, before any call (mean over the batch's processes);
* in a call — the peak sampled every second in the job process from the entrypoint to the session's close
  (mean over the calls);
* growth — in a call minus idle: what a call itself adds;
* import cost — a fresh interpreter after ``import worker.app`` (the desk's server module, which imports the
  agents, tools, services and the four LiveKit plugins) beside one after ``import livekit.agents`` and the
  same four plugins (what any worker on these providers imports), with the import time. In a standalone
  process, USS is nearly everything it maps (``--no-import-cost`` skips it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, ROOT, Headline, finish, machine, table
from benchmarks.load_test import Summary, add_timing_args, report_internal, run_plan, timings_from

DEFAULT_OUT = BENCH_DIR / "memory_uss.json"
SMOKE_ARGS: list[str] = [
    "--size",
    "1",
    "--turns",
    "1",
    "--tts-ms-per-char",
    "10",
    "--no-preload",
    "--parallel",
    "3",
    "--import-repeats",
    "1",
]
"""Tiny sizes for the CI smoke run (about 35 s on 2 cores)."""

PLUGINS = ("silero", "openai", "deepgram", "elevenlabs")
"""The LiveKit plugins the desk's worker registers (``worker.app.PLUGINS``)."""
_IMPORT_PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
import psutil
t = time.perf_counter()
{imports}
elapsed = time.perf_counter() - t
info = psutil.Process().memory_full_info()
print(json.dumps({{"import_s": elapsed, "uss_mb": info.uss / 2**20, "rss_mb": info.rss / 2**20}}))
"""


def import_cost(what: str, *, repeats: int) -> dict[str, float]:
    """USS, RSS (MB) and import time (s) of a fresh interpreter after importing ``what``; the median of
    ``repeats`` runs.

    Args:
        what: ``"desk"`` (``import worker.app``, which registers the plugins as the worker does) or
            ``"livekit"`` (``import livekit.agents`` and the same plugins).
        repeats: Fresh interpreters to run (each one's files are then in the page cache).

    Raises:
        RuntimeError: The probe failed (its stderr in the message).
    """
    plugins = "\n".join(f"import livekit.plugins.{name}" for name in PLUGINS)
    imports = "import worker.app" if what == "desk" else f"import livekit.agents\n{plugins}"
    probe = _IMPORT_PROBE.format(root=str(ROOT), imports=imports)
    runs: list[dict[str, float]] = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"import probe {what!r} failed (exit {proc.returncode}): {proc.stderr[-300:]}")
        runs.append(json.loads(lines[-1]))
    return {key: round(statistics.median(r[key] for r in runs), 2) for key in ("import_s", "uss_mb", "rss_mb")}


def _ok(summaries: list[Summary], variant: str) -> Summary | None:
    return next((s for s in summaries if s.variant == variant and s.ok), None)


def headline(summaries: list[Summary], imports: dict[str, dict[str, float]] | None) -> list[Headline]:
    """Desk beside bare: USS idle, in a call and its growth (and with the desk preloaded); import cost."""
    rows: list[Headline] = []
    bare = _ok(summaries, "bare")
    for variant, label in (("desk", ""), ("desk-preload", ", desk preloaded")):
        desk = _ok(summaries, variant)
        if desk is None or bare is None:
            continue
        rows += [
            Headline.of(f"job USS idle{label}", desk.idle_uss_mb, bare.idle_uss_mb, "MB", digits=1),
            Headline.of(f"job USS in a call (peak){label}", desk.call_uss_mb, bare.call_uss_mb, "MB", digits=1),
            Headline.of(
                f"job USS a call adds{label}",
                desk.call_uss_mb - desk.idle_uss_mb,
                bare.call_uss_mb - bare.idle_uss_mb,
                "MB",
                digits=1,
            ),
        ]
    if imports is not None:
        desk_i, lk_i = imports["desk"], imports["livekit"]
        rows += [
            Headline.of("import USS (worker.app vs livekit)", desk_i["uss_mb"], lk_i["uss_mb"], "MB", digits=1),
            Headline.of("import time (worker.app vs livekit)", desk_i["import_s"], lk_i["import_s"], "s"),
        ]
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the batches and the import probes, print the table, write the JSON. Returns 1 if a call failed."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.memory_uss",
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--size", type=int, default=2, help="calls (job processes) per variant")
    p.add_argument("--no-preload", action="store_true", help="skip the desk-preload variant")
    p.add_argument("--no-import-cost", action="store_true", help="skip the import probes")
    p.add_argument("--import-repeats", type=int, default=3, help="fresh interpreters per import probe (median)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_timing_args(p)
    a = p.parse_args(argv)
    variants = ["desk", "bare"] + ([] if a.no_preload else ["desk-preload"])
    plan = [(v, "voice", a.size) for v in variants]
    info = machine()
    print(f"memory (USS) per job process on {info['cores']} cores ({info['cpu']}), load {info['load_average']}")
    started = time.monotonic()
    errors: list[str] = []
    imports: dict[str, dict[str, float]] | None = None
    if not a.no_import_cost:
        try:
            imports = {what: import_cost(what, repeats=max(1, a.import_repeats)) for what in ("desk", "livekit")}
        except RuntimeError as exc:
            errors.append(str(exc))
    summaries, raw = run_plan(plan, timings_from(a), parallel=a.parallel)
    rows = [
        [s.variant, s.size, s.ok, s.errors, *(f"{m:.1f}" for m in (s.idle_uss_mb, s.call_uss_mb))]
        + [f"{m:.1f}" for m in (s.idle_pss_mb, s.call_pss_mb)]
        for s in summaries
    ]
    print(table(["variant", "N", "ok", "err", "idle USS MB", "call USS MB", "idle PSS MB", "call PSS MB"], rows))
    if imports is not None:
        print(
            table(
                ["import", "USS MB", "RSS MB", "s"],
                [[what, r["uss_mb"], r["rss_mb"], r["import_s"]] for what, r in imports.items()],
            )
        )
    report_internal(summaries)
    print()
    errors += [f"{s.variant} N={s.size}: {sample}" for s in summaries if s.errors for sample in s.error_samples]
    errors += [f"{s.variant} N={s.size}: {s.errors} error(s)" for s in summaries if s.errors]
    report: dict[str, Any] = {
        "name": "memory_uss",
        "machine": info,
        "run_s": round(time.monotonic() - started, 1),
        "config": {k: v for k, v in vars(a).items() if k != "out"},
        "headline": [h.to_dict() for h in headline(summaries, imports)],
        "errors": errors,
        "summary": [asdict(s) for s in summaries],
        "import_cost": imports,
        "batches": raw,
    }
    return finish("memory_uss", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
