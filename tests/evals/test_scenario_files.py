"""Scenario files: a broken file is refused with the file and the reason; selection patterns; pass^k."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.measures import CallObserver, ToolRun
from evals.passk import curve, pass_hat_k, suite_curve
from evals.scenario import SCENARIO_DIR, ScenarioError, load_scenario, load_scenarios, select

GOOD = (SCENARIO_DIR / "returns_jacket.toml").read_text()


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda s: s.replace('agent = "returns"', 'agent = "refunds"'), "'refunds' is not an agent"),
        (lambda s: s.replace("[expect]", "[expect]\ncolour = 1"), "unknown key(s) ['colour'] in [expect]"),
        (lambda s: s.replace('offer = "DECLINED"', 'offer = "MAYBE"'), "expect.offer = 'MAYBE'"),
        (lambda s: s.replace('table = "returns"', 'table = "auth_attempts"'), "bookkeeping"),
        (lambda s: s.replace("inserted = 1\n", ""), "'where'/'contains' need inserted or updated rows"),
        (lambda s: s.replace('{ say = "I can help', '{ sya = "I can help'), "unknown key(s) ['sya']"),
        (lambda s: s.replace('caller = "Yes, that\'s right."', 'caller = "  "'), "turn 4: empty caller line"),
        (lambda s: s + "\n[[[", "Invalid"),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(tmp_path: Path, edit: object, reason: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(edit(GOOD))  # type: ignore[operator]
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_selection_by_glob_agent_tag_and_mode() -> None:
    every = load_scenarios()
    assert [s.id for s in select(every, ["returns_jacket"])] == ["returns_jacket"]
    assert [s.id for s in select(every, ["returns_jacket*"])] == ["returns_jacket", "returns_jacket_audio"]
    assert {s.agent for s in select(every, ["agent:books"])} == {"books"}
    assert all("write" in s.tags for s in select(every, ["tag:write"]))
    assert select(every, []) == every
    with pytest.raises(ScenarioError, match="matches no scenario"):
        select(every, ["retrns_*"])


def test_pass_hat_k_is_the_tau_bench_estimator() -> None:
    assert pass_hat_k(4, 4, 4) == 1.0
    assert pass_hat_k(4, 2, 1) == 0.5
    assert pass_hat_k(4, 2, 2) == pytest.approx(1 / 6)
    assert pass_hat_k(4, 3, 4) == 0.0
    assert curve(2, 1) == {"1": 0.5, "2": 0.0}
    # Suite: the mean over scenarios, up to the smallest number of trials.
    assert suite_curve([(4, 4), (4, 2)]) == {"1": 0.75, "2": round((1 + 1 / 6) / 2, 4), "3": 0.5, "4": 0.5}
    with pytest.raises(ValueError):
        pass_hat_k(2, 3, 1)


def test_actions_before_verification_count_account_tools_only() -> None:
    class Ctx:
        class verification:
            verified = False

        resume = None
        current_agent = "sales"

    observer = CallObserver(Ctx())  # type: ignore[arg-type]
    observer.runs = [
        ToolRun("sales", "search_products", True, False),  # browsing: allowed
        ToolRun("sales", "add_to_cart", False, False),  # refused: not an action
        ToolRun("returns", "list_orders", True, False),  # ran for an unverified caller: counted
        ToolRun("returns", "initiate_return", True, True),  # verified: fine
    ]
    assert observer.actions_before_verification() == ["list_orders"]
