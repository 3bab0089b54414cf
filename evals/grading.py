"""Grading one call against its scenario: the database compared like τ-bench, facts said, forbidden
actions, and the multi-agent measures.

τ-bench grades a retail task by the final database (the changes the call made must be exactly the
expected ones) and by the facts the agent had to tell the user; a call passes only if every check
passes. Here every table the scenario does not name must be unchanged (bookkeeping tables aside,
:data:`evals.scenario.BOOKKEEPING_TABLES`), and the named ones must have exactly the stated rows.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from .measures import Measures
from .scenario import BOOKKEEPING_TABLES, Scenario, TableChange


@dataclass(frozen=True)
class Check:
    """One graded expectation.

    Attributes:
        what: What is checked, e.g. ``"database: returns inserted"``.
        expected / seen: Short texts for the report.
        ok: Whether the call met it.
    """

    what: str
    expected: str
    seen: str
    ok: bool

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def normalise(text: str) -> str:
    """Lower case, letters and digits only: ``"ORD-100101"`` and ``"ord 100101"`` compare equal."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def grade(
    scenario: Scenario,
    report: dict[str, Any],
    measures: Measures,
    *,
    agent_lines: list[str],
) -> list[Check]:
    """Every check of one call, in a stable order.

    Args:
        scenario: The scenario with its expectations.
        report: The call report (:func:`worker.report.build_report`) with ``database_changes``.
        measures: The call's multi-agent measures.
        agent_lines: Everything the desk said, unredacted (facts are graded on what the caller heard).

    Returns:
        The checks; the call passes when all are ``ok``.
    """
    exp = scenario.expect
    outcome = report["outcome"]
    checks = [
        Check(
            "verified", _yes(exp.verified), _yes(bool(outcome["verified"])), bool(outcome["verified"]) == exp.verified
        ),
        Check(
            "offer answer",
            str(exp.offer),
            str(outcome["disclosure"]["response"]),
            outcome["disclosure"]["response"] == exp.offer,
        ),
        Check(
            "actions before verification",
            "0",
            ", ".join(measures.actions_before_verification) or "0",
            not measures.actions_before_verification,
        ),
        Check(
            f"reached the {exp.agent} desk",
            exp.agent,
            " → ".join(measures.agents_visited),
            measures.right_agent,
        ),
        Check("hops", f"≤ {exp.max_hops}", str(measures.hops), measures.hops <= exp.max_hops),
    ]
    if measures.disclosure_verbatim is not None or exp.offer is not None:
        checks.append(
            Check(
                "disclosure read verbatim",
                "yes",
                {True: "yes", False: "no", None: "not played"}[measures.disclosure_verbatim],
                measures.disclosure_verbatim is True,
            )
        )
    if exp.final_agent is not None:
        final = str(outcome["final_agent"])
        checks.append(Check("final agent", exp.final_agent, final, final == exp.final_agent))
    if exp.transfers_refused is not None:
        checks.append(
            Check(
                "transfers refused",
                str(exp.transfers_refused),
                str(measures.transfers_refused),
                measures.transfers_refused == exp.transfers_refused,
            )
        )
    checks.extend(_database(scenario, report.get("database_changes", {})))
    said = normalise(" ".join(agent_lines))
    for fact in exp.say:
        checks.append(Check("said", fact, "said" if normalise(fact) in said else "not said", normalise(fact) in said))
    for text in exp.forbid_say:
        hit = normalise(text) in said
        checks.append(Check("never said", text, "said" if hit else "not said", not hit))
    ran = [c["name"] for c in report.get("tool_calls", []) if c["outcome"] == "ok"]
    for tool in exp.forbid_tools:
        times = ran.count(tool)
        checks.append(Check(f"never ran {tool}", "0 runs", f"{times} run(s)", times == 0))
    return checks


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _offer_rows(scenario: Scenario) -> TableChange:
    """The offer answer is a row of ``offer_responses``: implied by ``expect.offer``."""
    offer = scenario.expect.offer
    if offer is None:
        return TableChange("offer_responses")
    return TableChange("offer_responses", inserted=1, where={"response": offer, "offer_id": "a-592"})


def _database(scenario: Scenario, changes: dict[str, Any]) -> list[Check]:
    expected = {c.table: c for c in scenario.expect.db}
    expected.setdefault("offer_responses", _offer_rows(scenario))
    checks: list[Check] = []
    for table, change in sorted(expected.items()):
        checks.extend(_table(change, changes.get(table, {})))
    unexpected = sorted(
        t
        for t, diff in changes.items()
        if t not in expected
        and t not in BOOKKEEPING_TABLES
        and any(diff.get(k) for k in ("inserted", "updated", "deleted"))
    )
    checks.append(
        Check(
            "database: no other table changed",
            "none",
            ", ".join(f"{t} ({_counts(changes[t])})" for t in unexpected) or "none",
            not unexpected,
        )
    )
    return checks


def _counts(diff: dict[str, Any]) -> str:
    return "+{} ~{} -{}".format(
        len(diff.get("inserted", [])), len(diff.get("updated", {})), len(diff.get("deleted", []))
    )


def _table(change: TableChange, diff: dict[str, Any]) -> list[Check]:
    inserted: list[dict[str, Any]] = list(diff.get("inserted", []))
    updated = [{c: v[1] for c, v in cols.items()} for cols in diff.get("updated", {}).values()]
    deleted = list(diff.get("deleted", []))
    label = f"database: {change.table}"
    checks = [
        Check(
            f"{label} rows",
            f"+{change.inserted} ~{change.updated} -{change.deleted}",
            f"+{len(inserted)} ~{len(updated)} -{len(deleted)}",
            (len(inserted), len(updated), len(deleted)) == (change.inserted, change.updated, change.deleted),
        )
    ]
    rows = inserted + updated
    for column, value in change.where.items():
        seen = sorted({str(r.get(column)) for r in rows if column in r}) or ["(no such rows)"]
        ok = (
            bool(rows)
            and all(str(r.get(column)) == value for r in rows if column in r)
            and any(column in r for r in rows)
        )
        checks.append(Check(f"{label}.{column}", value, ", ".join(seen), ok))
    for column, text in change.contains.items():
        seen = sorted({str(r.get(column)) for r in rows}) or ["(no rows)"]
        ok = bool(rows) and all(text.casefold() in str(r.get(column)).casefold() for r in rows)
        checks.append(Check(f"{label}.{column} contains", text, ", ".join(seen), ok))
    return checks
