"""Smoke runs of the latency benchmarks at tiny sizes, in-process: each writes its JSON with the figures,
positive numbers and no errors (a broken benchmark fails here; no timing is asserted).

Also the shared helpers (percentiles, ratios, the headline table) and ``python -m benchmarks`` gathering
the headline rows of a run into ``summary.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import handoff_latency, speech_speed, text_scan, tool_latency, turn_overhead, voice_latency
from benchmarks.__main__ import REGISTRY, run_all, smoke_args
from benchmarks.common import Headline, headline_table, machine, percentile, summary

pytestmark = pytest.mark.usefixtures("restore_log_levels")


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    assert data["errors"] == [], data["errors"]
    assert data["machine"]["cores"] >= 1 and data["machine"]["cpu"] and data["machine"]["livekit_agents"]
    assert data["headline"], "no headline rows"
    for row in data["headline"]:
        assert set(row) == {"figure", "desk", "baseline", "ratio", "unit"}, row
        assert row["desk"] > 0 and row["baseline"] > 0 and row["ratio"] > 0, row
    return data


def _positive(stats: dict[str, Any], n: int) -> None:
    assert stats["n"] == n, stats
    assert 0 < stats["min"] <= stats["p50"] <= stats["p90"] <= stats["p99"] <= stats["max"], stats


def test_percentiles_interpolate_like_numpy_and_summaries_scale() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10.0], 99) == 10.0
    assert percentile([0, 10], 90) == 9.0
    with pytest.raises(ValueError):
        percentile([], 50)
    s = summary([0.001, 0.002, 0.003], scale=1000)
    assert (s["n"], s["p50"], s["max"], s["min"]) == (3, 2.0, 3.0, 1.0)
    assert summary([]) == {"n": 0}


def test_headline_rows_carry_their_ratio_and_print_as_a_table() -> None:
    row = Headline.of("handoff p50", 6.0, 2.0, "ms")
    assert row.to_dict() == {"figure": "handoff p50", "desk": 6.0, "baseline": 2.0, "unit": "ms", "ratio": 3.0}
    assert Headline.of("x", 1.0, 0.0, "ms").ratio is None and Headline.of("x", None, 1.0, "ms").ratio is None
    text = headline_table([row, {"figure": "no baseline", "desk": 1.5, "baseline": None, "ratio": None, "unit": "s"}])
    assert "3.00x" in text and "6.00 ms" in text and "no baseline" in text
    assert machine()["date"][:2] == "20"


def test_handoff_benchmark_measures_desk_and_baseline_at_each_history(tmp_path: Path) -> None:
    out = tmp_path / "handoff.json"
    assert handoff_latency.main(["--history", "0,2", "--transfers", "2", "--out", str(out)]) == 0
    data = _read(out)
    assert [r["history"] for r in data["rows"]] == [0, 2]
    for row in data["rows"]:
        _positive(row["desk_ms"], 2)
        _positive(row["baseline_ms"], 2)
        _positive(row["desk_recorded_ms"], 2)  # the desk's own TransferRecord.handoff_latency_s
    assert [r["figure"] for r in data["headline"]][:2] == ["handoff p50, 0 exchanges", "handoff p90, 0 exchanges"]


def test_turn_overhead_measures_llm_and_tool_turns_of_both(tmp_path: Path) -> None:
    out = tmp_path / "turn.json"
    assert turn_overhead.main(["--turns", "3", "--out", str(out)]) == 0
    data = _read(out)
    for kind in ("llm", "tool"):
        _positive(data["turns"][kind]["desk_ms"], 3)
        _positive(data["turns"][kind]["baseline_ms"], 3)
        assert data["turns"][kind]["ratio_p50"] > 0
    assert len(data["headline"]) == 4


def test_tool_latency_measures_each_tool_in_the_session_and_raw(tmp_path: Path) -> None:
    out = tmp_path / "tools.json"
    argv = ["--session-reps", "2", "--raw-reps", "4", "--tools", "track_order,add_to_cart,lookup_seller"]
    assert tool_latency.main([*argv, "--postgres-url", "", "--out", str(out)]) == 0
    data = _read(out)
    assert set(data["sqlite"]["tools"]) == {"track_order", "add_to_cart", "lookup_seller"}
    for figures in data["sqlite"]["tools"].values():
        _positive(figures["session_ms"], 2)
        _positive(figures["raw_ms"], 4)  # two raw calls per round, two rounds
    assert data["postgres"] == "not measured: no URL"


def test_tool_latency_reports_a_tool_error_and_exits_non_zero(tmp_path: Path, monkeypatch: Any) -> None:
    """A tool that fails in the session is an error of the run, not a figure."""
    broken = [
        tool_latency.Case(c.agent, c.tool, {"order_number": "ORD-999999"}, "Where is order ORD-999999?", c.raw)
        for c in tool_latency.CASES
        if c.tool == "track_order"
    ]
    monkeypatch.setattr(tool_latency, "CASES", tuple(broken))
    out = tmp_path / "tools.json"
    assert tool_latency.main(["--session-reps", "1", "--raw-reps", "1", "--postgres-url", "", "--out", str(out)]) == 1
    errors = json.loads(out.read_text())["errors"]
    assert errors and all("track_order" in e for e in errors), errors


@pytest.mark.voice
def test_voice_latency_splits_code_led_and_llm_turns(tmp_path: Path) -> None:
    out = tmp_path / "voice.json"
    assert voice_latency.main(["--turns", "2", "--out", str(out)]) == 0
    data = _read(out)
    assert [t["by"] for t in data["turns"]] == ["llm", "code"]  # the request, then the name (code)
    _positive(data["llm_s"], 1)
    _positive(data["code_s"], 1)
    assert data["ratio_p50_llm_code"] > 0


def test_python_m_benchmarks_gathers_the_headline_rows(tmp_path: Path) -> None:
    assert all(smoke_args(e, __import__(e.module, fromlist=["x"])) for e in REGISTRY[:6])
    assert run_all(["turn"], smoke=True, out_dir=tmp_path) == 0
    summary_json = json.loads((tmp_path / "summary.json").read_text())
    assert summary_json["errors"] == [] and summary_json["runs"][0]["status"] == 0
    assert summary_json["headline"][0]["figure"] == "turn: turn (llm) p50"
    assert (tmp_path / "turn.json").exists()


def test_text_scan_times_redaction_and_parsing_beside_plain_regexes(tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    assert text_scan.main(["--repeat", "1", "--out", str(out)]) == 0
    data = _read(out)
    assert set(data["redaction"]) == set(text_scan.REDACTION_INPUTS)
    assert set(data["parsing"]) == set(text_scan.CALLER_INPUTS)
    for row in [*data["redaction"].values(), *data["parsing"].values()]:
        assert row["ratio"] is not None and row["ratio"] > 0, row
    assert [r["figure"].split(",")[0] for r in data["headline"]] == ["redact 1 MB", "redact 1 MB", "parse a 10 KB turn"]


@pytest.mark.voice
def test_speech_speed_sets_whisper_and_piper_beside_the_audio_length(tmp_path: Path) -> None:
    out = tmp_path / "speech.json"
    assert speech_speed.main(["--files", "2", "--lines", "2", "--repeat", "1", "--out", str(out)]) == 0
    data = _read(out)
    assert [r["file"] for r in data["whisper"]["rows"]] == ["01.wav", "02.wav"]
    assert len(data["piper"]["rows"]) == 2 and data["piper"]["rows"][0]["chars"] > 500  # the disclosure first
    for row in data["whisper"]["rows"] + data["piper"]["rows"]:
        assert row["audio_s"] > 0.5, row
