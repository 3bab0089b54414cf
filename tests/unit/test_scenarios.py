"""Scenario files: parsing of ``expect:`` lines and grading of a call report against them."""

from __future__ import annotations

from typing import Any

import pytest

from worker.offline.scenarios import bundled_scenarios, evaluate, load_scenario, parse_scenario

pytestmark = pytest.mark.unit

TEXT = """# a comment
expect: verified=yes offer=DECLINED agent=order_tracking
expect: orders~1 delivery_instructions*=the concierge returns+0
expect: tickets+1 reason=caller wants a person priority=high
Hello
  second line
"""


def _report(**changes: Any) -> dict[str, Any]:
    return {
        "outcome": {
            "verified": True,
            "failed_auth_attempts": 0,
            "final_agent": "order_tracking",
            "disclosure": {"response": "DECLINED", "played_pct": 100},
        },
        "database_changes": changes,
    }


def test_parse_reads_lines_outcome_and_row_expectations() -> None:
    s = parse_scenario(TEXT, name="t")
    assert s.lines == ["Hello", "second line"]
    assert s.outcome == {"verified": "yes", "offer": "DECLINED", "agent": "order_tracking"}
    orders, returns, tickets = s.rows
    assert (orders.table, orders.change, orders.count, orders.contains) == (
        "orders",
        "updated",
        1,
        {"delivery_instructions": "the concierge"},
    )
    assert (returns.change, returns.count, returns.columns) == ("inserted", 0, {})
    assert tickets.columns == {"reason": "caller wants a person", "priority": "high"}


def test_parse_refuses_an_unknown_item() -> None:
    with pytest.raises(ValueError, match="cannot read 'colour=blue'"):
        parse_scenario("expect: colour=blue\nhi\n", name="t")


def test_evaluate_grades_rows_exactly_and_free_text_by_containment() -> None:
    s = parse_scenario(TEXT, name="t")
    good = _report(
        orders={"updated": {"ORD-100202": {"delivery_instructions": ["", "Leave with THE CONCIERGE"]}}},
        tickets={"inserted": [{"reason": "caller wants a person", "priority": "high"}]},
    )
    assert all(c.ok for c in evaluate(s, good))
    bad = _report(orders={"updated": {"ORD-100202": {"delivery_instructions": ["", "porch"]}}})
    failed = {c.what for c in evaluate(s, bad) if not c.ok}
    assert failed == {
        "orders updated delivery_instructions contains",
        "tickets inserted rows",
        "tickets inserted reason",
        "tickets inserted priority",
    }


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_states_an_outcome(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.lines and (scenario.outcome or scenario.rows)
