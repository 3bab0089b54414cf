"""``python -m benchmarks``: run the benchmarks and print one table of the desk's figures beside their baselines.

    python -m benchmarks                      # every benchmark at its default sizes (~20 min on 2 cores)
    python -m benchmarks --smoke              # every benchmark at tiny sizes (the CI smoke run, ~2-3 min)
    python -m benchmarks --only handoff,turn  # a selection (default sizes; with --smoke, tiny)
    python -m benchmarks NAME [ARGS...]       # one benchmark with its own arguments, e.g.
    python -m benchmarks handoff --history 0,6 --transfers 20
    python -m benchmarks --list               # the names

Names: ``handoff`` (:mod:`benchmarks.handoff_latency`), ``turn`` (:mod:`benchmarks.turn_overhead`),
``tools`` (:mod:`benchmarks.tool_latency`), ``voice`` (:mod:`benchmarks.voice_latency`), ``speech``
(:mod:`benchmarks.speech_speed`: Whisper and Piper against real time), ``scan`` (:mod:`benchmarks.text_scan`:
redaction and the caller-text parsers on hostile input), ``memory`` (:mod:`benchmarks.memory_uss`),
``load`` (:mod:`benchmarks.load_test`, voice and text modes) and ``load_voice`` (the load test's voice
batches only; by name, not part of the full run).

The full and smoke runs start each benchmark in its own process (a failure or a leak of one does not
touch the next; the memory figures see a fresh interpreter), write each one's JSON into ``--out-dir``
(default ``runs/bench``; ``runs/bench/smoke`` for ``--smoke``), then read the ``"headline"`` rows of every
JSON and print them as one table (figure, desk, baseline, ratio), also written to ``summary.json``. Exits 1
when any benchmark failed or reported errors, naming them.

A benchmark module exposes ``main(argv) -> int``, ``SMOKE_ARGS`` (its tiny sizes) and an ``--out`` option,
and writes JSON with ``"headline"`` and ``"errors"`` lists (:mod:`benchmarks.common`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import BENCH_DIR, ROOT, headline_table, machine, table, write_json


@dataclass(frozen=True)
class Entry:
    """A registered benchmark.

    Attributes:
        name: The name on the command line.
        module: The module that runs it.
        args: Arguments always passed (e.g. a mode flag); ``None`` to read ``args_attr`` from the module.
        args_attr: Module attribute holding those arguments when ``args`` is ``None``.
        in_full_run: Part of ``python -m benchmarks`` and ``--smoke``.
    """

    name: str
    module: str
    args: tuple[str, ...] | None = ()
    args_attr: str = ""
    in_full_run: bool = True


REGISTRY: tuple[Entry, ...] = (
    Entry("handoff", "benchmarks.handoff_latency"),
    Entry("turn", "benchmarks.turn_overhead"),
    Entry("tools", "benchmarks.tool_latency"),
    Entry("voice", "benchmarks.voice_latency"),
    Entry("speech", "benchmarks.speech_speed"),
    Entry("scan", "benchmarks.text_scan"),
    Entry("memory", "benchmarks.memory_uss"),
    Entry("load", "benchmarks.load_test"),
    Entry("load_voice", "benchmarks.load_test", None, "VOICE_ARGS", in_full_run=False),
)
"""Every benchmark, in the order of the full run."""

DEFAULT_SMOKE_ARGS: dict[str, list[str]] = {
    "benchmarks.memory_uss": [],
    "benchmarks.load_test": ["--sizes", "1", "--text-sizes", "1", "--turns", "1", "--tts-ms-per-char", "10"],
}
"""Tiny sizes for a module that defines no ``SMOKE_ARGS`` (from its docstring's smoke line)."""
LOAD_VOICE_ARGS = ["--text-sizes", ""]
"""The load test's voice batches only, when the module names no ``VOICE_ARGS``."""


def entry(name: str) -> Entry:
    """The registered benchmark ``name``.

    Raises:
        KeyError: no such benchmark.
    """
    for e in REGISTRY:
        if e.name == name:
            return e
    raise KeyError(name)


def load(e: Entry) -> ModuleType:
    """Import the benchmark's module (lazily: a missing one fails only when it is run)."""
    return importlib.import_module(e.module)


def fixed_args(e: Entry, module: ModuleType | None) -> list[str]:
    """The arguments the entry always passes."""
    if e.args is not None:
        return list(e.args)
    found = getattr(module, e.args_attr, None) if module is not None else None
    if found is not None:
        return [str(x) for x in found]
    return list(LOAD_VOICE_ARGS) if e.name == "load_voice" else []


def smoke_args(e: Entry, module: ModuleType | None) -> list[str]:
    """The module's ``SMOKE_ARGS`` (or :data:`DEFAULT_SMOKE_ARGS`)."""
    found = getattr(module, "SMOKE_ARGS", None) if module is not None else None
    if found is not None:
        return [str(x) for x in found]
    return list(DEFAULT_SMOKE_ARGS.get(e.module, []))


def json_path(out_dir: Path, e: Entry) -> Path:
    """Where the entry's JSON goes in a full or smoke run."""
    return out_dir / f"{e.name}.json"


def run_one(e: Entry, *, smoke: bool, out_dir: Path) -> dict[str, Any]:
    """Run one benchmark in a fresh interpreter; its status, time, JSON path, headline rows and errors."""
    try:
        module: ModuleType | None = load(e)
        problem = None
    except ImportError as exc:
        module, problem = None, f"cannot import {e.module}: {exc}"
    out = json_path(out_dir, e)
    argv = fixed_args(e, module) + (smoke_args(e, module) if smoke else []) + ["--out", str(out)]
    result: dict[str, Any] = {"name": e.name, "module": e.module, "args": argv, "json": str(out)}
    if problem is not None:
        print(f"\n=== {e.name}: {problem}", flush=True)
        return {**result, "status": None, "seconds": 0.0, "headline": [], "errors": [problem]}
    print(f"\n=== {e.name}: python -m {e.module} {' '.join(argv)}", flush=True)
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    status = subprocess.run([sys.executable, "-m", e.module, *argv], cwd=ROOT, check=False).returncode
    seconds = round(time.perf_counter() - start, 1)
    errors: list[str] = []
    headline: list[dict[str, Any]] = []
    if out.exists():
        data = json.loads(out.read_text())
        headline = list(data.get("headline", []))
        errors = [str(x) for x in data.get("errors", [])]
    else:
        errors.append(f"wrote no JSON at {out}")
    if status != 0 and not errors:
        errors.append(f"exit status {status}")
    return {**result, "status": status, "seconds": seconds, "headline": headline, "errors": errors}


def run_all(names: list[str], *, smoke: bool, out_dir: Path) -> int:
    """Run ``names`` in turn, print the combined table, write ``summary.json``; 1 if any failed."""
    start = time.perf_counter()
    runs = [run_one(entry(n), smoke=smoke, out_dir=out_dir) for n in names]
    rows = [{**h, "figure": f"{r['name']}: {h['figure']}"} for r in runs for h in r["headline"]]
    failed = [r for r in runs if r["errors"] or r["status"] != 0]
    errors = [f"{r['name']}: {e}" for r in failed for e in (r["errors"] or [f"exit status {r['status']}"])]
    summary: dict[str, Any] = {
        "benchmark": "summary",
        "smoke": smoke,
        "machine": machine(),
        "run_s": round(time.perf_counter() - start, 1),
        "runs": runs,
        "headline": rows,
        "errors": errors,
    }
    write_json(out_dir / "summary.json", summary)
    print(f"\n{'Smoke run' if smoke else 'Benchmarks'}: {len(runs)} run in {summary['run_s']:.0f} s")
    print(
        table(
            ["benchmark", "status", "seconds", "json"], [[r["name"], _status(r), r["seconds"], r["json"]] for r in runs]
        )
    )
    print()
    print(headline_table(rows))
    print(f"\nsummary: {out_dir / 'summary.json'}")
    if failed:
        print(f"FAILED: {', '.join(r['name'] for r in failed)}", file=sys.stderr)
        for line in errors[:20]:
            print(f"  - {line}", file=sys.stderr)
        return 1
    return 0


def _status(run: dict[str, Any]) -> str:
    if run["status"] is None:
        return "not run"
    if run["status"] == 0 and not run["errors"]:
        return "ok"
    return f"FAILED ({len(run['errors'])} error(s))"


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks``; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    names = [e.name for e in REGISTRY]
    if args and args[0] in names:  # one benchmark, its own arguments, in this process
        e = entry(args[0])
        module = load(e)
        code: int = module.main(fixed_args(e, module) + args[1:])
        return code
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(__doc__ or "").split("\n\n")[0],
        epilog=f"Run one benchmark: python -m benchmarks NAME [ARGS]; NAME is one of {', '.join(names)}.",
    )
    p.add_argument("--smoke", action="store_true", help="tiny sizes (the CI smoke run)")
    p.add_argument("--only", default="", help="comma-separated names (default: the full run)")
    p.add_argument("--out-dir", type=Path, help="where the JSON files go (default runs/bench, runs/bench/smoke)")
    p.add_argument("--list", action="store_true", help="print the names and modules, then exit")
    a = p.parse_args(args)
    if a.list:
        for e in REGISTRY:
            print(f"{e.name:<11} {e.module}{'' if e.in_full_run else '  (by name only)'}")
        return 0
    chosen = [n.strip() for n in a.only.split(",") if n.strip()] or [e.name for e in REGISTRY if e.in_full_run]
    unknown = [n for n in chosen if n not in names]
    if unknown:
        p.error(f"unknown benchmark(s) {unknown}; known: {', '.join(names)}")
    out_dir = a.out_dir or (BENCH_DIR / "smoke" if a.smoke else BENCH_DIR)
    return run_all(chosen, smoke=a.smoke, out_dir=out_dir)


if __name__ == "__main__":
    sys.exit(main())
