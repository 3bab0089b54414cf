"""The call report of ``simulate``: transcript, transfers, tool calls, per-turn latency and the
database changes, as one JSON-serialisable dict. Caller PII is redacted throughout."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from livekit.agents import AgentSession
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.registry import ENTRY_AGENT
from call.context import CustomerContext
from call.redaction import redact
from services.db import Database
from services.schema import Base

Snapshot = dict[str, dict[str, dict[str, Any]]]
"""table → primary key → row."""

LATENCY_KEYS = ("end_of_turn_delay", "transcription_delay", "llm_node_ttft", "tts_node_ttfb", "e2e_latency")


@dataclass
class TurnTiming:
    """Wall-clock figures of one caller turn, seconds from the call start.

    Attributes:
        caller_input: The WAV file or typed line.
        caller_start / caller_end: When the caller's audio started and ended.
        agent_first_audio: When the agent next started speaking (``None`` if it did not).
        settled: When the agent had finished its reply and was listening again.
        timed_out: The agent did not finish within the turn timeout.
        by_code: Code answered the turn (no LLM request); ``None`` when unknown (audio turns).
    """

    caller_input: str
    caller_start: float
    caller_end: float
    agent_first_audio: float | None
    settled: float
    timed_out: bool = False
    by_code: bool | None = None

    @property
    def response_latency_s(self) -> float | None:
        """Caller stopped speaking → agent audio started (what the caller perceives)."""
        return None if self.agent_first_audio is None else round(self.agent_first_audio - self.caller_end, 3)


async def snapshot(db: Database) -> Snapshot:
    """Every row of every table, keyed by primary key (small demo databases only)."""

    async def _dump(session: AsyncSession) -> Snapshot:
        result: Snapshot = {}
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).mappings().all()
            pk = [c.name for c in table.primary_key.columns]
            result[table.name] = {
                "/".join(str(r[k]) for k in pk): {k: _jsonable(v) for k, v in r.items()} for r in rows
            }
        return result

    return await db.run(_dump)


def diff_snapshots(before: Snapshot, after: Snapshot) -> dict[str, dict[str, Any]]:
    """Rows inserted, updated (changed columns only) and deleted per table; unchanged tables omitted."""
    changes: dict[str, dict[str, Any]] = {}
    for table, rows in after.items():
        old = before.get(table, {})
        inserted = [rows[k] for k in rows.keys() - old.keys()]
        deleted = sorted(old.keys() - rows.keys())
        updated = {
            k: {c: [old[k][c], v] for c, v in rows[k].items() if old[k][c] != v}
            for k in rows.keys() & old.keys()
            if rows[k] != old[k]
        }
        if inserted or updated or deleted:
            changes[table] = {"inserted": inserted, "updated": updated, "deleted": deleted}
    return changes


def build_report(
    session: AgentSession[CustomerContext],
    *,
    mode: str,
    llm_label: str,
    wall_time_s: float,
    turns: list[TurnTiming],
    db_changes: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble the call report from the session history and the call's userdata.

    Used for live calls (written when the call ends) and for ``simulate`` alike. Every text
    field — caller and agent speech of every agent, tool arguments and outputs, transfer
    reasons, the intent — is redacted (:func:`call.redaction.redact`).
    """
    data = session.userdata
    agent = ENTRY_AGENT
    transcript: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    outputs: dict[str, Any] = {}
    for item in session.history.items:
        if item.type == "agent_handoff":
            agent = item.new_agent_id
        elif item.type == "message" and item.role in ("user", "assistant"):
            entry: dict[str, Any] = {
                "role": "caller" if item.role == "user" else "agent",
                "agent": agent if item.role == "assistant" else None,
                "text": redact(item.text_content or ""),
            }
            if item.interrupted:
                entry["interrupted"] = True
            metrics = {
                k: round(v, 3)
                for k, v in (item.metrics or {}).items()
                if k in LATENCY_KEYS and isinstance(v, (int, float))
            }
            if metrics:
                entry["latency_s"] = metrics
            transcript.append(entry)
        elif item.type == "function_call":
            tool_calls.append(
                {"agent": agent, "name": item.name, "arguments": redact(item.arguments), "call_id": item.call_id}
            )
        elif item.type == "function_call_output":
            outputs[item.call_id] = {"output": redact(str(item.output))[:500], "is_error": item.is_error}
    for call in tool_calls:
        call.update(outputs.get(call.pop("call_id"), {"output": None, "is_error": None}))
    d = data.disclosure
    return {
        "mode": mode,
        "llm": llm_label,
        "wall_time_s": round(wall_time_s, 2),
        "outcome": {
            "verified": data.verification.verified,
            "verification_step": data.verification.step.value,
            "failed_auth_attempts": data.verification.failed_attempts,
            "intent": redact(data.intent) if data.intent else None,
            "disclosure": {
                "played": d.played,
                "completed": d.completed,
                "played_pct": d.played_pct,
                "interrupted": d.interrupted,
                "response": d.response,
                "started_at": _jsonable(d.started_at),
                "ended_at": _jsonable(d.ended_at),
            },
            "final_agent": data.current_agent,
            "actions": [redact(a) for a in data.actions],
        },
        "transfers": [
            {
                "from": t.from_agent,
                "to": t.to_agent,
                "reason": redact(t.reason),
                "at": _jsonable(t.at),
                "handoff_latency_s": _round(t.handoff_latency_s),
            }
            for t in data.transfers
        ],
        "turns": [{**asdict(t), "response_latency_s": t.response_latency_s} for t in turns],
        "tool_calls": tool_calls,
        "transcript": transcript,
        "database_changes": db_changes if db_changes is not None else {},
    }


def format_transcript(report: dict[str, Any]) -> str:
    """The transcript as readable lines: ``[agent] text`` / ``caller: text``."""
    lines = []
    for entry in report["transcript"]:
        who = f"[{entry['agent']}]" if entry["role"] == "agent" else "caller:"
        cut = " (interrupted)" if entry.get("interrupted") else ""
        lines.append(f"{who} {entry['text']}{cut}")
    return "\n".join(lines)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.loads(json.dumps(v, default=str))
    return v
