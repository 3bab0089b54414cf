"""``python -m evals run`` end to end with the scripted model: results JSON, HTML report, exit status, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.__main__ import main

pytestmark = pytest.mark.flow


@pytest.fixture(autouse=True)
def keep_logging_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI configures the process's logging; other tests in this worker expect it untouched."""
    monkeypatch.setattr("evals.__main__.configure_logging", lambda level: None)


def test_run_writes_results_and_a_report_and_exits_zero_when_all_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["run", "--scenarios", "returns_jacket", "returns_gift_card_refused", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "All 2 trial(s) met their scenario." in printed
    results = json.loads((out / "results.json").read_text())
    assert results["summary"]["pass_hat_k"] == {"1": 1.0} and results["suite"]["finished"]
    # The judge scenario's judge is not run with the scripted model, and the report says so.
    assert results["summary"]["measures"]["judge"] == {"passed": 0, "failed": 0, "not_run": 1}
    html = (out / "report.html").read_text()
    assert "returns_gift_card_refused" in html and "1 trials without a judge" in html
    # Resumed with a second trial each: the first trials are kept, only the new ones are played.
    assert main(["run", "--scenarios", "returns_jacket", "--k", "2", "--resume", "--out", str(out)]) == 0
    assert "resuming: 1 trial(s) kept" in capsys.readouterr().out
    again = json.loads((out / "results.json").read_text())
    (jacket,) = again["scenarios"]
    assert [t["trial"] for t in jacket["trials"]] == [1, 2] and again["summary"]["pass_hat_k"] == {"1": 1.0, "2": 1.0}


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--scenarios", "no_such_scenario"]) == 2
    assert "matches no scenario" in capsys.readouterr().err
    assert main(["run", "--llm", "ftp://x"]) == 2
    assert main(["run", "--llm", "http://127.0.0.1:9/v1"]) == 2
    assert "no model server answers" in capsys.readouterr().err
