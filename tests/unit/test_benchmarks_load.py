"""Smoke runs of the load and memory benchmarks at tiny sizes: the JSON has its headline figures, every call
completed. Not a timing assertion: the figures must exist and be positive, the runs must not error.

Each run starts LiveKit's ``AgentServer`` with real job processes (one call per variant: about 40 s each).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import load_test, memory_uss
from benchmarks.load_test import Summary

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("restore_log_levels")]

ROOT = Path(__file__).resolve().parents[2]
DESK_PACKAGES = ("agents", "call", "services", "tools", "worker", "sqlalchemy")


def _check_report(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text())
    assert report["errors"] == []
    assert report["headline"], "no headline rows"
    for row in report["headline"]:
        assert set(row) >= {"figure", "desk", "baseline", "ratio", "unit"}, row
        assert row["desk"] > 0 and row["baseline"] > 0 and row["ratio"] > 0, row
    for s in report["summary"]:
        assert s["ok"] == s["size"] and s["errors"] == 0, s
    return report


def test_load_test_smoke_runs_every_variant_and_mode(tmp_path: Path) -> None:
    out = tmp_path / "load_test.json"
    assert load_test.main([*load_test.SMOKE_ARGS, "--out", str(out)]) == 0
    report = _check_report(out)
    ran = {(s["variant"], s["mode"]) for s in report["summary"]}
    assert ran == {("desk", "voice"), ("bare", "voice"), ("desk", "text"), ("bare", "text")}
    figures = {row["figure"] for row in report["headline"]}
    for mode in ("voice", "text"):
        for what in ("CPU per call", "calls per core", "response latency p50", "response latency p95"):
            assert f"{mode} N=1: {what}" in figures
    calls = [c for b in report["batches"] for c in b["calls"]]
    assert len(calls) == 4
    assert all(c["turns"] and c["turns"][0]["latency_s"] is not None for c in calls)
    # the bare agent asks the LLM for every reply; the desk's code answers the first caller turn itself
    bare_text = next(b for b in report["batches"] if (b["variant"], b["mode"]) == ("bare", "text"))
    assert bare_text["calls"][0]["llm_requests"] >= 1


def test_memory_uss_smoke_reports_idle_call_and_import_cost(tmp_path: Path) -> None:
    out = tmp_path / "memory_uss.json"
    assert memory_uss.main([*memory_uss.SMOKE_ARGS, "--out", str(out)]) == 0
    report = _check_report(out)
    figures = {row["figure"]: row for row in report["headline"]}
    assert {"job USS idle", "job USS in a call (peak)", "job USS a call adds"} <= set(figures)
    assert "import USS (worker.app vs livekit)" in figures
    # the desk imports its agents, tools and services on top of what bare livekit-agents loads
    assert figures["import USS (worker.app vs livekit)"]["ratio"] > 1
    assert figures["job USS idle"]["ratio"] > 1


def test_bare_job_processes_import_nothing_of_the_desk() -> None:
    """The baseline's job processes import ``benchmarks.load_test`` (its entrypoint's module): it must not
    pull in the desk, or the bare figures would carry the desk's memory."""
    probe = (
        "import sys, benchmarks.load_test;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {DESK_PACKAGES!r}))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_failed_batch_is_an_error_and_has_no_headline() -> None:
    failed = Summary.failed("desk", "text", 3, "batch failed (exit 1)")
    bare = Summary("bare", 3, 3, 0, 10, 1, 0.1, 9, 30, 30, 60, 60, 200, 0.8, 0.9, [], "text")
    assert failed.errors == 3 and failed.ok == 0
    assert load_test.headline([failed, bare]) == []
    rows = load_test.headline(
        [Summary("desk", 3, 3, 0, 10, 2, 0.1, 4.5, 70, 70, 100, 100, 200, 0.2, 0.8, [], "text"), bare]
    )
    cpu = next(r for r in rows if r.figure == "text N=3: CPU per call")
    assert (cpu.desk, cpu.baseline, cpu.ratio) == (2, 1, 2.0)
