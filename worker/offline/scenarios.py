"""Scenarios for ``simulate``: caller lines, the outcome they must reach, and scripted model replies.

A scenario file (``samples/scenarios/<name>.txt``, or any file given to ``--text``) is plain text:

* one caller turn per line;
* ``#`` starts a comment line;
* ``expect:`` lines state the expected outcome, as space-separated items:

  - ``verified=yes|no`` — identity verified by the end;
  - ``offer=ACCEPTED|DECLINED|REMIND_LATER`` — the offer answer recorded;
  - ``disclosure=100`` — percent of the disclosure played;
  - ``failed_attempts=N`` — failed identity checks;
  - ``agent=NAME`` — the agent serving the caller at the end;
  - ``TABLE+N [col=value ...]`` — exactly N rows inserted into TABLE, every one matching the
    column values (the value runs to the next ``col=`` item, so it may contain spaces);
  - ``TABLE~N [col=value ...]`` — exactly N rows of TABLE updated, to these values;
  - ``col*=text`` instead of ``col=value`` — the column contains ``text`` (case-insensitive), for
    free text the model words itself (delivery instructions, reasons).

The bundled recording ``samples/calls/return_jacket`` uses ``samples/scenarios/return_jacket.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..testing.scripted_llm import Reply

SCENARIO_DIR = Path("samples/scenarios")

JACKET = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}

SCRIPTED: dict[str, list[Reply]] = {
    # The model's replies, in the order the session asks for them, for the turns code does not
    # answer (code leads verification, the disclosure, the offer answer, routing and the yes).
    "return_jacket": [
        Reply.say("I can help with that return. First, may I have your first name?"),  # 01 (intent, no name)
        Reply.say("Hi Ava, this is the returns desk. Which order is the jacket from?"),  # returns greeting
        Reply.say("Thanks. What condition is the jacket in, and why are you returning it?"),  # 09
        Reply.call("initiate_return", **JACKET),  # 10: code reads it back; 11 "yes" is decided by code
        Reply.say("Thank you for calling, Ava. Goodbye!"),  # 12
    ],
}
"""Scenario name → scripted replies (``simulate --llm scripted``)."""


@dataclass(frozen=True)
class RowExpectation:
    """Rows inserted (``+``) or updated (``~``) in one table.

    Attributes:
        table: Table name.
        change: ``"inserted"`` or ``"updated"``.
        count: Exact number of rows.
        columns: Column → expected value (compared as text).
        contains: Column → text the value must contain (case-insensitive).
    """

    table: str
    change: str
    count: int
    columns: dict[str, str] = field(default_factory=dict)
    contains: dict[str, str] = field(default_factory=dict)


@dataclass
class Scenario:
    """Caller lines and the outcome they must reach."""

    name: str
    lines: list[str]
    outcome: dict[str, str] = field(default_factory=dict)
    rows: list[RowExpectation] = field(default_factory=list)


_ROW = re.compile(r"^(?P<table>[a-z_]+)(?P<op>[+~])(?P<count>\d+)$")
_KEYS = ("verified", "offer", "disclosure", "failed_attempts", "agent")


def parse_scenario(text: str, *, name: str) -> Scenario:
    """Parse a scenario file's text (format in the module docstring).

    Raises:
        ValueError: an ``expect:`` item that is not understood (with the item).
    """
    scenario = Scenario(name=name, lines=[])
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("expect:"):
            _parse_expect(scenario, line.split(":", 1)[1])
        else:
            scenario.lines.append(line)
    return scenario


def _parse_expect(scenario: Scenario, spec: str) -> None:
    tokens = spec.split()
    row: RowExpectation | None = None
    last_col: str | None = None
    for token in tokens:
        key, eq, value = token.partition("=")
        if m := _ROW.match(token):
            row = RowExpectation(m["table"], "inserted" if m["op"] == "+" else "updated", int(m["count"]))
            scenario.rows.append(row)
            last_col = None
        elif eq and row is None and key in _KEYS:
            scenario.outcome[key] = value
        elif eq and row is not None:
            target = row.contains if key.endswith("*") else row.columns
            last_col = key.rstrip("*")
            target[last_col] = value
        elif row is not None and last_col is not None:
            target = row.contains if last_col in row.contains else row.columns
            target[last_col] += " " + token
        else:
            raise ValueError(f"expect: cannot read {token!r}")


def load_scenario(name_or_path: str) -> Scenario:
    """A bundled scenario by name (``return_jacket``) or a scenario file by path."""
    path = Path(name_or_path)
    if not path.exists():
        path = SCENARIO_DIR / f"{name_or_path}.txt"
    return parse_scenario(path.read_text(encoding="utf-8"), name=path.stem)


def bundled_scenarios() -> list[str]:
    """Names of the scenarios in ``samples/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.txt"))


@dataclass(frozen=True)
class Check:
    """One expectation and whether the call met it."""

    what: str
    expected: str
    seen: str

    @property
    def ok(self) -> bool:
        return self.expected == self.seen


def evaluate(scenario: Scenario, report: dict[str, Any]) -> list[Check]:
    """Compare a call report with the scenario's expectations.

    Args:
        scenario: The scenario with its ``expect:`` items.
        report: The call report of :func:`worker.report.build_report` (with database changes).

    Returns:
        One :class:`Check` per expectation, in order.
    """
    outcome = report["outcome"]
    seen = {
        "verified": "yes" if outcome["verified"] else "no",
        "offer": str(outcome["disclosure"]["response"]),
        "disclosure": str(outcome["disclosure"]["played_pct"]),
        "failed_attempts": str(outcome["failed_auth_attempts"]),
        "agent": str(outcome["final_agent"]),
    }
    checks = [Check(key, value, seen[key]) for key, value in scenario.outcome.items()]
    changes = report.get("database_changes", {})
    for row in scenario.rows:
        table = changes.get(row.table, {})
        rows: list[dict[str, Any]]
        if row.change == "inserted":
            rows = list(table.get("inserted", []))
        else:
            rows = [{c: v[1] for c, v in cols.items()} for cols in table.get("updated", {}).values()]
        label = f"{row.table} {row.change}"
        checks.append(Check(f"{label} rows", str(row.count), str(len(rows))))
        for column, value in row.columns.items():
            values = sorted({str(r.get(column)) for r in rows}) or ["(no rows)"]
            checks.append(Check(f"{label} {column}", value, ", ".join(values)))
        for column, text in row.contains.items():
            hit = bool(rows) and all(text.casefold() in str(r.get(column)).casefold() for r in rows)
            values = sorted({str(r.get(column)) for r in rows}) or ["(no rows)"]
            checks.append(Check(f"{label} {column} contains", text, text if hit else ", ".join(values)))
    return checks


def format_outcome(scenario: Scenario, checks: list[Check]) -> str:
    """The outcome block ``simulate`` prints: one line per expectation and a verdict."""
    lines = [f"OUTCOME of {scenario.name}"]
    width = max((len(c.what) for c in checks), default=10)
    for c in checks:
        mark = "ok  " if c.ok else "FAIL"
        lines.append(f"  {mark} {c.what:<{width}}  expected {c.expected!r:<28} seen {c.seen!r}")
    failed = sum(not c.ok for c in checks)
    verdict = "MET every expectation" if not failed else f"FAILED {failed} of {len(checks)} expectations"
    lines.append(f"  => {verdict}" if checks else "  => no expectations stated")
    return "\n".join(lines)
