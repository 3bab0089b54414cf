"""Eval scenarios: what the caller wants and knows, and what the desk must reach, read from TOML files.

A scenario file (``evals/scenarios/<id>.toml``) holds, in the manner of τ-bench's retail tasks
(Yao et al., 2024, "τ-bench: A Benchmark for Tool-Agent-User Interaction in Real-World Domains"):

* the caller: ``persona``, ``goal`` and ``facts`` (all a model-played caller is told), and the
  scripted ``[[turn]]`` lines used for deterministic runs;
* per turn, the ``desk`` replies of the scripted model (``{say = ...}``, ``{call = TOOL, args = {...}}``,
  ``{transfer = AGENT, reason = ...}``); a turn without them must be answered by code alone;
* ``[expect]``: the final database state as changes per table (``[[expect.db]]``; every table not named
  there must be unchanged, the bookkeeping tables of :data:`BOOKKEEPING_TABLES` aside), facts the desk
  must say, things it must not say or do, and the multi-agent measures (verified, offer answer, the
  agent that must be reached, the most hops allowed, transfers refused), plus an optional ``judge``
  intent for what the database cannot show (LiveKit's ``.judge``).

Example::

    title = "Ava returns an unworn jacket"
    agent = "returns"
    [caller]
    persona = "Ava Thompson, polite, in a hurry."
    goal = "Return the jacket from order 100101; decline offers."
    facts = "First name Ava; phone 415 555 0134; ..."
    [[turn]]
    caller = "Hi, I'd like to return a jacket."
    desk = [{ say = "I can help. May I have your first name?" }]
    [expect]
    verified = true
    offer = "DECLINED"
    [[expect.db]]
    table = "returns"
    inserted = 1
    where = { order_id = "ORD-100101" }
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from agents.registry import AGENTS, ENTRY_AGENT
from services.demo_data import DEMO_CUSTOMERS, DemoCustomer
from worker.testing import Reply

SCENARIO_DIR = Path(__file__).parent / "scenarios"
"""Where the bundled scenario files are."""

BOOKKEEPING_TABLES = frozenset({"auth_attempts", "saved_calls"})
"""Tables every call may change as a side effect (the audit of identity checks, the resumable call
state); they are shown in the diff but not graded. Every other table is compared whole."""

OFFER_ANSWERS = ("ACCEPTED", "DECLINED", "REMIND_LATER")

Mode = Literal["text", "audio"]


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class Turn:
    """One caller turn of the scripted run and the scripted model's replies to it.

    Attributes:
        caller: What the caller says (typed, or spoken through TTS in an audio scenario).
        desk: The scripted model's replies for this turn, in request order; empty: code answers alone.
    """

    caller: str
    desk: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class TableChange:
    """The rows one table must have gained, changed or lost by the end of the call.

    Attributes:
        table: Table name.
        inserted / updated / deleted: Exact row counts.
        where: Column → value every inserted or updated row must have (compared as text).
        contains: Column → text the value must contain (case-insensitive; for words the model chooses).
    """

    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    where: dict[str, str] = field(default_factory=dict)
    contains: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Expectations:
    """What the call must reach (see the module docstring).

    Attributes:
        verified: Identity verified by the end.
        offer: The offer answer recorded (``None``: none recorded).
        agent: The desk that must be reached (the scenario's ``agent``).
        final_agent: The agent serving the caller at the end (``None``: not graded).
        max_hops: Most agent transfers allowed.
        transfers_refused: Transfers the coordinator must refuse (``None``: not graded).
        say: Facts the desk must say (each found in its speech, case and punctuation ignored).
        forbid_say: Text the desk must never say.
        forbid_tools: Tools that must not run successfully.
        db: The expected changes; every other non-bookkeeping table must be unchanged.
        judge: An intent for LiveKit's judge over the desk's speech (``None``: no judge).
    """

    verified: bool
    offer: str | None
    agent: str
    final_agent: str | None = None
    max_hops: int = 2
    transfers_refused: int | None = 0
    say: tuple[str, ...] = ()
    forbid_say: tuple[str, ...] = ()
    forbid_tools: tuple[str, ...] = ()
    db: tuple[TableChange, ...] = ()
    judge: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One eval scenario (see the module docstring for the file format).

    Attributes:
        id: The file's stem.
        title: One line for reports.
        agent: Registry key of the desk the caller's goal belongs to.
        mode: ``text`` (typed turns) or ``audio`` (caller turns spoken by a second TTS voice, heard by the STT).
        persona / goal / facts: All a model-played caller is told.
        turns: The scripted caller lines with the scripted model's replies.
        expect: What the call must reach.
        start_agent: The agent that answers the call (the entry agent unless a test starts mid-call).
        verified_as: Demo customer the call starts verified as (``None``: the caller verifies in the call).
        tags: Free labels for ``--scenarios tag:NAME``.
    """

    id: str
    title: str
    agent: str
    mode: Mode
    persona: str
    goal: str
    facts: str
    turns: tuple[Turn, ...]
    expect: Expectations
    start_agent: str = ENTRY_AGENT
    verified_as: DemoCustomer | None = None
    tags: tuple[str, ...] = ()
    digest: str = ""
    """SHA-256 (first 12 hex digits) of the file's text: results name the exact version they graded."""

    @property
    def scripted_replies(self) -> int:
        """Replies the scripted model gives over the whole call."""
        return sum(len(t.desk) for t in self.turns)


def load_scenario(path: Path) -> Scenario:
    """Read and check one scenario file.

    Args:
        path: A ``.toml`` file in the format of the module docstring.

    Returns:
        The scenario.

    Raises:
        ScenarioError: unreadable TOML, a missing or unknown key, an unknown agent, tool-less reply,
            or an impossible expectation (the message names the file and the key).
    """
    try:
        source = path.read_text(encoding="utf-8")
        data = tomllib.loads(source)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    try:
        return replace(_scenario(path.stem, data), digest=hashlib.sha256(source.encode()).hexdigest()[:12])
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    """Every scenario in ``directory``, sorted by id.

    Raises:
        ScenarioError: any file is invalid (the first one found).
    """
    return [load_scenario(p) for p in sorted(directory.glob("*.toml"))]


def select(scenarios: list[Scenario], patterns: list[str]) -> list[Scenario]:
    """The scenarios matching any of ``patterns`` (all when empty).

    A pattern is a shell-style glob over ids (``returns_*``), ``agent:NAME``, ``tag:NAME`` or
    ``mode:audio``.

    Raises:
        ScenarioError: a pattern that matches nothing (a typo must not silently run an empty suite).
    """
    from fnmatch import fnmatchcase

    if not patterns:
        return scenarios
    chosen: list[Scenario] = []
    for pattern in patterns:
        kind, _, value = pattern.partition(":")
        if value and kind == "agent":
            hits = [s for s in scenarios if s.agent == value]
        elif value and kind == "tag":
            hits = [s for s in scenarios if value in s.tags]
        elif value and kind == "mode":
            hits = [s for s in scenarios if s.mode == value]
        else:
            hits = [s for s in scenarios if fnmatchcase(s.id, pattern)]
        if not hits:
            raise ScenarioError(f"--scenarios {pattern!r} matches no scenario")
        chosen.extend(s for s in hits if s not in chosen)
    return chosen


_TOP_KEYS = {"title", "agent", "mode", "caller", "turn", "expect", "start_agent", "verified_as", "tags"}
_EXPECT_KEYS = {
    "verified",
    "offer",
    "final_agent",
    "max_hops",
    "transfers_refused",
    "say",
    "forbid_say",
    "forbid_tools",
    "db",
    "judge",
}


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise ValueError(f"unknown key(s) {extra} in {where}")


def _agent(name: str, where: str) -> str:
    if name not in AGENTS:
        raise ValueError(f"{where} = {name!r} is not an agent (one of {sorted(AGENTS)})")
    return name


def _scenario(sid: str, data: dict[str, Any]) -> Scenario:
    _unknown(data, _TOP_KEYS, "the scenario")
    agent = _agent(str(data["agent"]), "agent")
    mode = data.get("mode", "text")
    if mode not in ("text", "audio"):
        raise ValueError(f"mode = {mode!r}: use 'text' or 'audio'")
    caller = data["caller"]
    _unknown(caller, {"persona", "goal", "facts"}, "[caller]")
    turns = tuple(_turn(i, t) for i, t in enumerate(data.get("turn", []), start=1))
    if not turns:
        raise ValueError("no [[turn]]: a scenario needs the scripted caller lines")
    verified_as = None
    if "verified_as" in data:
        by_name = {c.first_name.upper(): c for c in DEMO_CUSTOMERS}
        key = str(data["verified_as"]).upper()
        if key not in by_name:
            raise ValueError(f"verified_as = {data['verified_as']!r} is not a demo customer ({sorted(by_name)})")
        verified_as = by_name[key]
    return Scenario(
        id=sid,
        title=str(data["title"]),
        agent=agent,
        mode=mode,
        persona=str(caller["persona"]).strip(),
        goal=str(caller["goal"]).strip(),
        facts=str(caller["facts"]).strip(),
        turns=turns,
        expect=_expect(data.get("expect", {}), agent),
        start_agent=_agent(str(data.get("start_agent", ENTRY_AGENT)), "start_agent"),
        verified_as=verified_as,
        tags=tuple(str(t) for t in data.get("tags", [])),
    )


def _turn(index: int, data: dict[str, Any]) -> Turn:
    _unknown(data, {"caller", "desk"}, f"turn {index}")
    line = str(data["caller"]).strip()
    if not line:
        raise ValueError(f"turn {index}: empty caller line")
    return Turn(caller=line, desk=tuple(_reply(index, r) for r in data.get("desk", [])))


def _reply(index: int, data: dict[str, Any]) -> Reply:
    where = f"turn {index} desk reply"
    _unknown(data, {"say", "call", "args", "transfer", "reason"}, where)
    if "transfer" in data:
        return Reply.transfer(_agent(str(data["transfer"]), f"{where} transfer"), str(data.get("reason", "")))
    if "call" in data:
        reply = Reply.call(str(data["call"]), **dict(data.get("args", {})))
        reply.text = str(data.get("say", ""))
        return reply
    if "say" in data:
        return Reply.say(str(data["say"]))
    raise ValueError(f"{where}: needs say, call or transfer")


def _expect(data: dict[str, Any], agent: str) -> Expectations:
    _unknown(data, _EXPECT_KEYS, "[expect]")
    offer = data.get("offer")
    if offer is not None and offer not in OFFER_ANSWERS:
        raise ValueError(f"expect.offer = {offer!r}: one of {OFFER_ANSWERS}")
    final = data.get("final_agent")
    refused = data.get("transfers_refused", 0)
    return Expectations(
        verified=bool(data.get("verified", True)),
        offer=offer,
        agent=agent,
        final_agent=_agent(str(final), "expect.final_agent") if final is not None else None,
        max_hops=int(data.get("max_hops", 2)),
        transfers_refused=None if refused == "any" else int(refused),
        say=tuple(str(s) for s in data.get("say", [])),
        forbid_say=tuple(str(s) for s in data.get("forbid_say", [])),
        forbid_tools=tuple(str(s) for s in data.get("forbid_tools", [])),
        db=tuple(_table_change(c) for c in data.get("db", [])),
        judge=str(data["judge"]) if data.get("judge") else None,
    )


def _table_change(data: dict[str, Any]) -> TableChange:
    _unknown(data, {"table", "inserted", "updated", "deleted", "where", "contains"}, "[[expect.db]]")
    change = TableChange(
        table=str(data["table"]),
        inserted=int(data.get("inserted", 0)),
        updated=int(data.get("updated", 0)),
        deleted=int(data.get("deleted", 0)),
        where={str(k): _text(v) for k, v in data.get("where", {}).items()},
        contains={str(k): str(v) for k, v in data.get("contains", {}).items()},
    )
    if change.table in BOOKKEEPING_TABLES:
        raise ValueError(f"[[expect.db]] table {change.table!r} is bookkeeping and not graded")
    if (change.where or change.contains) and not (change.inserted or change.updated):
        raise ValueError(f"[[expect.db]] {change.table}: 'where'/'contains' need inserted or updated rows")
    return change


def _text(value: Any) -> str:
    """A TOML value as the database diff shows it (``true`` → ``True``, as Python prints it)."""
    return str(value)
