"""The whole eval suite with the scripted model: every scenario must pass (CI runs this).

Each scenario is played through the real ``AgentSession`` exactly as ``python -m evals run`` plays it
(:func:`evals.trial.run_trial`): code-led turns, the scenario's planned model replies, real tools on a
fresh seeded database, then τ-bench grading. A failure prints every failed check, so a change in the
desk that breaks a call shows which expectation moved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.callers import ScriptedCaller
from evals.desk_model import DeskModelChoice, build
from evals.scenario import Scenario, load_scenarios
from evals.trial import TrialSetup, run_trial
from worker.settings import Settings

pytestmark = pytest.mark.flow

SCENARIOS = load_scenarios()
SETTINGS = Settings(provider_profile="local")


def setup_for(scenario: Scenario, out: Path) -> TrialSetup:
    choice = DeskModelChoice("scripted")
    return TrialSetup(
        scenario=scenario,
        trial=1,
        desk_llm=lambda: build(choice, SETTINGS),
        desk_label="scripted",
        caller=ScriptedCaller,
        settings=SETTINGS,
        out_dir=out,
        turn_timeout_s=120.0,
    )


def test_the_suite_covers_all_fourteen_agents_with_at_least_forty_scenarios() -> None:
    from agents.registry import AGENTS

    assert len(SCENARIOS) >= 40
    assert {s.agent for s in SCENARIOS} == set(AGENTS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
@pytest.mark.asyncio
async def test_scenario_passes_with_the_scripted_model(scenario: Scenario, tmp_path: Path) -> None:
    entry = await run_trial(setup_for(scenario, tmp_path))
    failed = [f"{c['what']}: expected {c['expected']!r}, seen {c['seen']!r}" for c in entry["checks"] if not c["ok"]]
    assert entry["passed"], "\n".join(failed) + "\n" + (tmp_path / "transcript.txt").read_text()
    assert entry["measures"]["actions_before_verification"] == 0
    assert (tmp_path / "report.json").exists()
