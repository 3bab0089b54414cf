"""Desk metrics for Prometheus, on the port LiveKit already serves (``AgentServer(prometheus_port=...)``).

Metrics (all on prometheus_client's default registry, the one LiveKit's ``/metrics`` serves):

* ``marketplace_transfers_total{from_agent, to_agent}``: handoffs between agents, by pair.
* ``marketplace_verification_outcomes_total{outcome}``: ``verified``, ``failed`` (one per failed identity
  check), ``locked_out``.
* ``marketplace_lockouts_total{cause}``: calls locked out; ``failed_checks`` (this call's failures locked
  the account) or ``account_locked`` (the account was already locked by an earlier call).
* ``marketplace_tool_calls_total{tool}`` and ``marketplace_tool_errors_total{tool}``: tool calls and those
  that returned an error to the model (a ``ToolError`` or an exception).
* ``marketplace_handoff_latency_seconds{to_agent}``: transfer tool call → the next agent's first LLM request.
* ``marketplace_turn_latency_seconds{agent}``: end to end, caller stopped speaking → agent audio started
  (LiveKit's ``e2e_latency`` on each reply, derived the same way for code-spoken replies; audio calls only;
  see :func:`reply_e2e_latency`).

**Job processes.** Each call runs in its own process, while ``/metrics`` is served by the main process
from *its* registry. LiveKit's answer (``livekit/agents/telemetry/http_server.py``) is prometheus_client's
multiprocess mode: with ``PROMETHEUS_MULTIPROC_DIR`` set, every process writes its values to files in that
folder and ``/metrics`` aggregates them. prometheus_client picks the mode when it is first imported, so
the variable must be in the environment before ``livekit.agents`` is imported in the main process (the
job processes inherit it): :func:`enable_multiprocess` does that from the settings. Without it, metrics
recorded in job processes never reach ``/metrics``. LiveKit empties the folder when the worker starts.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # prometheus_client is imported lazily: enable_multiprocess must run before it is imported
    from livekit.agents import AgentSession
    from livekit.agents.voice.events import ConversationItemAddedEvent, FunctionToolsExecutedEvent
    from prometheus_client import Counter, Histogram

    from call.context import CustomerContext

    from .settings import Settings

logger = logging.getLogger("marketplace.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
HANDOFF_BUCKETS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)
"""Seconds; the README's handoff benchmark measures about 0.1-0.3 s with a scripted model."""
TURN_BUCKETS = (0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0)
"""Seconds; a natural voice turn is under ~1.5 s end to end."""


def enable_multiprocess(settings: Settings) -> Path | None:
    """Turn on prometheus_client's multiprocess mode for the worker, so job processes' metrics reach ``/metrics``.

    Call in the main process **before** ``livekit.agents`` (which imports prometheus_client) is imported,
    e.g. in ``worker.__main__`` right after the settings are read. Does nothing when ``PROMETHEUS_PORT``
    is unset. An existing ``PROMETHEUS_MULTIPROC_DIR`` in the environment wins over the setting.

    Args:
        settings: ``prometheus_port`` and ``prometheus_multiproc_dir`` (unset: a folder under the
            system temp dir, one per main process).

    Returns:
        The folder, created if missing; ``None`` when metrics are not served.
    """
    if settings.prometheus_port is None:
        return None
    inherited = os.environ.get(MULTIPROC_ENV)
    folder = inherited or settings.prometheus_multiproc_dir
    path = Path(folder) if folder else Path(tempfile.gettempdir()) / f"marketplace-prometheus-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    if not inherited and "prometheus_client.values" in sys.modules:
        logger.warning(
            "prometheus_client was imported before %s was set: this process's own metrics are not aggregated "
            "(job processes started from now on are)",
            MULTIPROC_ENV,
        )
    return path


def reply_e2e_latency(reply_metrics: Mapping[str, Any], caller_stopped_at: float | None) -> float | None:
    """End-to-end latency of an agent reply, seconds: caller stopped speaking → agent audio started.

    LiveKit's ``e2e_latency`` when the reply carries it (LLM replies). A reply spoken with ``session.say``
    from the caller-turn hook (the code-led turns) does not get one from LiveKit; it is derived here with
    LiveKit's own formula: the reply's ``started_speaking_at`` minus the caller message's
    ``stopped_speaking_at``.

    Args:
        reply_metrics: The reply's ``ChatMessage.metrics``.
        caller_stopped_at: ``stopped_speaking_at`` of the caller message this reply answers (``None``: the
            reply answers no caller turn, e.g. a greeting, or a second reply to the same turn).

    Returns:
        Seconds, or ``None`` without audio timestamps (text calls).
    """
    e2e = reply_metrics.get("e2e_latency")
    if isinstance(e2e, (int, float)) and not isinstance(e2e, bool):
        return float(e2e) if e2e >= 0 else None
    started = reply_metrics.get("started_speaking_at")
    if caller_stopped_at is None or not isinstance(started, (int, float)) or started < caller_stopped_at:
        return None
    return float(started - caller_stopped_at)


@dataclass(frozen=True)
class DeskMetrics:
    """The desk's Prometheus metrics (see the module docstring for names and labels)."""

    transfers: Counter
    verifications: Counter
    lockouts: Counter
    tool_calls: Counter
    tool_errors: Counter
    handoff_latency: Histogram
    turn_latency: Histogram
    guardrail_trips: Counter


