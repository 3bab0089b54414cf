"""The evals HTML report: rendered from a hand-written results sample (tests/unit/data/evals_results_sample.json,
shape of ``python -m evals run``'s results.json): every scenario, failed checks, escaped transcripts, inline
SVG figures, no network resource, the red/green verdict, size for a full suite; and the headless-Chromium
screenshot check (Chromium is required: ``apt-get install -y chromium``)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evals import plots, screenshot
from evals.html_report import render_html, suite_failed, write_html

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parent / "data" / "evals_results_sample.json"
EXTERNAL = re.compile(
    r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I
)


def _sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text())


@pytest.fixture(scope="module")
def sample_page() -> str:
    """The sample rendered once (matplotlib takes ~0.5 s a render on this machine)."""
    return render_html(_sample())


def _all_pass(results: dict[str, Any]) -> dict[str, Any]:
    """The sample with every trial and check passing (and the summary saying so)."""
    out = copy.deepcopy(results)
    for scenario in out["scenarios"]:
        for trial in scenario["trials"]:
            trial["passed"] = True
            trial["error"] = None
            for check in trial["checks"]:
                check["ok"] = True
        scenario["passes"] = scenario["n"]
        scenario["pass_hat_k"] = {k: 1.0 for k in scenario["pass_hat_k"]}
    out["summary"]["passed"] = out["summary"]["trials"]
    out["summary"]["pass_hat_k"] = {k: 1.0 for k in out["summary"]["pass_hat_k"]}
    return out


def test_sample_matches_the_schema_figures() -> None:
    # the sample is what the tests stand on: its own figures must agree with each other
    results = _sample()
    trials = [t for s in results["scenarios"] for t in s["trials"]]
    assert results["summary"]["trials"] == len(trials) == 20
    assert results["summary"]["passed"] == sum(t["passed"] for t in trials) == 16
    assert {s["mode"] for s in results["scenarios"]} == {"text", "audio"}
    assert any(t["measures"]["judge"] for t in trials)
    for scenario in results["scenarios"]:
        assert scenario["passes"] == sum(t["passed"] for t in scenario["trials"])


def test_report_shows_every_scenario_and_the_failed_checks(sample_page: str) -> None:
    results = _sample()
    page = sample_page
    for scenario in results["scenarios"]:
        assert f"<code>{scenario['id']}</code>" in page
        assert f'id="s-{scenario["id"]}"' in page
    # returns_jacket trial 2 failed on the database: its failed check text is shown in the failed-checks table
    assert "Failed checks" in page
    assert "ORD-100101 unchanged (status=delivered)" in page
    failed_table = page.split('class="grid checks failed"', 1)[1].split("</table>", 1)[0]
    assert "database: returns inserted" in failed_table and "0 rows" in failed_table
    # the timeout error and the judge's reason
    assert "the turn timed out after 180s" in page
    assert "without saying why (gift cards are excluded)" in page
    # the database diff of a passed trial
    assert "RET-500002" in page and "return_started" in page


def test_transcript_text_is_escaped(sample_page: str) -> None:
    page = sample_page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; thanks" in page
    assert "<script>alert" not in page
    # only our own inline script element exists
    assert page.count("<script>") == 1


def test_figures_are_inline_svg_without_network_resources(sample_page: str) -> None:
    page = sample_page
    assert page.count("<svg") == 3
    for label in ("pass^k curve", "latency distribution", "wall time per scenario"):
        assert f'aria-label="{label}"' in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "<link" not in page and "<img" not in page


def test_red_banner_only_when_something_failed(sample_page: str) -> None:
    failing = sample_page
    assert '<div class="banner banner-fail"' in failing
    assert "4 of 20 trials failed</strong> in 3 scenarios" in failing
    assert '<div class="banner banner-pass"' not in failing

    results = _all_pass(_sample())
    assert not suite_failed(results)
    passing = render_html(results)
    assert '<div class="banner banner-pass"' in passing
    assert '<div class="banner banner-fail"' not in passing
    assert "all 20 trials passed" in passing

    # an action before verification fails the suite even when every trial passed
    results["summary"]["measures"]["actions_before_verification"] = 1
    breached = render_html(results)
    assert '<div class="banner banner-fail"' in breached
    assert "1 action(s) before verification" in breached
    assert '<div class="tile tile-bad"><div class="tile-label">Actions before verification</div>' in breached


def test_empty_and_minimal_results_render() -> None:
    empty = render_html({})
    assert '<div class="banner banner-fail"' in empty and "no trial ran" in empty
    assert "No pass^k figures" in empty and "No turn latencies recorded." in empty

    # one scenario, one trial (n = 1), only code-led turns, no LLM turn
    results = _sample()
    scenario = copy.deepcopy(results["scenarios"][4])
    scenario["trials"] = scenario["trials"][:1]
    scenario.update(n=1, passes=1, pass_hat_k={"1": 1.0})
    results["scenarios"] = [scenario]
    results["summary"].update(trials=1, passed=1, pass_hat_k={"1": 1.0})
    results["summary"]["latency_s"] = {"code": {"count": 2, "p50": 0.3, "p90": 0.34, "p99": 0.34}}
    code, llm, timed_out = plots.turn_latencies(results)
    assert len(code) == 2 and llm == [] and timed_out == 0
    page = render_html(results)
    assert page.count("<svg") == 3
    assert '<div class="banner banner-pass"' in page


def test_timed_out_turns_are_counted_not_plotted() -> None:
    code, llm, timed_out = plots.turn_latencies(_sample())
    assert timed_out == 1
    assert len(code) == 57 and len(llm) == 18
    assert "1 timed-out turn(s) not shown" in plots.latency_svg(_sample())


def test_agent_curves_average_scenarios() -> None:
    results = _sample()
    extra = copy.deepcopy(results["scenarios"][0])
    extra["id"] = "returns_other"
    extra["pass_hat_k"] = {"1": 0.25, "2": 0.0, "3": 0.0, "4": 0.0}
    results["scenarios"].append(extra)
    curves = plots.agent_curves(results)
    assert curves["returns"] == {1: 0.5, 2: 0.25, 3: 0.125, 4: 0.0}
    assert curves["human"] == {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}


def test_full_suite_report_stays_small(tmp_path: Path) -> None:
    # 42 scenarios x 4 trials, each with a long tool output: must stay well under 5 MB
    results = _sample()
    base = results["scenarios"]
    results["scenarios"] = []
    for i in range(42):
        scenario = copy.deepcopy(base[i % len(base)])
        scenario["id"] = f"{scenario['id']}_{i}"
        for trial in scenario["trials"]:
            for call in trial["tool_calls"]:
                call["output"] = "x" * 20_000
        results["scenarios"].append(scenario)
    path = write_html(results, tmp_path / "deep" / "report.html")
    size = path.stat().st_size
    assert size < 5_000_000, size
    page = path.read_text()
    assert "characters in all)" in page  # long outputs were cut
    assert all(f"<code>{s['id']}</code>" in page for s in results["scenarios"])


def test_png_and_dom_checks_catch_a_blank_page(tmp_path: Path, sample_page: str) -> None:
    from matplotlib import image as mpimg

    blank = tmp_path / "blank.png"
    mpimg.imsave(blank, np.ones((200, 300, 3)))
    problems = screenshot.png_problems(blank)
    assert any("single colour" in p for p in problems) and any("bytes" in p for p in problems)
    assert screenshot.png_problems(tmp_path / "missing.png") == [f"no screenshot at {tmp_path / 'missing.png'}"]
    assert len(screenshot.dom_problems("<html><body><p>hello</p></body></html>")) == 4
    assert screenshot.dom_problems(sample_page) == []


def test_screenshot_cli_says_when_chromium_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    report = write_html(_sample(), tmp_path / "report.html")
    assert screenshot.main([str(report), str(tmp_path / "out.png")]) == 2
    assert "apt-get install -y chromium" in capsys.readouterr().err


def test_screenshot_in_headless_chromium(tmp_path: Path) -> None:
    if screenshot.find_chromium() is None:
        pytest.fail(f"headless Chromium is needed for the report screenshot check; {screenshot.INSTALL_HINT}")
    report = write_html(_sample(), tmp_path / "report.html")
    out = tmp_path / "report.png"
    assert screenshot.main([str(report), str(out)]) == 0
    assert screenshot.png_problems(out) == []
    dom = screenshot.dump_dom(report, chromium=screenshot.find_chromium() or "chromium")
    assert 'id="summary"' in dom and dom.count("<svg") >= 3
    # the inline script ran in the browser: the filter bar is shown (no longer hidden)
    assert '<div id="filters" class="filters">' in dom
