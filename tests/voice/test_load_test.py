"""The load test: a smoke run (one desk call and one bare call in LiveKit's job processes, real VAD and
end-of-turn model) and how a batch's figures and errors are summarised."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.load_test import call_lines, format_row, summarize

pytestmark = pytest.mark.voice

ROOT = Path(__file__).resolve().parents[2]


def _call(room: str, *, cpu: float = 2.0, wall: float = 20.0, timed_out: bool = False) -> dict[str, Any]:
    return {
        "room": room,
        "turns": [{"wav": "01.wav", "latency_s": 1.5, "timed_out": timed_out}],
        "errors": [],
        "cpu_s": cpu,
        "wall_s": wall,
        "memory_peak_mb": {"pss": 200.0, "uss": 100.0, "rss": 400.0},
    }


def _batch(calls: list[dict[str, Any]], *, size: int, error_logs: int = 0) -> dict[str, Any]:
    return {
        "variant": "desk",
        "size": size,
        "worker_cpu_s": 2.0,
        "idle_processes_mb": [{"pss": 150.0, "uss": 40.0, "rss": 350.0}],
        "calls": calls,
        "error_logs": ["livekit.agents: boom"] * error_logs,
        "error_log_count": error_logs,
    }


def test_summary_counts_every_kind_of_error_and_divides_call_time_by_cpu() -> None:
    clean = summarize(_batch([_call("a"), _call("b")], size=2))
    assert (clean.ok, clean.errors) == (2, 0)
    assert clean.cpu_per_call_s == 2.0 and clean.worker_cpu_per_call_s == 1.0
    assert clean.calls_per_core == round(40.0 / 6.0, 1)  # 40 s of calls on 4 + 2 CPU seconds
    assert (clean.idle_uss_mb, clean.call_uss_mb, clean.latency_p50_s) == (40.0, 100.0, 1.5)
    bad = summarize(_batch([_call("a"), _call("b", timed_out=True)], size=3, error_logs=2))
    assert bad.ok == 1 and bad.errors == 1 + 1 + 2  # a call that never reported, a timed-out turn, two logs
    assert "1 call(s) never reported" in bad.error_samples and "1 turn(s) timed out" in bad.error_samples
    assert format_row(bad).split()[:4] == ["desk", "3", "1", "4"]


def test_the_calls_play_the_bundled_recording_with_its_transcript() -> None:
    turns = call_lines(3)
    assert [wav.name for wav, _ in turns] == ["01.wav", "02.wav", "03.wav"]
    assert turns[1][1] == "My first name is Ava."


def test_smoke_run_two_concurrent_desk_calls_and_one_bare_call(tmp_path: Path) -> None:
    out = tmp_path / "load_test.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--sizes", "2", "--baseline-sizes", "1", "--preload-sizes", "", "--turns", "1"]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_test", *args, "--tts-ms-per-char", "20", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    rows = {row["variant"]: row for row in report["summary"]}
    assert set(rows) == {"desk", "bare"}
    assert (rows["desk"]["ok"], rows["bare"]["ok"]) == (2, 1)
    for row in rows.values():
        assert row["errors"] == 0, row["error_samples"]
        assert row["cpu_per_call_s"] > 0 and row["calls_per_core"] > 0
        assert row["idle_uss_mb"] > 0 and row["call_pss_mb"] > 0 and row["latency_p50_s"] is not None
    desk_calls = next(b["calls"] for b in report["batches"] if b["variant"] == "desk")
    assert len({c["room"] for c in desk_calls}) == len({c["pid"] for c in desk_calls}) == 2, "one process per call"
    calls = {b["variant"]: b["calls"][0] for b in report["batches"]}
    assert calls["bare"]["llm_requests"] == 1, "the bare agent asks the LLM on every caller turn"
    assert calls["desk"]["llm_requests"] == 1, "the desk's first turn (a request before the name) goes to the LLM"
    assert report["machine"]["cores"] and report["machine"]["uptime"]