@functools.cache
def desk_metrics() -> DeskMetrics:
    """The metrics, created once per process on prometheus_client's default registry."""
    from prometheus_client import Counter, Histogram

    return DeskMetrics(
        transfers=Counter("marketplace_transfers", "Handoffs between agents, by pair", ["from_agent", "to_agent"]),
        verifications=Counter(
            "marketplace_verification_outcomes",
            "Identity verification outcomes (failed: per failed check)",
            ["outcome"],
        ),
        lockouts=Counter("marketplace_lockouts", "Calls locked out of verification", ["cause"]),
        tool_calls=Counter("marketplace_tool_calls", "Tool calls, by tool", ["tool"]),
        tool_errors=Counter("marketplace_tool_errors", "Tool calls that returned an error to the model", ["tool"]),
        handoff_latency=Histogram(
            "marketplace_handoff_latency_seconds",
            "Transfer tool call to the next agent's first LLM request",
            ["to_agent"],
            buckets=HANDOFF_BUCKETS,
        ),
        turn_latency=Histogram(
            "marketplace_turn_latency_seconds",
            "End-to-end turn latency: caller stopped speaking to agent audio started",
            ["agent"],
            buckets=TURN_BUCKETS,
        ),
        guardrail_trips=Counter(
            "marketplace_guardrail_trips",
            "Agent lines the output guardrail replaced before they were spoken, by reason",
            ["reason"],
        ),
    )


class _CallMetrics:
    """Follows one session's events and its userdata; records each fact once."""

    def __init__(self, session: AgentSession[CustomerContext]) -> None:
        self._session = session
        self._m = desk_metrics()
        data = session.userdata
        self._transfers_counted = len(data.transfers)
        self._latency_pending: list[int] = list(range(len(data.transfers)))
        self._failed = data.verification.failed_attempts
        self._verified = data.verification.verified
        self._locked = data.verification.locked_out
        self._caller_stopped_at: float | None = None
        self._trips_counted = len(data.guardrail_trips)

    def on_item(self, ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if item.type == "message" and item.role == "user":
            stopped = (item.metrics or {}).get("stopped_speaking_at")
            self._caller_stopped_at = stopped if isinstance(stopped, (int, float)) else None
        elif item.type == "message" and item.role == "assistant":
            e2e = reply_e2e_latency(item.metrics or {}, self._caller_stopped_at)
            self._caller_stopped_at = None  # only the first reply answers the caller's turn
            if e2e is not None:
                self._m.turn_latency.labels(agent=self._session.userdata.current_agent).observe(e2e)
        self.sync()

    def on_tools(self, ev: FunctionToolsExecutedEvent) -> None:
        for call, output in ev.zipped():
            self._m.tool_calls.labels(tool=call.name).inc()
            if output is not None and output.is_error:
                self._m.tool_errors.labels(tool=call.name).inc()
        self.sync()

    def on_any(self, _ev: Any = None) -> None:
        self.sync()

    def sync(self) -> None:
        """Count what changed in the call's userdata since the last event."""
        data = self._session.userdata
        for record in data.transfers[self._transfers_counted :]:
            self._m.transfers.labels(from_agent=record.from_agent, to_agent=record.to_agent).inc()
            self._latency_pending.append(self._transfers_counted)
            self._transfers_counted += 1
        still: list[int] = []
        for index in self._latency_pending:
            record = data.transfers[index]
            if record.handoff_latency_s is None:
                still.append(index)
            else:
                self._m.handoff_latency.labels(to_agent=record.to_agent).observe(record.handoff_latency_s)
        self._latency_pending = still
        v = data.verification
        if v.failed_attempts > self._failed:
            self._m.verifications.labels(outcome="failed").inc(v.failed_attempts - self._failed)
            self._failed = v.failed_attempts
        if v.verified and not self._verified:
            self._m.verifications.labels(outcome="verified").inc()
        self._verified = v.verified
        if v.locked_out and not self._locked:
            self._m.verifications.labels(outcome="locked_out").inc()
            cause = "failed_checks" if v.failed_attempts >= data.max_auth_attempts else "account_locked"
            self._m.lockouts.labels(cause=cause).inc()
        self._locked = v.locked_out
        for reason in data.guardrail_trips[self._trips_counted :]:
            self._m.guardrail_trips.labels(reason=reason).inc()
        self._trips_counted = len(data.guardrail_trips)


_ATTACHED: weakref.WeakSet[Any] = weakref.WeakSet()


def attach_metrics(session: AgentSession[CustomerContext]) -> None:
    """Record the desk metrics of one call from its session events (idempotent per session).

    Subscribes to ``conversation_item_added`` (turn latency), ``function_tools_executed`` (tool calls and
    errors), ``agent_state_changed``/``user_state_changed``/``close`` (to pick up transfers, handoff
    latency and verification changes from the userdata as they happen). Call before the session starts.

    Args:
        session: The call's session; its userdata is a :class:`~call.context.CustomerContext`.
    """
    if session in _ATTACHED:
        return
    _ATTACHED.add(session)
    tracker = _CallMetrics(session)
    session.on("conversation_item_added", tracker.on_item)
    session.on("function_tools_executed", tracker.on_tools)
    for event in ("agent_state_changed", "user_state_changed", "close"):
        session.on(event, tracker.on_any)
