"""The load test: how a batch's figures and errors are summarised, and the calls it plays.

The smoke runs of the load test and of the memory benchmark (real job processes, real VAD and end-of-turn
model) are in ``tests/unit/test_benchmarks_load.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.load_test import call_lines, format_row, summarize

pytestmark = pytest.mark.voice

ROOT = Path(__file__).resolve().parents[2]


def _call(room: str, *, cpu: float = 2.0, wall: float = 20.0, timed_out: bool = False) -> dict[str, Any]:
    return {
        "room": room,
        "turns": [{"wav": "01.wav", "latency_s": 1.5, "timed_out": timed_out, "llm": True}],
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
    assert format_row(bad).split()[:5] == ["desk", "voice", "3", "1", "4"]


def test_the_calls_play_the_bundled_recording_with_its_transcript() -> None:
    turns = call_lines(3)
    assert [wav.name for wav, _ in turns] == ["01.wav", "02.wav", "03.wav"]
    assert turns[1][1] == "My first name is Ava."
