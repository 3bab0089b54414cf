"""The call report, one builder for live calls and ``simulate``: transcript, transfers (reason, handoff
latency), tool calls (outcome, duration), per-turn latency with a per-call p50/p95 summary, usage and
estimated cost, the call's outcome, and (``simulate``) the database changes, as one JSON-serialisable dict.

Every text field is redacted with :func:`call.redaction.redact`: caller and agent speech, tool arguments
and outputs, transfer reasons, the intent, the actions, the shutdown reason. Timestamps and figures are
left as they are. :func:`write_call_report` writes it to ``REPORTS_DIR`` and applies the retention
(``REPORT_RETENTION_DAYS``). :func:`track_call_end` must be attached before the session closes so the
report knows how the call ended.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.voice.events import CloseEvent
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.registry import ENTRY_AGENT
from call.context import CustomerContext
from call.redaction import REDACTED, redact
from services.db import Database
from services.schema import Base

from .metrics import reply_e2e_latency
from .pricing import estimate_cost
from .settings import Settings

logger = logging.getLogger("marketplace.report")

Snapshot = dict[str, dict[str, dict[str, Any]]]
"""table → primary key → row."""

LATENCY_KEYS = ("end_of_turn_delay", "transcription_delay", "llm_node_ttft", "tts_node_ttfb", "e2e_latency")
"""Per-turn latency figures LiveKit puts on each ``ChatMessage.metrics`` (seconds): end of turn and
transcription delays on the caller's message; LLM time to first token, TTS time to first byte and end
to end (caller stopped speaking → agent audio started) on the agent's reply. For a reply code spoke with
``session.say`` LiveKit sets no ``e2e_latency``; it is derived with the same formula
(:func:`worker.metrics.reply_e2e_latency`)."""

TOOL_OUTPUT_CHARS = 500
"""A tool output is cut to this many characters in the report."""

CLOSE_REASON_ENDED_BY = {
    "participant_disconnected": "hang_up",
    "user_initiated": "goodbye",
    "job_shutdown": "drop",
    "error": "error",
    "task_completed": "completed",
}
"""LiveKit's ``CloseReason`` → how the call ended, when the code that ended it did not say
(:attr:`CustomerContext.ended_by`). ``user_initiated``: our code closed the session (``EndCallTool``
after the goodbye, ``session.shutdown()``); ``job_shutdown``: the room or the worker went away without
the caller hanging up (a dropped call); ``participant_disconnected``: the caller hung up."""

SCRIPTED_CHANNELS = ("simulation", "test")


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


def track_call_end(session: AgentSession[CustomerContext]) -> None:
    """Record how the session closed in its userdata (``close_reason``, ``close_error``) for the report.

    Attach once per session, before it can close (:func:`worker.observability.observe_call` does).

    Args:
        session: The call's session; its userdata is a :class:`CustomerContext`.
    """

    def _on_close(ev: CloseEvent) -> None:
        data = session.userdata
        data.close_reason = str(ev.reason.value)
        data.close_error = type(ev.error.error).__name__ if ev.error is not None else None
        logger.info("session closed: %s", data.close_reason)

    session.on("close", _on_close)


def ended_by(data: CustomerContext, *, shutdown_reason: str | None = None) -> str | None:
    """How the call ended: ``goodbye``, ``hang_up``, ``drop``, ``error``, ``idle``, ... or ``None`` (unknown).

    What the code that ended the call recorded (:attr:`CustomerContext.ended_by`) wins; else LiveKit's close
    reason (:data:`CLOSE_REASON_ENDED_BY`); a scripted call closed by its script is ``end_of_script``.
    A job that shut down (``shutdown_reason`` given) while the session was still open is a ``drop``: the
    caller did not hang up and no code ended the call (LiveKit closes the session after the job's earlier
    shutdown callbacks, such as the one writing the report).
    """
    if data.ended_by:
        return data.ended_by
    if data.close_reason is None:
        return "drop" if shutdown_reason is not None else None
    if data.close_reason == "user_initiated" and data.channel in SCRIPTED_CHANNELS:
        return "end_of_script"
    return CLOSE_REASON_ENDED_BY.get(data.close_reason, data.close_reason)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, linear between the closest ranks (numpy's default).

    Raises:
        ValueError: ``values`` is empty.
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(samples: dict[str, list[float]]) -> dict[str, dict[str, float | int]]:
    """``{metric: {"count", "p50", "p95", "max"}}`` in seconds (3 decimals); metrics without samples omitted."""
    return {
        key: {
            "count": len(values),
            "p50": round(percentile(values, 50), 3),
            "p95": round(percentile(values, 95), 3),
            "max": round(max(values), 3),
        }
        for key, values in samples.items()
        if values
    }


def verification_outcome(data: CustomerContext) -> str:
    """``verified`` / ``locked_out`` / ``failed`` (a failed check, never verified) / ``in_progress`` /
    ``not_started`` (the caller never got past the first name question)."""
    v = data.verification
    if v.verified:
        return "verified"
    if v.locked_out:
        return "locked_out"
    if v.failed_attempts:
        return "failed"
    return "not_started" if v.step.value == "first_name" else "in_progress"


def build_report(
    session: AgentSession[CustomerContext],
    *,
    mode: str,
    llm_label: str,
    wall_time_s: float,
    turns: list[TurnTiming],
    db_changes: dict[str, dict[str, Any]] | None = None,
    shutdown_reason: str | None = None,
) -> dict[str, Any]:
    """Assemble the call report from the session history, its usage and the call's userdata.

    Used for live calls (written when the call ends) and for ``simulate`` alike. Every text field is
    redacted (:func:`call.redaction.redact`).

    Args:
        session: The call's session (open or closed); its userdata is a :class:`CustomerContext`.
        mode: ``live``, ``audio`` or ``text`` (simulate).
        llm_label: The model, as shown in the report.
        wall_time_s: Duration of the call in seconds.
        turns: ``simulate``'s per-turn wall-clock timings (empty for live calls).
        db_changes: ``simulate``'s database changes (:func:`diff_snapshots`); ``None`` for live calls.
        shutdown_reason: The job's shutdown reason (live calls), redacted into the report.

    Returns:
        The report: ``call_id``, ``channel``, ``mode``, ``llm``, ``wall_time_s``, ``outcome``, ``transfers``,
        ``turns``, ``tool_calls``, ``latency``, ``usage``, ``transcript``, ``database_changes``,
        ``shutdown_reason`` (the README's "Call report" section lists every field).
    """
    data = session.userdata
    items = list(session.history.items)
    t0 = items[0].created_at if items else time.time()
    agent = ENTRY_AGENT
    transcript: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    outputs: dict[str, Any] = {}
    samples: dict[str, list[float]] = {k: [] for k in LATENCY_KEYS}
    caller_stopped_at: float | None = None
    for item in items:
        if item.type == "agent_handoff":
            agent = item.new_agent_id
        elif item.type == "message" and item.role in ("user", "assistant"):
            entry: dict[str, Any] = {
                "role": "caller" if item.role == "user" else "agent",
                "agent": agent if item.role == "assistant" else None,
                "at_s": round(item.created_at - t0, 3),
                "text": redact(item.text_content or ""),
            }
            if item.interrupted:
                entry["interrupted"] = True
            raw = item.metrics or {}
            metrics = {
                k: round(float(v), 3)
                for k, v in raw.items()
                if k in LATENCY_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            if item.role == "user":
                stopped = raw.get("stopped_speaking_at")
                caller_stopped_at = stopped if isinstance(stopped, (int, float)) else None
            else:
                e2e = reply_e2e_latency(raw, caller_stopped_at)
                caller_stopped_at = None
                if e2e is not None:
                    metrics["e2e_latency"] = round(e2e, 3)
            for k, v in metrics.items():
                samples[k].append(v)
            if metrics:
                entry["latency_s"] = metrics
            transcript.append(entry)
        elif item.type == "function_call":
            tool_calls.append(
                {
                    "agent": agent,
                    "name": item.name,
                    "arguments": redact(item.arguments),
                    "call_id": item.call_id,
                    "at_s": round(item.created_at - t0, 3),
                    "_started": item.created_at,
                }
            )
        elif item.type == "function_call_output":
            outputs[item.call_id] = item
    for call in tool_calls:
        started = call.pop("_started")
        out = outputs.get(call.pop("call_id"))
        if out is None:  # interrupted before the tool returned, or the call is still running
            call.update(output=None, is_error=None, outcome="no_output", duration_s=None)
            continue
        call.update(
            output=redact(str(out.output))[:TOOL_OUTPUT_CHARS],
            is_error=out.is_error,
            outcome="error" if out.is_error else "ok",
            duration_s=round(max(out.created_at - started, 0.0), 3),
        )
    perceived = [t.response_latency_s for t in turns if t.response_latency_s is not None]
    latency = latency_summary(samples)
    if perceived:
        latency["response_latency_s"] = latency_summary({"r": perceived})["r"]
    d = data.disclosure
    return {
        "call_id": data.call_id,
        "channel": data.channel,
        "mode": mode,
        "llm": llm_label,
        "wall_time_s": round(wall_time_s, 2),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "outcome": {
            "verified": data.verification.verified,
            "verification_outcome": verification_outcome(data),
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
            "writes_done": len(data.actions),
            "pending_write": data.pending.name if data.pending is not None else None,
            "transfers": len(data.transfers),
            "caller_turns": data.user_turns,
            "code_turns": data.code_turns,
            "tool_errors": sum(1 for c in tool_calls if c["outcome"] == "error"),
            "ended_by": ended_by(data, shutdown_reason=shutdown_reason),
            "close_reason": data.close_reason,
            "close_error": data.close_error,
            "guardrail_trips": list(data.guardrail_trips),
            "resumed_from": data.resumed_from,
        },
        "transfers": [
            {
                "from": t.from_agent,
                "to": t.to_agent,
                "reason": redact(t.reason),
                "at": _jsonable(t.at),
                "caller_turn": t.user_turn,
                "handoff_latency_s": _round(t.handoff_latency_s),
            }
            for t in data.transfers
        ],
        "turns": [{**asdict(t), "response_latency_s": t.response_latency_s} for t in turns],
        "tool_calls": tool_calls,
        "latency": latency,
        "usage": estimate_cost(list(session.usage.model_usage)),
        "transcript": transcript,
        "database_changes": db_changes if db_changes is not None else {},
        "shutdown_reason": redact(shutdown_reason) if shutdown_reason else None,
    }


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_file_name(name: str, report: dict[str, Any], *, now: dt.datetime | None = None) -> str:
    """``<name>-<UTC time>-<call id>.json`` with ``name`` redacted and reduced to ``[A-Za-z0-9._-]``.

    A room name can hold the caller's number (SIP dispatch rules name rooms after it): it is redacted
    before it becomes part of a file name.
    """
    slug = _UNSAFE_NAME.sub("_", redact(name).replace(REDACTED, "redacted")).strip("._-")[:80] or "call"
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    call_id = _UNSAFE_NAME.sub("_", str(report.get("call_id") or "")) or "call"
    return f"{slug}-{stamp}-{call_id}.json"


def prune_reports(directory: Path, retention_days: int, *, now: float | None = None) -> list[Path]:
    """Delete the call reports (``*.json``) in ``directory`` older than ``retention_days`` (by mtime).

    Args:
        directory: The reports folder (not searched recursively).
        retention_days: Days a report is kept; ``0`` keeps every report.
        now: ``time.time()`` override (tests).

    Returns:
        The deleted files.
    """
    if retention_days <= 0 or not directory.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - retention_days * 86_400
    deleted: list[Path] = []
    for path in directory.glob("*.json"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
        except OSError as exc:  # another worker deleted it first, or a permission problem: not fatal
            logger.warning("could not delete old report %s: %s", path.name, type(exc).__name__)
    return deleted


def write_call_report(report: dict[str, Any], settings: Settings, *, name: str) -> Path:
    """Write ``report`` as JSON to ``settings.reports_dir`` and delete reports past the retention.

    The file is written whole or not at all (a temporary file, then renamed), readable by its owner only.

    Args:
        report: From :func:`build_report`.
        settings: ``REPORTS_DIR`` (created if missing) and ``REPORT_RETENTION_DAYS`` (``0``: keep forever).
        name: What the file name starts with, typically the room name (redacted here, see
            :func:`report_file_name`).

    Returns:
        The path written.

    Raises:
        OSError: The folder cannot be created or written.
    """
    directory = settings.reports_dir
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / report_file_name(name, report)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
    os.replace(tmp, path)
    deleted = prune_reports(directory, settings.report_retention_days)
    logger.info("call report saved to %s (%d old report(s) deleted)", path.name, len(deleted))
    return path


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
