"""The grader fails calls that miss their goal: a wrong row, an extra change, a fact not said, a
forbidden tool run, an action before verification, a scripted model that strays from its script."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from evals.grading import grade
from evals.measures import Measures
from evals.scenario import SCENARIO_DIR, Scenario, TableChange, load_scenario
from evals.trial import run_trial
from worker.testing import Reply

from .test_scripted_suite import setup_for

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

JACKET = load_scenario(SCENARIO_DIR / "returns_jacket.toml")


@pytest.fixture(scope="module")
def jacket_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """One real scripted call of the jacket return: (trial entry, call report)."""
    import asyncio
    import json

    out = tmp_path_factory.mktemp("jacket")
    entry = asyncio.run(run_trial(setup_for(JACKET, out)))
    return entry, json.loads((out / "report.json").read_text())


def measures_of(entry: dict[str, Any], **changes: Any) -> Measures:
    m = entry["measures"]
    base = Measures(
        agents_visited=m["agents_visited"],
        right_agent=m["right_agent"],
        hops=m["hops"],
        actions_before_verification=m["actions_before_verification_tools"],
        disclosure_verbatim=m["disclosure_verbatim"],
        transfers_refused=m["transfers_refused"],
    )
    return dataclasses.replace(base, **changes)


def expect(scenario: Scenario, **changes: Any) -> Scenario:
    return dataclasses.replace(scenario, expect=dataclasses.replace(scenario.expect, **changes))


def failed(checks: list[Any]) -> list[str]:
    return [c.what for c in checks if not c.ok]


def lines(report: dict[str, Any]) -> list[str]:
    return [e["text"] for e in report["transcript"] if e["role"] == "agent"]


async def test_the_real_call_passes_every_check(jacket_call: tuple[dict[str, Any], dict[str, Any]]) -> None:
    entry, report = jacket_call
    assert entry["passed"], entry["checks"]
    assert failed(grade(JACKET, report, measures_of(entry), agent_lines=lines(report))) == []


async def test_a_wrong_column_value_fails_the_database_check(
    jacket_call: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    entry, report = jacket_call
    wrong = expect(JACKET, db=(TableChange("returns", inserted=1, where={"status": "refunded"}),))
    assert failed(grade(wrong, report, measures_of(entry), agent_lines=lines(report))) == ["database: returns.status"]


async def test_a_missing_row_and_an_unexpected_change_fail(jacket_call: tuple[dict[str, Any], dict[str, Any]]) -> None:
    entry, report = jacket_call
    # The scenario forgets the return: the returns table changed although nothing was expected there.
    none = expect(JACKET, db=(TableChange("tickets", inserted=1),))
    assert failed(grade(none, report, measures_of(entry), agent_lines=lines(report))) == [
        "database: tickets rows",
        "database: no other table changed",
    ]


async def test_offer_facts_tools_and_measures_are_graded(jacket_call: tuple[dict[str, Any], dict[str, Any]]) -> None:
    entry, report = jacket_call
    s = expect(JACKET, offer="ACCEPTED", say=("RET-999999",), forbid_say=("Alpine",), forbid_tools=("initiate_return",))
    got = failed(grade(s, report, measures_of(entry), agent_lines=lines(report)))
    assert got == [
        "offer answer",
        "database: offer_responses.response",
        "said",
        "never said",
        "never ran initiate_return",
    ]
    bad = measures_of(entry, actions_before_verification=["list_orders"], right_agent=False, hops=5)
    assert failed(grade(JACKET, report, bad, agent_lines=lines(report))) == [
        "actions before verification",
        "reached the returns desk",
        "hops",
    ]


async def test_a_scripted_model_that_strays_from_its_script_fails(tmp_path: Path) -> None:
    # The model reply planned for the return is missing: the call cannot reach its goal.
    turns = list(JACKET.turns)
    turns[9] = dataclasses.replace(turns[9], desk=(Reply.say("Let me check."),))
    entry = await run_trial(setup_for(dataclasses.replace(JACKET, turns=tuple(turns)), tmp_path))
    assert not entry["passed"]
    assert "database: returns rows" in [c["what"] for c in entry["checks"] if not c["ok"]]
    # A planned reply that the session never asks for is a mismatch as well.
    turns = list(JACKET.turns)
    turns[2] = dataclasses.replace(turns[2], desk=(Reply.say("Thanks."),))
    entry = await run_trial(setup_for(dataclasses.replace(JACKET, turns=tuple(turns)), tmp_path / "b"))
    (check,) = [c for c in entry["checks"] if c["what"] == "scripted model followed its script"]
    assert not check["ok"] and check["seen"] == "turn 3: 0 model request(s) for 1 scripted reply(ies)"
